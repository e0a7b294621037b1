"""Simulated liquidations and the collector's coverage, following the market's own story.

Forced orders are drawn per perpetual and UTC hour as a Poisson count whose mean is a share of
the perpetual's open interest divided by a mean order size; the share and the size rise with
the regime's stress and the unwind's liquidation spike (``regime.stress``,
``regime.liquidation_spike``), so liquidations are few in the build-up and cluster in the
first unwind days. The long side (a long position liquidated, a forced sell) dominates when the
market falls: its share is 0.42 in calm or rising markets and up to 0.87 at the unwind's onset.
Orders come in bursts (a few cluster centres per hour, exponential offsets of ~20 s), as
cascades do.

What the collector would have seen is then applied:

- Binance's ``forceOrder`` stream keeps only the latest liquidation per symbol per second, so
  the Binance rows are sampled that way and are a lower bound in a burst;
- each streamed venue has, on a few days, one collector outage (10 min .. 2 h): orders inside
  it are not recorded and the coverage rows show the missing seconds;
- Hyperliquid publishes no market-wide feed, and Deribit's REST records cannot be classified
  by side: no rows, no coverage for either (unknown downstream, as with live data).

Deterministic per (day, seed): every draw comes from ``ctx.rng('liquidations/...')``.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from orchestration.sources.simulated import regime
from orchestration.sources.simulated.context import DayContext
from orchestration.sources.simulated.instruments import Perp

STREAM_VENUES = ("binance", "bybit", "okx")
"""Venues with a public liquidation WebSocket stream (ccxt.pro watchLiquidations)."""
REST_VENUES: tuple[str, ...] = ()
"""Venues whose REST history gives countable rows. Deribit's ``fetchLiquidations`` records carry
no side or price (landing quarantines them), so, as live, the simulated market has none."""
SAMPLED_VENUES = ("binance",)
"""Venues whose stream keeps at most one liquidation per symbol per second."""

CALM_DAILY_SHARE = 0.0003
"""Liquidated notional per day as a share of OI in a calm market."""
LEVERAGE_DAILY_SHARE = 0.0004
"""Extra daily share at full crowding (small price moves liquidate thin margins)."""
STRESS_DAILY_SHARE = 0.006
"""Extra daily share at full unwind stress."""
SPIKE_DAILY_SHARE = 0.05
"""Extra daily share at the unwind's onset (the cascade itself)."""
MEAN_ORDER_USD = 12_000.0
"""Mean forced-order notional in calm markets (x4 at full stress)."""
OUTAGE_PROBABILITY = 0.06
"""Chance that a streamed venue's collector has one outage on a given day."""
BURST_SECONDS = 20.0


def _hour_curves(ctx: DayContext) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(leverage, stress, spike) at the middle of each hour of the day."""
    t = ctx.t0 + (np.arange(24) + 0.5) / 24.0
    s = regime.cycle_day(t, ctx.config)
    amp = regime.amplitude(t)
    return regime.leverage(s, ctx.config), regime.stress(s) * amp, regime.liquidation_spike(s) * amp


def long_share(stress: np.ndarray, spike: np.ndarray) -> np.ndarray:
    """Probability that a forced order liquidates a long: 0.42 calm, up to 0.87 in a cascade."""
    return 0.42 + 0.45 * np.clip(stress + spike, 0.0, 1.0)


def _oi_usd(ctx: DayContext, perp: Perp) -> float:
    prof = regime.profile(perp.base_asset)
    peak = perp.profile.perp_oi_peak_usd.get(perp.base_asset, 0.0) * perp.scale
    price_ratio = ctx.close(perp.base_asset) / prof.peak_price
    cycle = float(regime.oi_factor(np.array([ctx.t0 + 0.5]), prof, ctx.config)[0])
    return peak * price_ratio * cycle


def _outage(ctx: DayContext, venue: str) -> tuple[float, float] | None:
    """[start, end) seconds of the day of the venue's collector outage, or None."""
    rng = ctx.rng(f"liquidations/outage/{venue}")
    draw, start, length = rng.random(3)
    if draw >= OUTAGE_PROBABILITY:
        return None
    begin = start * 86_400.0
    return begin, min(86_400.0, begin + 600.0 + length * 6_600.0)


def _perp_events(ctx: DayContext, perp: Perp) -> dict[str, np.ndarray]:
    """Every forced order of one perpetual on the day (before any capture effects)."""
    lev, st, spike = _hour_curves(ctx)
    rng = ctx.rng(f"liquidations/{perp.label}")
    share = (
        CALM_DAILY_SHARE + LEVERAGE_DAILY_SHARE * lev + STRESS_DAILY_SHARE * st
        + SPIKE_DAILY_SHARE * spike
    ) / 24.0
    mean_size = MEAN_ORDER_USD * (1.0 + 3.0 * np.clip(st + spike, 0.0, 1.0))
    hourly_usd = share * _oi_usd(ctx, perp) * np.exp(0.35 * rng.standard_normal(24))
    counts = rng.poisson(hourly_usd / mean_size)
    seconds, sizes, longs = [], [], []
    p_long = long_share(st, spike)
    for hour, n in enumerate(counts):
        if n == 0:
            continue
        centres = rng.random(max(1, n // 15 + 1)) * 3600.0
        which = rng.integers(0, len(centres), n)
        offset = rng.exponential(BURST_SECONDS, n)
        seconds.append(hour * 3600.0 + np.clip(centres[which] + offset, 0.0, 3599.999))
        # lognormal sizes with mean = mean_size (sigma 1.1: a few large orders dominate)
        sizes.append(mean_size[hour] * np.exp(1.1 * rng.standard_normal(n) - 0.5 * 1.1**2))
        longs.append(rng.random(n) < p_long[hour])
    if not seconds:
        empty = np.array([], dtype=np.float64)
        return {"second": empty, "usd": empty, "is_long": np.array([], dtype=bool)}
    second = np.concatenate(seconds)
    order = np.argsort(second, kind="stable")
    return {
        "second": np.round(second[order], 3),
        "usd": np.concatenate(sizes)[order],
        "is_long": np.concatenate(longs)[order],
    }


def _sample_latest_per_second(second: np.ndarray) -> np.ndarray:
    """Indices kept by a once-per-second stream: the last order of each whole second."""
    bucket = np.floor(second).astype(np.int64)
    last = np.r_[bucket[1:] != bucket[:-1], True] if len(bucket) else np.array([], dtype=bool)
    return np.flatnonzero(last)


def liquidation_columns(ctx: DayContext) -> dict[str, object]:
    """The ``liquidations`` rows of the day on every venue with a feed."""
    out: dict[str, list] = {k: [] for k in (
        "venue", "symbol", "base_asset", "liquidated_at", "side", "price", "amount_base",
        "notional_usd", "capture")}
    outages = {v: _outage(ctx, v) for v in STREAM_VENUES}
    for perp in ctx.perps:
        if perp.venue not in STREAM_VENUES + REST_VENUES:
            continue
        ev = _perp_events(ctx, perp)
        keep = np.ones(len(ev["second"]), dtype=bool)
        window = outages.get(perp.venue)
        if window is not None:
            keep &= ~((ev["second"] >= window[0]) & (ev["second"] < window[1]))
        idx = np.flatnonzero(keep)
        if perp.venue in SAMPLED_VENUES:
            idx = idx[_sample_latest_per_second(ev["second"][idx])]
        index = ctx.index[perp.base_asset] * (1.0 + perp.profile.price_offset)
        hours = ev["second"][idx] / 3600.0
        mid = np.interp(hours, np.arange(25), index)
        is_long = ev["is_long"][idx]
        # a long is liquidated below the market, a short above it
        price = np.round(mid * np.where(is_long, 0.9985, 1.0015), 2)
        amount = np.maximum(np.round(ev["usd"][idx] / price, 3), 0.001)
        # two orders of one symbol with the same millisecond, side, price and size are one
        # order to the landing key: keep the first
        ms = np.round(ev["second"][idx] * 1000).astype(np.int64)
        _, first = np.unique(
            np.rec.fromarrays([ms, is_long, price, amount]), return_index=True
        )
        unique = np.sort(first)
        idx, is_long, price, amount = idx[unique], is_long[unique], price[unique], amount[unique]
        ms = ms[unique]
        out["venue"] += [perp.venue] * len(idx)
        out["symbol"] += [perp.symbol] * len(idx)
        out["base_asset"] += [perp.base_asset] * len(idx)
        start = np.datetime64(ctx.start.replace(tzinfo=None), "ms")
        out["liquidated_at"].append(start + ms.astype("timedelta64[ms]"))
        out["side"] += np.where(is_long, "long", "short").tolist()
        out["price"] += price.tolist()
        out["amount_base"] += amount.tolist()
        out["notional_usd"] += np.round(amount * price, 2).tolist()
        out["capture"] += ["simulated"] * len(idx)
    stamps = out.pop("liquidated_at")
    return {
        **out,
        "liquidated_at": np.concatenate(stamps) if stamps else np.array([], "datetime64[ms]"),
    }


def coverage_columns(ctx: DayContext, events: dict[str, object]) -> dict[str, object]:
    """One ``liquidation_coverage`` row per venue with a feed and hour of the day."""
    venues_ = [v for v in STREAM_VENUES + REST_VENUES if any(p.venue == v for p in ctx.perps)]
    start = np.datetime64(ctx.start.replace(tzinfo=None), "ms")
    stamps = np.asarray(events["liquidated_at"], dtype="datetime64[ms]")
    hour_of = ((stamps - start) // np.timedelta64(1, "h")).astype(np.int64)
    venue_of = np.array(events["venue"], dtype=object)
    out: dict[str, list] = {k: [] for k in (
        "venue", "hour_ts", "capture", "seconds_connected", "messages", "events", "rejected",
        "reconnects")}
    for venue in venues_:
        window = _outage(ctx, venue) if venue in STREAM_VENUES else None
        per_hour = np.bincount(hour_of[venue_of == venue], minlength=24)
        for hour in range(24):
            lo, hi = hour * 3600.0, (hour + 1) * 3600.0
            lost = 0.0 if window is None else max(0.0, min(hi, window[1]) - max(lo, window[0]))
            out["venue"].append(venue)
            out["hour_ts"].append(ctx.start + timedelta(hours=hour))
            out["capture"].append("simulated")
            out["seconds_connected"].append(3600.0 - lost)
            out["messages"].append(int(per_hour[hour]))
            out["events"].append(int(per_hour[hour]))
            out["rejected"].append(0)
            reconnected = window is not None and lo <= window[1] < hi and window[1] < 86_400.0
            out["reconnects"].append(1 if reconnected else 0)
    return out
