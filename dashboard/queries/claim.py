"""Queries of the claim drill-down: everything on file about one claim id, each row with the file and segment (or
line) it came from."""

from __future__ import annotations

from datetime import date

import polars as pl

from dashboard.permissions import serves
from dashboard.queries.cache import frame, library, uncached
from etl.reports.worklist import claim_worklist_rows
from etl.work import queue

# What the summary card reads of the claim's worklist row: the worklist's own status, deadline and next action.
CARD_COLUMNS = ["claim_record_id", "work_status", "deadline_days_left", "deadline_date", "deadline_basis",
                "is_past_deadline", "first_submitted_date", "next_action", "priority_reason"]


@serves("claim")
def example_claim_id() -> str | None:
    """The claim id submitted last, to show what the ids on file look like; None before any claim is loaded."""
    latest = frame("select claim_id from claim_submissions order by submitted_date desc, claim_record_id desc limit 1")
    return None if latest.is_empty() else latest["claim_id"][0]


@serves("claim")
def claim_summary(claim_id: str, as_of: date) -> pl.DataFrame:
    """One row per payer of the claim as of the date: its balance and whether it is closed, beside its worklist row
    (status, deadline, next action; null when nothing is left to work)."""
    balances = frame(
        "select claim_record_id, payer_name, is_insurance, closed_by, balance_amount"
        " from claim_balances($as_of) where claim_id = $claim_id order by payer_name, claim_record_id",
        {"as_of": as_of, "claim_id": claim_id},
    )
    work = library(claim_worklist_rows)(as_of, claim_id).select(CARD_COLUMNS)
    return balances.join(work, on="claim_record_id", how="left", maintain_order="left")


@serves("claim")
def claim_work_item(claim_id: str) -> dict | None:
    """The claim's work item (status, owner, follow-up, claimscope's reason for its status), read fresh so a change shows
    at once; None when nobody has worked the claim."""
    item = uncached(queue.work_items).filter(pl.col("claim_id") == claim_id).select(*queue.ITEM_COLUMNS)
    return item.row(0, named=True) if len(item) else None


@serves("coder_accuracy")
def claim_audit_summary(claim_id: str) -> dict | None:
    """The claim's latest coding-audit review in sum (audited_claims); None when it was never audited."""
    review = frame(
        "select auditor_id, audit_date, codes_audited, codes_correct, upcoded, downcoded, wrong_code, missing, extra,"
        " overpayment from audited_claims where claim_id = $claim_id",
        {"claim_id": claim_id},
    )
    return None if review.is_empty() else review.row(0, named=True)


@serves("coder_accuracy")
def claim_audit_findings(claim_id: str) -> pl.DataFrame:
    """Every code an auditor reviewed on the claim, latest review first."""
    return frame(
        "select audit_date, auditor_id, coder_id, code_type, original_code, audited_code, finding, dollar_impact_amount,"
        " source_file, locator from claim_coding_audits where claim_id = $claim_id"
        " order by audit_date desc, code_type, original_code",
        {"claim_id": claim_id},
    )


@serves("claim")
def claim_submissions(claim_id: str) -> pl.DataFrame:
    """Every 837 or CSV submission of the claim id."""
    return frame(
        "select claim_record_id, payer_id, payer_name, patient_key, rendering_npi, coder_id, frequency_code,"
        " service_date_from, submitted_date, charge_amount, source_file, locator"
        " from claim_submissions where claim_id = $claim_id order by submitted_date, claim_record_id",
        {"claim_id": claim_id},
    )


@serves("claim")
def claim_underpaid_lines(claim_id: str, as_of: date) -> pl.DataFrame:
    """The claim's paid lines allowed below the contract rate (else the payer's usual rate) as of the date."""
    return frame(
        "select line_number, procedure_code, modifiers, units, allowed_amount, rate_basis, schedule_name,"
        " contract_allowed_per_unit, usual_allowed_per_unit, history_lines, expected_allowed_amount, shortfall_amount,"
        " cas_adjustments, locator from underpaid_lines($as_of) where claim_id = $claim_id"
        " order by line_number",
        {"as_of": as_of, "claim_id": claim_id},
    )


@serves("claim")
def claim_lines(claim_id: str) -> pl.DataFrame:
    """The service lines of each submission."""
    return frame(
        "select claim_record_id, line_number, procedure_code, modifiers, revenue_code, units, charge, service_date, locator"
        " from claim_submission_lines where claim_id = $claim_id order by claim_record_id, line_number",
        {"claim_id": claim_id},
    )


@serves("claim")
def claim_diagnoses(claim_id: str) -> pl.DataFrame:
    """The diagnoses of each submission, in position."""
    return frame(
        "select claim_record_id, position, code, qualifier, locator from claim_submission_diagnoses where claim_id = $claim_id"
        " order by claim_record_id, position",
        {"claim_id": claim_id},
    )


@serves("claim")
def claim_remittances(claim_id: str) -> pl.DataFrame:
    """Every 835 or CSV claim payment for the claim id, oldest first, with how it was matched."""
    return frame(
        "select remit_claim_id, payment_date, payer_id, claim_status_code, status, charge_amount, paid_amount,"
        " patient_responsibility_amount, match_status, trace_number, source_file, locator"
        " from claim_remittances where claim_id = $claim_id order by payment_date, remit_claim_id",
        {"claim_id": claim_id},
    )


@serves("claim")
def claim_adjustments(claim_id: str) -> pl.DataFrame:
    """Every CAS adjustment on the claim's remittances, with the CARC's description and category."""
    return frame(
        "select remit_claim_id, level, group_code, reason_code, description, carc_category, amount, quantity, source_file,"
        " locator from claim_remittance_adjustments where claim_id = $claim_id order by remit_claim_id, locator",
        {"claim_id": claim_id},
    )


@serves("claim")
def claim_remarks(claim_id: str) -> pl.DataFrame:
    """Every remark code (RARC) on the claim's remittances, with its description."""
    return frame(
        "select remit_claim_id, code, description, source, source_file, locator"
        " from claim_remittance_remarks where claim_id = $claim_id order by remit_claim_id, locator",
        {"claim_id": claim_id},
    )


@serves("claim")
def claim_balance_history(claim_id: str) -> pl.DataFrame:
    """The insurance balance after each submission and remittance date: claim_balances evaluated on that date."""
    return frame(
        "with days as ("
        "  select submitted_date as day from claim_submissions where claim_id = $claim_id"
        "  union select payment_date from claim_remittances where claim_id = $claim_id and match_status = 'matched')"
        " select days.day as as_of, balances.payer_id, balances.paid_to_date_amount, balances.contractual_amount,"
        " balances.patient_responsibility_amount, balances.balance_amount"
        " from days, lateral (select * from claim_balances(days.day) where claim_id = $claim_id) as balances"
        " order by days.day, balances.payer_id",
        {"claim_id": claim_id},
    )
