"""The expectation suites over parsed files: built in a thread while the parse goes on, run a chunk of files at a
time."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import polars as pl

from etl.error_log import internal_error
from etl.intake.records import LoadWarning, ParsedFile
from etl.load.results import ParsedItem, rejected

# The suites run, and the files are written in one transaction, this many files (or rows) at a time: enough to share
# the fixed costs among many small files, few enough rows to bound the memory of a large load.
VALIDATION_CHUNK_FILES = 1000
VALIDATION_CHUNK_ROWS = 500_000


# Runners already built, by the day and the code lists they check against: a process that loads again (the dashboard's
# uploads, the watch command, a test run) takes one instead of building GX's context again, 0.3-0.5 s a load. A
# runner serves one load at a time, so two loads at once each get their own.
IDLE_RUNNERS: dict[tuple, list] = {}
IDLE_LOCK = threading.Lock()


def _runner_key(today: date, lists: dict[str, pl.DataFrame]) -> tuple:
    return today, tuple((name, hashlib.sha256(frame.write_csv().encode()).hexdigest()) for name, frame in sorted(lists.items()))


class SuitesInBackground:
    """The suite runner, built in a thread once the first file with rows arrives: importing GX and building its
    context (about 4 s) then overlaps the parse of the files after it, and a load with nothing to check never pays it.
    One this process built before for the same day and code lists is reused; `release` hands it back."""

    def __init__(self, lists: dict[str, pl.DataFrame]) -> None:
        self.lists = lists
        self.thread: threading.Thread | None = None
        self.runner = None
        self.error: BaseException | None = None
        self.key = _runner_key(date.today(), lists)

    def started_by_first_data(self, items: Iterator[ParsedItem]) -> Iterator[ParsedItem]:
        for item in items:
            if self.thread is None and item.parsed and item.parsed.tables:
                self._start()
            yield item

    def _start(self) -> None:
        self.thread = threading.Thread(target=self._build, name="claimscope-suites", daemon=True)
        self.thread.start()

    def _build(self) -> None:
        with IDLE_LOCK:
            idle = IDLE_RUNNERS.get(self.key)
            self.runner = idle.pop() if idle else None
        if self.runner is not None:
            return
        try:
            from etl.intake.validate import SuiteRunner  # pandas and GX: only when there is something to check

            self.runner = SuiteRunner(self.key[0], code_lists=self.lists)
        except BaseException as error:  # handed to the loading thread, which raises it
            self.error = error

    def get(self):
        if self.thread is None:
            self._start()
        self.thread.join()
        if self.error is not None:
            raise self.error
        return self.runner

    def release(self) -> None:
        """Keep the runner for the process's next load, once this one is done with it."""
        if self.thread is not None:
            self.thread.join()
        if self.runner is not None:
            with IDLE_LOCK:
                for stale in [key for key in IDLE_RUNNERS if key[0] != self.key[0]]:  # an earlier day's "today"
                    del IDLE_RUNNERS[stale]
                IDLE_RUNNERS.setdefault(self.key, []).append(self.runner)
            self.runner = None


def validation_chunks(items: Iterator[ParsedItem]) -> Iterator[list[ParsedItem]]:
    """Group parsed files so the suites run once per group, not once per small file."""
    chunk, rows = [], 0
    for item in items:
        chunk.append(item)
        rows += sum(frame.height for frame in item.parsed.tables.values()) if item.parsed else 0
        if len(chunk) >= VALIDATION_CHUNK_FILES or rows >= VALIDATION_CHUNK_ROWS:
            yield chunk
            chunk, rows = [], 0
    if chunk:
        yield chunk


def validate_items(runner, items: list[ParsedItem], error_log: Path, strict: bool = False) -> None:
    """Run the suites over the files together; should that fail in a way nobody foresaw, over each file alone, and a
    file that still fails is rejected. With strict, a warning the suites class (etl/intake/validate.py) refuses."""
    from etl.intake.validate import validate_files

    try:
        validate_files(runner, [item.parsed for item in items], [item.path for item in items], strict)
        return
    except Exception:  # whose file it was is found by checking them one at a time
        pass
    for item in items:
        try:
            validate_files(runner, [item.parsed], [item.path], strict)
        except Exception as error:  # contained to its file, the traceback logged
            item.parsed = rejected(item.parsed.kind, internal_error(str(item.path), "checking it", error, error_log))


def warn_of_impossible_birth_dates(parsed: ParsedFile, today: date) -> None:
    """A patient born after the claim's date of service, or after today, is a keying error in the practice system, and
    paperwork does not refuse a claim's money: the claim loads, and the file records a warning at the claim's line or
    CLM. The birth date itself is never quoted (PHI)."""
    claims, patients = parsed.tables.get("claims"), parsed.tables.get("patients")
    if claims is None or patients is None or not claims.height or "birth_date" not in patients.columns:
        return
    born = patients.select("patient_key", "birth_date").drop_nulls().unique("patient_key")
    dated = claims.select("patient_key", "service_date_from", "locator").join(born, on="patient_key")
    birth = pl.col("birth_date")
    warning = (
        pl.when(birth > today).then(pl.lit("the patient's birth date is in the future"))
        .when(birth > pl.col("service_date_from")).then(pl.lit("the patient's birth date is after the claim's date of service"))
    )
    found = dated.select("locator", warning.alias("warning")).drop_nulls()
    parsed.structural_warnings += [
        LoadWarning(locator, f"{warning} (loaded: correct it in the practice system)") for locator, warning in found.iter_rows()
    ]
