"""An export's /media address in a real browser (tests/test_e2e_browser.py's Chromium and server): the file a signed-in
session prepared is served only with that session's cookie, and each fetch writes an export entry naming what the file
held; no cookie, or another user's, is refused and writes nothing. In demo mode (no sign-in) downloads still work and
are logged. Screenshots go to tests/artifacts/exports_*.png."""

import json
import urllib.error
import urllib.request

import pytest

from etl import db as database
from etl.access import accounts
from etl.load import load_files
from tests.conftest import FIXTURES
from tests.test_e2e_browser import ARTIFACTS, browser, serve, settle, sign_in  # noqa: F401 - browser is a fixture

pytestmark = pytest.mark.e2e
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def practice(tmp_path_factory):
    """The hand-made worklist practice with a biller and a manager account."""
    folder = tmp_path_factory.mktemp("exports_auth")
    db = folder / "practice.duckdb"
    load_files([FIXTURES / "worklist"], db)
    accounts.add_user(folder / "users.json", "bea", "biller", PASSWORD)
    accounts.add_user(folder / "users.json", "mara", "manager", PASSWORD)
    return db, folder / "users.json"


def fetch(address: str, cookie: str | None = None) -> tuple[int, bytes]:
    """A plain HTTP GET, as curl would make it: the status and the body."""
    request = urllib.request.Request(address, headers={"Cookie": f"claimscope_session={cookie}"} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as refusal:
        return refusal.code, refusal.read()


def session_cookie(page) -> str:
    return next(cookie["value"] for cookie in page.context.cookies() if cookie["name"] == "claimscope_session")


def export_entries(db) -> list[tuple]:
    with database.read_connection(db) as con:
        return con.execute("select user_name, role, object_ids, details from audit_log where action = 'export' "
                           "order by entry_id").fetchall()


def export_work_queue(page, label: str = "Export CSV"):
    """Click an export button on the Work queue's Unassigned view (the whole practice: nothing is assigned yet) and
    return the download (its /media address and its bytes)."""
    page.get_by_text("Unassigned", exact=True).click()
    settle(page)
    with page.expect_download(timeout=90_000) as download:
        page.get_by_role("button", name=label).click()
    return download.value


def test_an_export_is_served_only_to_the_session_that_built_it_and_each_fetch_is_logged(practice, browser):  # noqa: F811
    db, users = practice
    with serve(db, CLAIMSCOPE_USERS=str(users), CLAIMSCOPE_DEMO="0") as url:
        biller = browser.new_context(viewport={"width": 1400, "height": 2400}, accept_downloads=True).new_page()
        sign_in(biller, url, "bea", PASSWORD)  # a biller lands on the Work queue
        before = len(export_entries(db))

        download = export_work_queue(biller)
        address = download.url
        held = download.path().read_bytes()
        biller.screenshot(path=str(ARTIFACTS / "exports_work_queue.png"), full_page=True)
        assert address.startswith(f"{url}/media/") and address.endswith(".csv")
        assert download.suggested_filename == "work_queue.csv"
        rows = held.decode("utf-8-sig").count("\n") - 1  # the heading line, then one line per claim
        assert rows > 0
        # the browser's own fetch: one entry, by the biller, naming the file and its rows
        entries = export_entries(db)
        assert len(entries) == before + 1
        user_name, role, object_ids, details = entries[-1]
        assert (user_name, role, list(object_ids)) == ("bea", "biller", ["work_queue"])
        assert json.loads(details) | {"filters": None} == {"rows": rows, "format": "csv", "file": "work_queue.csv",
                                                           "filters": None}

        # a plain client without the cookie: refused, nothing logged
        status, body = fetch(address)
        assert status == 403 and held not in body
        assert len(export_entries(db)) == before + 1

        # the same client with the biller's cookie: the same bytes, and a second entry naming what it held
        status, body = fetch(address, session_cookie(biller))
        assert (status, body) == (200, held)
        entries = export_entries(db)
        assert len(entries) == before + 2
        assert entries[-1][:3] == ("bea", "biller", ["work_queue"]) and json.loads(entries[-1][3])["rows"] == rows

        # another user's cookie (a manager signed in elsewhere): refused, nothing logged
        manager = browser.new_context(viewport={"width": 1400, "height": 2400}).new_page()
        sign_in(manager, url, "mara", PASSWORD, lands_on="Overview")
        status, body = fetch(address, session_cookie(manager))
        assert status == 403 and held not in body
        # a made-up or altered cookie, and an address with the extension changed: refused too
        assert fetch(address, "forged")[0] == 403
        assert fetch(address.rsplit(".", 1)[0] + ".txt")[0] == 403
        assert len(export_entries(db)) == before + 2

        # the biller signs out: the cookie that fetched the file a moment ago no longer does
        cookie = session_cookie(biller)
        biller.get_by_role("button", name="Sign out").click()
        biller.get_by_role("button", name="Sign in").wait_for(timeout=90_000)
        assert fetch(address, cookie)[0] == 403
        assert len(export_entries(db)) == before + 2
        biller.context.close()
        manager.context.close()


def test_a_demo_download_needs_no_sign_in_and_is_logged(practice, browser, tmp_path_factory):  # noqa: F811
    import shutil

    from etl.intake.records import write_synthetic_manifest

    folder = tmp_path_factory.mktemp("exports_demo")
    shutil.copytree(FIXTURES / "worklist", folder / "files")
    write_synthetic_manifest(folder / "files")
    db = folder / "demo.duckdb"
    load_files([folder / "files"], db)
    with serve(db, CLAIMSCOPE_DEMO="1") as url:
        page = browser.new_context(viewport={"width": 1400, "height": 2400}, accept_downloads=True).new_page()
        page.goto(f"{url}/work_queue")
        page.get_by_role("heading", name="Work queue", exact=True).wait_for(timeout=60_000)
        settle(page)
        download = export_work_queue(page, "Export Excel")
        held = download.path().read_bytes()
        assert held.startswith(b"PK")  # an .xlsx workbook
        status, body = fetch(download.url)  # no cookie: a demo has none
        assert (status, body) == (200, held)
        entries = export_entries(db)
        assert [entry[:3] for entry in entries[-2:]] == [("demo", "demo", ["work_queue"])] * 2
        assert json.loads(entries[-1][3])["file"] == "work_queue.xlsx"
        page.screenshot(path=str(ARTIFACTS / "exports_demo.png"), full_page=True)
        page.context.close()
