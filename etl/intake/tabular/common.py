"""Shared CSV intake: read with line numbers, check every value, quarantine whole groups."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

import polars as pl

from etl.intake.tabular.mapping import ColumnMapping
from etl.intake.records import Quarantined
from etl.intake import values

TEXT, AMOUNT, QUANTITY, INTEGER, DATE = "text", "amount", "quantity", "integer", "date"
PROBLEM = "_problem"
LINE = "_line"


@dataclass(frozen=True)
class Column:
    """One CSV column of a claimscope layout."""

    name: str
    type: str = TEXT
    required: bool = False
    allowed: tuple[str, ...] = ()
    holds_phi: bool = False  # a patient's name, member id or birth date: reasons name the column, never the value


def read_rows(text: str, mapping: ColumnMapping) -> tuple[list[str], pl.DataFrame, list[Quarantined]]:
    """Read a CSV into string columns plus its physical line numbers; ragged and unreadable lines are quarantined."""
    records = csv_records(text)
    _, header_fields, header_problem = next(records, (0, [], None))
    header = mapping.rename(header_fields or [])
    columns: list[list[str]] = [[] for _ in header]
    lines: list[int] = []
    ragged: list[Quarantined] = [header_problem] if header_problem else []
    for line, fields, problem in records:
        if fields is None:
            ragged.append(problem)
            continue
        if not any(field.strip() for field in fields):
            continue
        if len(fields) != len(header):
            reason = f"expected {len(header)} fields, found {len(fields)}"
            ragged.append(Quarantined(f"line {line}", reason, raw_line(fields)))
            continue
        for column, value in zip(columns, fields):
            column.append(value)
        lines.append(line)
    frame = pl.DataFrame({name: column for name, column in zip(header, columns)}, schema={name: pl.Utf8 for name in header})
    return header, frame.with_columns(pl.Series(LINE, lines, dtype=pl.Int64)), ragged


class _Lines:
    """The file's physical lines for csv.reader, from a position the caller may move back."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.position = 0  # how many lines have been handed out

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self.position >= len(self.lines):
            raise StopIteration
        self.position += 1
        return self.lines[self.position - 1]


def csv_records(text: str) -> Iterator[tuple[int, list[str] | None, Quarantined | None]]:
    """Each record with the number of its last physical line, or (None, why) for a line that cannot be read.

    RFC 4180 lets a quoted field run over several lines, so one quote left open would otherwise take every line after
    it into a single field. A record over several lines is kept only where its quotes close as RFC 4180 says; else
    the line that opened the quote is refused and the lines after it are read again, each on its own.
    """
    source = _Lines(csv_lines(text).readlines())
    reader = csv.reader(source)
    while source.position < len(source.lines):
        first = source.position
        try:
            fields, problem = next(reader), None
        except StopIteration:
            return
        except csv.Error as error:  # a field over csv.field_size_limit()
            fields, problem = None, f"cannot be read as CSV: {error}"
        record = source.lines[first : source.position]
        if _leaves_a_quote_open(record, fields is None, at_end=source.position == len(source.lines)):
            opened = record[0].rstrip("\n")
            yield first + 1, None, Quarantined(f"line {first + 1}", _UNCLOSED_QUOTE, opened)
            source.position = first + 1
            reader = csv.reader(source)
            continue
        if fields is None:
            yield source.position, None, Quarantined(f"line {source.position}", problem, "".join(record))
            continue
        yield source.position, fields, None


_UNCLOSED_QUOTE = (
    "a quote opened on this line is not closed where a field ends (RFC 4180); the lines after it are read on their own"
)


def _leaves_a_quote_open(record: list[str], unreadable: bool, at_end: bool) -> bool:
    """Whether the lines read as one record were taken in by a quote that never closed: a record over several lines
    that cannot be read, or whose quotes do not close before a comma or a line end as csv's strict mode requires, or
    a last line still inside its quote at the end of the file."""
    if len(record) == 1 and not (at_end and '"' in record[0]):
        return False
    if unreadable:
        return len(record) > 1
    try:
        return len(list(csv.reader(record, strict=True))) != 1
    except csv.Error as error:
        return len(record) > 1 or "unexpected end of data" in str(error)


def csv_lines(text: str) -> io.StringIO:
    """The text with CR, LF and CRLF line ends all read as one (RFC 4180 says CRLF; old Mac exports send CR alone)."""
    return io.StringIO(text, newline=None)


def raw_line(fields: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(fields)
    return buffer.getvalue()


def add_missing_columns(frame: pl.DataFrame, layout: list[Column]) -> pl.DataFrame:
    """Optional columns the file leaves out become empty columns."""
    missing = [column.name for column in layout if column.name not in frame.columns]
    return frame.with_columns([pl.lit(None, dtype=pl.Utf8).alias(name) for name in missing])


def _problem_for(column: Column, date_formats: tuple[str, ...]) -> list[pl.Expr]:
    name = column.name
    checks: list[pl.Expr] = []
    if column.required:
        checks.append(pl.when(~values.present(name)).then(pl.lit(f"missing {name}")))
    too_large = None
    if column.type == AMOUNT:
        bad, what = values.bad_amount(name), "is not a dollar amount"
        too_large = values.too_large_amount(name), values.CAPACITY[values.MONEY]
    elif column.type == QUANTITY:
        bad, what = values.bad_quantity(name), "is not a number"
        too_large = values.too_large_quantity(name), values.CAPACITY[values.QUANTITY]
    elif column.type == INTEGER:
        bad, what = values.bad_integer(name), "is not a whole number"
        too_large = values.too_large_integer(name), values.CAPACITY[pl.Int32]
    elif column.type == DATE:
        bad = values.bad_date(name, date_formats)
        what = "is not a valid date (" + " or ".join(date_formats) + ")"
    elif column.allowed:
        bad = values.present(name) & ~pl.col(name).str.strip_chars().is_in(list(column.allowed))
        what = "is not one of " + ", ".join(column.allowed)
    else:
        return checks
    checks.append(pl.when(bad).then(_described(column, what)))
    if too_large:
        fits_not, capacity = too_large
        checks.append(pl.when(fits_not).then(_described(column, f"is too large ({capacity})")))
    return checks


def _described(column: Column, what: str) -> pl.Expr:
    """`units '99999999999' is too large (...)`; a value that may identify a patient is left out."""
    if column.holds_phi:
        return pl.lit(f"{column.name} {what}")
    return pl.format(f"{column.name} '{{}}' {what}", values.shortened_text(pl.col(column.name).str.strip_chars()))


def check_values(frame: pl.DataFrame, layout: list[Column], date_formats: tuple[str, ...]) -> pl.DataFrame:
    """Add a `_problem` column: every reason a row cannot load, or null."""
    checks = [check for column in layout for check in _problem_for(column, date_formats)]
    problem = pl.concat_str(checks, separator="; ", ignore_nulls=True) if checks else pl.lit(None, pl.Utf8)
    return frame.with_columns(pl.when(problem != "").then(problem).alias(PROBLEM))


def typed(frame: pl.DataFrame, layout: list[Column], date_formats: tuple[str, ...]) -> pl.DataFrame:
    """Cast checked string columns to their types."""
    casts = {
        TEXT: values.blank_to_null,
        AMOUNT: values.to_amount,
        QUANTITY: values.to_quantity,
        INTEGER: values.to_integer,
        DATE: lambda name: values.to_date(name, date_formats),
    }
    return frame.with_columns([casts[column.type](column.name) for column in layout])


def append_problem(frame: pl.DataFrame, reason: pl.Expr) -> pl.DataFrame:
    """Add `reason` (null where fine) to each row's problems."""
    combined = pl.concat_str([pl.col(PROBLEM), reason], separator="; ", ignore_nulls=True)
    return frame.with_columns(pl.when(reason.is_not_null()).then(combined).otherwise(pl.col(PROBLEM)).alias(PROBLEM))


def quarantine_with_group(frame: pl.DataFrame, group: list[str], label: str) -> pl.DataFrame:
    """A bad row takes its whole group (a claim, a remit claim) to quarantine, so no claim loads half."""
    first_bad_line = pl.col(LINE).filter(pl.col(PROBLEM).is_not_null()).min()
    reason = pl.when(pl.col(PROBLEM).is_null() & first_bad_line.over(group).is_not_null()).then(
        pl.format(f"{label} has a quarantined line (line {{}})", first_bad_line.over(group))
    )
    return frame.with_columns(pl.coalesce(pl.col(PROBLEM), reason).alias(PROBLEM))


def disagreeing_header(frame: pl.DataFrame, group: list[str], header: list[str], label: str) -> pl.DataFrame:
    """Rows of one group must repeat the same header values; name the columns that differ."""
    differs = [
        pl.when(pl.col(name).n_unique().over(group) > 1).then(pl.lit(name))
        for name in header
        if name in frame.columns
    ]
    names = pl.concat_str(differs, separator=", ", ignore_nulls=True)
    return append_problem(frame, pl.when(names != "").then(pl.format(f"lines of {label} disagree on {{}}", names)))


def read_checked(text: str, layout: list[Column], mapping: ColumnMapping) -> tuple[pl.DataFrame, pl.DataFrame, list[Quarantined]]:
    """Read and type a CSV: (original string rows, typed rows with `_problem`, ragged lines)."""
    _, original, ragged = read_rows(text, mapping)
    original = add_missing_columns(original, layout)
    checked = check_values(original, layout, mapping.date_formats)
    return original, typed(checked, layout, mapping.date_formats), ragged


def split_good_bad(frame: pl.DataFrame, original: pl.DataFrame) -> tuple[pl.DataFrame, list[Quarantined]]:
    """Separate loadable rows from quarantined ones; a bad row keeps its line as read."""
    bad = frame.filter(pl.col(PROBLEM).is_not_null()).select(LINE, PROBLEM)
    raw_columns = [name for name in original.columns if name != LINE]
    raw = original.join(bad, on=LINE, how="semi")
    raw_by_line = {row[LINE]: raw_line([row[name] or "" for name in raw_columns]) for row in raw.iter_rows(named=True)}
    quarantined = [Quarantined(f"line {line}", problem, raw_by_line[line]) for line, problem in bad.iter_rows()]
    return frame.filter(pl.col(PROBLEM).is_null()).drop(PROBLEM), quarantined


def split_list(column: str) -> pl.Expr:
    """`25:59`, `25,59` or `25 59` -> ["25", "59"]; blank -> null."""
    items = pl.col(column).str.replace_all(r"[;,:\s]+", " ").str.strip_chars().str.split(" ")
    return pl.when(values.present(column)).then(items).alias(column)


def locator(column: str = LINE) -> pl.Expr:
    return pl.format("line {}", pl.col(column)).alias("locator")
