"""What every claimscope command shares: its options, its one-line errors and the tables it prints."""

from __future__ import annotations

import errno
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import click
import duckdb
import typer
from rich.console import Console
from rich.table import Table
from typer.core import TyperGroup

from etl import db as database

if TYPE_CHECKING:
    from etl.load import FileResult
    from etl.reports.scope import Scope


class ClearFailures(TyperGroup):
    """Every command's way of failing for a reason outside claimscope: a full disk, a read-only or missing file, a
    database another process holds past the lock timeout. One line on stderr and exit 2 ("the run itself failed", as
    against 1 for records quarantined or refused), never a traceback. Other errors are left to propagate."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (duckdb.Error, OSError) as error:
            # a failed commit is often followed by the caller's rollback failing too: the cause is further down
            causes = [error]
            while causes[-1].__context__ is not None and len(causes) < 10:
                causes.append(causes[-1].__context__)
            message = next((found for cause in causes if (found := environment_failure(cause))), None)
            if message is None:
                raise
            typer.echo(f"Error: {message}", err=True)
            raise typer.Exit(code=2) from None


def environment_failure(error: Exception) -> str | None:
    """The cause in a biller's words, with DuckDB's or the OS's own first line; None for an error of another kind."""
    text = str(error).splitlines()[0].split(" See also")[0] if str(error) else error.__class__.__name__
    lowered = text.lower()
    code = error.errno if isinstance(error, OSError) else None
    if code == errno.ENOSPC or "no space left" in lowered:
        return f"the disk is full, and the write that failed was rolled back. Free some space and run it again. ({text})"
    if "database does not exist" in lowered:
        return f"there is no database there yet; `claimscope load` creates it. ({text})"
    if code in (errno.EROFS, errno.EACCES, errno.EPERM) or any(words in lowered for words in ("read-only", "permission denied")):
        return f"a file cannot be written: it or its folder is read-only or belongs to another user. ({text})"
    if "could not set lock" in lowered or "conflicting lock" in lowered:
        return f"the database is in use by another process, which did not let go in time; run it again when it has finished. ({text})"
    if isinstance(error, (duckdb.IOException, OSError)):
        return text
    return None


console = Console()
errors = Console(stderr=True)

DbOption = Annotated[
    Path,
    typer.Option(help="DuckDB file to use; defaults to $CLAIMSCOPE_DB or ./claimscope.duckdb.", default_factory=database.default_db_path),
]
ByOption = Annotated[str, typer.Option("--by", help="Who makes the change (for the audit trail); defaults to the login name.",
                                       default_factory=lambda: __import__("getpass").getuser())]


AsOfOption = Annotated[
    datetime | None, typer.Option(help="Date aging, deadlines and figures are counted as of; defaults to today.", formats=["%Y-%m-%d"])
]
FromOption = Annotated[datetime | None, typer.Option("--from", help="First date of service counted.", formats=["%Y-%m-%d"])]
ToOption = Annotated[datetime | None, typer.Option("--to", help="Last date of service counted.", formats=["%Y-%m-%d"])]
PayerOption = Annotated[list[str] | None, typer.Option(help="Payer id to count; repeat for several. All when omitted.")]
ProviderOption = Annotated[list[str] | None, typer.Option(help="Rendering NPI to count; repeat for several.")]


class WorklistFormat(str, Enum):
    csv = "csv"
    xlsx = "xlsx"
    table = "table"


def report_scope(from_date: datetime | None, to_date: datetime | None, payer: list[str] | None, provider: list[str] | None) -> Scope:
    """The report scope the options name: the same Scope the dashboard's sidebar builds."""
    from etl.reports.scope import Scope

    return Scope(tuple(payer or ()), tuple(provider or ()), from_date.date() if from_date else None, to_date.date() if to_date else None)


def fail(message: object, code: int = 1) -> NoReturn:
    """Say what went wrong on stderr and exit 1, every command's way of refusing; or 2, the run itself failed."""
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(code=code)


# Past this many files the summary counts them by kind and status, and lists only the files that were not clean.
SUMMARY_FILE_ROWS = 40


def summary_table(results: list[FileResult]) -> Table:
    """The per-file table `load` and `spark load` print: every file, or past SUMMARY_FILE_ROWS counts and the unclean ones."""
    shown = results if len(results) <= SUMMARY_FILE_ROWS else [r for r in results if not r.is_clean]
    rows = [(r.path, r.kind, r.status, r.records_loaded, r.records_quarantined) for r in shown]
    if len(results) > SUMMARY_FILE_ROWS:
        counts: dict[tuple[str, str], list[int]] = {}
        for r in results:
            count = counts.setdefault((r.kind, r.status), [0, 0, 0])
            count[0], count[1], count[2] = count[0] + 1, count[1] + r.records_loaded, count[2] + r.records_quarantined
        rows += [(f"{files:,} file{'s' if files > 1 else ''}", kind, status, loaded, quarantined)
                 for (kind, status), (files, loaded, quarantined) in sorted(counts.items())]
    return table("Load summary", ["file", "kind", "status", "loaded", "quarantined"], rows, numeric={"loaded", "quarantined"})


def table(title: str, headings: list[str], rows, numeric: set[str] = frozenset()) -> Table:
    """A rich table; numeric columns are right-aligned, long values fold rather than vanish."""
    shown = Table(title=title)
    for heading in headings:
        shown.add_column(heading, justify="right" if heading in numeric else "left", overflow="fold")
    for row in rows:
        shown.add_row(*[f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value) for value in row])
    return shown
