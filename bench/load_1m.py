"""Benchmark the whole pipeline at scale: synthesize N claims, then load them into DuckDB.

Run: python bench/load_1m.py [--claims 1000000]
Each step runs in its own process so that its peak RSS is its own. The baseline for the load is
DuckDB's own read of the same bytes (read_text over every file), in the same run.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def step(name: str, folder: Path, claims: int) -> dict:
    """Run one step after its imports, so start-up is not counted as throughput."""
    sys.path.insert(0, str(ROOT))
    import duckdb

    from etl.load import load_files
    from etl.synth import synthesize

    started = time.perf_counter()
    if name == "synth":
        synthesize(folder, claims, seed=1, months=12, end=date(2026, 11, 26), output_format="x12")
        rows = claims
    elif name == "read":
        duckdb.sql(f"select sum(length(content)) from read_text('{folder}/*')").fetchall()
        rows = 0  # a floor for reading the bytes; it loads no rows
    else:
        with tempfile.TemporaryDirectory() as scratch:
            results = load_files([folder], Path(scratch) / "bench.duckdb")
        rows = sum(result.records_loaded for result in results)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": rows, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--step", choices=["synth", "read", "load"])
    parser.add_argument("--folder", type=Path)
    args = parser.parse_args()
    if args.step:
        print(json.dumps(step(args.step, args.folder, args.claims)))
        return
    folder = ROOT / "bench" / "data" / f"practice_{args.claims}"
    shutil.rmtree(folder, ignore_errors=True)
    figures = {}
    for name in ("synth", "read", "load"):
        done = subprocess.run([sys.executable, __file__, "--step", name, "--folder", str(folder), "--claims", str(args.claims)],
                              capture_output=True, text=True, check=True)
        figures[name] = json.loads(done.stdout)
    size_mb = sum(path.stat().st_size for path in folder.iterdir()) / 1e6
    files = sum(1 for _ in folder.iterdir())
    print(f"{args.claims:,} claims -> {files:,} files, {size_mb:,.0f} MB\n")
    print(f"{'step':44} {'seconds':>8} {'MB/s':>7} {'rows/s':>10} {'peak RSS MB':>12}")
    labels = {
        "synth": "claimscope synth (claims written)",
        "read": "DuckDB read_text of the files (floor)",
        "load": "claimscope load (claims + remits loaded)",
    }
    for name, figure in figures.items():
        rows_per_second = f"{figure['rows'] / figure['seconds']:10,.0f}" if figure["rows"] else f"{'-':>10}"
        print(f"{labels[name]:44} {figure['seconds']:8.1f} {size_mb / figure['seconds']:7.1f} {rows_per_second} {figure['peak_rss_mb']:12.0f}")
    print(f"\nload takes {figures['load']['seconds'] / figures['read']['seconds']:.1f}x the time DuckDB needs just to read the bytes")


if __name__ == "__main__":
    main()
