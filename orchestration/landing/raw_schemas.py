"""The raw landing contract: one Arrow schema per raw dataset.

Every source (the simulated market, live ccxt venues, file imports) lands frames with exactly
these columns and types, so dbt's staging models read one shape whatever produced the rows.
Timestamps are UTC (``timestamp[us, tz=UTC]``); dates are calendar dates in UTC. Rates and
yields are decimal fractions (0.0001 = 0.01 %), never percent.

The ``source`` column names the producer of each row: ``simulated`` for the offline generator,
``ccxt:<exchange id>`` for live venues, ``import:<format>`` for bulk imports, ``cftc``,
``farside`` or ``fred`` for the reference sources. A report built from ``simulated`` rows says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

UTC_TS = pa.timestamp("us", tz="UTC")


@dataclass(frozen=True, slots=True)
class RawDataset:
    """A raw table: its name (== dbt source table and asset key ``raw/<name>``), its landing
    folder, its schema, the columns that identify a row, and the columns that must be present
    for a row to be usable (rows missing them are quarantined, not dropped)."""

    name: str
    domain: str
    schema: pa.Schema
    key: tuple[str, ...]
    required: tuple[str, ...]
    description: str


def _schema(*fields: tuple[str, pa.DataType]) -> pa.Schema:
    return pa.schema([pa.field(name, dtype) for name, dtype in fields])


FUNDING_RATES = RawDataset(
    name="funding_rates",
    domain="exchange",
    schema=_schema(
        ("source", pa.string()),
        ("venue", pa.string()),  # binance, bybit, okx, deribit, hyperliquid
        ("symbol", pa.string()),  # ccxt unified symbol, e.g. ETH/USDT:USDT
        ("base_asset", pa.string()),  # ETH, BTC
        ("funding_ts", UTC_TS),  # settlement time
        ("rate", pa.float64()),  # rate paid for this settlement, per interval
        ("interval_hours", pa.float64()),  # venue metadata; null -> inferred downstream
    ),
    key=("venue", "symbol", "funding_ts"),
    required=("venue", "symbol", "base_asset", "funding_ts", "rate"),
    description="One row per funding settlement per venue and perpetual symbol.",
)

PREMIUM_INDEX = RawDataset(
    name="premium_index",
    domain="exchange",
    schema=_schema(
        ("source", pa.string()),
        ("venue", pa.string()),
        ("symbol", pa.string()),
        ("base_asset", pa.string()),
        ("ts", UTC_TS),  # start of the hour
        ("mark_price", pa.float64()),  # close of the hour's mark-price candle
        ("index_price", pa.float64()),  # close of the hour's index-price candle
        # the venue's published premium index at the hour's close (Binance
        # premiumIndexKlines), a decimal fraction; null when the producer has none
        ("premium", pa.float64()),
    ),
    key=("venue", "symbol", "ts"),
    # Each producer lands the values it has: the live source mark and index, the Binance
    # archive imports one of mark, index or premium per file kind (stg_premium_index joins
    # them per hour); a value a producer lacks is null, never a number.
    required=("venue", "symbol", "base_asset", "ts"),
    description=(
        "Hourly perpetual mark price, index price and/or the venue's premium index (the premium "
        "is (mark - index) / index in dbt when both prices are known, else the venue's)."
    ),
)

OHLCV_DAILY = RawDataset(
    name="ohlcv_daily",
    domain="exchange",
    schema=_schema(
        ("source", pa.string()),
        ("venue", pa.string()),
        ("symbol", pa.string()),
        ("base_asset", pa.string()),
        ("market_type", pa.string()),  # spot | perp
        ("ts", UTC_TS),  # 00:00 UTC of the candle's day
        ("open", pa.float64()),
        ("high", pa.float64()),
        ("low", pa.float64()),
        ("close", pa.float64()),
        ("volume_base", pa.float64()),  # traded amount in the base asset
    ),
    key=("venue", "symbol", "ts"),
    required=("venue", "symbol", "base_asset", "market_type", "ts", "close"),
    description="Daily spot and perpetual candles per venue and symbol.",
)

OPEN_INTEREST = RawDataset(
    name="open_interest",
    domain="exchange",
    schema=_schema(
        ("source", pa.string()),
        ("venue", pa.string()),
        ("symbol", pa.string()),
        ("base_asset", pa.string()),
        ("kind", pa.string()),  # perp | dated
        ("ts", UTC_TS),  # snapshot time (00:00 UTC of the next day = end of the UTC day)
        ("oi_contracts", pa.float64()),
        ("oi_base", pa.float64()),  # open interest in the base asset
        ("oi_usd", pa.float64()),  # open interest notional in USD at the snapshot
    ),
    key=("venue", "symbol", "ts"),
    required=("venue", "symbol", "base_asset", "kind", "ts"),
    description="End-of-day open interest snapshot per venue and contract.",
)

LONG_SHORT_RATIO = RawDataset(
    name="long_short_ratio",
    domain="exchange",
    schema=_schema(
        ("source", pa.string()),
        ("venue", pa.string()),
        ("symbol", pa.string()),
        ("base_asset", pa.string()),
        ("ts", UTC_TS),
        ("long_account_share", pa.float64()),  # share of accounts net long, 0..1
        ("long_short_ratio", pa.float64()),  # long accounts / short accounts
    ),
    key=("venue", "symbol", "ts"),
    required=("venue", "symbol", "base_asset", "ts", "long_short_ratio"),
    description="Long/short account ratio where the venue publishes it (daily, 00:00 UTC).",
)

DATED_FUTURES = RawDataset(
    name="dated_futures",
    domain="exchange",
    schema=_schema(
        ("source", pa.string()),
        ("venue", pa.string()),
        ("symbol", pa.string()),  # ccxt unified, e.g. BTC/USD:BTC-261225
        ("base_asset", pa.string()),
        ("ts", UTC_TS),  # observation time (00:00 UTC of the next day = daily close)
        ("expiry_ts", UTC_TS),  # contract expiry (08:00 UTC on Deribit/OKX/Binance)
        ("future_price", pa.float64()),  # futures mark/close
        ("index_price", pa.float64()),  # spot index at the same time
    ),
    key=("venue", "symbol", "ts"),
    required=("venue", "symbol", "base_asset", "ts", "expiry_ts", "future_price", "index_price"),
    description="Daily close of each listed dated future with its expiry and the spot index.",
)

CFTC_TFF = RawDataset(
    name="cftc_tff",
    domain="cftc",
    schema=_schema(
        ("source", pa.string()),
        ("report_date", pa.date32()),  # positions as of (a Tuesday)
        ("release_date", pa.date32()),  # publication (usually the Friday after)
        ("cftc_contract_market_code", pa.string()),  # 146021 ether, 133741 bitcoin, ...
        ("market_name", pa.string()),
        ("base_asset", pa.string()),
        ("contract_units", pa.float64()),  # base asset per contract: 50 ETH, 5 BTC, 0.1 micro
        ("open_interest_all", pa.float64()),  # contracts
        ("lev_money_long", pa.float64()),
        ("lev_money_short", pa.float64()),
        ("asset_mgr_long", pa.float64()),
        ("asset_mgr_short", pa.float64()),
        ("dealer_long", pa.float64()),
        ("dealer_short", pa.float64()),
    ),
    key=("cftc_contract_market_code", "report_date"),
    required=("report_date", "cftc_contract_market_code", "base_asset", "open_interest_all"),
    description="CFTC Traders in Financial Futures (futures only), one row per market and report.",
)

ETF_FLOWS = RawDataset(
    name="etf_flows",
    domain="etf",
    schema=_schema(
        ("source", pa.string()),
        ("date", pa.date32()),  # US trading day
        ("base_asset", pa.string()),
        ("ticker", pa.string()),
        ("flow_usd_m", pa.float64()),  # net creation/redemption, US$ m; null = not reported
        ("is_reported", pa.bool_()),
    ),
    key=("date", "ticker"),
    required=("date", "base_asset", "ticker", "is_reported"),
    description="US spot ETF daily net flow per ticker; 'not yet reported' is null, not zero.",
)

RATES = RawDataset(
    name="rates",
    domain="rates",
    schema=_schema(
        ("source", pa.string()),
        ("date", pa.date32()),
        # usd_tbill_3m (FRED DTB3) | <asset>_staking_apr (eth_staking_apr, ...): the carry
        # models read both by date (int_carry_daily); a staking history lands here, not in a
        # dataset of its own.
        ("series", pa.string()),
        ("value", pa.float64()),  # decimal fraction per year (0.043 = 4.3 %)
        ("is_filled", pa.bool_()),  # forward-filled over a weekend/holiday or a default
    ),
    key=("date", "series"),
    required=("date", "series", "value"),
    description=(
        "Daily reference rates: USD 3-month T-bill (hurdle, series usd_tbill_3m) and staking "
        "yields (series <asset>_staking_apr)."
    ),
)

LIQUIDATIONS = RawDataset(
    name="liquidations",
    domain="liquidations",
    schema=_schema(
        ("source", pa.string()),  # ccxt.pro:<exchange id> | ccxt:deribit | import:... | simulated
        ("venue", pa.string()),
        ("symbol", pa.string()),  # ccxt unified perpetual symbol
        ("base_asset", pa.string()),
        ("liquidated_at", UTC_TS),  # the venue's trade/update time of the forced order
        ("side", pa.string()),  # long = a long position was liquidated (a forced sell) | short
        ("price", pa.float64()),  # fill/average (Binance), bankruptcy (OKX bkPx), Bybit price
        ("amount_base", pa.float64()),  # base asset; OKX contracts x ctVal (0.01 BTC, 0.1 ETH)
        ("notional_usd", pa.float64()),  # amount_base x price (USD-margined: USDT ~ USD)
        ("capture", pa.string()),  # stream | rest | import | simulated
    ),
    key=("venue", "symbol", "liquidated_at", "side", "price", "amount_base"),
    required=("venue", "symbol", "base_asset", "liquidated_at", "side", "price", "amount_base",
              "capture"),
    description=(
        "One row per forced (liquidation) order as the venue published it. Side `long` = a long "
        "position was liquidated: Binance/OKX publish `sell` for it, Bybit `buy`. Binance "
        "pushes at most one liquidation per symbol per second: its totals are a lower bound."
    ),
)

LIQUIDATION_COVERAGE = RawDataset(
    name="liquidation_coverage",
    domain="liquidations",
    schema=_schema(
        ("source", pa.string()),
        ("venue", pa.string()),
        ("hour_ts", UTC_TS),  # start of the UTC hour
        ("capture", pa.string()),  # stream | rest | simulated
        ("seconds_connected", pa.float64()),  # subscribed and receiving, 0..3600
        ("messages", pa.int64()),  # frames received (incl. malformed)
        ("events", pa.int64()),  # liquidations kept
        ("rejected", pa.int64()),  # malformed / partial events quarantined
        ("reconnects", pa.int64()),
    ),
    key=("venue", "hour_ts"),
    required=("venue", "hour_ts", "capture", "seconds_connected"),
    description=(
        "One row per venue and UTC hour in which a liquidation collector ran: how long it was "
        "connected, what it received. An absent hour means nobody listened (unknown, not zero)."
    ),
)

ALL_DATASETS: tuple[RawDataset, ...] = (
    FUNDING_RATES,
    PREMIUM_INDEX,
    OHLCV_DAILY,
    OPEN_INTEREST,
    LONG_SHORT_RATIO,
    DATED_FUTURES,
    CFTC_TFF,
    ETF_FLOWS,
    RATES,
    LIQUIDATIONS,
    LIQUIDATION_COVERAGE,
)
DATASETS_BY_NAME: dict[str, RawDataset] = {d.name: d for d in ALL_DATASETS}
EXCHANGE_DATASETS: tuple[RawDataset, ...] = tuple(d for d in ALL_DATASETS if d.domain == "exchange")
