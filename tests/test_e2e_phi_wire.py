"""Masked means masked on the wire: each role signs in through the real form, opens every page it may see with each
expander open, and every WebSocket frame the server sends, and every download it prepares, is searched for the patient
markers a loaded file carries. A role that may not see patients must never receive one, whether or not it is shown
(HIPAA's minimum-necessary standard is about what the server sends, not what the screen draws)."""

import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml

from etl.access.accounts import add_user
from etl.load import load_files
from tests.conftest import REPO, SAMPLES
from tests.test_e2e_browser import ARTIFACTS, browser, serve, settle, sign_in  # noqa: F401 - browser is a fixture

pytestmark = pytest.mark.e2e
PASSWORD = "correct horse battery"
# What the marker file says about its patient, as the file spells it and as a page would print it.
MARKERS = ("ZZLEAK", "ZZMEMBER", "19610704", "1961-07-04", "ZZSTREET", "ZZTOWN")
ROLES = yaml.safe_load((REPO / "etl" / "reference" / "access_policy.yaml").read_text())["roles"]
# The first page each role lands on after signing in (dashboard/app.py: the first page it may see).
LANDS_ON = {"manager": "Overview", "biller": "Work queue", "auditor": "Coder accuracy", "admin": "Data loaded"}
PAGE_PATHS = {"overview": "overview", "payer_scorecard": "payer_scorecard", "work_queue": "work_queue",
              "late_payments": "late_payments", "denials": "denials", "timelines": "timelines",
              "coder_accuracy": "coder_accuracy", "claim": "claim?claim_id=ZQ00000001", "data_loaded": "data_loaded",
              "data_quality": "data_quality", "audit_log": "audit_log"}


def marker_files(folder: Path) -> list[Path]:
    """An 837 whose first patient carries the markers (claims ZQ…, so they are new claims), and one whose segments lost
    their terminators and swallowed that patient's segments (it lands in quarantine with its raw text)."""
    text = (SAMPLES / "837P_20251127.837").read_text().replace("CLM*RS", "CLM*ZQ").replace("*000000001*", "*000000991*", 1)
    subscriber = re.search(r"NM1\*IL\*1\*[^~]*~\s*DMG\*D8\*\d{8}\*\w~", text)[0]
    text = text.replace(subscriber, "NM1*IL*1*ZZLEAKLAST*ZZLEAKFIRST****MI*ZZMEMBER777~\nN3*1 ZZSTREET ROAD~\n"
                                    "N4*ZZTOWN*OH*43215~\nDMG*D8*19610704*F~", 1)
    (folder / "markers.837").write_text(text)
    garbled = text.replace("*000000991*", "*000000992*", 1).replace("CLM*ZQ", "CLM*ZR")
    garbled = garbled.replace("CLM*ZR00000001*90.00***11:B:1*Y*A*Y*Y~",
                              "CLM*ZR00000001*1O0.00***11:B:1*Y*A*Y*YNM1*IL*1*ZZLEAKLAST*ZZLEAKFIRST****MI*ZZMEMBER777~", 1)
    garbled = garbled.replace("DTP*472*D8*20251123~", "DTP*472*D8*20251123DMG*D8*19610704*F~", 1)
    (folder / "garbled.837").write_text(garbled)
    return [folder / "markers.837", folder / "garbled.837"]


@pytest.fixture(scope="module")
def practice(tmp_path_factory, sample_db):
    """The sample practice with the marker files loaded on top, and one account per role."""
    folder = tmp_path_factory.mktemp("phi_wire")
    db = folder / "practice.duckdb"
    shutil.copy(sample_db, db)
    shutil.copy(f"{sample_db}.key", f"{db}.key")
    results = load_files(marker_files(folder), db)
    assert [result.status for result in results] == ["loaded", "rejected"], results
    for role in LANDS_ON:
        add_user(folder / "users.json", f"{role}1", role, PASSWORD)
    return db, folder / "users.json"


@pytest.fixture(scope="module")
def url(practice):
    db, users = practice
    with serve(db, CLAIMSCOPE_USERS=str(users), CLAIMSCOPE_DEMO="0") as url:
        yield url


def readable(payload: bytes | str) -> str:
    """A frame or a download as text to search: a zip (an xlsx) by its members."""
    data = payload.encode() if isinstance(payload, str) else payload
    if data.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return data.decode("utf-8", "replace")


def open_every_expander(page) -> None:
    for summary in page.locator("[data-testid='stExpander'] summary").all():
        if summary.is_visible():
            summary.click()
            settle(page)


@pytest.mark.parametrize("role", sorted(LANDS_ON))
def test_no_patient_marker_reaches_a_role_that_may_not_see_patients(url, browser, role):  # noqa: F811
    context = browser.new_context(viewport={"width": 1400, "height": 2400})
    page = context.new_page()
    frames: list[str] = []
    page.on("websocket", lambda socket: socket.on("framereceived", lambda payload: frames.append(readable(payload))))
    sign_in(page, url, f"{role}1", PASSWORD, lands_on=LANDS_ON[role])
    leaks: dict[str, list[str]] = {}
    downloads: set[str] = set()
    for name in ROLES[role]["pages"]:
        frames.clear()
        page.goto(f"{url}/{PAGE_PATHS[name]}")
        settle(page)
        open_every_expander(page)
        page.screenshot(path=str(ARTIFACTS / f"phi_wire_{role}_{name}.png"), full_page=True)
        assert page.locator("[data-testid='stException']").count() == 0, name
        wire = "\n".join(frames)
        assert len(wire) > 1000, f"{name}: no page data was recorded"
        # Every file the page offers for download, built on the server by a click and read as the user gets it.
        for button in page.locator("[data-testid='stDownloadButton'] button").all():
            with page.expect_download(timeout=60_000) as download:
                button.click()
            downloads.add(f"{name}/{download.value.suggested_filename}")
            wire += "\n" + readable(Path(download.value.path()).read_bytes())
        settle(page)
        found = [marker for marker in MARKERS if marker in wire]
        if found:
            leaks[name] = found
    context.close()
    if "data_quality" in ROLES[role]["pages"]:
        assert {"data_quality/quarantine.csv", "data_quality/quarantine.xlsx"} <= downloads, downloads
    assert leaks == {}, f"{role} was sent patient data on {leaks}"


def test_a_biller_who_reveals_patients_receives_them_so_the_search_can_find_a_leak(url, browser):  # noqa: F811
    context = browser.new_context(viewport={"width": 1400, "height": 2400})
    page = context.new_page()
    frames: list[str] = []
    page.on("websocket", lambda socket: socket.on("framereceived", lambda payload: frames.append(readable(payload))))
    sign_in(page, url, "biller1", PASSWORD, lands_on="Work queue")
    page.goto(f"{url}/{PAGE_PATHS['claim']}")
    settle(page)
    open_every_expander(page)
    assert "ZZLEAK" not in "\n".join(frames)
    page.get_by_text("Show patient names and member ids").first.click()
    settle(page)
    page.get_by_text("ZZLEAKLAST").first.wait_for(state="attached", timeout=60_000)
    assert "ZZLEAK" in "\n".join(frames)
    page.screenshot(path=str(ARTIFACTS / "phi_wire_biller_revealed.png"), full_page=True)
    context.close()
