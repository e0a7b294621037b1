"""``perp-fragility prepare``: what every command and run needs before the definitions load.

Data folders, the Dagster instance's tables, the zero-row schema files and coverage plan dbt's
sources read, and the dbt manifest (parsed into the data directory's partial-parse cache, then
published where the definitions read it). Every other command calls :func:`prepare` first.
"""

from __future__ import annotations

from pathlib import Path


def prepare() -> None:
    """Data folders, the Dagster instance and the dbt manifest (needed before defs import)."""
    from orchestration.instance import ensure_dagster_home
    from orchestration.landing.coverage import write_plan
    from orchestration.landing.landing import ensure_schema_files
    from orchestration.lib.settings import ensure_usable_data_dir, export_data_dir
    from orchestration.warehouse.dbt_project import dbt_project

    ensure_usable_data_dir()
    export_data_dir()  # the data directory may have changed since dbt_project was imported
    ensure_dagster_home()
    ensure_schema_files()
    write_plan()  # the configured venues/symbols' expectations (fct_data_coverage_daily)
    _init_instance_storage()
    edited = _latest_dbt_source_edit()
    manifest_stale = _written_before(dbt_project.manifest_path, edited)
    cache_stale = not _parse_cache().exists() or _written_before(
        _parse_cache().parent / "manifest.json", edited
    )
    if manifest_stale or cache_stale:
        _parse_into_data_dir()
    if manifest_stale:
        _publish_manifest(dbt_project.manifest_path)


def _init_instance_storage() -> None:
    """Create the instance's SQLite tables now: processes that first touch a new
    ``DAGSTER_HOME`` at the same moment race to create them ("table already exists")."""
    from dagster import DagsterInstance

    with DagsterInstance.get() as instance:
        instance.get_runs(limit=1)


def _parse_cache() -> Path:
    from orchestration.lib import settings

    return settings.dbt_target_dir() / "partial_parse.msgpack"


def _latest_dbt_source_edit() -> float:
    """mtime of the most recently edited file dbt parses (one walk of the project)."""
    from orchestration.warehouse.dbt_project import dbt_project
    from orchestration.warehouse.fingerprint import dbt_source_files

    files = dbt_source_files(Path(dbt_project.project_dir))
    return max((p.stat().st_mtime for p in files), default=0.0)


def _written_before(artifact: Path, edited: float) -> bool:
    """True when ``artifact`` is missing or older than the latest dbt source edit.

    Two artifacts are checked this way. ``dbt_project/target/manifest.json`` is what the
    Dagster definitions load. ``<data>/dbt_target/manifest.json`` marks this data directory's
    partial-parse cache: dbt rewrites the manifest on every parse, the cache only when a
    file's content changed. dbt keys that cache on the profile, which holds the warehouse
    path, so each data directory keeps its own (``DBT_TARGET_PATH`` points dagster-dbt there):
    every ``dbt build`` of a scheduled run then skips parsing (a full parse costs 8-20 s),
    even when other data directories (tests, benchmarks) were prepared in between."""
    return not artifact.exists() or artifact.stat().st_mtime < edited


def _parse_into_data_dir() -> None:
    """``dbt parse`` into the data directory's target (partial when its cache exists)."""
    from orchestration.warehouse.dbt_project import dbt_cli

    invocation = dbt_cli().cli(["parse"], target_path=_parse_cache().parent, raise_on_error=False)
    invocation.wait()
    if not invocation.is_successful():
        raise SystemExit(f"dbt parse failed: see {_parse_cache().parent}/dbt.log")


def _publish_manifest(destination: Path) -> None:
    """Copy the fresh manifest where the Dagster definitions read it (atomically: another
    process may be loading it)."""
    import os
    import shutil

    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = destination.with_name(f".{destination.name}.{os.getpid()}")
    shutil.copyfile(_parse_cache().parent / "manifest.json", staging)
    os.replace(staging, destination)
