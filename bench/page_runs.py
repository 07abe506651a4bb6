"""Time each dashboard page as a user waits for it: the whole script run (queries, tables, charts, downloads) through
Streamlit's AppTest, in a fresh process per page that has imported the dashboard as the server does before its first
visitor: cold (the page's first run, every cache empty), warm (the same page again) and with a new filter (the as-of
date a day earlier), and after a load (a new session in the same process, every cached result and figure emptied), beside
a baseline from the same run: an empty page that draws only the demo banner. The page's
queries alone are bench/pages.py; the README puts the two side by side.

Run: python bench/page_runs.py --db demo.duckdb
A database of any size: `claimscope synth --claims 100000 --out bench/data/p100k` then `claimscope load`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["overview", "payer_scorecard", "work_queue", "late_payments", "denials", "timelines", "coder_accuracy", "claim",
         "data_loaded", "data_quality"]
# One page in its own process: the dashboard's modules imported first, as the server does before its first visitor,
# then the page's first run with every cache empty (what a new session waits for), the same again, and a new filter.
CHILD = """
import json, resource, sys, time
page, as_of = sys.argv[1], sys.argv[2]
started = time.perf_counter()
from dashboard.serve import warm_up  # what `python -m dashboard.serve` imports before its first visitor
warm_up()
imports = time.perf_counter() - started
from streamlit.testing.v1 import AppTest
started = time.perf_counter()
app = AppTest.from_file(sys.argv[3], default_timeout=600)
app.query_params["as_of"] = as_of  # an address that names the date, so the first run is the only one
if page != "baseline":
    app.switch_page(f"views/{page}.py")
app.run()
cold = time.perf_counter() - started
started = time.perf_counter()
app.run()
warm = time.perf_counter() - started
# an interaction: the as-of date a day earlier, a filter no cache has seen (every page reads it from the sidebar)
started = time.perf_counter()
if "as_of" in app.session_state:
    day = __import__("datetime").date.fromisoformat(as_of) - __import__("datetime").timedelta(days=1)
    app.date_input(key="as_of").set_value(day).run()
new_filter = time.perf_counter() - started
# the Overview's slowest step a manager takes: "Prepare the board pack" (its HTML, and its PDF where Chromium is)
started = time.perf_counter()
if page == "overview":
    app.button(key="prepare_board_pack").click().run()
board_pack = time.perf_counter() - started if page == "overview" else None
# A new session on a server that is up, right after a load: the process's once-only costs paid (the first element of
# its first run), but every cached result and figure gone, as a load's new data version leaves them (and the schema
# checked again, which a load does not ask for: a little over, not under).
from dashboard.queries import cache
cache.clear()
fresh = AppTest.from_file(sys.argv[3], default_timeout=600)
fresh.query_params["as_of"] = as_of
if page != "baseline":
    fresh.switch_page(f"views/{page}.py")
started = time.perf_counter()
fresh.run()
after_load = time.perf_counter() - started
print(json.dumps({"imports": imports, "cold": cold, "warm": warm, "new_filter": new_filter, "board_pack": board_pack,
                  "after_load": after_load,
                  "exception": bool(app.exception),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""
# Every page in turn in one process, as one dashboard serving them all: its peak memory.
ALL_PAGES = """
import json, resource, sys, time
from streamlit.testing.v1 import AppTest
started = time.perf_counter()
app = AppTest.from_file(sys.argv[2], default_timeout=600)
app.run()
for page in json.loads(sys.argv[1]):
    app.switch_page(f"views/{page}.py").run()
print(json.dumps({"seconds": time.perf_counter() - started, "exception": bool(app.exception),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""
BASELINE_PAGE = 'import streamlit as st\nst.info("Demo data.")\n'


def run_page(page: str, script: Path, db: Path, as_of: str) -> dict:
    return _child([CHILD, page, as_of, str(script)], db, page)


def run_all_pages(db: Path) -> dict:
    return _child([ALL_PAGES, json.dumps(PAGES), str(ROOT / "dashboard" / "app.py")], db, "all pages")


def _child(arguments: list[str], db: Path, name: str) -> dict:
    env = {**os.environ, "CLAIMSCOPE_DB": str(db), "CLAIMSCOPE_DEMO": "1", "STREAMLIT_LOGGER_LEVEL": "error"}
    ran = subprocess.run([sys.executable, "-c", *arguments], env=env, cwd=ROOT, capture_output=True, text=True,
                         timeout=1800)
    if ran.returncode:
        raise SystemExit(f"{name}: {ran.stderr[-2000:]}")
    return json.loads(ran.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--as-of", default="2026-11-26")
    args = parser.parse_args()
    import duckdb

    with duckdb.connect(str(args.db), read_only=True) as con:
        claims = con.execute("select count(*) from claims").fetchone()[0]
    baseline_script = ROOT / "bench" / ".baseline_page.py"
    baseline_script.write_text(BASELINE_PAGE)
    try:
        baseline = run_page("baseline", baseline_script, args.db, args.as_of)
    finally:
        baseline_script.unlink()
    print(f"{args.db.name}: {claims:,} claim submissions, as of {args.as_of}")
    print(f"baseline (an empty page drawing the banner): cold {baseline['cold']:.2f} s, warm {baseline['warm'] * 1000:.0f} ms;"
          f" the server's imports before its first visitor {baseline['imports']:.2f} s")
    print(f"baseline after a load (a new session, the process warm): {baseline['after_load'] * 1000:.0f} ms")
    print(f"{'page':<16} {'cold s':>7} {'warm ms':>8} {'new filter ms':>14} {'after a load s':>15} {'cold / baseline':>16}"
          f" {'claims/s cold':>14} {'peak MB':>8}")
    for page in PAGES:
        measured = run_page(page, ROOT / "dashboard" / "app.py", args.db, args.as_of)
        flag = "  (exception)" if measured["exception"] else ""
        print(f"{page:<16} {measured['cold']:>7.2f} {measured['warm'] * 1000:>8.0f} {measured['new_filter'] * 1000:>14.0f}"
              f" {measured['after_load']:>15.2f} {measured['cold'] / baseline['cold']:>16.1f}"
              f" {claims / measured['cold']:>14,.0f} {measured['peak_mb']:>8,.0f}{flag}", flush=True)
        if measured["board_pack"] is not None:
            print(f"{'':<16} Prepare the board pack: {measured['board_pack']:.2f} s", flush=True)
    served = run_all_pages(args.db)
    flag = "  (exception)" if served["exception"] else ""
    print(f"every page in turn in one process: {served['seconds']:.1f} s, peak {served['peak_mb']:,.0f} MB{flag}")


if __name__ == "__main__":
    main()
