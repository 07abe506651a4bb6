"""The headline revenue-cycle figures as of a date, read from the marts with every value bound as a parameter."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import polars as pl

from etl.measures import CHARGE_WINDOW_DAYS
from etl.reports.aging import AR_OVER_DAYS
from etl.reports.scope import IN_SCOPE, Scope, as_of_in_scope

# Claims whose date of service is at least this old have had time to settle (net collection rate).
SETTLED_AFTER_DAYS = 90

# The counted figures in dollars, and the rates taken from the counts.
MONEY_FIGURES = ("settled_payments", "settled_collectible", "open_ar", "ar_over_90", "ar_over_120", "recent_charges",
                 "gross_charges", "payments", "contractual_adjustments", "patient_responsibility")
RATES = ("initial_denial_rate", "first_pass_resolution_rate", "net_collection_rate", "days_in_ar", "ar_over_90_share",
         "ar_over_120_share")

# Every figure is a count or a sum per payer, so the practice's figures are its payers' added up; the rates are taken
# after adding (`_rates`), never averaged.
FIGURES_BY_PAYER_SQL = f"""
    with
    balances as (
        select * from insurance_balances($as_of) where {IN_SCOPE}
    ),
    firsts as (
        select * from initial_adjudications where {as_of_in_scope('adjudicated_date')}
    ),
    first_counts as (
        select
            payer_id,
            count(*) as adjudicated_claims,
            count(*) filter (where is_denied) as first_denied_claims
        from firsts
        group by payer_id
    ),
    -- one pass over the balances: every figure is a filtered aggregate of the same rows
    balance_sums as (
        select
            payer_id,
            count(*) as claim_count,
            count(*) filter (
                where adjudication_count = 1 and last_status_code in ('1', '2', '3', '19') and paid_to_date_amount > 0
                and paid_to_date_amount = paid_amount
            ) as first_pass_resolved_claims,
            coalesce(sum(paid_to_date_amount) filter (where service_date_from <= $as_of - $settled), 0) as settled_payments,
            -- patient payments are not in an 835, so what was moved to the patient leaves the denominator too
            coalesce(sum(charge_amount - contractual_amount - patient_responsibility_amount)
                filter (where service_date_from <= $as_of - $settled), 0) as settled_collectible,
            coalesce(sum(balance_amount) filter (where balance_amount > 0), 0) as open_ar,
            -- past the cut-offs of etl/reports/aging.py (AR_OVER_DAYS), counted in days since service
            coalesce(sum(balance_amount)
                filter (where balance_amount > 0 and days_since_service > {AR_OVER_DAYS['ar_over_90']}), 0) as ar_over_90,
            coalesce(sum(balance_amount)
                filter (where balance_amount > 0 and days_since_service > {AR_OVER_DAYS['ar_over_120']}), 0) as ar_over_120,
            coalesce(sum(charge_amount)
                filter (where service_date_from > $as_of - $window and service_date_from <= $as_of), 0) as recent_charges,
            sum(charge_amount) as gross_charges,
            sum(paid_to_date_amount) as payments,
            sum(contractual_amount) as contractual_adjustments,
            sum(patient_responsibility_amount) as patient_responsibility
        from balances
        group by payer_id
    )
    -- a payer with first adjudications but no balance in scope, or the reverse, still counts on its other side
    select
        payer_id,
        coalesce(first_counts.adjudicated_claims, 0) as adjudicated_claims,
        coalesce(first_counts.first_denied_claims, 0) as first_denied_claims,
        coalesce(balance_sums.first_pass_resolved_claims, 0) as first_pass_resolved_claims,
        {", ".join(f"coalesce(balance_sums.{name}, 0)::decimal(38, 2) as {name}" for name in MONEY_FIGURES)},
        coalesce(balance_sums.claim_count, 0) as claim_count
    from balance_sums
    full join first_counts using (payer_id)
    order by payer_id
"""


def kpis(con: duckdb.DuckDBPyConnection, as_of: date, scope: Scope = Scope()) -> dict:
    """The practice's headline revenue-cycle figures as of a date for the claims in scope (self-pay left out)."""
    totals = _figures_by_payer(con, as_of, scope).drop("payer_id").sum().row(0, named=True)
    window = charge_window_days(as_of, scope)
    return {**totals, "as_of": as_of.isoformat(), "charge_window_days": window, **_rates(totals, window)}


def kpis_by_payer(con: duckdb.DuckDBPyConnection, as_of: date, scope: Scope = Scope()) -> pl.DataFrame:
    """The same figures for each payer in scope, one row per payer id: what `claimscope kpis --payer` gives for it."""
    figures = _figures_by_payer(con, as_of, scope)
    window = charge_window_days(as_of, scope)
    rates = pl.DataFrame([_rates(row, window) for row in figures.iter_rows(named=True)], schema=dict.fromkeys(RATES, pl.Float64))
    return figures.hstack(rates)



def _figures_by_payer(con: duckdb.DuckDBPyConnection, as_of: date, scope: Scope) -> pl.DataFrame:
    params = {"as_of": as_of, "settled": SETTLED_AFTER_DAYS, "window": CHARGE_WINDOW_DAYS, **scope.params()}
    return con.sql(FIGURES_BY_PAYER_SQL, params=params).pl()


def charge_window_days(as_of: date, scope: Scope) -> int:
    """The days whose charges Days in A/R averages (HFMA: A/R ÷ average daily charges over a stated window): the 90
    days to the as-of date, cut to the scope's date range, so a month's charges are divided by that month's days."""
    first, last = as_of - timedelta(days=CHARGE_WINDOW_DAYS - 1), as_of
    if scope.start and scope.start > first:
        first = scope.start
    if scope.end and scope.end < last:
        last = scope.end
    return max((last - first).days + 1, 0)


def _rates(figures: dict, window_days: int) -> dict:
    """The rates of one set of counted figures (a payer's, or the practice's), charges averaged over `window_days`."""
    daily_charges = figures["recent_charges"] / window_days if window_days else 0
    return {
        "initial_denial_rate": _share(figures["first_denied_claims"], figures["adjudicated_claims"]),
        "first_pass_resolution_rate": _share(figures["first_pass_resolved_claims"], figures["adjudicated_claims"]),
        "net_collection_rate": _share(figures["settled_payments"], figures["settled_collectible"]),
        "days_in_ar": round(float(figures["open_ar"] / daily_charges), 1) if daily_charges else None,
        "ar_over_90_share": _share(figures["ar_over_90"], figures["open_ar"]),
        "ar_over_120_share": _share(figures["ar_over_120"], figures["open_ar"]),
    }


def _share(part, whole) -> float | None:
    return round(float(part) / float(whole), 4) if whole else None
