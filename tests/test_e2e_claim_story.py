"""The Claim page in a real browser (issue 30): a biller types a claim id in lower case with spaces, the claim opens and
the address names it, so a reload opens the same claim; its timeline reads oldest first with every amount to the
cent and the balance after each day, the appeal beside it. Screenshot: tests/artifacts/claim_story.png.

The practice is tests/fixtures/claim_story (tests/test_claim_story.py works its figures out by hand)."""

from datetime import date
from decimal import Decimal as D

import pytest

from etl import db as database
from etl.access import accounts
from etl.load import load_files
from etl.work import appeals, items
from tests.conftest import FIXTURES
from tests.test_e2e_auditor_cycle import table_rows
from tests.test_e2e_browser import ARTIFACTS, browser, screenshot_whole, serve, settle, sign_in  # noqa: F401 - a fixture

pytestmark = pytest.mark.e2e
PASSWORD = "correct horse battery"


@pytest.fixture
def practice(tmp_path):
    db = tmp_path / "practice.duckdb"
    load_files([FIXTURES / "claim_story"], db)
    with database.write_connection(db) as con:
        appeals.record_appeal(con, "ST00000001", "first", date(2026, 10, 5), items.Actor("dana", "biller"))
    accounts.add_user(tmp_path / "users.json", "dana", "biller", PASSWORD)
    return db, tmp_path / "users.json"


def amount(cell: str) -> D | None:
    return D(cell.replace(",", "")) if cell.strip() else None


def test_a_biller_finds_a_claim_typed_in_lower_case_reads_its_story_and_reloads_the_same_claim(practice, browser):
    db, users = practice
    with serve(db, CLAIMSCOPE_USERS=str(users), CLAIMSCOPE_DEMO="0") as url:
        page = browser.new_page(viewport={"width": 1400, "height": 2000})
        sign_in(page, f"{url}/claim", "dana", PASSWORD, lands_on="Claim")

        box = page.get_by_role("textbox", name="Claim id")
        box.fill("  st00000001 ")
        box.press("Enter")
        page.get_by_text("What happened, oldest first").wait_for(timeout=60_000)
        settle(page)
        assert page.url.endswith("/claim?claim_id=ST00000001")  # the address follows the claim shown

        page.reload()
        page.get_by_text("What happened, oldest first").wait_for(timeout=60_000)
        settle(page)
        screenshot_whole(page, ARTIFACTS / "claim_story.png")
        assert page.get_by_role("textbox", name="Claim id").input_value() == "ST00000001"
        assert page.get_by_role("heading", name="Claim ST00000001").count() == 1
        timeline = page.locator("[data-testid='stDataFrame']").first
        timeline.scroll_into_view_if_needed()
        # The grid's accessible table holds the values behind the canvas, unformatted: the dollars and cents drawn are
        # read from the settings the page sends in tests/test_claim_story.py, and seen in the screenshot.
        # Date, what happened, charged, paid, adjusted, patient responsibility, balance after:
        assert [row[:2] + [amount(cell) for cell in row[2:7]] for row in table_rows(timeline)] == [
            ["2026-09-02", "Billed to Aetna", D("1234.50"), None, None, None, D("1234.50")],
            ["2026-09-30", "Remittance from Aetna: processed as primary", D("1234.50"), D("150.25"), D("1060.00"), D("24.25"),
             D("1000.00")],
            ["2026-10-28", "Remittance from Aetna: reversal of previous payment", D("-1234.50"), D("-150.25"), D("-1060.00"),
             D("-24.25"), None],
            ["2026-10-28", "Remittance from Aetna: processed as primary", D("1234.50"), D("950.75"), D("259.50"), D("24.25"),
             D("0.00")],
        ]
        assert page.get_by_text("First level").count() >= 1  # the appeal, beside the story
        assert page.locator("[data-testid='stException']").count() == 0
        page.close()
