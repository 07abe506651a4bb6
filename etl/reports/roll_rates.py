"""A/R roll rates: of the dollars open in each aging bucket at one month end, the share paid, adjusted, moved to the
patient, corrected, or still open (and in which bucket) at the next."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import polars as pl

from etl.reports.scope import IN_SCOPE, Scope

# The matrix's columns in order: what can become of an open dollar (sql/marts/ar_roll_forward.sql), then still open
# in each aging bucket of etl/reference/aging_buckets.csv.
ROLL_SQL = f"""
    with
    moved as (
        select * from ar_roll_forward($from_date, $to_date) where {IN_SCOPE}
    ),
    buckets as (
        select * from aging_buckets
    ),
    outcomes as (
        select 'paid' as outcome, 1 as outcome_order
        union all select 'adjusted', 2
        union all select 'moved to patient', 3
        union all select 'corrected or closed', 4
        union all select 'open ' || aging_bucket, 4 + bucket_order from buckets
    ),
    flows as (
        select from_aging_bucket, 'paid' as outcome, paid_in_period_amount as amount from moved
        union all select from_aging_bucket, 'adjusted', adjusted_in_period_amount from moved
        union all select from_aging_bucket, 'moved to patient', moved_to_patient_in_period_amount from moved
        union all select from_aging_bucket, 'corrected or closed', corrected_in_period_amount from moved
        union all select from_aging_bucket, 'open ' || to_aging_bucket, to_balance_amount from moved where to_balance_amount > 0
    ),
    opened as (
        select from_aging_bucket, sum(from_balance_amount) as balance_amount from moved group by from_aging_bucket
    ),
    -- every outcome for every bucket that had dollars open, so each row of the matrix is complete
    cells as (
        select opened.from_aging_bucket, opened.balance_amount, outcomes.outcome, outcomes.outcome_order
        from opened
        cross join outcomes
    )
    select
        cells.from_aging_bucket as aging_bucket,
        cells.balance_amount,
        cells.outcome,
        coalesce(sum(flows.amount), 0)::decimal(38, 2) as amount,
        (coalesce(sum(flows.amount), 0) / cells.balance_amount)::double as share
    from cells
    inner join buckets on buckets.aging_bucket = cells.from_aging_bucket
    left join flows on flows.from_aging_bucket = cells.from_aging_bucket and flows.outcome = cells.outcome
    group by cells.from_aging_bucket, cells.balance_amount, cells.outcome, cells.outcome_order, buckets.bucket_order
    order by buckets.bucket_order, cells.outcome_order
"""


def roll_months(as_of: date) -> tuple[date, date]:
    """The two month ends the roll is counted between: the last one on or before the as-of date, and the one before."""
    later = as_of if (as_of + timedelta(days=1)).day == 1 else as_of.replace(day=1) - timedelta(days=1)
    return later.replace(day=1) - timedelta(days=1), later


def roll_rates(con: duckdb.DuckDBPyConnection, as_of: date, scope: Scope = Scope()) -> pl.DataFrame:
    """One row per aging bucket open at the earlier month end (roll_months) and outcome: the dollars of the bucket's
    balance_amount that were paid, adjusted, moved to the patient, corrected or closed, or are open in each bucket at
    the later month end, and their share. A bucket's shares add up to 1; rolling on is the next bucket's share."""
    earlier, later = roll_months(as_of)
    return con.sql(ROLL_SQL, params={"from_date": earlier, "to_date": later, **scope.params()}).pl()
