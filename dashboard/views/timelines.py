"""Reimbursement timelines: how long each stage takes, how long payers take to pay (unpaid claims censored, not
dropped), and the cash the open claims should bring in."""

import polars as pl
import streamlit as st

from dashboard import charts, display, filters
from dashboard.queries import timelines


st.title("Reimbursement timelines")
chosen = filters.current()
as_of, scope = chosen.as_of, chosen.scope
st.caption(filters.describe(chosen))

st.subheader("Cash expected from open claims")
forecast = timelines.cash_forecast(as_of, scope)
columns = st.columns(3)
for column, row in zip(columns, forecast.iter_rows(named=True)):
    column.metric(f"Next {row['horizon_days']} days", display.money(row["expected"]),
                  f"90% band {display.money(row['low'])}–{display.money(row['high'])}",
                  delta_color="off", delta_arrow="off",
                  help="Σ balance × payer's paid-to-charge ratio × chance of payment in the window, from the payer's curve "
                       "given the days the claim has already waited. The band assumes claims pay independently.")

st.subheader("Time to first payment, by payer")
summary, curves = timelines.time_to_payment(as_of, scope)
if summary.is_empty():
    st.info("No claims sent by this date in scope.")
else:
    st.plotly_chart(charts.step_lines(curves, "days", "share_paid", "payer_name", "Share of claims paid", "Days since submission"))
    st.caption("Kaplan–Meier: claims still unpaid on the as-of date count as censored, not dropped. Beside it, the naive "
               "average over paid claims only, which understates the wait.")
    display.table(summary, "")

st.subheader("Stage lags")
lags = timelines.stage_lag_boxes(as_of, scope)
lag_columns = st.columns(3)
for column, (name, label) in zip(lag_columns, [("charge_lag_days", "Service → submission"),
                                               ("adjudication_days", "Submission → first remittance"),
                                               ("first_remit_to_final_payment_days", "First remittance → final payment")]):
    with column:
        st.markdown(f"**{label}**")
        stage = lags.filter(pl.col("stage") == name)
        if stage.is_empty():
            st.caption("No claim in scope has reached this stage.")
        elif stage["upper_fence"].max() == 0:  # a box of zeros draws as a flat line on an axis of -1 to 1
            count = stage['claim_count'].sum()
            st.caption(f"Every claim took 0 days at this stage ({count:,} claim{'' if count == 1 else 's'}).")
        else:
            st.plotly_chart(charts.boxes(stage, "payer_name", "Days"), key=f"lag_{name}")
trend = timelines.stage_lag_trend(as_of, scope)
if not trend.is_empty():
    st.markdown("**Median days per month of submission**")
    long = (trend.unpivot(index="submitted_month", variable_name="stage", value_name="median_days").drop_nulls("median_days")
            .with_columns(pl.col("stage").replace({name: display.label(name) for name in trend.columns})))
    st.plotly_chart(charts.lines(long, "submitted_month", "median_days", "stage", "Median days"), key="lag_trend")
