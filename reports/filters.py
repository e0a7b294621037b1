"""Number and date formatting for the report, registered as Jinja filters.

All formatting lives here so the template only says *what* to show and the PDF prints every
number the same way. A missing value (None or NaN) prints as an em dash (:data:`NA`): a gap
must never read as a zero. Negative numbers use the typographic minus sign (U+2212), which
DejaVu Sans carries and which keeps columns aligned.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

NA = "\u2014"
MINUS = "\u2212"


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _sign(value: float, signed: bool) -> str:
    if value < 0:
        return MINUS
    return "+" if signed and value > 0 else ""


def _round_zero(value: float, digits: int) -> float:
    """Round, and turn -0.0 into 0.0 so '−0.00' never appears."""
    rounded = round(value, digits)
    return 0.0 if rounded == 0 else rounded


def num(value: float | int | None, digits: int = 2, signed: bool = False) -> str:
    """A plain number with thousands separators: ``1,234.57``."""
    if _missing(value):
        return NA
    v = _round_zero(float(value), digits)  # type: ignore[arg-type]
    return f"{_sign(v, signed)}{abs(v):,.{digits}f}"


def pct(value: float | None, digits: int = 1, signed: bool = False) -> str:
    """A decimal fraction as a percentage at desk precision, one decimal by default:
    ``0.1234 -> '12.3 %'`` (a definition such as the 10.95 % baseline asks for two)."""
    if _missing(value):
        return NA
    return f"{num(100.0 * float(value), digits, signed)} %"  # type: ignore[arg-type]


def signed_pct(value: float | None, digits: int = 1) -> str:
    """A change in percent, always signed: ``+1.20 %``."""
    return pct(value, digits, signed=True)


def pp(value: float | None, digits: int = 1) -> str:
    """A difference of two percentages, in percentage points: ``+1.20 pp``."""
    if _missing(value):
        return NA
    return f"{num(100.0 * float(value), digits, signed=True)} pp"  # type: ignore[arg-type]


def bp(value: float | None, digits: int = 1, signed: bool = False) -> str:
    """A decimal fraction in basis points: ``0.00012 -> '1.2 bp'``."""
    if _missing(value):
        return NA
    return f"{num(10_000.0 * float(value), digits, signed)} bp"  # type: ignore[arg-type]


_USD_SCALES = ((1e12, "tn"), (1e9, "bn"), (1e6, "m"), (1e3, "k"))


def usd(value: float | None, signed: bool = False) -> str:
    """US dollars, compact: ``$1.23 bn``, ``$456.7 m``, ``$12.3 k``, ``$950``.

    Billions and trillions keep two decimals (OI totals differ in the second digit), millions
    and thousands one.
    """
    if _missing(value):
        return NA
    v = float(value)  # type: ignore[arg-type]
    size = abs(v)
    for scale, suffix in _USD_SCALES:
        digits = 2 if scale >= 1e9 else 1
        scaled = round(size / scale, digits)
        if scaled >= 1:  # rounding decides the unit: $999.96 m prints as $1.00 bn
            return f"{_sign(v, signed)}${scaled:,.{digits}f} {suffix}"
    size = round(size)
    return f"{_sign(v if size else 0.0, signed)}${size:,.0f}"


def price(value: float | None) -> str:
    """A unit price in full: ``$1,812.40``, ``$83,412``, (cents only under $10,000)."""
    if _missing(value):
        return NA
    v = float(value)  # type: ignore[arg-type]
    digits = 2 if abs(v) < 10_000 else 0
    return f"{_sign(v, False)}${abs(v):,.{digits}f}"


def usd_m(value: float | None, signed: bool = True) -> str:
    """A value in US$ millions (ETF flows), compact and signed by default: ``+$120.4 m``."""
    if _missing(value):
        return NA
    return usd(float(value) * 1e6, signed=signed)  # type: ignore[arg-type]


def signed(value: float | None, digits: int = 1) -> str:
    """A signed change: ``+5.1``, ``−2.0``, ``0.0``."""
    return num(value, digits, signed=True)


def index(value: float | None) -> str:
    """A fragility index value (0-100, one decimal): ``62.4``."""
    return num(value, 1)


def ratio(value: float | None, digits: int = 2) -> str:
    """A plain ratio: ``1.85``."""
    return num(value, digits)


def times(value: float | None, digits: int = 1) -> str:
    """A multiple: ``3.2×``."""
    if _missing(value):
        return NA
    return f"{num(value, digits)}\u00d7"


def integer(value: int | float | None) -> str:
    """A count: ``1,234``."""
    return num(value, 0)


def fmt_date(value: date | datetime | None, style: str = "iso") -> str:
    """A date: ``iso`` -> ``2025-04-06``; ``short`` -> ``6 Apr``; ``long`` -> ``6 Apr 2025``."""
    if value is None:
        return NA
    if style == "iso":
        return value.strftime("%Y-%m-%d")
    if style == "short":
        return f"{value.day} {value.strftime('%b')}"
    if style == "long":
        return f"{value.day} {value.strftime('%b %Y')}"
    raise ValueError(f"unknown date style {style!r}")


def yes_no(value: bool | None, yes: str = "yes", no: str = "no") -> str:
    """A boolean in words; None -> em dash."""
    if value is None:
        return NA
    return yes if value else no


#: Components whose raw value is a shortfall of the carry below the hurdle: printed as the
#: (negative) carry itself, so the carry has one sign on every page.
CARRY_SHORTFALL_COMPONENTS = frozenset({"carry_below_hurdle"})


def component_value(value: float | None, unit: str, name: str = "") -> str:
    """A fragility component's raw value in its own unit (see ``ComponentSpec.unit``)."""
    if name in CARRY_SHORTFALL_COMPONENTS and not _missing(value):
        return pct(-float(value), signed=True)  # type: ignore[arg-type]
    if unit == "pp":
        return pp(value)
    if unit == "apr":
        return pct(value, signed=True)
    if unit == "share":
        return pct(value, 1)
    if unit == "ratio":
        return ratio(value)
    raise ValueError(f"unknown component unit {unit!r}")


def days(value: int | float | None) -> str:
    """A number of days: ``30 d``."""
    if _missing(value):
        return NA
    return f"{num(value, 0)} d"


def hours(value: int | float | None) -> str:
    """A number of hours: ``12 h``."""
    if _missing(value):
        return NA
    return f"{num(value, 0)} h"


#: Warehouse identifiers that reach the page inside free text (``fct_arbitrage_share.
#: components``), in words.
IDENTIFIER_WORDS = {
    "cme_lev_money_short": "CME leveraged-fund shorts",
    "synthetic_dollar_hedge": "synthetic-dollar hedges",
}


def words(value: str | None) -> str:
    """Free text from the warehouse with its identifiers in words; no snake_case reaches
    the PDF."""
    if value is None or value == "" or _missing(value):
        return NA
    text = str(value)
    for ident, word in IDENTIFIER_WORDS.items():
        text = text.replace(ident, word)
    return text.replace("_", " ")


def na(value: Any) -> Any:
    """Any value, with None/empty string as an em dash (for free text)."""
    if value is None or value == "" or _missing(value):
        return NA
    return value


FILTERS: dict[str, Callable[..., Any]] = {
    "num": num,
    "pct": pct,
    "signed_pct": signed_pct,
    "pp": pp,
    "bp": bp,
    "usd": usd,
    "usd_m": usd_m,
    "price": price,
    "signed": signed,
    "index": index,
    "ratio": ratio,
    "integer": integer,
    "times": times,
    "date": fmt_date,
    "yes_no": yes_no,
    "component_value": component_value,
    "days": days,
    "hours": hours,
    "na": na,
    "words": words,
}
