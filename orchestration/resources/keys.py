"""The resource keys, one place: the assets and sensors require them, ``defs/resources.py``
binds them. Kept out of both so neither layer imports the other for a string."""

from __future__ import annotations

# raw domain -> resource key of the source that serves it
DOMAIN_SOURCES: dict[str, str] = {
    "exchange": "market_source",
    "cftc": "cftc_source",
    "etf": "etf_source",
    "rates": "rates_source",
}
DISTRIBUTION = "distribution"
DBT = "dbt"
