"""Every partitions definition of the code location, in one place, in UTC.

Daily partitions are UTC calendar days: a day's funding settlements are those stamped in
[00:00, 24:00) UTC. Weekly partitions start on Monday (ISO weeks), keyed by the Monday's date;
the report for partition ``2026-11-16`` is ``fragility-2026-W47.pdf``.
"""

import dagster as dg

HISTORY_START = "2020-01-01"

daily_partitions = dg.DailyPartitionsDefinition(
    start_date=HISTORY_START, timezone="UTC", fmt="%Y-%m-%d"
)
weekly_partitions = dg.WeeklyPartitionsDefinition(
    start_date="2020-01-06", day_offset=1, timezone="UTC", fmt="%Y-%m-%d"
)
