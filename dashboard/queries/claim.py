"""Queries of the claim drill-down: everything on file about one claim id, each row with the file and segment (or
line) it came from."""

from __future__ import annotations

from datetime import date

import polars as pl

from dashboard.permissions import serves
from dashboard.queries.cache import frame


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
