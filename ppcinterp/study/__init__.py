"""Studies of assembly over a Session (above the API, below the views): scenarios (TOML files of state,
events and expectations), path exploration over an input domain, and the race explorer."""
