"""The Claim page's summary card on the hand-made practice: status, balance, deadline and next action as the worklist
has them, the work item, the coding audit for roles that see audits, and no good-news note on an unanswered claim."""

from datetime import date

import pytest

from dashboard.filters import Filters
from etl import db as database
from etl.load import load_files
from etl.reports.scope import Scope
from etl.work import items
from tests.conftest import HAND_MADE, open_app

AS_OF = date(2026, 11, 26)


@pytest.fixture(scope="module")
def practice(tmp_path_factory):
    """The hand-made set, with C1004 worked by dana: in progress, to look at again on 2026-12-15."""
    db = tmp_path_factory.mktemp("claim_card") / "practice.duckdb"
    load_files([HAND_MADE], db)
    dana = items.Actor("dana", "biller")
    with database.write_connection(db) as con:
        items.assign(con, ["C1004"], "dana", dana)
        items.set_status(con, ["C1004"], "in_progress", dana)
        items.set_follow_up(con, ["C1004"], date(2026, 12, 15), dana)
    return db


def claim_page(db, monkeypatch, role: str, claim_id: str, on_file: bool = False):
    page = open_app(db, monkeypatch, role, "views/claim.py")
    page.session_state["filters"] = Filters(AS_OF, Scope())  # the as-of date a report page set
    page.session_state["claim_on_file_open"] = on_file
    page.text_input[0].set_value(claim_id).run()
    assert not page.exception
    return page


def test_the_card_shows_status_balance_deadline_next_action_and_work_item(practice, monkeypatch):
    page = claim_page(practice, monkeypatch, "biller", "C1004")

    card = {metric.label: (metric.value, metric.delta) for metric in page.metric}
    assert card["Status"][0] == "Partially paid"
    # 430.00 charged − 140.00 paid − 75.00 CO-45 − 35.00 PR-2 = 180.00; line 2's CO-97 180.00 is a denial, left open
    assert card["Balance"][0] == "$180.00"
    # MCRB is not in payer_rules.csv, so the '*' row's 60-day appeal window runs from the 2026-10-20 remittance:
    # 2026-12-19, 23 days after 2026-11-26
    assert card["Deadline (appeal window)"] == ("2026-12-19", "23 days left")
    assert "Compare the payment with the contract; appeal an underpayment" in [text.value for text in page.text]
    shown = [block.value for block in page.markdown]
    assert ":material/checklist: **Work queue:** In progress · owner ` dana ` · follow up on 2026-12-15" in shown
    assert not any("Coding audit" in text for text in shown)  # a biller's role does not see coding audits


def test_an_unanswered_claim_says_no_remittance_yet_and_nothing_green(practice, monkeypatch):
    page = claim_page(practice, monkeypatch, "manager", "C1005", on_file=True)

    card = {metric.label: (metric.value, metric.delta) for metric in page.metric}
    assert card["Status"][0] == "No response"
    assert card["Balance"][0] == "$75.00"  # 75.00 charged, nothing answered
    # no answer yet: AET01 falls back to the '*' row's 90-day filing limit from the 2026-10-20 date of service,
    # 2027-01-18, which is 4 + 31 + 18 = 53 days after 2026-11-26
    assert card["Deadline (timely filing)"] == ("2027-01-18", "53 days left")
    assert ("No remittance yet: no payer has answered this claim, so there are no adjustments or remark codes."
            in [note.value for note in page.info])
    assert not page.success


def test_an_auditor_sees_the_claims_coding_audit_findings(practice, monkeypatch):
    page = claim_page(practice, monkeypatch, "auditor", "C1004")

    assert (":material/fact_check: **Coding audit:** latest review 2026-10-16 by ` AU1 `: 0 of 1 codes right (1 upcoded); "
            "overbilled by $45.00.") in [block.value for block in page.markdown]  # dollar impact −45.00
    findings = next(frame.value for frame in page.dataframe if "finding" in frame.value.columns)
    assert [(row.original_code, row.audited_code, row.finding, str(row.dollar_impact_amount))
            for row in findings.itertuples()] == [("99215", "99214", "upcoded", "-45.00")]


def test_the_claim_id_box_offers_an_id_from_the_data(practice, monkeypatch):
    page = open_app(practice, monkeypatch, "manager", "views/claim.py")

    assert page.text_input[0].placeholder == "e.g. C1005"  # submitted 2026-10-22, the latest of the five
