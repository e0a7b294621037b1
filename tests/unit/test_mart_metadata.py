"""What the UI shows for dbt assets: tidy metadata, mart profiles, a sentence per dbt test."""

from __future__ import annotations

from datetime import date

import dagster as dg
import duckdb

from orchestration.warehouse import dbt_descriptions
from orchestration.warehouse.dbt_descriptions import describe_generic_test
from orchestration.warehouse.mart_metadata import is_mart, mart_profile, model_name, tidy


def test_tidy_drops_dbt_bookkeeping_and_keeps_failed_rows() -> None:
    raw = {
        "Execution Duration": 0.114749,
        "unique_id": "test.perp_fragility.not_null_x_y.abc",
        "invocation_id": "72566849",
        "status": "pass",
        "dagster_dbt/failed_row_count": 3,
        "dagster/row_count": 10,
    }
    assert tidy(raw) == {"dagster/row_count": 10, "failed_rows": 3}
    assert model_name({"unique_id": "model.perp_fragility.fct_funding_daily"}) == (
        "fct_funding_daily"
    )
    assert is_mart("fct_funding_daily") and is_mart("dim_venues") and not is_mart("stg_rates")


def test_mart_profile_counts_covers_and_previews_the_latest_rows() -> None:
    conn = duckdb.connect()
    conn.execute(
        "create table main.fct_x as select * from (values "
        "(date '2026-11-20', 'ETH', 1.5::double), (date '2026-11-22', 'ETH', null), "
        "(date '2026-11-21', 'BTC', 2.25)) t(date, base_asset, value)"
    )
    profile = mart_profile(conn, "fct_x")
    assert profile["dagster/row_count"] == dg.MetadataValue.int(3)
    assert profile["date_coverage"] == "2026-11-20 .. 2026-11-22 (3 distinct date values)"
    preview = profile["preview"].value.splitlines()
    assert preview[0] == "Latest 3 rows (all columns):"
    assert preview[2] == "| date | base_asset | value |"
    assert preview[4] == "| 2026-11-22 | ETH | — |"  # newest first; null shown as a dash
    assert preview[6] == "| 2026-11-20 | ETH | 1.5 |"
    assert date(2026, 11, 21).isoformat() in preview[5]


def test_every_generic_test_kind_gets_a_sentence() -> None:
    def node(name: str, **kwargs: object) -> dict[str, object]:
        return {"test_metadata": {"name": name, "kwargs": kwargs}, "config": {}}

    assert describe_generic_test(node("not_null", column_name="venue")) == (
        "`venue` is never null."
    )
    assert describe_generic_test(
        node("accepted_range", column_name="h", min_value=0, inclusive=False)
    ) == ("`h` is > 0 where not null.")
    assert describe_generic_test(
        node("accepted_range", column_name="s", min_value=0, max_value=1)
    ) == ("`s` is ≥ 0 and ≤ 1 where not null.")
    assert describe_generic_test(
        node("unique_combination", combination_of_columns=["venue", "symbol"])
    ) == ("One row per `venue`, `symbol`.")
    assert describe_generic_test(node("accepted_values", column_name="k", values=["a", "b"])) == (
        "`k` is one of `a`, `b`."
    )
    warn = node("relationships", column_name="venue", to="ref('dim_venues')", field="venue")
    warn["config"] = {"severity": "warn"}
    assert describe_generic_test(warn) == (
        "Every `venue` exists in dim_venues.`venue`; warns, does not fail the build."
    )
    assert describe_generic_test(node("custom_thing")) is None
    assert (
        dbt_descriptions.test_description({"description": "written", **node("not_null")})
        == "written"
    )
