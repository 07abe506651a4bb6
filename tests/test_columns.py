"""The column list the pages and exports read their labels and formats from (etl/reference/columns.csv)."""

import polars as pl

from etl.reports import columns


def test_every_listed_column_has_a_label_and_a_known_kind():
    listed = columns.listed()
    assert len(listed) > 100
    assert all(column.label and column.kind in columns.KINDS for column in listed.values())
    assert columns.heading("balance_amount") == "Balance" and columns.describe("balance_amount").kind == "money"
    assert columns.describe("not_listed_here") == ("Not listed here", None, "")


def test_every_money_column_a_mart_gives_the_pages_is_listed_as_money(sample_db):
    """A DECIMAL column of a mart that the list calls something else would be shown without its $."""
    from etl import db as database

    with database.read_connection(sample_db) as con:
        decimals = con.execute(
            "select distinct column_name from duckdb_columns() where data_type like 'DECIMAL(18%' and schema_name = 'main'"
        ).fetchall()
    listed = columns.listed()
    wrong = {name for (name,) in decimals if name in listed and listed[name].kind != "money"}
    assert not wrong, wrong
