"""Fuzz `claimscope load` (issue 21): mutate the public X12 samples, data_samples and synthetic CSV and workbook files,
load them in batches through the real command, and count what must never happen.

Run: python bench/fuzz_load.py [--inputs 10000] [--batch 200] [--seed 21] [--parallel 2]

Counted, each of which should stay 0:
- unhandled exceptions: a traceback or an "internal error" line in the command's output;
- exit codes other than 0 or 1;
- hangs: a batch over 30 s plus its baseline time (the same number of unmutated files), killed;
- vanished records: a CLP (835) or CLM (837) of the input, or a CSV data line, neither loaded nor in quarantine
  (a quarantined transaction set counts for every claim between its ST and SE, a rejected file for all of them).
Reported beside them: rows (loaded plus quarantined) a second and peak RSS of the load, against a baseline run of the
unmutated seeds in the same session.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from etl.intake.records import LoadError  # noqa: E402
from etl.intake.x12.segments import numbered_segments  # noqa: E402

CLAIMSCOPE = Path(sys.executable).with_name("claimscope")
HANG_SECONDS = 30
BIG_SEGMENT_BYTES = 10_000_000
UNICODE_DIGITS = ["١٢٣", "１２３", "٤", "߁", "໒"]
HUGE_NUMBERS = ["99999999999999999999", "99999999999999999999.00", "4294967297", "1e400", "-0", "9" * 40]


def seeds() -> list[tuple[str, bytes]]:
    """The unmutated inputs: every public X12 sample, every fixture X12, a slice of data_samples, the CSV layouts and a
    workbook of the audit layout."""
    found = []
    for folder in (ROOT / "tests" / "fixtures" / "x12_public", ROOT / "tests" / "fixtures" / "x12"):
        found += [path for path in sorted(folder.rglob("*")) if path.is_file() and path.suffix.lower() not in (".md",)]
    samples = sorted((ROOT / "data_samples").glob("*.83*"))
    found += samples[::20]
    found += sorted((ROOT / "tests" / "fixtures" / "csv").rglob("*.csv")) + sorted((ROOT / "data_samples").glob("*.csv"))
    inputs = [(path.name, path.read_bytes()) for path in found]
    inputs.append(("audits.xlsx", _audits_workbook(ROOT / "data_samples" / "audits.csv")))
    return inputs


def _audits_workbook(path: Path) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for row in csv.reader(io.StringIO(path.read_text())):
        book.active.append(row)
    saved = io.BytesIO()
    book.save(saved)
    return saved.getvalue()


# --- mutations -------------------------------------------------------------------------------------------------------

def _x12_delimiters(text: str) -> tuple[str, str]:
    if text.startswith("ISA") and len(text) > 106:
        return text[3], text[105]
    return "*", "~"


def _segments(text: str) -> tuple[list[str], str, str]:
    element, terminator = _x12_delimiters(text)
    return text.split(terminator), element, terminator


def byte_flip(data: bytes, rng: random.Random) -> bytes:
    data = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        data[rng.randrange(len(data))] = rng.randrange(256)
    return bytes(data)


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(len(data))]


def delete_element(data: bytes, rng: random.Random) -> bytes:
    text = data.decode("utf-8", "replace")
    if text.startswith(("ISA", "GS", "ST")):
        segments, element, terminator = _segments(text)
        index = rng.randrange(len(segments))
        parts = segments[index].split(element)
        if len(parts) > 1:
            del parts[rng.randrange(1, len(parts))]
        segments[index] = element.join(parts)
        return terminator.join(segments).encode()
    lines = text.split("\n")
    index = rng.randrange(len(lines))
    fields = lines[index].split(",")
    del fields[rng.randrange(len(fields))]
    lines[index] = ",".join(fields)
    return "\n".join(lines).encode()


def duplicate_element(data: bytes, rng: random.Random) -> bytes:
    text = data.decode("utf-8", "replace")
    if text.startswith(("ISA", "GS", "ST")):
        segments, element, terminator = _segments(text)
        index = rng.randrange(len(segments))
        parts = segments[index].split(element)
        position = rng.randrange(len(parts))
        parts.insert(position, parts[position])
        segments[index] = element.join(parts)
        return terminator.join(segments).encode()
    lines = text.split("\n")
    index = rng.randrange(len(lines))  # the header too: a column named twice
    fields = lines[index].split(",")
    position = rng.randrange(len(fields))
    fields.insert(position, fields[position])
    lines[index] = ",".join(fields)
    return "\n".join(lines).encode()


def _replace_a_number(data: bytes, rng: random.Random, choices: list[str]) -> bytes:
    text = data.decode("utf-8", "replace")
    numbers = list(re.finditer(r"(?<![0-9A-Za-z])[0-9]+(\.[0-9]+)?(?![0-9A-Za-z])", text))
    if not numbers:
        return data
    chosen = rng.sample(numbers, min(len(numbers), rng.randint(1, 3)))
    for match in sorted(chosen, key=lambda found: found.start(), reverse=True):  # from the end: earlier offsets hold
        text = text[: match.start()] + rng.choice(choices) + text[match.end():]
    return text.encode()


def huge_number(data: bytes, rng: random.Random) -> bytes:
    return _replace_a_number(data, rng, HUGE_NUMBERS)


def unicode_digits(data: bytes, rng: random.Random) -> bytes:
    return _replace_a_number(data, rng, UNICODE_DIGITS)


def nul_byte(data: bytes, rng: random.Random) -> bytes:
    position = rng.randrange(len(data))
    return data[:position] + b"\x00" + data[position:]


def big_segment(data: bytes, rng: random.Random) -> bytes:
    text = data.decode("utf-8", "replace")
    if text.startswith(("ISA", "GS", "ST")):
        segments, element, terminator = _segments(text)
        segments.insert(rng.randrange(1, len(segments)), f"NTE{element}ADD{element}" + "X" * BIG_SEGMENT_BYTES)
        return terminator.join(segments).encode()
    lines = text.split("\n")
    fields = lines[min(1, len(lines) - 1)].split(",")
    fields[rng.randrange(len(fields))] = "X" * BIG_SEGMENT_BYTES
    lines.insert(1, ",".join(fields))
    return "\n".join(lines).encode()


def repeated_loop(data: bytes, rng: random.Random) -> bytes:
    text = data.decode("utf-8", "replace")
    if not text.startswith(("ISA", "GS", "ST")):
        lines = text.split("\n")
        return "\n".join(lines[:1] + lines[1:] * rng.randint(2, 20)).encode()
    segments, element, terminator = _segments(text)
    starts = [index for index, segment in enumerate(segments) if segment.strip()[:4] in (f"CLP{element}", f"CLM{element}", f"LX{element}")]
    if not starts:
        return data
    first = rng.choice(starts)
    following = [index for index in starts if index > first]
    last = following[0] if following else min(first + 5, len(segments))
    block = segments[first:last]
    return terminator.join(segments[:first] + block * rng.randint(2, 50) + segments[first:]).encode()


def cr_line_ends(data: bytes, rng: random.Random) -> bytes:
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r")


MUTATIONS = {
    "byte_flip": (byte_flip, 20), "truncate": (truncate, 12), "delete_element": (delete_element, 15),
    "duplicate_element": (duplicate_element, 15), "huge_number": (huge_number, 15), "unicode_digits": (unicode_digits, 10),
    "nul_byte": (nul_byte, 4), "repeated_loop": (repeated_loop, 6), "cr_line_ends": (cr_line_ends, 3), "big_segment": (big_segment, 0.2),
}


def mutate(data: bytes, rng: random.Random) -> tuple[bytes, list[str]]:
    """One to three mutations, drawn by weight (a 10 MB segment rarely: it costs memory, not coverage)."""
    names = rng.choices(list(MUTATIONS), weights=[weight for _, weight in MUTATIONS.values()], k=rng.randint(1, 3))
    for name in names:
        if data:
            data = MUTATIONS[name][0](data, rng)
    return data, names


# --- counting --------------------------------------------------------------------------------------------------------

def input_records(name: str, data: bytes) -> tuple[str, list[int] | int]:
    """X12: the segment numbers of its CLP or CLM segments; CSV: its non-blank data lines; otherwise ('other', 0)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    stripped = text.lstrip(" \t\r\n\ufeff")
    # text above the ISA (a clearinghouse banner, a flipped byte) is skipped by the loader, which numbers the segments
    # from the first ISA in the first 64 KB (etl/intake/x12/segments.py)
    if not stripped.startswith(("ISA", "GS", "ST")) and (isa := re.search(r"(?:^|(?<=[^A-Za-z0-9]))ISA", stripped[:65_536])):
        stripped = stripped[isa.start():]
    if stripped.startswith(("ISA", "GS", "ST")):
        try:
            segments = numbered_segments(stripped, name)
        except (LoadError, IndexError, ValueError):
            return "x12", []
        return "x12", [number for number, raw in segments.items() if raw.split(_x12_delimiters(stripped)[0])[0] in ("CLP", "CLM")], segments
    if data.startswith(b"PK"):
        return "other", 0
    try:
        rows = list(csv.reader(io.StringIO(text, newline=None)))
    except csv.Error:
        return "other", 0
    return "csv", sum(1 for row in rows[1:] if any(field.strip() for field in row))


def records_accounted(counted: tuple, loaded: int, quarantine: list[tuple[str, str]]) -> tuple[int, int]:
    """(records in, records loaded or in quarantine) of one file, from its input count (input_records), the claims or
    lines it loaded and its quarantine rows (locator, reason)."""
    if counted[0] == "csv":
        lines = counted[1]
        return lines, lines if any(locator == "file" for locator, _ in quarantine) else loaded + len(quarantine)
    if counted[0] != "x12" or len(counted) < 3:
        return 0, 0
    _, claims, segments = counted
    covered = set()
    for locator, reason in quarantine:
        if locator == "file":
            return len(claims), len(claims) + loaded
        span = re.search(r"\(segments (\d+)-(\d+)\)", reason)
        number = int(locator.split()[-1]) if locator.split()[-1].isdigit() else -1
        if span:  # a rejected transaction set: every claim between its ST and SE
            covered |= {claim for claim in claims if int(span.group(1)) <= claim <= int(span.group(2))}
        elif number in claims:  # a claim quarantined by an expectation
            covered.add(number)
        elif segments.get(number, "")[:2] == "ST":  # a payment quarantined with its claims
            end = next((n for n in sorted(segments) if n > number and segments[n][:2] == "SE"), max(segments))
            covered |= {claim for claim in claims if number <= claim <= end}
    return len(claims), loaded + len(covered)


def vanished_in(db: Path, files: dict[str, tuple]) -> tuple[int, int, int, int]:
    """(records vanished, records in, records loaded or quarantined, files with no source_files row) over a batch."""
    vanished = records_in = accounted = unwritten = 0
    with duckdb.connect(str(db), read_only=True) as con:
        sources = dict(con.execute("select path, [file_id, records_loaded] from source_files").fetchall())
        hashes = {sha256 for (sha256,) in con.execute("select sha256 from source_files").fetchall()}
        quarantine: dict[int, list[tuple[str, str]]] = {}
        for file_id, locator, reason in con.execute("select file_id, locator, reason from quarantine").fetchall():
            quarantine.setdefault(file_id, []).append((locator, reason))
        claims = dict(con.execute(
            "select file_id, count(*) from (select file_id from remit_claims union all select file_id from claims) group by 1"
        ).fetchall())
    for path, counted in files.items():
        if path not in sources and Path(path).exists() and hashlib.sha256(Path(path).read_bytes()).hexdigest() in hashes:
            continue  # the same bytes as a file loaded before it: skipped, its records counted once, there
        if path not in sources:
            unwritten += 1  # "failed": nothing written, neither loaded nor quarantined, though the command said so
            continue
        file_id, lines_loaded = sources[path]
        loaded = claims.get(file_id, 0) if counted[0] == "x12" else lines_loaded
        came, found = records_accounted(counted, loaded, quarantine.get(file_id, []))
        records_in += came
        accounted += found
        vanished += max(0, came - found)
    return vanished, records_in, accounted, unwritten


# --- running ---------------------------------------------------------------------------------------------------------

def run_batch(folder: Path, db: Path, budget: float) -> dict:
    """Load one folder with the real command; its exit code, output, seconds and peak RSS (MB), killed past budget."""
    started = time.monotonic()
    with open(folder / "_stdout", "w+b") as out:
        process = subprocess.Popen([str(CLAIMSCOPE), "load", str(folder / "in"), "--db", str(db)], stdout=out, stderr=subprocess.STDOUT,
                                   env={**os.environ, "COLUMNS": "200"})
        hung = False
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - started > budget:
                process.kill()
                pid, status, usage = os.wait4(process.pid, 0)
                hung = True
                break
            time.sleep(0.05)
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        output = out.read().decode("utf-8", "replace")
    return {"code": process.returncode, "output": output, "seconds": time.monotonic() - started,
            "peak_mb": usage.ru_maxrss / 1024, "hung": hung}


def load_batch(inputs: list[tuple[str, bytes]], work: Path, index: int, budget: float) -> dict:
    folder = work / f"batch{index:05}"
    (folder / "in").mkdir(parents=True)
    counted = {}
    for number, (name, data) in enumerate(inputs):
        path = folder / "in" / f"{number:04}_{name}"
        path.write_bytes(data)
        counted[str(path)] = input_records(name, data)
    db = folder / "fuzz.duckdb"
    run = run_batch(folder, db, budget)
    vanished = records_in = accounted = 0
    unwritten = len(inputs)
    if db.exists() and not run["hung"]:
        vanished, records_in, accounted, unwritten = vanished_in(db, counted)
    unhandled = run["output"].count("Traceback") + run["output"].count("internal error")
    if unhandled or vanished or unwritten or run["hung"] or run["code"] not in (0, 1):
        keep = work.parent / "fuzz_findings" / folder.name
        shutil.rmtree(keep, ignore_errors=True)  # a finding of an earlier run under the same batch name
        shutil.copytree(folder, keep)
    shutil.rmtree(folder, ignore_errors=True)
    return {**run, "unhandled": unhandled, "vanished": vanished, "records_in": records_in, "accounted": accounted, "files": len(inputs),
            "unwritten": unwritten}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=10_000, help="How many mutated files to load.")
    parser.add_argument("--batch", type=int, default=200, help="Files per load.")
    parser.add_argument("--seed", type=int, default=21, help="Random seed; the same seed mutates the same way.")
    parser.add_argument("--parallel", type=int, default=2, help="Loads run at once.")
    parser.add_argument("--minutes", type=float, default=None, help="Stop starting batches after this long.")
    args = parser.parse_args()
    from concurrent.futures import ThreadPoolExecutor

    rng = random.Random(args.seed)
    originals = seeds()
    work = Path(tempfile.mkdtemp(prefix="claimscope-fuzz-"))
    began = time.monotonic()
    baseline_batches = [originals[start:start + args.batch] for start in range(0, len(originals), args.batch)]
    baseline = [load_batch(batch, work, -1 - index, 600) for index, batch in enumerate(baseline_batches)]
    base_rate = sum(b["accounted"] for b in baseline) / sum(b["seconds"] for b in baseline)
    base_per_file = sum(b["seconds"] for b in baseline) / sum(b["files"] for b in baseline)
    base_peak = max(b["peak_mb"] for b in baseline)
    print(f"baseline: {len(originals)} unmutated files, {sum(b['accounted'] for b in baseline):,} records, "
          f"{base_rate:,.0f} rows/s, peak {base_peak:,.0f} MB, exit codes {sorted({b['code'] for b in baseline})}", flush=True)
    batches = []
    while sum(len(batch) for batch, _ in batches) < args.inputs:
        batch, names = [], Counter()
        for _ in range(min(args.batch, args.inputs - sum(len(b) for b, _ in batches))):
            name, data = rng.choice(originals)
            mutated, used = mutate(data, rng)
            batch.append((name, mutated))
            names.update(used)
        batches.append((batch, names))
    totals, mutations = Counter(), Counter()
    results = []

    def one(item):
        index, (batch, names) = item
        if args.minutes and time.monotonic() - began > args.minutes * 60:
            return None
        budget = HANG_SECONDS + base_per_file * len(batch) * 3
        return load_batch(batch, work, index, budget), names

    with ThreadPoolExecutor(args.parallel) as pool:
        for outcome in pool.map(one, enumerate(batches)):
            if outcome is None:
                continue
            result, names = outcome
            results.append(result)
            mutations.update(names)
            totals.update(inputs=result["files"], unhandled=result["unhandled"], vanished=result["vanished"],
                          hangs=int(result["hung"]), bad_exit=int(result["code"] not in (0, 1)),
                          records_in=result["records_in"], accounted=result["accounted"], unwritten=result["unwritten"])
            totals[f"exit {result['code']}"] += 1
            print(f"{totals['inputs']:>6} inputs: unhandled {totals['unhandled']}, exit not 0/1 {totals['bad_exit']}, "
                  f"hangs {totals['hangs']}, vanished {totals['vanished']}, unwritten files {totals['unwritten']} | batch {result['seconds']:.1f} s, "
                  f"{result['peak_mb']:,.0f} MB, exit {result['code']}", flush=True)
    seconds = sum(r["seconds"] for r in results)
    rate = totals["accounted"] / seconds if seconds else 0
    peak = max((r["peak_mb"] for r in results), default=0)
    print()
    print(f"inputs {totals['inputs']:,} in {len(results)} batches of up to {args.batch}, {time.monotonic() - began:,.0f} s")
    print(f"unhandled exceptions {totals['unhandled']}, exit codes other than 0/1 {totals['bad_exit']}, "
          f"hangs over {HANG_SECONDS} s {totals['hangs']}, vanished records {totals['vanished']} of {totals['records_in']:,}, "
          f"files with nothing written {totals['unwritten']}")
    print(f"exit codes: {dict(sorted((k, v) for k, v in totals.items() if k.startswith('exit ')))}")
    print(f"rows/s {rate:,.0f} ({rate / base_rate:.2f} x baseline {base_rate:,.0f}); "
          f"peak RSS {peak:,.0f} MB ({peak / base_peak:.2f} x baseline {base_peak:,.0f} MB)")
    print(f"mutations applied: {dict(mutations.most_common())}")
    print(f"findings (if any) kept in {work.parent / 'fuzz_findings'}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
