"""The commands over a database as a whole: its audit log, its ledger, its Parquet lake and its row counts."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from etl import db as database
from etl.cli.options import ByOption, DbOption, console, fail, table

app = typer.Typer()


@app.command("audit-log")
def audit_log(
    db: DbOption,
    since: Annotated[datetime | None, typer.Option(help="First day to show.", formats=["%Y-%m-%d"])] = None,
    user: Annotated[str | None, typer.Option(help="Only this user's entries.")] = None,
    verify: Annotated[bool, typer.Option("--verify", help="Check the hash chain and its checkpoint instead; exit 1 if altered, cut, rolled back or unanchored.")] = False,
) -> None:
    """Show who did what in the dashboard, or check that no entry was altered.

    Example: claimscope audit-log --db demo.duckdb --since 2026-11-01 --user dana
    """
    from etl.access import audit_trail as log

    with database.read_connection(db) as con:
        has_log = "audit_log" in {name for (name,) in con.execute("select table_name from duckdb_tables()").fetchall()}
        if verify:
            # checked even without the table: a dropped table is a cut tail too when the checkpoint says entries existed
            broken = log.verify(con)
            if broken is not None:
                fail(f"the audit log breaks at entry {broken.entry_id}: {broken.reason}")
            count = database.scalar(con, "select count(*) from audit_log") if has_log else 0
            where = log.anchor_location(con)
            if where.outside:
                console.print(f"Audit log intact: {count:,} entries, every hash and link checks out and the log reaches "
                              f"its signed checkpoint {where.head_file}, kept outside the database's folder.")
            else:
                console.print(f"No break found in the audit log's {count:,} entries, but tamper evidence is weak: its "
                              f"key {where.key_file} is beside the database, so whoever can edit the database can also "
                              "rewrite the log with it. Set CLAIMSCOPE_AUDIT_KEY_FILE to a protected path in another "
                              "folder (README: the audit trail).")
            return
        if not has_log:
            console.print(f"{db} has no audit log yet: nobody has used the dashboard on it.")
            return
        rows = log.entries(con, since.date() if since else None, user)
    import polars as pl

    # a reveal can name hundreds of claims: the screen gets the start, the table keeps them all
    shortened = rows.head(200).with_columns(
        pl.when(pl.col(name).str.len_chars() > 60).then(pl.col(name).str.slice(0, 57) + "…").otherwise(pl.col(name)).alias(name)
        for name in ("object_ids", "details")
    )
    console.print(table(f"Audit log: {len(rows):,} entries", rows.columns, shortened.iter_rows()))


@app.command()
def rebuild(db: DbOption) -> None:
    """Derive the claim ledger and the monthly facts anew from the raw tables.

    The loader keeps them current on its own; rebuild after an upgrade or after editing etl/reference/.

    Example: claimscope rebuild --db demo.duckdb
    """
    from etl import ledger
    from etl.lake_attach import reads_lake

    with database.write_connection(db) as con:
        if reads_lake(con):
            fail(f"{db} reads its ledger from a Parquet lake: rebuild it there with claimscope spark marts, then attach again")
        ledger.rebuild(con)
        counts = [(name, database.scalar(con, f"select count(*) from {name}")) for name in database.ledger_table_names()]
    console.print(table(f"Ledger rebuilt: {db}", ["table", "rows"], counts, numeric={"rows"}))


@app.command()
def export(
    parquet: Annotated[Path, typer.Option(help="Lake folder to write: new, empty, or this database's lake from an earlier export.",
                                          file_okay=False)],
    db: DbOption,
    by: ByOption,
) -> None:
    """Export the contract and ledger tables as a Parquet lake, a folder per month and payer; again, only what changed.

    The lake holds patient data as the database does: its files are readable by your user only.

    Example: claimscope export --parquet lake --db demo.duckdb
    """
    from etl.access import audit_trail
    from etl.lake import LakeError, export_lake

    try:
        result = export_lake(db, parquet)
    except LakeError as error:
        fail(error)
    with database.write_connection(db) as con:  # a copy of the patient data left the database: who, where, which data
        audit_trail.record(con, by, None, "export", [str(parquet)],
                           {"format": "parquet", "export_number": result.export_number, "data_hash": result.data_hash})
    console.print(f"Export {result.export_number} to {parquet}: {len(result.files_written):,} files written, "
                  f"{len(result.files_removed):,} removed; {sum(result.row_counts.values()):,} rows, data hash {result.data_hash[:16]}")


@app.command()
def attach(
    lake: Annotated[Path, typer.Argument(help="Parquet lake written by claimscope spark load and spark marts, or by export.",
                                         exists=True, file_okay=False)],
    db: DbOption,
) -> None:
    """Point a database at a Parquet lake: its claims, remittances and ledger are read from the lake's files.

    Work items, appeals, audit samples, accounts and the audit log stay in the database, so the dashboard runs on it
    unchanged. Attach again after each Spark run to read its new files. Files are loaded into the lake, not into it.

    Example: claimscope attach lake --db lake.duckdb
    """
    from etl.lake import LakeError
    from etl.lake_attach import attach_lake

    try:
        attached = attach_lake(lake, db)
    except LakeError as error:
        fail(error)
    rows = sorted(attached.tables.items())
    note = "; the lake has no ledger, so it was derived here" if attached.ledger_derived_here else ""
    console.print(table(f"{db} reads {lake}{note}", ["table", "rows"], rows, numeric={"rows"}))


@app.command()
def tables(
    db: DbOption,
    lake: Annotated[Path | None, typer.Option(help="Read this Parquet lake (claimscope export --parquet) instead of the database.",
                                              exists=True, file_okay=False)] = None,
) -> None:
    """Show the row count of every contract table, or of every table of a Parquet lake.

    Example: claimscope tables --db demo.duckdb

    Example: claimscope tables --lake lake
    """
    if lake is None:
        with database.read_connection(db) as con:
            counts = database.row_counts(con)
    else:
        from etl.lake import LakeError, lake_row_counts

        try:
            counts = lake_row_counts(lake)
        except LakeError as error:
            fail(error)
    console.print(table(str(lake or db), ["table", "rows"], counts, numeric={"rows"}))
