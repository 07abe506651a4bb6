-- One row per claim submission, as the ledger holds it: with its coder and whether its payer is insurance.
with

events as (
    select * from claim_events
),

final as (
    select
        claim_record_id,
        claim_id,
        payer_id,
        payer_name,
        patient_key,
        billing_npi,
        rendering_npi,
        coder_id,
        claim_type,
        frequency_code,
        is_original,
        place_of_service,
        charge_amount,
        service_date_from,
        service_date_to,
        submitted_date,
        is_insurance,
        file_id,
        locator
    from events
    where event_kind = 'submission'
)

select * from final
