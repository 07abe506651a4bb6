"""Every page in a real browser: `streamlit run` against the sample practice, driven by Debian's Chromium through
Playwright. Screenshots go to tests/artifacts/ (git-ignored)."""

import os
import socket
from datetime import date, timedelta
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.e2e
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = REPO / "tests" / "artifacts"
# url path, a heading that must show, and text that proves the page's figures arrived
PAGES = [
    ("overview", "Overview", "Initial denial rate"),
    ("payer_scorecard", "Payer scorecard", "Practice initial denial rate"),
    ("work_queue", "Work queue", "Balance to collect"),
    ("late_payments", "Late payments", "Worklist"),
    ("denials", "Denials", "Denied charges"),
    ("timelines", "Reimbursement timelines", "Next 30 days"),
    ("coder_accuracy", "Coder accuracy", "Accuracy by coder"),
    ("claim", "Claim", "Claim id"),
    ("data_loaded", "Data loaded", "Claim submissions"),
    ("data_quality", "Data quality", "Load history"),
    ("audit_log", "Audit log", "Accounts"),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serve(db: Path, **env: str):
    """The dashboard as `make demo` serves it (dashboard/serve.py) on a free port against a database, stopped however
    the test ends; gives its address."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "dashboard.serve", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        env={**os.environ, "CLAIMSCOPE_DB": str(db), **env}, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                break
        except OSError:
            time.sleep(0.5)
    else:
        server.kill()
        pytest.fail(f"streamlit did not start: {server.stderr.read().decode()[-2000:]}")
    try:
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:  # on a machine this busy, not a finding: the next test needs the port and the file
            server.kill()
            server.wait()


def screenshot_whole(page, path: Path) -> None:
    """The whole page, not the window: Streamlit scrolls inside its main block, so full_page alone stops at the window.
    The window grows to the page's height until that stops changing (tables and charts draw once in view)."""
    height = 0
    for _ in range(4):
        measured = page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
        if measured == height:
            break
        height = measured
        page.set_viewport_size({"width": 1400, "height": min(max(height, 1000), 16_000)})
        page.wait_for_timeout(600)  # a table or chart scrolled into view draws within it
        page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"], [data-testid=\"stSkeleton\"]')",
                               timeout=60_000)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": 1400, "height": 1000})


@pytest.fixture(scope="module")
def dashboard_url(sample_db):
    with serve(sample_db, CLAIMSCOPE_DEMO="1") as url:  # the sample practice is synthetic: demo mode, no sign-in
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "install Debian's chromium (apt-get install chromium); .ci/run does"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield WatchedBrowser(chromium)
        chromium.close()


@pytest.mark.parametrize(("path", "heading", "figure"), PAGES, ids=[heading for _, heading, _ in PAGES])
def test_page_renders_its_figures_without_an_exception(dashboard_url, browser, path, heading, figure):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    started = time.perf_counter()
    page.goto(f"{dashboard_url}/{path}")
    # The baseline in the same run: the demo banner, drawn before any query (the browser, Streamlit's own start-up).
    page.get_by_text("Demo data.").wait_for(timeout=60_000)
    banner = time.perf_counter() - started
    page.get_by_role("heading", name=heading, exact=True).wait_for(timeout=60_000)
    page.get_by_text(figure, exact=True).first.wait_for(timeout=60_000)
    # Time to the first figure, cold (each page's queries run for the first time on this server): recorded, not
    # asserted, since a test must not fail on a busy machine; README "Speed of the pages" quotes it.
    seconds = time.perf_counter() - started
    ARTIFACTS.mkdir(exist_ok=True)
    with (ARTIFACTS / "page_times.txt").open("a") as times:
        times.write(f"{path}\tbanner {banner:.2f} s\tfirst figure {seconds:.2f} s\n")
    print(f"time to first figure: {heading}: {seconds:.2f} s (the banner: {banner:.2f} s)")
    # wait until the script run has finished (the status widget disappears) and charts have drawn
    page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot_whole(page, ARTIFACTS / f"{heading.lower().replace(' ', '_')}.png")

    assert page.locator("[data-testid='stException']").count() == 0
    assert page.get_by_text("Demo data.").count() == 1
    if path in ("overview", "payer_scorecard", "denials", "timelines"):
        # a chart's frame is in the page before Plotly has drawn into it: wait for the drawing, then count
        charts = page.locator(".js-plotly-plot")
        charts.first.wait_for(timeout=30_000)
        assert charts.count() > 0
        screenshot_whole(page, ARTIFACTS / f"{heading.lower().replace(' ', '_')}.png")
    page.close()


def test_a_biller_signs_in_sees_only_their_pages_and_may_reveal_patients(tmp_path_factory, sample_db, browser):
    import shutil

    from etl.access.accounts import add_user

    folder = tmp_path_factory.mktemp("signed_in")
    db = folder / "practice.duckdb"
    shutil.copy(sample_db, db)
    shutil.copy(f"{sample_db}.key", f"{db}.key")
    add_user(folder / "users.json", "dana", "biller", "correct horse battery")
    with serve(db, CLAIMSCOPE_USERS=str(folder / "users.json"), CLAIMSCOPE_DEMO="0") as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        page.get_by_role("textbox", name="User name").fill("dana")
        page.get_by_role("textbox", name="Password").fill("correct horse battery")
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("heading", name="Work queue", exact=True).wait_for(timeout=60_000)
        page.get_by_text("Show patient names and member ids").first.wait_for(timeout=60_000)

        menu = page.locator("[data-testid='stSidebar'] a").all_inner_texts()
        assert [item.split("\n")[-1] for item in menu] == ["Work queue", "Late payments", "Denials", "Claim"]
        assert page.get_by_text("Signed in as dana (biller)").count() == 1
        assert page.locator("[data-testid='stException']").count() == 0
        page.screenshot(path=str(ARTIFACTS / "signed_in_biller.png"), full_page=True)
        page.close()


def test_a_biller_left_idle_sees_the_page_cleared_when_the_time_out_expires_without_clicking(tmp_path_factory, sample_db, browser):
    import shutil

    from etl.access.accounts import add_user

    folder = tmp_path_factory.mktemp("idle")
    db = folder / "practice.duckdb"
    shutil.copy(sample_db, db)
    shutil.copy(f"{sample_db}.key", f"{db}.key")
    add_user(folder / "users.json", "dana", "biller", "correct horse battery")
    # 0.1 minutes: the page's idle check runs every 5 s at most, so it is cleared within about 11 s of signing in
    with serve(db, CLAIMSCOPE_USERS=str(folder / "users.json"), CLAIMSCOPE_DEMO="0", CLAIMSCOPE_IDLE_MINUTES="0.1") as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        sign_in(page, url, "dana", "correct horse battery")
        page.get_by_text("Signed out after 0.1 minutes without activity.").wait_for(timeout=30_000)
        # the message is drawn a moment before the form below it: wait for the form, then check the data has gone
        page.get_by_role("button", name="Sign in").wait_for(timeout=30_000)
        assert page.get_by_role("heading", name="Work queue", exact=True).count() == 0
        assert page.get_by_role("button", name="Sign in").count() == 1
        page.close()


# DuckDB's words when a writer's lock is in the way: a biller must never see them
LOCK_ERROR = __import__("re").compile("Could not set lock|Conflicting lock|database is locked", __import__("re").I)


def practice_with_account(folder: Path, files: list[Path], name: str, role: str, password: str) -> tuple[Path, Path]:
    """The files loaded into folder/practice.duckdb, with one account; the database and its accounts file."""
    from etl.access import accounts
    from etl.load import load_files

    db = folder / "practice.duckdb"
    load_files(files, db)
    accounts.add_user(folder / "users.json", name, role, password)
    return db, folder / "users.json"


def sign_in(page, url: str, name: str, password: str, lands_on: str = "Work queue") -> None:
    """Sign in at the address and wait for the page it opens (a biller's first page unless told)."""
    page.goto(url)
    page.get_by_role("textbox", name="User name").fill(name)
    page.get_by_role("textbox", name="Password").fill(password)
    with page.expect_navigation(timeout=60_000):  # through /_session/start, which sets the session cookie
        page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name=lands_on, exact=True).wait_for(timeout=60_000)
    settle(page)


# Streamlit marks its root with the run's state (data-test-script-state, as its own e2e suite waits on), but a run
# quick enough for React to draw at once never flips it: the page's WebSocket tells more. A click sends the server a
# message, and the run it starts answers with messages until its last. So a page counts as settled once every message
# sent has had an answer, the state is notRunning with no status widget, and nothing was sent, received or flipped for
# QUIET_MS. RUN_WATCH goes into every page before its first script (WatchedBrowser); a page that got it late (a tab a
# test opened itself) cannot see its socket's answers, and waits for LATE_QUIET_MS of quiet instead.
RUN_WATCH = """(() => {
  if (window.__claimscopeRuns) return;
  const runs = window.__claimscopeRuns = {changed: Date.now(), sent: 0, received: 0, late: document.readyState !== 'loading'};
  const Native = window.WebSocket, send = Native.prototype.send;
  function Watched(...options) {
    const socket = new Native(...options);
    socket.addEventListener('message', () => { runs.received = Date.now(); });
    return socket;
  }
  Watched.prototype = Native.prototype;
  for (const state of ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED']) Watched[state] = Native[state];
  window.WebSocket = Watched;
  Native.prototype.send = function (...message) { runs.sent = Date.now(); return send.apply(this, message); };
  new MutationObserver(() => { runs.changed = Date.now(); }).observe(
    document.documentElement, {subtree: true, attributes: true, attributeFilter: ['data-test-script-state']});
})()"""
SETTLED = """([since, quiet, lateQuiet]) => {
  const runs = window.__claimscopeRuns, app = document.querySelector('[data-testid="stApp"]'), now = Date.now();
  if (!runs || !app || app.getAttribute('data-test-script-state') !== 'notRunning'
      || document.querySelector('[data-testid="stStatusWidget"]')) return false;
  if (runs.late) return now - Math.max(runs.changed, since) > lateQuiet;
  const answered = runs.received >= runs.sent || now - runs.sent > 5000;
  return answered && now - Math.max(runs.changed, runs.sent, runs.received, since) > quiet;
}"""
QUIET_MS = 150
LATE_QUIET_MS = 500


class WatchedBrowser:
    """Chromium whose every new page carries RUN_WATCH from its first document, so `settle` sees every run."""

    def __init__(self, chromium) -> None:
        self.chromium = chromium

    def new_context(self, **options):
        context = self.chromium.new_context(**options)
        context.add_init_script(RUN_WATCH)
        return context

    def new_page(self, **options):
        page = self.chromium.new_page(**options)
        page.context.add_init_script(RUN_WATCH)
        return page

    def __getattr__(self, name: str):
        return getattr(self.chromium, name)


def settle(page) -> None:
    """Wait until the script runs a click or an address started have finished, and no other has started since."""
    page.evaluate(RUN_WATCH)  # a page opened some other way: watched from now on, by the quiet rule
    since = page.evaluate("Date.now()")
    page.wait_for_function(SETTLED, arg=[since, QUIET_MS, LATE_QUIET_MS], timeout=90_000, polling=50)


def select_first_row(page) -> None:
    """Tick the first row's box in the queue table (a canvas grid: the box sits at the row's left edge)."""
    box = page.locator("[data-testid='stDataFrame']").first.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 18)
    settle(page)
    page.get_by_text("Act on 1 selected claim").wait_for(timeout=60_000)


def choose(page, label: str, option: str) -> None:
    """Pick a selectbox option by typing it, as a keyboard user would (the list's own clicks are flaky here)."""
    box = page.locator("[data-testid='stSelectbox']").filter(has_text=label).last.get_by_role("combobox")
    box.click()
    box.fill(option)
    box.press("Enter")


def test_a_biller_works_a_claim_while_a_big_file_loads_and_finds_it_after_a_reload_and_a_restart(
        tmp_path_factory, sample_db, browser):
    import shutil

    from bench.generate_835 import write_835
    from etl.access.accounts import add_user

    folder = tmp_path_factory.mktemp("work_queue")
    db = folder / "practice.duckdb"
    shutil.copy(sample_db, db)
    shutil.copy(f"{sample_db}.key", f"{db}.key")
    users = folder / "users.json"
    add_user(users, "dana", "biller", "correct horse battery")
    big = write_835(folder / "big.835", 100_000)  # about 12 s to load alone here: it must outlast the first change (3-5 s)
    env = {"CLAIMSCOPE_USERS": str(users), "CLAIMSCOPE_DEMO": "0"}
    note = "Called the payer: reprocessing, see [reference 4411](http://x.test/ref)"

    with serve(db, **env) as url:
        page = browser.new_page(viewport={"width": 1400, "height": 2400})  # the forms in view without scrolling
        sign_in(page, url, "dana", "correct horse battery")
        load = subprocess.Popen([sys.executable, "-m", "etl.cli", "load", str(big), "--db", str(db)], cwd=REPO,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        page.get_by_text("Unassigned", exact=True).first.click()
        settle(page)
        select_first_row(page)
        claim_id = page.locator("h4").filter(has_text="Claim ").first.inner_text().split()[-1]
        choose(page, "Assign to", "dana")
        choose(page, "Status", "In progress")
        choose(page, "Follow up", "In 14 days")
        page.get_by_role("button", name="Apply to the selected claims").click()
        settle(page)
        # the change was saved while the load was still running (parsing, or holding the write lock)
        assert load.poll() is None, "the load ended before the biller's change: use a bigger file"
        page.get_by_text("My queue", exact=True).first.click()
        settle(page)
        select_first_row(page)
        page.screenshot(path=str(ARTIFACTS / "work_queue_mine.png"), full_page=True)
        page.get_by_role("textbox", name="Add a note").fill(note)
        page.get_by_role("button", name="Save note").click()
        settle(page)
        assert load.wait(timeout=600) in (0, 1), load.stdout.read().decode()[-2000:]
        page.get_by_text(note).first.wait_for(state="attached", timeout=60_000)  # a grid cell: in the DOM for readers, drawn on a canvas
        assert page.locator("[data-testid='stException']").count() == 0
        assert page.get_by_text(LOCK_ERROR).count() == 0
        page.screenshot(path=str(ARTIFACTS / "work_queue_acted.png"), full_page=True)

        page.reload()  # the session's cookie keeps her signed in
        page.get_by_role("heading", name="Work queue", exact=True).wait_for(timeout=60_000)
        settle(page)
        assert_worked(page, claim_id, note)
        page.close()

    with serve(db, **env) as url:  # a restarted server
        page = browser.new_page(viewport={"width": 1400, "height": 2400})
        sign_in(page, url, "dana", "correct horse battery")
        assert_worked(page, claim_id, note)
        page.screenshot(path=str(ARTIFACTS / "work_queue_after_restart.png"), full_page=True)
        page.close()


def assert_worked(page, claim_id: str, note: str) -> None:
    """My queue holds the claim, in progress with its follow-up date, and its history holds the note."""
    page.get_by_text("Claims", exact=True).first.wait_for(timeout=60_000)
    select_first_row(page)
    assert page.locator("h4").filter(has_text="Claim ").first.inner_text().split()[-1] == claim_id
    page.get_by_text(note).first.wait_for(state="attached", timeout=60_000)  # a grid cell: in the DOM for readers, drawn on a canvas
    # the history grid and the queue show the status and the follow-up date; the note's markdown stays text
    follow_up = (date.today() + timedelta(days=14)).isoformat()
    assert page.get_by_text("In progress", exact=True).count() >= 1 and page.get_by_text(follow_up, exact=True).count() >= 1
    assert page.locator("[data-testid='stMain'] a[href*='x.test']").count() == 0
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.get_by_text(LOCK_ERROR).count() == 0
