"""Code-location-wide settings.

The in-process executor: a run's steps are small and process start-up (~4 s a step) would
dominate a multiprocess run; it also keeps a run to one DuckDB client at a time.
"""

import dagster as dg


@dg.definitions
def settings() -> dg.Definitions:
    return dg.Definitions(executor=dg.in_process_executor)
