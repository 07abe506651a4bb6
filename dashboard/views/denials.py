"""Denials: how often claims are first denied, why, by whom, and whether it is getting worse."""

import streamlit as st

from dashboard import charts, claim_detail, display, filters
from dashboard.queries import denials
from dashboard.widgets import rate_metric
from etl.reports.denial_jumps import BASELINE_WEEKS, FALSE_DISCOVERY_RATE
from etl.reports.stats import MIN_CLAIMS_FOR_A_RATE

# The latest jumps said in words; the table below holds them all.
SENTENCES_SHOWN = 5

st.title("Denials")
chosen = filters.current()
as_of, scope = chosen.as_of, chosen.scope
st.caption(f"{filters.describe(chosen)} · first adjudications known by the as-of date")

rates = denials.initial_denial_rate(as_of, scope)
if not rates["adjudicated"]:
    st.info(f"No claim in scope had its first adjudication by {as_of}, so there is no denial to show. Widen the dates, "
            "payers or providers in the sidebar.")
    st.stop()
count_column, dollar_column, amount_column, preventable_column = st.columns(4)
rate_metric(
    count_column, "Initial denial rate", rates,
    "Claims whose first adjudication was a denial ÷ claims adjudicated; reversals do not count (HFMA). "
    "Under 5% is preferred, 5–10% is average (AAFP).",
)
dollar_column.metric(
    "Initial denial rate by dollars", "no claims" if rates["dollar_rate"] is None else display.percent(rates["dollar_rate"]),
    help="Charges on first-denied claims ÷ charges on claims adjudicated.",
)
amount_column.metric("Denied charges", display.money(rates["denied_charges"]), f"{rates['denied']:,} of {rates['adjudicated']:,} claims",
                     delta_color="off", delta_arrow="off")
preventable_column.metric(
    "Preventable share", "n/a" if rates["preventable_share"] is None else display.percent(rates["preventable_share"]),
    f"{display.money(rates['preventable_charges'])} of {display.money(rates['denied_charges'])} denied", delta_color="off", delta_arrow="off",
    help="Denied charges whose main CARC points to the practice's own claim preparation: registration and eligibility, "
         "authorization, missing information, coding, medical necessity, duplicates, timely filing, enrollment, "
         "coordination of benefits. Not preventable: non-covered services and benefit limits, patient responsibility, "
         "other payers' liability (etl/reference/SOURCES.md).",
)
# A share of a handful of denials, or one that says every denial was preventable, needs its basis said beside it.
if rates["denied"] < MIN_CLAIMS_FOR_A_RATE:
    preventable_column.caption(f"Only {rates['denied']:,} denials: too few to read the share as the practice's pattern.")
elif rates["preventable_share"] in (0, 1):
    preventable_column.caption("Judged by each denial's main CARC alone: a denial the list calls preventable may still "
                               "have needed the payer to change its mind.")

if not rates["denied"]:
    st.success(f"None of the {rates['adjudicated']:,} claims in scope adjudicated by {as_of} was denied on its first "
               "adjudication.")
    st.stop()

st.subheader("Denial reasons (CARC), largest first")
by_carc = denials.denials_by_carc(as_of, scope)
st.plotly_chart(charts.pareto(by_carc, "carc_code", "description", "denied_amount", "cumulative_share", "Denied charges"))
display.table(by_carc, "")

st.subheader("Denied charges by payer and category")
by_payer = denials.denials_by_payer_and_category(as_of, scope)
st.plotly_chart(charts.heatmap(by_payer, "carc_category", "payer_name", "denied_amount", "Denied charges"))

st.subheader("Denials per month by category")
trend = denials.denial_trend(as_of, scope)
st.plotly_chart(charts.lines(trend, "adjudicated_month", "claim_count", "carc_category", "First-denied claims"))

st.subheader("Weeks a payer's denial rate jumped")
st.caption(
    f"Each week's first denials of one CARC category at one payer, against the same payer's {BASELINE_WEEKS} weeks "
    "before: a one-sided exact binomial test, with Benjamini–Hochberg control of false discoveries at "
    f"{FALSE_DISCOVERY_RATE:.0%} over every payer, category and week tested."
)
jumps = denials.denial_jumps(as_of, scope)
if jumps.is_empty():
    st.info(f"No payer's denial rate for any category rose beyond what its {BASELINE_WEEKS} weeks before explain.")
else:
    for finding in jumps["finding"].head(SENTENCES_SHOWN):
        st.text(finding)  # plain text, never markdown: payer names come from files
    if len(jumps) > SENTENCES_SHOWN:
        st.caption(f"…and {len(jumps) - SENTENCES_SHOWN} more weeks in the table.")
    display.table(
        jumps.select("payer_name", "carc_category", "carc_code", "adjudicated_week", "denied_count", "adjudicated_count",
                     "denial_rate", "baseline_rate", "q_value"),
        labels={"carc_code": "Commonest CARC", "baseline_rate": f"Rate, {BASELINE_WEEKS} weeks before"},
        column_config={"q_value": st.column_config.NumberColumn(
            "q (BH)", format="%.4f", help=f"Benjamini–Hochberg adjusted p-value: flagged under {FALSE_DISCOVERY_RATE:.0%}.")},
    )

procedures, providers = st.columns(2)
with procedures:
    st.subheader("Top denied procedure codes")
    display.table(denials.denials_by_procedure(as_of, scope), "No denied procedures.")
with providers:
    st.subheader("Denials by rendering provider")
    display.table(denials.denials_by_provider(as_of, scope), "No claims adjudicated.")

st.subheader("Remark codes (RARC) sent with denials")
display.table(denials.denial_remarks(as_of, scope), "No remark codes came with the denials in scope.")

st.subheader("The denied claims")
claim_detail.claims_table(denials.denied_claims(as_of, scope), "denied_claims", "No denied claims in scope.")
