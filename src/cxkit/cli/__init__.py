"""The ``cxkit`` command line. :func:`cxkit.cli.main.main` is the entry point."""
