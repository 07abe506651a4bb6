"""Every page in a real browser: `streamlit run` against the sample practice, driven by Debian's Chromium through
Playwright. Screenshots go to tests/artifacts/ (git-ignored)."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.e2e
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = REPO / "tests" / "artifacts"
# url path, a heading that must show, and text that proves the page's figures arrived
PAGES = [
    ("overview", "Overview", "Initial denial rate"),
    ("late_payments", "Late payments", "Worklist"),
    ("denials", "Denials", "Denied charges ($)"),
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


def serve(db: Path, **env: str):
    """`streamlit run` on a free port against a database; yields its address."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(REPO / "dashboard" / "app.py"), "--server.port", str(port),
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
    yield url
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture(scope="module")
def dashboard_url(sample_db):
    yield from serve(sample_db, CLAIMSCOPE_DEMO="1")  # the sample practice is synthetic: demo mode, no sign-in


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "install Debian's chromium (apt-get install chromium); .ci/run does"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.mark.parametrize(("path", "heading", "figure"), PAGES, ids=[heading for _, heading, _ in PAGES])
def test_page_renders_its_figures_without_an_exception(dashboard_url, browser, path, heading, figure):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    started = time.perf_counter()
    # The default page lives at the root: its own path would first show Streamlit's "Page not found".
    page.goto(f"{dashboard_url}/{'' if path == 'overview' else path}")
    page.get_by_role("heading", name=heading, exact=True).wait_for(timeout=60_000)
    page.get_by_text(figure, exact=True).first.wait_for(timeout=60_000)
    # Time to the first figure, cold (each page's queries run for the first time on this server): recorded, not
    # asserted, since a test must not fail on a busy machine; README "Speed of the pages" quotes it.
    seconds = time.perf_counter() - started
    ARTIFACTS.mkdir(exist_ok=True)
    with (ARTIFACTS / "page_times.txt").open("a") as times:
        times.write(f"{path}\t{seconds:.2f}\n")
    print(f"time to first figure: {heading}: {seconds:.2f} s")
    # wait until the script run has finished (the status widget disappears) and charts have drawn
    page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{heading.lower().replace(' ', '_')}.png"), full_page=True)

    assert page.locator("[data-testid='stException']").count() == 0
    assert page.get_by_text("Demo data.").count() == 1
    if path in ("overview", "denials", "timelines"):
        # a chart's frame is in the page before Plotly has drawn into it: wait for the drawing, then count
        charts = page.locator(".js-plotly-plot")
        charts.first.wait_for(timeout=30_000)
        assert charts.count() > 0
        page.screenshot(path=str(ARTIFACTS / f"{heading.lower().replace(' ', '_')}.png"), full_page=True)
    page.close()


def test_a_biller_signs_in_sees_only_their_pages_and_may_reveal_patients(tmp_path_factory, sample_db, browser):
    import shutil

    from etl.access.accounts import add_user

    folder = tmp_path_factory.mktemp("signed_in")
    db = folder / "practice.duckdb"
    shutil.copy(sample_db, db)
    shutil.copy(f"{sample_db}.key", f"{db}.key")
    add_user(folder / "users.json", "dana", "biller", "correct horse battery")
    for url in serve(db, CLAIMSCOPE_USERS=str(folder / "users.json"), CLAIMSCOPE_DEMO="0"):
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        page.get_by_role("textbox", name="User name").fill("dana")
        page.get_by_role("textbox", name="Password").fill("correct horse battery")
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("heading", name="Late payments", exact=True).wait_for(timeout=60_000)
        page.get_by_text("Show patient names and member ids").wait_for(timeout=60_000)

        menu = page.locator("[data-testid='stSidebar'] a").all_inner_texts()
        assert [item.split()[-1] for item in menu] == ["payments", "Claim"]  # Late payments, Claim
        assert page.get_by_text("Signed in as dana (biller)").count() == 1
        assert page.locator("[data-testid='stException']").count() == 0
        page.screenshot(path=str(ARTIFACTS / "signed_in_biller.png"), full_page=True)
        page.close()
