"""Errors nobody foresaw: their tracebacks go to a log file beside the database, never to the screen, with every
quoted value in their messages masked (a polars or DuckDB error quotes the value it choked on: a name, say)."""

from __future__ import annotations

import os
import re
import traceback
from datetime import datetime, timezone
from pathlib import Path

_QUOTED = re.compile(r"""(["'`])(?:(?!\1)[^\n])*\1""")


def error_log_path(db: Path | str) -> Path:
    """`<db>.errors.log`, beside the database as its key and users files are."""
    return Path(f"{db}.errors.log")


def masked(text: str) -> str:
    """The text with every quoted run replaced by an ellipsis: `could not convert '…' to INT32`."""
    return _QUOTED.sub(r"\1…\1", text)


def log_traceback(log: Path, what: str, error: BaseException) -> str:
    """Append the error's traceback, masked, under a dated heading naming what was being done (the file is 0600);
    return where it went, for the message."""
    heading = f"--- {datetime.now(timezone.utc).isoformat(timespec='seconds')} {what}\n"
    # Frames (file, line, our own source) are kept as they are; the exceptions' own words are masked.
    pieces = traceback.TracebackException.from_exception(error).format()
    body = "".join(piece if piece.startswith("  File ") else masked(piece) for piece in pieces)
    try:
        descriptor = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
            handle.write(heading + body)
    except OSError:
        return f"the traceback could not be written to {log}"
    return f"the traceback is in {log}"


def internal_error(subject: str, stage: str, error: BaseException, log: Path) -> str:
    """One line for the screen and source_files naming what failed and where its traceback went."""
    return f"{subject}: internal error while {stage} ({error.__class__.__name__}); {log_traceback(log, f'{subject}: {stage}', error)}"
