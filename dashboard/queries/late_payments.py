"""Queries of the Late payments page: open A/R by age (by payer, as a grid, its claims, and how it rolled over the last
month), claims past their expected pay date, underpaid lines, the worklist."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import polars as pl

from dashboard.permissions import serves
from dashboard.queries.cache import frame, library
from etl.reports import aging
from etl.reports.aging import TOTAL  # noqa: F401 - the grid's total row and column, as the page names them
from etl.reports.roll_rates import roll_rates
from etl.reports.scope import IN_SCOPE, Scope
from etl.reports.worklist import worklist_rows


@serves("late_payments")
def ar_aging_by_payer(as_of: date, basis: str, scope: Scope) -> pl.DataFrame:
    """Open insurance A/R by payer and aging bucket; basis is 'service' or 'submission' (etl/reports/aging.py)."""
    return library(aging.by_payer)(as_of, basis, scope)


@serves("late_payments")
def ar_aging_grid(as_of: date, basis: str, scope: Scope) -> pl.DataFrame:
    """Open insurance A/R as a payer × aging bucket grid with row and column totals (etl/reports/aging.py)."""
    return library(aging.grid)(as_of, basis, scope)


@serves("late_payments")
def ar_aging_claims(as_of: date, basis: str, scope: Scope, payer_name: str | None, every_payer: bool,
                    aging_bucket: str | None) -> pl.DataFrame:
    """The open insurance claims of one cell of the aging grid, largest balance first: a payer (or every payer) and a
    bucket (None: every bucket)."""
    return frame(
        "select claim_id, payer_name, rendering_npi, service_date_from, submitted_date, aging_bucket, balance_amount"
        f" from ar_aging($as_of, $aging_basis) where {IN_SCOPE}"
        " and ($every_payer or payer_name is not distinct from $payer_name)"
        " and ($aging_bucket is null or aging_bucket = $aging_bucket)"
        " order by balance_amount desc, claim_id",
        {"as_of": as_of, "aging_basis": basis, "payer_name": payer_name, "every_payer": every_payer,
         "aging_bucket": aging_bucket, **scope.params()},
    )


@serves("late_payments")
def roll_rate_matrix(as_of: date, scope: Scope) -> pl.DataFrame:
    """Of the dollars open in each aging bucket at the month end before last, the share paid, adjusted, moved to the
    patient, corrected or closed, or still open in each bucket at the last month end (etl/reports/roll_rates.py): one
    row per bucket, its open dollars, then one column per outcome."""
    rates = library(roll_rates)(as_of, scope)
    return rates if rates.is_empty() else rates.pivot(on="outcome", index=["aging_bucket", "balance_amount"], values="share")


@serves("late_payments")
def past_expected_pay_date(as_of: date, scope: Scope) -> pl.DataFrame:
    """Open claims with no answer after their payer's expected days to pay (payer_rules.csv), by payer."""
    # Read from the cached worklist rather than asking DuckDB to derive every balance a second time.
    return (
        worklist(as_of, scope)
        .filter(pl.col("is_past_expected_pay_date"))
        .group_by("payer_name")
        .agg(pl.len().alias("claim_count"), pl.col("balance_amount").sum(), pl.col("days_outstanding").max().alias("oldest_days"))
        .sort("balance_amount", "payer_name", descending=[True, False])
    )


@serves("late_payments")
def underpaid_claims(as_of: date, scope: Scope) -> tuple[int, Decimal]:
    """How many claims have lines paid below their rate, and the shortfall in dollars: from the cached worklist, which
    judges every line already, so the lines themselves are read only when a biller asks for them."""
    underpaid = worklist(as_of, scope).filter(pl.col("underpaid_amount") > 0)
    return underpaid.height, underpaid["underpaid_amount"].sum() if underpaid.height else Decimal("0.00")


@serves("late_payments")
def underpaid_lines(as_of: date, scope: Scope) -> pl.DataFrame:
    """Lines of current payments allowed below the contract rate (else the payer's usual rate), largest shortfall first."""
    return frame(
        "select claim_id, payer_name, last_remit_date, procedure_code, modifiers, units, allowed_amount, rate_basis,"
        " schedule_name, contract_allowed_per_unit, usual_allowed_per_unit, history_lines, expected_allowed_amount,"
        " shortfall_amount, cas_adjustments"
        f" from underpaid_lines($as_of) where {IN_SCOPE} order by shortfall_amount desc, claim_id, line_number",
        {"as_of": as_of, **scope.params()},
    )


@serves("late_payments")
def worklist(as_of: date, scope: Scope) -> pl.DataFrame:
    """The insurance worklist as of a date, highest priority first: the rows `claimscope worklist` prints."""
    return library(worklist_rows)(as_of, scope)
