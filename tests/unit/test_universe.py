"""The configured universe: venues, symbols and datasets from CLI-equivalent env settings."""

import pytest

from orchestration.lib.universe import (
    UniverseError,
    configured_datasets,
    configured_symbols,
    configured_venues,
    split_list,
)


def test_split_list_trims_and_dedupes() -> None:
    assert split_list(" a, b,,a ,c") == ("a", "b", "c")
    assert split_list(None) == ()


def test_default_venues_are_the_seed_venues_in_order() -> None:
    assert configured_venues({}) == ("binance", "bybit", "okx", "deribit", "hyperliquid")


def test_subset_keeps_seed_order() -> None:
    assert configured_venues({"PERP_FRAGILITY_VENUES": "okx,binance"}) == ("binance", "okx")


def test_unknown_venue_is_a_user_error_naming_the_variable() -> None:
    with pytest.raises(UniverseError, match="PERP_FRAGILITY_VENUES.*foo"):
        configured_venues({"PERP_FRAGILITY_VENUES": "binance,foo"})


def test_symbols_default_to_perps_and_spots() -> None:
    assert configured_symbols("binance", {}) == (
        "ETH/USDT:USDT", "BTC/USDT:USDT", "ETH/USDT", "BTC/USDT",
    )
    assert configured_symbols("okx", {"PERP_FRAGILITY_SYMBOLS": "ETH/USDT"}) == ("ETH/USDT",)


def test_datasets_subset_and_unknown() -> None:
    known = ("funding_rates", "ohlcv_daily", "open_interest")
    env = {"PERP_FRAGILITY_DATASETS": "ohlcv_daily,funding_rates"}
    assert configured_datasets(known, env) == ("funding_rates", "ohlcv_daily")
    with pytest.raises(UniverseError, match="nope"):
        configured_datasets(known, {"PERP_FRAGILITY_DATASETS": "nope"})


def test_api_urls_parse_venue_equals_url() -> None:
    from orchestration.lib.universe import configured_api_urls

    env = {"PERP_FRAGILITY_API_URLS": "binance=https://mirror.example/binance/, okx=http://p:8080"}
    assert configured_api_urls(env) == {"binance": "https://mirror.example/binance",
                                        "okx": "http://p:8080"}
    assert configured_api_urls({}) == {}


@pytest.mark.parametrize("text", ["binance", "foo=https://x", "okx=ftp://x", "=https://x"])
def test_bad_api_urls_are_user_errors(text: str) -> None:
    from orchestration.lib.universe import configured_api_urls

    with pytest.raises(UniverseError, match="PERP_FRAGILITY_API_URLS / --api-url"):
        configured_api_urls({"PERP_FRAGILITY_API_URLS": text})


def test_a_symbol_no_venue_lists_is_a_user_error() -> None:
    from orchestration.lib.universe import check_symbols

    check_symbols({"PERP_FRAGILITY_SYMBOLS": "ETH/USDT:USDT,BTC/USDT"})
    with pytest.raises(UniverseError, match="ETHUSDT"):
        check_symbols({"PERP_FRAGILITY_SYMBOLS": "ETHUSDT"})
