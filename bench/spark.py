"""The parse, checks and ledger on Apache Spark (etl/spark), against the single-machine loader on the same files.

Run: python bench/spark.py [--claims 2000] [--masters 'local[1]' 'local[2]'] [--files-per-task 16 64]
A synthetic practice is generated once. The baselines in the same run are a plain read and sha256 of its files and
`claimscope load` of them into DuckDB (parse, checks, ledger). Each Spark run is a fresh process into a fresh lake,
start-up timed apart: `spark load` (parse, checks, lake files), then `spark marts` (the ledger). Peak memory is the
whole process tree's (driver, JVM and Python workers), sampled every 0.1 s.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent

# One Spark run, in its own process: session start, load, ledger; its timings as one JSON line.
RUN = """
import json, sys, time
from pathlib import Path
from etl.spark import intake
from etl.spark.marts import build_ledger
from etl.spark.session import spark_session
from etl.lake_attach import FROM_FILES
folder, lake, key, master, per_task = sys.argv[1:6]
intake.FILES_PER_TASK = int(per_task)
started = time.perf_counter()
spark = spark_session(master)
spark.range(1).collect()
session = time.perf_counter() - started
started = time.perf_counter()
result = intake.load_files_spark(spark, [folder], lake, key)
loaded = time.perf_counter() - started
started = time.perf_counter()
ledger_rows = build_ledger(spark, lake)
ledger = time.perf_counter() - started
print(json.dumps({"session": session, "load": loaded, "ledger": ledger, "rows": sum(rows for table, rows in result.rows_added.items() if table in FROM_FILES),
                  "ledger_rows": sum(ledger_rows.values()), "files": len(result.files)}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=2000)
    parser.add_argument("--masters", nargs="+", default=["local[1]", "local[2]"])
    parser.add_argument("--files-per-task", nargs="+", type=int, default=[64])
    args = parser.parse_args()
    bin_dir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        practice = scratch / "practice"
        subprocess.run([str(bin_dir / "claimscope"), "synth", "--out", str(practice), "--claims", str(args.claims),
                        "--seed", "7", "--end", "2026-11-30"], check=True, stdout=subprocess.DEVNULL)
        files = [path for path in sorted(practice.iterdir()) if path.is_file() and path.suffix not in (".md", ".sha256", ".json")]
        size = sum(path.stat().st_size for path in files)
        started = time.perf_counter()
        for path in files:
            hashlib.sha256(path.read_bytes()).hexdigest()
        floor = time.perf_counter() - started
        print(f"{args.claims:,} claims: {len(files)} files, {size / 1e6:.1f} MB; plain read + sha256 {floor:.3f} s")

        db = scratch / "practice.duckdb"
        seconds, peak = _timed([str(bin_dir / "claimscope"), "load", str(practice), "--db", str(db)])
        rows = _contract_rows(db)
        print(f"claimscope load (DuckDB, 2 parse workers): {seconds:.1f} s, {rows / seconds:,.0f} rows/s, peak {peak:,.0f} MB")
        print(f"{'master':<10} {'files/task':>10} {'start s':>8} {'load s':>7} {'rows/s':>8} {'ledger s':>9} "
              f"{'x DuckDB':>9} {'peak MB':>8}")
        for master in args.masters:
            for per_task in args.files_per_task:
                # no brackets in the folder name: Spark reads a path as a glob pattern
                lake = scratch / f"lake-{master.strip(']').replace('[', '')}-{per_task}"
                command = [sys.executable, "-c", RUN, str(practice), str(lake), f"{db}.key", master, str(per_task)]
                _, peak, out = _timed(command, capture=True)
                run = json.loads(out.strip().splitlines()[-1])
                total = run["load"] + run["ledger"]
                print(f"{master:<10} {per_task:>10} {run['session']:>8.1f} {run['load']:>7.1f} {run['rows'] / run['load']:>8,.0f} "
                      f"{run['ledger']:>9.1f} {total / seconds:>9.2f} {peak:>8,.0f}")


def _timed(command: list[str], capture: bool = False):
    """Run a command; its wall time and its process tree's peak resident memory in MB (and its output)."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE if capture else subprocess.DEVNULL, text=True, cwd=ROOT)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        parent = psutil.Process(process.pid)
        while not done.is_set():
            try:
                tree = [parent, *parent.children(recursive=True)]
                peak = max(peak, sum(member.memory_info().rss for member in tree))
            except psutil.Error:
                pass
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    started = time.perf_counter()
    sampler.start()
    out, _ = process.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if process.returncode not in (0, 1):  # 1: some records quarantined, as the synthetic practice has
        raise SystemExit(f"{command[:3]} failed with {process.returncode}")
    return (seconds, peak / 1e6, out) if capture else (seconds, peak / 1e6)


def _contract_rows(db: Path) -> int:
    import duckdb

    from etl.lake_attach import FROM_FILES

    with duckdb.connect(str(db), read_only=True) as con:
        return sum(con.execute(f"select count(*) from {table}").fetchone()[0] for table in FROM_FILES)


if __name__ == "__main__":
    main()
