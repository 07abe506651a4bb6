-- One row per claim submission (837 CLM or claims CSV); a corrected claim is another row with the same claim_id.
with

source as (
    select * from claims
),

renamed as (
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
        frequency_code = '1' as is_original,
        original_payer_claim_id,
        place_of_service,
        total_charge as charge_amount,
        service_date_from,
        service_date_to,
        submitted_date,
        file_id,
        locator
    from source
)

select * from renamed
