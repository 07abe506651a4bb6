"""Hostile and careless input (issue 21): every failure is its own file's rejection or quarantine, with a reason and a
locator, the rest of the batch loads to the cent, and no message carries a patient's name, member id or birth date."""

import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

import etl.intake.validate
import etl.load.parsing
from etl.cli import app
from etl.load import load_files
from tests.conftest import FIXTURES, HAND_MADE, scalar

HOSTILE = FIXTURES / "hostile"
# good.835: one payment of 100.00 (BPR02) for claim G100: 140.00 charged, 100.00 paid, 40.00 PR-2 (CLP05).
GOOD_835 = HOSTILE / "good.835"
GOOD_SVC = "SVC*HC:99213:25*140.00*100.00**1~"
CLAIMS_HEADER = (HAND_MADE / "claims.csv").read_text().splitlines()[0]
# One claim line of 60.00 with every field well formed; the bad lines below differ from it in one field.
GOOD_CLAIM = ("C9002,MCRB,Medicare Part B,M8TEST,OKAY,PAT,1950-03-14,1234567893,1987654328,CD1,professional,1,11,"
              "2026-09-01,2026-09-01,2026-09-03,60.00,1,99214,,1,60.00,2026-09-01,E11.9")
BAD_CLAIM = GOOD_CLAIM.replace("C9002", "C9001")
runner = CliRunner()
# The tests of one failure each leave the expectation suites out (validate=False, 5 s a load): what they check happens
# before the suites; the CLI test below runs the whole load.


def mutated_835(tmp_path: Path, old: str, new: str) -> Path:
    path = tmp_path / "bad.835"
    path.write_text(GOOD_835.read_text().replace("EFT100", "EFT999").replace(old, new))
    return path


def claims_csv(tmp_path: Path, *lines: str, newline: str = "\n") -> Path:
    path = tmp_path / "bad.csv"
    path.write_bytes(newline.join([CLAIMS_HEADER, *lines, ""]).encode())
    return path


def assert_good_835_loaded_to_the_cent(db: Path) -> None:
    assert scalar(db, "select list(claim_id) from remit_claims") == ["G100"]
    assert scalar(db, "select sum(paid) from remit_claims") == Decimal("100.00")
    assert scalar(db, "select sum(amount) from remit_payments") == Decimal("100.00")
    assert scalar(db, "select sum(amount) from remit_adjustments") == Decimal("40.00")


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        (GOOD_SVC, "SVC*HC:99213:25*140.00*100.00**99999999999999999999~",
         "quantity too large in units (DECIMAL(12,3) holds at most 9 digits before the point)"),
        ("CLP*G100*1*140.00", "CLP*G100*1*99999999999999999.00",
         "amount too large in charge (DECIMAL(18,2) holds at most 16 digits before the point)"),
        (GOOD_SVC, "SVC*HC:99213:25*140.00*100.00**١٢٣~", "non-numeric quantity in units: '١٢٣'"),
        (GOOD_SVC, "SVC*HC:99213:25*140.00*100.00**１２３~", "non-numeric quantity in units: '１２３'"),
    ],
    ids=["units-overflow", "amount-overflow", "arabic-indic-digits", "full-width-digits"],
)
def test_an_835_value_that_does_not_fit_rejects_its_set_and_the_batch_loads(db_path, tmp_path, old, new, reason):
    bad = mutated_835(tmp_path, old, new)

    good, rejected = load_files([GOOD_835, bad], db_path, validate=False)

    assert (good.status, rejected.status) == ("loaded", "rejected")
    assert reason in scalar(db_path, "select reason from quarantine")
    assert scalar(db_path, "select locator from quarantine").startswith("segment ")
    assert_good_835_loaded_to_the_cent(db_path)


@pytest.mark.parametrize(
    ("bad_line", "locator", "reason"),
    [
        (BAD_CLAIM.replace(",1,60.00,2026", ",99999999999,60.00,2026"), "line 2",
         "units '99999999999' is too large (DECIMAL(12,3) holds at most 9 digits before the point)"),
        (BAD_CLAIM.replace(",1,60.00,2026", ",١,60.00,2026"), "line 2", "units '١' is not a number"),
        (BAD_CLAIM.replace(",60.00,1,99214", ",60.00,4294967297,99214"), "line 2",
         "line_number '4294967297' is too large (INTEGER holds at most 2147483647)"),
        (BAD_CLAIM.replace("Medicare Part B", "x" * 200 * 1024), "line 2",
         "cannot be read as CSV: field larger than field limit (131072)"),
    ],
    ids=["units-overflow", "unicode-units", "line-number-past-int32", "200-KiB-field"],
)
def test_a_csv_value_that_does_not_fit_is_quarantined_with_its_line_never_defaulted(db_path, tmp_path, bad_line, locator, reason):
    bad = claims_csv(tmp_path, bad_line, GOOD_CLAIM)

    good, partial = load_files([GOOD_835, bad], db_path, validate=False)

    assert (good.status, partial.status, partial.records_loaded, partial.records_quarantined) == ("loaded", "partial", 1, 1)
    assert scalar(db_path, "select [locator, reason] from quarantine") == [locator, reason]
    assert scalar(db_path, "select list(claim_id) from claims") == ["C9002"]
    assert scalar(db_path, "select sum(units) from claim_lines") == Decimal("1.000")
    assert_good_835_loaded_to_the_cent(db_path)


def test_a_csv_with_cr_only_line_ends_loads_every_line(db_path, tmp_path):
    bad = claims_csv(tmp_path, GOOD_CLAIM, GOOD_CLAIM.replace("C9002", "C9003"), newline="\r")

    results = load_files([GOOD_835, bad], db_path, validate=False)

    assert [r.status for r in results] == ["loaded", "loaded"]
    # 60.00 + 60.00
    assert scalar(db_path, "select sum(total_charge) from claims") == Decimal("120.00")
    assert scalar(db_path, "select list(locator order by locator) from claims") == ["line 2", "line 3"]


def test_a_header_naming_a_column_twice_is_rejected_not_won_by_the_last(db_path, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(f"{CLAIMS_HEADER},claim_id\n{GOOD_CLAIM},OTHER\n")

    good, rejected = load_files([GOOD_835, bad], db_path, validate=False)

    assert rejected.status == "rejected"
    assert scalar(db_path, "select reason from quarantine") == f"{bad}: line 1: the header names claim_id more than once"
    assert scalar(db_path, "select count(*) from claims") == 0
    assert_good_835_loaded_to_the_cent(db_path)


def workbook_with_first_sheet(sheet_xml: bytes) -> bytes:
    """A real workbook whose first sheet's XML is replaced by the given text."""
    book = Workbook()
    book.active.append(["claim_id"])
    saved = io.BytesIO()
    book.save(saved)
    source, built = zipfile.ZipFile(saved), io.BytesIO()
    with zipfile.ZipFile(built, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, sheet_xml if info.filename == "xl/worksheets/sheet1.xml" else source.read(info.filename))
    return built.getvalue()


SHEET = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
# Ten levels of ten: "lol" 10^9 times, about 3 GB once expanded.
BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (level, b"&lol%d;" % (level - 1) * 10) for level in range(1, 10))
    + b"]>" + SHEET + b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
)
# 200,000 empty rows in half a megabyte (a 2.2 MB upload of a million once grew the server by 1.2 GB).
TOO_MANY_ROWS = SHEET + b"".join(b'<row r="%d"/>' % number for number in range(1, 200_001)) + b"</sheetData></worksheet>"
AUDIT_COLUMNS = ["claim_id", "coder_id", "auditor_id", "audit_date", "code_type", "original_code", "audited_code", "finding", "dollar_impact"]
# An audit row whose finding is a formula no program ever calculated: no <v> cached value beside its <f>.
UNCALCULATED_FORMULA = (
    SHEET
    + b'<row r="1">' + b"".join(b'<c t="inlineStr"><is><t>%s</t></is></c>' % name.encode() for name in AUDIT_COLUMNS) + b"</row>"
    + b'<row r="2">' + b"".join(b'<c t="inlineStr"><is><t>%s</t></is></c>' % value.encode()
                                for value in ["X1", "CD1", "AU1", "2026-10-01", "CPT", "99213", "99213"])
    + b'<c r="H2"><f>IF(F2=G2,"agree","upcoded")</f></c><c r="I2"><v>0</v></c></row></sheetData></worksheet>'
)


@pytest.mark.parametrize(
    ("sheet_xml", "reason"),
    [
        (BILLION_LAUGHS, "the workbook's XML cannot be read (limit on input amplification factor (from DTD and entities) breached"),
        (TOO_MANY_ROWS, "the first sheet has more than 100,000 rows; save it as CSV"),
        (UNCALCULATED_FORMULA, "line 2: column 8 holds a formula with no saved value; open the workbook in Excel, save it, and load it again"),
    ],
    ids=["billion-laughs", "too-many-rows", "formula-without-saved-value"],
)
def test_a_hostile_workbook_is_rejected_with_a_reason_and_the_batch_loads(db_path, tmp_path, sheet_xml, reason):
    upload = tmp_path / "worksheet.xlsx"
    upload.write_bytes(workbook_with_first_sheet(sheet_xml))

    good, rejected = load_files([GOOD_835, upload], db_path, validate=False)

    assert rejected.status == "rejected"
    assert scalar(db_path, "select reason from quarantine").startswith(f"{upload}: {reason}")
    assert scalar(db_path, "select count(*) from coding_audits") == 0
    assert_good_835_loaded_to_the_cent(db_path)


def test_every_crash_of_a_batch_is_one_clear_line_and_exit_1_with_the_good_file_loaded(db_path, tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "a_good.835").write_bytes(GOOD_835.read_bytes())
    mutated_835(tmp_path, GOOD_SVC, "SVC*HC:99213:25*140.00*100.00**99999999999999999999~").rename(folder / "b_units.835")
    claims_csv(tmp_path, BAD_CLAIM.replace("Medicare Part B", "x" * 200 * 1024), GOOD_CLAIM).rename(folder / "c_big_field.csv")
    (folder / "d_bomb.xlsx").write_bytes(workbook_with_first_sheet(BILLION_LAUGHS))

    result = runner.invoke(app, ["load", str(folder), "--db", str(db_path)])

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    problems = [line for line in result.stderr.splitlines() if line.startswith(str(folder))]
    assert [line.split(": ")[1] for line in problems] == ["rejected", "partial", "rejected"]
    assert_good_835_loaded_to_the_cent(db_path)


def test_an_error_nobody_foresaw_rejects_only_its_file_and_logs_a_masked_traceback(db_path, monkeypatch):
    planted = "PLANTED" + "LAST"  # a patient's name in the error's message, never in a line of source the log quotes

    def broken_parser(text, mapping):
        raise RuntimeError(f"cannot handle {planted!r}")

    monkeypatch.setattr(etl.load.parsing, "parse_audits_csv", broken_parser)

    audits, good = load_files([HAND_MADE / "audits.csv", GOOD_835], db_path)

    log = Path(f"{db_path}.errors.log")
    assert audits.status == "rejected"
    assert audits.message == f"file: {HAND_MADE / 'audits.csv'}: internal error while parsing it (RuntimeError); the traceback is in {log}"
    assert "Traceback" in log.read_text() and "broken_parser" in log.read_text() and "test_load_hostile.py" in log.read_text()
    assert "PLANTEDLAST" not in log.read_text()
    assert log.stat().st_mode & 0o777 == 0o600
    assert_good_835_loaded_to_the_cent(db_path)


def test_a_validation_error_nobody_foresaw_rejects_only_its_file(db_path, monkeypatch):
    real = etl.intake.validate.validate_files

    def fails_on_audits(runner, files, paths, strict=False):
        if any(path.name == "audits.csv" for path in paths):
            raise KeyError("PLANTEDMEMBER")
        real(runner, files, paths, strict)

    monkeypatch.setattr(etl.intake.validate, "validate_files", fails_on_audits)

    audits, good = load_files([HAND_MADE / "audits.csv", GOOD_835], db_path)

    assert (audits.status, good.status) == ("rejected", "loaded")
    assert "internal error while checking it (KeyError)" in audits.message
    assert_good_835_loaded_to_the_cent(db_path)


def test_a_failure_of_the_run_itself_exits_2_with_one_line_and_no_traceback(db_path, monkeypatch):
    planted = "PLANTED" + "LAST"

    def broken_load(*args, **kwargs):
        raise RuntimeError(f"the loader fell over on {planted!r}")

    monkeypatch.setattr(etl.load, "load_files", broken_load)

    result = runner.invoke(app, ["load", str(GOOD_835), "--db", str(db_path)])

    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"Error: loading into {db_path}: internal error while loading (RuntimeError); the traceback is in "
        f"{db_path}.errors.log; files already committed stay"
    ]
    assert "PLANTEDLAST" not in Path(f"{db_path}.errors.log").read_text()


def test_a_repeated_claim_loop_in_a_file_of_two_interchanges_loads(db_path):
    # Found by bench/fuzz_load.py: the C3 loop (60.00 charged, 48.00 paid) three times more in the second interchange
    # left a table's surrogate id all null, and merging the interchanges raised a TypeError.
    [result] = load_files([HOSTILE / "repeated_loop_two_interchanges.835"], db_path, validate=False)

    assert (result.status, result.records_loaded) == ("loaded", 5)
    assert scalar(db_path, "select count(*) from remit_claims where claim_id = 'C3'") == 4
