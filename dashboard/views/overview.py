"""Overview: the practice's headline revenue-cycle figures, against last month and the usual benchmarks."""

from datetime import timedelta

import streamlit as st

from dashboard import charts, claim_detail, filters
from dashboard.queries import overview
from etl.reports import stats
from dashboard.widgets import interval_note, table_or_note

# (figure, label, format, definition, lower is better); benchmarks come from etl/reference/kpi_benchmarks.csv.
TILES = [
    ("initial_denial_rate", "Initial denial rate", "{:.1%}",
     "Claims whose first adjudication was a denial ÷ claims adjudicated; reversals do not count (HFMA).", True),
    ("first_pass_resolution_rate", "First-pass resolution", "{:.1%}",
     "Claims paid on their first remittance with nothing after it ÷ claims adjudicated.", False),
    ("net_collection_rate", "Net collection rate", "{:.1%}",
     "Insurance payments ÷ (charges − contractual adjustments − patient responsibility), on claims at least 90 days "
     "from service. Patient payments are not on an 835, so the patient's share leaves the denominator.", False),
    ("days_in_ar", "Days in A/R", "{:.1f}", "Open insurance A/R ÷ average daily charges of the last 90 days.", True),
    ("ar_over_90_share", "A/R over 90 days", "{:.1%}", "Share of open A/R more than 90 days from the date of service.", True),
    ("ar_over_120_share", "A/R over 120 days", "{:.1%}", "Share of open A/R more than 120 days from the date of service.", True),
]
# Count-based rates get a Wilson interval: (figure, numerator, denominator).
COUNTED = {
    "initial_denial_rate": ("first_denied_claims", "adjudicated_claims"),
    "first_pass_resolution_rate": ("first_pass_resolved_claims", "adjudicated_claims"),
}

st.title("Overview")
chosen = filters.current()
as_of, scope = chosen.as_of, chosen.scope
st.caption(f"{filters.describe(chosen)} · compared with 30 days earlier · insurance claims; self-pay left out")

now, before = overview.headline_figures(as_of, scope), overview.headline_figures(as_of - timedelta(days=30), scope)
benchmarks = overview.kpi_benchmarks()
if not now["adjudicated_claims"] and not now["open_ar"]:
    st.info("No claims in scope as of this date. Widen the filters, or load files with `claimscope load`.")

columns = st.columns(3)
for index, (name, label, shown, definition, lower_is_better) in enumerate(TILES):
    value, previous = now[name], before[name]
    benchmark = benchmarks.get(name)
    help_text = definition + (f" Benchmark: {benchmark['label']} ({benchmark['source']})." if benchmark else "")
    change = None if value is None or previous is None else value - previous
    column = columns[index % 3]
    column.metric(
        label,
        "n/a" if value is None else shown.format(value),
        None if change is None else (f"{change * 100:+.1f} pts" if "%" in shown else f"{change:+.1f}"),
        delta_color="inverse" if lower_is_better else "normal",
        help=help_text,
    )
    if name in COUNTED:
        column.caption(interval_note(stats.rate(*(now[field] for field in COUNTED[name]))))

st.subheader("Money in the period ($)")
money = st.columns(5)
money[0].metric("Gross charges", f"{now['gross_charges']:,.2f}", help="Charges of the claims in scope (latest submission of each).")
money[1].metric("Payments", f"{now['payments']:,.2f}", help="Insurance payments on those claims, reversals netted, as of the date.")
money[2].metric("Contractual adjustments", f"{now['contractual_adjustments']:,.2f}", help="Contractual write-offs of the current adjudication.")
money[3].metric("Patient responsibility", f"{now['patient_responsibility']:,.2f}", help="Deductible, coinsurance and copay moved to the patient (group PR).")
money[4].metric("Open insurance A/R", f"{now['open_ar']:,.2f}", help="What payers still owe on the claims in scope.")

# Read only when opened: at a million claims the list is most of the page's first-view time.
behind = st.expander("The claims behind these figures", key="claims_behind_open", on_change="rerun")
if behind.open:
    with behind:
        st.caption("Each claim's charge, payments, adjustments and open balance; the columns add up to the figures above.")
        claim_detail.claims_table(overview.claims_behind_figures(as_of, scope), "claims_behind", "No claims in scope.")

trend = overview.kpi_trend(as_of, scope)
grain = trend["grain"][0] if not trend.is_empty() else "month"
st.subheader("Month by month" if grain == "month" else "Week by week")
st.caption(
    ("Shown week by week: the date range is under three months. " if grain == "week" else "")
    + "Rates count what happened in each period (denials and first-pass by month of first adjudication, net collection "
    "by month of service, still maturing, drawn hollow, within 90 days of the as-of date); A/R is as it stood at each period's end, "
    "the last point to the as-of date. The date range chooses the periods; payers and providers narrow the claims."
)
if trend.is_empty():
    st.info("No periods in the chosen range up to the as-of date.")
chart_columns = st.columns(3)
for index, (name, label, shown, _, _) in enumerate(TILES):
    benchmark = benchmarks.get(name)
    points = trend.drop_nulls(name) if not trend.is_empty() else trend
    with chart_columns[index % 3]:
        st.markdown(f"**{label}**")
        if points.is_empty():
            st.caption("Nothing to plot: no claims in these periods.")
            continue
        st.plotly_chart(
            charts.trend_with_benchmark(points, "period_end", name, benchmark and benchmark["benchmark"],
                                        benchmark["label"] if benchmark else "", "%" in shown, grain,
                                        "is_maturing" if name == "net_collection_rate" else None),
            key=f"trend_{name}",
        )

st.subheader("Median days from submission to first payment, by payer")
table_or_note(overview.days_to_payment_by_payer(as_of, scope), "No claim in scope has been paid yet.", empty_is_good=False)
