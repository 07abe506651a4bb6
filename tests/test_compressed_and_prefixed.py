"""Compressed deliveries (zip, gzip), text above the ISA and UTF-16 files: loaded, or refused with their reason (issue 32
items 3 and 7). Every archive is built here from the small hand-checked 835s, so no binary is committed."""

import codecs
import gzip
import zipfile
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from etl.intake import archives
from etl.load import load_files
from tests.conftest import FIXTURES, scalar

# BPR02 100.00; CLP G100: 140.00 charged, 100.00 paid, 40.00 PR-2.
GOOD = (FIXTURES / "hostile" / "good.835").read_bytes()
# BPR02 48.00; CLP C3: 60.00 charged, 48.00 paid, 12.00 PR-2.
SUNRISE = (FIXTURES / "x12" / "cob_sunrise.835").read_bytes()
BANNER = b"ACME CLEARINGHOUSE DOWNLOAD\nBatch 2026-10-01 12:00\n\n"


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _zip_bomb(path: Path) -> Path:
    """200 MB of zeros deflated to about 200 KB (1,000:1), written a MB at a time."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive, archive.open("bomb.835", "w") as member:
        for _ in range(200):
            member.write(bytes(2**20))
    return path


def _paid(db: Path) -> Decimal:
    return scalar(db, "select sum(paid) from remit_claims")


def test_a_banner_above_the_isa_is_skipped_with_a_warning_and_the_claims_load(tmp_path, db_path):
    banner_file = tmp_path / "download.835"
    banner_file.write_bytes(BANNER + GOOD)

    [result] = load_files([banner_file], db_path)

    assert result.status == "loaded"
    # "ACME CLEARINGHOUSE DOWNLOAD\n" 28 + "Batch 2026-10-01 12:00\n" 23 + "\n" 1 = 52 characters on 3 lines
    assert "3 lines (52 characters) of text before the ISA at line 4 skipped" in result.message
    assert _paid(db_path) == Decimal("100.00")


def test_strict_refuses_a_file_with_text_above_the_isa(tmp_path, db_path):
    banner_file = tmp_path / "download.835"
    banner_file.write_bytes(BANNER + GOOD)

    [result] = load_files([banner_file], db_path, strict=True)

    assert result.status == "rejected"
    assert (f"{banner_file}: line 1: 3 lines (52 characters) of text before the ISA at line 4 is not X12, and --strict "
            "refuses text outside the interchange") in result.message
    assert scalar(db_path, "select count(*) from remit_claims") == 0


def test_a_file_with_no_isa_under_its_text_is_still_not_x12(tmp_path, db_path):
    prose = tmp_path / "notes.835"
    prose.write_bytes(BANNER + b"ISA is the interchange header; this file has none.\n")

    [result] = load_files([prose], db_path)

    assert result.status == "rejected"
    assert f"{prose}: line 1: not X12 (no ISA, GS or ST)" in result.message


def test_a_zip_loads_every_835_and_skips_the_readme_by_name(tmp_path, db_path):
    era = _zip(tmp_path / "era.zip", {"835_a.txt": GOOD, "835_b.txt": SUNRISE, "README.txt": b"Two remittances."})

    results = {result.path: result for result in load_files([era], db_path)}

    assert results[f"{era}!/835_a.txt"].status == "loaded"
    assert results[f"{era}!/835_b.txt"].status == "loaded"
    assert results[f"{era}!/README.txt"].status == "skipped"
    assert "skipped by its name: a README" in results[f"{era}!/README.txt"].message
    assert scalar(db_path, "select list(path order by path) from source_files") == [f"{era}!/835_a.txt", f"{era}!/835_b.txt"]
    assert _paid(db_path) == Decimal("148.00")  # 100.00 + 48.00


def test_loading_the_same_zip_again_adds_nothing(tmp_path, db_path):
    era = _zip(tmp_path / "era.zip", {"835_a.txt": GOOD, "835_b.txt": SUNRISE, "README.txt": b"Two remittances."})
    load_files([era], db_path)

    again = load_files([era], db_path)

    assert [result.status for result in again] == ["skipped", "skipped", "skipped"]
    assert scalar(db_path, "select count(*) from source_files") == 2
    assert scalar(db_path, "select count(*) from remit_claims") == 2


def test_a_gzipped_835_loads_under_its_own_name(tmp_path, db_path):
    gzipped = tmp_path / "era.835.gz"
    gzipped.write_bytes(gzip.compress(GOOD))

    [result] = load_files([gzipped], db_path)

    assert result.status == "loaded"
    assert scalar(db_path, "select path from source_files") == str(gzipped)
    assert _paid(db_path) == Decimal("100.00")


@pytest.mark.parametrize(("mark", "encoding"), [(codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")])
def test_a_utf16_file_with_a_byte_order_mark_is_decoded(tmp_path, db_path, mark, encoding):
    wide = tmp_path / "era_utf16.835"
    wide.write_bytes(mark + GOOD.decode().encode(encoding))

    [result] = load_files([wide], db_path)

    assert result.status == "loaded"
    assert _paid(db_path) == Decimal("100.00")


def test_a_utf16_file_of_control_characters_is_still_binary(tmp_path, db_path):
    wide = tmp_path / "noise.835"
    wide.write_bytes(codecs.BOM_UTF16_LE + "".join(map(chr, range(32))).encode("utf-16-le") * 4)  # U+0000 to U+001F

    [result] = load_files([wide], db_path)

    assert result.status == "rejected"
    assert f"{wide}: binary content, not an X12 or CSV file" in result.message


def _traversal(path: Path) -> Path:
    return _zip(path, {"../evil.835": GOOD})


def _absolute(path: Path) -> Path:
    return _zip(path, {"/etc/evil.835": GOOD})


def _nested(path: Path) -> Path:
    inner = _zip(path.with_name("inner.zip"), {"835_a.txt": GOOD})
    return _zip(path, {"inner.zip": inner.read_bytes()})


@pytest.mark.parametrize(("build", "member", "reason"), [
    (_zip_bomb, "bomb.835", "refused as a zip bomb"),
    (_traversal, "../evil.835", "refused: the member name '../evil.835' is absolute or climbs out of the archive"),
    (_absolute, "etc/evil.835", "refused: the member name '/etc/evil.835' is absolute or climbs out of the archive"),
    (_nested, "inner.zip", "refused: an archive inside an archive is not opened (one level only)"),
])
def test_a_hostile_member_is_refused_with_its_reason_and_the_batch_loads(tmp_path, db_path, build, member, reason):
    hostile = build(tmp_path / "hostile.zip")
    plain = tmp_path / "sunrise.835"
    plain.write_bytes(SUNRISE)

    results = {result.path: result for result in load_files([hostile, plain], db_path)}

    refused = results[f"{hostile}!/{member}"]
    assert refused.status == "rejected"
    assert reason in refused.message
    assert reason in scalar(db_path, "select reason from quarantine where locator = 'file'")
    assert results[str(plain)].status == "loaded"
    assert _paid(db_path) == Decimal("48.00")  # the plain file's CLP C3; nothing of the hostile member


def _gzip_bomb(path: Path) -> Path:
    """200 MB of zeros gzipped, written a MB at a time."""
    with gzip.open(path, "wb") as stream:
        for _ in range(200):
            stream.write(bytes(2**20))
    return path


def _gzipped_zip(path: Path) -> Path:
    path.write_bytes(gzip.compress(_zip(path.with_name("inner.zip"), {"835_a.txt": GOOD}).read_bytes()))
    return path


@pytest.mark.parametrize(("build", "reason"), [
    (_gzip_bomb, "refused as a zip bomb"),
    (_gzipped_zip, "refused: an archive inside an archive is not opened (one level only)"),
])
def test_a_hostile_gzip_is_refused_with_its_reason_and_the_batch_loads(tmp_path, db_path, build, reason):
    hostile = build(tmp_path / "hostile.835.gz")
    plain = tmp_path / "good.835"
    plain.write_bytes(GOOD)

    results = {result.path: result for result in load_files([hostile, plain], db_path)}

    assert results[str(hostile)].status == "rejected"
    assert reason in results[str(hostile)].message
    assert _paid(db_path) == Decimal("100.00")  # the plain file's CLP G100


def test_an_archive_declaring_more_than_the_bound_is_refused_whole(tmp_path, db_path, monkeypatch):
    monkeypatch.setattr(archives, "MAX_EXPANDED_BYTES", len(GOOD) + len(SUNRISE) - 1)
    era = _zip(tmp_path / "era.zip", {"835_a.txt": GOOD, "835_b.txt": SUNRISE})

    [result] = load_files([era], db_path)

    assert result.path == str(era)
    assert result.status == "rejected"
    # 572 + 558 = 1,130 bytes declared, one over the bound
    assert "refused: the archive expands to 1,130 bytes" in result.message
    assert scalar(db_path, "select count(*) from remit_claims") == 0


def test_an_archive_whose_directory_is_over_the_bound_is_refused_before_it_is_listed(tmp_path, db_path, monkeypatch):
    monkeypatch.setattr(archives, "MAX_DIRECTORY_BYTES", 100)
    # each central-directory entry is 46 bytes and the name: (46 + 9) x 2 = 110 bytes
    era = _zip(tmp_path / "era.zip", {"835_a.txt": GOOD, "835_b.txt": SUNRISE})

    [result] = load_files([era], db_path)

    assert (result.path, result.status) == (str(era), "rejected")
    assert "refused: its zip directory is 110 bytes, over the 100 read" in result.message


# CLP02 99 is no claim status code (X12 code source 663): the suites quarantine the claim and quote its segment.
UNKNOWN_STATUS = GOOD.replace(b"CLP*G100*1*", b"CLP*G100*99*")


def _zipped_member(folder: Path) -> tuple[Path, str]:
    return _zip(folder / "era.zip", {"835_a.txt": UNKNOWN_STATUS}), "!/835_a.txt"


def _gzipped(folder: Path) -> tuple[Path, str]:
    (folder / "era.835.gz").write_bytes(gzip.compress(UNKNOWN_STATUS))
    return folder / "era.835.gz", ""


def _under_a_banner(folder: Path) -> tuple[Path, str]:
    (folder / "download.835").write_bytes(BANNER + UNKNOWN_STATUS)
    return folder / "download.835", ""


@pytest.mark.parametrize("build", [_zipped_member, _gzipped, _under_a_banner])
def test_a_claim_the_suites_quarantine_keeps_its_segment_from_a_compressed_or_prefixed_file(tmp_path, db_path, build):
    delivered, member = build(tmp_path)

    [result] = load_files([delivered], db_path)

    assert (result.path, result.status) == (f"{delivered}{member}", "partial")
    # segments count from the ISA: ISA GS ST BPR TRN N1 N1 LX, then the CLP is segment 9
    with duckdb.connect(str(db_path), read_only=True) as con:
        quarantined = con.execute("select locator, raw from quarantine").fetchall()
    assert quarantined == [("segment 9", "CLP*G100*99*140.00*100.00*40.00*CI*PAYERCLM1")]
    assert scalar(db_path, "select count(*) from remit_claims") == 0


def test_an_interchange_whose_isa_is_damaged_is_not_skipped_as_a_banner(tmp_path, db_path):
    # The first interchange's ISA reads IQA: its GS, ST and CLP above the second ISA are X12, not a banner to skip.
    damaged = tmp_path / "damaged.835"
    damaged.write_bytes(GOOD.replace(b"ISA*", b"IQA*", 1) + SUNRISE)

    [result] = load_files([damaged], db_path)

    assert result.status == "rejected"
    assert f"{damaged}: line 1: not X12 (no ISA, GS or ST)" in result.message
    assert scalar(db_path, "select count(*) from remit_claims") == 0
