"""The headline figures period by period: flows counted in the month (or, for a range under three months, the week)
they happened, and A/R as it stood at each period's end. The date range chooses the periods; payers and providers
narrow the claims."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import polars as pl

from etl.ledger import CHARGE_WINDOW_DAYS, CONTRIBUTIONS_SQL
from etl.reports.kpis import SETTLED_AFTER_DAYS
from etl.reports.scope import IN_PAYERS_AND_PROVIDERS, Scope

# A range shorter than this is shown week by week: three monthly points say little.
WEEKLY_BELOW_DAYS = 90

PAYERS_AND_PROVIDERS = IN_PAYERS_AND_PROVIDERS

FLOWS_SQL = f"""
    with
    periods as (select unnest($starts) as period_start, unnest($ends) as period_end),
    firsts as (select * from initial_adjudications where adjudicated_date <= $as_of and {PAYERS_AND_PROVIDERS}),
    balances as (select * from claim_balances($as_of) where is_insurance and {PAYERS_AND_PROVIDERS}),
    -- counted as the KPIs count it, from the balances alone: a claim still on its one adjudication, paid by it
    first_pass as (
        select first_adjudicated_date as adjudicated_date
        from balances
        where adjudication_count = 1 and last_status_code in ('1', '2', '3', '19')
            and paid_to_date_amount > 0 and paid_to_date_amount = paid_amount
    ),
    payments as (
        select payment_date, paid_amount from claim_remittances
        where match_status = 'matched' and payment_date <= $as_of and {PAYERS_AND_PROVIDERS}
    ),
    -- each row joins the one period its date falls in; a dozen periods make the range join cheap
    adjudicated as (
        select periods.period_end, count(*) as adjudicated_claims, count(*) filter (where firsts.is_denied) as first_denied_claims
        from firsts inner join periods on firsts.adjudicated_date between periods.period_start and periods.period_end
        group by periods.period_end
    ),
    resolved as (
        select periods.period_end, count(*) as first_pass_resolved_claims
        from first_pass inner join periods on first_pass.adjudicated_date between periods.period_start and periods.period_end
        group by periods.period_end
    ),
    submitted as (
        select periods.period_end, count(*) as submitted_claims
        from balances inner join periods on balances.first_submitted_date between periods.period_start and periods.period_end
        group by periods.period_end
    ),
    served as (
        select
            periods.period_end,
            sum(balances.paid_to_date_amount) as served_payments_amount,
            -- patient payments are not in an 835, so what was moved to the patient leaves the denominator too
            sum(balances.charge_amount - balances.contractual_amount - balances.patient_responsibility_amount)
                as served_collectible_amount
        from balances inner join periods on balances.service_date_from between periods.period_start and periods.period_end
        group by periods.period_end
    ),
    paid as (
        select periods.period_end, sum(payments.paid_amount) as payments_amount
        from payments inner join periods on payments.payment_date between periods.period_start and periods.period_end
        group by periods.period_end
    )
    select
        periods.period_end,
        coalesce(submitted.submitted_claims, 0) as submitted_claims,
        coalesce(adjudicated.adjudicated_claims, 0) as adjudicated_claims,
        coalesce(adjudicated.first_denied_claims, 0) as first_denied_claims,
        coalesce(resolved.first_pass_resolved_claims, 0) as first_pass_resolved_claims,
        coalesce(paid.payments_amount, 0) as payments_amount,
        coalesce(served.served_payments_amount, 0) as served_payments_amount,
        coalesce(served.served_collectible_amount, 0) as served_collectible_amount
    from periods
    left join submitted using (period_end)
    left join adjudicated using (period_end)
    left join resolved using (period_end)
    left join served using (period_end)
    left join paid using (period_end)
    order by periods.period_end
"""

STOCK_COLUMNS = ("balance_amount", "ar_over_90_amount", "ar_over_120_amount", "recent_charge_amount")
# A/R at each date from rows shaped like monthly_ar; over 90 and 120 days by the bands' first days
# (etl/reference/aging_buckets.csv), as the KPIs count days since service.
STOCKS_SQL = f"""
    with snapshots as ({{snapshots}})
    select
        month_end as snapshot_date,
        coalesce(sum(balance_amount), 0) as balance_amount,
        coalesce(sum(balance_amount) filter (
            where aging_bucket in (select aging_bucket from aging_buckets where first_day > 90)), 0) as ar_over_90_amount,
        coalesce(sum(balance_amount) filter (
            where aging_bucket in (select aging_bucket from aging_buckets where first_day > 120)), 0) as ar_over_120_amount,
        coalesce(sum(recent_charge_amount), 0) as recent_charge_amount
    from snapshots
    where list_contains($dates, month_end) and {PAYERS_AND_PROVIDERS}
    group by month_end
"""
STORED_SNAPSHOTS = "select * from monthly_ar"
COMPUTED_SNAPSHOTS = CONTRIBUTIONS_SQL.format(
    states="claim_states", ends="(select unnest($dates) as period_end)", charge_window=CHARGE_WINDOW_DAYS
)


def periods(start: date, end: date) -> tuple[str, list[tuple[date, date]]]:
    """The grain ('month' or 'week') and each period's first and last day that overlaps [start, end]."""
    if (end - start).days < WEEKLY_BELOW_DAYS:
        first = start - timedelta(days=start.weekday())  # ISO weeks, Monday to Sunday
        return "week", [(day, day + timedelta(days=6)) for day in _steps(first, end, lambda day: day + timedelta(days=7))]
    first = start.replace(day=1)
    return "month", [(day, _next_month(day) - timedelta(days=1)) for day in _steps(first, end, _next_month)]


def trend(con: duckdb.DuckDBPyConnection, as_of: date, scope: Scope = Scope()) -> pl.DataFrame:
    """One row per period from the scope's start (else twelve months back) to its end (else as_of), never past as_of.

    The last period, when it ends after as_of, is counted to as_of (is_to_date). Net collection is by month of service
    and is_maturing until the period has had 90 days to settle.
    """
    start = scope.start or date(as_of.year - 1, as_of.month, 1)
    end = min(scope.end or as_of, as_of)
    if start > end:
        return pl.DataFrame()
    grain, spans = periods(start, end)
    snapshot = [min(last, as_of) for _, last in spans]
    params = {"as_of": as_of, **scope.params()}
    flows = con.sql(FLOWS_SQL, params={**params, "starts": [first for first, _ in spans], "ends": snapshot}).pl()
    stocks = _stocks(con, snapshot, grain, scope)
    frame = flows.with_columns(pl.Series("snapshot_date", snapshot)).join(stocks, on="snapshot_date", how="left")
    return frame.with_columns(
        pl.Series("period_start", [first for first, _ in spans]),
        pl.lit(grain).alias("grain"),
        pl.Series("is_to_date", [last > as_of for _, last in spans]),
        pl.Series("is_maturing", [last > as_of - timedelta(days=SETTLED_AFTER_DAYS) for _, last in spans]),
        _ratio("first_denied_claims", "adjudicated_claims").alias("initial_denial_rate"),
        _ratio("first_pass_resolved_claims", "adjudicated_claims").alias("first_pass_resolution_rate"),
        _ratio("served_payments_amount", "served_collectible_amount").alias("net_collection_rate"),
        (pl.col("balance_amount").cast(pl.Float64) / (pl.col("recent_charge_amount").cast(pl.Float64) / CHARGE_WINDOW_DAYS))
        .replace([float("inf"), float("-inf")], None).fill_nan(None).round(1).alias("days_in_ar"),
        _ratio("ar_over_90_amount", "balance_amount").alias("ar_over_90_share"),
        _ratio("ar_over_120_amount", "balance_amount").alias("ar_over_120_share"),
    )


def _stocks(con: duckdb.DuckDBPyConnection, dates: list[date], grain: str, scope: Scope) -> pl.DataFrame:
    """A/R at each date: month ends from monthly_ar, any other date (a week end, the as-of date) from claim_states."""
    stored = pl.DataFrame(schema={"snapshot_date": pl.Date})
    if grain == "month":
        stored = con.sql(STOCKS_SQL.format(snapshots=STORED_SNAPSHOTS), params={"dates": dates, **scope.params()}).pl()
    missing = sorted(set(dates) - set(stored["snapshot_date"].to_list()))
    computed = stored.clear()
    if missing:
        query = STOCKS_SQL.format(snapshots=COMPUTED_SNAPSHOTS)
        computed = con.sql(query, params={"dates": missing, **scope.params()}).pl()
    empty = pl.DataFrame(schema={"snapshot_date": pl.Date, **{name: pl.Decimal(38, 2) for name in STOCK_COLUMNS}})
    return pl.concat([empty, *(frame for frame in (stored, computed) if not frame.is_empty())], how="diagonal_relaxed")


def _ratio(part: str, whole: str) -> pl.Expr:
    return pl.when(pl.col(whole) != 0).then(pl.col(part).cast(pl.Float64) / pl.col(whole).cast(pl.Float64)).round(4)


def _steps(first: date, last: date, step) -> list[date]:
    days, day = [], first
    while day <= last:
        days.append(day)
        day = step(day)
    return days


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)
