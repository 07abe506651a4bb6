-- One row per claim (claim id and payer) as of a date: charge, payments, adjustments and the insurance balance.
-- A table macro: select * from claim_balances(date '2026-11-26'). A lookup, not a derivation: each claim's state
-- valid on the date (claim_states, kept current by the loader), aged to the date.
create or replace macro claim_balances(as_of) as table

with

states as (
    select * from claim_states
    where valid_from <= as_of and (valid_to is null or valid_to > as_of)
),

final as (
    select
        states.claim_record_id,
        states.claim_id,
        states.payer_id,
        states.payer_name,
        states.patient_key,
        states.rendering_npi,
        states.coder_id,
        states.is_insurance,
        states.last_status_code,
        states.last_denial_carc_code,
        states.current_remit_claim_id,
        states.last_denial_category,
        states.charge_amount,
        states.paid_to_date_amount,
        states.paid_amount,
        states.contractual_amount,
        states.patient_responsibility_amount,
        states.balance_amount,
        states.closed_by,
        states.superseded_by_claim_id,
        states.adjudication_count,
        states.service_date_from,
        states.first_submitted_date,
        states.submitted_date,
        states.first_remit_date,
        states.first_adjudicated_date,
        states.last_remit_date,
        as_of - states.service_date_from as days_since_service,
        aging_bucket(as_of - states.service_date_from) as aging_bucket,
        aging_bucket(as_of - states.first_submitted_date) as submission_aging_bucket
    from states
)

select * from final
