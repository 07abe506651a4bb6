"""Small page helpers that draw something and return nothing surprising."""

import re

import polars as pl
import streamlit as st

from dashboard import session
from dashboard.queries import patients
from dashboard.permissions import allows
from etl.reports import spreadsheets
from etl.reports.formats import interval_note
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


def export_buttons(frame: pl.DataFrame, name: str) -> None:
    """CSV and Excel downloads of exactly what the table shows, in its order: readable headings, money as currency, a
    frozen header row and an autofilter in Excel, never a formula in either. Each file is built only when asked for
    (a million-row worklist took 20 s to write on every run) and written to the audit log as it is built."""
    headings = exports.headings(frame)
    left, right = st.columns(2)
    left.download_button("Export CSV", built_on_request(lambda: spreadsheets.csv_bytes(frame, headings), name, len(frame), "csv"),
                         file_name=f"{name}.csv", mime="text/csv", on_click="ignore")
    right.download_button("Export Excel", built_on_request(lambda: spreadsheets.xlsx_bytes(frame, name, headings), name, len(frame), "xlsx"),
                          file_name=f"{name}.xlsx", mime=XLSX, on_click="ignore")


def worksheet_buttons(sheet: pl.DataFrame, name: str) -> None:
    """The audit worksheet as CSV (its column names, so it loads back) and as an Excel workbook with instructions,
    drop-downs for the coded columns, money formats and the drawn columns locked (etl.reports.audit_worksheet);
    each built when asked for and logged."""
    from etl.reports import audit_worksheet

    left, right = st.columns(2)
    left.download_button("Export CSV", built_on_request(lambda: spreadsheets.csv_bytes(sheet), name, len(sheet), "csv"),
                         file_name=f"{name}.csv", mime="text/csv", on_click="ignore")
    right.download_button("Export Excel", built_on_request(lambda: audit_worksheet.workbook_bytes(sheet), name, len(sheet), "xlsx"),
                          file_name=f"{name}.xlsx", mime=XLSX, on_click="ignore")


def built_on_request(build, name: str, rows: int, file_format: str):
    """A download's bytes as Streamlit's deferred data: built on the server when the user clicks, on a thread of its
    own, and logged then as an export of this session's user, however the file is fetched."""
    logged = session.log_later("export", [name], {"rows": rows, "format": file_format})

    def data() -> bytes:
        logged()
        return build()
    return data


def rate_metric(column, label: str, measured: dict, help_text: str) -> None:
    """A rate (etl.reports.stats.rate) as a percentage, its 95% interval or 'too few claims' beneath."""
    shown = "no claims" if measured["rate"] is None else f"{measured['rate']:.1%}"
    column.metric(label, shown, interval_note(measured), delta_color="off", delta_arrow="off", help=help_text)
