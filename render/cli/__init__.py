"""Front end: the ``render`` command line."""
