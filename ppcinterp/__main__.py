from ppcinterp.cli import main

raise SystemExit(main())
