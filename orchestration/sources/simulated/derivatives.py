"""Derivatives datasets: hourly premium index, open interest, long/short ratio, dated futures.

Conventions of the raw contract (orchestration/landing/raw_schemas.py): hourly rows are stamped at
the start of the hour; end-of-day snapshots (open interest, dated futures) at 00:00 UTC of the
next day, which dbt's ``snapshot_date`` maps back to the day; long/short rows at 00:00 UTC of
the day they describe, holding that day's closing value.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from orchestration.sources.simulated import calendar, regime
from orchestration.sources.simulated.context import DayContext
from orchestration.sources.simulated.instruments import dated_venues

MONTHLY_OI_SHARE = 0.4
"""A Deribit monthly holds less OI than a quarterly of the same tenor."""
TERM_DECAY_DAYS = 200.0
"""OI falls with tenor: exp(-days_to_expiry / 200) of the front contract's."""
TERM_SLOPE = 0.01
"""Extra annualised basis per year of tenor (an upward-sloping contango curve)."""


def _contracts(oi_base: float, price: float, size: float, inverse: bool) -> float:
    """Contracts from base units; whole contracts where the venue's contract is not 1 base."""
    raw = oi_base * price / size if inverse else oi_base / size
    return float(np.round(raw, 0 if inverse or size != 1.0 else 3))


def _oi_row(contracts: float, price: float, size: float, inverse: bool) -> tuple[float, float]:
    """(oi_base, oi_usd) consistent with a contract count."""
    if inverse:
        usd = contracts * size
        return usd / price, usd
    base = contracts * size
    return base, base * price


def premium_index_columns(ctx: DayContext) -> dict[str, object]:
    """24 hourly rows per perpetual: mark = index x (1 + premium of that hour)."""
    n = len(ctx.perps)
    index = np.stack(
        [ctx.index[p.base_asset][:24] * (1.0 + p.profile.price_offset) for p in ctx.perps]
    )
    start = np.datetime64(ctx.start.replace(tzinfo=None), "us")
    hours = start + np.arange(24).astype("timedelta64[h]")
    return {
        "venue": [p.venue for p in ctx.perps for _ in range(24)],
        "symbol": [p.symbol for p in ctx.perps for _ in range(24)],
        "base_asset": [p.base_asset for p in ctx.perps for _ in range(24)],
        "ts": np.tile(hours, n),
        "mark_price": (index * (1.0 + ctx.premium)).ravel(),
        "index_price": index.ravel(),
    }


def open_interest_columns(ctx: DayContext, dated: list[DatedContract]) -> dict[str, object]:
    """End-of-day OI per perpetual (kind 'perp') and per listed dated future (kind 'dated')."""
    t_end = np.array([ctx.t0 + 1.0])
    rows: list[tuple[str, str, str, str, float, float, float]] = []
    for i, perp in enumerate(ctx.perps):
        prof = regime.profile(perp.base_asset)
        mark = ctx.close(perp.base_asset) * (1.0 + perp.profile.price_offset)
        mark *= 1.0 + float(ctx.premium[i, -1])
        peak_base = perp.profile.perp_oi_peak_usd.get(perp.base_asset, 0.0) / prof.peak_price
        noise = float(np.exp(0.015 * ctx.rng(f"oi/{perp.label}").standard_normal()))
        oi_base = peak_base * perp.scale * float(regime.oi_factor(t_end, prof, ctx.config)[0])
        size = perp.profile.contract_size.get(perp.base_asset, 1.0)
        contracts = _contracts(oi_base * noise, mark, size, perp.inverse)
        base, usd = _oi_row(contracts, mark, size, perp.inverse)
        rows.append((perp.venue, perp.symbol, perp.base_asset, "perp", contracts, base, usd))
    rows.extend(contract.oi_row for contract in dated)
    names = ("venue", "symbol", "base_asset", "kind", "oi_contracts", "oi_base", "oi_usd")
    columns: dict[str, object] = {name: [r[k] for r in rows] for k, name in enumerate(names)}
    columns["ts"] = [ctx.end] * len(rows)
    return columns


def long_short_columns(ctx: DayContext) -> dict[str, object]:
    """Daily account long/short ratio on the venues that publish one (Binance, Bybit, OKX)."""
    t_end = np.array([ctx.t0 + 1.0])
    venue, symbol, asset, share, ratio = [], [], [], [], []
    for perp in ctx.perps:
        if not perp.profile.has_long_short:
            continue
        prof = regime.profile(perp.base_asset)
        level = float(regime.long_short_level(t_end, prof, ctx.config)[0])
        z = float(ctx.rng(f"long_short/{perp.label}").standard_normal())
        r = level * perp.profile.ls_offset * float(np.exp(0.04 * z))
        long_share = round(r / (1.0 + r), 4)
        venue.append(perp.venue)
        symbol.append(perp.symbol)
        asset.append(perp.base_asset)
        share.append(long_share)
        ratio.append(round(long_share / (1.0 - long_share), 4))
    return {
        "venue": venue,
        "symbol": symbol,
        "base_asset": asset,
        "ts": [ctx.start] * len(venue),
        "long_account_share": share,
        "long_short_ratio": ratio,
    }


@dataclass(frozen=True, slots=True)
class DatedContract:
    """One listed dated future at the day's close: its ``dated_futures`` row and its
    ``open_interest`` row (one computation, so price and OI agree)."""

    price_row: tuple[str, str, str, datetime, float, float]
    oi_row: tuple[str, str, str, str, float, float, float]


def dated_contracts(ctx: DayContext) -> list[DatedContract]:
    """Every dated future listed at the close, priced off the index with the regime's basis.

    ``future = index x (1 + basis_apr x days_to_expiry / 365)``, with a small upward term
    slope and per-contract noise. OI ramps up over the first month after listing, rolls off
    over the last ten days before expiry, and follows the cycle like perp OI.
    """
    out: list[DatedContract] = []
    t_end = np.array([ctx.t0 + 1.0])
    for venue, asset, vprof in dated_venues():
        if asset not in ctx.index:
            continue
        prof = regime.profile(asset)
        index = ctx.close(asset) * (1.0 + vprof.price_offset)
        basis = float(regime.basis_apr(t_end, prof, ctx.config)[0])
        cycle = float(regime.oi_factor(t_end, prof, ctx.config)[0])
        front_usd = vprof.dated_oi_usd.get(asset, 0.0)
        size = vprof.contract_size.get(asset, 1.0)
        inverse = vprof.dated_quote == "USD"
        settle = vprof.dated_settle or asset
        for contract in calendar.listed_contracts(venue, ctx.day):
            expires = calendar.expiry_ts(contract.expiry)
            dte = (expires - ctx.end) / timedelta(days=1)
            symbol = calendar.dated_symbol(asset, vprof.dated_quote, settle, contract.expiry)
            z_price, z_oi = ctx.rng(f"dated/{venue}/{symbol}").standard_normal(2)
            apr = basis + TERM_SLOPE * dte / 365.0 + 0.006 * z_price
            future = index * (1.0 + apr * dte / 365.0)
            age = (ctx.day - contract.listed).days
            weight = np.exp(-dte / TERM_DECAY_DAYS) * min(1.0, 0.1 + age / 30.0)
            weight *= min(1.0, dte / 10.0) ** 0.7
            if venue == "deribit" and not contract.is_quarterly:
                weight *= MONTHLY_OI_SHARE
            oi_base = front_usd / prof.peak_price * cycle * weight * float(np.exp(0.03 * z_oi))
            contracts = _contracts(oi_base, future, size, inverse)
            base, usd = _oi_row(contracts, future, size, inverse)
            out.append(
                DatedContract(
                    price_row=(venue, symbol, asset, expires, future, index),
                    oi_row=(venue, symbol, asset, "dated", contracts, base, usd),
                )
            )
    return out


def dated_futures_columns(dated: list[DatedContract], ctx: DayContext) -> dict[str, object]:
    rows = [c.price_row for c in dated]
    names = ("venue", "symbol", "base_asset", "expiry_ts", "future_price", "index_price")
    columns: dict[str, object] = {name: [r[k] for r in rows] for k, name in enumerate(names)}
    columns["ts"] = [ctx.end] * len(rows)
    return columns
