"""Reference sources beside the exchanges: CFTC positioning, US spot ETF flows, the USD hurdle
rate and the ETH staking yield (and, optionally, USDe supply).

Plain parsing and landing logic, no Dagster: the live resources in
``orchestration/resources/reference_sources.py`` call into these modules, and so do the
one-command backfills. Each parser returns rows of the raw contract in
``orchestration/landing/raw_schemas.py`` and says what it checked. See docs/reference-sources.md.
"""

from orchestration.sources.reference.cftc import (
    CRYPTO_CONTRACTS,
    CftcContract,
    CftcParseResult,
    parse_tff,
    release_date_for,
)
from orchestration.sources.reference.cftc_landing import BackfillReport, backfill_cftc, land_cftc
from orchestration.sources.reference.etf_flows import (
    FlowParseResult,
    TotalMismatch,
    land_etf_flows,
    parse_farside_html,
    parse_wide_csv,
)
from orchestration.sources.reference.http import (
    HttpFetcher,
    SourceHttpError,
    SourceUnavailableError,
)
from orchestration.sources.reference.rates import (
    DEFAULT_STAKING_APR,
    DEFAULT_TBILL_RATE,
    daily_rates,
    load_etf_staking,
    parse_fred_csv,
    parse_lido_sma,
)

__all__ = [
    "CRYPTO_CONTRACTS",
    "DEFAULT_STAKING_APR",
    "DEFAULT_TBILL_RATE",
    "BackfillReport",
    "CftcContract",
    "CftcParseResult",
    "FlowParseResult",
    "HttpFetcher",
    "SourceHttpError",
    "SourceUnavailableError",
    "TotalMismatch",
    "backfill_cftc",
    "daily_rates",
    "land_cftc",
    "land_etf_flows",
    "load_etf_staking",
    "parse_farside_html",
    "parse_fred_csv",
    "parse_lido_sma",
    "parse_tff",
    "parse_wide_csv",
    "release_date_for",
]
