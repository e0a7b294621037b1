"""Reference datasets: CFTC positioning, US spot ETF flows, the hurdle rate and staking yield.

These follow the venue cycle of regime.py, seen from traditional markets: CME leveraged funds
(the basis-trade proxy) add shorts through the build-up and cover in the unwind, asset
managers stay long, ETF inflows grow with the crowd and turn into outflows in the unwind.
Their calendars are real ones: CFTC releases on Fridays (positions as of Tuesday), ETF flows
on NYSE trading days, the T-bill on bond-market days (forward-filled otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from orchestration.sources.simulated import calendar, regime
from orchestration.sources.simulated.config import SimulationConfig
from orchestration.sources.simulated.streams import stream

TWO_PI = 2.0 * np.pi
CFTC_OTHER_SHARE = 1.3
"""Open interest / largest side of the three named categories (other reportables,
non-reportables and spreading make up the rest; about 1.3 in the 2024-2026 reports)."""


# --- CFTC -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CftcMarket:
    """A CME crypto futures market as the CFTC names it, with typical positions (contracts)
    in a middling regime, from the 2024-2026 Traders in Financial Futures reports."""

    code: str
    name: str
    base_asset: str
    units: float
    launched: date
    lev_long: float
    lev_short: float
    am_long: float
    am_short: float
    dealer_long: float
    dealer_short: float


CFTC_MARKETS: tuple[CftcMarket, ...] = (
    CftcMarket("133741", "BITCOIN - CHICAGO MERCANTILE EXCHANGE", "BTC", 5.0,
               date(2017, 12, 17), 3200, 17000, 9000, 700, 5000, 3200),
    CftcMarket("133742", "MICRO BITCOIN - CHICAGO MERCANTILE EXCHANGE", "BTC", 0.1,
               date(2021, 5, 3), 8000, 17000, 1300, 700, 4000, 2500),
    CftcMarket("146021", "ETHER CASH SETTLED - CHICAGO MERCANTILE EXCHANGE", "ETH", 50.0,
               date(2021, 2, 8), 2800, 11000, 2500, 1200, 14000, 8000),
    # the double space is in the CFTC's own market name
    CftcMarket("146022", "MICRO ETHER  - CHICAGO MERCANTILE EXCHANGE", "ETH", 0.1,
               date(2021, 12, 6), 55000, 85000, 900, 5500, 4000, 1500),
)  # fmt: skip


def cftc_columns(day: date, seed: int, config: SimulationConfig) -> dict[str, object]:
    """One row per CME market on a report Tuesday (released the Friday after)."""
    release = calendar.cftc_release_date(day)
    report = day if release is not None else None
    markets = [m for m in CFTC_MARKETS if report is not None and m.launched <= report]
    rows: list[tuple] = []
    if report is not None:
        t = np.array([regime.days_since_anchor(report, config) + 1.0])
        s = regime.cycle_day(t, config)
        lev = float(regime.leverage(s, config)[0])
        st = float(regime.stress(s)[0])
        amp = float(regime.amplitude(t)[0])
        for m in markets:
            z = stream(seed, report, f"cftc/{m.code}").standard_normal(6)
            noise = np.exp(0.05 * z)
            longs = np.array([m.lev_long * (0.9 + 0.2 * lev), m.am_long * (0.85 + 0.3 * lev),
                              m.dealer_long * (0.8 + 0.4 * lev)]) * noise[:3]  # fmt: skip
            shorts = np.array([m.lev_short * (0.55 + 0.9 * lev * amp) * (1.0 - 0.3 * st),
                               m.am_short, m.dealer_short]) * noise[3:]  # fmt: skip
            longs, shorts = np.round(longs), np.round(shorts)
            oi = float(np.round(max(longs.sum(), shorts.sum()) * CFTC_OTHER_SHARE))
            rows.append((m.code, m.name, m.base_asset, m.units, oi, longs[0], shorts[0],
                         longs[1], shorts[1], longs[2], shorts[2]))  # fmt: skip
    names = ("cftc_contract_market_code", "market_name", "base_asset", "contract_units",
             "open_interest_all", "lev_money_long", "lev_money_short", "asset_mgr_long",
             "asset_mgr_short", "dealer_long", "dealer_short")  # fmt: skip
    columns: dict[str, object] = {name: [r[k] for r in rows] for k, name in enumerate(names)}
    columns["report_date"] = [report] * len(rows)
    columns["release_date"] = [release] * len(rows)
    return columns


# --- ETF flows --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EtfTicker:
    """A US spot ETF: its share of the asset's net flow, or, for the legacy Grayscale trusts,
    a steady outflow bias (US$ m a day) instead of a share."""

    ticker: str
    share: float
    launched: date
    legacy_outflow: float = 0.0


ETF_TICKERS: dict[str, tuple[EtfTicker, ...]] = {
    "BTC": (
        EtfTicker("IBIT", 0.50, date(2024, 1, 11)),
        EtfTicker("FBTC", 0.20, date(2024, 1, 11)),
        EtfTicker("BITB", 0.06, date(2024, 1, 11)),
        EtfTicker("ARKB", 0.07, date(2024, 1, 11)),
        EtfTicker("BTCO", 0.01, date(2024, 1, 11)),
        EtfTicker("EZBC", 0.015, date(2024, 1, 11)),
        EtfTicker("BRRR", 0.01, date(2024, 1, 11)),
        EtfTicker("HODL", 0.025, date(2024, 1, 11)),
        EtfTicker("BTCW", 0.005, date(2024, 1, 11)),
        EtfTicker("GBTC", 0.0, date(2024, 1, 11), legacy_outflow=40.0),
        EtfTicker("BTC", 0.03, date(2024, 7, 31)),
    ),
    "ETH": (
        EtfTicker("ETHA", 0.58, date(2024, 7, 23)),
        EtfTicker("FETH", 0.20, date(2024, 7, 23)),
        EtfTicker("ETHW", 0.06, date(2024, 7, 23)),
        EtfTicker("ETHV", 0.03, date(2024, 7, 23)),
        EtfTicker("EZET", 0.015, date(2024, 7, 23)),
        EtfTicker("QETH", 0.01, date(2024, 7, 23)),
        EtfTicker("ETHE", 0.0, date(2024, 7, 23), legacy_outflow=12.0),
        EtfTicker("ETH", 0.08, date(2024, 7, 23)),
        EtfTicker("TETH", 0.01, date(2024, 7, 23)),
    ),
}
ETF_FLOW_SCALE: dict[str, tuple[float, float, float]] = {
    "BTC": (380.0, 950.0, 260.0),  # (peak inflow, peak outflow, daily noise sd), US$ m a day
    "ETH": (140.0, 420.0, 90.0),
}


def etf_columns(day: date, seed: int, config: SimulationConfig) -> dict[str, object]:
    """Per-ticker net flow on NYSE trading days (none at weekends and on holidays).

    The asset's day total is inflow x crowding - outflow x stress + noise; each fund takes its
    share plus its own noise, small funds often print 0.0, and a small share of cells is not
    (yet) reported: null flow with ``is_reported`` False, never a fake zero.
    """
    rows: list[tuple[str, str, float | None, bool]] = []
    if calendar.is_us_trading_day(day):
        t = np.array([regime.days_since_anchor(day, config) + 0.5])
        inflow, outflow = (float(x[0]) for x in regime.flow_level(t, config))
        for asset, tickers in ETF_TICKERS.items():
            live = [tk for tk in tickers if tk.launched <= day]
            if not live:
                continue
            peak_in, peak_out, sd = ETF_FLOW_SCALE[asset]
            rng = stream(seed, day, f"etf/{asset}")
            total = peak_in * inflow - peak_out * outflow + sd * rng.standard_normal()
            z = rng.standard_normal(len(tickers))
            silent = rng.random(len(tickers))
            unreported = rng.random(len(tickers)) < config.etf_unreported_share
            for k, tk in enumerate(tickers):
                if tk.launched > day:
                    continue
                if tk.legacy_outflow:
                    flow = -tk.legacy_outflow * (1.0 + 3.0 * outflow) * (1.0 + 0.8 * z[k])
                    quiet = silent[k] < 0.3
                else:
                    flow = tk.share * total + 0.5 * np.sqrt(tk.share) * sd * z[k]
                    quiet = silent[k] < min(0.8, 0.9 - 3.0 * tk.share)
                value = None if unreported[k] else (0.0 if quiet else round(float(flow), 1))
                rows.append((asset, tk.ticker, value, not unreported[k]))
    return {
        "date": [day] * len(rows),
        "base_asset": [r[0] for r in rows],
        "ticker": [r[1] for r in rows],
        "flow_usd_m": [r[2] for r in rows],
        "is_reported": [r[3] for r in rows],
    }


# --- rates ------------------------------------------------------------------------------------


def tbill_3m(day: date, seed: int, config: SimulationConfig) -> float:
    """3-month T-bill on a bond-market day: a slow rate cycle within 4.0-4.5 % plus noise,
    quoted to the basis point like FRED's DTB3."""
    t = regime.days_since_anchor(day, config)
    level = 0.0425 + 0.0015 * np.sin(TWO_PI * t / 900.0 + 0.3) + 0.0004 * np.sin(TWO_PI * t / 97.0)
    level += 0.00008 * stream(seed, day, "rates/usd_tbill_3m").standard_normal()
    return round(float(np.clip(level, 0.040, 0.045)), 4)


def staking_apr(day: date, seed: int, config: SimulationConfig) -> float:
    """ETH staking yield: about 3 % (2.8-3.2 %), drifting slowly."""
    t = regime.days_since_anchor(day, config)
    level = 0.030 + 0.0012 * np.sin(TWO_PI * t / 365.0 + 1.0)
    level += 0.0002 * stream(seed, day, "rates/eth_staking_apr").standard_normal()
    return round(float(np.clip(level, 0.028, 0.032)), 5)


def rates_columns(day: date, seed: int, config: SimulationConfig) -> dict[str, object]:
    """Both series every day; the T-bill carries the last bond-market day's value (is_filled)
    over weekends and holidays, recomputed from that day rather than remembered."""
    bond_day = calendar.last_bond_day(day)
    return {
        "date": [day, day],
        "series": ["usd_tbill_3m", "eth_staking_apr"],
        "value": [tbill_3m(bond_day, seed, config), staking_apr(day, seed, config)],
        "is_filled": [bond_day != day, False],
    }
