"""Dagster resources: thin configurable wrappers over the plain code in ``sources``,
``landing`` and ``distribution``."""
