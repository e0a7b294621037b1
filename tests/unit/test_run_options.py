"""``perp-fragility run`` live options: same names as the environment, validated in one line,
and the pre-flight plans only the URLs the run will call."""

from __future__ import annotations

import os

import pytest

from orchestration.cli import build_parser
from orchestration.commands import run as run_command
from orchestration.resources.reachability import planned_urls, unreachable

ENV = ("PERP_FRAGILITY_VENUES", "PERP_FRAGILITY_SYMBOLS", "PERP_FRAGILITY_DATASETS",
       "PERP_FRAGILITY_API_URLS", "PERP_FRAGILITY_SOURCE")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ENV:  # set, then delete: monkeypatch restores the original on teardown
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)


def _args(*extra: str):
    return build_parser().parse_args(["run", "--start", "2026-11-01", "--end", "2026-11-02",
                                      *extra])


def test_options_are_written_to_the_universe_variables() -> None:
    run_command.apply_options(_args(
        "--venues", "binance,okx", "--symbols", "BTC/USDT:USDT", "--datasets", "funding_rates",
        "--api-url", "binance=http://mirror.local/b", "--api-url", "okx=https://proxy/okx/"))
    assert os.environ["PERP_FRAGILITY_VENUES"] == "binance,okx"
    assert os.environ["PERP_FRAGILITY_SYMBOLS"] == "BTC/USDT:USDT"
    assert os.environ["PERP_FRAGILITY_DATASETS"] == "funding_rates"
    assert os.environ["PERP_FRAGILITY_API_URLS"] == (
        "binance=http://mirror.local/b,okx=https://proxy/okx")


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--venues", "binance,ftx", "unknown venue(s) ftx"),
    ("--datasets", "funding", "unknown dataset(s) funding"),
    ("--symbols", "BTCUSDT", "unknown symbol(s) BTCUSDT"),
    ("--api-url", "binance", "expects VENUE=URL"),
])
def test_a_bad_value_is_one_line_naming_the_option(option, value, message) -> None:
    with pytest.raises(SystemExit) as raised:
        run_command.apply_options(_args(option, value))
    text = str(raised.value)
    assert text.startswith("perp-fragility run: ") and message in text and "\n" not in text


def test_refetch_incomplete_is_resource_run_config_on_the_live_source(monkeypatch) -> None:
    assert run_command.run_config(_args("--refetch-incomplete")) == {}  # simulated: nothing
    monkeypatch.setenv("PERP_FRAGILITY_SOURCE", "live")
    assert run_command.run_config(_args("--refetch-incomplete")) == {
        "resources": {"market_source": {"config": {"refetch_incomplete": True}}}}


def test_preflight_plans_only_the_urls_this_run_calls() -> None:
    urls = planned_urls(["binance", "okx"], ["funding_rates", "ohlcv_daily"],
                        {"okx": "http://127.0.0.1:9/okx"})
    assert urls == {"binance": "https://fapi.binance.com/fapi/v1",
                    "binance spot": urls["binance spot"], "okx": "http://127.0.0.1:9/okx"}
    assert "api.binance.com" in urls["binance spot"]
    assert planned_urls(["binance"], ["funding_rates"]) == {
        "binance": "https://fapi.binance.com/fapi/v1"}  # no spot client without candles
    assert set(planned_urls(["okx"], ["rates", "cftc_tff"])) == {"fred", "cftc"}


def test_preflight_probes_over_http_and_names_what_does_not_answer() -> None:
    from tests.support.venue_loopback import LoopbackServer

    with LoopbackServer(["okx"]) as server:
        down = unreachable({"okx": server.url("okx"), "dead": "http://127.0.0.1:9/x"},
                           timeout_s=2)
    assert set(down) == {"dead"} and "http://127.0.0.1:9/x" in down["dead"]
