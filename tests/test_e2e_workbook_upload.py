"""The hostile-input run's styles workbook uploaded on Coder accuracy in a real browser (tests/test_e2e_browser.py's
Chromium and server): refused on the page, naming the file, the part and the bound, with nothing loaded, where it once
took 91 s and 1.1 GB of the server. Screenshot: tests/artifacts/workbook_upload_refused.png."""

import time

import pytest

from etl.access import accounts
from etl.load import load_files
from tests.conftest import FIXTURES
from tests.test_e2e_browser import ARTIFACTS, browser, screenshot_whole, serve, settle, sign_in  # noqa: F401 - a fixture
from tests.test_workbook_bounds import HOSTILE

pytestmark = pytest.mark.e2e
PASSWORD = "correct horse battery"
# A generous bound on the refusal as the auditor sees it (it reads only the zip directory): the click, two script
# runs and the page drawn again, on a loaded two-core machine.
REFUSED_ON_SCREEN_WITHIN_SECONDS = 60


def test_the_styles_workbook_is_refused_on_the_coder_accuracy_page_naming_the_part(tmp_path, browser):  # noqa: F811
    db = tmp_path / "practice.duckdb"
    load_files([FIXTURES / "worklist"], db)
    accounts.add_user(tmp_path / "users.json", "ines", "auditor", PASSWORD)
    hostile = tmp_path / "styles.xlsx"
    hostile.write_bytes(HOSTILE["styles"]())
    with serve(db, CLAIMSCOPE_USERS=str(tmp_path / "users.json"), CLAIMSCOPE_DEMO="0") as url:
        page = browser.new_page(viewport={"width": 1400, "height": 2400})
        sign_in(page, f"{url}/coder_accuracy", "ines", PASSWORD, lands_on="Coder accuracy")
        page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(hostile))
        settle(page)

        started = time.monotonic()
        page.get_by_role("button", name="Load worksheet").click()
        refusal = page.get_by_text("Nothing was loaded.")
        refusal.wait_for(timeout=REFUSED_ON_SCREEN_WITHIN_SECONDS * 1000)
        seconds = time.monotonic() - started
        settle(page)
        screenshot_whole(page, ARTIFACTS / "workbook_upload_refused.png")

        shown = refusal.inner_text()
        assert shown.startswith("rejected: 0 rows loaded, 1 quarantined.")  # the file itself, as a quarantine row
        assert ("styles.xlsx: the workbook's xl/styles.xml (its cell formats) expands to 62,000,417 bytes, over the "
                "4,000,000 read; save it as CSV") in shown
        assert seconds < REFUSED_ON_SCREEN_WITHIN_SECONDS
        print(f"refused on screen {seconds:.1f} s after the click")
        page.close()
