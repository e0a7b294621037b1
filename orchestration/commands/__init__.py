"""Subcommand logic of the ``perp-fragility`` CLI, one module per command (cli.py registers
them)."""
