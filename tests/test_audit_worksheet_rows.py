"""The audit worksheet's open rows and the words of a load (issue 30): a missing code entered on a row below the drawn
codes of the protected sheet is open to edit and loads and counts; the worksheet drawn again later has the same
rows in the same order; a worksheet on synthetic claims is called demo data only on the demo.

The practice is tests/fixtures/worklist: eight claims W1–W8 of one CPT and one ICD-10 each."""

import shutil
from datetime import datetime

import pytest

from etl import db as database
from etl.intake.records import write_synthetic_manifest
from etl.load import load_files
from etl.reports import audit_worksheet
from etl.reports.audit_sampling import Universe, draw_sample, worksheet
from tests.conftest import FIXTURES


@pytest.fixture
def drawn(tmp_path):
    """The practice with a probe drawn: all eight claims, 16 codes."""
    db = tmp_path / "practice.duckdb"
    load_files([FIXTURES / "worklist"], db)
    with database.write_connection(db) as con:
        sample = draw_sample(con, Universe(), 30, 11, purpose="probe")
        sheet = worksheet(con, sample.sample_id)
    return db, sample.sample_id, sheet


def filled_with_a_missing_code(sheet, tmp_path):
    """The Excel worksheet filled in with openpyxl, every drawn code agreed, and on the first row below them W4's
    missing ICD-10 E119 worth $15.50; returns the file and that row's number."""
    from openpyxl import load_workbook

    blank = tmp_path / "sheet.xlsx"
    audit_worksheet.write(sheet, blank)
    book = load_workbook(blank)
    page = book["Worksheet"]
    column = {cell.value: cell.column for cell in page[1]}
    for row in range(2, len(sheet) + 2):
        for name, value in (("auditor_id", "AU1"), ("audit_date", datetime(2026, 11, 20)), ("finding", "agree"),
                            ("audited_code", page.cell(row, column["original_code"]).value), ("dollar_impact", 0.0)):
            page.cell(row, column[name]).value = value
    added = len(sheet) + 2
    assert page.protection.sheet
    # every cell of the new row is open on the protected sheet, the drawn columns included (it is nobody's draw)
    assert [page.cell(added, index).protection.locked for index in column.values()] == [False] * len(column)
    for name, value in (("claim_id", "W4"), ("coder_id", "CD2"), ("auditor_id", "AU1"), ("audit_date", datetime(2026, 11, 20)),
                        ("code_type", "ICD10"), ("audited_code", "E119"), ("finding", "missing"), ("dollar_impact", 15.5)):
        page.cell(added, column[name]).value = value
    out = tmp_path / "filled.xlsx"
    book.save(out)
    return out, added


def test_a_missing_code_on_a_row_below_the_drawn_codes_is_open_loads_and_counts(drawn, tmp_path):
    db, sample_id, sheet = drawn
    out, added = filled_with_a_missing_code(sheet, tmp_path)

    [result] = load_files([out], db)

    assert added == 18  # the header, then 16 drawn codes on rows 2–17
    assert (result.status, result.records_loaded, result.records_quarantined) == ("loaded", 17, 0)  # 16 + the added one
    with database.read_connection(db) as con:
        w4 = con.execute("select codes_audited, codes_correct, missing, overpayment from audited_claims where claim_id = 'W4'").fetchall()
        found = con.execute("select original_code, audited_code, locator from claim_coding_audits"
                            " where claim_id = 'W4' and finding = 'missing'").fetchall()
        results = con.execute("select claim_id, overpayment, is_claim_correct from audit_sample_results"
                              " where sample_id = ? and not is_claim_correct", [sample_id]).fetchall()
    # W4's CPT and ICD-10 agreed, plus the missing code: 3 audited, 2 right; the overpayment is −15.50 (underbilled)
    assert [(audited, right, missing, str(over)) for audited, right, missing, over in w4] == [(3, 2, 1, "-15.50")]
    assert found == [(None, "E119", f"line {added}")]
    assert [(claim_id, str(over), correct) for claim_id, over, correct in results] == [("W4", "-15.50", False)]


def test_only_the_fifty_rows_below_the_drawn_codes_are_open(drawn, tmp_path):
    from openpyxl import load_workbook

    _, _, sheet = drawn
    audit_worksheet.write(sheet, tmp_path / "sheet.xlsx")
    page = load_workbook(tmp_path / "sheet.xlsx")["Worksheet"]

    # rows 2–17 hold the drawn codes (claim locked), rows 18–67 are open, row 68 is not written
    assert [page.cell(row, 1).protection.locked for row in (2, 17, 18, 67, 68)] == [True, True, False, False, True]
    assert page.cell(67, 9).number_format == "$#,##0.00;-$#,##0.00"  # dollar_impact keeps its money format below


def test_a_samples_worksheet_drawn_again_later_has_the_same_rows_in_the_same_order(drawn, tmp_path):
    db, sample_id, sheet = drawn
    # the next day: W4 is sent again corrected (99214 for 99213), and another sample is drawn
    header = (FIXTURES / "worklist" / "claims.csv").read_text().splitlines()[0]
    corrected = tmp_path / "corrected.csv"
    corrected.write_text(header + "\nW4,62308,Cigna,C4,FIR,DEV,1970-01-01,1234567893,,CD2,professional,7,11,2026-06-01,,"
                                  "2026-11-25,150.00,1,99214,,1,150.00,,I10\n")
    assert load_files([corrected], db)[0].status == "loaded"
    with database.write_connection(db) as con:
        draw_sample(con, Universe(), 30, 12)
        again = worksheet(con, sample_id)

    assert again.rows() == sheet.rows()  # the codes drawn: W4's 99213, not the correction's 99214
    assert ("W4", "99213") in set(zip(again["claim_id"], again["original_code"]))
    assert again["claim_id"].to_list() == ["W1", "W1", "W2", "W2", "W3", "W3", "W4", "W4", "W5", "W5", "W6", "W6", "W7", "W7",
                                           "W8", "W8"]  # each claim's procedure, then its diagnosis


@pytest.mark.parametrize(("demo", "said"), [
    ("1", "every claim it audits comes from synthetic files: loaded as demo data, entered by hand"),
    (None, "every claim it audits comes from synthetic files (claimscope synth), so its findings are marked synthetic like them"),
], ids=["demo", "signed-in server"])
def test_a_worksheet_on_synthetic_claims_is_called_demo_data_only_on_the_demo(tmp_path, monkeypatch, demo, said):
    files = tmp_path / "files"
    shutil.copytree(FIXTURES / "worklist", files)
    write_synthetic_manifest(files)  # as `claimscope synth` marks its files
    db = tmp_path / "practice.duckdb"
    load_files([files], db)
    sheet = tmp_path / "worksheet.csv"
    sheet.write_text("claim_id,coder_id,auditor_id,audit_date,code_type,original_code,audited_code,finding,dollar_impact\n"
                     "W1,CD1,AU1,2026-11-20,CPT,99214,99214,agree,0.00\n")
    if demo:
        monkeypatch.setenv("CLAIMSCOPE_DEMO", demo)
    else:
        monkeypatch.delenv("CLAIMSCOPE_DEMO", raising=False)

    [result] = load_files([sheet], db)

    assert result.status == "loaded" and said in result.message
    assert ("demo data" in result.message) == (demo == "1")
    with database.read_connection(db) as con:
        assert con.execute("select is_synthetic from source_files where kind = 'audits_csv'").fetchall() == [(True,)]
