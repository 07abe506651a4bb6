"""Payer scorecard: every payer side by side, and a funnel plot that tells a payer's denial problem from noise."""

import streamlit as st

from dashboard import charts, display, filters
from dashboard.queries import payer_scorecard

# The money beside the payer's name, in view without scrolling sideways; then the denial rate with its interval and the
# funnel's verdict in words; the counts behind the rate and the payer id last.
MONEY = ["gross_charges", "payments", "open_ar", "ar_over_90", "underpaid_amount"]
SHOWN = ["payer_name", *MONEY, "claim_count", "initial_denial_rate", "denial_rate_interval", "denial_rate_limits",
         "net_collection_rate", "median_days_to_payment", "ar_over_90_share", "adjudicated_claims", "first_denied_claims",
         "payer_id"]

st.title("Payer scorecard")
chosen = filters.current()
as_of, scope = chosen.as_of, chosen.scope
st.caption(f"{filters.describe(chosen)} · insurance claims; self-pay left out")

card = payer_scorecard.payer_scorecard(as_of, scope)
rate, limits = payer_scorecard.denial_funnel(as_of, scope)
if card.is_empty():
    st.info("No claims match these filters.")
else:
    tiles = st.columns(3)
    tiles[0].metric("Payers", f"{len(card):,}")
    tiles[1].metric("Practice initial denial rate", "no claims" if rate is None else display.percent(rate),
                    help="All payers' first denials ÷ their claims adjudicated: the centre of the funnel below.")
    tiles[2].metric("Payers outside the 99.8% limits", f"{card['is_denial_rate_outlier'].sum():,}")

    st.subheader("Payers side by side")
    st.caption("Each figure is the one the other pages give for the payer: `claimscope kpis --payer` for the counts, money and "
               "rates; the Timelines page's Kaplan–Meier median (unpaid claims count as censored, so it is longer than the "
               "Overview's median over paid claims only); the Late payments page's underpaid lines. Under 30 claims an "
               "interval is wide: read the funnel before the rate.")
    table = payer_scorecard.payer_scorecard_table(as_of, scope)
    settings = display.column_config(table)
    settings |= {name: {**settings[name], "width": "small"} for name in MONEY if name != "ar_over_90"}  # its heading whole
    settings |= {
        "payer_name": {**settings["payer_name"], "pinned": True},
        "denial_rate_interval": st.column_config.TextColumn(
            "95% CI", help="The initial denial rate's 95% Wilson score interval."),
        "denial_rate_limits": st.column_config.TextColumn(
            "Against the 99.8% limits", width="medium",
            help="Whether the denial rate lies outside the funnel's 99.8% control limits below (more than chance), "
                 "and on which side of the practice's rate."),
    }
    display.table(table, column_order=SHOWN, column_config=settings)

    st.subheader("Initial denial rate against claim volume")
    if rate is None:
        st.info("No claim in scope was adjudicated by this date.")
    else:
        st.caption(
            f"Each dot is a payer. The lines are the limits within which 95% and 99.8% of payers denying at the practice's "
            f"rate ({display.percent(rate)}) would fall by chance alone, for their number of claims: exact binomial limits (scipy's "
            "binom.ppf; Spiegelhalter, Statistics in Medicine 2005). The funnel narrows as volume grows, so a small payer's "
            "high rate is not flagged for noise, and a payer outside the 99.8% limits is flagged in the table."
        )
        st.plotly_chart(charts.funnel(card, limits, rate, "adjudicated_claims", "initial_denial_rate", "payer_name",
                                      "is_denial_rate_outlier", "Initial denial rate"))
