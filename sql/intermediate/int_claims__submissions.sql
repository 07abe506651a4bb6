-- One row per claim submission with what the marts add to it: the coder (the claim's own, else the
-- practice-management export's) and whether its payer is insurance (int_payers__rules).
with

submissions as (
    select * from stg_837__claims
),

coders as (
    select * from stg_csv__claim_coders
),

payers as (
    select * from int_payers__rules
),

final as (
    select
        submissions.claim_record_id,
        submissions.claim_id,
        submissions.payer_id,
        submissions.payer_name,
        submissions.patient_key,
        submissions.billing_npi,
        submissions.rendering_npi,
        coalesce(submissions.coder_id, coders.coder_id) as coder_id,
        submissions.claim_type,
        submissions.frequency_code,
        submissions.is_original,
        submissions.place_of_service,
        submissions.charge_amount,
        submissions.service_date_from,
        submissions.service_date_to,
        submissions.submitted_date,
        payers.is_insurance,
        submissions.file_id,
        submissions.locator
    from submissions
    left join coders on coders.claim_id = submissions.claim_id
    inner join payers on payers.payer_id is not distinct from submissions.payer_id
)

select * from final
