"""The headline figures period by period: flows counted in the month (or, for a range under three months, the week)
they happened, and A/R as it stood at each period's end. The date range chooses the periods; payers and providers
narrow the claims."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import polars as pl

from etl.measures import CHARGE_WINDOW_DAYS
from etl.reports.aging import AR_OVER_DAYS
from etl.reports.kpis import SETTLED_AFTER_DAYS
from etl.reports.scope import IN_PAYERS_AND_PROVIDERS, Scope
from etl.sql_files import statement

# The A/R-over cut-offs as stocks.sql binds them ($ar_over_90_days, $ar_over_120_days): the KPIs' own (aging.py).
AR_OVER_CUT_OFFS = {f"{figure}_days": days for figure, days in AR_OVER_DAYS.items()}


# A range shorter than this is shown week by week: three monthly points say little.
WEEKLY_BELOW_DAYS = 90

# The A/R figures sql/reports/trends/stocks.sql gives at each date.
STOCK_COLUMNS = ("balance_amount", "ar_over_90_amount", "ar_over_120_amount", "recent_charge_amount")


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
    flows_sql = statement("reports/trends/flows", payers_and_providers=IN_PAYERS_AND_PROVIDERS)
    flows = con.sql(flows_sql, params={**params, "starts": [first for first, _ in spans], "ends": snapshot}).pl()
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
        stored = con.sql(_stocks_sql("monthly_ar"), params={"dates": dates, **AR_OVER_CUT_OFFS, **scope.params()}).pl()
    missing = sorted(set(dates) - set(stored["snapshot_date"].to_list()))
    computed = stored.clear()
    if missing:
        contributions = statement("ledger/statements/contributions", states="claim_states",
                                  ends=f"({statement('reports/trends/snapshot_dates')})", charge_window=CHARGE_WINDOW_DAYS)
        computed = con.sql(_stocks_sql(f"({contributions})"), params={"dates": missing, **AR_OVER_CUT_OFFS, **scope.params()}).pl()
    empty = pl.DataFrame(schema={"snapshot_date": pl.Date, **{name: pl.Decimal(38, 2) for name in STOCK_COLUMNS}})
    return pl.concat([empty, *(frame for frame in (stored, computed) if not frame.is_empty())], how="diagonal_relaxed")


def _stocks_sql(snapshots: str) -> str:
    """A/R at each of $dates from a relation shaped like monthly_ar (sql/reports/trends/stocks.sql)."""
    return statement("reports/trends/stocks", snapshots=snapshots, payers_and_providers=IN_PAYERS_AND_PROVIDERS)


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
