"""In a real browser (tests/test_e2e_browser.py's Chromium and the served dashboard): claim ids and payer names from a file,
and a claim id from the address, show as text on the Claim page and in the charts. No image loads, no link appears,
no script runs, and the test's own beacon server gets no request. Screenshots go to tests/artifacts/inert_*.png."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote

import pytest

from tests.test_e2e_browser import ARTIFACTS, browser, serve  # noqa: F401 - browser is a fixture
from tests.test_inert_output import MARKUP, markup_practice

pytestmark = pytest.mark.e2e
# What the page holds that a file or the address could have made live: images, links (SVG ones too), their targets.
LIVE = """port => [...document.querySelectorAll('img, a, image')].map(element =>
    element.getAttribute('src') || element.getAttribute('href') || element.getAttribute('xlink:href') || '')
    .filter(target => /x\\.test|b\\.png|^x$/.test(target) || target.includes(':' + port))"""


@pytest.fixture(scope="module")
def beacon():
    """A tiny http.server on a free port that records every request; yields (port, requests)."""
    requests: list[str] = []

    class Recorder(BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], requests
    server.shutdown()


def opened(browser, address: str, dialogs: list[str]):  # noqa: F811 - the imported fixture's value
    """A new page at the address; any alert() it raises is recorded in dialogs."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(address)
    return page


def settled(page) -> None:
    page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)


def test_file_text_and_the_address_show_as_text_on_the_claim_page_and_in_the_charts(tmp_path_factory, beacon, browser):  # noqa: F811
    import duckdb

    port, requests = beacon
    db = markup_practice(tmp_path_factory.mktemp("markup_e2e"), port)
    with duckdb.connect(str(db)) as con:
        # The test's own made-up practice: marked synthetic, demo mode serves it without a sign-in, so an address
        # opens its page straight away (a sign-in would land on the first page instead).
        con.execute("update source_files set is_synthetic = true")
    hostile = [text.format(port=port) for text in MARKUP]
    dialogs: list[str] = []
    with serve(db, CLAIMSCOPE_DEMO="1") as url:
        # each id is a claim on file, opened from the address; the last is not on file, a phishing line reflected
        for number, claim_id in enumerate([*hostile, "[Session expired: sign in again](http://x.test/login)"]):
            page = opened(browser, f"{url}/claim?claim_id={quote(claim_id)}", dialogs)
            page.get_by_role("heading", name="Claim", exact=True).wait_for(timeout=60_000)
            shown = page.locator("[data-testid='stMain'] code").filter(has_text=claim_id)
            shown.first.wait_for(timeout=60_000)
            settled(page)
            page.screenshot(path=str(ARTIFACTS / f"inert_claim_{number}.png"), full_page=True)
            assert shown.first.inner_text() == claim_id  # literally, in a code span
            if number < len(hostile):
                assert page.get_by_role("heading", name=f"Claim {claim_id}").count() == 1
            else:
                assert page.get_by_text("No claim").count() == 1
            assert page.evaluate(LIVE, port) == [] and page.locator("[data-testid='stMain'] img").count() == 0
            assert page.locator("[data-testid='stException']").count() == 0
            page.close()

        # the three pages whose charts name payers
        for path, heading in [("late_payments", "Late payments"), ("denials", "Denials"), ("timelines", "Reimbursement timelines")]:
            page = opened(browser, f"{url}/{path}", dialogs)
            page.get_by_role("heading", name=heading, exact=True).wait_for(timeout=60_000)
            page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=60_000)
            settled(page)
            page.screenshot(path=str(ARTIFACTS / f"inert_{path}.png"), full_page=True)
            labels = page.evaluate("[...document.querySelectorAll('.js-plotly-plot text')].map(text => text.textContent)")
            assert hostile[0] in labels, (path, labels)  # the payer's name drawn as the characters it holds
            assert page.evaluate(LIVE, port) == [] and page.locator("[data-testid='stMain'] img").count() == 0
            assert page.locator("[data-testid='stException']").count() == 0
            page.close()

    assert dialogs == [] and requests == []
