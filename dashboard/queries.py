"""Named queries the pages call. Results are cached by database, SQL and parameters; each miss opens a short-lived
read-only connection."""

from __future__ import annotations

from datetime import date

import polars as pl
import streamlit as st
from scipy.stats import binomtest

from etl import db as database
from etl.reports import WORKLIST_SQL, kpis

CACHE_SECONDS = 60


def _frame(sql: str, params: dict | None = None) -> pl.DataFrame:
    return _cached_frame(str(database.default_db_path()), sql, tuple(sorted((params or {}).items())))


@st.cache_data(ttl=CACHE_SECONDS)
def _cached_frame(db: str, sql: str, params: tuple) -> pl.DataFrame:
    # Keyed by database too, so a different CLAIMSCOPE_DB never sees another file's figures.
    # Short-lived: a connection held open would block the loader's write lock.
    with database.read_connection(db) as con:
        return con.sql(sql, params=dict(params)).pl()


def table_row_counts() -> pl.DataFrame:
    """Row count of every contract table."""
    union = " union all ".join(
        f"select '{name}' as table_name, count(*) as row_count from {name}" for name in database.table_names()
    )
    return _frame(union)


def load_history() -> pl.DataFrame:
    """Every file the loader has seen, newest first."""
    return _frame("select * from load_history order by file_id desc")


def load_status_counts() -> pl.DataFrame:
    """Files, records loaded and records quarantined per load status."""
    return _frame(
        "select status, count(*) as file_count, sum(records_loaded) as records_loaded,"
        " sum(records_quarantined) as records_quarantined from load_history group by status order by status"
    )


def quarantine_problems() -> pl.DataFrame:
    """Each kind of problem in quarantine, with how many records it holds."""
    return _frame("select problem, count(*) as record_count from quarantine_records group by problem order by record_count desc")


def quarantined_records(source_files: tuple[str, ...] = (), problems: tuple[str, ...] = ()) -> pl.DataFrame:
    """Quarantined records, filtered by file and by problem (an empty filter keeps all)."""
    return _frame(
        "select source_file, locator, problem, reason, raw, quarantined_at from quarantine_records"
        " where (len($files) = 0 or list_contains($files, source_file))"
        " and (len($problems) = 0 or list_contains($problems, problem))"
        " order by source_file, locator",
        {"files": list(source_files), "problems": list(problems)},
    )


def table_health() -> pl.DataFrame:
    """One badge per checked table."""
    return _frame("select * from table_health order by table_name")


def validation_results() -> pl.DataFrame:
    """The latest result of every expectation, failing ones first."""
    return _frame("select * from validation_results order by latest_success, unexpected_count desc, suite, expectation")


def balancing_failures() -> pl.DataFrame:
    """835 balancing identities that failed, biggest difference first."""
    return _frame("select * from balancing_failures order by abs(difference_amount) desc")


def unmatched_remits() -> pl.DataFrame:
    """Claim payments that could not be tied to a claim on file, with the reason."""
    return _frame("select * from unmatched_remits order by payment_date desc")


def unmatched_claims() -> pl.DataFrame:
    """Claims no remittance has answered, oldest first."""
    return _frame("select * from unmatched_claims order by submitted_date")


def payments_before_submission() -> pl.DataFrame:
    """Claim payments dated before their claim was sent."""
    return _frame("select * from payments_before_submission order by days_early desc")


def duplicate_eras() -> pl.DataFrame:
    """The same ERA loaded from more than one file."""
    return _frame("select payer_id, trace_number, payment_amount, file_count, array_to_string(source_files, ', ') as source_files from duplicate_eras")


AGING_BUCKETS = ["0-30", "31-60", "61-90", "91-120", "120+"]


def ar_aging_by_payer(as_of: date, basis: str) -> pl.DataFrame:
    """Open insurance A/R by payer and aging bucket; basis is 'service' or 'submission'."""
    return _frame(
        "select payer_name, aging_bucket, claim_count, balance_amount from ar_aging($as_of, $basis)"
        " order by payer_name, aging_bucket",
        {"as_of": as_of, "basis": basis},
    )


def worklist(as_of: date) -> pl.DataFrame:
    """The insurance worklist as of a date, highest priority first."""
    return _frame(WORKLIST_SQL, {"as_of": as_of})


MIN_CLAIMS_FOR_A_RATE = 30


def initial_denial_rate(start: date, end: date) -> dict:
    """Claims adjudicated in the period and the share first denied, by count and by dollars, with 95% Wilson intervals."""
    counts = _frame(
        "select count(*) as adjudicated, count(*) filter (where is_denied) as denied,"
        " coalesce(sum(charge_amount), 0) as charged, coalesce(sum(denied_charge_amount), 0) as denied_charges"
        " from initial_adjudications where adjudicated_date between $start and $end",
        {"start": start, "end": end},
    ).row(0, named=True)
    adjudicated, denied = counts["adjudicated"], counts["denied"]
    return {
        **counts,
        "rate": denied / adjudicated if adjudicated else None,
        "interval": wilson_interval(denied, adjudicated) if adjudicated else None,
        "dollar_rate": float(counts["denied_charges"] / counts["charged"]) if counts["charged"] else None,
        "too_few": adjudicated < MIN_CLAIMS_FOR_A_RATE,
    }


def denials_by_carc(start: date, end: date) -> pl.DataFrame:
    """A Pareto of first-denial CARCs: denied dollars and claims, largest first, with the cumulative share of dollars."""
    return _frame(
        "select carc_code, any_value(carc.description) as description, any_value(carc_category) as carc_category,"
        " count(*) as claim_count, sum(denied_charge_amount) as denied_amount,"
        " sum(sum(denied_charge_amount)) over (order by sum(denied_charge_amount) desc, carc_code) / sum(sum(denied_charge_amount)) over ()"
        " as cumulative_share"
        " from initial_adjudications left join ref_carc as carc on carc.code = carc_code"
        " where is_denied and adjudicated_date between $start and $end group by carc_code order by denied_amount desc, carc_code",
        {"start": start, "end": end},
    )


def denials_by_payer_and_category(start: date, end: date) -> pl.DataFrame:
    """Denied dollars per payer and CARC category."""
    return _frame(
        "select payer_name, coalesce(carc_category, 'unknown') as carc_category, count(*) as claim_count,"
        " sum(denied_charge_amount) as denied_amount from initial_adjudications"
        " where is_denied and adjudicated_date between $start and $end group by all order by payer_name, carc_category",
        {"start": start, "end": end},
    )


def denial_trend(start: date, end: date) -> pl.DataFrame:
    """Denied claims per month and CARC category, to see a spike."""
    return _frame(
        "select adjudicated_month, coalesce(carc_category, 'unknown') as carc_category, count(*) as claim_count"
        " from initial_adjudications where is_denied and adjudicated_date between $start and $end"
        " group by all order by adjudicated_month, carc_category",
        {"start": start, "end": end},
    )


def wilson_interval(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval for a proportion (scipy's binomtest)."""
    interval = binomtest(successes, trials).proportion_ci(confidence_level=confidence, method="wilson")
    return interval.low, interval.high


def headline_figures(as_of: date) -> dict:
    """The KPI figures of etl.reports.kpis as of a date."""
    return _cached_kpis(str(database.default_db_path()), as_of)


@st.cache_data(ttl=CACHE_SECONDS)
def _cached_kpis(db: str, as_of: date) -> dict:
    with database.read_connection(db) as con:
        return kpis(con, as_of)
