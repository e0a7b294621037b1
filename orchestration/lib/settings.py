"""Where the pipeline keeps its files.

One environment variable, ``PERP_FRAGILITY_DATA_DIR`` (default ``./data``), decides the data
directory for every entry point (CLI, ``dagster dev``, dbt, tests), so the UI, the demo and the
warehouse always look at the same files. dbt reads the same variable in ``profiles.yml`` and in
its source locations; :func:`export_data_dir` pins it to an absolute path before dbt starts in
another working directory.
"""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR_ENV = "PERP_FRAGILITY_DATA_DIR"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"


def data_dir() -> Path:
    """The data directory, absolute (relative values resolve against the working directory)."""
    return Path(os.environ.get(DATA_DIR_ENV, "./data")).expanduser().resolve()


def ensure_usable_data_dir() -> Path:
    """Create the data directory and prove it is writable, or raise a :class:`UserError` that
    names ``PERP_FRAGILITY_DATA_DIR``: a later failure deep in Dagster or dbt would not."""
    import tempfile

    from orchestration.errors import UserError

    path = data_dir()
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        raise UserError(
            f"{DATA_DIR_ENV}={path} is not a usable data directory ({exc.strerror or exc}).\n"
            f"Point {DATA_DIR_ENV} at a writable folder (default ./data), "
            f"e.g. export {DATA_DIR_ENV}=$PWD/data"
        ) from exc
    return path


def raw_dir() -> Path:
    return data_dir() / "raw"


def quarantine_dir() -> Path:
    return data_dir() / "quarantine"


def warehouse_path() -> Path:
    return data_dir() / "warehouse.duckdb"


def reports_dir() -> Path:
    return data_dir() / "reports"


def dbt_target_dir() -> Path:
    """dbt's artifacts and partial-parse cache for this data directory (see commands/prepare.py)."""
    return data_dir() / "dbt_target"


def export_data_dir() -> Path:
    """Set ``PERP_FRAGILITY_DATA_DIR`` to its absolute form for child processes (dbt), and
    ``DBT_TARGET_PATH`` to this data directory's dbt target: dagster-dbt seeds each invocation
    with the partial-parse cache found there, and that cache is only valid for the profile,
    i.e. the warehouse path, it was parsed with."""
    path = data_dir()
    os.environ[DATA_DIR_ENV] = str(path)
    os.environ["DBT_TARGET_PATH"] = str(dbt_target_dir())
    return path
