"""Late payments: open insurance A/R by age, and the worklist a biller works every morning."""

import streamlit as st

from dashboard import charts, queries
from dashboard.widgets import as_of_date, export_buttons, masked_patients, table_or_note

st.title("Late payments")
as_of = as_of_date()
basis = st.sidebar.radio("Age claims by", ["Date of service", "Submission date"], horizontal=False)
st.caption(f"As of {as_of} · amounts in $ · patients masked")

st.subheader("Open insurance A/R by age ($)")
aging = queries.ar_aging_by_payer(as_of, "submission" if basis == "Submission date" else "service")
if aging.is_empty():
    st.info("No open insurance balances as of this date.")
else:
    st.plotly_chart(charts.stacked_bars(aging, "aging_bucket", "balance_amount", "payer_name", queries.AGING_BUCKETS, "Open balance ($)"))
    st.dataframe(aging, hide_index=True)

st.subheader("Worklist")
with st.expander("How claims are ranked"):
    st.markdown(
        "**priority score = balance × recovery likelihood × deadline boost.** The likelihood depends on the claim's "
        "category (no response, partial payment, or the CARC category of its denial) and its age "
        "(`etl/reference/recovery_likelihood.csv`). The boost is 2 within 30 days of the timely-filing or appeal "
        "deadline, 1.5 within 60 days, 1 otherwise, and 0 once the deadline has passed: those claims are flagged "
        "for write-off review. Deadlines come from `etl/reference/payer_rules.csv`."
    )
work = masked_patients(queries.worklist(as_of))
table_or_note(work, "Nothing to work: every insurance claim is paid or settled.")
if not work.is_empty():
    export_buttons(work, "worklist")
