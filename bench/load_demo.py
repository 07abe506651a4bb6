"""What a newcomer waits for: `claimscope load` of the demo practice (data_samples/, about 815 small files).

Run: python bench/load_demo.py [--runs 3] [--folder data_samples]
Each run is a fresh `claimscope load` process into a fresh database, start-up included, as a user meets it. The
baseline in the same run is a plain read and sha256 of the same files, which any loader must do.
"""

from __future__ import annotations

import argparse
import hashlib
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=ROOT / "data_samples")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    files = [path for path in sorted(args.folder.iterdir()) if path.is_file() and path.suffix not in (".md", ".sha256")]
    size = sum(path.stat().st_size for path in files)
    started = time.perf_counter()
    for path in files:
        hashlib.sha256(path.read_bytes()).hexdigest()
    floor = time.perf_counter() - started
    print(f"{args.folder.name}: {len(files)} files, {size / 1e6:.1f} MB; plain read + sha256 {floor:.3f} s")
    print(f"{'run':<5} {'load s':>8} {'files/s':>8} {'x read':>8} {'peak RSS MB':>12}")
    claimscope = Path(sys.executable).with_name("claimscope")
    for run in range(args.runs):
        with tempfile.TemporaryDirectory() as scratch:
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            started = time.perf_counter()
            subprocess.run([str(claimscope), "load", str(args.folder), "--db", str(Path(scratch) / "demo.duckdb")],
                           check=True, stdout=subprocess.DEVNULL)
            seconds = time.perf_counter() - started
            peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
        print(f"{run + 1:<5} {seconds:>8.2f} {len(files) / seconds:>8.0f} {seconds / floor:>8.0f} {peak:>12,.0f}")


if __name__ == "__main__":
    main()
