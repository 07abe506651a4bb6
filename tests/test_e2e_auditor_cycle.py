"""An auditor's cycle in a real browser (issue 30): sign in, draw a probe that older audits must not judge, download its
worksheet, fill it in Excel (openpyxl) with a missing code on a new row below the drawn ones, load it with one wrong
sign, fix the sign and load it again; the estimate, the per-coder counts and the claim's summary on screen count the
corrected worksheet once, the added row with it. The next day, in a new session, the same sample's worksheet is
downloaded again, row for row the same. Screenshots go to tests/artifacts/auditor_cycle_*.png.

The practice is tests/fixtures/worklist: eight claims W1–W8 of one CPT and one ICD-10 each, coded by CD1 (W1, W2, W5,
W6), CD2 (W3, W4) and CD3 (W7, W8); W1 and W2 were audited once before any sample (every code agreed)."""

from datetime import datetime

import pytest

from etl.access import accounts
from etl.load import load_files
from tests.conftest import FIXTURES
from tests.test_e2e_browser import ARTIFACTS, browser, screenshot_whole, serve, settle, sign_in  # noqa: F401 - a fixture

pytestmark = pytest.mark.e2e
PASSWORD = "correct horse battery"
OLDER_AUDIT = ("claim_id,coder_id,auditor_id,audit_date,code_type,original_code,audited_code,finding,dollar_impact\n"
               "W1,CD1,AU2,2026-09-01,CPT,99214,99214,agree,0.00\nW1,CD1,AU2,2026-09-01,ICD10,I10,I10,agree,0.00\n"
               "W2,CD1,AU2,2026-09-01,CPT,99215,99215,agree,0.00\nW2,CD1,AU2,2026-09-01,ICD10,I10,I10,agree,0.00\n")
# W1's visit upcoded ($45 overbilled), W4's downcoded ($20 underbilled), W6's upcoded ($60 overbilled); all else agrees.
FINDINGS = {"W1": ("99213", "upcoded", -45.0), "W4": ("99214", "downcoded", 20.0), "W6": ("99213", "upcoded", -60.0)}
# And W3 (CD2) should have carried E11.9 as well: a missing code, $10 underbilled, on the first row below the drawn ones.
MISSING = {"claim_id": "W3", "coder_id": "CD2", "code_type": "ICD10", "original_code": None, "audited_code": "E119",
           "finding": "missing", "dollar_impact": 10.0}


@pytest.fixture
def practice(tmp_path):
    db = tmp_path / "practice.duckdb"
    load_files([FIXTURES / "worklist"], db)
    older = tmp_path / "older_audit.csv"
    older.write_text(OLDER_AUDIT)
    load_files([older], db)
    accounts.add_user(tmp_path / "users.json", "ines", "auditor", PASSWORD)
    return db, tmp_path / "users.json"


def fill(workbook_path, out, wrong_sign: bool) -> int:
    """Fill the downloaded worksheet as an auditor would in Excel, the missing code on the first row below the drawn
    codes; returns the sheet row of W6's procedure."""
    from openpyxl import load_workbook

    book = load_workbook(workbook_path)
    sheet = book["Worksheet"]
    header = [cell.value for cell in sheet[1]]
    column = {name: index + 1 for index, name in enumerate(header)}
    drawn = drawn_rows(sheet)
    w6_row = 0
    for row in range(2, drawn + 2):
        claim_id = sheet.cell(row, column["claim_id"]).value
        if not claim_id:
            continue
        code_type, original = sheet.cell(row, column["code_type"]).value, sheet.cell(row, column["original_code"]).value
        audited, finding, impact = FINDINGS[claim_id] if code_type == "CPT" and claim_id in FINDINGS else (original, "agree", 0.0)
        if claim_id == "W6" and code_type == "CPT":
            w6_row, impact = row, (60.0 if wrong_sign else impact)  # entered as a gain the first time
        for name, value in (("auditor_id", "AU1"), ("audit_date", datetime(2026, 11, 20)), ("audited_code", audited),
                            ("finding", finding), ("dollar_impact", impact)):
            sheet.cell(row, column[name]).value = value
    added = drawn + 2
    assert sheet.protection.sheet and sheet.cell(drawn + 1, column["claim_id"]).protection.locked  # the draw is locked
    # Excel refuses a locked cell of a protected sheet: every cell of the new row must be open
    assert [sheet.cell(added, index).protection.locked for index in column.values()] == [False] * len(column)
    for name, value in {**MISSING, "auditor_id": "AU1", "audit_date": datetime(2026, 11, 20)}.items():
        sheet.cell(added, column[name]).value = value
    book.save(out)
    return w6_row


def drawn_rows(sheet) -> int:
    """How many codes the worksheet lists: the rows below the header until the first without a claim id."""
    rows = 0
    while sheet.cell(rows + 2, 1).value:
        rows += 1
    return rows


def worksheet_rows(path) -> list[tuple]:
    """Every row of a downloaded worksheet's first sheet, as values."""
    from openpyxl import load_workbook

    return [tuple(row) for row in load_workbook(path)["Worksheet"].iter_rows(values_only=True)]


def upload(page, path) -> str:
    """Load a worksheet through the page's uploader; returns the result line the page shows."""
    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(path))
    settle(page)
    page.get_by_role("button", name="Load worksheet").click()
    result = page.get_by_text("The accuracy above includes them.")
    result.wait_for(timeout=90_000)
    settle(page)
    return result.inner_text()


def shoot(page, name: str) -> None:
    """The whole page into tests/artifacts/, then the tall window again (the sidebar never covers what is clicked)."""
    screenshot_whole(page, ARTIFACTS / name)
    page.set_viewport_size({"width": 1400, "height": 2400})


def metrics(page) -> dict[str, str]:
    labels = page.locator("[data-testid='stMetricLabel']").all_inner_texts()
    values = page.locator("[data-testid='stMetricValue']").all_inner_texts()
    return {label.strip(): value.strip() for label, value in zip(labels, values)}


def test_an_auditor_draws_a_probe_loads_a_worksheet_fixes_a_sign_and_sees_it_counted_once(practice, browser, tmp_path):
    db, users = practice
    with serve(db, CLAIMSCOPE_USERS=str(users), CLAIMSCOPE_DEMO="0") as url:
        page = browser.new_page(viewport={"width": 1400, "height": 2400}, accept_downloads=True)
        sign_in(page, f"{url}/coder_accuracy", "ines", PASSWORD, lands_on="Coder accuracy")

        # A probe: 30 claims asked, the practice's 8 drawn. W1 and W2 were audited before it: it has judged nothing.
        page.get_by_text("Probe (30 claims)", exact=True).click()
        settle(page)
        page.get_by_role("button", name="Draw sample").click()
        page.get_by_text("Sample 1: 8 of 8 claims drawn with seed").wait_for(timeout=60_000)
        settle(page)
        shoot(page, "auditor_cycle_probe_drawn.png")
        assert page.get_by_text("Probe:").count() == 0  # not "Probe: 0 of 2 claims in error (0.0%)"
        assert page.get_by_text("Point estimate").count() == 0  # no audited sample to extrapolate yet

        with page.expect_download() as download:
            page.get_by_role("button", name="Export Excel").click()
        downloaded = tmp_path / download.value.suggested_filename
        download.value.save_as(downloaded)
        assert downloaded.name == "audit_sample_1.xlsx"
        first, fixed = tmp_path / "probe_1.xlsx", tmp_path / "probe_1_fixed.xlsx"
        w6_row = fill(downloaded, first, wrong_sign=True)
        fill(downloaded, fixed, wrong_sign=False)

        shown = upload(page, first)
        # 16 codes (8 claims × 2) and W3's missing code, W6's procedure set aside; W1's and W2's codes replace the older
        # audit's four, which was loaded before the probe was drawn and so belongs to no sample.
        assert shown.startswith("partial: 16 rows loaded, 1 quarantined.")
        assert f"line {w6_row}: dollar_impact 60.00 is positive on a finding of upcoded" in shown
        assert "enter it as -60.00" in shown
        assert "replaces 4 earlier findings for the same claims and codes" in shown
        shoot(page, "auditor_cycle_wrong_sign.png")

        shown = upload(page, fixed)
        assert shown.startswith("loaded: 17 rows loaded, 0 quarantined.")
        assert "replaces 16 earlier findings of sample 1 for the same claims and codes" in shown  # the added row's too
        page.get_by_text("Point estimate").wait_for(timeout=60_000)
        settle(page)
        shoot(page, "auditor_cycle_fixed.png")

        # The probe took the whole universe (N = n = 8): the estimate is the sum of overpayments, exact, with no width:
        # W1 45 + W6 60 − W4 20 − W3 10 = $75.00. Counted twice it read W1 90 + W6 60 − W4 40 − W3 20 = $90.00.
        shown_metrics = metrics(page)
        assert shown_metrics["Point estimate"] == "$75.00"
        assert shown_metrics["Lower bound, 90% two-sided"] == "$75.00" and shown_metrics["Upper bound"] == "$75.00"
        assert page.get_by_text("Probe: 4 of 8 claims in error (50.0%).").count() == 1  # W1, W3, W4, W6
        assert page.get_by_text("Below zero").count() == 0
        # Per coder (the accuracy table): CD1 W1, W2, W5, W6: 4 claims, 2 right, 8 codes, 6 right; CD2 W3 (2 codes and
        # the missing one) and W4: 2 claims, none right, 5 codes, 3 right; CD3 W7, W8: 2 claims and 4 codes, all right.
        # Counted twice, CD1 had 15 codes.
        accuracy = page.locator("[data-testid='stDataFrame']").first
        accuracy.scroll_into_view_if_needed()
        rows = {cells[0]: cells[1:] for cells in table_rows(accuracy)}
        assert {coder: rows[coder][:2] + rows[coder][6:8] for coder in rows} == {
            "CD1": ["4", "2", "8", "6"], "CD2": ["2", "0", "5", "3"], "CD3": ["2", "2", "4", "4"]}
        assert page.locator("[data-testid='stException']").count() == 0

        # The claim with one $45 upcode, on its own page: its 2 codes once, not "2 of 4 codes right ... $90.00".
        page.goto(f"{url}/claim?claim_id=W1")
        summary = page.get_by_text("Coding audit: latest review 2026-11-20 by")
        summary.wait_for(timeout=60_000)
        settle(page)
        assert "1 of 2 codes right (1 upcoded); overbilled by $45.00." in summary.inner_text()
        shoot(page, "auditor_cycle_claim.png")
        assert page.locator("[data-testid='stException']").count() == 0
        page.close()

        # The next day: a new browser session, nothing of yesterday's in it. Sample 1's worksheet, downloaded again, is
        # yesterday's download row for row (the same codes in the same order, the auditor's columns blank).
        page = browser.new_page(viewport={"width": 1400, "height": 2400}, accept_downloads=True)
        sign_in(page, f"{url}/coder_accuracy", "ines", PASSWORD, lands_on="Coder accuracy")
        listed = page.get_by_text("Sample 1 (probe), drawn")
        listed.wait_for(timeout=60_000)
        assert "8 claims, 16 codes; 8 audited so far." in listed.inner_text()
        page.get_by_role("button", name="Download worksheet again").click()
        with page.expect_download() as download:
            page.get_by_role("button", name="Export Excel").click()
        again = tmp_path / "next_day" / download.value.suggested_filename
        download.value.save_as(again)
        shoot(page, "auditor_cycle_next_day.png")
        assert again.name == "audit_sample_1.xlsx"
        assert worksheet_rows(again) == worksheet_rows(downloaded)
        assert len(worksheet_rows(again)) == 1 + 16 + 50  # the header, 16 codes, the open rows below them
        assert page.locator("[data-testid='stException']").count() == 0
        page.close()


def table_rows(frame) -> list[list[str]]:
    """The visible rows of a Streamlit data frame, from the grid's accessible table beside its canvas."""
    rows = []
    for row in frame.locator("table [role='row']").all()[1:]:
        cells = [cell.strip() for cell in row.locator("[role='gridcell']").all_inner_texts()]
        if cells:
            rows.append(cells)
    return rows
