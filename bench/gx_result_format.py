"""Great Expectations' result formats on one batch: the demo practice's rows through every suite, BOOLEAN_ONLY (what
the loader runs first) against COMPLETE (what it runs again when a suite fails), alternating in the same run.

Run: python bench/gx_result_format.py [--folder data_samples] [--rounds 2]
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=ROOT / "data_samples")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    import etl.load as load
    from etl.intake.tabular.mapping import ColumnMapping
    from etl.intake.validate import SuiteRunner, prepared, stacked

    load.init_parser({}, b"bench-key", ColumnMapping(), False, Path("/tmp/gx_result_format.errors.log"))
    items = [item for group in load.groups_to_parse(load.expand_paths([args.folder])) for item in load.read_and_parse_group(group)]
    runner = SuiteRunner(date.today())
    tables = stacked([item.parsed for item in items if item.parsed and item.parsed.tables])
    frames = {table: prepared(tables, table, runner.code_lists) for table in sorted(set(tables) & set(runner.suites))}
    rows = sum(frame.height for frame in frames.values())
    for table, frame in frames.items():  # warm GX's caches once
        runner.run(table, frame)
    print(f"{rows:,} rows, {len(frames)} suites")
    for round_number in range(args.rounds):
        for name in ("BOOLEAN_ONLY", "COMPLETE"):
            started = time.perf_counter()
            for table, frame in frames.items():
                runner.validated(table, frame, name)
            seconds = time.perf_counter() - started
            print(f"round {round_number + 1} {name:<13} {seconds:6.2f} s  {rows / seconds:>9,.0f} rows/s")


if __name__ == "__main__":
    main()
