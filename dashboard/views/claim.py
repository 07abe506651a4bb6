"""Claim: look up one claim by its id and see everything on file about it."""

import streamlit as st

from dashboard import claim_detail
from dashboard.queries import claim
from dashboard.widgets import literal

st.title("Claim")
example = claim.example_claim_id()
# The address names the claim shown, so a reload or a shared link opens it: read once when the page opens, then
# written back as each id is looked up.
if "claim_lookup" not in st.session_state:
    st.session_state["claim_lookup"] = st.query_params.get("claim_id", "")
typed = st.text_input("Claim id", key="claim_lookup", placeholder=f"e.g. {example}" if example else "",
                      help="The practice's claim id (CLM01), in any case. Rows in any table on the other pages open here too.")
if not typed.strip():
    st.query_params.pop("claim_id", None)
    st.info("Enter a claim id, or select a row in a claims table on another page.")
elif (claim_id := claim.claim_id_on_file(typed)) is None:
    if st.query_params.get("claim_id") != typed.strip():
        st.query_params["claim_id"] = typed.strip()
    st.warning(f"No claim {literal(typed.strip())} on file.")
else:
    if st.query_params.get("claim_id") != claim_id:
        st.query_params["claim_id"] = claim_id
    claim_detail.show(claim_id, with_work=True)
