"""Which files a load reads, and the groups a parser takes them in."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from etl.intake.archives import member_paths, source_size

# Small files are parsed in groups of up to this many files and bytes: a parse has fixed costs a small file would pay
# alone (a 2 KB 835 costs about 70 ms on its own, 5 ms in a group).
GROUP_FILES = 64
GROUP_BYTES = 4_000_000
GROUP_FILE_BYTES = 256_000
# Folder walks skip documentation, settings and databases that sit beside the data, and the files a database keeps
# beside itself (`<db>.wal`, `.key`, `.audit-key`, `.audit-head`, `.session-key`, `.errors.log`), whatever it is named.
SKIPPED_SUFFIXES = {".md", ".yaml", ".yml", ".key", ".duckdb", ".wal", ".sha256", ".log", ".audit-key", ".audit-head",
                    ".session-key"}


def expand_paths(paths: Iterable[Path], db: Path | str | None = None) -> list[Path]:
    """Files as given, and every data file under each folder, in name order, a zip archive as its members
    (`era.zip!/835_a.txt`); a folder walk never takes the database loaded into or anything named after it
    (`<db>.users.json`, `<db>.uploads/`, a checkpoint's temporary copy)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                member
                for child in sorted(path.rglob("*"))
                if child.is_file()
                and not any(part.startswith(".") for part in child.relative_to(path).parts)
                and child.suffix.lower() not in SKIPPED_SUFFIXES
                and not _kept_by_database(child, db)
                for member in member_paths(child) or [child]
            )
        else:
            files.extend(member_paths(path) or [path])
    return files


def _kept_by_database(path: Path, db: Path | str | None) -> bool:
    """Whether the path is the database itself or one of the files and folders it keeps beside it, `<db>.<anything>`."""
    if db is None:
        return False
    database = str(Path(db).resolve())
    resolved = str(path.resolve())
    return resolved == database or resolved.startswith(database + ".")


def groups_to_parse(files: list[Path]) -> list[list[Path]]:
    """Consecutive small files in groups a worker parses together; each large file on its own, by the size it reads
    to (a compressed file's expanded size)."""
    groups: list[list[Path]] = []
    group_bytes = 0
    for path in files:
        size = source_size(path)
        if not groups or size > GROUP_FILE_BYTES or len(groups[-1]) >= GROUP_FILES or group_bytes + size > GROUP_BYTES:
            groups.append([])
            group_bytes = 0
        groups[-1].append(path)
        group_bytes += size
    return groups
