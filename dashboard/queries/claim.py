"""Queries of the claim drill-down: everything on file about one claim id, each row with the file and segment (or
line) it came from."""

from __future__ import annotations

from datetime import date

import polars as pl

from dashboard.permissions import allows, serves
from dashboard.queries.cache import frame, library, uncached
from etl.reports.formats import money
from etl.reports.worklist import claim_worklist_rows
from etl.work import appeals, items, queue
from etl.work.exports import HIDDEN_NOTE
from etl.work.items import STATUSES

# What the summary card reads of the claim's worklist row: the worklist's own status, deadline and next action.
CARD_COLUMNS = ["claim_record_id", "work_status", "deadline_days_left", "deadline_date", "deadline_basis",
                "is_past_deadline", "first_submitted_date", "next_action", "priority_reason"]


@serves("claim")
def example_claim_id() -> str | None:
    """The claim id submitted last, to show what the ids on file look like; None before any claim is loaded."""
    latest = frame("select claim_id from claim_submissions order by submitted_date desc, claim_record_id desc limit 1")
    return None if latest.is_empty() else latest["claim_id"][0]


@serves("claim")
def claim_id_on_file(typed: str) -> str | None:
    """The claim id on file that a typed id names, whatever its case and the spaces around it (an exact match first);
    None when no claim has it."""
    typed = typed.strip()
    if not typed:
        return None
    found = frame(
        "select claim_id from claim_submissions where lower(claim_id) = lower($typed)"
        " group by claim_id order by claim_id = $typed desc, claim_id limit 1",
        {"typed": typed},
    )
    return None if found.is_empty() else found["claim_id"][0]


# The claim's story, oldest first: each submission, then each remittance (a reversal before the correction that
# shares its date, as the ledger stands them: sql/intermediate/int_ledger__claim_states.sql), with the balance the
# ledger holds at the end of that day for that payer, shown on the day's last event (claim_balances on that date).
TIMELINE_SQL = """
    with

    bills as (
        select
            submitted_date as event_date,
            0 as event_order,
            claim_record_id as event_key,
            payer_id,
            'Billed to ' || coalesce(payer_name, payer_id)
                || case frequency_code when '7' then ' (replacement of an earlier claim)'
                                       when '8' then ' (void of an earlier claim)' else '' end as event,
            charge_amount,
            null::decimal(18, 2) as paid_amount,
            null::decimal(18, 2) as adjusted_amount,
            null::decimal(18, 2) as patient_responsibility_amount,
            null::bigint as remit_claim_id,
            true as moves_balance
        from claim_submissions
        where claim_id = $claim_id
    ),

    adjustments as (
        select remit_claim_id, sum(amount) filter (where group_code <> 'PR') as adjusted_amount
        from claim_remittance_adjustments
        where claim_id = $claim_id
        group by remit_claim_id
    ),

    remittances as (
        select
            claim_remittances.payment_date as event_date,
            case when claim_remittances.claim_status_code = '22' then 1 else 2 end as event_order,
            claim_remittances.remit_claim_id as event_key,
            claim_remittances.payer_id,
            'Remittance from ' || coalesce(payers.payer_name, claim_remittances.payer_id) || ': '
                || coalesce(lower(claim_remittances.status), 'claim status ' || claim_remittances.claim_status_code)
                || case when claim_remittances.match_status <> 'matched'
                        then ' (' || claim_remittances.match_status || ': not counted in the balance)' else '' end as event,
            claim_remittances.charge_amount,
            claim_remittances.paid_amount,
            coalesce(adjustments.adjusted_amount, 0)::decimal(18, 2) as adjusted_amount,
            claim_remittances.patient_responsibility_amount,
            claim_remittances.remit_claim_id,
            claim_remittances.match_status = 'matched' as moves_balance
        from claim_remittances
        left join adjustments on adjustments.remit_claim_id = claim_remittances.remit_claim_id
        left join payers on payers.payer_id = claim_remittances.payer_id
        where claim_remittances.claim_id = $claim_id
    ),

    events as (
        select * from bills
        union all
        select * from remittances
    ),

    days as (
        select distinct event_date from events
    ),

    balances as (
        select days.event_date, day_balances.payer_id, day_balances.balance_amount
        from days, lateral (select * from claim_balances(days.event_date) where claim_id = $claim_id) as day_balances
    ),

    final as (
        select
            events.event_date,
            events.event,
            events.charge_amount,
            events.paid_amount,
            events.adjusted_amount,
            events.patient_responsibility_amount,
            events.remit_claim_id,
            case when events.moves_balance and row_number() over (
                partition by events.event_date, events.payer_id, events.moves_balance
                order by events.event_order desc, events.event_key desc) = 1
            then balances.balance_amount end as balance_amount,
            events.event_order,
            events.event_key
        from events
        left join balances on balances.event_date = events.event_date and balances.payer_id = events.payer_id
    )

    select * exclude (event_order, event_key) from final
    order by event_date, event_order, event_key
"""


@serves("claim")
def claim_timeline(claim_id: str) -> pl.DataFrame:
    """The claim as one story, oldest first: billed, each remittance with what it paid, what it adjusted and why (each
    CAS reason in words with its amount), and the insurance balance after each day's events."""
    events = frame(TIMELINE_SQL, {"claim_id": claim_id})
    # a denial (non-PR, denial class in etl/reference/carc_categories.csv) stays owed; the balance keeps it
    reasons = frame(
        "select remit_claim_id, group_code, reason_code, description, amount,"
        " group_code <> 'PR' and carc_class(reason_code).adjustment_class = 'denial' as is_denial"
        " from claim_remittance_adjustments where claim_id = $claim_id"
        # in file order ('line 10' after 'line 9', not after 'line 1'); a CAS segment's triplets share its locator
        " order by remit_claim_id, try_cast(regexp_extract(locator, '\\d+') as bigint), locator, group_code, reason_code",
        {"claim_id": claim_id},
    )
    said: dict[int, list[str]] = {}
    for remit_claim_id, group, code, description, amount, is_denial in reasons.iter_rows():
        said.setdefault(remit_claim_id, []).append(
            f"{group}-{code} {description or '(no description on file)'}: {money(amount, cents=True)}"
            + (", denied (still owed)" if is_denial else ""))
    worded = pl.Series("reasons", ["; ".join(said[key]) if key in said else None for key in events["remit_claim_id"]],
                       dtype=pl.String)
    # the reasons last: the longest column, it would push the balance off the screen
    return events.with_columns(worded).select("event_date", "event", "charge_amount", "paid_amount", "adjusted_amount",
                                              "patient_responsibility_amount", "balance_amount", "reasons")


@serves("claim")
def claim_work_history(claim_id: str) -> pl.DataFrame:
    """The claim's work history, oldest first (statuses in words, notes beside the changes that added them), read
    fresh so a change shows at once; a note's text only for a role that may read notes, which may hold PHI."""
    history = uncached(lambda con: items.history(con, claim_id))
    if not allows("phi"):
        history = history.with_columns(pl.when(pl.col("note_text").is_not_null()).then(pl.lit(HIDDEN_NOTE)).alias("note_text"))
    worded = lambda column: pl.when(pl.col("field") == "status").then(  # noqa: E731
        pl.col(column).replace_strict(STATUSES, default=pl.col(column))).otherwise(pl.col(column))
    return history.select(
        pl.col("changed_at"), pl.col("user_name"), pl.col("field").str.replace_all("_", " "),
        worded("before_value").alias("before_value"), worded("after_value").alias("after_value"), pl.col("note_text"),
    )


@serves("claim")
def claim_appeals(claim_id: str) -> pl.DataFrame:
    """The claim's appeals, oldest first: level, sent, decision due, and the outcome in words with where it was read."""
    sent = uncached(lambda con: con.sql(
        "select appeal_id, appeal_level, sent_date, decision_due_date, outcome, outcome_source, decision_date,"
        " recorded_by from appeal_outcomes where claim_id = $claim_id order by sent_date, appeal_id",
        params={"claim_id": claim_id}).pl())
    return sent.with_columns(
        pl.col("appeal_level").replace_strict(appeals.LEVELS, default=pl.col("appeal_level")),
        pl.col("outcome").replace_strict(appeals.OUTCOMES, default=pl.col("outcome")).fill_null("Undecided"),
    )


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
