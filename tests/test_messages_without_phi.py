"""No message names a patient (issue 21, item 5): quarantine reasons, source_files messages and the CLI's output name
the field and the rule; the text as sent stays in quarantine.raw."""

from pathlib import Path

import duckdb
from typer.testing import CliRunner

from etl.cli import app
from tests.conftest import FIXTURES, HAND_MADE

PLANTED = ["PLANTEDLAST", "PLANTEDFIRST", "PLANTEDMEMBER", "19501345", "1950-13-45"]
PATIENT = "NM1*QC*1*PLANTEDLAST*PLANTEDFIRST****MI*PLANTEDMEMBER~"
ENVELOPE_837 = ("ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*RECEIVER       *261101*1200*^*00501*000000001*0*P*:~"
                "GS*HC*SUBMITTER*RECEIVER*20261101*1200*1*X*005010X222A1~")
# The subscriber's birth date DMG02 is month 13: the set is rejected at the DMG.
BAD_837 = ENVELOPE_837 + (
    "ST*837*0001*005010X222A1~BHT*0019*00*B1*20261101*1200*CH~HL*1**20*1~NM1*85*2*CLINIC*****XX*1234567893~"
    "HL*2*1*22*0~SBR*P*18*G******CI~NM1*IL*1*PLANTEDLAST*PLANTEDFIRST****MI*PLANTEDMEMBER~DMG*D8*19501345*F~"
    "NM1*PR*2*ACME*****PI*ACME~CLM*K1*10***11:B:1*Y*A*Y*Y~HI*ABK:J209~LX*1~SV1*HC:99213*10*UN*1***1~"
    "DTP*472*D8*20261015~SE*15*0001~GE*1*1~IEA*1*000000001~"
)


def hostile_files(folder: Path) -> None:
    good_835 = (FIXTURES / "hostile" / "good.835").read_text()
    # An 835 whose patient NM1 lost its separators, so its whole text reads as a segment id.
    (folder / "garbled.835").write_text(good_835.replace("NM1*QC*1*TESTER*TERRY****MI*TT123~", PATIENT.replace("*", " ")))
    # An 835 with the patient's NM1 after its SE: a segment outside every transaction set.
    (folder / "stray.835").write_text(good_835.replace("EFT100", "EFT200").replace("GE*1*1~", PATIENT + "GE*1*1~"))
    (folder / "birth_date.837").write_text(BAD_837)
    # A file that is neither X12 nor a claimscope CSV, whose first line is a patient's NM1.
    (folder / "unknown.txt").write_text(PATIENT + "\nmore\n")
    claims = (HAND_MADE / "claims.csv").read_text().splitlines()
    planted = claims[1].replace("M001TEST,SAMPLE,ANNA,1950-03-14", "PLANTEDMEMBER,PLANTEDLAST,PLANTEDFIRST,1950-13-45")
    (folder / "claims.csv").write_text("\n".join([claims[0], planted, claims[2]]) + "\n")


def test_no_patient_name_member_id_or_birth_date_reaches_a_message(db_path, tmp_path):
    folder = tmp_path / "hostile"
    folder.mkdir()
    hostile_files(folder)

    result = CliRunner().invoke(app, ["load", str(folder), "--db", str(db_path)])

    with duckdb.connect(str(db_path), read_only=True) as con:
        reasons = [reason for (reason,) in con.execute("select reason from quarantine").fetchall()]
        messages = [message for (message,) in con.execute("select message from source_files where message is not null").fetchall()]
        raw = " ".join(text for (text,) in con.execute("select raw from quarantine where raw is not null").fetchall())
    assert result.exit_code == 1
    assert len(reasons) >= 5  # one per hostile file, at least
    for text in [*reasons, *messages, result.output]:
        assert not [value for value in PLANTED if value in text], text
    # the text as sent is kept for the roles allowed to see it
    assert "PLANTEDLAST" in raw and "19501345" in raw and "1950-13-45" in raw


# What the release before issue 21 (commit 40f0601^) wrote for the hostile files above, by file name, copied from its
# quarantine table; source_files.message was the first reason behind its locator.
OLD_REASONS = {
    "birth_date.837": "transaction set 0001 (segments 3-17) rejected: impossible date in DMG02: '19501345': DMG*… (masked: may hold patient data)",
    "claims.csv": "patient_birth_date '1950-13-45' is not a valid date (%Y-%m-%d or %m/%d/%Y); lines of this claim disagree on member_id, patient_last_name, patient_first_name, patient_birth_date",
    "garbled.835": "transaction set 0001 (segments 3-15) rejected: invalid segment identifier 'NM1 QC 1 PLANTEDLAST PLANTEDFIRST    MI PLANTEDMEMBER': NM1 QC 1 PLANTEDLAST PLANTEDFIRST    MI PLANTEDMEMBER*… (masked: may hold patient data)",
    "unknown.txt": "{path}: line 1: not X12 (no ISA, GS or ST) and not a claimscope CSV header: 'NM1*QC*1*PLANTEDLAST*PLANTEDFIRST****MI*PLANTEDMEMBER~'",
}


def messages(con) -> dict[str, tuple]:
    rows = con.execute(
        """select split_part(f.path, '/', -1), q.locator, q.reason, f.message from quarantine q join source_files f using (file_id)
           order by all"""
    ).fetchall()
    return {(name, locator): (reason, message) for name, locator, reason, message in rows}


def test_an_older_database_gets_its_messages_re_masked_on_upgrade(db_path, tmp_path):
    from etl.db import apply_schema
    from etl.load import load_files

    folder = tmp_path / "hostile"
    folder.mkdir()
    hostile_files(folder)
    load_files([folder], db_path)
    with duckdb.connect(str(db_path)) as con:
        today = messages(con)
        # Put back what the older release wrote, and its schema version.
        for name, reason in OLD_REASONS.items():
            path = str(folder / name)
            reason = reason.format(path=path)
            file_id, locator = con.execute(
                "select file_id, min(locator) from quarantine join source_files using (file_id) where path = ? group by all", [path]
            ).fetchone()
            con.execute("update quarantine set reason = ? where file_id = ? and locator = ?", [reason, file_id, locator])
            con.execute("update source_files set message = ? where file_id = ?", [f"{locator}: {reason}", file_id])
        # A wording no release used: a quoted value that is an element of the record's patient NM1.
        con.execute("update source_files set message = message || ' near ''PLANTEDLAST''' where path like '%stray%'")
        con.execute("update schema_versions set schema_hash = 'a release before issue 21'")
        before = messages(con)
        planted_before = [text for pair in before.values() for text in pair if text and any(value in text for value in PLANTED)]

        apply_schema(con)

        after = messages(con)
    assert len(planted_before) >= 6  # the older wording did name the patient
    stray = ("stray.835", "segment 16")
    assert after.pop(stray)[1] == "segment 16: segment outside a transaction set near (masked)"
    today.pop(stray)
    assert after == today  # today's wording, word for word
    for pair in after.values():
        for text in pair:
            assert not [value for value in PLANTED if value in (text or "")], text


def page_text(page) -> str:
    """Every piece of text the page put on screen: prose, tiles, tables and their cells."""
    texts = [element.value for kind in ("title", "subheader", "caption", "markdown", "info", "success", "warning", "error", "code")
             for element in getattr(page, kind)]
    texts += [f"{metric.label} {metric.value} {metric.delta}" for metric in page.metric]
    texts += [frame.value.to_pandas().to_csv() if hasattr(frame.value, "to_pandas") else frame.value.to_csv() for frame in page.dataframe]
    texts += [" ".join(map(str, box.options)) for box in page.multiselect]
    return "\n".join(map(str, texts))


def test_a_manager_sees_no_planted_patient_data_on_the_data_pages(db_path, tmp_path, monkeypatch):
    from tests.conftest import open_app

    folder = tmp_path / "hostile"
    folder.mkdir()
    hostile_files(folder)
    CliRunner().invoke(app, ["load", str(folder), "--db", str(db_path)])

    for view in ("views/data_loaded.py", "views/data_quality.py"):
        page = open_app(db_path, monkeypatch, "manager", view)
        shown = page_text(page)

        assert not page.exception
        assert "birth_date.837" in shown and "unknown.txt" in shown  # the files with planted data are listed
        assert not [value for value in PLANTED if value in shown], view
    # the manager is not offered the raw records, the one place the planted text is kept
    assert not page.toggle
    assert "impossible date in DMG02" in shown and "patient_birth_date is not a valid date" in shown
