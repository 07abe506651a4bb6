"""A segment whose terminator was lost runs on into the next; when that next segment names, locates or identifies a
patient, none of it may reach a message: a quarantine reason, a warning, source_files.message or the CLI's stderr."""

from pathlib import Path

import duckdb
from hypothesis import HealthCheck, given, settings, strategies as st
from typer.testing import CliRunner

from etl.cli import app
from etl.intake.patients import PatientHasher
from etl.intake.x12.parse import parse_x12
from tests.conftest import SAMPLES

MARKERS = ("ZZLEAK", "ZZMEMBER", "19610704", "ZZSTREET", "ZZTOWN", "5550100")
# What a file may carry about a patient, with marker values a message must never hold.
PATIENT_SEGMENTS = (
    "NM1*IL*1*ZZLEAKLAST*ZZLEAKFIRST****MI*ZZMEMBER777",
    "NM1*QC*1*ZZLEAKLAST*ZZLEAKFIRST****MI*ZZMEMBER777",
    "DMG*D8*19610704*F",
    "N3*1 ZZSTREET ROAD",
    "N4*ZZTOWN*OH*43215",
    "PER*IC*ZZLEAK CONTACT*TE*5550100",
    "REF*SY*ZZMEMBER123",
)
# The segments whose text a message may quote (etl/intake/x12/parse.py), as the samples spell them.
QUOTABLE = ("BPR", "TRN", "DTM", "LX", "CLP", "CAS", "SVC", "AMT", "BHT", "HL", "SBR", "CLM", "DTP", "HI", "SV1", "SV2")
FILES = {
    "837P": (SAMPLES / "837P_20251127.837").read_text(),
    "835": (SAMPLES / "835_20251208_60054_600251208000001.835").read_text(),
}


def swallowed(text: str, position: int, patient_segment: str) -> str:
    """The file with the patient segment run on into the quotable segment at this position (its terminator lost)."""
    segments = text.split("~")
    quotable = [index for index, segment in enumerate(segments) if segment.strip().split("*")[0] in QUOTABLE]
    at = quotable[position % len(quotable)]
    segments[at] = segments[at] + patient_segment
    return "~".join(segments)


def messages(text: str, kind: str) -> list[str]:
    parsed = parse_x12(text, "leak.x12", kind, PatientHasher(b"test-key"))
    return ([item.reason for item in parsed.quarantine] + parsed.warnings
            + [item.warning for item in parsed.structural_warnings])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(sorted(FILES)), position=st.integers(0, 10_000), patient_segment=st.sampled_from(PATIENT_SEGMENTS))
def test_a_swallowed_patient_segment_never_reaches_a_message(kind, position, patient_segment):
    said = "\n".join(messages(swallowed(FILES[kind], position, patient_segment), kind))
    assert not [marker for marker in MARKERS if marker in said], said


def test_the_probes_two_cases_load_the_rest_and_leave_no_marker_in_the_database_or_on_stderr(tmp_path: Path):
    text = FILES["837P"].replace("CLM*RS00000001*90.00***11:B:1*Y*A*Y*Y~",
                                 "CLM*RS00000001*1O0.00***11:B:1*Y*A*Y*YNM1*IL*1*ZZLEAKLAST*ZZLEAKFIRST****MI*ZZMEMBER777~", 1)
    text = text.replace("DTP*472*D8*20251123~", "DTP*472*D8*20251123DMG*D8*19610704*F~", 1)
    assert "ZZLEAK" in text and "19610704" in text
    (tmp_path / "leak.837").write_text(text)
    db = tmp_path / "leak.duckdb"
    ran = CliRunner().invoke(app, ["load", str(tmp_path / "leak.837"), "--db", str(db)])
    assert [marker for marker in MARKERS if marker in ran.output] == []
    with duckdb.connect(str(db), read_only=True) as con:
        said = con.execute("""
            select string_agg(reason, '\n') from quarantine
            union all select string_agg(message, '\n') from source_files
            union all select string_agg(warning, '\n') from load_warnings""").fetchall()
        reason = con.execute("select reason from quarantine").fetchall()
    assert [marker for marker in MARKERS if marker in str(said)] == []
    # The reason still says what was wrong and where, with the segment's id.
    assert reason == [("transaction set 0001 (segments 3-84) rejected: impossible date in DTP03: '…': "
                       "DTP*… (masked: may hold patient data)",)]


def test_a_database_an_older_release_wrote_is_remasked(fresh_db):
    from etl.intake.remask import remask_database

    raw = "DTP*472*D8*20251123DMG*D8*19610704*F"
    reason = f"transaction set 0001 (segments 3-84) rejected: impossible date in DTP03: '20251123DMG': {raw}"
    fresh_db.execute("insert into source_files (file_id, path, sha256, kind, loaded_at, status, records_loaded, "
                     "records_quarantined, message, size_bytes, is_synthetic) values "
                     "(1, 'old.837', 'ab', '837P', now()::timestamp, 'rejected', 0, 1, ?, 10, false)", [f"segment 19: {reason}"])
    fresh_db.execute("insert into quarantine (file_id, locator, reason, raw, quarantined_at) "
                     "values (1, 'segment 19', ?, ?, now()::timestamp)", [reason, raw])
    assert remask_database(fresh_db) == 2
    assert fresh_db.execute("select reason from quarantine").fetchall() == [
        ("transaction set 0001 (segments 3-84) rejected: impossible date in DTP03: '…': DTP*… (masked: may hold patient data)",)]
    assert "19610704" not in fresh_db.execute("select message from source_files").fetchone()[0]
    assert remask_database(fresh_db) == 0  # idempotent


def test_the_board_pack_of_a_practice_with_patient_markers_holds_none_unless_asked(tmp_path, sample_db):
    import shutil
    from datetime import date

    from etl.load import load_files
    from etl.reports import board_pack
    from tests.test_e2e_phi_wire import marker_files

    db = tmp_path / "practice.duckdb"
    shutil.copy(sample_db, db)
    shutil.copy(f"{sample_db}.key", f"{db}.key")
    load_files(marker_files(tmp_path), db)
    with duckdb.connect(str(db), read_only=True) as con:
        pack = board_pack.build(con, date.today())
    assert "Appendix: data quality" in pack.html and "impossible date in DTP03" in pack.html  # the garbled file is counted
    assert [marker for marker in MARKERS if marker in pack.html] == []
