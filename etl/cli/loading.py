"""The commands that bring files in: load them, generate a synthetic practice, validate the database."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from etl import db as database
from etl.cli.options import DbOption, console, environment_failure, errors, fail, summary_table, table
from etl.intake.records import LoadError

app = typer.Typer()


@app.command()
def load(
    paths: Annotated[list[Path], typer.Argument(help="835, 837 or CSV files, or folders to search.", exists=True)],
    db: DbOption,
    mapping: Annotated[
        Path | None, typer.Option(help="YAML file renaming a PM export's columns to claimscope's.", exists=True, dir_okay=False)
    ] = None,
    strict: Annotated[bool, typer.Option(help="Reject X12 sets whose envelope counts or control numbers are off.")] = False,
) -> None:
    """Load claim, remittance and audit files; bad records go to quarantine.

    Each file loads in its own transaction; a file already loaded (same sha256) is skipped.
    An X12 envelope count or control number that is off (SE01, GE01, IEA01, ST02/SE02, GS06/GE02, ISA13/IEA02) is a
    warning and the set loads, since a provider cannot send an ERA back; --strict rejects such sets instead.
    Exits 1 when any record was quarantined or any file rejected (the rest still load), 2 when the run itself failed.

    Example: claimscope load data_samples/ --db demo.duckdb
    """
    # imported here so that `--help` and the quick commands do not pay for the loader's imports
    import duckdb

    from etl.error_log import error_log_path, internal_error
    from etl.intake.tabular.mapping import read_mapping
    from etl.lake import LakeError
    from etl.load import FileResult, expand_paths, load_files

    try:
        column_mapping = read_mapping(mapping)
    except LoadError as error:
        fail(error)
    written: list[FileResult] = []
    try:
        with Progress(console=errors, transient=True) as progress:
            task = progress.add_task("Loading", total=len(expand_paths(paths, db)))

            def file_done(result: FileResult) -> None:
                written.append(result)
                progress.advance(task)

            results = load_files(paths, db, column_mapping, on_file_done=file_done, strict=strict)
    except LakeError as refusal:
        fail(refusal)
    except (duckdb.Error, OSError) as error:
        # a full disk, a read-only file or a held lock stops the load: one line, with what it had already loaded
        cause = environment_failure(error)
        if cause is None:
            raise
        kept = sum(1 for result in written if result.file_id is not None and result.status != "skipped")
        fail(f"{cause} The load stopped there; {kept:,} file{'' if kept == 1 else 's'} loaded before it stay loaded, "
             "and running it again skips them.", code=2)
    except Exception as error:  # a fault of the loader's own: one line here, the traceback in the log, never PHI
        fail(internal_error(f"loading into {db}", "loading", error, error_log_path(db)) + "; files already committed stay", code=2)
    console.print(summary_table(results))
    for result in results:
        if result.message and result.status != "skipped":
            typer.echo(f"{result.path}: {result.status}: {result.message}", err=True)
    if not all(result.is_clean for result in results):
        raise typer.Exit(code=1)


class OutputFormat(str, Enum):
    x12 = "x12"
    csv = "csv"
    both = "both"


@app.command()
def synth(
    out: Annotated[Path, typer.Option(help="Folder to write the files into (created if missing).")],
    claims: Annotated[int, typer.Option(help="How many claims to generate.", min=1)] = 2000,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same bytes.")] = 7,
    months: Annotated[int, typer.Option(help="How many months of activity, ending at --end.", min=1)] = 12,
    end: Annotated[datetime | None, typer.Option(help="Last day of activity (YYYY-MM-DD); defaults to today.", formats=["%Y-%m-%d"])] = None,
    format: Annotated[OutputFormat, typer.Option(help="x12 (837P/835 plus CSV for self-pay and audits), csv, or both.")] = OutputFormat.x12,
) -> None:
    """Generate a synthetic practice: 837P batches, 835 payment runs and coding audits.

    The practice's payers, denial patterns, coders and code mix come from etl/synth/profile.yaml.

    Example: claimscope synth --out /tmp/practice --claims 2000 --seed 7 --end 2026-11-26
    """
    from etl.synth import synthesize

    last_day = end.date() if end else date.today()
    synthesize(out, claims, seed, months, last_day, format.value)
    files = sum(1 for path in out.rglob("*") if path.is_file())
    console.print(f"Wrote {files:,} files for {claims:,} claims ending {last_day} to {out}")


@app.command()
def validate(
    db: DbOption,
    docs: Annotated[Path | None, typer.Option(help="Also write Great Expectations Data Docs (static HTML) to this folder.")] = None,
) -> None:
    """Re-run every expectation suite over the whole database and record the results.

    Exits 1 when any critical expectation fails.

    Example: claimscope validate --db demo.duckdb --docs /tmp/claimscope-docs
    """
    from etl.intake.policy import rule_in_words
    from etl.intake.validate import validate_database

    with database.write_connection(db) as con:
        runs = validate_database(con, date.today(), docs)
    failed = [run for run in runs if not run["success"]]
    rows = [(run["suite"], rule_in_words(run["suite"], run["expectation"], run["severity"]), run["severity"], run["unexpected_count"],
             run["sample_values"] or "") for run in failed]
    headings = ["suite", "check", "severity", "failing rows", "sample"]
    console.print(table(f"{len(runs) - len(failed)} of {len(runs)} expectations met", headings, rows, numeric={"failing rows"}))
    if docs:
        console.print(f"Data Docs: {docs / 'index.html'}")
    if any(run["severity"] == "error" for run in failed):
        raise typer.Exit(code=1)
