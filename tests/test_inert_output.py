"""Output never executes input (issue 21, item 4): a spreadsheet export keeps formula-like text as text, a page shows
file text literally, a chart never draws it as markup, and an upload is judged by its content, not its name."""

import csv
import io
import json
import re
import stat
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import pytest
from markdown_it import MarkdownIt
from openpyxl import load_workbook
from typer.testing import CliRunner

from etl.cli import app
from etl.load import load_files
from etl.reports import spreadsheets
from etl.work import exports
from tests.conftest import FIXTURES, open_app
from tests.test_load_hostile import BILLION_LAUGHS, TOO_MANY_ROWS, workbook_with_first_sheet

# Each would run in a spreadsheet: a live link, two sums and an expression (OWASP CSV injection).
FORMULAS = ['=HYPERLINK("http://x","y")', "+1+1", "@SUM(A1)", "-2+3"]
# Each would be markup on a page or in a chart: an image with a script, an image fetched from a server, a link.
MARKUP = ["<img src=x onerror=alert(1)>", "![b](http://127.0.0.1:{port}/b.png)", "[x](http://x.test)"]


def practice_with(folder: Path, changes: dict[str, dict[str, str]]) -> Path:
    """The worklist fixture (tests/fixtures/worklist) with values changed, column -> {fixture claim id -> value},
    loaded into folder/practice.duckdb."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("claims.csv", "remits.csv"):
        rows = list(csv.DictReader((FIXTURES / "worklist" / name).open()))
        for row in rows:
            claim = row["claim_id"]
            row.update({column: values[claim] for column, values in changes.items() if column in row and claim in values})
        with (folder / name).open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    db = folder / "practice.duckdb"
    assert all(result.status == "loaded" for result in load_files([folder / "claims.csv", folder / "remits.csv"], db))
    return db


def markup_practice(folder: Path, port: int) -> Path:
    """Claim ids W1-W3, and the names of their payers on every claim of that payer, become MARKUP's three."""
    hostile = [text.format(port=port) for text in MARKUP]
    # by payer: Cigna's claims (W2 denied, W4 open) take the img, Aetna's the remote image, Medicare's the link
    payers = {"W2": hostile[0], "W4": hostile[0], "W1": hostile[1], "W5": hostile[1], "W6": hostile[1], "W8": hostile[1], "W3": hostile[2]}
    return practice_with(folder, {"payer_name": payers, "claim_id": dict(zip(("W1", "W2", "W3"), hostile))})


# ---------------------------------------------------------------------------------------------------- spreadsheets

@pytest.fixture(scope="module")
def formula_practice(tmp_path_factory) -> Path:
    """The four open insurance claims W1, W2, W4, W6, each with one of FORMULAS as its payer's and patient's name;
    W1's coder id is one too, as a practice-management export could have it."""
    open_claims = dict(zip(("W1", "W2", "W4", "W6"), FORMULAS))
    return practice_with(tmp_path_factory.mktemp("formulas"),
                         {"payer_name": open_claims, "patient_last_name": open_claims, "coder_id": {"W1": "@SUM(A1)"}})


def csv_cells(data: bytes, column: str) -> list[str]:
    return [row[column] for row in csv.DictReader(io.StringIO(data.decode()))]


def xlsx_cells(data: bytes, column: str) -> list:
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    return [row[header.index(column)] for row in sheet.iter_rows(min_row=2)]


def assert_text_in_csv(cells: list[str], expected: list[str]) -> None:
    # a leading quote is what OWASP prescribes; the csv module reads the cell back as that text
    assert sorted(cells) == sorted("'" + text for text in expected)


def assert_text_in_xlsx(cells: list, expected: list[str]) -> None:
    # a string cell (never a formula), its exact text, and Excel's quote prefix so an edit keeps it text
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in cells)
    assert sorted(cell.value for cell in cells) == sorted(expected)


def assert_money(cells: list, numeric: bool) -> None:
    if numeric:  # openpyxl: a number with the currency format
        assert all(cell.data_type == "n" and cell.number_format == "$#,##0.00" for cell in cells)
    else:  # csv: a bare decimal, no quote before it
        assert all(Decimal(cell).is_finite() for cell in cells)


def test_the_worklist_and_the_queue_hold_formulas_as_text_and_money_as_numbers(formula_practice, tmp_path):
    runner = CliRunner()
    outputs = {}
    for fmt in ("csv", "xlsx"):
        outputs[f"worklist.{fmt}"] = tmp_path / f"worklist.{fmt}"
        run = runner.invoke(app, ["worklist", "--db", str(formula_practice), "--as-of", "2026-11-26", "--format", fmt,
                                  "--out", str(outputs[f"worklist.{fmt}"])])
        assert run.exit_code == 0, run.output
        outputs[f"queue.{fmt}"] = tmp_path / f"queue.{fmt}"
        run = runner.invoke(app, ["work", "list", "--db", str(formula_practice), "--by", "dana", "--as-of", "2026-11-26",
                                  "--view", "team", "--format", fmt, "--out", str(outputs[f"queue.{fmt}"])])
        assert run.exit_code == 0, run.output

    worklist_csv, worklist_xlsx = (outputs[f"worklist.{fmt}"].read_bytes() for fmt in ("csv", "xlsx"))
    assert_text_in_csv(csv_cells(worklist_csv, "payer_name"), FORMULAS)
    assert_text_in_xlsx(xlsx_cells(worklist_xlsx, "payer_name"), FORMULAS)
    assert_money(csv_cells(worklist_csv, "balance_amount") + csv_cells(worklist_csv, "priority_score"), numeric=False)
    assert_money(xlsx_cells(worklist_xlsx, "balance_amount"), numeric=True)
    # the priority ranks claims: a number, not dollars
    assert all(cell.data_type == "n" and cell.number_format == "#,##0" for cell in xlsx_cells(worklist_xlsx, "priority_score"))
    queue_csv, queue_xlsx = (outputs[f"queue.{fmt}"].read_bytes() for fmt in ("csv", "xlsx"))
    assert_text_in_csv(csv_cells(queue_csv, "Payer"), FORMULAS)
    assert_text_in_xlsx(xlsx_cells(queue_xlsx, "Payer"), FORMULAS)
    assert_money(csv_cells(queue_csv, "Balance"), numeric=False)
    assert_money(xlsx_cells(queue_xlsx, "Balance"), numeric=True)

    # the dashboard's export of the queue with patients revealed (a role with PHI): patient names are text too
    from datetime import date

    from etl.reports.scope import Scope
    from etl.work import queue

    with duckdb.connect(str(formula_practice), read_only=True) as con:
        rows = queue.queue_rows(con, date(2026, 11, 26), Scope(), queue.QueueFilters(view="team"), "dana")
        identities = con.sql("select patient_key, patient_name, member_id from patient_identities").pl()
    revealed = exports.queue_export(rows.join(identities, on="patient_key", how="left"), phi=True)
    names = [f"{text}, {first}" for text, first in zip(FORMULAS, ("AVA", "BEN", "DEV", "FINN"))]
    assert_text_in_csv(csv_cells(spreadsheets.csv_bytes(revealed, exports.headings(revealed)), "Patient name"), names)
    assert_text_in_xlsx(xlsx_cells(exports.xlsx_bytes(revealed, "work queue"), "Patient name"), names)


def test_a_negative_amount_stays_a_number_beside_text_that_looks_like_one():
    frame = pl.DataFrame({"payer_name": ["-2+3", "Aetna"], "paid_amount": [Decimal("-2.30"), Decimal("5.00")]},
                         schema={"payer_name": pl.String, "paid_amount": pl.Decimal(18, 2)})

    text = spreadsheets.csv_bytes(frame).decode()
    cells = xlsx_cells(spreadsheets.xlsx_bytes(frame, "t"), "paid_amount")

    assert text.splitlines() == ["payer_name,paid_amount", "'-2+3,-2.30", "Aetna,5.00"]
    assert [(cell.value, cell.data_type) for cell in cells] == [(-2.3, "n"), (5, "n")]
    assert not xlsx_cells(spreadsheets.xlsx_bytes(frame, "t"), "payer_name")[1].quotePrefix  # plain text is left as it is


def test_an_audit_worksheet_holds_formulas_as_text_and_its_excel_copy_loads_back_unchanged(formula_practice, tmp_path):
    import shutil

    db = tmp_path / "audit.duckdb"
    shutil.copy(formula_practice, db)
    shutil.copy(f"{formula_practice}.key", f"{db}.key")
    csv_sheet, xlsx_sheet = tmp_path / "sheet.csv", tmp_path / "sheet.xlsx"
    for sheet in (csv_sheet, xlsx_sheet):
        run = CliRunner().invoke(app, ["audit-sample", "--db", str(db), "--size", "8", "--seed", "3", "--out", str(sheet)])
        assert run.exit_code == 0, run.output

    assert "'@SUM(A1)" in csv_cells(csv_sheet.read_bytes(), "coder_id")
    book = load_workbook(xlsx_sheet)
    header = [cell.value for cell in book.active[1]]
    column = {name: index for index, name in enumerate(header)}
    coders = [row[column["coder_id"]] for row in book.active.iter_rows(min_row=2)]
    assert_text_in_xlsx([cell for cell in coders if cell.value == "@SUM(A1)"], ["@SUM(A1)"] * 2)  # a CPT and an ICD-10 row
    for row in book.active.iter_rows(min_row=2, max_row=1 + 16):  # the drawn codes, not the open rows below them
        row[column["auditor_id"]].value, row[column["audit_date"]].value = "AU1", "2026-11-20"
        row[column["audited_code"]].value, row[column["finding"]].value = row[column["original_code"]].value, "agree"
        row[column["dollar_impact"]].value = 0
    book.save(xlsx_sheet)

    [result] = load_files([xlsx_sheet], db)

    assert (result.status, result.records_loaded) == ("loaded", 16), result.message
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*) from coding_audits where coder_id = '@SUM(A1)'").fetchone()[0] == 2


# ---------------------------------------------------------------------------------------------------- pages and charts

def code_spans(markdown: str) -> tuple[list[str], list[str]]:
    """The text of each code span in a markdown body, and the types of any link or image in it (CommonMark)."""
    tokens = [child for block in MarkdownIt("commonmark").parse(markdown) for child in (block.children or [])]
    return [token.content for token in tokens if token.type == "code_inline"], [
        token.type for token in tokens if token.type in ("link_open", "image", "html_inline")]


@pytest.fixture(scope="module")
def markup_db(tmp_path_factory) -> Path:
    return markup_practice(tmp_path_factory.mktemp("markup"), 9)


HOSTILE = [text.format(port=9) for text in MARKUP]


@pytest.mark.parametrize("claim_id", HOSTILE, ids=["img", "image", "link"])
def test_the_claim_page_shows_a_claim_id_from_a_file_or_the_address_as_text(markup_db, monkeypatch, claim_id):
    page = open_app(markup_db, monkeypatch, "manager")
    page.query_params["claim_id"] = claim_id  # as /claim?claim_id=... reflects it
    page.switch_page("views/claim.py").run()

    assert not page.exception and page.text_input[0].value == claim_id
    heading = next(element.value for element in page.markdown if element.value.startswith("#### Claim"))
    assert code_spans(heading) == ([claim_id], [])
    page.text_input[0].set_value(f"{claim_id} `and` ``more``").run()  # not on file, backticks and all
    assert code_spans(page.warning[0].value) == ([f"{claim_id} `and` ``more``"], [])
    assert all(not code_spans(element.value)[1] for element in [*page.markdown, *page.warning, *page.caption])


@pytest.mark.parametrize("view", ["views/late_payments.py", "views/payer_scorecard.py", "views/denials.py", "views/timelines.py"])
def test_charts_draw_payer_names_from_a_file_as_text(markup_db, monkeypatch, view):
    from datetime import date

    page = open_app(markup_db, monkeypatch, "manager", view)
    page.date_input(key="as_of").set_value(date(2026, 11, 26)).run()

    figures = [json.loads(chart.proto.spec) for chart in page.get("plotly_chart")]
    assert not page.exception and figures
    drawn = json.dumps(figures)
    assert "<img" not in drawn and not re.search(r"<a[\s>]", drawn)
    assert "&lt;img src=x onerror=alert(1)&gt;" in drawn  # Plotly turns the entities back into the characters


def test_a_work_change_refused_quotes_its_claim_ids_as_text(markup_db, monkeypatch):
    from dashboard import actions
    from etl.access.policy import User
    from etl.work import items

    def refuse(con, claim_ids, by):
        raise items.WorkError(f"no claim on file with id {claim_ids[0]}")

    monkeypatch.setenv("CLAIMSCOPE_DB", str(markup_db))
    monkeypatch.setattr(actions, "require", lambda capability: None)
    monkeypatch.setattr(actions.session, "current_user", lambda: User("dana", "biller"))

    assert code_spans(actions.work(refuse, [HOSTILE[1]])) == ([f"no claim on file with id {HOSTILE[1]}"], [])


# ---------------------------------------------------------------------------------------------------- uploads

def upload(db: Path, monkeypatch, name: str, content: bytes):
    """load_upload as the Coder accuracy page calls it, signed in as an auditor."""
    from streamlit.testing.v1 import AppTest

    from etl.access.policy import User

    def script():
        import streamlit as st

        from dashboard import actions

        st.session_state["result"] = actions.load_upload(st.session_state["name"], st.session_state["content"])

    monkeypatch.setenv("CLAIMSCOPE_DB", str(db))
    monkeypatch.delenv("CLAIMSCOPE_DEMO", raising=False)
    runner = AppTest.from_function(script, default_timeout=60)
    runner.session_state["user"] = User("test-auditor", "auditor")
    runner.session_state["name"], runner.session_state["content"] = name, content
    runner.run()
    assert not runner.exception
    return runner.session_state["result"]


def test_an_upload_is_judged_by_its_content_and_its_folders_are_dropped(markup_db, tmp_path, monkeypatch):
    import shutil

    from dashboard.actions import upload_name

    db = tmp_path / "upload.duckdb"
    shutil.copy(markup_db, db)
    shutil.copy(f"{markup_db}.key", f"{db}.key")
    with duckdb.connect(str(db), read_only=True) as con:
        files_before = con.execute("select count(*) from source_files").fetchone()[0]

    # remittances named as a worksheet: refused before the loader sees them
    remits = (FIXTURES / "worklist" / "remits.csv").read_bytes()
    refused = upload(db, monkeypatch, "../../../tmp/worksheet.csv", remits)
    assert (refused.status, refused.path) == ("rejected", "worksheet.csv")
    assert "its content is remits_csv, not a coding-audit worksheet" in refused.message

    # a real worksheet under a name that says nothing (no .csv, Windows folders) loads
    worksheet = "claim_id,coder_id,auditor_id,audit_date,code_type,original_code,audited_code,finding,dollar_impact\n" \
                "W4,CD2,AU1,2026-11-20,CPT,99213,99213,agree,0.00\n"
    loaded = upload(db, monkeypatch, "C:\\Users\\ann\\..\\audit done", worksheet.encode())
    assert (loaded.status, loaded.records_loaded, Path(loaded.path).name) == ("loaded", 1, "audit done")

    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*) from source_files").fetchone()[0] == files_before + 1
        logged = con.execute("select object_ids[1], details from audit_log where action = 'upload' order by entry_id").fetchall()
    assert [(name, json.loads(details)["status"]) for name, details in logged] == [("worksheet.csv", "rejected"), ("audit done", "loaded")]
    assert [upload_name(name) for name in ("..", "a/b/", "x\x00y.csv", "..\\..\\z.xlsx")] == ["upload", "upload", "xy.csv", "z.xlsx"]

    # the worksheet that loaded is kept as loaded, where source_files says, private to the server's user; the refused
    # file is not kept
    with duckdb.connect(str(db), read_only=True) as con:
        kept = Path(con.execute("select path from source_files where file_id = ?", [loaded.file_id]).fetchone()[0])
    uploads = Path(f"{db}.uploads")
    assert kept.parent.parent == uploads and kept.name == "audit done" and kept.read_bytes() == worksheet.encode()
    assert (stat.S_IMODE(uploads.stat().st_mode), stat.S_IMODE(kept.stat().st_mode)) == (0o700, 0o600)
    assert [path.name for path in uploads.rglob("*") if path.is_file()] == ["audit done"]


@pytest.mark.parametrize(
    ("sheet_xml", "reason"),
    [
        (BILLION_LAUGHS, "the workbook's XML cannot be read (limit on input amplification factor (from DTD and entities) breached"),
        (TOO_MANY_ROWS, "the first sheet has more than 100,000 rows; save it as CSV"),
    ],
    ids=["billion-laughs", "too-many-rows"],
)
def test_a_hostile_workbook_uploaded_on_the_page_is_rejected_with_its_reason_on_screen(markup_db, tmp_path, monkeypatch,
                                                                                       sheet_xml, reason):
    import shutil

    db = tmp_path / "upload.duckdb"
    shutil.copy(markup_db, db)
    shutil.copy(f"{markup_db}.key", f"{db}.key")
    page = open_app(db, monkeypatch, "auditor", "views/coder_accuracy.py")

    page.file_uploader[0].set_value(("worksheet.xlsx", workbook_with_first_sheet(sheet_xml), "application/octet-stream")).run()
    next(button for button in page.button if button.label == "Load worksheet").click().run()

    assert not page.exception
    # the uploaded name, not the server's scratch folder the loader read it from
    [shown] = [warning.value for warning in page.warning]
    assert shown.startswith(f"rejected: 0 rows loaded, 1 quarantined. ` file: worksheet.xlsx: {reason}")
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*) from coding_audits").fetchone()[0] == 0
        assert con.execute("select status from source_files where kind = 'unknown'").fetchall() == [("rejected",)]
