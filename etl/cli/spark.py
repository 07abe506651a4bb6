"""`claimscope spark`: intake and the ledger on Apache Spark, into a Parquet lake."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from etl.cli.options import console, fail, summary_table, table

app = typer.Typer(help="claimscope on Apache Spark (the spark extra, Java 17): files into a Parquet lake, and its ledger.",
                  no_args_is_help=True)
MasterOption = Annotated[str | None, typer.Option(help="Spark master URL: local[N] here, or a cluster's (spark://..., yarn).")]


@app.command("load")
def spark_load(
    paths: Annotated[list[str], typer.Argument(help="835, 837 or CSV files, folders, or quoted globs, readable by every executor.")],
    lake: Annotated[Path, typer.Option(help="Lake folder: new, or one spark load or export wrote.", file_okay=False)],
    key: Annotated[Path | None, typer.Option(help="Patient key file (a database's <db>.key); else $CLAIMSCOPE_PATIENT_KEY.",
                                             exists=True, dir_okay=False)] = None,
    master: MasterOption = "local[2]",
    strict: Annotated[bool, typer.Option(help="Reject X12 sets whose envelope counts or control numbers are off.")] = False,
) -> None:
    """Parse and check files on Spark, a task per batch of files, and add their rows to a Parquet lake.

    The same parsers and Great Expectations suites as `claimscope load` (run through GX's Spark datasource); bad
    records go to the lake's quarantine table, and a file already in the lake (same sha256) is skipped.
    Exits 1 when any record was quarantined or any file rejected (the rest still load).

    Example: claimscope spark load data_samples/ --lake lake --key demo.duckdb.key --master 'local[2]'
    """
    from etl.lake import LakeError
    from etl.spark.intake import load_files_spark
    from etl.spark.session import spark_session

    try:
        result = load_files_spark(spark_session(master), paths, lake, key, strict=strict)
    except LakeError as error:
        fail(error)
    console.print(summary_table(result.files))
    console.print(f"{sum(result.rows_added.values()):,} rows added to {lake}"
                  + (f" (export {result.export_number})" if result.export_number else ": nothing new"))
    for item in result.files:
        if item.message and item.status != "skipped":
            typer.echo(f"{item.path}: {item.status}: {item.message}", err=True)
    if not all(item.is_clean for item in result.files):
        raise typer.Exit(code=1)


@app.command("marts")
def spark_marts(
    lake: Annotated[Path, typer.Option(help="Lake folder that spark load or export wrote.", exists=True, file_okay=False)],
    master: MasterOption = "local[2]",
) -> None:
    """Derive the ledger on Spark from the lake's claims and remittances, with the same SQL as the loader, into the lake.

    The ledger and marts SQL of sql/ is transpiled to Spark SQL (etl/spark/transpile.py); `claimscope attach` then
    serves the lake to the dashboard.

    Example: claimscope spark marts --lake lake --master 'local[2]'
    """
    from etl.lake import LakeError
    from etl.spark.marts import build_ledger
    from etl.spark.session import spark_session

    try:
        counts = build_ledger(spark_session(master), lake)
    except LakeError as error:
        fail(error)
    console.print(table(f"Ledger built on Spark: {lake}", ["table", "rows"], sorted(counts.items()), numeric={"rows"}))
