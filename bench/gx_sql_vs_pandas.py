"""Great Expectations where the data is (its SQL datasource over the batch staged in DuckDB) against the loader's
pandas path (the suites' columns handed to GX as pandas), the same suites and rows, alternating in the same run.

Run: python bench/gx_sql_vs_pandas.py [--folder data_samples] [--files 0] [--rounds 2]
The SQL path needs duckdb-engine and GX's result-fetch fix for issues 10738 and 11579 (bench/gx_sql.py).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=ROOT / "data_samples")
    parser.add_argument("--files", type=int, default=0, help="load only the first N files of the folder (0: all)")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    import etl.load as load
    sys.path.insert(0, str(ROOT / "bench"))
    from gx_sql import SqlSuiteRunner
    from etl.intake.tabular.mapping import ColumnMapping
    from etl.intake.validate import SuiteRunner, prepared, stacked

    load.init_parser({}, b"bench-key", ColumnMapping(), False, Path(tempfile.gettempdir()) / "gx_sql.errors.log")
    paths = load.expand_paths([args.folder])
    paths = paths[: args.files] if args.files else paths
    items = [item for group in load.groups_to_parse(paths) for item in load.read_and_parse_group(group)]
    pandas_runner = SuiteRunner(date.today())
    tables = stacked([item.parsed for item in items if item.parsed and item.parsed.tables])
    frames = {table: prepared(tables, table, pandas_runner.code_lists) for table in sorted(set(tables) & set(pandas_runner.suites))}
    rows = sum(frame.height for frame in frames.values())
    print(f"{len(paths)} files, {rows:,} rows, {len(frames)} suites")
    with tempfile.TemporaryDirectory() as scratch:
        sql_runner = SqlSuiteRunner(date.today(), Path(scratch) / "staged.duckdb")

        def pandas_pass(result_format: str) -> dict:
            return {table: pandas_runner.validated(table, frame, result_format) for table, frame in frames.items()}

        def sql_pass(result_format: str) -> dict:
            sql_runner.stage(frames)
            return {table: sql_runner.run(table, result_format) for table in frames}

        passes = {"pandas": pandas_pass, "sql": sql_pass}
        verdicts = {}
        for name, run in passes.items():  # warm GX's caches once, and keep each path's verdicts to compare
            verdicts[name] = {table: _verdicts(result) for table, result in run("COMPLETE").items()}
        same = verdicts["pandas"] == verdicts["sql"]
        print("the two paths agree on every expectation and every failing row" if same else "THE PATHS DISAGREE")
        if not same:
            for table in frames:
                if verdicts["pandas"][table] != verdicts["sql"][table]:
                    print(" ", table, json.dumps({k: (verdicts["pandas"][table].get(k), verdicts["sql"][table].get(k))
                                                  for k in verdicts["pandas"][table] if verdicts["pandas"][table].get(k) != verdicts["sql"][table].get(k)}, default=str)[:600])
        for round_number in range(args.rounds):
            for result_format in ("BOOLEAN_ONLY", "COMPLETE"):
                for name, run in passes.items():
                    started = time.perf_counter()
                    run(result_format)
                    seconds = time.perf_counter() - started
                    print(f"round {round_number + 1} {name:<7} {result_format:<13} {seconds:7.2f} s  {rows / seconds:>10,.0f} rows/s")


def _verdicts(checkpoint_result) -> dict:
    """Each expectation's success and its failing (file, row) pairs."""
    [result] = checkpoint_result.run_results.values() if hasattr(checkpoint_result, "run_results") else [checkpoint_result]
    found = {}
    for item in result.results:
        config = item.expectation_config
        name = config.type + str(config.kwargs.get("column") or config.kwargs.get("column_list") or "")
        failing = sorted((int(row["_file"]), int(row["_row"])) for row in item.result.get("unexpected_index_list") or [])
        found[name] = (item.success, failing)
    return found


if __name__ == "__main__":
    main()
