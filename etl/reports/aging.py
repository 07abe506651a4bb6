"""Open insurance A/R as a payer × aging bucket grid with its totals: the Late payments page's grid and the board
pack's, one query (ar_aging: each claim's open balance and bucket as of a date)."""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

from etl.reports.scope import IN_SCOPE, Scope

# The grid's total row and column.
TOTAL = "Total"

CELLS_SQL = f"""
    select payer_name, aging_bucket, grouping(payer_name) = 1 as is_all_payers, grouping(aging_bucket) = 1 as is_total,
        sum(balance_amount) as balance_amount
    from ar_aging($as_of, $aging_basis) where {IN_SCOPE}
    group by grouping sets ((payer_name, aging_bucket), (payer_name), (aging_bucket), ())
"""


def bucket_order(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The aging buckets in display order (etl/reference/aging_buckets.csv)."""
    return [bucket for (bucket,) in con.execute("select aging_bucket from aging_buckets order by bucket_order").fetchall()]


def grid(con: duckdb.DuckDBPyConnection, as_of: date, basis: str, scope: Scope) -> pl.DataFrame:
    """One row per payer and a last row of all payers (is_all_payers), one column per bucket in order and a Total
    column; basis is 'service' or 'submission'. DuckDB adds the totals (grouping sets)."""
    cells = con.sql(CELLS_SQL, params={"as_of": as_of, "aging_basis": basis, **scope.params()}).pl()
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
