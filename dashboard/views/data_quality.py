"""Data quality: what was loaded, what was set aside and why, and what does not reconcile."""

import streamlit as st

from dashboard import claim_detail, display, session
from dashboard.queries import data
from dashboard.permissions import allows
from dashboard.widgets import export_buttons

BADGES = {"clean": "clean", "warnings": "warnings", "errors": "errors quarantined"}

st.title("Data quality")
st.caption("Every file loaded, every record set aside with its reason, and what does not reconcile.")

st.subheader("Tables")
health = data.table_health()
if health.is_empty():
    st.info("No validation has run yet. Load files with `claimscope load`.")
else:
    columns = st.columns(min(len(health), 6))
    for index, row in enumerate(health.iter_rows(named=True)):
        columns[index % len(columns)].metric(
            row["table_name"], BADGES[row["badge"]], f"{row['failing_row_count']:,} failing rows", delta_color="off", delta_arrow="off",
            help=f"{row['failing_expectation_count']} of {row['expectation_count']} expectations have failed at least once",
        )

st.subheader("Load history")
status_counts = data.load_status_counts()
if status_counts.is_empty():
    st.info("No files loaded yet.")
else:
    columns = st.columns(len(status_counts))
    for column, row in zip(columns, status_counts.iter_rows(named=True)):
        column.metric(
            f"Files {row['status']}", f"{row['file_count']:,}", f"{row['records_quarantined']:,} records quarantined",
            delta_color="off", delta_arrow="off",
        )
    display.table(data.load_history())

st.subheader("Loaded with structural warnings")
display.table(data.structural_warnings(), "Every envelope count and control number checks out.")

st.subheader("Quarantine")
problems = data.quarantine_problems()
if problems.is_empty():
    st.success("Nothing is in quarantine.")
else:
    history = data.load_history()
    chosen_files = st.multiselect("File", history.filter(history["records_quarantined"] > 0)["source_file"].to_list())
    chosen_problems = st.multiselect("Problem", problems["problem"].to_list())
    show_raw = allows("raw_records") and st.toggle("Show raw records (may contain patient data)", value=False)
    records = data.quarantined_records(tuple(chosen_files), tuple(chosen_problems), with_raw=show_raw)
    if show_raw:
        session.log_once("phi_reveal", ["quarantine", *chosen_files], {"problems": chosen_problems, "rows": len(records)})
    st.caption(f"{len(records):,} quarantined records")
    display.table(records, "No quarantined record matches these choices.")
    export_buttons(records, "quarantine")

st.subheader("Latest validation results")
display.table(data.validation_results(), "No validation has run yet.", empty_is_good=False)

st.subheader("835 balancing failures")
display.table(data.balancing_failures(), "Every loaded 835 balances.")

st.subheader("Unmatched remittances")
display.table(data.unmatched_remits(), "Every claim payment matches a claim on file.")

st.subheader("Service lines not tied to a claim line")
display.table(data.unmatched_remit_lines(), "Every paid service line is tied to the claim line it pays.")

st.subheader("Replacements and voids not tied to a claim")
display.table(data.unlinked_replacements(), "Every replacement and void is tied to the claim it replaces.")

st.subheader("Claims without a remittance")
claim_detail.claims_table(data.unmatched_claims(), "unmatched_claims", "Every claim has been answered by its payer.")

st.subheader("Payments dated before their claim was sent")
claim_detail.claims_table(data.payments_before_submission(), "paid_before_sent", "Every payment is dated after its claim was submitted.")

st.subheader("Duplicate ERAs")
display.table(data.duplicate_eras(), "No ERA was loaded twice.")
