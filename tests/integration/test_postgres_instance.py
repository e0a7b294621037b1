"""The production instance (``deploy/dagster.yaml``) works against a real PostgreSQL server.

Why: the local instance is SQLite; production runs, event logs and schedules live in
PostgreSQL through dagster-postgres, configured only by ``DAGSTER_PG_*`` variables. This test
starts a throwaway PostgreSQL cluster on 127.0.0.1 (Debian's binaries, installed by
``scripts/install-system-deps.sh``), loads the shipped ``deploy/dagster.yaml`` verbatim with
those variables set, runs the partitioned ``daily_market_job`` (every raw dataset) for one
day and ``warehouse_job`` for one dbt model in process, and reads the run back both through
Dagster and with a raw SQL query on the ``runs`` table.

The server runs as the ``postgres`` system user when the test runs as root (PostgreSQL refuses
to run as root), in a private temporary directory, and is always stopped at the end.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
DEPLOY_INSTANCE_YAML = REPO_ROOT / "deploy" / "dagster.yaml"
PARTITION = date(2026, 11, 22)
PG_PASSWORD = "test-only-password"  # a throwaway cluster on loopback, deleted after the test
PG_USER = "dagster"
PG_DB = "perp_fragility"
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 15.0


@dataclass(frozen=True)
class PgServer:
    host: str
    port: int
    user: str
    password: str
    db: str


def _pg_bindir() -> Path | None:
    """Newest installed PostgreSQL server binaries (Debian layout), or None."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if not found:
        return None
    bindir = Path(found[-1]).parent
    return bindir if (bindir / "postgres").exists() else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_user() -> dict[str, Any]:
    """Popen kwargs that drop root to ``postgres`` (initdb/postgres refuse to run as root)."""
    if os.geteuid() != 0:
        return {}
    try:
        entry = pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("running as root but there is no 'postgres' system user to run the server")
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Fast shutdown (SIGINT), then SIGKILL to the process group, each bounded."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=STOP_TIMEOUT_S)
    except ProcessLookupError:
        pass


@pytest.fixture(scope="module")
def pg_server() -> Iterator[PgServer]:
    """A private PostgreSQL cluster on 127.0.0.1 with password auth, removed afterwards."""
    import psycopg2

    bindir = _pg_bindir()
    if bindir is None:
        pytest.skip(
            "PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/initdb): "
            "run scripts/install-system-deps.sh"
        )
    as_user = _server_user()
    # Not pytest's tmp_path: its parents are root-only (0700), and the server user must reach
    # its data directory. mkdtemp under /tmp (sticky, world-traversable) then chown.
    root = Path(tempfile.mkdtemp(prefix="perp-fragility-pg-"))
    data, sockets, pwfile = root / "data", root / "sock", root / "pwfile"
    sockets.mkdir()
    pwfile.write_text(PG_PASSWORD + "\n")
    if as_user:
        for path in (root, sockets, pwfile):
            os.chown(path, as_user["user"], as_user["group"])
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "TZ": "UTC"}
    subprocess.run(
        [
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            PG_USER,
            f"--pwfile={pwfile}",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "-E",
            "UTF8",
            "--no-sync",
        ],
        cwd=root,
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
        **as_user,
    )
    port = _free_port()
    log = (root / "server.log").open("wb")
    proc = subprocess.Popen(
        [
            str(bindir / "postgres"),
            "-D",
            str(data),
            "-p",
            str(port),
            "-k",
            str(sockets),
            "-h",
            "127.0.0.1",
            # a disposable test cluster: durability off, small footprint
            "-c",
            "fsync=off",
            "-c",
            "synchronous_commit=off",
            "-c",
            "full_page_writes=off",
            "-c",
            "shared_buffers=32MB",
            "-c",
            "max_connections=40",
        ],
        cwd=root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        **as_user,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                conn = psycopg2.connect(
                    host="127.0.0.1",
                    port=port,
                    user=PG_USER,
                    password=PG_PASSWORD,
                    dbname="postgres",
                    connect_timeout=2,
                )
                break
            except psycopg2.OperationalError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"postgres did not start: {(root / 'server.log').read_text()[-2000:]}"
                    ) from None
                time.sleep(0.3)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f"CREATE DATABASE {PG_DB}")
        conn.close()
        yield PgServer("127.0.0.1", port, PG_USER, PG_PASSWORD, PG_DB)
    finally:
        _stop(proc)
        log.close()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_instance_env(pg_server: PgServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """DAGSTER_HOME holding deploy/dagster.yaml verbatim; credentials only in the env."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(DEPLOY_INSTANCE_YAML, home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("PERP_FRAGILITY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PERP_FRAGILITY_SOURCE", "simulated")
    monkeypatch.setenv("DAGSTER_PG_HOST", pg_server.host)
    monkeypatch.setenv("DAGSTER_PG_PORT", str(pg_server.port))
    monkeypatch.setenv("DAGSTER_PG_USER", pg_server.user)
    monkeypatch.setenv("DAGSTER_PG_PASSWORD", pg_server.password)
    monkeypatch.setenv("DAGSTER_PG_DB", pg_server.db)
    return home


def test_deploy_instance_uses_postgres_queue_and_warehouse_pool(pg_instance_env: Path) -> None:
    """The shipped config resolves to Postgres storages, the queued coordinator and pool 1."""
    import dagster as dg
    from dagster._core.run_coordinator import QueuedRunCoordinator
    from dagster_postgres import (
        PostgresEventLogStorage,
        PostgresRunStorage,
        PostgresScheduleStorage,
    )

    with dg.DagsterInstance.from_config(str(pg_instance_env)) as instance:
        assert isinstance(instance.run_storage, PostgresRunStorage)
        assert isinstance(instance.event_log_storage, PostgresEventLogStorage)
        assert isinstance(instance.schedule_storage, PostgresScheduleStorage)
        assert isinstance(instance.run_coordinator, QueuedRunCoordinator)
        concurrency = instance.get_concurrency_config()
        assert concurrency.pool_config.default_pool_limit == 1
        queue = concurrency.run_queue_config
        assert queue is not None and queue.max_concurrent_runs == 4
        assert {"key": "dagster/backfill", "limit": 1} in list(queue.tag_concurrency_limits)


def test_partitioned_run_is_stored_in_postgres(pg_server: PgServer, pg_instance_env: Path) -> None:
    """One partition of daily_market_job runs in process; the run reads back from Postgres.

    Then ``warehouse_job`` builds one dbt model (``stg_funding_rates``): a step of the
    ``duckdb_warehouse`` pool, without a full ``dbt build`` (most of a minute here).
    """
    import dagster as dg
    import psycopg2

    from orchestration.definitions import defs
    from orchestration.defs.dbt_models import WAREHOUSE_POOL
    from orchestration.landing.landing import ensure_schema_files
    from orchestration.landing.raw_schemas import ALL_DATASETS
    from orchestration.warehouse.dbt_project import dbt_project

    if not dbt_project.manifest_path.exists():  # `make test` prepares it; a bare pytest may not
        dbt_project.preparer.prepare(dbt_project)
    ensure_schema_files()
    raw_keys = [dg.AssetKey(["raw", dataset.name]) for dataset in ALL_DATASETS]
    selection = list(raw_keys)
    job = defs().resolve_job_def("daily_market_job")

    with dg.DagsterInstance.from_config(str(pg_instance_env)) as instance:
        result = job.execute_in_process(
            instance=instance, partition_key=PARTITION.isoformat(), asset_selection=selection
        )
        assert result.success

        runs = instance.get_runs(dg.RunsFilter(job_name="daily_market_job"))
        assert [r.run_id for r in runs] == [result.run_id]
        run = runs[0]
        assert run.status == dg.DagsterRunStatus.SUCCESS
        assert run.tags["dagster/partition"] == PARTITION.isoformat()

        # the partitioned materialisations are in the Postgres event log, keyed by partition
        funding = instance.fetch_materializations(raw_keys[0], limit=5).records
        assert [r.partition_key for r in funding] == [PARTITION.isoformat()]

        # a warehouse run (one model, for speed) claims a slot of the duckdb_warehouse pool
        build = (
            defs()
            .resolve_job_def("warehouse_job")
            .execute_in_process(
                instance=instance, asset_selection=[dg.AssetKey(["stg_funding_rates"])]
            )
        )
        assert build.success
        pool = instance.event_log_storage.get_concurrency_info(WAREHOUSE_POOL)
        assert pool.slot_count == 1
        assert not pool.claimed_slots  # released when the step finished

    # and the rows are really in PostgreSQL, not in a SQLite file beside the config
    assert not list(pg_instance_env.rglob("*.db"))
    conn = psycopg2.connect(
        host=pg_server.host,
        port=pg_server.port,
        user=pg_server.user,
        password=pg_server.password,
        dbname=pg_server.db,
        connect_timeout=5,
    )
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT pipeline_name, status FROM runs WHERE run_id = %s", (run.run_id,))
            assert cur.fetchone() == ("daily_market_job", "SUCCESS")
            cur.execute(
                "SELECT count(*) FROM event_logs WHERE run_id = %s "
                "AND dagster_event_type = 'ASSET_MATERIALIZATION'",
                (run.run_id,),
            )
            (materialisations,) = cur.fetchone()
            assert materialisations == len(selection)
    finally:
        conn.close()
