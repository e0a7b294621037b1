"""Which venues publish liquidations, and how (kept import-light for the CLI's --help)."""

EXCHANGE_IDS: dict[str, str] = {"binance": "binanceusdm", "bybit": "bybit", "okx": "okx"}
"""Venues with a public liquidation WebSocket stream and their ccxt.pro class."""
MARKET_TYPES: dict[str, list[str]] = {"binance": ["linear"], "bybit": ["linear"], "okx": ["swap"]}
"""Market types loaded over REST before subscribing (perpetuals only)."""
REST_VENUES: dict[str, str] = {"deribit": "deribit"}
"""Venues with a REST liquidation history (ccxt ``fetchLiquidations``), landed daily."""
SAMPLED_VENUES: frozenset[str] = frozenset({"binance"})
"""Venues whose stream pushes at most one liquidation per symbol per second (a lower bound)."""
