"""`claimscope reference`: the CARC and RARC code lists."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from etl import db as database
from etl.cli.options import DbOption, console, fail, table
from etl.intake.records import LoadError

app = typer.Typer(help="The CARC and RARC code lists the loader checks codes against.", no_args_is_help=True)


class CodeList(str, Enum):
    carc = "carc"
    rarc = "rarc"


@app.command("update")
def reference_update(
    code_list: Annotated[CodeList, typer.Argument(help="Which list the file holds.")],
    path: Annotated[Path, typer.Argument(help="CSV with code, description, start_date, stop_date (YYYY-MM-DD; blank for none).", exists=True, dir_okay=False)],
    db: DbOption,
) -> None:
    """Load a newer CARC or RARC list; its codes and dates outrank the shipped list's, and every version is kept.

    X12 republishes both lists three times a year. A code the list lacks still loads, as a warning ("unknown code");
    a code used outside its start and stop dates is a warning too.

    Example: claimscope reference update carc carc-2027-03.csv --db demo.duckdb
    """
    from etl import code_lists

    with database.write_connection(db) as con:
        try:
            version_id, count = code_lists.update(con, code_list.value, path)
        except LoadError as error:
            fail(error)
    console.print(f"{code_list.value.upper()} list version {version_id} loaded from {path}: {count:,} codes.")


@app.command("versions")
def reference_versions(db: DbOption) -> None:
    """List the code list versions loaded, newest first, with the file each came from.

    Example: claimscope reference versions --db demo.duckdb
    """
    from etl import code_lists

    with database.read_connection(db) as con:
        rows = code_lists.versions(con)
    console.print(table("Code list versions (the shipped lists are version 0)", ["version", "list", "source", "loaded at", "codes"], rows, numeric={"codes"}))
