"""What the board pack costs: gathering and rendering its HTML, and printing it to PDF with headless Chromium, against
the baseline of the same run, Chromium printing a one-line page (its own start-up).

Run: python bench/board_pack.py --db demo.duckdb [--as-of 2026-11-26] [--runs 3]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 11, 26))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    from etl import db as database
    from etl.reports import board_pack
    from etl.reports.scope import Scope

    with database.read_connection(args.db) as con:
        claims = con.execute("select count(*) from claims").fetchall()[0][0]
    print(f"{args.db.name}: {claims:,} claim submissions")
    print(f"{'run':<5} {'build s':>8} {'HTML KB':>8} {'PDF s':>7} {'PDF KB':>7} {'Chromium floor s':>17}")
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        blank = folder / "blank.html"
        blank.write_text("<!doctype html><p>claimscope</p>")
        for run in range(args.runs):
            started = time.perf_counter()
            with database.read_connection(args.db) as con:
                pack = board_pack.build(con, args.as_of, Scope())
            built = time.perf_counter() - started
            page = folder / "pack.html"
            page.write_text(pack.html)
            started = time.perf_counter()
            pdf = board_pack.print_to_pdf(page, folder / "pack.pdf")
            printed = time.perf_counter() - started
            started = time.perf_counter()
            board_pack.print_to_pdf(blank, folder / "blank.pdf")
            floor = time.perf_counter() - started
            print(f"{run + 1:<5} {built:>8.2f} {page.stat().st_size / 1024:>8.0f} {printed:>7.2f} {pdf.stat().st_size / 1024:>7.0f} {floor:>17.2f}")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB (this process; Chromium runs as its own)")


if __name__ == "__main__":
    main()
