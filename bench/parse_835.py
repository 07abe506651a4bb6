"""Benchmark 835 intake: plain split (floor), edi-835-parser (peer), our parse, our full load.

Run: make bench   (or: python bench/parse_835.py [--claims 100000])
Each stage runs in its own process so that its peak RSS is its own. Start-up (imports) is timed apart, and the
memory the work needs is reported as the peak above the resident size start-up left behind.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
PEER_PYTHON = ROOT / "bench" / ".peer" / "bin" / "python"

STAGES = {
    "split": "plain Python read + split (floor)",
    "peer": "edi-835-parser 1.8.0",
    "parse": "claimscope parse to polars",
    "load": "claimscope load into DuckDB",
}


def run_stage(stage: str, path: Path) -> dict:
    """Time one stage in this process; returns seconds for imports and for the work, and peak RSS."""
    started = time.perf_counter()
    if stage == "split":
        imported = time.perf_counter()
        startup_rss_mb = _resident_mb()
        segments = [segment.split("*") for segment in path.read_text().split("~")]
        claims = sum(1 for segment in segments if segment[0].strip() == "CLP")
    elif stage == "peer":
        from edi_835_parser import parse

        imported = time.perf_counter()
        startup_rss_mb = _resident_mb()
        claims = _peer_claims(parse, path)
    elif stage == "parse":
        sys.path.insert(0, str(ROOT))
        from etl.load import parse_file
        from etl.intake.tabular.mapping import ColumnMapping
        from etl.intake.patients import PatientHasher

        imported = time.perf_counter()
        startup_rss_mb = _resident_mb()
        parsed = parse_file(path, path.read_bytes(), PatientHasher(b"bench"), ColumnMapping())
        claims = parsed.records_loaded
    else:
        sys.path.insert(0, str(ROOT))
        import great_expectations  # noqa: F401 -- about 4 s of imports, paid once per process: start-up, not work

        from etl.load import load_files

        imported = time.perf_counter()
        startup_rss_mb = _resident_mb()
        with tempfile.TemporaryDirectory() as folder:
            [result] = load_files([path], Path(folder) / "bench.duckdb")
        claims = result.records_loaded
    finished = time.perf_counter()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "startup_s": imported - started, "work_s": finished - imported, "claims": claims,
        "peak_rss_mb": peak_mb, "work_rss_mb": peak_mb - startup_rss_mb,
    }


def _resident_mb() -> float:
    """Resident set size now (Linux), in MB."""
    return int(Path("/proc/self/statm").read_text().split()[1]) * resource.getpagesize() / 2**20


def _peer_claims(parse, path: Path) -> int:
    remits = parse(str(path))
    return sum(len(transaction.claims) for transaction in remits.transaction_sets)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--stage", choices=STAGES)
    parser.add_argument("--file", type=Path)
    args = parser.parse_args()
    if args.stage:
        print(json.dumps(run_stage(args.stage, args.file)))
        return
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"balanced_{args.claims}.835"
    if not path.exists():
        sys.path.insert(0, str(ROOT / "bench"))
        from generate_835 import write_835

        write_835(path, args.claims)
    size_mb = path.stat().st_size / 1e6
    print(f"{path.name}: {size_mb:.1f} MB, {args.claims:,} claims\n")
    results = {}
    for stage, label in STAGES.items():
        python = PEER_PYTHON if stage == "peer" else Path(sys.executable)
        if not python.exists():
            print(f"{label:38} skipped: run `make bench` to create bench/.peer")
            continue
        done = subprocess.run([str(python), __file__, "--stage", stage, "--file", str(path)], capture_output=True, text=True)
        if done.returncode:
            print(f"{label:38} failed: {done.stderr.strip().splitlines()[-1]}")
            continue
        results[stage] = json.loads(done.stdout)
    print(f"{'stage':38} {'start-up s':>10} {'work s':>8} {'MB/s':>8} {'claims/s':>10} {'peak RSS MB':>12} {'work RSS MB':>12}")
    for stage, figures in results.items():
        print(
            f"{STAGES[stage]:38} {figures['startup_s']:10.2f} {figures['work_s']:8.2f} {size_mb / figures['work_s']:8.1f}"
            f" {figures['claims'] / figures['work_s']:10,.0f} {figures['peak_rss_mb']:12.0f} {figures['work_rss_mb']:12.0f}"
        )
    if "parse" in results:
        for baseline in ("split", "peer"):
            if baseline in results:
                ratio = results[baseline]["work_s"] / results["parse"]["work_s"]
                print(f"claimscope parse is {ratio:.2f}x the speed of {STAGES[baseline]}")
        for stage in ("parse", "load"):
            if stage in results:
                figures = results[stage]
                print(
                    f"{STAGES[stage]}: peak RSS {figures['peak_rss_mb'] / size_mb:.1f}x the file size,"
                    f" {figures['work_rss_mb'] / size_mb:.1f}x above start-up"
                )


if __name__ == "__main__":
    main()
