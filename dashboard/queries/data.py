"""Queries of the Data loaded and Data quality pages: what was loaded, what was set aside and why."""

from __future__ import annotations

import polars as pl

from dashboard.permissions import require, serves
from dashboard.queries.cache import frame, library
from etl import db as database

def _row_counts(con) -> pl.DataFrame:
    return pl.DataFrame(database.row_counts(con), schema=["table_name", "row_count"], orient="row")


@serves("data_loaded")
def table_row_counts() -> pl.DataFrame:
    """Row count of every contract table."""
    return library(_row_counts)()


@serves("data_loaded")
def load_history() -> pl.DataFrame:
    """Every file the loader has seen, newest first."""
    return frame("select * from load_history order by file_id desc")


@serves("data_loaded")
def load_status_counts() -> pl.DataFrame:
    """Files, records loaded and records quarantined per load status."""
    return frame(
        "select status, count(*) as file_count, sum(records_loaded) as records_loaded,"
        " sum(records_quarantined) as records_quarantined from load_history group by status order by status"
    )


@serves("data_quality")
def quarantine_problems() -> pl.DataFrame:
    """Each kind of problem in quarantine, with how many records it holds."""
    return frame("select problem, count(*) as record_count from quarantine_records group by problem order by record_count desc")


@serves("data_quality")
def quarantined_records(source_files: tuple[str, ...] = (), problems: tuple[str, ...] = (), with_raw: bool = False) -> pl.DataFrame:
    """Quarantined records, filtered by file and by problem (an empty filter keeps all); the raw text as the file had
    it (which may hold PHI) only for a role allowed raw records."""
    if with_raw:
        require("raw_records")
    return frame(
        f"select source_file, locator, problem, reason, {'raw, ' if with_raw else ''}quarantined_at from quarantine_records"
        " where (len($files) = 0 or list_contains($files, source_file))"
        " and (len($problems) = 0 or list_contains($problems, problem))"
        " order by source_file, locator",
        {"files": list(source_files), "problems": list(problems)},
    )


@serves("data_quality")
def structural_warnings() -> pl.DataFrame:
    """Envelope counts and control numbers that were off in files that loaded anyway, newest file first."""
    return frame("select source_file, kind, locator, warning from structural_warnings order by file_id desc, locator")


@serves("data_quality")
def unmatched_remit_lines() -> pl.DataFrame:
    """Remittance service lines not tied to a line of their claim, with the reason, latest first."""
    return frame("select * from unmatched_remit_lines order by remit_claim_id desc, line_number")


@serves("data_quality")
def unlinked_replacements() -> pl.DataFrame:
    """Replacement and void claims not tied to the claim they replace, with the reason, latest first."""
    return frame("select * from unlinked_replacements order by submitted_date desc, claim_id")


@serves("data_quality")
def table_health() -> pl.DataFrame:
    """One badge per checked table."""
    return frame("select * from table_health order by table_name")


@serves("data_quality")
def validation_results() -> pl.DataFrame:
    """The latest result of every expectation, failing ones first, its rule in words beside GX's name for it."""
    from etl.intake.policy import rule_in_words

    results = frame("select * from validation_results order by latest_success, unexpected_count desc, suite, expectation")
    checks = [rule_in_words(*key) for key in results.select("suite", "expectation", "severity").iter_rows()]
    return results.with_columns(pl.Series("check", checks, pl.Utf8)).select("suite", "check", pl.exclude("suite", "check"))


@serves("data_quality")
def balancing_failures() -> pl.DataFrame:
    """835 balancing identities that failed, biggest difference first."""
    return frame("select * from balancing_failures order by abs(difference_amount) desc")


@serves("data_quality")
def unmatched_remits() -> pl.DataFrame:
    """Claim payments that could not be tied to a claim on file, with the reason."""
    return frame("select * from unmatched_remits order by payment_date desc")


@serves("data_quality")
def unmatched_claims() -> pl.DataFrame:
    """Claims no remittance has answered, oldest first."""
    return frame("select * from unmatched_claims order by submitted_date")


@serves("data_quality")
def payments_before_submission() -> pl.DataFrame:
    """Claim payments dated before their claim was sent."""
    return frame("select * from payments_before_submission order by days_early desc")


@serves("data_quality")
def duplicate_eras() -> pl.DataFrame:
    """The same ERA loaded from more than one file."""
    return frame(
        "select payer_id, trace_number, payment_amount, file_count, array_to_string(source_files, ', ') as source_files"
        " from duplicate_eras"
    )
