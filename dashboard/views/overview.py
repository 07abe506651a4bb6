"""Overview: the practice's headline revenue-cycle figures, against the previous comparable period and the usual
benchmarks."""

from datetime import date

import streamlit as st

from dashboard import charts, claim_detail, display, filters, widgets
from dashboard.queries import overview
from etl.reports.aging import AR_OVER_DAYS
from etl.reports.formats import interval_note
from etl.reports.judgement import HEADLINES, Comparison, headline, previous_period
from etl.reports.kpis import SETTLED_AFTER_DAYS
from etl.reports.scope import Scope

# What each headline figure means (its tooltip); the figures and how they are judged are etl/reports/judgement.py's.
DEFINITIONS = {
    "initial_denial_rate": "Claims whose first adjudication was a denial ÷ claims adjudicated; reversals do not count (HFMA).",
    "first_pass_resolution_rate": "Claims paid on their first remittance with nothing after it ÷ claims adjudicated.",
    "net_collection_rate": "Insurance payments ÷ (charges − contractual adjustments − patient responsibility), on claims at "
                           "least 90 days from service. Patient payments are not on an 835, so the patient's share leaves "
                           "the denominator.",
    "days_in_ar": "Open insurance A/R ÷ average daily charges (HFMA), the charges averaged over the 90 days to the as-of "
                  "date, or over the days of the date range inside them.",
    "ar_over_90_share": "Share of open A/R more than 90 days from the date of service.",
    "ar_over_120_share": "Share of open A/R more than 120 days from the date of service.",
}


def tile(name: str, label: str, kind: str, counted: tuple[str, str] | None, now: dict, before: dict,
         benchmark: dict | None, compared: Comparison, as_of: date, scope: Scope) -> None:
    """One judged figure: its value, its change coloured only when more than chance, its benchmark status, and its
    interval or what it is taken over; every tile has the same three lines, so the grid stays aligned."""
    shown = headline(name, kind, counted, now, before, benchmark)
    judged, measured = shown.judged, shown.measured
    lower_is_better = benchmark is not None and benchmark["direction"] == "lower"
    st.metric(
        label, shown.value, shown.change,
        delta_color=("inverse" if lower_is_better else "normal") if judged.is_real_change else "off",
        delta_arrow="auto" if judged.is_real_change else "off",
        help=DEFINITIONS[name] + (f" Benchmark: {benchmark['label']} ({benchmark['source']})." if benchmark else "")
        + f" The change is against {compared.described}."
        + (" It is coloured only when that figure lies outside today's 95% interval." if counted
           else " The whole book, not a sample: any change is coloured."),
    )
    if shown.change is None:  # said in words where the change would be, whole (a metric's delta line is cut short)
        st.caption(f":gray[:material/remove: {no_change(name, now, compared)}]")
    beyond_range = unreachable_cut_off(name, as_of, scope)
    if beyond_range:
        st.caption(f":gray[:material/info: {beyond_range}]")
    elif judged.meets_benchmark is None:
        st.caption(":gray[:material/remove: No figure to judge]" if benchmark else "No benchmark")
    elif judged.meets_benchmark:
        st.caption(f":green[:material/check_circle: Meets the benchmark: {benchmark['label']}]")
    else:
        st.caption(f":red[:material/error: Misses the benchmark: {benchmark['label']}]")
    if measured:
        st.caption(interval_note(measured))
    elif name == "days_in_ar":
        st.caption(f"on {display.money(now['open_ar'])} open A/R; charges over {now['charge_window_days']} days")
    elif name == "net_collection_rate":
        st.caption(f"on {display.money(now['settled_collectible'])} collectible, settled claims")
    else:
        st.caption(f"of {display.money(now['open_ar'])} open A/R")
    st.button(f"Show the claims behind {label}", key=f"drill_{name}", icon=":material/list_alt:", type="tertiary",
              on_click=drill_into, args=(name,))


def no_change(name: str, now: dict, compared: Comparison) -> str:
    """Why a tile has no change to show, in words: the line says so rather than vanishing."""
    missing = "this period" if now[name] is None else compared.name
    return f"No change to show: no figure for {missing}"


def drill_into(name: str) -> None:
    """Open the claims behind one tile (the list below the money figures)."""
    st.session_state["claims_behind"] = name
    st.session_state["claims_behind_open"] = True


def tile_claims_said(name: str, label: str, behind: dict, now: dict) -> str:
    """What the drilled claims add up to, in the tile's own terms."""
    claims = f"{behind['count']:,} claim{'s' if behind['count'] != 1 else ''}"
    amount = display.money(behind["amount"], cents=True)
    if name == "initial_denial_rate":
        return f"{claims} first denied, {amount} of charges, of {now['adjudicated_claims']:,} adjudicated: {label} {display.percent(now[name])}"
    if name == "first_pass_resolution_rate":
        return f"{claims} paid on their first remittance, of {now['adjudicated_claims']:,} adjudicated: {label} {display.percent(now[name])}"
    if name == "net_collection_rate":
        return (f"{claims} served at least {SETTLED_AFTER_DAYS} days before the as-of date: {amount} paid of "
                f"{display.money(now['settled_collectible'], cents=True)} collectible, {label} {display.percent(now[name])}")
    if name == "days_in_ar":
        return (f"{claims} with {amount} open; charges of {display.money(now['recent_charges'], cents=True)} over "
                f"{now['charge_window_days']} days: {label} {display.days(now[name])}")
    return f"{claims} with {amount} open, of {display.money(now['open_ar'], cents=True)} open A/R: {label} {display.percent(now[name])}"


def unreachable_cut_off(name: str, as_of: date, scope: Scope) -> str | None:
    """Why an A/R-over tile says nothing about the practice: a range of service dates too short for any of its claims
    to be that old is under the cut-off by construction, so it is not judged against the benchmark."""
    cut_off = AR_OVER_DAYS.get(name.removesuffix("_share"))
    if cut_off is None or scope.basis != "service" or scope.start is None or (as_of - scope.start).days > cut_off:
        return None
    return f"Not judged: no claim served since {scope.start} is over {cut_off} days old yet. Widen the dates to judge it."


st.title("Overview")
chosen = filters.current()
as_of, scope = chosen.as_of, chosen.scope
compared = previous_period(as_of, scope, chosen.preset)
st.caption(f"{filters.describe(chosen)} · changes against {compared.described} · insurance claims; self-pay left out")

now, before = overview.headline_figures(as_of, scope), overview.headline_figures(compared.as_of, compared.scope)
benchmarks = overview.kpi_benchmarks()
if not now["adjudicated_claims"] and not now["open_ar"]:
    st.info("No claims in scope as of this date. Widen the filters, or load files with `claimscope load`.")

# A row of columns per three tiles, each tile stretched to its row's height: the grid stays aligned however a label wraps.
for row in (HEADLINES[:3], HEADLINES[3:]):
    for column, (name, label, kind, counted) in zip(st.columns(3), row):
        with column.container(border=True, height="stretch"):
            tile(name, label, kind, counted, now, before, benchmarks.get(name), compared, as_of, scope)

st.subheader("Money in the period")
money = st.columns(5)
money[0].metric("Gross charges", display.money(now["gross_charges"]), help="Charges of the claims in scope (latest submission of each).")
money[1].metric("Payments", display.money(now["payments"]), help="Insurance payments on those claims, reversals netted, as of the date.")
money[2].metric("Contractual adjustments", display.money(now["contractual_adjustments"]), help="Contractual write-offs of the current adjudication.")
money[3].metric("Patient responsibility", display.money(now["patient_responsibility"]), help="Deductible, coinsurance and copay moved to the patient (group PR).")
money[4].metric("Open insurance A/R", display.money(now["open_ar"]), help="What payers still owe on the claims in scope.")

# Read only when opened: at a million claims the list is most of the page's first-view time. A tile's button opens it
# at that tile's claims.
EVERY_CLAIM = "money"
TILE_LABELS = {EVERY_CLAIM: "The money in the period (every claim in scope)",
               **{name: label for name, label, _, _ in HEADLINES}}
behind = st.expander("The claims behind these figures", key="claims_behind_open", on_change="rerun",
                     icon=":material/list_alt:")
if behind.open:
    with behind:
        chosen_figure = st.selectbox("Show the claims behind", list(TILE_LABELS), format_func=TILE_LABELS.get,
                                     key="claims_behind")
        if chosen_figure == EVERY_CLAIM:
            st.caption("Each claim's charge, payments, adjustments and open balance; the columns add up to the figures above.")
            claim_detail.claims_table(overview.claims_behind_figures(as_of, scope), "claims_behind_money", "No claims in scope.")
        else:
            drilled = overview.claims_behind_tile(as_of, scope, chosen_figure)
            st.markdown(f"**{tile_claims_said(chosen_figure, TILE_LABELS[chosen_figure], drilled, now)}**")
            claim_detail.claims_table(drilled["claims"], f"claims_behind_{chosen_figure}",
                                      f"No claim in scope counts toward {TILE_LABELS[chosen_figure]} as of {as_of}.")

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
for index, (name, label, kind, _) in enumerate(HEADLINES):
    benchmark = benchmarks.get(name)
    points = trend.drop_nulls(name) if not trend.is_empty() else trend
    with chart_columns[index % 3]:
        st.markdown(f"**{label}**")
        if points.is_empty():
            st.caption("Nothing to plot: no claims in these periods.")
            continue
        st.plotly_chart(
            charts.trend_with_benchmark(points, "period_end", name, benchmark and benchmark["benchmark"],
                                        benchmark["label"] if benchmark else "", kind == "percent", grain,
                                        "is_maturing" if name == "net_collection_rate" else None),
            key=f"trend_{name}",
        )

st.subheader("Median days from submission to first payment, by payer")
st.caption("Over the claims paid by the as-of date only. The Timelines page and the Payer scorecard give the Kaplan–Meier "
           "median, which also counts the claims still waiting, so theirs is longer for a payer with many unpaid claims.")
display.table(overview.days_to_payment_by_payer(as_of, scope), "No claim in scope has been paid yet.", empty_is_good=False)

st.subheader("Board pack")
st.caption("This page's figures with the aging, denials, payer scorecard, coder accuracy and a data-quality appendix, for "
           "this as-of date and scope, as one file to send on (patients masked): HTML that opens with no network, and "
           "PDF. `claimscope report` makes the same pack on a schedule and e-mails it.")
if st.button("Prepare the board pack", key="prepare_board_pack", icon=":material/summarize:"):
    st.session_state["board_pack"] = {"for": chosen, **overview.board_pack_files(as_of, scope, chosen.preset)}
prepared = st.session_state.get("board_pack")
if prepared and prepared["for"] == chosen:
    html_column, pdf_column = st.columns(2)
    widgets.prepared_download(html_column, "Download HTML", prepared["html"], f"{prepared['name']}.html", "text/html",
                              "board_pack_download", {"data_hash": prepared["data_hash"], "format": "html"})
    if prepared["pdf"] is None:
        pdf_column.caption("No PDF: this server has no Chromium to print it with.")
    else:
        widgets.prepared_download(pdf_column, "Download PDF", prepared["pdf"], f"{prepared['name']}.pdf",
                                  "application/pdf", "board_pack_download",
                                  {"data_hash": prepared["data_hash"], "format": "pdf"})
    st.caption(f"Data hash {prepared['data_hash']}: the same data gives the same hash, in the pack and in the audit log.")
