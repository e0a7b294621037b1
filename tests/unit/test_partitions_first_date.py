"""``PERP_FRAGILITY_FIRST_DATE`` is read when the definitions are first built, not when the
partitions module is imported, and a change after that is refused, not silently ignored.

Run in a fresh interpreter: the test session has long imported the definitions."""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = """
import os
from orchestration.defs.partitions import FIRST_DATE_ENV, first_date  # import: nothing frozen
os.environ[FIRST_DATE_ENV] = "2024-03-05"
from orchestration.definitions import defs
job = defs().resolve_job_def("daily_market_job")
print(job.partitions_def.get_first_partition_key())
from orchestration.defs import partitions
print(partitions.weekly_partitions.get_first_partition_key())
os.environ[FIRST_DATE_ENV] = "2024-04-01"
from orchestration.errors import UserError
try:
    defs()
except UserError as exc:
    print("refused:", exc)
"""


def test_first_date_set_after_import_is_honoured_and_a_later_change_refused() -> None:
    env = {k: v for k, v in os.environ.items() if k != "PERP_FRAGILITY_FIRST_DATE"}
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=120,
        check=True,
    ).stdout.splitlines()
    assert out[0] == "2024-03-05"
    assert out[1] == "2024-W11-1"  # the Monday on or after 2024-03-05 (a Tuesday)
    assert out[2].startswith("refused: PERP_FRAGILITY_FIRST_DATE now gives 2024-04-01")
