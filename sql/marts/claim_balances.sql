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
        claim_record_id,
        claim_id,
        payer_id,
        payer_name,
        patient_key,
        rendering_npi,
        coder_id,
        is_insurance,
        last_status_code,
        last_denial_carc_code,
        current_remit_claim_id,
        last_denial_category,
        charge_amount,
        paid_to_date_amount,
        paid_amount,
        contractual_amount,
        patient_responsibility_amount,
        balance_amount,
        adjudication_count,
        service_date_from,
        first_submitted_date,
        submitted_date,
        first_remit_date,
        last_remit_date,
        as_of - service_date_from as days_since_service,
        aging_bucket(as_of - service_date_from) as aging_bucket,
        aging_bucket(as_of - first_submitted_date) as submission_aging_bucket
    from states
)

select * from final
