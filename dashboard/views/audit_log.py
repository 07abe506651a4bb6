"""Audit log (admins): who signed in, looked at what, revealed or exported which claims; and whether the log's hash
chain still holds."""

from datetime import date, timedelta

import streamlit as st

from dashboard import display

from dashboard.queries import audit_trail


st.title("Audit log")
broken = audit_trail.audit_chain_break()
if broken is not None:
    st.error(f"The audit log breaks at entry {broken.entry_id}: {broken.reason}.")
elif audit_trail.audit_key_is_outside():
    st.success("The hash chain holds and reaches its signed checkpoint, kept outside the database's folder: no entry "
               "has been altered, removed or inserted.")
else:
    st.warning("No break found, but tamper evidence is weak: the log's key sits beside the database, so whoever can "
               "edit the database can also rewrite the log. Set CLAIMSCOPE_AUDIT_KEY_FILE to a protected path in "
               "another folder (README: the audit trail).")

since_column, user_column = st.columns(2)
since = since_column.date_input("Since", value=date.today() - timedelta(days=30))
user_name = user_column.text_input("User", placeholder="every user").strip() or None
display.table(audit_trail.audit_entries(since, user_name), "No entries in this range.", empty_is_good=False)

st.subheader("Accounts")
st.caption("Managed with `claimscope users add NAME --role ROLE` and `claimscope users disable NAME`.")
display.table(audit_trail.accounts(), "No local accounts yet.", empty_is_good=False)
