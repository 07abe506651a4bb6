"""The Claim page tells a claim as one story (issue 30): billed, each remittance with what it paid and adjusted and
why, and the balance after each, oldest first, with its cents; its appeals and work history beside it, notes only for
a role that may read them; a lookup that ignores case and spaces, and an address that follows the claim shown.

The practice is tests/fixtures/claim_story: claim ST00000001, billed to Aetna on 2026-09-02 for $1,234.50 (99214
$234.50 and 20610 $1,000.00). Aetna's remittance of 2026-09-30 paid $150.25, wrote off CO-45 $60.00, moved PR-2
$24.25 to the patient and denied the 20610 with CO-97 $1,000.00. On 2026-10-28 it reversed that remittance and sent
the correction: paid $950.75, CO-45 $259.50, PR-2 $24.25."""

from datetime import date

import pytest

from dashboard.filters import Filters
from etl import db as database
from etl.load import load_files
from etl.reports.scope import Scope
from etl.work import appeals, items
from tests.conftest import FIXTURES, open_app
from tests.screen import table_with

AS_OF = date(2026, 11, 26)
NOTE = "Called Aetna 10/04: 20610 bundled, appeal with the op note"
CO45 = "CO-45 Charge exceeds fee schedule/maximum allowable or contracted/legislated fee arrangement."
CO97 = ("CO-97 The benefit for this service is included in the payment/allowance for another service/procedure that has "
        "already been adjudicated.")


@pytest.fixture(scope="module")
def practice(tmp_path_factory):
    """The story's claim, worked by dana: a note on 2026-10-04's call and a first-level appeal sent 2026-10-05."""
    db = tmp_path_factory.mktemp("claim_story") / "practice.duckdb"
    assert [result.status for result in load_files([FIXTURES / "claim_story"], db)] == ["loaded", "loaded"]
    dana = items.Actor("dana", "biller")
    with database.write_connection(db) as con:
        items.add_note(con, "ST00000001", NOTE, dana)
        appeals.record_appeal(con, "ST00000001", "first", date(2026, 10, 5), dana)
    return db


def claim_page(db, monkeypatch, role: str, typed: str):
    page = open_app(db, monkeypatch, role, "views/claim.py")
    page.session_state["filters"] = Filters(AS_OF, Scope())
    page.text_input[0].set_value(typed).run()
    assert not page.exception
    return page


def test_the_timeline_runs_from_the_bill_through_each_remittance_with_the_balance_after_each(practice, monkeypatch):
    page = claim_page(practice, monkeypatch, "biller", "ST00000001")

    rows = table_with(page, "What happened")
    shown = [(row["Date"], row["What happened"], row["Charged"], row["Paid"], row["Adjusted (CO, OA, PI)"],
              row["Patient responsibility"], row["Balance after"]) for row in rows]
    assert shown == [
        # nothing answered yet: the whole charge is owed
        ("2026-09-02", "Billed to Aetna", "$1,234.50", "—", "—", "—", "$1,234.50"),
        # 1,234.50 − 150.25 paid − 60.00 CO-45 − 24.25 PR-2 = 1,000.00: the CO-97 denial stays owed.
        # Adjusted: 60.00 CO-45 + 1,000.00 CO-97 = 1,060.00 (PR is the patient's column)
        ("2026-09-30", "Remittance from Aetna: processed as primary", "$1,234.50", "$150.25", "$1,060.00", "$24.25",
         "$1,000.00"),
        # the reversal and its correction share a day: the balance is shown once, after both
        ("2026-10-28", "Remittance from Aetna: reversal of previous payment", "-$1,234.50", "-$150.25", "-$1,060.00",
         "-$24.25", "—"),
        # 1,234.50 − (150.25 − 150.25 + 950.75) paid − 259.50 CO-45 − 24.25 PR-2 = 0.00
        ("2026-10-28", "Remittance from Aetna: processed as primary", "$1,234.50", "$950.75", "$259.50", "$24.25", "$0.00"),
    ]
    assert [row["Why (CAS reasons)"] for row in rows] == [
        "—",
        f"{CO45}: $60.00; PR-2 Coinsurance Amount: $24.25; {CO97}: $1,000.00, denied (still owed)",
        f"{CO45}: −$60.00; PR-2 Coinsurance Amount: −$24.25; {CO97}: −$1,000.00, denied (still owed)",
        f"{CO45}: $259.50; PR-2 Coinsurance Amount: $24.25",
    ]


def test_the_appeal_and_the_work_history_with_its_note_are_on_the_page(practice, monkeypatch):
    page = claim_page(practice, monkeypatch, "biller", "ST00000001")

    [appeal] = table_with(page, "Outcome read from")
    # the first remittance processed after 2026-10-05 (the reversal skipped) paid and left nothing owed: overturned
    assert (appeal["Level"], appeal["Sent"], appeal["Outcome"], appeal["Outcome read from"], appeal["Decided"]) == (
        "First level", "2026-10-05", "Overturned", "read from 835", "2026-10-28")
    history = table_with(page, "Note")
    assert [(row["Who"], row["What"], row["Note"]) for row in history if row["What"] == "note"] == [("dana", "note", NOTE)]
    assert ("dana", "status", "Appealed") in [(row["Who"], row["What"], row["After"]) for row in history]


def test_a_role_without_phi_sees_that_a_note_exists_but_not_its_text(practice, monkeypatch):
    page = claim_page(practice, monkeypatch, "manager", "ST00000001")

    notes = [row["Note"] for row in table_with(page, "Note") if row["What"] == "note"]
    assert notes == ["(hidden: notes may hold PHI)"]
    assert NOTE not in str([element.value for element in page.dataframe])


def test_a_lower_case_id_with_spaces_finds_the_claim_and_the_address_names_it(practice, monkeypatch):
    page = claim_page(practice, monkeypatch, "biller", "  st00000001 ")

    assert "#### Claim ` ST00000001 `" in [block.value for block in page.markdown]
    assert page.query_params["claim_id"] == "ST00000001"  # a reload or a shared link opens this claim
    assert not page.warning


def test_the_address_opens_its_claim_and_an_unknown_id_says_so(practice, monkeypatch):
    page = open_app(practice, monkeypatch, "biller", query_params={"claim_id": "ST00000001"})
    page.switch_page("views/claim.py").run()

    assert page.text_input[0].value == "ST00000001"
    assert table_with(page, "Balance after")[-1]["Balance after"] == "$0.00"
    page.text_input[0].set_value("ST99").run()
    assert [warning.value for warning in page.warning] == ["No claim ` ST99 ` on file."]
    assert page.query_params["claim_id"] == "ST99"
