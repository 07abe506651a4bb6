"""Coder accuracy: audit results per coder with exact intervals, a payer-side signal, and audit samples drawn the way
OIG RAT-STATS practice expects (defined universe, the claim as unit, a recorded seed)."""

import secrets

import streamlit as st

from dashboard import actions, charts, display, filters
from dashboard.queries import coder_accuracy
from dashboard.widgets import export_buttons, literal
from etl.reports.audit_sampling import Universe, extrapolate_overpayment, sample_size
from etl.reports.coder_accuracy import ACCURACY_TARGET

st.title("Coder accuracy")
chosen = filters.current()
as_of, scope = chosen.as_of, chosen.scope
st.caption(f"{filters.describe(chosen)} · audited claims of coders in scope")

st.subheader("Accuracy by coder")
accuracy = coder_accuracy.coder_accuracy(scope)
if accuracy.is_empty():
    st.info("No audit results in scope. Draw a sample below, have it audited, and load the worksheet.")
else:
    st.plotly_chart(charts.rates_with_intervals(accuracy, "coder_id", "claim_accuracy", "claim_low", "claim_high",
                                                ACCURACY_TARGET, "Claims coded right (95% exact CI)"))
    st.caption(
        f"Claim level: every code on the claim right. Intervals are exact (Clopper–Pearson). Target {ACCURACY_TARGET:.0%} "
        "(AHIMA/AAPC): a coder is below it only when the whole interval is."
    )
    display.table(accuracy.select("coder_id", "claims_audited", "claims_correct", "claim_accuracy", "claim_low", "claim_high",
                                  "against_target", "codes_audited", "codes_correct", "code_accuracy", "code_low", "code_high",
                                  "overpayment"))
    st.subheader("Errors by type")
    by_type = accuracy.unpivot(index="coder_id", on=["upcoded", "downcoded", "wrong_code", "missing", "extra"],
                               variable_name="error_type", value_name="codes")
    st.plotly_chart(charts.stacked_bars(by_type, "coder_id", "codes", "error_type", sorted(accuracy["coder_id"]), "Codes in error"))

st.subheader("Coding-related denials per coder (payers' view)")
st.caption("First adjudications denied for a coding reason (CARC category coding_bundling) ÷ claims adjudicated, exact 95% CI.")
denials = coder_accuracy.coding_denial_rates(as_of, scope)
if not denials.is_empty():
    st.plotly_chart(charts.rates_with_intervals(denials, "coder_id", "coding_denial_rate", "low", "high", None, "Coding denial rate"),
                    key="coding_denials")
    trend = coder_accuracy.coding_denial_trend(as_of, scope)
    st.plotly_chart(charts.lines(trend, "adjudicated_month", "coding_denial_rate", "coder_id", "Coding denial rate"), key="coding_trend")

st.subheader("Draw an audit sample")
st.caption("Universe: the claims in the sidebar's scope, narrowed below. Unit: the claim (its latest submission).")
with st.form("draw"):
    left, right = st.columns(2)
    coders = left.multiselect("Coders", coder_accuracy.coder_choices(), placeholder="All coders")
    families = right.text_input("Procedure families", placeholder="e.g. 992, 993 (leading CPT characters)")
    method = left.radio("Method", ["Simple random", "Stratified by coder"], horizontal=True, key="sample_method")
    allocation = right.radio("Allocation (stratified)", ["proportional", "equal"], horizontal=True)
    sizing = left.radio("Sample size", ["Calculate", "Fixed"], horizontal=True, key="sample_sizing")
    fixed_size = right.number_input("Fixed size (claims)", min_value=1, value=50, key="sample_fixed_size")
    confidence = left.number_input("Confidence", min_value=0.5, max_value=0.999, value=0.95, step=0.01)
    precision = right.number_input("Precision (±)", min_value=0.005, max_value=0.5, value=0.05, step=0.005, format="%.3f")
    error_rate = left.number_input("Expected error rate", min_value=0.001, max_value=0.999, value=0.10, step=0.01)
    if "audit_seed" not in st.session_state:
        st.session_state["audit_seed"] = secrets.randbelow(10**6)
    seed = right.number_input("Seed (recorded with the sample)", min_value=0, step=1, key="audit_seed")
    submitted = st.form_submit_button("Draw sample")

universe = Universe(scope, tuple(coders), tuple(part.strip() for part in families.split(",") if part.strip()))
population = coder_accuracy.audit_universe_size(universe)
size = fixed_size if sizing == "Fixed" else sample_size(confidence, precision, error_rate, max(population, 1))
st.write(f"Universe: **{population:,} claims** · sample size **{min(size, population):,}**"
         + ("" if sizing == "Fixed" else f" (confidence {confidence:.0%}, precision ±{precision:.1%}, expected error {error_rate:.0%}, finite-population corrected)"))
if submitted and population:
    drawn = actions.draw_audit_sample(universe, size, int(seed), method == "Stratified by coder", allocation)
    st.session_state["drawn_sample"] = drawn.sample_id
    st.success(f"Sample {drawn.sample_id}: {len(drawn.claims):,} of {drawn.universe_size:,} claims drawn with seed {drawn.seed}.")
if "drawn_sample" in st.session_state:
    sheet = coder_accuracy.audit_worksheet(st.session_state["drawn_sample"])
    st.caption(f"Worksheet for sample {st.session_state['drawn_sample']}: {sheet['claim_id'].n_unique():,} claims, {len(sheet):,} codes. "
               "Fill in auditor_id, audit_date, audited_code, finding and dollar_impact, then load it below.")
    export_buttons(sheet, f"audit_sample_{st.session_state['drawn_sample']}", column_names=True)

st.subheader("Load a completed worksheet")
upload = st.file_uploader("Worksheet (CSV or Excel)", type=["csv", "xlsx"], help="Goes through the same loader, checks and quarantine as `claimscope load`.")
if upload is not None and st.button("Load worksheet"):
    result = actions.load_upload(upload.name, upload.getvalue())
    (st.success if result.is_clean else st.warning)(
        f"{result.status}: {result.records_loaded:,} rows loaded, {result.records_quarantined:,} quarantined."
        + (f" {literal(result.message)}" if result.message else ""))

st.subheader("Overpayment extrapolated to the universe")
samples = coder_accuracy.audit_samples()
audited_samples = samples.filter(samples["claims_audited"] > 0)
display.table(samples, "No sample drawn yet.", empty_is_good=False)
if not audited_samples.is_empty():
    sample_id = st.selectbox("Sample", audited_samples["sample_id"].to_list())
    estimate = extrapolate_overpayment(coder_accuracy.audit_sample_results(sample_id))
    point, lower, upper = st.columns(3)
    point.metric("Point estimate", display.money(estimate["point_estimate"], cents=True))
    lower.metric("Lower bound, 90% two-sided", display.money(estimate["lower_bound"], cents=True),
                 help="The figure the OIG demands repayment of: the lower limit of the two-sided 90% interval.")
    upper.metric("Upper bound", display.money(estimate["upper_bound"], cents=True))
    st.caption(f"Stratified estimator over audited claims; Student's t with {estimate['degrees_of_freedom']} degrees of freedom. "
               "Positive means the practice was overpaid.")
