"""A biller's morning in a real browser (tests/test_e2e_browser.py's Chromium and server) on the hand-made worklist
practice: take two claims from Unassigned, settle one (it leaves the queue and its tick goes with it, not onto the
claim that moves up), note the other, appeal it, find a second click on the same appeal refused, set its outcome,
find it all after a reload, and export the queue to Excel: words, not codes; money as money; the priority a number.
Screenshots go to tests/artifacts/biller_morning_*.png.

The practice (tests/fixtures/worklist) as of 2026-11-26, by priority: W1 (Aetna, 200.00 unanswered), W2 (Cigna,
300.00 denied CO-197 on 2026-09-01), W6 (Aetna, 250.00 - 100.00 paid - 50.00 CO-45 = 100.00 open) and W4 (Cigna,
150.00 unanswered); nobody owns any of them."""

from datetime import datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.conftest import FIXTURES, scalar
from tests.test_e2e_browser import ARTIFACTS, LOCK_ERROR, browser, choose, serve, settle  # noqa: F401 - browser is a fixture
from tests.test_e2e_browser import practice_with_account
from tests.test_e2e_browser import sign_in as sign_in_as

pytestmark = pytest.mark.e2e
PASSWORD = "correct horse battery"
AS_OF = "2026-11-26"
NOTE = "Called Cigna: the referral was on file, ref 5521; appeal with the referral letter"


@pytest.fixture(scope="module")
def practice(tmp_path_factory):
    """The hand-made worklist practice with one biller account, dana."""
    return practice_with_account(tmp_path_factory.mktemp("biller_morning"), [FIXTURES / "worklist"], "dana", "biller", PASSWORD)


@pytest.fixture(scope="module")
def url(practice):
    db, users = practice
    with serve(db, CLAIMSCOPE_USERS=str(users), CLAIMSCOPE_DEMO="0") as url:
        yield url


def sign_in(page, address: str) -> None:
    """Open the address signed out, sign in as dana, and land on the page it names."""
    sign_in_as(page, address, "dana", PASSWORD, "Work queue")


def open_view(page, name: str) -> None:
    page.get_by_text(name, exact=True).first.click()
    settle(page)


def queue_grid(page):
    return page.locator("[data-testid='stDataFrame']").first


def tick_row(page, row: int) -> None:
    """Tick a row's box in the queue table (a canvas grid: the box sits at the row's left edge, rows 35 px high)."""
    box = queue_grid(page).bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 35 * (row + 1) + 18)
    settle(page)


def assert_claims(page, shown: list[str], ticked: list[str], in_order: bool = True) -> None:
    """The queue shows these claim ids, top to bottom (or in any order), and these ticked: read from the table of its
    cells the grid keeps in the DOM for screen readers, which it redraws a moment after the run (hence expect, which
    waits)."""
    rows = queue_grid(page).locator("tbody tr")
    cells = rows.locator("td[aria-colindex='1']")
    if in_order:
        expect(cells).to_have_text(shown, timeout=30_000)
    else:
        expect(cells).to_have_count(len(shown), timeout=30_000)
        assert sorted(cells.all_inner_texts()) == sorted(shown)
    expect(rows.locator("xpath=self::*[@aria-selected='true']/td[@aria-colindex='1']")).to_have_text(ticked, timeout=30_000)


def claim_heading(page) -> str:
    return page.locator("h4").filter(has_text="Claim ").first.inner_text().split()[-1]


def set_date(page, label: str, day: str) -> None:
    """Type a date into a date box, year, month and day each into its own segment, as a keyboard user would (a
    click on a segment would open the calendar over the buttons below it)."""
    for part, value in zip(("year", "month", "day"), day.split("-")):
        page.get_by_role("spinbutton", name=f"{part}, {label}").focus()
        page.keyboard.type(value)
    page.keyboard.press("Escape")  # the calendar that opened beside the box
    expect(page.locator("#stFloatingOverlayPortal [role='dialog']")).to_have_count(0)
    expect(page.get_by_role("spinbutton", name=f"day, {label}")).to_have_attribute("aria-valuenow", str(int(day[-2:])))


def saved(page) -> str:
    return page.locator("[data-testid='stAlertContentSuccess'] [data-testid='stMarkdownContainer']").first.inner_text()


def refused(page) -> str:
    return page.locator("[data-testid='stAlertContentWarning'] [data-testid='stMarkdownContainer']").first.inner_text()


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"biller_morning_{name}.png"), full_page=True)


def assert_clean(page) -> None:
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.get_by_text(LOCK_ERROR).count() == 0


def exported_rows(page, folder) -> list[dict]:
    """Click "Export Excel" under the queue and read the workbook back: each row's cells by heading."""
    with page.expect_download(timeout=90_000) as download:
        page.get_by_role("button", name="Export Excel").first.click()
    saved_as = folder / download.value.suggested_filename
    download.value.save_as(saved_as)
    assert saved_as.name == "work_queue.xlsx"
    sheet = load_workbook(saved_as)["work_queue"]
    header = [cell.value for cell in sheet[1]]
    return [dict(zip(header, row)) for row in sheet.iter_rows(min_row=2)]


def test_a_billers_morning(browser, url, practice, tmp_path):  # noqa: F811 - the imported fixture's value
    db, _ = practice
    page = browser.new_context(viewport={"width": 1400, "height": 2400}, accept_downloads=True).new_page()
    sign_in(page, f"{url}/work_queue?as_of={AS_OF}")
    page.get_by_text("Nothing assigned to you matches these filters").wait_for(timeout=60_000)

    # Unassigned: the four open claims by priority. Take the first two.
    open_view(page, "Unassigned")
    assert_claims(page, ["W1", "W2", "W6", "W4"], [], in_order=False)
    assert queue_grid(page).locator("tbody tr td[aria-colindex='1']").all_inner_texts()[:2] == ["W1", "W2"]
    tick_row(page, 0)
    tick_row(page, 1)
    page.get_by_text("Act on 2 selected claims").wait_for(timeout=60_000)
    assert_claims(page, ["W1", "W2", "W6", "W4"], ["W1", "W2"], in_order=False)
    choose(page, "Assign to", "dana")
    page.get_by_role("button", name="Apply to the selected claims").click()
    settle(page)
    assert saved(page) == "Saved: W1, W2 assigned to dana. W1, W2 left this view, so they are no longer selected."
    # W6 and W4 moved up onto the rows W1 and W2 were ticked on, and took no tick from them (which of the two ranks
    # first is tests/test_worklist.py's business, not this story's)
    assert_claims(page, ["W6", "W4"], [], in_order=False)
    assert page.get_by_text("Act on", exact=False).count() == 0
    shot(page, "taken")

    # My queue: the two, 200.00 + 300.00 = $500 to collect. W1 turns out settled: resolved, it leaves the queue, and
    # W2, moving up onto its row, stays unselected.
    open_view(page, "My queue")
    assert_claims(page, ["W1", "W2"], [])
    assert page.locator("[data-testid='stMetric']").filter(has_text="Balance to collect").inner_text().endswith("$500")
    tick_row(page, 0)
    page.get_by_text("Act on 1 selected claim").wait_for(timeout=60_000)
    assert claim_heading(page) == "W1"
    choose(page, "Status", "Resolved")
    page.get_by_role("button", name="Apply to the selected claims").click()
    settle(page)
    assert saved(page) == "Saved: W1 status Resolved. W1 left this view, so it is no longer selected."
    assert_claims(page, ["W2"], [])
    assert page.get_by_text("Act on", exact=False).count() == 0
    assert scalar(db, "select list([claim_id, owner_name, status] order by claim_id) from work_items") == [
        ["W1", "dana", "resolved"], ["W2", "dana", "new"]]
    shot(page, "resolved_one")

    # W2: a note, then the first-level appeal, sent 2026-10-01 (Cigna decides within 60 days: due 2026-11-30)
    tick_row(page, 0)
    assert claim_heading(page) == "W2"
    page.get_by_role("textbox", name="Add a note").fill(NOTE)
    page.get_by_role("button", name="Save note").click()
    settle(page)
    assert saved(page) == "Saved: note added to W2."
    page.get_by_text(NOTE).first.wait_for(state="attached", timeout=60_000)  # a history grid cell
    assert claim_heading(page) == "W2"  # still selected
    assert_claims(page, ["W2"], ["W2"])
    set_date(page, "Sent on", "2026-10-01")
    page.get_by_role("button", name="Record the appeal").click()
    settle(page)
    assert saved(page) == "Saved: First level appeal 1 recorded on W2, sent 2026-10-01."
    waiting = "Appeal 1 (first level, sent 2026-10-01, decision due 2026-11-30) waits for a decision"
    page.get_by_text(waiting).wait_for(timeout=60_000)
    shot(page, "appealed")

    # a second click on the same appeal is refused, naming the first; nothing more is stored
    set_date(page, "Sent on", "2026-10-02")
    page.get_by_role("button", name="Record the appeal").click()
    settle(page)
    assert refused(page) == ("claim W2 already has an undecided first level appeal: appeal 1, sent 2026-10-01. "
                             "Set its outcome first, or record the next level")
    assert scalar(db, "select count(*) from appeals") == 1
    shot(page, "refused")

    # the payer's letter: upheld on 2026-11-20, 50 days after sending
    choose(page, "Outcome", "Upheld")
    set_date(page, "Decided on", "2026-11-20")
    page.get_by_role("button", name="Set the outcome").click()
    settle(page)
    assert saved(page) == "Saved: appeal 1 on W2 upheld, decided 2026-11-20."
    assert page.get_by_text(waiting).count() == 0
    assert_clean(page)

    # after a reload: W2 in My queue, appealed, the appeal upheld; its history holds the note, the appeal and the
    # outcome; the Appeals section counts one decided appeal, none overturned, decided after 50 days
    page.reload()
    page.get_by_role("heading", name="Work queue", exact=True).wait_for(timeout=60_000)
    settle(page)
    open_view(page, "My queue")
    assert_claims(page, ["W2"], [])
    # priority 300.00 x 30% x 1.0 = 90; Cigna's 180-day appeal window (payer_rules.csv) from the 2026-09-01 denial
    # ends 2027-02-28, 4 + 31 + 31 + 28 = 94 days after 2026-11-26
    row = queue_grid(page).locator("tbody tr td").all_inner_texts()
    assert row[:6] == ["W2", row[1], "90", "94", "dana", "Appealed"]  # the grid draws the columns in view only
    tick_row(page, 0)
    assert claim_heading(page) == "W2"
    page.get_by_text(NOTE).first.wait_for(state="attached", timeout=60_000)
    history = page.locator("[data-testid='stDataFrame']").nth(1).locator("table tbody").inner_text()
    assert "First level appeal 1 sent 2026-10-01" in history and "appeal 1: upheld" in history
    assert page.get_by_text("Median days to a decision: 50").count() == 1
    # payer, denial category, decided, overturned
    rates_table = page.locator("[data-testid='stDataFrame']").last
    rates_table.locator("tbody tr td").first.wait_for(state="attached", timeout=60_000)  # the grid draws its rows after
    rates = rates_table.locator("tbody tr").first.locator("td").all_inner_texts()
    assert rates[:4] == ["Cigna", "Authorization referral", "1", "0"]  # the payer's name and the category in words
    assert_clean(page)
    shot(page, "after_reload")

    # My queue to Excel: W2 alone, every value in words as the page says it, money as currency, the priority a number
    [w2] = exported_rows(page, tmp_path)
    words = {heading: w2[heading].value for heading in ("Claim", "Owner", "Work status", "Payer", "Claim status", "Category",
                                                         "Appeal", "Appeal outcome", "Latest note", "Aging bucket")}
    assert words == {"Claim": "W2", "Owner": "dana", "Work status": "Appealed", "Payer": "Cigna", "Claim status": "Denied",
                     "Category": "Authorization referral", "Appeal": "First level", "Appeal outcome": "Upheld",
                     "Latest note": NOTE, "Aging bucket": "91-120"}
    # 300.00 open, none of it underpaid, as currency
    assert [(w2[name].value, w2[name].number_format) for name in ("Balance", "Underpaid")] == [(300, "$#,##0.00"), (0, "$#,##0.00")]
    # priority 300.00 x 30% x 1.0 = 90: a number in a number format, no $ (it ranks claims; the boost can take it past
    # the balance)
    priority = w2["Priority"]
    assert (Decimal(str(priority.value)), priority.data_type, priority.number_format) == (Decimal(90), "n", "#,##0")
    # submitted 2026-08-05: 26 + 30 + 31 + 26 = 113 days by 2026-11-26, a whole number; the appeal's decision is due
    # 60 days after 2026-10-01, and 94 days are left of Cigna's appeal window
    assert (w2["Days outstanding"].value, w2["Days outstanding"].number_format) == (113, "#,##0")
    assert (w2["Deadline (days left)"].value, w2["Decision due"].value) == (94, datetime(2026, 11, 30))
    assert w2["Submitted"].value == datetime(2026, 8, 5) and w2["Submitted"].number_format == "yyyy-mm-dd"
    assert scalar(db, "select list([appeal_id::varchar, level, sent_date::varchar, outcome]) from appeals") == [
        ["1", "first", "2026-10-01", "upheld"]]
    page.context.close()
