"""Open insurance A/R by payer and aging bucket, as rows and as a grid with its totals: the Late payments page's chart
and grid and the board pack's grid, one aggregate (ar_aging: each claim's open balance and bucket as of a date)."""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

from etl.reports.scope import IN_SCOPE, Scope

# The grid's total row and column.
TOTAL = "Total"
# HFMA's A/R over 90 and over 120 days: the days since service past which an open balance counts in each figure.
# etl/reports/kpis.py counts the days; etl/reports/trends.py takes the bands of etl/reference/aging_buckets.csv whose
# first day is past them. Each is the last day of a band there, so the two agree (tests/test_page_queries_layout.py).
AR_OVER_DAYS = {"ar_over_90": 90, "ar_over_120": 120}

# Open A/R per payer and bucket, the one payer x bucket aggregate: DuckDB adds each payer's total (is_total), each
# bucket's over every payer (is_all_payers) and the grand total (grouping sets).
CELLS_SQL = f"""
    select payer_name, aging_bucket, grouping(payer_name) = 1 as is_all_payers, grouping(aging_bucket) = 1 as is_total,
        count(*) as claim_count, sum(balance_amount) as balance_amount
    from ar_aging($as_of, $aging_basis) where {IN_SCOPE}
    group by grouping sets ((payer_name, aging_bucket), (payer_name), (aging_bucket), ())
"""
# The cells of one payer and one bucket, without the totals.
BY_PAYER_SQL = f"""
    select payer_name, aging_bucket, claim_count, balance_amount
    from ({CELLS_SQL})
    where not is_all_payers and not is_total
    order by payer_name, aging_bucket
"""


def bucket_order(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The aging buckets in display order (etl/reference/aging_buckets.csv)."""
    return [bucket for (bucket,) in con.execute("select aging_bucket from aging_buckets order by bucket_order").fetchall()]


def by_payer(con: duckdb.DuckDBPyConnection, as_of: date, basis: str, scope: Scope) -> pl.DataFrame:
    """One row per payer and aging bucket holding open A/R: its claim_count and balance_amount, by payer name then
    bucket; basis is 'service' or 'submission'."""
    return con.sql(BY_PAYER_SQL, params=_params(as_of, basis, scope)).pl()


def grid(con: duckdb.DuckDBPyConnection, as_of: date, basis: str, scope: Scope) -> pl.DataFrame:
    """One row per payer and a last row of all payers (is_all_payers), one column per bucket in order and a Total
    column; basis is 'service' or 'submission'. DuckDB adds the totals (grouping sets)."""
    cells = con.sql(CELLS_SQL, params=_params(as_of, basis, scope)).pl().drop("claim_count")  # the grid shows dollars
    if cells.is_empty():
        return cells
    columns = [*bucket_order(con), TOTAL]  # every bucket, in order, even one holding nothing
    return (
        cells.with_columns(pl.when("is_total").then(pl.lit(TOTAL)).otherwise("aging_bucket").alias("aging_bucket"))
        .pivot(on="aging_bucket", on_columns=columns, index=["payer_name", "is_all_payers"], values="balance_amount")
        .with_columns(pl.when("is_all_payers").then(pl.lit(TOTAL)).otherwise("payer_name").alias("payer_name"),
                      pl.col(columns).fill_null(pl.lit(0).cast(cells.schema["balance_amount"])))
        .sort("is_all_payers", "payer_name", nulls_last=True)
        .select("payer_name", *columns, "is_all_payers")
    )


def _params(as_of: date, basis: str, scope: Scope) -> dict:
    return {"as_of": as_of, "aging_basis": basis, **scope.params()}
