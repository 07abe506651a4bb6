"""One claim, in full: what was billed, every remittance and adjustment, the balance over time, and where each row
came from. Shown on the Claim page and under any table whose row is selected."""

import polars as pl
import streamlit as st

from dashboard import filters, session
from dashboard.queries import claim
from dashboard.permissions import allows
from dashboard.widgets import literal, patients_shown, table_or_note


def show(claim_id: str) -> None:
    """Draw everything on file for a claim id, patient masked."""
    submissions = claim.claim_submissions(claim_id)
    if submissions.is_empty():
        st.warning(f"No claim {literal(claim_id)} on file.")
        return
    session.log_once("claim_drilldown", [claim_id])
    st.markdown(f"#### Claim {literal(claim_id)}")
    st.caption("Billed (837 or claims CSV), each submission with its source file and segment or line")
    table_or_note(patients_shown(submissions, f"claim {claim_id}"), "")
    lines, diagnoses = st.columns([3, 2])
    with lines:
        table_or_note(claim.claim_lines(claim_id), "No service lines on file.", empty_is_good=False)
    with diagnoses:
        table_or_note(claim.claim_diagnoses(claim_id), "No diagnoses on file.", empty_is_good=False)
    st.caption("Remittances (835 or remits CSV), oldest first")
    table_or_note(claim.claim_remittances(claim_id), "No remittance has answered this claim yet.", empty_is_good=False)
    as_of = filters.as_of_or_today()
    underpaid = claim.claim_underpaid_lines(claim_id, as_of)
    if not underpaid.is_empty():
        st.caption(f"Lines allowed below the contract or the payer's usual rate as of {as_of} (see Late payments): the shortfall is what an appeal asks for")
        table_or_note(underpaid, "")
    table_or_note(claim.claim_adjustments(claim_id), "No adjustments.")
    table_or_note(claim.claim_remarks(claim_id), "No remark codes.")
    st.caption("Insurance balance after each event")
    table_or_note(claim.claim_balance_history(claim_id), "")


def claims_table(frame: pl.DataFrame, key: str, when_empty: str) -> None:
    """A table of claims; selecting a row opens that claim's full history below it, for roles that may drill down."""
    if frame.is_empty():
        st.success(when_empty)
        return
    dates = {name: st.column_config.DateColumn(format="YYYY-MM-DD") for name, dtype in frame.schema.items() if dtype == pl.Date}
    if not allows("claim"):
        st.dataframe(frame, hide_index=True, column_config=dates)
        return
    picked = st.dataframe(frame, hide_index=True, column_config=dates, key=key, on_select="rerun", selection_mode="single-row")
    if picked.selection.rows:
        with st.container(border=True):
            show(frame["claim_id"][picked.selection.rows[0]])
    else:
        st.caption("Select a row to see the claim's lines, remittances, adjustments and balance over time.")
