"""Claim: look up one claim by its id and see everything on file about it."""

import streamlit as st

from dashboard import claim_detail
from dashboard.queries import claim

st.title("Claim")
example = claim.example_claim_id()
claim_id = st.text_input("Claim id", value=st.query_params.get("claim_id", ""), placeholder=f"e.g. {example}" if example else "",
                         help="The practice's claim id (CLM01). Rows in any table on the other pages open here too.")
if claim_id.strip():
    claim_detail.show(claim_id.strip())
else:
    st.info("Enter a claim id, or select a row in a claims table on another page.")
