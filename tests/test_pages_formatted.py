"""Each page shows a known figure of the hand-built practice (tests/fixtures/worklist, worked out in tests/test_kpis.py;
the coding audits of tests/fixtures/csv/hand_made) as a practice manager reads it: $ and thousands on money, cents only
on a claim, one decimal on shares, whole days, a dash for what is missing, labels in words, and tiles judged against
their benchmark."""

import json
import shutil
from datetime import date

import pytest
from streamlit.proto.Metric_pb2 import Metric

from etl import db as database
from etl.access import audit_trail
from etl.load import load_files
from tests.conftest import FIXTURES, HAND_MADE, open_app
from tests.screen import table_with

AS_OF = date(2026, 11, 26)


@pytest.fixture(scope="module")
def practice(tmp_path_factory):
    db = tmp_path_factory.mktemp("formatted") / "practice.duckdb"
    load_files([FIXTURES / "worklist"], db)
    return db


@pytest.fixture(scope="module")
def audited_practice(tmp_path_factory):
    """The hand-made claims with their coding audits (tests/fixtures/csv/hand_made/audits.csv)."""
    db = tmp_path_factory.mktemp("audited") / "practice.duckdb"
    load_files([HAND_MADE], db)
    return db


@pytest.fixture
def practice_copy(practice, tmp_path):
    """The practice in a database of this test's own, for a test that writes to its audit trail: the file with its
    keys and the audit chain's checkpoint beside it."""
    for file in practice.parent.glob(f"{practice.name}*"):
        shutil.copy(file, tmp_path / file.name)
    return tmp_path / practice.name


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


def column_help(page, heading: str) -> str:
    """The tooltip of the column headed `heading` in the first table that has it."""
    for element in page.dataframe:
        for settings in json.loads(element.proto.columns or "{}").values():
            if settings.get("label") == heading:
                return settings.get("help", "")
    raise AssertionError(f"no column headed {heading!r} on the page")


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


def test_overview_this_month_is_compared_with_the_same_days_of_last_month(practice, monkeypatch):
    page = opened(practice, monkeypatch, "views/overview.py")
    page.selectbox(key="date_preset").set_value("this_month").run()
    tiles = metrics(page)

    # Served 1-26 Nov: W3 alone (W7 is self-pay), settled on 25 Nov (60 paid, 30 CO-45, 10 PR): no open A/R, 0 days.
    # The same days of October, seen on 26 Oct: W1 200 and W6 250 open (W8 paid), on 200 + 250 + 50 = 500 of charges
    # over those 26 days: 450 / (500 / 26) = 23.4 days. A fall of 23 days, green since fewer days is better. (Against
    # 30 days earlier, 27 Oct, no claim served in November was on file yet, and every change vanished.)
    assert (tiles["Days in A/R"].value, tiles["Days in A/R"].proto.delta) == ("0", "-23 days")
    assert tiles["Days in A/R"].proto.color == Metric.MetricColor.GREEN
    # W3 paid first time, as W8 was in October: 0 of 1 denied both times.
    assert (tiles["Initial denial rate"].value, tiles["Initial denial rate"].proto.delta) == ("0.0%", "0.0 pts")
    said = "the same days of last month: claims served 2026-10-01 to 2026-10-26, as of 2026-10-26"
    assert f"changes against {said}" in captions(page)
    assert f"The change is against {said}." in tiles["Days in A/R"].proto.help


def test_overview_naive_median_says_it_counts_paid_claims_only(practice, monkeypatch):
    page = opened(practice, monkeypatch, "views/overview.py")

    shown = column_help(page, "Median days to pay (paid claims only)")
    assert "paid by the as-of date only" in shown and "claims still waiting are left out" in shown
    assert "censored" not in shown  # the Kaplan–Meier median's tooltip, which contradicted the caption beside it


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
    # The stage-lag boxes arrive as quartiles, not as every claim's days: Aetna's service-to-submission lags are
    # 1, 1, 2, 2 (tests/test_timelines.py works the quartiles out): Q1 1, median 1.5, Q3 2.
    [box] = json.loads(next(chart for chart in page.get("plotly_chart") if "lag_charge_lag_days" in chart.proto.id)
                       .proto.spec)["data"]
    aetna = box["x"].index("Aetna")
    assert (box["q1"][aetna], box["median"][aetna], box["q3"][aetna]) == (1.0, 1.5, 2.0)
    assert "y" not in box


def test_claim_page_shows_a_claims_balance_to_the_cent(practice, monkeypatch):
    page = opened(practice, monkeypatch, "views/claim.py", claim_id="W6")

    # W6: 250 charged, Aetna paid 100 and wrote off 50: 100.00 still owed.
    assert metrics(page)["Balance"].value == "$100.00"


def test_audit_log_shows_an_entry_as_it_was_recorded(practice_copy, monkeypatch):
    with database.write_connection(practice_copy) as con:
        audit_trail.record(con, "mara", "manager", "export", ["W2", "W4"], {"rows": 2})
    page = opened(practice_copy, monkeypatch, "views/audit_log.py", role="admin")

    entries = table_with(page, "Objects")
    [export] = [row for row in entries if row["Action"] == "export"]
    assert (export["User"], export["Role"], export["Objects"], export["Details"]) == ("mara", "manager", "W2, W4", '{"rows": 2}')
    # the key beside the database (no CLAIMSCOPE_AUDIT_KEY_FILE): nothing broken, and said to be weak evidence
    assert not page.success and "No break found, but tamper evidence is weak" in page.warning[0].value
    at = next(settings for settings in json.loads(page.dataframe[0].proto.columns).values() if settings.get("label") == "At")
    assert at["type_config"]["format"] == "YYYY-MM-DD HH:mm"  # to the minute, as the browser shows it


def test_audit_log_page_says_the_chain_holds_with_the_key_outside_and_names_an_edit(practice_copy, monkeypatch, tmp_path):
    monkeypatch.setenv("CLAIMSCOPE_AUDIT_KEY_FILE", str(tmp_path / "vault" / "claimscope.audit-key"))
    (tmp_path / "vault").mkdir()
    with database.write_connection(practice_copy) as con:
        audit_trail.record(con, "mara", "manager", "export", ["W2", "W4"], {"rows": 2})
        audit_trail.record(con, "mara", "manager", "export", ["W6"], {"rows": 1})

    page = opened(practice_copy, monkeypatch, "views/audit_log.py", role="admin")
    assert "The hash chain holds and reaches its signed checkpoint" in page.success[0].value

    with database.write_connection(practice_copy) as con:  # someone with the database file rewrites what was exported
        [(edited,)] = con.execute("update audit_log set object_ids = ['W6', 'W7'] where entry_id = (select max(entry_id)"
                                  " from audit_log where action = 'export' and object_ids = ['W6']) returning entry_id").fetchall()
    page = opened(practice_copy, monkeypatch, "views/audit_log.py", role="admin")
    assert not page.success and page.error[0].value.startswith(f"The audit log breaks at entry {edited}: ")


def test_coder_accuracy_gives_each_coders_share_right_with_its_exact_interval(audited_practice, monkeypatch):
    rows = {row["Coder"]: row for row in table_with(opened(audited_practice, monkeypatch, "views/coder_accuracy.py"), "Claim accuracy")}

    # CD1: C1001 right (2 codes agree), C1003 downcoded (+55.00 impact, so 55.00 underbilled): 1 of 2 claims, 2 of 3 codes.
    # Clopper–Pearson for 1 of 2: 1 − √0.975 = 1.26% to √0.975 = 98.74%, which straddles the 95% target.
    assert (rows["CD1"]["Claims audited"], rows["CD1"]["Claim accuracy"], rows["CD1"]["Code accuracy"]) == ("2", "50.0%", "66.7%")
    assert (rows["CD1"]["95% CI low"], rows["CD1"]["95% CI high"]) == ("1.3%", "98.7%")
    assert rows["CD1"]["Against target"] == "not yet known: audit more claims"
    assert rows["CD1"]["Overpayment"] == "-$55"
    # CD2: C1002 right, C1004 upcoded (−45.00 impact): 1 of 2 claims, 1 of 2 codes, 45.00 overbilled.
    assert (rows["CD2"]["Claim accuracy"], rows["CD2"]["Code accuracy"], rows["CD2"]["Overpayment"]) == ("50.0%", "50.0%", "$45")


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
    # named for its scope: the claims served 2026-06-01 (the first on file) to the as-of date
    assert prepared["name"] == "claimscope-board-pack-2026-06-01_2026-11-26" and prepared["pdf"].startswith(b"%PDF")
    assert b'data-money="Gross charges">$1,170<' in prepared["html"]  # the pack's figures are the page's


def test_downloading_the_board_pack_is_written_to_the_audit_trail(practice_copy, monkeypatch):
    page = opened(practice_copy, monkeypatch, "views/overview.py")
    page.button(key="prepare_board_pack").click().run()
    prepared = page.session_state["board_pack"]

    html = next(button for button in page.download_button if button.proto.label == "Download HTML")
    html.click().run()

    assert not page.exception
    with database.read_connection(practice_copy) as con:
        logged = con.execute("select user_name, object_ids, details->>'format', details->>'data_hash', details->'filters'->>'as_of'"
                             " from audit_log where action = 'board_pack_download'").fetchall()
    assert logged == [("test-manager", ["claimscope-board-pack-2026-06-01_2026-11-26.html"], "html", prepared["data_hash"], "2026-11-26")]


def test_overview_last_month_averages_that_months_charges_and_does_not_judge_what_it_cannot_hold(practice, monkeypatch):
    page = opened(practice, monkeypatch, "views/overview.py")
    page.selectbox(key="date_preset").set_value("last_month").run()
    tiles = metrics(page)

    # Served in October, seen on 26 Nov: W1 200 and W6 100 open (W8 paid), on W1 200 + W6 250 + W8 50 = 500 of charges
    # over October's 31 days: 300 / (500 / 31) = 18.6 days, shown 19 (dividing by 90 days said 54).
    assert tiles["Days in A/R"].value == "19"
    assert "on $300 open A/R; charges over 31 days" in captions(page)
    # No claim served since 1 Oct is 91 days old on 26 Nov: the share over 90 days is 0 by construction, not judged.
    assert tiles["A/R over 90 days"].value == "0.0%"
    said = captions(page)
    assert "Not judged: no claim served since 2026-10-01 is over 90 days old yet. Widen the dates to judge it." in said
    assert "Not judged: no claim served since 2026-10-01 is over 120 days old yet. Widen the dates to judge it." in said
    assert "Meets the benchmark: under 15%" not in said


def test_the_worklist_says_claim_statuses_and_categories_in_words_and_the_priority_as_a_number(practice, monkeypatch):
    rows = {row["Claim"]: row for row in table_with(opened(practice, monkeypatch, "views/late_payments.py"), "Last claim status")}

    # W2: Cigna's 835 answered CLP02 4 with CO-197 (authorization/referral); 300.00 x 30% x 1.0 = 90, ranked, not dollars
    assert (rows["W2"]["Last claim status"], rows["W2"]["Claim status"], rows["W2"]["Category"]) == (
        "Denied", "Denied", "Authorization referral")
    assert rows["W2"]["Priority"] == "90"
    # W6: Aetna paid 100.00 of 250.00 under CLP02 1; W1 was never answered, so it has no status, a dash
    assert (rows["W6"]["Last claim status"], rows["W6"]["Category"]) == ("Processed as Primary", "Partial payment")
    assert (rows["W1"]["Last claim status"], rows["W1"]["Claim status"], rows["W1"]["Category"]) == ("—", "No response", "No response")


def test_the_prepared_board_pack_is_granted_to_its_session_and_logged_at_each_fetch(practice_copy, monkeypatch):
    # The pack's bytes sit at /media/<id> once prepared: dashboard/asgi.py serves them only to the grant's owner and
    # writes the entry at each fetch (dashboard/downloads.py), as for every other export.
    from dashboard.downloads import DOWNLOADS, Owner

    page = opened(practice_copy, monkeypatch, "views/overview.py")
    page.button(key="prepare_board_pack").click().run()
    html = next(button for button in page.download_button if button.proto.label == "Download HTML")
    media_id = html.proto.url.rsplit("/", 1)[-1].split(".")[0]

    assert DOWNLOADS.is_download(media_id)
    assert DOWNLOADS.granted(media_id, lambda owner: owner == Owner("session", "someone else's")) is None
    grant = DOWNLOADS.granted(media_id, lambda owner: True)
    grant.record()  # what the server does at a fetch
    with database.read_connection(practice_copy) as con:
        logged = con.execute("select user_name, object_ids, details->>'format' from audit_log"
                             " where action = 'board_pack_download'").fetchall()
    assert logged == [("test-manager", ["claimscope-board-pack-2026-06-01_2026-11-26.html"], "html")]
