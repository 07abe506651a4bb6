"""Time each dashboard page's queries on a large practice, cold (cache cleared) and warm (second call).

Run: python bench/pages.py [--db bench/data/practice_1000000.duckdb]
Build the database first with `python bench/load_1m.py` or `claimscope load bench/data/practice_1000000 --db ...`.
The baseline in the same run is DuckDB counting the claims table, the cheapest question a page could ask.
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
AS_OF = date(2026, 11, 26)


# Cold figures of the run of 2026-11-27, before the ledger (README), to print beside today's.
PREVIOUS_COLD_MS = {"sidebar": 109, "overview": 29_634, "claims behind": None, "late payments": 9_707, "underpaid lines": None,
                    "roll rates": None, "payer scorecard": None, "denials": 7_030, "claim": 5_619, "data quality": 3_028}


def page_queries(queries, scope) -> dict:
    """Every query each page runs on first view, for one sidebar scope."""
    from etl.reports.judgement import previous_period

    sidebar, overview, late, denials = queries.sidebar, queries.overview, queries.late_payments, queries.denials
    claim, data, scorecard = queries.claim, queries.data, queries.payer_scorecard
    claim_id = late.worklist(AS_OF, scope)["claim_id"][0]
    return {
        "sidebar": lambda: (sidebar.service_date_span(), sidebar.payer_choices(), sidebar.provider_choices()),
        "overview": lambda: (
            overview.headline_figures(AS_OF, scope),
            overview.headline_figures(previous_period(AS_OF, scope).as_of, previous_period(AS_OF, scope).scope),
            overview.kpi_benchmarks(), overview.kpi_trend(AS_OF, scope), overview.days_to_payment_by_payer(AS_OF, scope),
        ),
        # the expander a manager opens to trace a figure: read only when opened
        "claims behind": lambda: overview.claims_behind_figures(AS_OF, scope),
        "late payments": lambda: (
            late.ar_aging_by_payer(AS_OF, "service", scope), late.ar_aging_grid(AS_OF, "service", scope),
            late.past_expected_pay_date(AS_OF, scope), late.underpaid_claims(AS_OF, scope), late.worklist(AS_OF, scope),
            sidebar.aging_bucket_order(),
        ),
        # the two expanders of Late payments, each read only when opened
        "underpaid lines": lambda: late.underpaid_lines(AS_OF, scope),
        "roll rates": lambda: late.roll_rate_matrix(AS_OF, scope),
        "payer scorecard": lambda: (scorecard.payer_scorecard(AS_OF, scope), scorecard.denial_funnel(AS_OF, scope)),
        "denials": lambda: (
            denials.initial_denial_rate(AS_OF, scope), denials.denials_by_carc(AS_OF, scope),
            denials.denials_by_payer_and_category(AS_OF, scope), denials.denial_trend(AS_OF, scope),
            denials.denials_by_procedure(AS_OF, scope), denials.denials_by_provider(AS_OF, scope),
            denials.denial_remarks(AS_OF, scope), denials.denied_claims(AS_OF, scope), denials.denial_jumps(AS_OF, scope),
        ),
        "claim": lambda: (  # the summary card, then the rows on file as when its expander is opened
            claim.example_claim_id(), claim.claim_summary(claim_id, AS_OF), claim.claim_work_item(claim_id),
            claim.claim_audit_summary(claim_id), claim.claim_audit_findings(claim_id),
            claim.claim_submissions(claim_id), claim.claim_lines(claim_id), claim.claim_diagnoses(claim_id),
            claim.claim_remittances(claim_id), claim.claim_adjustments(claim_id), claim.claim_remarks(claim_id),
            claim.claim_balance_history(claim_id), claim.claim_underpaid_lines(claim_id, AS_OF),
        ),
        "data quality": lambda: (
            data.table_health(), data.load_status_counts(), data.load_history(), data.structural_warnings(),
            data.quarantine_problems(), data.quarantined_records(), data.validation_results(), data.balancing_failures(),
            data.unmatched_remits(), data.unmatched_remit_lines(), data.unlinked_replacements(), data.unmatched_claims(),
            data.payments_before_submission(), data.duplicate_eras(),
        ),
    }


def timed(call) -> float:
    """Milliseconds of one page's queries, on one connection as in a page run (dashboard/app.py)."""
    from dashboard.queries import cache

    started = time.perf_counter()
    with cache.one_connection_per_run():
        call()
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=ROOT / "bench" / "data" / "practice_1000000.duckdb")
    args = parser.parse_args()
    os.environ["CLAIMSCOPE_DB"] = str(args.db)
    os.environ["STREAMLIT_LOGGER_LEVEL"] = "error"  # outside `streamlit run` every cached call warns otherwise
    import streamlit as st

    for name in [name for name in logging.root.manager.loggerDict if name.startswith("streamlit")]:
        logging.getLogger(name).setLevel(logging.ERROR)  # "no runtime found" and "missing ScriptRunContext", per call

    from dashboard import queries
    from dashboard.queries import cache
    from dashboard.queries import claim, data, denials, late_payments, overview, payer_scorecard, sidebar  # noqa: F401 (read as queries.<page>)
    from etl import db as database
    from etl.access.policy import User
    from etl.reports.scope import Scope

    with database.write_connection(args.db) as con:
        database.apply_schema(con)  # the models as this checkout defines them
    with database.read_connection(args.db) as con:
        claims = database.scalar(con, "select count(*) from claims")
        baseline = timed(lambda: con.execute("select count(*) from claims").fetchall())
    st.session_state["user"] = User("bench", "demo")  # every query checks the role; demo may read them all
    print(f"{args.db.name}: {claims:,} claim submissions; baseline count(*) {baseline:.1f} ms")
    print(f"{'page':<14} {'cold ms':>9} {'warm ms':>9} {'new filter ms':>14} {'2026-11-27 cold ms':>19} {'was / now':>10}")
    # The sidebar's defaults (every payer, a year of service dates), then what a user does next: another payer and
    # another date range, each a cache miss.
    default = Scope(start=date(2025, 11, 26), end=AS_OF)
    payer = sorted(sidebar.payer_choices()["payer_id"].to_list())[0]
    changed = Scope(payers=(payer,), start=date(2026, 8, 1), end=AS_OF)
    defaults, changes = page_queries(queries, default), page_queries(queries, changed)
    for page, run in defaults.items():
        cache.clear()
        cold = timed(run)
        warm = timed(run)
        new_filter = timed(changes[page])
        was = PREVIOUS_COLD_MS[page]
        was_text, ratio = ("-", "") if was is None else (f"{was:,}", f"{was / cold:.1f}")
        print(f"{page:<14} {cold:>9.0f} {warm:>9.1f} {new_filter:>14.0f} {was_text:>19} {ratio:>10}")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")


if __name__ == "__main__":
    main()
