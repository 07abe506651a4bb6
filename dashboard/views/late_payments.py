"""Late payments: open insurance A/R by age, and the worklist a biller works every morning."""

import streamlit as st

from dashboard import charts, claim_detail, filters
from dashboard.queries import late_payments, sidebar
from dashboard.widgets import export_buttons, patients_shown, table_or_note

st.title("Late payments")
chosen = filters.current()
as_of, scope = chosen.as_of, chosen.scope
st.caption(f"{filters.describe(chosen)} · amounts in $")

st.subheader("Open insurance A/R by age ($)")
basis = st.radio("Age claims by", ["Date of service", "Submission date"], horizontal=True, key="aging_basis")
aging = late_payments.ar_aging_by_payer(as_of, "submission" if basis == "Submission date" else "service", scope)
if aging.is_empty():
    st.info("No open insurance balances in scope as of this date.")
else:
    st.plotly_chart(charts.stacked_bars(aging, "aging_bucket", "balance_amount", "payer_name", sidebar.aging_bucket_order(), "Open balance ($)"))
    st.dataframe(aging, hide_index=True)

st.subheader("Past the payer's expected pay date")
st.caption("Claims with no answer yet, outstanding longer than the payer's expected days to pay (etl/reference/payer_rules.csv).")
table_or_note(late_payments.past_expected_pay_date(as_of, scope), "Every unanswered claim is still inside its payer's expected time.")

st.subheader("Paid below the contract or the payer's usual rate")
st.caption(
    "Lines whose allowed amount is below the contract rate of a loaded fee schedule, or, without one, below the median "
    "the same payer allowed per unit for the same procedure and modifiers over the past year (at least 5 lines), by "
    "more than the payer's tolerance in `etl/reference/payer_rules.csv`; `rate_basis` says which. The shortfall is "
    "what an appeal would ask for; the CAS codes are the payer's stated reasons."
)
claim_count, shortfall = late_payments.underpaid_claims(as_of, scope)
if not claim_count:
    st.success("No paid line in scope is below its contract or its payer's usual rate.")
else:
    # Lazy: the lines are read only when opened, since the worklist below already counts their shortfall.
    lines = st.expander(f"{claim_count:,} claims, ${shortfall:,.2f} short: the lines", key="underpaid_open", on_change="rerun")
    if lines.open:
        with lines:
            claim_detail.claims_table(late_payments.underpaid_lines(as_of, scope), "underpaid", "No paid line in scope is below its rate.")

st.subheader("Worklist")
with st.expander("How claims are ranked"):
    st.markdown(
        "**priority score = balance × recovery likelihood × deadline boost.** The likelihood depends on the claim's "
        "category (no response, partial payment, or the CARC category of its denial) and its age "
        "(`etl/reference/recovery_likelihood.csv`). The boost is 2 within 30 days of the timely-filing or appeal "
        "deadline, 1.5 within 60 days, 1 otherwise, and 0 once the deadline has passed: those claims are flagged "
        "for write-off review. Deadlines come from `etl/reference/payer_rules.csv`. A partial payment is on the list "
        "when the payer paid less than the charge minus the contractual adjustment and patient responsibility, "
        "that is, less than the allowed amount it owes. An underpaid claim is paid in full by the remit's own "
        "arithmetic, but some of its lines were allowed below the payer's usual rate (the section above); its "
        "score uses that shortfall, and a partially paid claim with underpaid lines counts both."
    )
work = patients_shown(late_payments.worklist(as_of, scope), "worklist")
claim_detail.claims_table(work, "worklist", "Nothing to work: every insurance claim in scope is paid or settled.")
if not work.is_empty():
    export_buttons(work, "worklist")
