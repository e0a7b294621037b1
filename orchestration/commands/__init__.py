"""The logic of CLI subcommands, one module per command family (``cli.py`` only registers)."""
