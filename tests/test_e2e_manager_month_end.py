"""A manager's month-end in a real browser (tests/test_e2e_browser.py's Chromium and server) on the manager's
month-end practice (tests/fixtures/manager_month_end, worked out claim by claim in tests/test_overview_drill.py):
sign in, choose "Last month" and read Days in A/R against the hand-worked figure, widen the dates and drill the A/R
over 120 days tile into exactly its claims, then prepare the board pack for Aetna's October and read the PDF: the payer
by name, the page number whole on every page, the scope in the file name. Screenshots go to
tests/artifacts/manager_month_end_*.png.

As of 2026-11-05, "Last month" is October 2026. October's insurance claims: M1 400.00 (Aetna, unanswered), M2 300.00
(Aetna, paid 200, CO-45 100), M3 250.00 (Cigna, unanswered), M4 170.00 (Medicare, unanswered): 820.00 open on
1,120.00 of charges. HFMA Days in A/R = A/R ÷ average daily charges, the charges averaged over the 90 days to the
as-of date cut to the range (etl/reports/kpis.py charge_window_days): 2026-08-08..2026-11-05 ∩ October = 31 days.
820 ÷ (1,120 ÷ 31) = 820 × 31 ÷ 1,120 = 25,420 ÷ 1,120 = 22.70 days, shown 23 (and not 820 ÷ (1,120 ÷ 90) = 65.9)."""

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.conftest import FIXTURES
from tests.test_e2e_browser import ARTIFACTS, LOCK_ERROR, browser, choose, serve, settle  # noqa: F401 - browser is a fixture
from tests.test_e2e_browser import practice_with_account
from tests.test_e2e_browser import sign_in as sign_in_as

pytestmark = pytest.mark.e2e
PASSWORD = "correct horse battery"
AS_OF = "2026-11-05"


@pytest.fixture(scope="module")
def practice(tmp_path_factory):
    """The month-end practice with one manager account, mara."""
    return practice_with_account(tmp_path_factory.mktemp("manager_month_end"), [FIXTURES / "manager_month_end"], "mara", "manager", PASSWORD)


@pytest.fixture(scope="module")
def url(practice):
    db, users = practice
    with serve(db, CLAIMSCOPE_USERS=str(users), CLAIMSCOPE_DEMO="0") as url:
        yield url


def sign_in(page, address: str) -> None:
    """Open the address signed out, sign in as mara, and land on the page it names."""
    sign_in_as(page, address, "mara", PASSWORD, "Overview")


def tile(page, label: str):
    return page.locator("[data-testid='stMetric']").filter(has_text=label).first


def tile_value(page, label: str) -> str:
    return tile(page, label).locator("[data-testid='stMetricValue']").inner_text().strip()


def tile_change(page, label: str) -> str:
    return tile(page, label).locator("[data-testid='stMetricDelta']").inner_text().strip()


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"manager_month_end_{name}.png"), full_page=True)


def assert_clean(page) -> None:
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.get_by_text(LOCK_ERROR).count() == 0


def test_a_managers_month_end(browser, url, tmp_path):  # noqa: F811 - the imported fixture's value
    page = browser.new_context(viewport={"width": 1400, "height": 2000}, accept_downloads=True).new_page()
    sign_in(page, f"{url}/overview?as_of={AS_OF}")

    # Last month: October. Days in A/R 22.70, shown 23, over October's 31 days.
    choose(page, "Claims dated", "Last month")
    settle(page)
    page.get_by_text("2026-10-01 to 2026-10-31").first.wait_for(timeout=60_000)
    expect(tile(page, "Days in A/R").locator("[data-testid='stMetricValue']")).to_have_text("23", timeout=30_000)
    page.get_by_text("on $820 open A/R; charges over 31 days").wait_for(timeout=30_000)
    # September, as of 2026-10-05: M11's 130.00 open on its 130.00 over 30 days, 30.0: 7.3 fewer, shown -7
    assert tile_change(page, "Days in A/R") == "-7 days"
    # nothing served in September was answered by 2026-10-05: no denial or first-pass rate to change from, and the two
    # tiles say so in words, whole
    assert page.get_by_text("No change to show: no figure for the month before").count() == 2
    # no claim served in October can be over 120 days old by 5 November: the tile says so, rather than pass
    page.get_by_text("Not judged: no claim served since 2026-10-01 is over 120 days old yet").wait_for(timeout=30_000)
    assert_clean(page)
    shot(page, "last_month")

    # Widen to every date on file and drill the A/R over 120 days tile: M5 500.00 (185 days) and M6 110.00 (143 days),
    # 610.00 of the 1,800.00 open, 33.9%; not M10 (120 days exactly), M8 (paid) or M9 (self-pay).
    choose(page, "Claims dated", "All dates on file")
    settle(page)
    expect(tile(page, "A/R over 120 days").locator("[data-testid='stMetricValue']")).to_have_text("33.9%", timeout=30_000)
    page.get_by_role("button", name="Show the claims behind A/R over 120 days").click()
    settle(page)
    page.get_by_text("2 claims with $610.00 open, of $1,800.00 open A/R: A/R over 120 days 33.9%").wait_for(timeout=30_000)
    grid = page.locator("[data-testid='stExpander'] [data-testid='stDataFrame']").first
    grid.scroll_into_view_if_needed()
    expect(grid.locator("tbody tr td[aria-colindex='1']")).to_have_text(["M5", "M6"], timeout=30_000)
    # each claim's balance in view beside it (the grid's cells for screen readers hold the bare value): 500.00 and
    # 110.00, adding up to the 610.00 above
    expect(grid.locator("tbody tr td[aria-colindex='5']")).to_have_text(["500", "110"], timeout=30_000)
    assert_clean(page)
    shot(page, "over_120_drilled")

    # The board pack of Aetna's October: by name, the page number whole, the scope in the file name.
    choose(page, "Claims dated", "Last month")
    settle(page)
    payers = page.locator("[data-testid='stMultiSelect']").filter(has_text="Payers").get_by_role("combobox")
    payers.click()
    payers.fill("Aetna")
    payers.press("Enter")
    page.keyboard.press("Escape")
    settle(page)
    # Aetna's October: M1 400 open on M1 400 + M2 300 of charges over 31 days: 400 × 31 ÷ 700 = 17.7, shown 18
    expect(tile(page, "Days in A/R").locator("[data-testid='stMetricValue']")).to_have_text("18", timeout=30_000)
    page.get_by_role("button", name="Prepare the board pack").click()
    settle(page)
    with page.expect_download(timeout=60_000) as downloading:
        page.get_by_role("button", name="Download PDF").click()
    download = downloading.value
    assert download.suggested_filename == "claimscope-board-pack-2026-10-01_2026-10-31-payers-60054.pdf"
    pdf = tmp_path / download.suggested_filename
    download.save_as(pdf)
    lines = [sheet.extract_text().splitlines() for sheet in PdfReader(pdf).pages]
    text = " ".join(" ".join(" ".join(sheet).split()) for sheet in lines)
    # the page number on one line on every page (it wrapped to "page 1 of" / "7")
    assert all(any(f"page {number} of {len(lines)}" in line for line in sheet) for number, sheet in enumerate(lines, 1))
    assert text.count("payers Aetna · every provider · claims served 2026-10-01 to 2026-10-31") >= len(lines)
    assert "payers 60054" not in text
    assert "Days in A/R" in text and "$700" in text  # gross charges M1 400 + M2 300
    assert_clean(page)
    shot(page, "board_pack")
    page.context.close()


def test_the_scorecard_shows_each_payers_money_beside_its_name_without_scrolling(browser, url):  # noqa: F811
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    sign_in(page, f"{url}/overview?as_of={AS_OF}")
    page.locator("[data-testid='stSidebar'] a[href$='payer_scorecard']").click()
    page.get_by_role("heading", name="Payer scorecard", exact=True).wait_for(timeout=60_000)
    settle(page)

    grid = page.locator("[data-testid='stDataFrame']").first
    grid.scroll_into_view_if_needed()
    # The grid keeps in the DOM only the columns drawn in view: the money is there beside the payer, at a laptop's
    # width, and the payer id, last, is not (the money used to sit past the rates, off to the right).
    headers = grid.locator("thead th")
    expect(headers.first).to_have_text("Payer", timeout=30_000)
    shown = [text.strip() for text in headers.all_inner_texts()]
    assert shown[:6] == ["Payer", "Charges", "Payments", "Open A/R", "A/R over 90 days", "Underpaid"], shown
    assert "Payer id" not in shown
    # every date on file: Cigna charged M3 250 + M5 500 + M8 90 + M11 130 = 970; open 250 + 500 + 130 = 880
    cigna = grid.locator("tbody tr").filter(has_text="Cigna").locator("td")
    assert cigna.all_inner_texts()[:4] == ["Cigna", "970", "90", "880"]
    page.screenshot(path=str(ARTIFACTS / "manager_month_end_scorecard.png"))
    assert_clean(page)
    page.context.close()
