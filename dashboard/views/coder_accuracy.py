"""Coder accuracy: audit results per coder with exact intervals, a payer-side signal, and audit samples drawn the way
OIG RAT-STATS practice expects (defined universe, the claim as unit, a recorded seed)."""

import secrets

import streamlit as st

from dashboard import actions, charts, display, filters
from dashboard.queries import coder_accuracy
from dashboard.widgets import literal, worksheet_buttons
from etl.reports.audit_sampling import PROBE_SIZE, SIGN_NOTE, Universe, extrapolate_overpayment, probe_result, sample_size
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
st.caption("Universe: the claims in the sidebar's scope, narrowed below. Unit: the claim (its latest submission). The size "
           f"follows the inputs as they change. A probe draws {PROBE_SIZE} claims first, as OIG practice does: when its "
           "error rate is high, the full sample is sized from it (below, once the probe is audited).")
left, right = st.columns(2)
coders = left.multiselect("Coders", coder_accuracy.coder_choices(), placeholder="All coders")
families = right.text_input("Procedure families", placeholder="e.g. 992, 993 (leading CPT characters)")
method = left.radio("Method", ["Simple random", "Stratified by coder"], horizontal=True, key="sample_method")
allocation = right.radio("Allocation (stratified)", ["proportional", "equal"], horizontal=True)
sizing = left.radio("Sample size", ["Calculate", "Fixed", f"Probe ({PROBE_SIZE} claims)"], horizontal=True, key="sample_sizing")
fixed_size = right.number_input("Fixed size (claims)", min_value=1, value=50, key="sample_fixed_size", disabled=sizing != "Fixed")
confidence = left.number_input("Confidence", min_value=0.5, max_value=0.999, value=0.95, step=0.01, key="sample_confidence")
precision = right.number_input("Precision (±)", min_value=0.005, max_value=0.5, value=0.05, step=0.005, format="%.3f",
                               key="sample_precision")
error_rate = left.number_input("Expected error rate", min_value=0.001, max_value=0.999, value=0.10, step=0.01, key="sample_error_rate")
if "audit_seed" not in st.session_state:
    st.session_state["audit_seed"] = secrets.randbelow(10**6)
seed = right.number_input("Seed (recorded with the sample)", min_value=0, step=1, key="audit_seed")

universe = Universe(scope, tuple(coders), tuple(part.strip() for part in families.split(",") if part.strip()))
population = coder_accuracy.audit_universe_size(universe)
is_probe = sizing.startswith("Probe")
size = {"Fixed": fixed_size}.get(sizing) or (PROBE_SIZE if is_probe else sample_size(confidence, precision, error_rate, max(population, 1)))
st.write(f"Universe: **{population:,} claims** · sample size **{min(size, population):,}**"
         + ("" if sizing != "Calculate" else f" (confidence {confidence:.0%}, precision ±{precision:.1%}, expected error {error_rate:.0%}, finite-population corrected)"))
if st.button("Draw sample", key="draw_sample", disabled=not population):
    drawn = actions.draw_audit_sample(universe, size, int(seed), method == "Stratified by coder", allocation,
                                      "probe" if is_probe else "full")
    if drawn:
        st.session_state["drawn_sample"] = drawn.sample_id
        st.success(f"Sample {drawn.sample_id}: {len(drawn.claims):,} of {drawn.universe_size:,} claims drawn with seed {drawn.seed}.")
if "drawn_sample" in st.session_state:
    sheet = coder_accuracy.audit_worksheet(st.session_state["drawn_sample"])
    st.caption(f"Worksheet for sample {st.session_state['drawn_sample']}: {sheet['claim_id'].n_unique():,} claims, {len(sheet):,} codes. "
               f"Fill in auditor_id, audit_date, audited_code, finding and dollar_impact, then load it below. {SIGN_NOTE}")
    worksheet_buttons(sheet, f"audit_sample_{st.session_state['drawn_sample']}")

st.subheader("Worksheets of the samples drawn")
samples = coder_accuracy.audit_samples()
# rebuilt from the stored sample: the same rows in the same order as the day it was drawn, in any later session
offered_above = st.session_state.get("drawn_sample")
earlier = samples.filter(samples["sample_id"] != offered_above) if offered_above is not None else samples
if earlier.is_empty():
    st.info("No earlier sample drawn yet." if offered_above is not None else "No sample drawn yet.")
for drawn_sample in earlier.iter_rows(named=True):
    sheet = coder_accuracy.audit_worksheet(drawn_sample["sample_id"])
    described, download = st.columns([2, 1], vertical_alignment="center")
    described.markdown(
        f"**Sample {drawn_sample['sample_id']}** ({drawn_sample['purpose']}), drawn {drawn_sample['drawn_at']:%Y-%m-%d %H:%M} UTC "
        f"with seed {drawn_sample['seed']}: {sheet['claim_id'].n_unique():,} claims, {len(sheet):,} codes; "
        f"{drawn_sample['claims_audited']:,} audited so far.")
    with download.popover("Download worksheet again", key=f"worksheet_again_{drawn_sample['sample_id']}"):
        worksheet_buttons(sheet, f"audit_sample_{drawn_sample['sample_id']}")

st.subheader("Load a completed worksheet")
st.caption(SIGN_NOTE)
upload = st.file_uploader("Worksheet (CSV or Excel)", type=["csv", "xlsx"], help="Goes through the same loader, checks and quarantine as `claimscope load`.")
if upload is not None and st.button("Load worksheet"):
    # kept for the next run, which redraws the accuracy above with the new results
    st.session_state["worksheet_loaded"] = actions.load_upload(upload.name, upload.getvalue())
    st.rerun()
if (result := st.session_state.pop("worksheet_loaded", None)) is not None:
    (st.success if result.is_clean else st.warning)(
        f"{result.status}: {result.records_loaded:,} rows loaded, {result.records_quarantined:,} quarantined."
        + (f" {literal(result.message)}" if result.message else "")
        + (" The accuracy above includes them." if result.records_loaded else " Nothing was loaded."))

st.subheader("Overpayment extrapolated to the universe")
audited_samples = samples.filter(samples["claims_audited"] > 0)
display.table(samples, "No sample drawn yet.", empty_is_good=False)
if not audited_samples.is_empty():
    sample_id = st.selectbox("Sample", audited_samples["sample_id"].to_list())
    estimate = extrapolate_overpayment(coder_accuracy.audit_sample_results(sample_id))
    point, lower, upper = st.columns(3)
    point.metric("Point estimate", display.money(estimate["point_estimate"], cents=True))
    lower.metric("Lower bound, 90% two-sided", display.money(estimate["lower_bound"], cents=True),
                 help="The figure the OIG demands repayment of: the lower limit of the two-sided 90% interval.")
    if estimate["lower_bound"] < 0:  # RAT-STATS reports it as computed; below zero, no overpayment is established
        lower.caption("Below zero: at 90% confidence the sample does not establish that the practice was overpaid, "
                      "so this estimate supports no repayment demand.")
    upper.metric("Upper bound", display.money(estimate["upper_bound"], cents=True))
    st.caption(f"Stratified estimator over audited claims; Student's t with {estimate['degrees_of_freedom']} degrees of freedom. "
               "Positive means the practice was overpaid (the sum of −dollar_impact).")
    chosen_sample = samples.filter(samples["sample_id"] == sample_id).row(0, named=True)
    if chosen_sample["purpose"] == "probe":
        probe = probe_result(coder_accuracy.audit_sample_results(sample_id))
        threshold = st.number_input("Error rate that calls for the full sample", min_value=0.0, max_value=1.0, value=0.05,
                                    step=0.01, key="probe_threshold")
        st.write(f"Probe: **{probe['claims_in_error']:,} of {probe['claims_audited']:,} claims** in error "
                 f"({display.percent(probe['error_rate'])}).")
        if probe["error_rate"] > threshold:
            full_size = sample_size(confidence, precision, probe["error_rate"], max(chosen_sample["universe_size"], 1))
            st.warning(f"Above {display.percent(threshold)}: a statistically valid sample of **{full_size:,} claims** "
                       f"(the probe's error rate, confidence {confidence:.0%}, precision ±{precision:.1%}) is due.")
            if st.button("Draw the full sample", key="draw_full"):
                if drawn := actions.draw_full_sample(sample_id, full_size, secrets.randbelow(10**6)):
                    st.session_state["drawn_sample"] = drawn.sample_id
                    st.rerun()
        else:
            st.info(f"At or below {display.percent(threshold)}: the probe does not call for a full sample.")
