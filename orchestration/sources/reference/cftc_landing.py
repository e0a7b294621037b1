"""Land the CFTC TFF rows (one partition per report date) and backfill the whole history of
the crypto contracts in one call (yearly zips, the 2006-2016 bundle, the current week).

Split from :mod:`cftc` (parse and select): this module fetches and writes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyarrow as pa

from orchestration.landing import landing
from orchestration.landing.raw_schemas import CFTC_TFF
from orchestration.sources.reference.cftc import (
    CRYPTO_CONTRACTS,
    FIRST_YEARLY_FILE,
    HISTORY_BUNDLE_URL,
    HISTORY_URL,
    SOURCE,
    WEEKLY_URL,
    CftcContract,
    dedupe_keep_last,
    parse_tff,
    rows_for_report_date,
)
from orchestration.sources.reference.cftc_parse import read_zip_text
from orchestration.sources.reference.http import HttpFetcher, SourceHttpError


def land_cftc(
    table: pa.Table, *, data_root: Path | None = None, part: str = "0"
) -> list[landing.LandingResult]:
    """Land each report date of ``table`` into its own ``dt=<report_date>`` partition.

    A late burst (several report dates released at once) lands as several partitions; a report
    date landed again replaces its file with identical bytes.
    """
    results = []
    for report in sorted(set(table.column("report_date").to_pylist())):
        rows = rows_for_report_date(table, report)
        results.append(
            landing.land_partition(CFTC_TFF, report, rows, part=part, data_root=data_root)
        )
    return results


@dataclass(frozen=True, slots=True)
class BackfillReport:
    """What a CFTC backfill fetched and landed.

    Attributes:
        urls: files fetched, in order.
        missing: URLs that answered 404 (a year not published yet): skipped, not fatal.
        rows_by_code: landed rows per contract code.
        report_dates: distinct report dates landed.
        first_report_date / last_report_date: span landed (None when nothing was found).
        unit_mismatches: ``Contract_Units`` disagreements seen (configured sizes were used).
        paths: partition files written.
    """

    urls: tuple[str, ...]
    missing: tuple[str, ...]
    rows_by_code: dict[str, int]
    report_dates: int
    first_report_date: date | None
    last_report_date: date | None
    unit_mismatches: tuple[str, ...] = ()
    paths: tuple[Path, ...] = field(default=(), repr=False)

    @property
    def rows(self) -> int:
        return sum(self.rows_by_code.values())


def history_urls(years: Iterable[int], url_template: str = HISTORY_URL) -> list[str]:
    """Yearly zip URLs; years before 2017 map to the one 2006-2016 bundle."""
    urls: list[str] = []
    for year in sorted(set(years)):
        url = HISTORY_BUNDLE_URL if year < FIRST_YEARLY_FILE else url_template.format(year=year)
        if url not in urls:
            urls.append(url)
    return urls


def backfill_cftc(
    years: Iterable[int],
    fetch: Callable[[str], bytes] | None = None,
    *,
    contracts: Mapping[str, CftcContract] = CRYPTO_CONTRACTS,
    url_template: str = HISTORY_URL,
    weekly_url: str | None = WEEKLY_URL,
    data_root: Path | None = None,
    part: str = "0",
) -> BackfillReport:
    """Download each year's history zip (and the current weekly file) and land every report
    date of the selected contracts. Re-running it rewrites the same partitions byte for byte.

    ``fetch`` maps a URL to bytes (default: the live client with retries); a 404 (a year the
    CFTC has not published yet) is recorded in ``missing`` and skipped. The weekly file is read
    last so a report newer than the yearly zip still lands; ``weekly_url=None`` skips it.
    """
    get = fetch or HttpFetcher(SOURCE).get
    urls = history_urls(years, url_template)
    if weekly_url:
        urls.append(weekly_url)
    tables: list[pa.Table] = []
    missing: list[str] = []
    mismatches: set[str] = set()
    wanted = set(years)
    for url in urls:
        try:
            payload = get(url)
        except SourceHttpError as exc:
            if exc.status == 404:
                missing.append(url)
                continue
            raise
        is_zip = payload[:2] == b"PK"
        text = read_zip_text(payload) if is_zip else payload.decode("utf-8", "replace")
        parsed = parse_tff(text, contracts)
        mismatches.update(parsed.unit_mismatches)
        table = parsed.table
        if url == HISTORY_BUNDLE_URL:  # the bundle spans 2006-2016: keep the years asked for
            mask = [d.year in wanted for d in table.column("report_date").to_pylist()]
            table = table.filter(pa.array(mask, pa.bool_()))
        tables.append(table)
    combined = (
        dedupe_keep_last(pa.concat_tables(tables)) if tables else CFTC_TFF.schema.empty_table()
    )
    results = land_cftc(combined, data_root=data_root, part=part)
    dates = sorted(set(combined.column("report_date").to_pylist()))
    return BackfillReport(
        urls=tuple(urls),
        missing=tuple(missing),
        rows_by_code=dict(Counter(combined.column("cftc_contract_market_code").to_pylist())),
        report_dates=len(dates),
        first_report_date=dates[0] if dates else None,
        last_report_date=dates[-1] if dates else None,
        unit_mismatches=tuple(sorted(mismatches)),
        paths=tuple(r.path for r in results),
    )
