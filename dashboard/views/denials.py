"""Denials: how often claims are first denied, why, by whom, and whether it is getting worse."""

import streamlit as st

from dashboard import charts, queries
from dashboard.widgets import period, rate_metric, table_or_note

st.title("Denials")
start, end = period()
st.caption(f"Claims first adjudicated {start} to {end} · amounts in $")

rates = queries.initial_denial_rate(start, end)
count_column, dollar_column, amount_column = st.columns(3)
rate_metric(
    count_column, "Initial denial rate", rates["rate"], rates["interval"], rates["too_few"],
    "Claims whose first adjudication was a denial ÷ claims adjudicated; reversals do not count (HFMA). "
    "Under 5% is preferred, 5–10% is average (AAFP).",
)
dollar_column.metric(
    "Initial denial rate by dollars", "no claims" if rates["dollar_rate"] is None else f"{rates['dollar_rate']:.1%}",
    help="Charges on first-denied claims ÷ charges on claims adjudicated.",
)
amount_column.metric("Denied charges ($)", f"{rates['denied_charges']:,.2f}", f"{rates['denied']:,} of {rates['adjudicated']:,} claims",
                     delta_color="off", delta_arrow="off")

st.subheader("Denial reasons (CARC), largest first ($)")
by_carc = queries.denials_by_carc(start, end)
if by_carc.is_empty():
    st.success("No claim was denied on its first adjudication in this period.")
else:
    st.plotly_chart(charts.pareto(by_carc, "carc_code", "denied_amount", "cumulative_share", "Denied charges ($)"))
    table_or_note(by_carc, "")

st.subheader("Denied charges by payer and category ($)")
by_payer = queries.denials_by_payer_and_category(start, end)
if not by_payer.is_empty():
    st.plotly_chart(charts.heatmap(by_payer, "carc_category", "payer_name", "denied_amount", "Denied charges ($)"))

st.subheader("Denials per month by category")
trend = queries.denial_trend(start, end)
if not trend.is_empty():
    st.plotly_chart(charts.lines(trend, "adjudicated_month", "claim_count", "carc_category", "First-denied claims"))
