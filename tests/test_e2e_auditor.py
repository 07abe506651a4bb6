"""The auditor's loop in a real browser: draw a sample, fill in its worksheet, upload it, and see the new results on
the same screen without a reload, in demo mode and signed in; in demo mode the page stays open afterwards."""

import shutil

import pytest

from etl import db as database
from etl.reports.audit_sampling import worksheet
from tests.test_e2e_browser import ARTIFACTS, browser, serve, settle, sign_in  # noqa: F401 - browser is a fixture

pytestmark = pytest.mark.e2e
HEADER = "claim_id,coder_id,auditor_id,audit_date,code_type,original_code,audited_code,finding,dollar_impact"


@pytest.mark.parametrize("signed_in", [False, True], ids=["demo mode", "signed in"])
def test_an_auditor_draws_fills_in_uploads_and_sees_the_estimate_at_once(tmp_path, sample_db, browser, signed_in):
    from etl.access.accounts import add_user

    db = tmp_path / "practice.duckdb"
    shutil.copy(sample_db, db)
    shutil.copy(f"{sample_db}.key", f"{db}.key")
    env = {"CLAIMSCOPE_DEMO": "0" if signed_in else "1"}
    if signed_in:
        add_user(tmp_path / "users.json", "ines", "auditor", "correct horse battery")
        env["CLAIMSCOPE_USERS"] = str(tmp_path / "users.json")
    with serve(db, **env) as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        if signed_in:
            sign_in(page, f"{url}/coder_accuracy", "ines", "correct horse battery", lands_on="Coder accuracy")  # the deep link
        else:
            page.goto(f"{url}/coder_accuracy")
        page.get_by_role("heading", name="Draw an audit sample").wait_for(timeout=60_000)
        page.get_by_text("Fixed", exact=True).click()
        settle(page)
        size = page.get_by_label("Fixed size (claims)")
        size.fill("3")
        size.press("Enter")
        settle(page)
        page.get_by_role("button", name="Draw sample").click()
        page.get_by_text("claims drawn with seed").wait_for(timeout=60_000)

        with database.read_connection(db) as con:
            sample_id, universe = con.execute("select sample_id, universe_size from audit_samples order by sample_id desc limit 1").fetchall()[0]
            sheet = worksheet(con, sample_id)
        # The auditor agrees with every code but the first claim's procedure, upcoded by $25.00 (entered negative).
        first_claim = sheet["claim_id"][0]
        rows, marked = [], False
        for row in sheet.iter_rows(named=True):
            upcode = not marked and row["claim_id"] == first_claim and row["code_type"] == "CPT"
            marked = marked or upcode
            rows.append(",".join([row["claim_id"], row["coder_id"] or "", "AU7", "2026-11-20", row["code_type"], row["original_code"],
                                  row["original_code"], "upcoded" if upcode else "agree", "-25.00" if upcode else "0.00"]))
        filled = tmp_path / f"audit_sample_{sample_id}.csv"
        filled.write_text(HEADER + "\n" + "\n".join(rows) + "\n")

        page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(filled))
        page.get_by_role("button", name="Load worksheet").click()
        page.get_by_text("The accuracy above includes them.").wait_for(timeout=90_000)
        settle(page)
        # Three claims audited, one overpaid by $25: the universe's estimate is N × 25 / 3, shown for the new sample.
        estimate = f"${universe * 25 / 3:,.2f}"
        page.get_by_text(estimate, exact=True).wait_for(timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / f"auditor_loop_{'signed_in' if signed_in else 'demo'}.png"), full_page=True)
        assert page.locator("[data-testid='stException']").count() == 0

        if not signed_in:  # the worksheet was about synthetic claims only: demo mode stays open
            page.reload()
            page.get_by_role("heading", name="Draw an audit sample").wait_for(timeout=60_000)
            assert page.get_by_text("Demo mode refuses this database").count() == 0
        page.close()
