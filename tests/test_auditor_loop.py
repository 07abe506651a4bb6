"""The auditor's loop: one sign convention for dollar_impact, checked on load; a workbook an auditor can fill in;
a worksheet filled in on the demo stays demo data, and no upload locks the demo; a probe that calls for the full sample."""

import shutil
from datetime import date
from pathlib import Path

import pytest

from etl import db as database
from etl.load import load_files
from tests.conftest import FIXTURES

HEADER = "claim_id,coder_id,auditor_id,audit_date,code_type,original_code,audited_code,finding,dollar_impact\n"


def test_a_finding_with_the_wrong_sign_is_set_aside_with_how_to_fix_it(db_path, tmp_path):
    load_files([FIXTURES / "worklist"], db_path)
    sheet = tmp_path / "audits.csv"
    sheet.write_text(HEADER
                     + "W1,CD1,AU1,2026-11-20,CPT,99214,99213,upcoded,45.00\n"      # overbilled entered as a gain
                     + "W2,CD1,AU1,2026-11-20,CPT,99215,99215,agree,0.00\n"
                     + "W3,CD2,AU1,2026-11-20,CPT,99213,99214,downcoded,20.00\n"    # right
                     + "W4,CD2,AU1,2026-11-20,CPT,99213,99212,upcoded,-30.00\n")    # right
    [result] = load_files([sheet], db_path)

    assert (result.status, result.records_loaded, result.records_quarantined) == ("partial", 3, 1)
    with database.read_connection(db_path) as con:
        [(locator, reason)] = con.execute("select locator, reason from quarantine").fetchall()
        overpayment = con.execute("select sum(overpayment) from audited_claims").fetchall()[0][0]
    assert locator == "line 2"
    assert "dollar_impact 45.00 is positive on a finding of upcoded" in reason and "enter it as -45.00" in reason
    # What loaded: W4 overbilled by 30, W3 underbilled by 20: the practice was overpaid 30 − 20 = 10 net.
    assert overpayment == 10


def test_the_excel_worksheet_has_drop_downs_formats_locked_draws_and_instructions(tmp_path):
    import polars as pl
    from openpyxl import load_workbook

    from etl.reports.audit_sampling import SIGN_NOTE
    from etl.reports.audit_worksheet import write

    sheet = pl.DataFrame({
        "claim_id": ["C1", "C1"], "coder_id": ["CD1", "CD1"], "auditor_id": [None, None], "audit_date": [None, None],
        "code_type": ["CPT", "ICD10"], "original_code": ["99214", "=I10"], "audited_code": [None, None],
        "finding": [None, None], "dollar_impact": [None, None],
    }, schema_overrides={"audit_date": pl.Date, "dollar_impact": pl.Decimal(18, 2)})
    out = tmp_path / "sheet.xlsx"
    write(sheet, out)
    book = load_workbook(out)

    assert book.sheetnames == ["Worksheet", "Instructions"]  # the worksheet first: the sheet `claimscope load` reads
    page = book["Worksheet"]
    lists = {str(rule.sqref).split(":")[0]: rule.formula1 for rule in page.data_validations.dataValidation if rule.type == "list"}
    assert lists == {"E2": '"CPT,HCPCS,ICD10"', "H2": '"agree,upcoded,downcoded,wrong_code,missing,extra"'}
    assert page.protection.sheet  # the drawn columns cannot be edited by mistake
    assert page["A2"].protection.locked and page["F2"].protection.locked
    assert not page["C2"].protection.locked and not page["I2"].protection.locked  # the auditor's columns stay open
    assert page["F3"].value == "=I10" and page["F3"].data_type == "s"  # a code is text, never a formula
    assert page["I2"].number_format == "$#,##0.00;-$#,##0.00" and page["D2"].number_format == "yyyy-mm-dd"
    notes = [row[0] for row in book["Instructions"].iter_rows(values_only=True)]
    assert SIGN_NOTE in notes and any("finding: pick from the list" in (line or "") for line in notes)


@pytest.fixture(scope="module")
def demo_practice(tmp_path_factory):
    """`make demo` in small: 60 synthetic claims over three months loaded, and the first claim of the audit universe
    with its coder. Tests copy it before they write."""
    from etl.synth import synthesize

    folder = tmp_path_factory.mktemp("demo")
    synthesize(folder / "files", 60, seed=3, months=3, end=date(2026, 11, 26), output_format="x12")
    load_files([folder / "files"], folder / "demo.duckdb")
    with database.read_connection(folder / "demo.duckdb") as con:
        claim_id, coder_id = con.execute("select claim_id, coder_id from audit_universe order by claim_id limit 1").fetchall()[0]
    return folder / "demo.duckdb", claim_id, coder_id


def copy_of(db: Path, folder: Path) -> Path:
    """A copy of the database and its key in the folder, for a test to write to."""
    copied = folder / db.name
    shutil.copy(db, copied)
    shutil.copy(f"{db}.key", f"{copied}.key")
    return copied


def open_demo(db: Path, monkeypatch, page: str):
    """The dashboard as `make demo` serves it (CLAIMSCOPE_DEMO=1, no sign-in), opened at a page."""
    from streamlit.testing.v1 import AppTest

    from tests.conftest import APP

    monkeypatch.setenv("CLAIMSCOPE_DB", str(db))
    monkeypatch.setenv("CLAIMSCOPE_DEMO", "1")
    app = AppTest.from_file(APP, default_timeout=60)
    app.run()
    return app.switch_page(page).run()


def test_a_worksheet_on_the_demos_claims_loads_as_demo_data_so_demo_mode_stays_open(demo_practice, tmp_path, monkeypatch):
    from tests.conftest import open_app

    template, claim_id, coder_id = demo_practice
    db = copy_of(template, tmp_path)
    sheet = tmp_path / "worksheet.csv"
    sheet.write_text(HEADER + f"{claim_id},{coder_id},AU1,2026-11-20,CPT,99213,99213,agree,0.00\n")
    [entered] = load_files([sheet], db)
    other = tmp_path / "elsewhere.csv"
    other.write_text(HEADER + "NOT-A-DEMO-CLAIM,CD9,AU1,2026-11-20,CPT,99213,99213,agree,0.00\n")
    [foreign] = load_files([other], db)

    # loaded outside demo mode (the command line): marked synthetic like its claims, not called demo data (issue 30)
    assert entered.status == "loaded" and "so its findings are marked synthetic like them" in entered.message
    with database.read_connection(db) as con:
        synthetic = dict(con.execute("select path, is_synthetic from source_files where kind = 'audits_csv'").fetchall())
    assert (synthetic[str(sheet)], synthetic[str(other)]) == (True, False)  # a claim the demo never had is not demo data

    monkeypatch.setenv("CLAIMSCOPE_DEMO", "1")
    monkeypatch.setenv("CLAIMSCOPE_DB", str(db))
    page = open_app(db, monkeypatch, "auditor")
    monkeypatch.setenv("CLAIMSCOPE_DEMO", "1")
    page.run()
    assert any("Demo mode refuses this database: 1 of its files" in error.value for error in page.error)


@pytest.mark.parametrize(("content", "shown"), [
    ("{header}{claim},{coder},AU1,2026-11-20,CPT,99214,99213,upcoded,45.00\n",
     "rejected: 0 rows loaded, 1 quarantined. ` line 2: dollar_impact 45.00 is positive on a finding of upcoded"),
    ("{header}{claim},{coder},AU1,2026-11-20,CPT,99213,99213,agree,0.00\n{claim}X,{coder},AU1,2026-11-20,CPT,99213,99213,agree,0.00\n",
     "rejected: 0 rows loaded, 0 quarantined. ` worksheet.csv: the demo practice has no claim {claim}X; check the ids"),
    ("claim_id,auditor_id\n\x00\x01\n",
     "rejected: 0 rows loaded, 0 quarantined. ` worksheet.csv: binary content, not an X12 or CSV file; nothing was loaded `"),
    ("{header}{claim},{coder},AU1,2026-11-20,CPT,99213,99213,agree,0.00\n", "loaded: 1 rows loaded, 0 quarantined."),
], ids=["wrong-sign-only", "mistyped-id", "unreadable", "right"])
def test_a_worksheet_uploaded_on_the_demo_shows_its_reason_and_leaves_every_page_open(demo_practice, tmp_path, monkeypatch,
                                                                                     content, shown):
    template, claim_id, coder_id = demo_practice
    db = copy_of(template, tmp_path)
    page = open_demo(db, monkeypatch, "views/coder_accuracy.py")

    upload = content.format(header=HEADER, claim=claim_id, coder=coder_id).encode()
    page.file_uploader[0].set_value(("worksheet.csv", upload, "text/csv")).run()
    next(button for button in page.button if button.label == "Load worksheet").click().run()

    assert not page.exception
    assert any(message.value.startswith(shown.format(claim=claim_id)) for message in [*page.warning, *page.success])
    page.switch_page("views/overview.py").run()
    assert not page.exception and not page.error and page.title[0].value == "Overview"  # not "Demo mode refuses ..."
    with database.read_connection(db) as con:
        assert database.real_file_count(con) == 0


def test_a_probe_with_many_errors_sizes_the_full_sample_from_its_error_rate(db_path, tmp_path):
    from etl.reports.audit_sampling import PROBE_SIZE, SAMPLE_RESULTS_SQL, Universe, draw_full_sample, draw_sample, probe_result, sample_size

    load_files([FIXTURES / "worklist"], db_path)
    with database.write_connection(db_path) as con:
        probe = draw_sample(con, Universe(), PROBE_SIZE, seed=4, purpose="probe")
    # The worklist practice has 8 claims: the probe takes them all. The auditor finds W1 and W3 miscoded: 2 of 8.
    sheet = tmp_path / "probe.csv"
    rows = [f"{claim},CD1,AU1,2026-11-20,CPT,99213,{'99212' if claim in ('W1', 'W3') else '99213'},"
            f"{'upcoded' if claim in ('W1', 'W3') else 'agree'},{'-10.00' if claim in ('W1', 'W3') else '0.00'}"
            for claim in probe.claims["claim_id"]]
    sheet.write_text(HEADER + "\n".join(rows) + "\n")
    load_files([sheet], db_path)
    with database.write_connection(db_path) as con:
        result = probe_result(con.sql(SAMPLE_RESULTS_SQL, params={"sample_id": probe.sample_id}).pl())
        assert result == {"claims_audited": 8, "claims_in_error": 2, "error_rate": 0.25}
        # n0 = 1.96² × 0.25 × 0.75 / 0.05² = 288.1; corrected for N = 8: 288.1 / (1 + 287.1 / 8) = 7.8 -> 8 claims
        size = sample_size(0.95, 0.05, result["error_rate"], probe.universe_size)
        assert size == 8
        full = draw_full_sample(con, probe.sample_id, size, seed=99)
        recorded = con.execute("select sample_id, seed, purpose, probe_sample_id, sample_size from audit_samples order by 1").fetchall()
    assert recorded == [(probe.sample_id, 4, "probe", None, 8), (full.sample_id, 99, "full", probe.sample_id, 8)]


def test_the_sample_size_follows_the_inputs_before_anything_is_drawn(sample_db, monkeypatch):
    from tests.conftest import open_app

    page = open_app(sample_db, monkeypatch, "auditor", "views/coder_accuracy.py")
    sized = lambda: next(text.value for text in page.markdown if text.value.startswith("Universe:"))  # noqa: E731
    universe = int(sized().split("**")[1].split()[0].replace(",", ""))
    # 95% confidence, ±5%, 10% expected: n0 = 1.96² × 0.1 × 0.9 / 0.05² = 138.3, corrected for the universe
    n0 = 1.959964**2 * 0.1 * 0.9 / 0.05**2
    assert f"sample size **{-(-n0 // (1 + (n0 - 1) / universe)):,.0f}**" in sized()
    page.number_input(key="sample_precision").set_value(0.10).run()
    n0 = 1.959964**2 * 0.1 * 0.9 / 0.10**2
    assert f"sample size **{-(-n0 // (1 + (n0 - 1) / universe)):,.0f}**" in sized()  # no draw needed
    page.radio(key="sample_sizing").set_value("Probe (30 claims)").run()
    assert "sample size **30**" in sized()
    assert not page.exception


def test_the_page_offers_the_full_sample_a_probe_calls_for_and_draws_it_from_the_probes_universe(db_path, tmp_path, monkeypatch):
    from etl.reports.audit_sampling import PROBE_SIZE, Universe, draw_sample
    from tests.conftest import open_app

    load_files([FIXTURES / "worklist"], db_path)
    with database.write_connection(db_path) as con:
        probe = draw_sample(con, Universe(), PROBE_SIZE, seed=4, purpose="probe")
    sheet = tmp_path / "probe.csv"
    sheet.write_text(HEADER + "".join(
        f"{claim},CD1,AU1,2026-11-20,CPT,99213,99212,{'upcoded,-10.00' if claim in ('W1', 'W3') else 'agree,0.00'}\n"
        for claim in probe.claims["claim_id"]))
    load_files([sheet], db_path)

    page = open_app(db_path, monkeypatch, "auditor", "views/coder_accuracy.py")
    assert any("Probe: **2 of 8 claims** in error (25.0%)" in text.value for text in page.markdown)
    # 25% is above the 5% threshold: the full sample is sized from it (8 claims here, the whole universe; see above)
    assert any("a statistically valid sample of **8 claims**" in warning.value for warning in page.warning)
    page.button(key="draw_full").click().run()

    assert not page.exception
    with database.read_connection(db_path) as con:
        assert con.execute("select purpose, probe_sample_id, sample_size from audit_samples order by sample_id").fetchall() == [
            ("probe", None, 8), ("full", probe.sample_id, 8)]
