"""What keeping the ledger current costs a daily load: one more day of remittances into the 1M-claim database.

Run: python bench/ledger_refresh.py [--db bench/data/practice_1000000.duckdb] [--day 20261126]
The day's 835 files (already in the practice) are loaded again under new hashes into a copy of the database, so they
land as a new day's payments would, in one batch (one transaction, one refresh, as `claimscope load` writes them):
the baseline in the same run is the same load with the refresh left out.
"""

from __future__ import annotations

import argparse
import hashlib
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=ROOT / "bench" / "data" / "practice_1000000.duckdb")
    parser.add_argument("--day", default="20261126", help="Load again the 835 files of this day (YYYYMMDD in the name).")
    parser.add_argument("--files", type=Path, default=ROOT / "bench" / "data" / "practice_1000000",
                        help="The folder the practice was loaded from.")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    from etl import db as database
    from etl import ledger
    from etl.intake.patients import PatientHasher, key_for_database
    from etl.intake.tabular.mapping import ColumnMapping
    from etl.load import claims_touched, parse_file, write_batch

    files = sorted(args.files.glob(f"835_{args.day}_*"))
    if not files:
        sys.exit(f"no 835 files of {args.day} in {args.files}")
    hasher = PatientHasher(key_for_database(args.db))
    parsed = [(path, parse_file(path, path.read_bytes(), hasher, ColumnMapping())) for path in files]
    claims = len({claim_id for _, item in parsed for claim_id in claims_touched(item)})
    print(f"{args.db.name}: {len(files)} files of {args.day}, {claims:,} claims touched")
    print(f"{'run':<5} {'load s':>8} {'of which ledger s':>18} {'without ledger s':>17} {'ledger claims/s':>16}")
    real_refresh = ledger.refresh
    for run in range(args.runs):
        timings = {}
        for with_ledger in (True, False):
            with tempfile.TemporaryDirectory(dir=args.db.parent) as scratch:
                copy = Path(scratch) / "copy.duckdb"
                shutil.copy(args.db, copy)
                spent = [0.0]

                def timed_refresh(con, claim_ids):
                    started = time.perf_counter()
                    real_refresh(con, claim_ids)
                    spent[0] += time.perf_counter() - started

                ledger.refresh = timed_refresh if with_ledger else (lambda con, claim_ids: None)
                with database.write_connection(copy) as con:
                    batch = [(path, hashlib.sha256(f"{run}-{number}-{path}".encode()).hexdigest(), path.stat().st_size, item)
                             for number, (path, item) in enumerate(parsed)]
                    started = time.perf_counter()
                    write_batch(con, batch)
                    timings[with_ledger] = (time.perf_counter() - started, spent[0])
        ledger.refresh = real_refresh
        (loaded, refreshing), (bare, _) = timings[True], timings[False]
        print(f"{run + 1:<5} {loaded:>8.2f} {refreshing:>18.2f} {bare:>17.2f} {claims / refreshing:>16,.0f}")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")


if __name__ == "__main__":
    main()
