-- One row per claim payment (835 CLP or remits CSV), as the ledger holds it: with how it was matched to a submission
-- (int_ledger__remittances explains each match_status) and the submission it answers.
with

events as (
    select * from claim_events
),

final as (
    select
        remit_claim_id,
        payment_id,
        claim_id,
        payer_id,
        claim_record_id,
        claim_status_code,
        is_reversal,
        match_status,
        payer_claim_id,
        received_date,
        payment_date,
        trace_number,
        charge_amount,
        paid_amount,
        patient_responsibility_amount,
        cas_patient_responsibility_amount,
        rendering_npi,
        submitted_date,
        file_id,
        locator
    from events
    where event_kind = 'remittance'
)

select * from final
