"""Sessions and addresses in a real browser (tests/test_e2e_browser.py's Chromium and server): a signed-in session
survives a reload and a typed address through its HttpOnly cookie, and is refused once its account is disabled or it
has signed out (tests/test_web_sessions.py refuses an idle one); a deep link opened signed out lands on its claim
after sign-in; the sidebar's filters survive a visit to the Claim page; and a copied address reproduces the view.
Screenshots go to tests/artifacts/sessions_*.png."""

import re
import time
from datetime import date

import pytest

from etl.access import accounts
from etl.load import load_files
from etl.reports.periods import preset_range
from tests.conftest import FIXTURES
from tests.test_e2e_browser import ARTIFACTS, browser, choose, serve, settle  # noqa: F401 - browser is a fixture

pytestmark = pytest.mark.e2e
PASSWORD = "correct horse battery"
# The caption under each report page's title that says which claims it counts (dashboard/filters.py describe)
SCOPE_LINE = re.compile(r"^As of \d{4}-\d{2}-\d{2} · claims ")


@pytest.fixture(scope="module")
def practice(tmp_path_factory):
    """The hand-made worklist practice (Aetna 60054, Cigna 62308, Medicare) with a manager and an auditor account."""
    folder = tmp_path_factory.mktemp("sessions")
    db = folder / "practice.duckdb"
    load_files([FIXTURES / "worklist"], db)
    accounts.add_user(folder / "users.json", "mara", "manager", PASSWORD)
    accounts.add_user(folder / "users.json", "sam", "auditor", PASSWORD)
    return db, folder / "users.json"


@pytest.fixture(scope="module")
def url(practice):
    db, users = practice
    with serve(db, CLAIMSCOPE_USERS=str(users), CLAIMSCOPE_DEMO="0") as url:
        yield url


def new_tab(browser, context=None):  # noqa: F811 - the imported fixture's value
    """A tall tab (the sidebar then never covers what is clicked), in a fresh browser profile unless one is given."""
    context = context or browser.new_context(viewport={"width": 1400, "height": 2400})
    return context.new_page()


def sign_in(page, name: str, heading: str) -> None:
    """Fill the sign-in form on the open address and wait for the page the sign-in lands on."""
    page.get_by_role("textbox", name="User name").fill(name)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    with page.expect_navigation(timeout=60_000):  # through /_session/start, which sets the cookie
        page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name=heading, exact=True).wait_for(timeout=60_000)
    settle(page)


def session_cookies(page) -> list[dict]:
    return [cookie for cookie in page.context.cookies() if cookie["name"] == "claimscope_session"]


def sign_out(page) -> None:
    """Click Sign out and wait until the trip through /_session/end has cleared the cookie and the sign-in form is
    back. A click that lands while the idle timer's fragment reruns can go unanswered (seen once in CI), so it is
    clicked again while the button is still there; the trip and the page load after it took over 20 s in CI beside
    the rest of the suite, so the wait is for the cookie, not for one navigation."""
    from playwright.sync_api import Error as PlaywrightError

    button = page.get_by_role("button", name="Sign out")
    button.click()
    clicked_at = deadline = time.monotonic()
    deadline += 120
    while session_cookies(page):
        assert time.monotonic() < deadline, "Sign out left the session cookie in the browser"
        page.wait_for_timeout(1_000)
        try:
            if time.monotonic() - clicked_at > 10 and button.count() and button.is_visible():
                button.click(timeout=5_000)
                clicked_at = time.monotonic()
        except PlaywrightError:  # the page is navigating: the click was answered
            pass
    page.wait_for_load_state("load", timeout=90_000)
    page.get_by_role("button", name="Sign in").wait_for(timeout=90_000)
    settle(page)


def assert_signed_in(page, heading: str, name: str) -> None:
    page.get_by_role("heading", name=heading, exact=True).wait_for(timeout=60_000)
    settle(page)
    assert page.get_by_text(f"Signed in as {name}", exact=False).count() == 1
    assert page.get_by_role("textbox", name="Password").count() == 0
    assert page.get_by_text("Page not found").count() == 0
    assert page.locator("[data-testid='stException']").count() == 0


def test_a_session_survives_a_reload_and_typed_addresses_through_an_httponly_cookie(browser, url):  # noqa: F811
    page = new_tab(browser)
    page.goto(url)
    sign_in(page, "mara", "Overview")

    page.reload()
    assert_signed_in(page, "Overview", "mara")
    page.screenshot(path=str(ARTIFACTS / "sessions_after_reload.png"), full_page=True)
    page.goto(f"{url}/denials")  # typed into the address bar: a new page load
    assert_signed_in(page, "Denials", "mara")

    cookie = next(cookie for cookie in page.context.cookies() if cookie["name"] == "claimscope_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
    assert "claimscope_session" not in page.evaluate("document.cookie")  # out of reach of the page's scripts
    page.context.close()


def test_a_deep_link_opened_signed_out_lands_on_its_claim_after_sign_in(browser, url):  # noqa: F811
    page = new_tab(browser)
    page.goto(f"{url}/claim?claim_id=W5")
    sign_in(page, "sam", "Claim")

    assert page.locator("h4").filter(has_text="Claim ").first.inner_text().split()[-1] == "W5"
    assert page.get_by_role("textbox", name="Claim id").input_value() == "W5"
    assert re.search(r"/claim\?claim_id=W5$", page.url)
    page.screenshot(path=str(ARTIFACTS / "sessions_deep_link.png"), full_page=True)
    page.context.close()


def test_filters_survive_a_page_change_and_a_copied_address_reproduces_the_view(browser, url):  # noqa: F811
    page = new_tab(browser)
    page.goto(url)
    sign_in(page, "mara", "Overview")
    choose(page, "Claims dated", "Year to date")
    settle(page)
    payers = page.locator("[data-testid='stMultiSelect']").filter(has_text="Payers").get_by_role("combobox")
    payers.click()
    payers.fill("Aetna")
    payers.press("Enter")
    page.keyboard.press("Escape")
    settle(page)
    start, end = preset_range("year_to_date", date.today())
    view = page.get_by_text(SCOPE_LINE).first.inner_text()
    assert f"claims served {start} to {end} · 1 payer(s) · " in view

    page.locator("[data-testid='stSidebar'] a[href$='claim']").click()
    page.get_by_role("heading", name="Claim", exact=True).wait_for(timeout=60_000)
    settle(page)
    page.locator("[data-testid='stSidebar'] a[href$='overview']").click()
    page.get_by_role("heading", name="Overview", exact=True).wait_for(timeout=60_000)
    settle(page)
    assert page.get_by_text("Page not found").count() == 0  # /overview is the Overview's own address
    assert page.get_by_text(SCOPE_LINE).first.inner_text() == view
    assert page.locator("[data-testid='stSidebar']").get_by_text("Aetna (60054)").count() == 1
    page.screenshot(path=str(ARTIFACTS / "sessions_filters_after_claim_page.png"), full_page=True)
    address = page.url
    assert "dates=year_to_date" in address and "payer=60054" in address

    # The address pasted into a new tab (a new session, which has only the address to go on): the same view.
    # Pasted while signed out, the address survives the sign-in as the deep link above does.
    page = new_tab(browser, page.context)
    page.goto(address)
    page.get_by_role("heading", name="Overview", exact=True).wait_for(timeout=60_000)
    settle(page)
    assert page.get_by_text("Page not found").count() == 0  # /overview is the Overview's own address
    assert page.get_by_text(SCOPE_LINE).first.inner_text() == view
    assert page.locator("[data-testid='stSidebar']").get_by_text(f"{start} to {end}", exact=True).count() == 1
    page.screenshot(path=str(ARTIFACTS / "sessions_filters_from_address.png"), full_page=True)
    page.context.close()


def test_a_disabled_accounts_cookie_is_refused_and_sign_out_clears_the_cookie(browser, url, practice):  # noqa: F811
    _, users = practice
    page = new_tab(browser)
    page.goto(url)
    sign_in(page, "sam", "Coder accuracy")
    sign_out(page)
    assert not session_cookies(page)
    assert page.get_by_text("Signed in as").count() == 0

    sign_in(page, "sam", "Coder accuracy")
    accounts.disable_user(users, "sam")
    try:
        tab = new_tab(browser, page.context)  # a second tab of the same browser brings the cookie
        tab.goto(url)
        tab.get_by_text("Signed out: your account was disabled or its role changed.").wait_for(timeout=60_000)
        tab.get_by_role("button", name="Sign in").wait_for(timeout=60_000)
        assert tab.get_by_text("Signed in as").count() == 0
        tab.screenshot(path=str(ARTIFACTS / "sessions_disabled.png"), full_page=True)
    finally:
        accounts.add_user(users, "sam", "auditor", PASSWORD)
    page.context.close()
