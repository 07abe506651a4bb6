"""What a page may change: draw an audit sample, load an uploaded file, work a claim. Each takes the write lock briefly
(waiting, as the loader does, while another writer holds it); the first two clear the query cache so every page sees
the change, while work changes are read fresh on every run and leave the cached figures alone."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import streamlit as st

from dashboard import session
from dashboard.queries import cache
from dashboard.permissions import require
from dashboard.widgets import literal
from etl import db as database
from etl.reports.audit_sampling import Draw, Universe, draw_sample
from etl.reports.audit_sampling import draw_full_sample as draw_full_sample_from
from etl.work import items

WORKSHEET_KIND = "audits_csv"  # a coding-audit worksheet, CSV or Excel (etl.intake.detect)


def draw_audit_sample(universe: Universe, size: int, seed: int, stratify_by_coder: bool, allocation: str,
                      purpose: str = "full") -> Draw:
    """Draw and record an audit sample, a probe or a full one (the same call as `claimscope audit-sample`)."""
    require("coder_accuracy")
    with cache.writing() as con:
        drawn = draw_sample(con, universe, size, seed, stratify_by_coder, allocation, purpose)
    session.log("audit_sample_draw", [f"sample {drawn.sample_id}"],
                {"seed": seed, "size": len(drawn.claims), "universe_size": drawn.universe_size, "universe": universe.describe(),
                 "method": "stratified" if stratify_by_coder else "simple_random", "allocation": allocation, "purpose": purpose})
    cache.clear()
    return drawn


def draw_full_sample(probe_sample_id: int, size: int, seed: int) -> Draw:
    """Draw the full sample a probe calls for, from the probe's universe, recorded with its own seed and the probe's id."""
    require("coder_accuracy")
    with cache.writing() as con:
        drawn = draw_full_sample_from(con, probe_sample_id, size, seed)
    session.log("audit_sample_draw", [f"sample {drawn.sample_id}"],
                {"seed": seed, "size": len(drawn.claims), "universe_size": drawn.universe_size, "purpose": "full",
                 "probe_sample_id": probe_sample_id})
    cache.clear()
    return drawn


def load_upload(name: str, content: bytes):
    """Load an uploaded audit worksheet through the same loader, validation and quarantine as `claimscope load`; a
    file whose content is anything else (claims, remittances) is refused, whatever its name says."""
    from etl.load import FileResult, load_files  # brings in Great Expectations (~5 s); only when a file arrives

    require("coder_accuracy")
    shown = upload_name(name)
    kind = _content_kind(content, shown)
    if kind not in (None, WORKSHEET_KIND):
        result = FileResult(shown, kind, "rejected", message=f"{shown}: its content is {kind}, not a coding-audit worksheet "
                                                             "(claim_id, auditor_id, finding, ...); only a worksheet loads here")
    else:
        with tempfile.TemporaryDirectory() as scratch:
            path = Path(scratch) / shown
            path.write_bytes(content)
            cache.release()
            [result] = load_files([path], database.default_db_path())
        cache.clear()
    session.log("upload", [shown], {"status": result.status, "loaded": result.records_loaded, "quarantined": result.records_quarantined})
    return result


def upload_name(name: str) -> str:
    """An uploaded file's own name: any folders a browser sent with it (either slash) and control characters dropped."""
    own = "".join(character for character in re.split(r"[\\/]", name)[-1] if character.isprintable()).strip()
    return own if own.strip(".") else "upload"


def _content_kind(content: bytes, name: str) -> str | None:
    """What the upload is by its bytes (etl.intake.detect), or None when that cannot be read: the loader then rejects
    it with its own reason and a quarantine row."""
    from etl.intake.detect import decode, detect_kind
    from etl.intake.tabular.mapping import ColumnMapping

    try:
        return detect_kind(decode(content, name), name, ColumnMapping())
    except Exception:  # noqa: BLE001 - any failure here is the loader's to report, contained per file
        return None


def work(change, *args) -> str | None:
    """Make one work change (an etl.work function taking con, ..., by) as the signed-in user; the error's reason when
    it cannot be made, as markdown showing it literally (it may quote a claim id or a user name). The change writes its
    own audit-log entry."""
    require("work_queue")
    user = session.current_user()
    try:
        with st.spinner("Saving…"), cache.writing() as con:
            change(con, *args, items.Actor(user.name, user.role))
    except items.WorkError as refusal:
        return literal(refusal)
    return None

