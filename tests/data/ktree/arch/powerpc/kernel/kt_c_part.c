int kt_c_part; /* Test tree: a C object, which the census leaves alone. */
