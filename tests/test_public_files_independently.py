"""Every public X12 file, loaded once, checked against an independent reader of its own (issue 32).

tests/x12_sums.py reads the segments itself (nothing from etl/): claimscope's parser is not used to check claimscope's
parser. For each file the database's counts and sums, to the cent, must be the reader's: a file that loads whole must
hold all of them; a file that does not (NOT_WHOLE) must have the status it has today, and hold the reader's sums less
what its quarantined records held.
"""

import re
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from etl.load import load_files
from tests.x12_sums import Figures, FileSums, file_sums, isa_delimiters

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PUBLIC = sorted(path for path in (FIXTURES / "x12_public").rglob("*") if path.is_file() and path.name != "SOURCES.md")
REAL = sorted(path for path in (FIXTURES / "real_files").rglob("*") if path.is_file())
FILES = PUBLIC + REAL

# The files that do not load whole today: (status, why). Each is held to that status, to its quarantine rows
# (QUARANTINED_AT) and to the reader's sums less what those rows hold; every other file is held to loading whole.
# (albmarin__badX12/error_validation.edi loads whole: its wrong SE01/GE01/IEA01 counts and control numbers are
# warnings unless --strict.)
NOT_WHOLE: dict[str, tuple[str, str]] = {
    "x12_public/Inteligenz__X12Parser/Example1.txt": (
        "rejected", "a truncated `CLP*090909*22` (no CLP03, CLP04) rejects its transaction set, segments 3-100: all 10 claims"),
    "x12_public/LinuxForHealth__x12/managed-care.835": (
        "rejected", "BPR16 is the impossible date 20002316: its one transaction set, both claims, is rejected"),
    "x12_public/affect-therapeutics__edi-835-parser/sample_835.txt": (
        "partial", "template placeholders: CAS03 `amount` rejects the first set (segments 3-57, 2 claims); the second "
                   "set's 4 claims load, its PLB `resnCode>adjID>5` with no PLB04 set aside"),
    "x12_public/albmarin__badX12/segment_terminator.edi": (
        "rejected", "an ISA alone, ended by a newline: no ST, so nothing to load"),
    "x12_public/imsweb__x12-parser/x12_bad_segment_identifier.txt": (
        "rejected", "a segment with no id (`*IC*...`) rejects its set, both claims"),
    "x12_public/imsweb__x12-parser/x12_no_isa_line.txt": (
        "partial", "starts at GS (no ISA): both claims load; the IEA with no ISA is quarantined as a stray segment, no money in it"),
    "x12_public/keironstoddart__edi-835-parser/blue_cross_nc_sample.txt": (
        "rejected", "no ISA; `SVC*HC:59426******742*742**1` has no SVC02 or SVC03, which rejects the set and its one claim"),
    "real_files/cut_mid_claim.835": (
        "partial", "cut inside the third claim: that claim (CLP at segment 19) is quarantined, the 2 before it load"),
    "real_files/cut_mid_claim.837p": (
        "partial", "cut inside the third claim: that claim (CLM at segment 27) is quarantined, the 2 before it load"),
    "real_files/malformed_plb.835": (
        "partial", "the PLB has no PLB04 (its amount keyed into PLB03): it is set aside, both claims load"),
}
# Where each of those files' quarantine rows point: a set's rejection points at the segment that rejected it.
QUARANTINED_AT: dict[str, set[str]] = {
    "x12_public/Inteligenz__X12Parser/Example1.txt": {"segment 98"},
    "x12_public/LinuxForHealth__x12/managed-care.835": {"segment 4"},
    "x12_public/affect-therapeutics__edi-835-parser/sample_835.txt": {"segment 23", "segment 162"},
    "x12_public/albmarin__badX12/segment_terminator.edi": {"file"},
    "x12_public/imsweb__x12-parser/x12_bad_segment_identifier.txt": {"segment 6"},
    "x12_public/imsweb__x12-parser/x12_no_isa_line.txt": {"segment 44"},
    "x12_public/keironstoddart__edi-835-parser/blue_cross_nc_sample.txt": {"segment 28"},
    "real_files/cut_mid_claim.835": {"segment 19"},
    "real_files/cut_mid_claim.837p": {"segment 27"},
    "real_files/malformed_plb.835": {"segment 19"},
}


def name_of(path: Path) -> str:
    return str(path.relative_to(FIXTURES))


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """Every file in one load_files call into one database (a load pays for the suites once, not per file)."""
    db = tmp_path_factory.mktemp("independent") / "public.duckdb"
    results = load_files(FILES, db)
    with duckdb.connect(str(db), read_only=True) as con:
        figures = {path: (file_id, status, Figures(*values)) for path, file_id, status, *values in con.execute(DATABASE_FIGURES).fetchall()}
        quarantine: dict[int, list[tuple[str, str]]] = {}
        for file_id, locator, reason in con.execute("select file_id, locator, reason from quarantine order by all").fetchall():
            quarantine.setdefault(file_id, []).append((locator, reason))
    return {Path(result.path): result for result in results}, figures, quarantine


# Per file, in the order of Figures' fields: CLP count, SVC count, BPR02, CLP04, CAS amounts, SVC03, PLB amounts, CLM
# count, CLM02, 837 service lines. claim_lines carry no file_id: they are the lines of that file's claims.
DATABASE_FIGURES = """
select s.path, s.file_id, s.status,
    (select count(*) from remit_claims x where x.file_id = s.file_id),
    (select count(*) from remit_service_lines x where x.file_id = s.file_id),
    (select coalesce(sum(amount), 0) from remit_payments x where x.file_id = s.file_id),
    (select coalesce(sum(paid), 0) from remit_claims x where x.file_id = s.file_id),
    (select coalesce(sum(amount), 0) from remit_adjustments x where x.file_id = s.file_id),
    (select coalesce(sum(paid), 0) from remit_service_lines x where x.file_id = s.file_id),
    (select coalesce(sum(amount), 0) from provider_adjustments x where x.file_id = s.file_id),
    (select count(*) from claims x where x.file_id = s.file_id),
    (select coalesce(sum(total_charge), 0) from claims x where x.file_id = s.file_id),
    (select count(*) from claim_lines l join claims c using (claim_record_id) where c.file_id = s.file_id)
from source_files s
"""


def quarantined_figures(sums: FileSums, quarantine: list[tuple[str, str]]) -> Figures:
    """What the reader found in the records the loader quarantined: everything for a file rejected whole; the records
    of a transaction set rejected whole ("(segments a-b)") or quarantined at its ST; a claim quarantined at its CLP or
    CLM; a PLB quarantined on its own."""
    held = set()
    starts = {record.segment: record for record in sums.records}
    for locator, reason in quarantine:
        if locator == "file":
            return sums.total
        number = int(locator.split()[-1])
        if span := _span(reason):
            held |= {id(record) for record in sums.records if span[0] <= record.segment <= span[1]}
        elif set_end := next((end or float("inf") for start, end in sums.sets if start == number), None):  # no SE: cut
            held |= {id(record) for record in sums.records if number <= record.segment <= set_end}
        elif number in starts:
            held.add(id(starts[number]))
    return sum((record.figures for record in sums.records if id(record) in held), Figures())


def _span(reason: str) -> tuple[int, int] | None:
    found = re.search(r"\(segments (\d+)-(\d+)\)", reason)
    return (int(found.group(1)), int(found.group(2))) if found else None


def test_the_not_whole_list_names_only_files_there_are():
    assert set(NOT_WHOLE) <= {name_of(path) for path in FILES} and set(QUARANTINED_AT) == set(NOT_WHOLE)


@pytest.mark.parametrize("path", FILES, ids=name_of)
def test_a_public_file_holds_in_the_database_what_the_independent_reader_finds(loaded, path):
    results, figures, quarantine = loaded
    result = results[path]
    sums = file_sums(path.read_bytes())
    status, why = NOT_WHOLE.get(name_of(path), ("loaded", "loads whole"))

    assert result.status == status, (why, result.message)
    rows = quarantine.get(result.file_id, [])
    assert {locator for locator, _ in rows} == QUARANTINED_AT.get(name_of(path), set()), (why, rows)
    _, _, found = figures[str(path)]
    expected = sums.total - quarantined_figures(sums, rows)
    assert found == expected, why
    if status == "loaded":
        assert sums.unreadable == [] and found.clp + found.clm > 0  # a file whose claims both sides missed proves nothing


# --- the reader itself, on an 835 worked by hand -------------------------------------------------------------------

HAND_835_ISA = "ISA*00*          *00*          *ZZ*PAYER          *ZZ*PROVIDER       *261208*0900*^*00501*000000001*0*P*}~"
HAND_835 = HAND_835_ISA + """
GS*HP*PAYER*PROVIDER*20261208*0900*1*X*005010X221A1~
ST*835*0001~
BPR*I*119.25*C*ACH*CCP*01*999999999*DA*123456*1234567890**01*999999999*DA*654321*20261208~
TRN*1*EFT123*1234567890~
N1*PR*ACME HEALTH~
N1*PE*CLINIC*XX*1234567893~
LX*1~
CLP*A1*1*200*150*20*12*PCN1~
CAS*PR*1*20~
SVC*HC}99213}25*120*100~
CAS*CO*45*15*1*253*5~
SVC*HC}85025*80*50~
CAS*CO*45*10~
CLP*A2*4*90*0**12*PCN2~
CAS*CO*97*90~
CLP*A3*22*-30.5*-30.5**12*PCN3~
SVC*HC}99212*-30.5*-30.5~
PLB*1234567893*20261231*L6*-0.75*WO}OVP1*1~
SE*18*0001~
GE*1*1~
IEA*1*000000001~
"""


def test_the_reader_sums_a_three_claim_835_worked_by_hand():
    """CLP04 150 + 0 - 30.50 = 119.50; CAS 20 + 15 + 5 + 10 + 90 = 140; SVC03 100 + 50 - 30.50 = 119.50; PLB -0.75 + 1
    = 0.25; BPR02 119.50 - 0.25 = 119.25. Each segment ends `~\\n`; ISA16, the component separator, is `}`."""
    assert len(HAND_835_ISA) == 106 and isa_delimiters(HAND_835_ISA, 0)[:3] == ("*", "}", "~")

    sums = file_sums(HAND_835.encode())

    assert sums.kinds == {"835"} and sums.delimiters == [("*", "}", "~")] and sums.unreadable == []
    assert sums.total == Figures(clp=3, svc=3, bpr02=Decimal("119.25"), clp04=Decimal("119.50"), cas=Decimal("140"),
                                 svc03=Decimal("119.50"), plb=Decimal("0.25"))
    claims = {record.segment: record.figures for record in sums.records if record.tag == "CLP"}
    assert sorted(claims) == [9, 15, 17]  # ISA is segment 1
    assert claims[9] == Figures(clp=1, svc=2, clp04=Decimal(150), cas=Decimal(50), svc03=Decimal(150))
    assert claims[17].clp04 == Decimal("-30.5") and claims[17].cas == 0
    assert sums.sets == [(3, 20)]


def test_the_reader_skips_a_banner_and_reads_each_interchange_with_its_own_delimiters():
    """Text above the ISA, CR LF line ends, an unpadded ISA, and a second interchange whose delimiters differ."""
    first = HAND_835.replace("\n", "\r\n")
    second = ("ISA|00|0|00|0|ZZ|PAYER|ZZ|PROVIDER|261208|0900|^|00501|2|0|P|:!GS|HP|PAYER|PROVIDER|20261208|0900|2|X|"
              "005010X221A1!ST|835|0002!BPR|I|10|C|CHK!CLP|B1|1|12|10||12|PCN9!CAS|CO|45|2!SE|5|0002!GE|1|2!IEA|1|2!")

    sums = file_sums(("*** ERA download, page 1 ***\r\n\r\n" + first + second).encode())

    assert sums.delimiters == [("*", "}", "~"), ("|", ":", "!")]
    assert (sums.total.clp, sums.total.bpr02, sums.total.clp04, sums.total.cas) == (4, Decimal("129.25"), Decimal("129.50"), Decimal(142))


def test_the_reader_counts_837_claims_and_their_lines():
    text = ("ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*RECEIVER       *261208*0900*^*00501*000000001*0*P*:~"
            "GS*HC*S*R*20261208*0900*1*X*005010X222A1~ST*837*0001*005010X222A1~HL*1**20*1~HL*2*1*22*0~"
            "CLM*C1*150.5***11:B:1*Y*A*Y*Y~LX*1~SV1*HC:99213*100.5*UN*1***1~LX*2~SV1*HC:85025*50*UN*1***1~"
            "HL*3*1*22*0~CLM*C2*75***11:B:1*Y*A*Y*Y~LX*1~SV1*HC:99212*75*UN*1***1~SE*14*0001~GE*1*1~IEA*1*000000001~")

    sums = file_sums(text.encode("utf-16"))

    assert sums.total == Figures(clm=2, clm02=Decimal("225.5"), service_lines_837=3)
