"""One claim, in full: a summary card (status, balance, deadline, next action, work item, coding audit), then what was
billed, every remittance and adjustment, the balance over time, and where each row came from. Shown on the Claim page
and under any table whose row is selected."""

from datetime import date

import polars as pl
import streamlit as st

from dashboard import display, filters, session
from dashboard.queries import claim
from dashboard.permissions import allows
from dashboard.widgets import literal, patients_shown
from etl.work.items import STATUSES


def show(claim_id: str, key: str = "claim", with_work: bool = False) -> None:
    """Draw a claim: a summary card, its work item, its story (billed, each remittance, the balance after each), with
    `with_work` its appeals and work history (notes masked for a role without PHI), its coding audit for roles that
    see audits, and everything on file (patient masked) in an expander that reads the tables only when opened; `key`
    tells two drill-downs apart."""
    submissions = claim.claim_submissions(claim_id)
    if submissions.is_empty():
        st.warning(f"No claim {literal(claim_id)} on file.")
        return
    session.log_once("claim_drilldown", [claim_id])
    st.markdown(f"#### Claim {literal(claim_id)}")
    as_of = filters.as_of_or_today()
    summary = claim.claim_summary(claim_id, as_of)
    if summary.is_empty():
        st.info(f"Nothing to sum up as of {as_of}: the claim was submitted after that date.")
    for row in summary.iter_rows(named=True):
        _summary_card(row, as_of)
    _work_item(claim.claim_work_item(claim_id), on_worklist=summary["work_status"].is_not_null().any())
    _timeline(claim_id, key)
    if with_work:
        _work_done(claim_id, key)
    if allows("coder_accuracy"):
        _coding_audit(claim_id)
    underpaid = claim.claim_underpaid_lines(claim_id, as_of)
    if not underpaid.is_empty():
        st.caption(f"Lines allowed below the contract or the payer's usual rate as of {as_of} (see Late payments): the shortfall is what an appeal asks for")
        display.table(underpaid, "", cents=True)
    on_file = st.expander("Everything on file, with the file and segment or line of each row", key=f"{key}_on_file_open",
                          icon=":material/description:", on_change="rerun")
    if on_file.open:
        with on_file:
            _on_file(claim_id, submissions)


def _summary_card(row: dict, as_of: date) -> None:
    """Status, balance, deadline and next action of the claim with one payer, as the worklist has them."""
    with st.container(border=True):
        st.caption(f"With {literal(row['payer_name'])} · as of {as_of}")
        status, balance, deadline = st.columns(3)
        status.metric("Status", _status(row))
        balance.metric("Balance", display.money(row["balance_amount"], cents=True),
                       help="Charge − paid − contractual − patient responsibility as of the date: what is left to collect")
        st.markdown("**Next action**")
        if row["work_status"] is None:
            deadline.metric("Deadline", "none", "nothing left to work", delta_color="off", delta_arrow="off")
            st.text("None: nothing is left to collect from this payer." if row["is_insurance"]
                    else "None on the insurance worklist: a self-pay claim is billed to the patient.")
            return
        days = row["deadline_days_left"]
        if row["deadline_date"] is None:  # filed on time, no answer since: the filing limit is met for good
            deadline.metric("Timely filing", "Met", f"first sent {row['first_submitted_date']}", delta_color="off",
                            delta_arrow="off", help="Sent inside the payer's filing limit: keep the 837 and its "
                                                    "acceptance as proof of timely filing.")
        else:
            deadline.metric(f"Deadline ({row['deadline_basis']})", row["deadline_date"].isoformat(),
                            f"passed {-days:,} days ago" if row["is_past_deadline"] else f"{days:,} days left",
                            delta_color="off", delta_arrow="off")
        # plain text, never markdown: both come from reference lists an admin may have loaded
        st.text(row["next_action"])
        st.text(f"Priority: {row['priority_reason']}")


# The story's columns in words; every amount with its cents, as the remittance has it.
TIMELINE_LABELS = {"event_date": "Date", "event": "What happened", "charge_amount": "Charged", "paid_amount": "Paid",
                   "adjusted_amount": "Adjusted (CO, OA, PI)", "patient_responsibility_amount": "Patient responsibility",
                   "reasons": "Why (CAS reasons)", "balance_amount": "Balance after"}


def _timeline(claim_id: str, key: str) -> None:
    """The claim's story, oldest first: billed, each remittance with what it paid and adjusted and why, and the
    insurance balance after each day's events."""
    st.markdown("**What happened, oldest first**")
    st.caption("The balance is the ledger's at the end of each day (charge − paid − contractual − patient "
               "responsibility; a denial stays owed), shown on the day's last event; a reversal and the correction "
               "sent with it share one.")
    display.table(claim.claim_timeline(claim_id), "", cents=True, labels=TIMELINE_LABELS, key=f"{key}_timeline",
                  column_config={"reasons": st.column_config.TextColumn(TIMELINE_LABELS["reasons"], width="large")})


def _work_done(claim_id: str, key: str) -> None:
    """The claim's appeals and its work history, notes beside the changes that added them."""
    st.markdown("**Appeals**")
    display.table(claim.claim_appeals(claim_id).drop("appeal_id"), "No appeal recorded on this claim.", empty_is_good=False,
                  labels={"appeal_level": "Level", "sent_date": "Sent", "decision_due_date": "Decision due",
                          "outcome": "Outcome", "outcome_source": "Outcome read from", "decision_date": "Decided",
                          "recorded_by": "Recorded by"}, key=f"{key}_appeals")
    st.markdown("**Work history and notes**")
    # drawn by the data grid, which shows text as text (a note's markdown would render links and images)
    display.table(claim.claim_work_history(claim_id), "Nobody has worked this claim yet.", empty_is_good=False,
                  labels={"changed_at": "When (UTC)", "user_name": "Who", "field": "What", "before_value": "Before",
                          "after_value": "After", "note_text": "Note"}, kinds={"changed_at": "datetime"}, key=f"{key}_history",
                  column_config={"note_text": st.column_config.TextColumn("Note", width="large")})


def _status(row: dict) -> str:
    """The worklist's status, or why the claim is off the worklist."""
    if row["work_status"] is not None:
        return row["work_status"].capitalize()
    if row["closed_by"] is not None:
        return f"Closed ({row['closed_by']})"
    return "Settled" if row["is_insurance"] else "Self-pay"


def _work_item(item: dict | None, on_worklist: bool) -> None:
    """Where the claim stands on the work queue: status, owner and follow-up date."""
    if item is None:
        st.markdown(":material/checklist: **Work queue:** " + ("new and unassigned: nobody has worked it yet." if on_worklist
                                                              else "not on it: nothing is left to work."))
        return
    parts = [STATUSES[item["status"]],
             f"owner {literal(item['owner_name'])}" if item["owner_name"] else "unassigned",
             f"follow up on {item['follow_up_date']}" if item["follow_up_date"] else "no follow-up date"]
    st.markdown(":material/checklist: **Work queue:** " + " · ".join(parts))
    if item["status_reason"]:
        st.caption(f"Set by claimscope: {literal(item['status_reason'])}")


def _coding_audit(claim_id: str) -> None:
    """The claim's coding-audit findings: the latest review in sum, then every code reviewed."""
    review = claim.claim_audit_summary(claim_id)
    if review is None:
        st.caption("No coding audit on file for this claim.")
        return
    found = ", ".join(f"{review[name]} {name.replace('_', ' ')}" for name in ("upcoded", "downcoded", "wrong_code", "missing", "extra")
                      if review[name])
    st.markdown(
        f":material/fact_check: **Coding audit:** latest review {review['audit_date']} by {literal(review['auditor_id'])}: "
        f"{review['codes_correct']} of {review['codes_audited']} codes right" + (f" ({found})" if found else "")
        + _overpayment(review["overpayment"]) + "."
    )
    display.table(claim.claim_audit_findings(claim_id), "", cents=True)


def _overpayment(amount) -> str:
    """The audit's dollar finding in words: positive is billed above what the codes support (audited_claims)."""
    if amount > 0:
        return f"; overbilled by {display.money(amount, cents=True)}"
    return f"; underbilled by {display.money(-amount, cents=True)}" if amount < 0 else ""


def _on_file(claim_id: str, submissions: pl.DataFrame) -> None:
    """Every row on file for the claim, each with the file and segment or line it came from."""
    st.caption("Billed (837 or claims CSV), each submission with its source file and segment or line")
    display.table(patients_shown(submissions, f"claim {claim_id}"), "", cents=True)
    lines, diagnoses = st.columns([3, 2])
    with lines:
        display.table(claim.claim_lines(claim_id), "No service lines on file.", empty_is_good=False, cents=True)
    with diagnoses:
        display.table(claim.claim_diagnoses(claim_id), "No diagnoses on file.", empty_is_good=False)
    st.caption("Remittances (835 or remits CSV), oldest first")
    remittances = claim.claim_remittances(claim_id)
    if remittances.is_empty():
        st.info("No remittance yet: no payer has answered this claim, so there are no adjustments or remark codes.")
    else:
        display.table(remittances, "", cents=True)
        display.table(claim.claim_adjustments(claim_id), "No adjustments (CAS) on its remittances.", empty_is_good=False, cents=True)
        display.table(claim.claim_remarks(claim_id), "No remark codes on its remittances.", empty_is_good=False)
    st.caption("Insurance balance at the end of each day with a submission or a remittance, per payer")
    display.table(claim.claim_balance_history(claim_id), "", cents=True)


def claims_table(frame: pl.DataFrame, key: str, when_empty: str) -> None:
    """A table of claims; selecting a row opens that claim's full history below it, for roles that may drill down."""
    if frame.is_empty():
        st.success(when_empty)
        return
    if not allows("claim"):
        display.table(frame)
        return
    picked = display.table(frame, key=key, on_select="rerun", selection_mode="single-row")
    if picked.selection.rows:
        with st.container(border=True):
            show(frame["claim_id"][picked.selection.rows[0]], key)
    else:
        st.caption("Select a row to see the claim's lines, remittances, adjustments and balance over time.")
