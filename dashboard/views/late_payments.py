"""Late payments: open insurance A/R by age and how it rolled over the last month, and the worklist a biller works every morning."""

import streamlit as st

from dashboard import charts, claim_detail, display, filters
from dashboard.queries import late_payments, sidebar
from dashboard.widgets import export_buttons, literal, patients_shown
from etl.reports.roll_rates import roll_months

st.title("Late payments")
chosen = filters.current()
as_of, scope = chosen.as_of, chosen.scope
st.caption(filters.describe(chosen))

st.subheader("Open insurance A/R by age")
basis = st.radio("Age claims by", ["Date of service", "Submission date"], horizontal=True, key="aging_basis")
aging_basis = "submission" if basis == "Submission date" else "service"
aging = late_payments.ar_aging_by_payer(as_of, aging_basis, scope)
if aging.is_empty():
    st.info("No open insurance balances in scope as of this date.")
else:
    st.plotly_chart(charts.stacked_bars(aging, "aging_bucket", "balance_amount", "payer_name", sidebar.aging_bucket_order(), "Open balance"))
    grid = late_payments.ar_aging_grid(as_of, aging_basis, scope)
    st.caption("Payer × bucket, with totals. Select a cell to list its claims (a total lists the whole row or column).")
    buckets = {name: "money" for name in grid.columns if name not in ("payer_name", "is_all_payers")}
    picked = display.table(grid, key="aging_grid", on_select="rerun", selection_mode="single-cell", kinds=buckets,
                           labels={name: f"{name} days" for name in sidebar.aging_bucket_order()},
                           column_order=[name for name in grid.columns if name != "is_all_payers"])
    # a selection left from another scope can point past the grid's rows
    if picked.selection.cells and picked.selection.cells[0][0] < len(grid):
        row, column = picked.selection.cells[0]
        every_payer, bucket = grid["is_all_payers"][row], None if column in ("payer_name", late_payments.TOTAL) else column
        payer_name = None if every_payer else grid["payer_name"][row]
        st.markdown(f"**Open claims of {'every payer' if every_payer else literal(payer_name)}, "
                    f"{'every bucket' if bucket is None else literal(bucket)}**")
        claim_detail.claims_table(late_payments.ar_aging_claims(as_of, aging_basis, scope, payer_name, every_payer, bucket),
                                  "aging_cell", "No open claims in this cell.")

st.subheader("Where last month's open A/R went")
earlier, later = roll_months(as_of)
# Lazy: two as-of lookups of every claim (about 0.25 s at 1M claims), for a question asked once a month.
# A fixed label: a label that changed with the as-of date would make a new expander, closed again.
roll = st.expander("Roll rates over the last month that has ended", key="roll_rates_open", on_change="rerun")
if roll.open:
    with roll:
        rolled = late_payments.roll_rate_matrix(as_of, scope)
        if rolled.is_empty():
            st.info(f"No open insurance balances in scope on {earlier}.")
        else:
            st.caption(
                f"Of the dollars open in each bucket on {earlier} (by date of service), the share that by {later} was paid, "
                "adjusted (contractual write-offs), moved to the patient, corrected or closed by a replacement or void, or "
                "is still open, by the bucket it is in now: the next bucket's share is the roll rate. Each row adds up to "
                "100%; a recoupment shows as a negative share paid, and a corrected claim billed for more as a negative "
                "share corrected."
            )
            shares = {name: "percent" for name in rolled.columns if name not in ("aging_bucket", "balance_amount")}
            display.table(rolled, kinds=shares, labels={
                "aging_bucket": f"Bucket on {earlier}", "balance_amount": f"Open on {earlier}",
                **{name: name.capitalize() for name in shares},
            })

st.subheader("Past the payer's expected pay date")
st.caption("Claims with no answer yet, outstanding longer than the payer's expected days to pay (etl/reference/payer_rules.csv).")
display.table(late_payments.past_expected_pay_date(as_of, scope), "Every unanswered claim is still inside its payer's expected time.")

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
    st.markdown(f"**{claim_count:,} claims, {display.money(shortfall, cents=True)} short.**")
    lines = st.expander("The lines paid below their rate", key="underpaid_open", on_change="rerun")
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
