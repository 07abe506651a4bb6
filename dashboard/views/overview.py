"""Overview: the practice's headline revenue-cycle figures, against last month and the usual benchmarks."""

from datetime import timedelta

import streamlit as st

from dashboard import queries
from dashboard.widgets import as_of_date

# (figure, label, format, benchmark and definition, whether lower is better)
TILES = [
    ("initial_denial_rate", "Initial denial rate", "{:.1%}",
     "Claims whose first adjudication was a denial ÷ claims adjudicated; reversals do not count. "
     "Benchmark: under 5% preferred, 5–10% average (AAFP).", True),
    ("first_pass_resolution_rate", "First-pass resolution", "{:.1%}",
     "Claims paid on their first remittance with nothing after it ÷ claims adjudicated.", False),
    ("net_collection_rate", "Net collection rate", "{:.1%}",
     "Payments ÷ (charges − contractual adjustments), on claims at least 90 days from service. Benchmark: about 95%.", False),
    ("days_in_ar", "Days in A/R", "{:.1f}",
     "Open insurance A/R ÷ average daily charges of the last 90 days. Benchmark: 30–40 days preferred.", True),
    ("ar_over_90_share", "A/R over 90 days", "{:.1%}", "Share of open A/R more than 90 days from the date of service.", True),
    ("ar_over_120_share", "A/R over 120 days", "{:.1%}",
     "Share of open A/R more than 120 days from the date of service. Benchmark: under 12%.", True),
]

st.title("Overview")
as_of = as_of_date()
st.caption(f"As of {as_of}, compared with 30 days earlier · insurance claims; self-pay left out")

now, before = queries.headline_figures(as_of), queries.headline_figures(as_of - timedelta(days=30))
if not now["adjudicated_claims"] and not now["open_ar"]:
    st.info("No claims as of this date. Load files with `claimscope load`.")
columns = st.columns(3)
for index, (name, label, shown, definition, lower_is_better) in enumerate(TILES):
    value, previous = now[name], before[name]
    change = None if value is None or previous is None else (value - previous)
    columns[index % 3].metric(
        label,
        "n/a" if value is None else shown.format(value),
        None if change is None else shown.format(change).replace("%", " pts") if "%" in shown else f"{change:+.1f}",
        delta_color="inverse" if lower_is_better else "normal",
        help=definition,
    )
st.caption(
    f"Open insurance A/R ${now['open_ar']:,.2f} · {now['adjudicated_claims']:,} claims adjudicated "
    f"({now['first_denied_claims']:,} first denied)"
)
