"""What a page may change: draw an audit sample, load an uploaded file, work a claim. Each takes the write lock briefly
(waiting, as the loader does, while another writer holds it); the first two clear the query cache so every page sees
the change, while work changes are read fresh on every run and leave the cached figures alone."""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from dashboard import session
from dashboard.queries import cache
from dashboard.permissions import require
from etl import db as database
from etl.reports.audit_sampling import Draw, Universe, draw_sample
from etl.work import items


def draw_audit_sample(universe: Universe, size: int, seed: int, stratify_by_coder: bool, allocation: str) -> Draw:
    """Draw and record an audit sample (the same call as `claimscope audit-sample`)."""
    require("coder_accuracy")
    with database.write_connection(database.default_db_path()) as con:
        drawn = draw_sample(con, universe, size, seed, stratify_by_coder, allocation)
    session.log("audit_sample_draw", [f"sample {drawn.sample_id}"],
                {"seed": seed, "size": len(drawn.claims), "universe_size": drawn.universe_size, "universe": universe.describe(),
                 "method": "stratified" if stratify_by_coder else "simple_random", "allocation": allocation})
    cache.clear()
    return drawn


def load_upload(name: str, content: bytes):
    """Load an uploaded file through the same loader, validation and quarantine as `claimscope load`."""
    from etl.load import load_files  # brings in Great Expectations (~5 s); only when a file arrives

    require("coder_accuracy")
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / Path(name).name
        path.write_bytes(content)
        [result] = load_files([path], database.default_db_path())
    session.log("upload", [path.name], {"status": result.status, "loaded": result.records_loaded, "quarantined": result.records_quarantined})
    cache.clear()
    return result


def work(change, *args) -> str | None:
    """Make one work change (an etl.work function taking con, ..., by) as the signed-in user; the error's reason when
    it cannot be made. The change writes its own audit-log entry."""
    require("work_queue")
    user = session.current_user()
    try:
        with st.spinner("Saving…"), database.write_connection(database.default_db_path()) as con:
            change(con, *args, items.Actor(user.name, user.role))
    except items.WorkError as refusal:
        return str(refusal)
    return None

