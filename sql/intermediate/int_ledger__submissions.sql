-- One row per submission of the claims being re-derived (ledger_refresh_claims), with its coder (the claim's own,
-- else the practice-management export's latest) and whether its payer is insurance (sql/macros/payer_rules.sql).
with

refresh as (
    select * from ledger_refresh_claims
),

submissions as (
    select * from stg_837__claims
),

coders as (
    select * from stg_csv__claim_coders
),

latest_coders as (
    -- the latest file's word on each claim's coder
    select coders.claim_id, arg_max(coders.coder_id, coders.file_id) as coder_id
    from refresh
    inner join coders on coders.claim_id = refresh.claim_id
    group by coders.claim_id
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
        coalesce(submissions.coder_id, latest_coders.coder_id) as coder_id,
        submissions.claim_type,
        submissions.frequency_code,
        submissions.is_original,
        submissions.place_of_service,
        submissions.charge_amount,
        submissions.service_date_from,
        submissions.service_date_to,
        submissions.submitted_date,
        payer_rules(submissions.payer_id).is_insurance as is_insurance,
        submissions.file_id,
        submissions.locator
    from refresh
    inner join submissions on submissions.claim_id = refresh.claim_id
    left join latest_coders on latest_coders.claim_id = submissions.claim_id
)

select * from final
