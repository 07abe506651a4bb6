"""Open compressed deliveries (a zip's members, a gzip's one stream) within bounds on what they may expand to."""

from __future__ import annotations

import gzip
import hashlib
import io
import zipfile
import zlib
from functools import lru_cache
from pathlib import Path, PurePosixPath, PureWindowsPath

from etl.intake.records import LoadError

# A member is named after its archive as a jar: URL names an entry (`era.zip!/835_a.txt`), so source_files says where
# its rows came from and a rerun finds it by its content's sha256 like any file.
MEMBER_MARK = "!/"
# A zip bomb is a few KB that inflate to gigabytes. X12 and CSV text deflate about 5-20:1; past the first MB, more than
# 100:1 is refused (Apache POI's ZipSecureFile refuses the same ratio), and no archive inflates past 512 MB in all, as
# a plain file of that size would be read whole. Inflating goes a MB at a time, so a bomb is stopped at 100 times its
# compressed size, never expanded in memory.
MAX_RATIO = 100
RATIO_GRACE_BYTES = 1_000_000
MAX_EXPANDED_BYTES = 512 * 2**20
CHUNK_BYTES = 2**20
ZIP_MAGIC = b"PK\x03\x04"
GZIP_MAGIC = b"\x1f\x8b"  # RFC 1952 2.3.1: ID1 ID2
# zipfile builds an object for every entry its directory lists before any size can be checked (400,000 empty entries:
# 36 s and 310 MB, etl/intake/workbook.py); a MB of directory is about 12,000 members, where a day's ERAs are hundreds.
MAX_DIRECTORY_BYTES = 1_000_000
# An Office Open XML package (an .xlsx workbook) is a zip with this part at its root (ECMA-376 Part 2, 10.1.2.2): it is
# read as a sheet, not opened as an archive of files, as is anything named as a workbook (its reader says what is wrong).
_OOXML_CONTENT_TYPES = "[Content_Types].xml"
_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
# What a damaged archive raises from zipfile and zlib.
_UNREADABLE = (zipfile.BadZipFile, zlib.error, EOFError, ValueError)
# Members a clearinghouse puts beside the ERAs that hold no claims: skipped by name with a note, not rejected.
_DOCUMENT_SUFFIXES = {".md", ".pdf", ".doc", ".docx", ".rtf", ".htm", ".html", ".png", ".jpg", ".jpeg", ".gif"}


class SourcePath(type(Path())):
    """A path whose read_bytes() gives what the loader read from it (a member's or a gzip's bytes expanded): a stage
    that reads a file again, as etl/intake/validate.py does to quote a quarantined segment, reads the same text."""

    def read_bytes(self) -> bytes:
        return read_source(Path(self))


class Skipped(Exception):
    """A member that is documentation, not data: the note says which and why."""


def member_paths(path: Path) -> list[Path]:
    """Each file a zip archive holds, as `<archive>!/<member>`; [] for any other file (an .xlsx workbook, an archive that
    cannot be opened or is refused whole), which is read as it is."""
    try:
        return [Path(key) for key in _directory(path)]
    except (OSError, LoadError, *_UNREADABLE):
        return []


def member_of(path: Path) -> tuple[Path, str] | None:
    """The archive holding a member path, and the member's key; None for a file on disk."""
    text = str(path)
    at = text.find(MEMBER_MARK)
    while at >= 0:
        archive = Path(text[:at])
        if archive.is_file():
            return archive, text
        at = text.find(MEMBER_MARK, at + 1)
    return None


def source_size(path: Path) -> int:
    """The bytes a file gives once read: a member's declared size, a gzip's (RFC 1952 ISIZE), a file's own; 0 unread."""
    try:
        if found := member_of(path):
            return sum(info.file_size for info in _directory(found[0]).get(found[1], []))
        with path.open("rb") as file:
            if file.read(2) != GZIP_MAGIC:
                return path.stat().st_size
            file.seek(-4, io.SEEK_END)
            return int.from_bytes(file.read(4), "little")
    except (OSError, LoadError, *_UNREADABLE):
        return 0


def read_source(path: Path) -> bytes:
    """The bytes to load: a file's own, a gzip's stream, or a zip member's. A refusal (a bomb, an unsafe or nested
    member) is a LoadError naming the file and why; a member that is documentation raises Skipped."""
    found = member_of(path)
    if found is None:
        data = path.read_bytes()
        if data.startswith(GZIP_MAGIC):
            try:
                return _not_nested(_expanded(gzip.GzipFile(fileobj=io.BytesIO(data)), len(data), str(path)), path)
            except (OSError, EOFError, zlib.error) as error:  # gzip's BadGzipFile is an OSError
                raise LoadError(f"{path}: a gzip stream that cannot be read ({error.__class__.__name__})") from error
        if data.startswith(ZIP_MAGIC):
            try:
                _directory(path)  # raises why an archive was refused whole
            except _UNREADABLE:
                pass  # read on as a workbook, whose reader says what is wrong
        return data
    archive, key = found
    infos = _directory(archive).get(key)
    if not infos:
        raise LoadError(f"{path}: the archive no longer holds this member")
    name = infos[0].filename
    if len(infos) > 1:
        raise LoadError(f"{path}: refused: the archive names {name!r} more than once, so which one is meant is unclear")
    if _leaves_the_archive(name):
        raise LoadError(f"{path}: refused: the member name {name!r} is absolute or climbs out of the archive with '..'")
    if note := _documentation(name):
        raise Skipped(f"{path}: skipped by its name: {note}, not an X12 or CSV file")
    try:
        with zipfile.ZipFile(archive) as opened, opened.open(infos[0]) as stream:
            data = _expanded(stream, infos[0].compress_size, str(path))
    except (*_UNREADABLE, NotImplementedError, RuntimeError) as error:  # an unknown method; an encrypted member
        raise LoadError(f"{path}: the member cannot be read from the archive ({error.__class__.__name__})") from error
    return _not_nested(data, path)


def _not_nested(data: bytes, path: Path) -> bytes:
    """The expanded bytes, unless they are an archive again: one level is opened, so a bomb cannot nest its layers."""
    if data.startswith(GZIP_MAGIC) or (data.startswith(ZIP_MAGIC) and not _is_workbook(data)):
        raise LoadError(f"{path}: refused: an archive inside an archive is not opened (one level only); unpack it first")
    return data


def refusal_key(path: Path) -> str:
    """The sha256 a refused file is known by: its bytes, or for a member its archive's bytes and its name, so a rerun
    finds it as it finds any file loaded before."""
    found = member_of(path)
    if found is None:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    archive, key = found
    return hashlib.sha256(archive.read_bytes() + key[len(str(archive)):].encode()).hexdigest()


def _directory(archive: Path) -> dict[str, list[zipfile.ZipInfo]]:
    """A zip archive's files by member path ({} for a workbook or any other file), read once per version of the file;
    a LoadError when the archive is refused whole."""
    with archive.open("rb") as file:
        if file.read(4) != ZIP_MAGIC or archive.name.lower().endswith(_WORKBOOK_SUFFIXES):
            return {}
        directory = _directory_bytes(file)
    if directory is not None and directory > MAX_DIRECTORY_BYTES:
        raise LoadError(f"{archive}: refused: its zip directory is {directory:,} bytes, over the {MAX_DIRECTORY_BYTES:,} "
                        "read (thousands of members); send it in smaller archives")
    status = archive.stat()
    return _directory_of(str(archive), status.st_mtime_ns, status.st_size)


def _directory_bytes(file) -> int | None:
    """The size of the central directory as the zip's end record declares it (APPNOTE 4.3.16), read before zipfile
    lists a single entry; None where there is no end record (zipfile then says what is wrong)."""
    file.seek(0, io.SEEK_END)
    file.seek(max(0, file.tell() - 22 - 65_535))  # the end record and its comment of up to 65,535 bytes
    tail = file.read()
    end = tail.rfind(b"PK\x05\x06")
    if end < 0 or len(tail) < end + 22:
        return None
    return int.from_bytes(tail[end + 12 : end + 16], "little")  # 0xFFFFFFFF (zip64) is over the bound too


@lru_cache(maxsize=64)
def _directory_of(archive: str, modified: int, size: int) -> dict[str, list[zipfile.ZipInfo]]:
    with zipfile.ZipFile(archive) as opened:
        infos = opened.infolist()
    if any(info.filename == _OOXML_CONTENT_TYPES for info in infos):
        return {}
    files = [info for info in infos if not info.is_dir()]
    if not files:
        raise LoadError(f"{archive}: a zip archive holding no files")
    # zipfile stops inflating a member at the size the directory declares (a longer one fails its CRC-32), so the sum
    # bounds the whole archive before anything is inflated.
    declared = sum(info.file_size for info in files)
    if declared > MAX_EXPANDED_BYTES:
        raise LoadError(f"{archive}: refused: the archive expands to {declared:,} bytes, over the {MAX_EXPANDED_BYTES:,} "
                        "one archive may; send its files one by one")
    directory: dict[str, list[zipfile.ZipInfo]] = {}
    for info in files:
        # keyed by the path the loader hands around, which pathlib has folded (`//` to `/`): looked up the same way
        directory.setdefault(str(Path(f"{archive}{MEMBER_MARK}{info.filename}")), []).append(info)
    return directory


def _expanded(stream, compressed_bytes: int, name: str) -> bytes:
    """Read a decompressing stream a chunk at a time, refusing it past MAX_RATIO or MAX_EXPANDED_BYTES."""
    chunks, total = [], 0
    while chunk := stream.read(CHUNK_BYTES):
        total += len(chunk)
        if total > MAX_EXPANDED_BYTES:
            raise LoadError(f"{name}: refused: it expands past {MAX_EXPANDED_BYTES:,} bytes, the most one file may")
        if total > RATIO_GRACE_BYTES and total > MAX_RATIO * max(compressed_bytes, 1):
            raise LoadError(f"{name}: refused as a zip bomb: {compressed_bytes:,} compressed bytes expand past {total:,} "
                            f"(over {MAX_RATIO}:1)")
        chunks.append(chunk)
    return b"".join(chunks)


def _leaves_the_archive(name: str) -> bool:
    """An absolute name, a drive, or a `..` step: unzipped, it would land outside the folder ("Zip Slip"); APPNOTE
    4.4.17.1 allows only relative names with forward slashes."""
    parts = name.replace("\\", "/").split("/")
    return name.startswith(("/", "\\")) or bool(PureWindowsPath(name).drive) or ".." in parts


def _documentation(name: str) -> str | None:
    """Why a member is not data, by its name: a README, a document, or a hidden file (macOS adds `__MACOSX/._*`)."""
    pure = PurePosixPath(name)
    if any(part.startswith(".") or part == "__MACOSX" for part in pure.parts):
        return "a hidden file"
    if pure.name.lower().startswith("readme"):
        return "a README"
    if pure.suffix.lower() in _DOCUMENT_SUFFIXES:
        return f"a {pure.suffix.lower()} document"
    return None


def _is_workbook(data: bytes) -> bool:
    try:
        return _OOXML_CONTENT_TYPES in zipfile.ZipFile(io.BytesIO(data)).namelist()
    except _UNREADABLE:
        return False
