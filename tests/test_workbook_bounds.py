"""A small workbook cannot take the server's memory or its other users' time (issue 37 item 4): the styles, shared-strings
and huge-cell workbooks of the hostile-input run are refused from the zip directory, with the part and the bound named,
in seconds and a few MB; with those bounds lifted, the child process that parses larger workbooks is held to its memory
and time limits; and another session's page runs at its usual speed while a hostile upload is read. The hostile files
are made here (a few hundred KB each), never committed."""

import io
import json
import statistics
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from etl.intake import workbook
from etl.intake.records import LoadError
from tests.conftest import FIXTURES, REPO

MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
PACKAGE = "http://schemas.openxmlformats.org/package/2006"
OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SPREADSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml"
AUDIT_COLUMNS = ["claim_id", "coder_id", "auditor_id", "audit_date", "code_type", "original_code", "audited_code",
                 "finding", "dollar_impact"]


def styles_xml(cell_formats: int) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?><styleSheet {MAIN}><fonts count="1"><font><sz val="11"/></font></fonts>'
            '<fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            f'<cellXfs count="{cell_formats}">' + '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' * cell_formats
            + "</cellXfs></styleSheet>")


def shared_strings_xml(texts: list[str]) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?><sst {MAIN} count="{len(texts)}" uniqueCount="{len(texts)}">'
            + "".join(f"<si><t>{text}</t></si>" for text in texts) + "</sst>")


def workbook_bytes(styles: str, strings: list[str]) -> bytes:
    """A workbook written part by part: an audit worksheet's header and one row, its cells pointing into `strings`
    (whose first ten are the header and the row), with the styles given."""
    cells = lambda row, first: "".join(f'<c r="{chr(65 + column)}{row}" t="s"><v>{first + column}</v></c>' for column in range(9))
    sheet = (f'<?xml version="1.0" encoding="UTF-8"?><worksheet {MAIN}><sheetData><row r="1">{cells(1, 0)}</row>'
             f'<row r="2">{cells(2, 9)}</row></sheetData></worksheet>')
    parts = {
        "[Content_Types].xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{PACKAGE}/content-types">'
            f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{SPREADSHEET}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{SPREADSHEET}.worksheet+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{SPREADSHEET}.styles+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SPREADSHEET}.sharedStrings+xml"/></Types>'),
        "_rels/.rels": (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE}/relationships">'
                        f'<Relationship Id="rId1" Type="{OFFICE}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (f'<?xml version="1.0" encoding="UTF-8"?><workbook {MAIN} xmlns:r="{OFFICE}"><sheets>'
                            '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE}/relationships">'
            f'<Relationship Id="rId1" Type="{OFFICE}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{OFFICE}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId3" Type="{OFFICE}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'),
        "xl/styles.xml": styles,
        "xl/sharedStrings.xml": shared_strings_xml(strings),
        "xl/worksheets/sheet1.xml": sheet,
    }
    built = io.BytesIO()
    with zipfile.ZipFile(built, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return built.getvalue()


ROW = ["X1", "CD1", "AU1", "2026-10-01", "CPT", "99213", "99213", "agree", "0"]
# The hostile-input run's cases, remade: a million cell formats (62 MB of styles.xml in about 180 KB), four million
# one-letter shared strings (68 MB in about 170 KB), and one 90 MB cell (in about 90 KB).
HOSTILE = {
    "styles": lambda: workbook_bytes(styles_xml(1_000_000), AUDIT_COLUMNS + ROW),
    "shared-strings": lambda: workbook_bytes(styles_xml(1), AUDIT_COLUMNS + ROW + ["a"] * 4_000_000),
    "huge-cell": lambda: workbook_bytes(styles_xml(1), AUDIT_COLUMNS + ROW[:-1] + ["x" * 90_000_000]),
}
REFUSALS = {
    "styles": ("the workbook's xl/styles.xml (its cell formats) expands to 62,000,", "over the 4,000,000 read"),
    "shared-strings": ("the workbook's xl/sharedStrings.xml (the texts its cells share) expands to 68,000,",
                       "over the 20,000,000 read"),
    "huge-cell": ("the workbook's xl/sharedStrings.xml (the texts its cells share) expands to 90,000,",
                  "over the 20,000,000 read"),
}
# What the refusal may cost at most: a generous bound on a loaded two-core machine (it takes well under a second: only
# the zip directory is read), and the peak memory of a whole Python process that has read the file.
REFUSED_WITHIN_SECONDS = 30
REFUSED_WITHIN_MB = 250


def read_in_a_fresh_process(path: Path, **bounds) -> dict:
    """first_sheet_as_csv on the file in a Python process of its own, with any bounds changed: the outcome, the time
    it took, and the peak resident memory of that process (VmHWM, which starts afresh at exec; getrusage's maxrss
    would carry the forked pytest's) and of the parsing child it started, if any (getrusage of its children, an upper
    bound: it counts the moment after fork, when the child was still a copy of this small process)."""
    script = f"""
import json, resource, sys, time
from etl.intake import workbook
from etl.intake.records import LoadError
for name, value in {bounds!r}.items():
    setattr(workbook, name, value)
data = open({str(path)!r}, "rb").read()
started = time.perf_counter()
try:
    outcome = ["read", workbook.first_sheet_as_csv(data, "hostile.xlsx")]
except LoadError as refusal:
    outcome = ["refused", str(refusal)]
seconds = time.perf_counter() - started
print(json.dumps({{"outcome": outcome, "seconds": seconds,
                  "server_mb": int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0]) / 1024,
                  "child_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}}))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    measured = json.loads(done.stdout.splitlines()[-1])
    print(f"{path.name} {bounds or ''}: {measured['outcome'][0]} in {measured['seconds']:.1f} s, peak "
          f"{measured['server_mb']:.0f} MB (the parsing child: {measured['child_mb']:.0f} MB)")
    return measured


@pytest.fixture(scope="module")
def hostile_files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile_workbooks")
    files = {}
    for case, build in HOSTILE.items():
        files[case] = folder / f"{case}.xlsx"
        files[case].write_bytes(build())
    return files


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_small_hostile_workbook_is_refused_from_its_zip_directory_naming_the_part_and_the_bound(hostile_files, case):
    assert hostile_files[case].stat().st_size < 250_000  # as small as the run's: 90 to 230 KB

    measured = read_in_a_fresh_process(hostile_files[case])

    verdict, reason = measured["outcome"]
    assert verdict == "refused"
    part, bound = REFUSALS[case]
    assert reason.startswith(f"hostile.xlsx: {part}") and reason.endswith(f" bytes, {bound}; save it as CSV")
    assert measured["seconds"] < REFUSED_WITHIN_SECONDS
    assert measured["server_mb"] < REFUSED_WITHIN_MB
    assert measured["child_mb"] == 0 or measured["child_mb"] < REFUSED_WITHIN_MB  # no parsing child was needed


def test_a_zip_listing_many_thousands_of_parts_is_refused_before_zipfile_reads_its_directory(tmp_path):
    # 400,000 empty entries in 35 MB took 36 s and 310 MB before zipfile had listed them; 60,000 make the point
    listing = tmp_path / "many-parts.xlsx"
    with zipfile.ZipFile(listing, "w", zipfile.ZIP_STORED) as archive:
        for number in range(60_000):
            archive.writestr(f"xl/{number}.xml", b"")

    measured = read_in_a_fresh_process(listing)

    verdict, reason = measured["outcome"]
    assert verdict == "refused"
    assert reason.startswith("hostile.xlsx: the workbook's zip directory is ")
    assert reason.endswith(" bytes, over the 1,000,000 read (a workbook lists a few dozen parts); save it as CSV")
    assert measured["seconds"] < REFUSED_WITHIN_SECONDS and measured["server_mb"] < REFUSED_WITHIN_MB


def test_with_the_part_bounds_lifted_the_styles_workbook_is_stopped_at_the_childs_memory_limit(hostile_files):
    # The bound that holds for whatever the part checks miss: the child's address space (here 400 MB, to be quick;
    # reading this file takes 830 MB unbounded).
    limit = 400 * 1024 * 1024

    measured = read_in_a_fresh_process(hostile_files["styles"], MAX_PART_BYTES={}, PARSE_MEMORY_BYTES=limit,
                                       PARSE_SECONDS=300)

    assert measured["outcome"] == ["refused", "hostile.xlsx: reading the workbook needed more than 400 MB of memory, "
                                              "the most one upload may use; save it as CSV"]
    assert measured["child_mb"] <= 400
    assert measured["server_mb"] < REFUSED_WITHIN_MB  # the server itself holds only the upload and the answer


def test_with_the_part_bounds_lifted_the_shared_strings_workbook_is_stopped_at_the_childs_time_limit(hostile_files):
    # Read unbounded, this file took 107 s (and 480 MB); held to 10 s it is refused soon after, the child killed.
    measured = read_in_a_fresh_process(hostile_files["shared-strings"], MAX_PART_BYTES={}, PARSE_SECONDS=10)

    assert measured["outcome"] == ["refused", "hostile.xlsx: reading the workbook took longer than 10 s, the most one "
                                              "upload may take; save it as CSV"]
    assert measured["seconds"] < 10 + REFUSED_WITHIN_SECONDS  # the limit, then the kill and the wait
    assert measured["child_mb"] <= workbook.PARSE_MEMORY_BYTES / 2**20


def test_a_workbook_the_child_gave_up_on_is_refused_again_without_a_second_child(monkeypatch):
    runs = []

    def too_slow(command, **options):
        runs.append(command)
        raise subprocess.TimeoutExpired(command, options["timeout"])

    monkeypatch.setattr(workbook.subprocess, "run", too_slow)
    monkeypatch.setattr(workbook, "IN_PROCESS_BYTES", 0)
    data = workbook_bytes(styles_xml(1), AUDIT_COLUMNS + ROW + ["given up"])

    for name in ("slow.xlsx", "/uploads/20261207T210000Z/slow.xlsx"):  # the page's content check, then the load
        with pytest.raises(LoadError) as refused:
            workbook.first_sheet_as_csv(data, name)
        assert str(refused.value) == f"{name}: reading the workbook took longer than 180 s, the most one upload may take; save it as CSV"

    assert len(runs) == 1


def test_a_larger_workbook_is_read_in_the_child_exactly_as_in_process(monkeypatch):
    book = Workbook()
    book.active.append(AUDIT_COLUMNS)
    for number in range(6_000):  # about 1.3 MB of sheet XML: over IN_PROCESS_BYTES
        book.active.append([f"W{number}", "CD1", "AU1", "2026-10-01", "CPT", "99213", "99213", "agree", -12.5 * (number % 3)])
    saved = io.BytesIO()
    book.save(saved)
    data = saved.getvalue()
    assert sum(info.file_size for info in zipfile.ZipFile(saved).infolist()) > workbook.IN_PROCESS_BYTES

    in_child = workbook.first_sheet_as_csv(data, "big.xlsx")
    monkeypatch.setattr(workbook, "IN_PROCESS_BYTES", 10**9)
    in_process = workbook.first_sheet_as_csv(data, "big.xlsx")

    assert in_child == in_process
    assert in_child.splitlines()[2] == "W1,CD1,AU1,2026-10-01,CPT,99213,99213,agree,-12.5"


def test_a_cell_longer_than_excel_keeps_is_refused_with_its_line():
    data = workbook_bytes(styles_xml(1), AUDIT_COLUMNS + ROW[:-1] + ["1" * 40_000])

    with pytest.raises(LoadError) as refused:
        workbook.first_sheet_as_csv(data, "long.xlsx")

    assert str(refused.value) == "long.xlsx: line 2: a cell holds more than 32,767 characters, more than Excel keeps in one cell"


# ------------------------------------------------------------------------------------------ another user's page

def upload_then_report(db: Path, name: str, content: bytes, results: list) -> None:
    """The Coder accuracy page's upload (dashboard/actions.py load_upload, as an auditor) in a session of its own."""
    from streamlit.testing.v1 import AppTest

    from etl.access.policy import User

    def script():
        import streamlit as st

        from dashboard import actions

        st.session_state["result"] = actions.load_upload(st.session_state["name"], st.session_state["content"])

    runner = AppTest.from_function(script, default_timeout=600)
    runner.session_state["user"] = User("test-auditor", "auditor")
    runner.session_state["name"], runner.session_state["content"] = name, content
    started = time.perf_counter()
    runner.run()
    results.append((runner.session_state["result"], time.perf_counter() - started, runner.exception))


def page_seconds(db: Path) -> float:
    """One full run of the Denials page (a manager's, its queries cached after the first run) in a fresh session."""
    from streamlit.testing.v1 import AppTest

    from etl.access.policy import User
    from tests.conftest import APP

    page = AppTest.from_file(APP, default_timeout=300)
    page.session_state["user"] = User("test-manager", "manager")
    started = time.perf_counter()
    page.run()
    page.switch_page("views/denials.py").run()
    assert not page.exception
    return time.perf_counter() - started


def test_another_sessions_page_keeps_its_speed_while_a_hostile_workbook_is_uploaded(tmp_path, monkeypatch):
    from etl.load import load_files

    db = tmp_path / "practice.duckdb"
    load_files([FIXTURES / "worklist"], db)
    monkeypatch.setenv("CLAIMSCOPE_DB", str(db))
    monkeypatch.delenv("CLAIMSCOPE_DEMO", raising=False)
    # The part bounds lifted, so the upload is as long as the child's limits let it be (the shared-strings workbook,
    # 107 s unbounded, held here to 12 s, time for five page runs beside it): the worst an upload the part checks miss
    # can do, for as long as the child is let run.
    monkeypatch.setattr(workbook, "MAX_PART_BYTES", {})
    monkeypatch.setattr(workbook, "PARSE_SECONDS", 12)
    hostile = HOSTILE["shared-strings"]()
    # The first run fills the caches, and load_files already loaded Great Expectations (its import, about 5 s, holds
    # the interpreter the first time a server loads a file: that is not this bound's to judge).
    page_seconds(db)
    baseline = statistics.median(page_seconds(db) for _ in range(3))

    results: list = []
    upload = threading.Thread(target=upload_then_report, args=(db, "hostile.xlsx", hostile, results))
    upload.start()
    during = []
    while upload.is_alive() and len(during) < 5:
        during.append(page_seconds(db))
    upload.join()

    [(result, upload_seconds, exception)] = results
    assert not exception
    assert result.status == "rejected" and "took longer than 12 s" in result.message
    # read once: the load's second read of the upload (after the page's content check) is refused from the first's
    # outcome, not after another 12 s
    assert upload_seconds < 2 * 12
    assert during, "the upload ended before a page could run beside it"
    # The ratio the issue asks for: another session's page, during the upload, within twice its own time without one.
    print(f"Denials page {baseline:.2f} s alone, {statistics.median(during):.2f} s beside the upload "
          f"({len(during)} runs); upload refused after {upload_seconds:.1f} s")
    assert statistics.median(during) <= 2 * baseline
