"""Each page shows a known figure of the hand-built practice (tests/fixtures/worklist, worked out in tests/test_kpis.py)
as a practice manager reads it: $ and thousands on money, cents only on a claim, one decimal on shares, whole days, a dash
for what is missing, labels in words, and tiles judged against their benchmark."""

import json
from datetime import date

import pytest
from streamlit.proto.Metric_pb2 import Metric

from etl.load import load_files
from tests.conftest import FIXTURES, open_app
from tests.screen import table_with

AS_OF = date(2026, 11, 26)


@pytest.fixture(scope="module")
def practice(tmp_path_factory):
    db = tmp_path_factory.mktemp("formatted") / "practice.duckdb"
    load_files([FIXTURES / "worklist"], db)
    return db


def opened(practice, monkeypatch, view: str, role: str = "manager", **query):
    page = open_app(practice, monkeypatch, role, view, query_params=query or None)
    if "as_of" in page.session_state:  # the pages with the sidebar's filters
        page.date_input(key="as_of").set_value(AS_OF).run()
    assert not page.exception, page.exception
    return page


def metrics(page) -> dict:
    return {metric.label: metric for metric in page.metric}


def captions(page) -> str:
    return "\n".join(caption.value for caption in page.caption)


def test_overview_tiles_are_formatted_and_judged(practice, monkeypatch):
    page = opened(practice, monkeypatch, "views/overview.py")
    tiles = metrics(page)

    # 1 of 5 first adjudications denied; 30 days earlier (2026-10-27) 1 of 3 (W2 denied, W5 and W8 paid): −13.3 points,
    # grey, since five claims are too few for an interval to tell a change from chance.
    assert (tiles["Initial denial rate"].value, tiles["Initial denial rate"].proto.delta) == ("20.0%", "-13.3 pts")
    assert tiles["Initial denial rate"].proto.color == Metric.MetricColor.GRAY
    # Open A/R 750 ÷ (720 of charges in 90 days ÷ 90) = 93.75 days, shown whole; on 2026-10-27 900 ÷ (920 ÷ 90) = 88.0:
    # +6 days of the whole book, red because fewer days is better.
    assert (tiles["Days in A/R"].value, tiles["Days in A/R"].proto.delta) == ("94", "+6 days")
    assert tiles["Days in A/R"].proto.color == Metric.MetricColor.RED
    # W2 300 + W4 150 of 750 are over 90 days: 60.0% against a benchmark under 20%.
    assert tiles["A/R over 90 days"].value == "60.0%"
    assert ":red[:material/error: Misses the benchmark: under 20%]" in captions(page)
    assert (tiles["Gross charges"].value, tiles["Open insurance A/R"].value) == ("$1,170", "$750")
    assert "of $750 open A/R" in captions(page)

    # Aetna's median over paid claims: W8 18, W5 19, W6 20 days from submission -> 19, labelled as over paid claims only.
    by_payer = {row["Payer"]: row for row in table_with(page, "Median days to pay (paid claims only)")}
    assert by_payer["Aetna"]["Median days to pay (paid claims only)"] == "19"
    assert "Kaplan–Meier median" in captions(page)


def test_payer_scorecard_rows_read_as_money_shares_and_days(practice, monkeypatch):
    rows = {row["Payer"]: row for row in table_with(opened(practice, monkeypatch, "views/payer_scorecard.py"), "Charges")}

    # Aetna: W1 200 + W5 120 + W6 250 + W8 50 charged; W5 70 (after the reversal) + W6 100 + W8 50 paid; 0 of 3 denied.
    assert (rows["Aetna"]["Charges"], rows["Aetna"]["Payments"], rows["Aetna"]["Initial denial rate"]) == ("$620", "$220", "0.0%")
    # Cigna: W2 denied, W4 never answered: 1 of 1 adjudicated denied; nothing paid, so no median (a dash, not None).
    assert (rows["Cigna"]["Initial denial rate"], rows["Cigna"]["Median days to pay"]) == ("100.0%", "—")


def test_late_payments_grid_puts_each_open_dollar_in_its_bucket(practice, monkeypatch):
    grid = {row["Payer"]: row for row in table_with(opened(practice, monkeypatch, "views/late_payments.py"), "91-120 days")}

    # As of 2026-11-26 by date of service: W2 300 (117 days) and W4 150 (178 days) at Cigna; W1 200 (56) and W6's
    # unpaid 100 (42) at Aetna in 31-60.
    assert (grid["Cigna"]["91-120 days"], grid["Cigna"]["120+ days"], grid["Cigna"]["Total"]) == ("$300", "$150", "$450")
    assert (grid["Aetna"]["31-60 days"], grid["Aetna"]["0-30 days"]) == ("$300", "$0")
    assert grid["Total"]["Total"] == "$750"


def test_denials_show_money_and_the_reason_in_words(practice, monkeypatch):
    page = opened(practice, monkeypatch, "views/denials.py")

    assert (metrics(page)["Denied charges"].value, metrics(page)["Denied charges"].proto.delta) == ("$300", "1 of 5 claims")
    reasons = table_with(page, "CARC")
    assert reasons == [{"CARC": "197", "Description": reasons[0]["Description"], "Category": "Authorization referral",
                        "Claims": "1", "Denied charges": "$300", "Cumulative share": "100.0%"}]
    assert reasons[0]["Description"].startswith("Precertification/authorization")
    bars = json.loads(page.get("plotly_chart")[0].proto.spec)["data"][0]
    assert bars["x"] == ["197: Precertification/authorizati…"]  # the code named, its whole description on hover
    assert bars["customdata"] == [reasons[0]["Description"]]


def test_timelines_give_whole_days_and_dollar_forecasts(practice, monkeypatch):
    page = opened(practice, monkeypatch, "views/timelines.py")

    # Aetna, Kaplan–Meier: paid after 18, 19 and 20 days, W1 still waiting after 54. Unpaid share 3/4 after day 18, 1/2
    # after day 19, 1/4 after day 20: the median is the first day it falls strictly below one half, 20 (SAS's rule).
    # The naive mean over the paid claims only is (18 + 19 + 20) / 3 = 19.
    rows = {row["Payer"]: row for row in table_with(page, "Median days")}
    assert (rows["Aetna"]["Median days"], rows["Aetna"]["Naive mean (paid only)"]) == ("20", "19")
    assert all(metric.value.startswith("$") for metric in page.metric)


def test_claim_page_shows_a_claims_balance_to_the_cent(practice, monkeypatch):
    page = opened(practice, monkeypatch, "views/claim.py", claim_id="W6")

    # W6: 250 charged, Aetna paid 100 and wrote off 50: 100.00 still owed.
    assert metrics(page)["Balance"].value == "$100.00"


def test_data_pages_count_with_thousands_and_label_in_words(practice, monkeypatch):
    loaded = opened(practice, monkeypatch, "views/data_loaded.py", role="admin")
    assert (metrics(loaded)["Files loaded"].value, metrics(loaded)["Claim submissions"].value) == ("2", "8")
    counts = {row["Table"]: row["Rows"] for row in table_with(loaded, "Rows")}
    assert counts["claims"] == "8"

    quality = opened(practice, monkeypatch, "views/data_quality.py", role="admin")
    history = table_with(quality, "Records loaded")
    assert sorted(row["Records loaded"] for row in history) == ["8", "9"]  # the rows of claims.csv and of remits.csv


def test_the_overview_offers_the_board_pack_as_a_logged_download(practice, monkeypatch):
    page = opened(practice, monkeypatch, "views/overview.py")
    page.button(key="prepare_board_pack").click().run()

    assert not page.exception
    downloads = [element for element in page.get("download_button")]
    assert [element.proto.label for element in downloads] == ["Download HTML", "Download PDF"]
    prepared = page.session_state["board_pack"]
    assert prepared["name"] == "board_pack_2026-11-26" and prepared["pdf"].startswith(b"%PDF")
    assert b'data-money="Gross charges">$1,170<' in prepared["html"]  # the pack's figures are the page's
