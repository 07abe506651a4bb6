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
