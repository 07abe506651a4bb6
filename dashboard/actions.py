"""What a page may change: draw an audit sample, load an uploaded file, work a claim. Each takes the write lock briefly
(waiting, as the loader does, while another writer holds it); the first two clear the query cache so every page sees
the change, while work changes are read fresh on every run and leave the cached figures alone."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import duckdb
import streamlit as st

from dashboard import session
from dashboard.queries import cache
from dashboard.permissions import require
from dashboard.widgets import literal
from etl import db as database
from etl import settings
from etl.intake.records import write_synthetic_manifest
from etl.reports.audit_sampling import Draw, Universe, draw_sample
from etl.reports.audit_sampling import draw_full_sample as draw_full_sample_from
from etl.work import items

if TYPE_CHECKING:
    from etl.load import FileResult

WORKSHEET_KIND = "audits_csv"  # a coding-audit worksheet, CSV or Excel (etl.intake.detect)
# When another writer (a load) keeps the database past etl.db's wait for it: a biller's words, not DuckDB's.
BUSY = "The loader is busy; try again in a minute."
T = TypeVar("T")


def draw_audit_sample(universe: Universe, size: int, seed: int, stratify_by_coder: bool, allocation: str,
                      purpose: str = "full") -> Draw | None:
    """Draw and record an audit sample, a probe or a full one (the same call as `claimscope audit-sample`); None, with
    BUSY on screen, when a load keeps the database."""
    require("coder_accuracy")
    drawn = _written(lambda con: draw_sample(con, universe, size, seed, stratify_by_coder, allocation, purpose))
    if drawn is None:
        return None
    session.log("audit_sample_draw", [f"sample {drawn.sample_id}"],
                {"seed": seed, "size": len(drawn.claims), "universe_size": drawn.universe_size, "universe": universe.describe(),
                 "method": "stratified" if stratify_by_coder else "simple_random", "allocation": allocation, "purpose": purpose})
    cache.clear()
    return drawn


def draw_full_sample(probe_sample_id: int, size: int, seed: int) -> Draw | None:
    """Draw the full sample a probe calls for, from the probe's universe, recorded with its own seed and the probe's id;
    None, with BUSY on screen, when a load keeps the database."""
    require("coder_accuracy")
    drawn = _written(lambda con: draw_full_sample_from(con, probe_sample_id, size, seed))
    if drawn is None:
        return None
    session.log("audit_sample_draw", [f"sample {drawn.sample_id}"],
                {"seed": seed, "size": len(drawn.claims), "universe_size": drawn.universe_size, "purpose": "full",
                 "probe_sample_id": probe_sample_id})
    cache.clear()
    return drawn


def load_upload(name: str, content: bytes) -> FileResult:
    """Load an uploaded audit worksheet through the same loader, validation and quarantine as `claimscope load`; a
    file whose content is anything else (claims, remittances) is refused, whatever its name says, as is, in demo mode,
    anything but a worksheet on the demo's own claims."""
    from etl.lake import LakeError
    from etl.load import FileResult, load_files  # brings in Great Expectations (~5 s); only when a file arrives

    require("coder_accuracy")
    shown = upload_name(name)
    result = _refused(content, shown)
    if result is None:
        # A worksheet that loads is kept as loaded, one folder an upload, so source_files names a file that exists:
        # the findings' evidence, beside the database and as private as it (0700). Anything else is not kept.
        db = database.default_db_path()
        uploads = settings.uploads_folder(db)
        folder = uploads / datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
        folder.mkdir(mode=0o700, parents=True)
        uploads.chmod(0o700)
        path = folder / shown
        path.write_bytes(content)
        path.chmod(0o600)
        if settings.demo_mode():
            # a worksheet on the demo's own claims (_refused let it by) is demo data, even when every row is set
            # aside (a wrong sign): marked as `claimscope synth` marks its files, lest demo mode refuse every page
            write_synthetic_manifest(folder)
        cache.release()
        try:
            [result] = load_files([path], db)
        except LakeError as refusal:  # this database reads a lake: files go into the lake, by Spark
            shutil.rmtree(folder, ignore_errors=True)
            return FileResult(shown, WORKSHEET_KIND, "rejected", message=f"{shown}: nothing loaded. {refusal}")
        except BaseException as error:
            shutil.rmtree(folder, ignore_errors=True)
            if not database.is_lock_conflict(error):
                raise
            # nothing happened, and the audit log is behind the same lock
            return FileResult(shown, WORKSHEET_KIND, "failed", message=f"{shown}: nothing loaded. {BUSY}")
        if result.status not in ("loaded", "partial"):
            shutil.rmtree(folder, ignore_errors=True)
        cache.clear()
        # the folder is the server's: the user reads the name they uploaded
        result = replace(result, path=shown, message=result.message.replace(str(path), shown))
    session.log("upload", [shown], {"status": result.status, "loaded": result.records_loaded, "quarantined": result.records_quarantined})
    return result


def upload_name(name: str) -> str:
    """An uploaded file's own name: any folders a browser sent with it (either slash) and control characters dropped."""
    own = "".join(character for character in re.split(r"[\\/]", name)[-1] if character.isprintable()).strip()
    return own if own.strip(".") else "upload"


def _refused(content: bytes, name: str) -> FileResult | None:
    """The result of an upload refused before the loader sees it, nothing of it recorded; None to load it."""
    from etl.intake.detect import decode, detect_kind
    from etl.intake.records import LoadError
    from etl.intake.tabular.mapping import ColumnMapping
    from etl.load import FileResult

    try:
        text = decode(content, name)
        kind = detect_kind(text, name, ColumnMapping())
    except Exception as error:  # noqa: BLE001 - outside demo mode, any failure here is the loader's to report, per file
        if not settings.demo_mode():
            return None
        # recorded, a file the demo cannot read would not be demo data, and demo mode refuses a database holding one
        reason = str(error) if isinstance(error, LoadError) else f"{name}: cannot be read as a CSV or Excel worksheet"
        return FileResult(name, "unknown", "rejected", message=f"{reason}; nothing was loaded")
    if kind != WORKSHEET_KIND:
        return FileResult(name, kind, "rejected", message=f"{name}: its content is {kind}, not a coding-audit worksheet "
                                                          "(claim_id, auditor_id, finding, ...); only a worksheet loads here")
    # the same for a worksheet naming a claim the demo does not have: most likely a mistyped id
    if settings.demo_mode() and (unknown := _claims_outside_the_demo(text)):
        return FileResult(name, kind, "rejected", message=(
            f"{name}: the demo practice has no claim {', '.join(unknown[:5])}; check the ids against the drawn sample. "
            "Nothing was loaded: the demo keeps worksheets on its own claims only"))
    return None


def _claims_outside_the_demo(text: str) -> list[str]:
    """The claim ids a worksheet's rows name, set aside or not, that the database has no claim for. In demo mode every
    file on it is synthetic (sign-in refuses it otherwise), so any claim on file is the demo's."""
    from etl.intake.tabular.common import read_rows
    from etl.intake.tabular.mapping import ColumnMapping

    _, rows, _ = read_rows(text, ColumnMapping())  # the rows as the loader reads them
    named = [claim_id for claim_id in rows["claim_id"].str.strip_chars().unique().to_list() if claim_id]
    return cache.uncached(lambda con: items.claims_not_on_file(con, named))


def work(change, *args) -> str | None:
    """Make one work change (an etl.work function taking con, ..., by) as the signed-in user; the error's reason when
    it cannot be made, as markdown showing it literally (it may quote a claim id or a user name), or BUSY when a load
    holds the database past the wait. The change writes its own audit-log entry."""
    return work_returning(change, *args)[1]


def work_returning(change: Callable[..., T], *args) -> tuple[T | None, str | None]:
    """As work(), with what the change returns (an appeal's id) beside the reason it was refused: (value, None) when
    made, (None, reason) when not."""
    require("work_queue")
    user = session.current_user()
    try:
        with st.spinner("Saving…"), cache.writing() as con:
            return change(con, *args, items.Actor(user.name, user.role)), None
    except items.WorkError as refusal:
        return None, literal(refusal)
    except duckdb.Error as error:
        if not database.is_lock_conflict(error):
            raise
        return None, BUSY


def _written(write: Callable[[duckdb.DuckDBPyConnection], T]) -> T | None:
    """What a write on the database returns; None, with BUSY on screen, when a load keeps the database past the wait."""
    try:
        with cache.writing() as con:
            return write(con)
    except duckdb.Error as error:
        if not database.is_lock_conflict(error):
            raise
        st.warning(BUSY, icon=":material/hourglass_top:")
        return None

