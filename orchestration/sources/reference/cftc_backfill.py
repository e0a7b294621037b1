"""One command for the full CFTC history of the crypto contracts:

    python -m orchestration.sources.reference.cftc_backfill --from 2017

Downloads every yearly zip and the current weekly file, lands one partition per report date
under ``$PERP_FRAGILITY_DATA_DIR/raw/cftc/cftc_tff/`` and prints what it did. Offline it prints
one line naming the source and URL and exits with code 2.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date

from orchestration.sources.reference.cftc import (
    FIRST_CRYPTO_YEAR,
    HISTORY_URL,
    WEEKLY_URL,
    contracts_with_extra,
)
from orchestration.sources.reference.cftc_landing import backfill_cftc
from orchestration.sources.reference.http import SourceUnavailableError


def main(argv: list[str] | None = None) -> int:
    """Backfill the CFTC TFF history of the crypto contracts; exit code 2 when offline."""
    parser = argparse.ArgumentParser(description="Backfill CFTC TFF crypto positions.")
    parser.add_argument("--from", dest="first", type=int, default=FIRST_CRYPTO_YEAR)
    parser.add_argument("--to", dest="last", type=int, default=date.today().year)
    parser.add_argument("--extra", action="append", default=[], help="CODE:BASE[:UNITS]")
    parser.add_argument("--no-weekly", action="store_true", help="skip FinFutWk.txt")
    parser.add_argument("--url-template", default=HISTORY_URL, help="yearly zip URL ({year})")
    parser.add_argument("--weekly-url", default=WEEKLY_URL)
    args = parser.parse_args(argv)
    try:
        report = backfill_cftc(
            range(args.first, args.last + 1),
            contracts=contracts_with_extra(args.extra),
            url_template=args.url_template,
            weekly_url=None if args.no_weekly else args.weekly_url,
        )
    except SourceUnavailableError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        f"landed {report.rows} rows over {report.report_dates} report dates "
        f"({report.first_report_date} .. {report.last_report_date}); by code {report.rows_by_code}"
    )
    for url in report.missing:
        print(f"not published (404): {url}")
    for note in report.unit_mismatches:
        print(f"contract units: {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
