-- One row per claim submission (837 CLM or claims CSV); a corrected claim is another row with the same claim_id.
with

source as (
    select * from claims
),

coders as (
    -- the latest file's word on each claim's coder
    select claim_id, arg_max(coder_id, file_id) as coder_id
    from claim_coders
    group by claim_id
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
        coalesce(source.coder_id, coders.coder_id) as coder_id,
        claim_type,
        frequency_code,
        frequency_code = '1' as is_original,
        total_charge as charge_amount,
        service_date_from,
        service_date_to,
        submitted_date,
        file_id,
        locator
    from source
    left join coders using (claim_id)
)

select * from renamed
