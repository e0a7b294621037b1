"""The logic of CLI commands, one module each; cli.py only registers and dispatches them."""
