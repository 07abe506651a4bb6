"""Column mappings: rename a practice-management export's columns to claimscope's CSV columns."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from etl.intake.records import LoadError
from etl.intake.values import CSV_DATE_FORMATS


@dataclass(frozen=True)
class ColumnMapping:
    """Source column name -> claimscope column name, and the date formats the export uses."""

    name: str = "claimscope"
    columns: dict[str, str] = field(default_factory=dict)
    date_formats: tuple[str, ...] = CSV_DATE_FORMATS

    def rename(self, header: list[str]) -> list[str]:
        # A byte-order mark is not whitespace to str.strip(): one left before a name (a file saved twice, or joined
        # from two exports) would hide that column and leave its values null.
        names = [name.replace("\ufeff", "").strip() for name in header]
        return [self.columns.get(name, name) for name in names]


def read_mapping(path: Path | None) -> ColumnMapping:
    """Read a YAML mapping file; no path means claimscope's own column names."""
    if path is None:
        return ColumnMapping()
    try:
        document = yaml.safe_load(Path(path).read_text())
    except (OSError, yaml.YAMLError) as error:
        raise LoadError(f"{path}: cannot read mapping: {error}") from error
    if not isinstance(document, dict) or not isinstance(document.get("columns"), dict):
        raise LoadError(f"{path}: a mapping needs a `columns:` section of `source name: claimscope name`")
    formats = document.get("date_formats") or list(CSV_DATE_FORMATS)
    return ColumnMapping(
        name=str(document.get("name", Path(path).stem)),
        columns={str(source): str(target) for source, target in document["columns"].items()},
        date_formats=tuple(formats),
    )
