"""The spark-submit entry point: load X12 and CSV files into a Parquet lake on a cluster, then derive its ledger.

Example:
    PYSPARK_PYTHON=.venv/bin/python .venv/bin/spark-submit etl/spark/submit.py load 'data_samples/*' --lake lake/ \\
        --key claimscope.duckdb.key
    PYSPARK_PYTHON=.venv/bin/python .venv/bin/spark-submit etl/spark/submit.py marts --lake lake/
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    """Run one command; the exit code is 1 when any file failed or was rejected."""
    parser = argparse.ArgumentParser(prog="submit.py", description="claimscope on Apache Spark")
    commands = parser.add_subparsers(dest="command", required=True)
    load = commands.add_parser("load", help="Parse, check and add files to a Parquet lake; a file already there is skipped")
    load.add_argument("paths", nargs="+", help="Files, folders or quoted globs")
    load.add_argument("--lake", required=True, type=Path, help="The lake folder (created when missing)")
    load.add_argument("--key", type=Path, help="The patient key file (a database's <db>.key); else $CLAIMSCOPE_PATIENT_KEY")
    load.add_argument("--strict", action="store_true", help="Reject an X12 set whose envelope counts do not check out")
    load.add_argument("--master", help="Spark master URL, when spark-submit's --master is not given")
    marts = commands.add_parser("marts", help="Derive the ledger on Spark from the lake's claims and remittances, into the lake")
    marts.add_argument("--lake", required=True, type=Path, help="The lake folder")
    marts.add_argument("--master", help="Spark master URL, when spark-submit's --master is not given")
    arguments = parser.parse_args(argv)
    if arguments.command == "marts":
        return _marts(arguments.lake, arguments.master)

    from etl.lake import LakeError
    from etl.spark.intake import load_files_spark
    from etl.spark.session import spark_session

    spark = spark_session(arguments.master)
    try:
        result = load_files_spark(spark, arguments.paths, arguments.lake, arguments.key, strict=arguments.strict)
    except (LakeError, OSError) as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
    # One line per file: its path, kind, status and counts. The message is left out: a reason may quote a value.
    for item in result.files:
        print(f"{item.path}\t{item.kind}\t{item.status}\t{item.records_loaded} loaded\t{item.records_quarantined} quarantined")
    added = sum(result.rows_added.values())
    print(f"{len(result.files)} files, {added:,} rows added to {arguments.lake}"
          + (f" (export {result.export_number})" if result.export_number else ""))
    return 1 if any(item.status in ("failed", "rejected") for item in result.files) else 0


def _marts(lake: Path, master: str | None) -> int:
    from etl.lake import LakeError
    from etl.spark.marts import build_ledger
    from etl.spark.session import spark_session

    try:
        counts = build_ledger(spark_session(master), lake)
    except (LakeError, OSError) as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
    for table, rows in sorted(counts.items()):
        print(f"{table}\t{rows}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
