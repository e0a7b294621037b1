"""Imports, forgetting an import and warehouse rebuilds, as Dagster runs.

The CLI (``perp-fragility import | forget-import | rebuild-warehouse``) runs these jobs in
process against the instance in ``$DAGSTER_HOME``, so every import leaves a run in the UI:

- ``import_job``: lands the files of one import (``orchestration.sources.importers``) and records a
  materialisation of each raw dataset it wrote, with the import id, rows and days. A refused
  import (rows rejected, ``allow_rejects`` off) fails the run with the counts per reason and
  the quarantine file; nothing lands.
- ``forget_import_job``: removes one import's files and records the change on the raw datasets.
- ``warehouse_rebuild_job``: a full-refresh ``dbt build`` of every model (imported history lies
  before the incremental window; a forgotten import's rows must leave every model), plus the
  completeness checks of the raw datasets. Building all models also builds the seed-fed ones
  that the others join, so the first import into a new data directory works.
"""

import json
from pathlib import Path

import dagster as dg

from orchestration.defs.dbt_models import WAREHOUSE_SELECTION
from orchestration.defs.raw_checks import raw_completeness

FULL_REFRESH = {"ops": {"warehouse_models": {"config": {"full_refresh": True}}}}


class ImportRunConfig(dg.Config):
    """One import: the kind, the files (absolute paths), their time zone, whether to land
    the valid rows when some are rejected."""

    kind: str
    files: list[str]
    tz: str | None = None
    allow_rejects: bool = False


class ForgetRunConfig(dg.Config):
    """The id of the import to remove (``perp-fragility imports`` lists them)."""

    import_id: str


def _raw_event(dataset: str, description: str, metadata: dict) -> dg.AssetMaterialization:
    return dg.AssetMaterialization(
        asset_key=dg.AssetKey(["raw", dataset]), description=description, metadata=metadata
    )


@dg.op(description="Land one import's files into the raw layout (or refuse it, quarantined).")
def land_import(context: dg.OpExecutionContext, config: ImportRunConfig) -> str:
    from orchestration.sources.importers import ImportInputError, import_files

    try:
        report = import_files(
            config.kind,
            [Path(f) for f in config.files],
            tz=config.tz,
            allow_rejects=config.allow_rejects,
        )
    except ImportInputError as error:
        raise dg.Failure(description=str(error)) from None
    for dataset, rows in sorted(report.rows_by_dataset.items()):
        context.log_event(
            _raw_event(
                dataset,
                f"import {report.import_id}",
                {
                    "import_id": report.import_id,
                    "dagster/row_count": rows,
                    "first_day": report.days_touched[0].isoformat(),
                    "last_day": report.days_touched[-1].isoformat(),
                    "rows_rejected": report.rejected,
                    "files": dg.MetadataValue.json(list(report.files)),
                },
            )
        )
    if report.refused:
        raise dg.Failure(
            description=report.describe(),
            metadata={
                "import_id": report.import_id,
                "rejected_by_reason": dg.MetadataValue.json(dict(report.rejected_by_reason)),
                "quarantine": dg.MetadataValue.path(str(report.rejects_path)),
            },
        )
    context.log.info(report.describe())
    return report.import_id


@dg.op(description="Remove one import's raw files, quarantine and record.")
def remove_import(context: dg.OpExecutionContext, config: ForgetRunConfig) -> str:
    from orchestration.sources.importers.records import UnknownImportError, forget

    try:
        record = forget(config.import_id)
    except UnknownImportError as error:
        raise dg.Failure(description=str(error)) from None
    for dataset, rows in sorted(record.rows_by_dataset.items()):
        context.log_event(
            _raw_event(
                dataset,
                f"forgot import {record.id}",
                {"import_id": record.id, "rows_removed": rows,
                 "files_removed": dg.MetadataValue.json(record.parts)},
            )
        )
    context.log.info(f"forgot {record.id}: {json.dumps(record.rows_by_dataset)}")
    return record.id


@dg.job(description="Land one file import (CLI: perp-fragility import).")
def import_job() -> None:
    land_import()


@dg.job(description="Remove one import's files (CLI: perp-fragility forget-import).")
def forget_import_job() -> None:
    remove_import()


warehouse_rebuild_job = dg.define_asset_job(
    "warehouse_rebuild_job",
    selection=WAREHOUSE_SELECTION
    | dg.AssetSelection.checks(raw_completeness),
    config=FULL_REFRESH,
    description=(
        "Full-refresh dbt build of every model plus the raw completeness checks (after an "
        "import, a forgotten import, or perp-fragility rebuild-warehouse)."
    ),
)
