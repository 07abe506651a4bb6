"""First denials by reason: the Denials page's Pareto and payer × category grid, and the board pack's, read by the
same queries (initial_adjudications: each claim's first adjudication known by the as-of date)."""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

from etl.reports.scope import Scope, as_of_in_scope

# First adjudications known by the as-of date, of claims in scope.
ADJUDICATED = f"from initial_adjudications where {as_of_in_scope('adjudicated_date')}"

REASONS_SQL = f"""
    select carc_code, any_value(carc_description) as description, any_value(carc_category) as carc_category,
        count(*) as claim_count, sum(denied_charge_amount) as denied_amount,
        sum(sum(denied_charge_amount)) over (order by sum(denied_charge_amount) desc, carc_code)
            / sum(sum(denied_charge_amount)) over () as cumulative_share
    {ADJUDICATED} and is_denied group by carc_code order by denied_amount desc, carc_code
"""

BY_PAYER_AND_CATEGORY_SQL = f"""
    select payer_name, coalesce(carc_category, 'unknown') as carc_category, count(*) as claim_count,
        sum(denied_charge_amount) as denied_amount
    {ADJUDICATED} and is_denied group by all order by payer_name, carc_category
"""


def reasons(con: duckdb.DuckDBPyConnection, as_of: date, scope: Scope) -> pl.DataFrame:
    """A Pareto of first-denial CARCs: denied dollars and claims, largest first, with the cumulative share of dollars."""
    return con.sql(REASONS_SQL, params={"as_of": as_of, **scope.params()}).pl()


def by_payer_and_category(con: duckdb.DuckDBPyConnection, as_of: date, scope: Scope) -> pl.DataFrame:
    """Denied dollars per payer and CARC category."""
    return con.sql(BY_PAYER_AND_CATEGORY_SQL, params={"as_of": as_of, **scope.params()}).pl()
