"""The Late payments page's aging grid and A/R roll rates on a two-month hand-made practice (tests/fixtures/roll_rates):
where the dollars open at 2026-09-30 went by 2026-10-31, and the grid's totals, worked out by hand.

On 2026-09-30, aged from the date of service:
  0-30   R3 120 (15 days), R7 70 (29), R8 10 (Cigna, 20)                  = 200.00
  31-60  R1 300 (41 days), R2 100 (36)                                    = 400.00
  61-90  R4 80 (82 days)                                                  =  80.00
R5 is served only on 2026-10-10 and R6 was paid in full on 2026-09-10, so neither counts.
By 2026-10-31: R1 paid 200, CO-45 70, PR-2 30 (closed); R2 paid 40, CO-45 30, and its CO-197 30 denial stays open, now
67 days old (61-90); R3 (46 days) and R8 (51) rolled into 31-60 unanswered; R4 (113 days) into 91-120; R7 was voided
on 2026-10-05 (CLM05-3 8, claims_void.csv).

On 2026-11-15 the open A/R is Aetna R5 60 (36 days, 31-60), R2 30 (82 days) and R3 120 (61), both 61-90, R4 80 (128,
120+): 290.00; and Cigna R8 10 (66 days, 61-90): 300.00 in all.
"""

from datetime import date
from decimal import Decimal

import polars as pl
import pytest

from etl import db as database
from etl.load import load_files
from etl.reports.kpis import kpis
from etl.reports.roll_rates import roll_months, roll_rates
from etl.reports.scope import Scope
from tests.conftest import FIXTURES, open_app

AS_OF = date(2026, 10, 31)


@pytest.fixture(scope="module")
def practice(tmp_path_factory):
    db = tmp_path_factory.mktemp("roll_rates") / "roll_rates.duckdb"
    load_files([FIXTURES / "roll_rates"], db)
    return db


def matrix(db, as_of: date = AS_OF, scope: Scope = Scope()) -> dict[str, dict[str, Decimal]]:
    """Bucket -> outcome -> dollars, leaving out the outcomes that moved nothing."""
    with database.read_connection(db) as con:
        rows = roll_rates(con, as_of, scope)
    cells = {}
    for row in rows.iter_rows(named=True):
        bucket = cells.setdefault(row["aging_bucket"], {"balance": row["balance_amount"]})
        if row["amount"]:
            bucket[row["outcome"]] = row["amount"]
    return cells


@pytest.mark.parametrize(("as_of", "months"), [
    (date(2026, 10, 31), (date(2026, 9, 30), date(2026, 10, 31))),  # a month end counts its own month
    (date(2026, 11, 15), (date(2026, 9, 30), date(2026, 10, 31))),  # November has not ended
    (date(2026, 3, 31), (date(2026, 2, 28), date(2026, 3, 31))),
])
def test_the_roll_runs_over_the_last_month_that_has_ended(as_of, months):
    assert roll_months(as_of) == months


def test_the_roll_rate_matrix_is_the_hand_computed_one(practice):
    assert matrix(practice) == {
        # R7's 70 was closed by its void; R3's 120 and R8's 10 rolled on: 130 / 200 = 65%
        "0-30": {"balance": Decimal("200.00"), "corrected or closed": Decimal("70.00"), "open 31-60": Decimal("130.00")},
        # paid 200 + 40 = 240 (60%), adjusted 70 + 30 = 100 (25%), moved to patient 30 (7.5%), R2's 30 rolled (7.5%)
        "31-60": {"balance": Decimal("400.00"), "paid": Decimal("240.00"), "adjusted": Decimal("100.00"),
                  "moved to patient": Decimal("30.00"), "open 61-90": Decimal("30.00")},
        "61-90": {"balance": Decimal("80.00"), "open 91-120": Decimal("80.00")},
    }
    with database.read_connection(practice) as con:
        rows = roll_rates(con, AS_OF)
    shares = {(row["aging_bucket"], row["outcome"]): row["share"] for row in rows.iter_rows(named=True)}
    assert (shares[("31-60", "paid")], shares[("31-60", "adjusted")], shares[("31-60", "open 61-90")]) == (0.6, 0.25, 0.075)
    assert shares[("0-30", "open 31-60")] == 0.65
    # every row is complete, in bucket order, and adds up to 100%
    assert rows["outcome"].to_list()[:9] == ["paid", "adjusted", "moved to patient", "corrected or closed",
                                             "open 0-30", "open 31-60", "open 61-90", "open 91-120", "open 120+"]
    assert rows.group_by("aging_bucket").agg(pl.col("share").sum())["share"].to_list() == pytest.approx([1.0] * 3)


def test_the_dollars_open_at_the_earlier_month_end_are_monthly_ars(practice):
    with database.read_connection(practice) as con:
        stored = dict(con.sql("select aging_bucket, sum(balance_amount) from monthly_ar where month_end = date '2026-09-30'"
                              " group by aging_bucket").fetchall())
    assert {bucket: cells["balance"] for bucket, cells in matrix(practice).items()} == stored


def test_the_roll_narrows_to_the_scope(practice):
    # Aetna alone: R8 (Cigna, 10.00) leaves 0-30, so 120 of R3 rolls on out of 190
    aetna = matrix(practice, scope=Scope(payers=("60054",)))
    assert aetna["0-30"] == {"balance": Decimal("190.00"), "corrected or closed": Decimal("70.00"), "open 31-60": Decimal("120.00")}


PAGE_AS_OF = date(2026, 11, 15)  # November has not ended: the roll runs from 2026-09-30 to 2026-10-31
BUCKETS = ["0-30", "31-60", "61-90", "91-120", "120+"]


@pytest.fixture(scope="module")
def late_payments(practice):
    """The Late payments page as of 2026-11-15, every payer in scope; tests read it, and only select cells."""
    with pytest.MonkeyPatch.context() as patch:
        page = open_app(practice, patch, "manager", "views/late_payments.py")
        page.session_state["roll_rates_open"] = True  # the roll rates are read when their expander is opened
        page.date_input(key="as_of").set_value(PAGE_AS_OF).run()
        yield page


def shown(page, column: str):
    """The first table on the page with this column, as the page drew it."""
    return next(frame.value for frame in page.dataframe if column in frame.value.columns)


def test_late_payments_page_shows_the_roll_rate_matrix(late_payments):
    assert not late_payments.exception
    assert "Where last month's open A/R went" in [heading.value for heading in late_payments.subheader]
    rolled = shown(late_payments, "open 91-120").set_index("aging_bucket")
    assert list(rolled.index) == ["0-30", "31-60", "61-90"]
    assert str(rolled.loc["31-60", "balance_amount"]) == "400.00"
    assert rolled.loc["31-60", "paid"] == 0.6 and rolled.loc["61-90", "open 91-120"] == 1.0


def grid_adds_up(grid) -> bool:
    """Each payer's Total is its row's sum, each bucket's Total its column's sum, and the corner both."""
    payers, total = grid[~grid["is_all_payers"]], grid[grid["is_all_payers"]].iloc[0]
    return (all(row[BUCKETS].sum() == row["Total"] for _, row in grid.iterrows())
            and all(payers[column].sum() == total[column] for column in [*BUCKETS, "Total"]))


def open_ar(db, page) -> Decimal:
    """What the Overview and `claimscope kpis` give as open A/R for the page's own scope."""
    with database.read_connection(db) as con:
        return kpis(con, PAGE_AS_OF, page.session_state["filters"].scope)["open_ar"]


def test_the_aging_grid_adds_up_to_the_open_ar_of_the_pages_scope(practice, late_payments):
    grid = shown(late_payments, "is_all_payers")

    assert list(grid.columns) == ["payer_name", *BUCKETS, "Total", "is_all_payers"]  # every bucket, in order
    assert [str(value) for value in grid.set_index("payer_name").loc["Aetna", [*BUCKETS, "Total"]]] == [
        "0.00", "60.00", "150.00", "0.00", "80.00", "290.00"]
    assert grid_adds_up(grid)
    # the corner is the chart's A/R and the Overview's open A/R for the same scope
    assert str(grid.set_index("payer_name").loc["Total", "Total"]) == str(open_ar(practice, late_payments)) == "300.00"


def test_selecting_a_grid_cell_lists_its_claims(late_payments):
    aetna = list(shown(late_payments, "is_all_payers")["payer_name"]).index("Aetna")

    late_payments.session_state["aging_grid"] = {"selection": {"rows": [], "columns": [], "cells": [[aetna, "61-90"]]}}
    late_payments.run()

    assert not late_payments.exception
    claims = shown(late_payments, "aging_bucket")  # the grid and the roll matrix name no aging_bucket column
    assert list(zip(claims["claim_id"], claims["balance_amount"].astype(str))) == [("R3", "120.00"), ("R2", "30.00")]


def test_the_aging_grid_narrows_with_the_sidebar_and_still_adds_up(practice, monkeypatch):
    page = open_app(practice, monkeypatch, "manager", "views/late_payments.py")
    page.date_input(key="as_of").set_value(PAGE_AS_OF).run()
    page.multiselect(key="payers").select("62308").run()

    grid = shown(page, "is_all_payers")
    assert not page.exception
    assert list(grid["payer_name"]) == ["Cigna", "Total"]
    assert grid_adds_up(grid)
    assert str(grid.set_index("payer_name").loc["Total", "Total"]) == str(open_ar(practice, page)) == "10.00"
