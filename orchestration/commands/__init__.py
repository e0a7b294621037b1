"""Subcommands whose logic is more than a call into the pipeline (cli.py only registers them)."""
