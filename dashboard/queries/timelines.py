"""Queries of the Timelines page: time to payment (Kaplan–Meier), stage lags, and the cash forecast."""

from __future__ import annotations

from datetime import date

import polars as pl

from dashboard.permissions import serves
from dashboard.queries.cache import computed, frame, library
from etl.reports import timelines
from etl.reports.scope import IN_SCOPE, Scope, as_of_in_scope


@serves("timelines")
def payment_waits(as_of: date, scope: Scope) -> pl.DataFrame:
    """Per claim sent by the as-of date: days from submission to first payment, or to the as-of date if unpaid (censored)."""
    return library(timelines.payment_waits)(as_of, scope)


@serves("timelines")
def stage_lag_boxes(as_of: date, scope: Scope) -> pl.DataFrame:
    """Per payer and stage: the quartiles and whisker ends of the days each stage took (etl/reports/timelines.py)."""
    return library(timelines.stage_lag_boxes)(as_of, scope)


@serves("timelines")
def stage_lag_trend(as_of: date, scope: Scope) -> pl.DataFrame:
    """Median of each stage lag per month of submission."""
    return frame(
        "select date_trunc('month', submitted_date)::date as submitted_month,"
        " median(charge_lag_days) as charge_lag,"
        " median(adjudication_days) filter (where first_remit_date <= $as_of) as adjudication,"
        " median(first_remit_to_final_payment_days) filter (where final_payment_date <= $as_of) as first_remit_to_final_payment"
        f" from payment_timelines where {as_of_in_scope('submitted_date')} group by all order by submitted_month",
        {"as_of": as_of, **scope.params()},
    )


@serves("timelines")
def time_to_payment(as_of: date, scope: Scope) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Per payer: the Kaplan–Meier summary beside the naive average over paid claims only, and the curves' points."""
    return computed(timelines.time_to_payment_by_payer)(payment_waits(as_of, scope))


@serves("timelines")
def forecast_claims(as_of: date, scope: Scope) -> pl.DataFrame:
    """Open insurance claims not yet paid anything, with the amount expected: balance × the payer's paid-to-charge
    ratio on the claims it has paid."""
    return frame(
        f"with balances as (select * from insurance_balances($as_of) where {IN_SCOPE}),"
        " yields as (select payer_id, sum(paid_to_date_amount) / sum(charge_amount) as payer_yield"
        "   from balances where paid_to_date_amount > 0 group by payer_id)"
        " select balances.payer_id, $as_of - balances.first_submitted_date as days_outstanding, balances.balance_amount,"
        " (balances.balance_amount * coalesce(yields.payer_yield, 0))::double as expected_amount"
        " from balances left join yields using (payer_id)"
        " where balances.balance_amount > 0 and balances.paid_to_date_amount = 0",
        {"as_of": as_of, **scope.params()},
    )


@serves("timelines")
def cash_forecast(as_of: date, scope: Scope) -> pl.DataFrame:
    """Cash expected in the next 30, 60 and 90 days from open unpaid claims, each payer's curve conditioned on the
    days a claim has already waited, with a 90% band."""
    return computed(timelines.cash_forecast)(payment_waits(as_of, scope), forecast_claims(as_of, scope))
