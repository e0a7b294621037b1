"""The code location: everything under ``orchestration/defs`` plus global settings.

No hand-kept asset lists: each module in ``defs/`` declares its own definitions and
``load_from_defs_folder`` collects them, so adding a domain is adding a file.
"""

from pathlib import Path

import dagster as dg


@dg.definitions
def defs() -> dg.Definitions:
    from orchestration.defs.partitions import check_first_date_unchanged

    check_first_date_unchanged()  # the asset modules are imported once per process
    return dg.load_from_defs_folder(path_within_project=Path(__file__).parent)
