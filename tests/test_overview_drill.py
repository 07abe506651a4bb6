"""The Overview's tiles drilled into their claims, on the manager's month-end practice (tests/fixtures/manager_month_end):
each tile's button opens exactly the claims its figure counts, worked out by hand here and held to `claimscope kpis`;
and a change with no comparable period says so in words.

The practice as of 2026-11-05 (insurance claims; M9 is self-pay and left out of everything):

    claim payer     served      charge  answered                              open  days since service
    M1    Aetna     2026-10-02  400.00  never                                 400   34
    M2    Aetna     2026-10-10  300.00  2026-10-30 paid 200, CO-45 100          0   26
    M3    Cigna     2026-10-20  250.00  never                                 250   16
    M4    Medicare  2026-10-28  170.00  never                                 170    8
    M5    Cigna     2026-05-04  500.00  never                                 500  185
    M6    Aetna     2026-06-15  210.00  2026-07-15 paid 60, CO-45 40          110  143
    M7    Medicare  2026-07-20  180.00  never                                 180  108
    M8    Cigna     2026-04-01   90.00  2026-05-20 paid 90                      0  218
    M10   Aetna     2026-07-08   60.00  never                                  60  120 (not over 120)
    M11   Cigna     2026-09-15  130.00  2026-10-10 denied CO-197              130   51
"""

from datetime import date
from decimal import Decimal

import pytest

from etl import db as database
from etl.load import load_files
from etl.reports.kpis import kpis
from etl.reports.scope import Scope
from tests.conftest import FIXTURES, open_app

AS_OF = date(2026, 11, 5)
PRACTICE = FIXTURES / "manager_month_end"
# Every date on file: the first service date (M8, 2026-04-01) to the as-of date.
EVERY_DATE = Scope(start=date(2026, 4, 1), end=AS_OF)


@pytest.fixture(scope="module")
def practice(tmp_path_factory):
    db = tmp_path_factory.mktemp("month_end") / "practice.duckdb"
    load_files([PRACTICE], db)
    return db


def overview(practice, monkeypatch):
    return open_app(practice, monkeypatch, "manager", query_params={"as_of": AS_OF.isoformat(), "dates": "all"})


def drilled(page) -> tuple[str, list[str]]:
    """The sentence over the drilled claims and their ids, top to bottom."""
    table = next(frame.value for frame in page.dataframe if "claim_id" in frame.value.columns)
    said = next(text.value for text in page.markdown if text.value.startswith("**") and " claim" in text.value)
    return said.strip("*"), list(table["claim_id"])


def test_the_a_r_over_120_tile_opens_exactly_its_claims(practice, monkeypatch):
    page = overview(practice, monkeypatch)
    assert {metric.label: metric.value for metric in page.metric}["A/R over 120 days"] == "33.9%"

    page.button(key="drill_ar_over_120_share").click().run()

    assert not page.exception
    said, claims = drilled(page)
    # Open and more than 120 days from service: M5 500.00 (185 days) and M6 110.00 (143 days), 610.00 of the 1,800.00
    # open (400 + 250 + 170 + 500 + 110 + 180 + 60 + 130), 33.9%. Not M10, exactly 120 days old; not M8, 218 days old
    # but paid; not M9, self-pay. Before, the one list held all eleven claims.
    assert claims == ["M5", "M6"]
    assert said == "2 claims with $610.00 open, of $1,800.00 open A/R: A/R over 120 days 33.9%"
    assert page.selectbox(key="claims_behind").value == "ar_over_120_share"


# Each tile's claims by hand, and what they add up to in the tile's terms.
TILES = [
    # first adjudications: M8, M6, M11 (denied) and M2: 1 of 4
    ("initial_denial_rate", ["M11"], "1 claim first denied, $130.00 of charges, of 4 adjudicated: Initial denial rate 25.0%"),
    # paid on the first remittance with nothing after it: M2 200, M8 90, M6 60 of 4 adjudicated
    ("first_pass_resolution_rate", ["M2", "M8", "M6"],
     "3 claims paid on their first remittance, of 4 adjudicated: First-pass resolution 75.0%"),
    # served by 2026-08-07, 90 days back: paid 60 + 90 = 150 of collectible 500 + 180 + (210 - 40) + 90 + 60 = 1,000
    ("net_collection_rate", ["M5", "M7", "M6", "M8", "M10"],
     "5 claims served at least 90 days before the as-of date: $150.00 paid of $1,000.00 collectible, Net collection rate 15.0%"),
    # every open claim: 1,800.00; charges served 2026-08-08 to 2026-11-05: M1 400 + M2 300 + M3 250 + M4 170 + M11 130
    # = 1,250.00 over 90 days; 1,800 / (1,250 / 90) = 129.6 days
    ("days_in_ar", ["M5", "M1", "M3", "M7", "M4", "M11", "M6", "M10"],
     "8 claims with $1,800.00 open; charges of $1,250.00 over 90 days: Days in A/R 130"),
    # over 90 days: M5, M7 (108), M6, M10 (120): 500 + 180 + 110 + 60 = 850, 47.2%
    ("ar_over_90_share", ["M5", "M7", "M6", "M10"], "4 claims with $850.00 open, of $1,800.00 open A/R: A/R over 90 days 47.2%"),
]


@pytest.mark.parametrize(("figure", "claims", "said"), TILES, ids=[figure for figure, _, _ in TILES])
def test_each_tile_opens_the_claims_its_figure_counts(practice, monkeypatch, figure, claims, said):
    page = overview(practice, monkeypatch)

    page.button(key=f"drill_{figure}").click().run()

    assert not page.exception
    assert drilled(page) == (said, claims)


def test_the_drilled_claims_add_up_to_what_claimscope_kpis_counts(practice, monkeypatch):
    with database.read_connection(practice) as con:
        figures = kpis(con, AS_OF, EVERY_DATE)
    page = overview(practice, monkeypatch)
    page.session_state["claims_behind_open"] = True
    page.run()

    def total(figure: str, column: str) -> tuple[int, Decimal]:
        page.selectbox(key="claims_behind").set_value(figure).run()
        table = next(frame.value for frame in page.dataframe if "claim_id" in frame.value.columns)
        return len(table), sum(table[column], Decimal(0))

    assert total("initial_denial_rate", "denied_charge_amount")[0] == figures["first_denied_claims"] == 1
    assert total("first_pass_resolution_rate", "paid_to_date_amount")[0] == figures["first_pass_resolved_claims"] == 3
    assert total("net_collection_rate", "paid_to_date_amount")[1] == figures["settled_payments"] == Decimal("150.00")
    assert total("net_collection_rate", "collectible_amount")[1] == figures["settled_collectible"] == Decimal("1000.00")
    assert total("days_in_ar", "balance_amount")[1] == figures["open_ar"] == Decimal("1800.00")
    assert total("ar_over_90_share", "balance_amount")[1] == figures["ar_over_90"] == Decimal("850.00")
    assert total("ar_over_120_share", "balance_amount")[1] == figures["ar_over_120"] == Decimal("610.00")
    # and the money list, every claim in scope, adds up to the money figures
    page.selectbox(key="claims_behind").set_value("money").run()
    assert total("money", "charge_amount") == (10, figures["gross_charges"]) == (10, Decimal("2290.00"))
    assert not page.exception


def test_a_change_with_nothing_to_compare_says_so_in_words(practice, monkeypatch):
    page = overview(practice, monkeypatch)
    page.selectbox(key="date_preset").set_value("last_month").run()

    assert not page.exception
    tiles = {metric.label: metric for metric in page.metric}
    captions = [caption.value for caption in page.caption]
    # October, as of 2026-11-05: M2 the one first adjudication (paid), 0 of 1. The month before, September as of
    # 2026-10-05: M11 served, not yet answered (denied on 2026-10-10), so no denial or first-pass rate to change from.
    # The line was blank; now it says so, whole, in a caption (a metric's delta line is cut short in a tile).
    assert (tiles["Initial denial rate"].value, tiles["Initial denial rate"].proto.delta) == ("0.0%", "")
    assert (tiles["First-pass resolution"].value, tiles["First-pass resolution"].proto.delta) == ("100.0%", "")
    assert captions.count(":gray[:material/remove: No change to show: no figure for the month before]") == 2
    # nothing served in October is 90 days old by 5 November: no net collection rate now, and it says that instead
    assert (tiles["Net collection rate"].value, tiles["Net collection rate"].proto.delta) == ("—", "")
    assert captions.count(":gray[:material/remove: No change to show: no figure for this period]") == 1
    # Days in A/R: 820 open (M1 400 + M3 250 + M4 170) on October's 1,120 of charges over its 31 days: 22.7, shown 23;
    # September's M11, 130 open on 130 over 30 days: 30.0. Down 7.3 days, shown -7: a change there is, and it shows.
    assert (tiles["Days in A/R"].value, tiles["Days in A/R"].proto.delta) == ("23", "-7 days")
