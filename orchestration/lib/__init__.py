"""Plain logic of the pipeline: no Dagster imports unless a module says why."""
