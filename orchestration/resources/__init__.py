"""Dagster resources: thin configurable wrappers over the plain sources in ``lib``."""
