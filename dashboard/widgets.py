"""Small page helpers that draw something and return nothing surprising."""

import re

import polars as pl
import streamlit as st

from dashboard import downloads, session
from dashboard.queries import patients
from dashboard.permissions import allows
from etl import settings
from etl.reports import spreadsheets
from etl.reports.formats import interval_note, percent
from etl.work import exports


def literal(text: object) -> str:
    """Text from a file (a claim id, a name, a file's message) for a markdown string: one inline code span, the only
    markdown whose content is never a link, image, autolink, HTML, emphasis, math or icon (CommonMark 6.1)."""
    flat = " ".join(str(text).splitlines())  # lines are parsed as blocks (a heading, a list) before any code span
    fence = "`" * (max(map(len, re.findall("`+", flat)), default=0) + 1)  # longer than any run of backticks inside
    return f"{fence} {flat} {fence}"  # the spaces, stripped again by the parser, keep a backtick at either end inside


def selection_by_id(key: str, ids: list[str]) -> list[str]:
    """The ids selected in the multi-row table about to be drawn under this key, whose rows hold these ids in order.
    st.dataframe reports row positions; a position means a claim only on the table it was ticked on. So a change of
    ticks is read against the ids drawn last time, the selection is kept as ids, an id no longer shown is dropped (a
    claim that left the view after a change is no longer selected, and no other row takes its tick), and the table's
    ticks are set from the ids. Call it just before drawing the table with `key=key`."""
    state = st.session_state.get(key)
    rows = list(state["selection"]["rows"]) if state else []
    drawn, drawn_rows = st.session_state.get(f"{key}_ids", []), st.session_state.get(f"{key}_rows", [])
    selected = st.session_state.get(f"{key}_selected", [])
    if rows != drawn_rows:  # the biller ticked or unticked a box on the table as it was drawn last
        selected = [drawn[row] for row in rows if row < len(drawn)]
    position = {shown: row for row, shown in enumerate(ids)}
    ticked = sorted(position[chosen] for chosen in selected if chosen in position)
    if ticked != rows:
        st.session_state[key] = {"selection": {"rows": ticked, "columns": [], "cells": []}}
    st.session_state[f"{key}_ids"], st.session_state[f"{key}_rows"] = list(ids), ticked
    st.session_state[f"{key}_selected"] = [ids[row] for row in ticked]
    return st.session_state[f"{key}_selected"]


def masked_patients(frame: pl.DataFrame) -> pl.DataFrame:
    """Replace patient_key with a short masked tag: enough to tell rows apart, nothing that identifies anyone."""
    if "patient_key" not in frame.columns:
        return frame
    tag = pl.lit("patient ••") + pl.col("patient_key").str.slice(-4)
    return frame.with_columns(pl.when(pl.col("patient_key").is_not_null()).then(tag).alias("patient_key")).rename({"patient_key": "patient"})


def patients_shown(frame: pl.DataFrame, where: str) -> pl.DataFrame:
    """Patients masked; a role that works claims with the patient may reveal names and member ids, which is logged."""
    if "patient_key" not in frame.columns:
        return frame
    if not allows("phi"):
        st.caption("Patients are masked: names and member ids are not permitted for your role.")
        return masked_patients(frame)
    if not st.toggle("Show patient names and member ids", key=f"reveal_{where}"):
        return masked_patients(frame)
    identities = patients.patient_identities(tuple(frame["patient_key"].drop_nulls().unique().sort()))
    claims = frame["claim_id"].to_list() if "claim_id" in frame.columns else []
    session.log_once("phi_reveal", [where, *claims[:500]], {"rows": len(frame)})
    order = [name for column in frame.columns for name in (("patient_name", "member_id") if column == "patient_key" else (column,))]
    return frame.join(identities, on="patient_key", how="left").select(order)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MIME = {"csv": "text/csv", "xlsx": XLSX}


def export_buttons(frame: pl.DataFrame, name: str) -> None:
    """CSV and Excel downloads of exactly what the table shows, in its order: readable headings, codes in words as the
    table shows them, money as currency, a frozen header row and an autofilter in Excel, never a formula in either.
    Each file is built only when asked for (a million-row worklist took 20 s to write on every run), for this session
    only, and logged (built_on_request)."""
    headings = exports.headings(frame)
    left, right = st.columns(2)
    _download(left, "Export CSV", lambda: spreadsheets.csv_bytes(exports.readable(frame), headings), name, len(frame), "csv")
    _download(right, "Export Excel", lambda: spreadsheets.xlsx_bytes(exports.readable(frame), name, headings), name,
              len(frame), "xlsx")


def worksheet_buttons(sheet: pl.DataFrame, name: str) -> None:
    """The audit worksheet as CSV (its column names, so it loads back) and as an Excel workbook with instructions,
    drop-downs for the coded columns, money formats and the drawn columns locked (etl.reports.audit_worksheet);
    each built when asked for and logged."""
    from etl.reports import audit_worksheet

    left, right = st.columns(2)
    _download(left, "Export CSV", lambda: spreadsheets.csv_bytes(sheet), name, len(sheet), "csv")
    _download(right, "Export Excel", lambda: audit_worksheet.workbook_bytes(sheet), name, len(sheet), "xlsx")


def _download(column, label: str, build, name: str, rows: int, file_format: str) -> None:
    file_name, mime = f"{name}.{file_format}", MIME[file_format]
    column.download_button(label, built_on_request(build, name, rows, file_format, file_name, mime),
                           file_name=file_name, mime=mime, on_click="ignore")


def built_on_request(build, name: str, rows: int, file_format: str, file_name: str, mime: str):
    """A download's bytes as Streamlit's deferred data, built on the server when the user clicks, on a thread of its
    own. Streamlit then serves them at /media/<hash of the bytes>, to anyone who asks: so the file is granted to this
    session alone (dashboard/downloads.py), and dashboard/asgi.py serves it only with this session's cookie and
    writes an export entry for this session's user at each fetch. Without that guard (a bare `streamlit run`), the
    entry is written as the file is built."""
    from streamlit.runtime.memory_media_file_storage import _calculate_file_id  # how Streamlit names stored bytes

    logged = session.log_later("export", [name], {"rows": rows, "format": file_format, "file": file_name})
    owner = _download_owner()

    def data() -> bytes:
        built = build()
        downloads.DOWNLOADS.grant(_calculate_file_id(built, mime, file_name), owner, logged)
        if not downloads.DOWNLOADS.guarded:
            logged()
        return built
    return data


def prepared_download(column, label: str, data: bytes, file_name: str, mime: str, action: str, details: dict) -> None:
    """A download whose bytes were built on an earlier click (the board pack): granted to this session alone, served
    only to it and logged at each fetch, as built_on_request's files are; logged on the click where nothing guards."""
    from streamlit.runtime.memory_media_file_storage import _calculate_file_id  # how Streamlit names stored bytes

    logged = session.log_later(action, [file_name], details)
    downloads.DOWNLOADS.grant(_calculate_file_id(data, mime, file_name), _download_owner(), logged)
    column.download_button(label, data, file_name=file_name, mime=mime,
                           on_click="ignore" if downloads.DOWNLOADS.guarded else logged)


def _download_owner() -> downloads.Owner:
    """Who this page run's downloads belong to: its signed-in web session (or OIDC cookie), or anyone in demo mode."""
    if settings.demo_mode():
        return downloads.Owner("demo")
    if web_session := st.session_state.get("web_session"):
        return downloads.Owner("session", web_session)
    if oidc_cookie := st.context.cookies.get(downloads.STREAMLIT_AUTH_COOKIE):
        return downloads.Owner("streamlit_user", oidc_cookie)
    return downloads.Owner("nobody")


def rate_metric(column, label: str, measured: dict, help_text: str) -> None:
    """A rate (etl.reports.stats.rate) as a percentage, its 95% interval or 'too few claims' beneath."""
    shown = "no claims" if measured["rate"] is None else percent(measured["rate"])
    column.metric(label, shown, interval_note(measured), delta_color="off", delta_arrow="off", help=help_text)
