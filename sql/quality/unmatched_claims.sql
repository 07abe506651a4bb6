-- One row per claim (claim id and payer) that no remittance has answered, with the reason. Read by the data-quality page.
-- reason: no remittance received; remitted under another payer (a payment for this claim id came from a different payer).
-- Self-pay claims are left out: no payer will ever send a remittance for them.
with

matches as (
    select * from int_claim_payments__matched_to_claims
),

latest_submissions as (
    select * from int_claims__latest_submissions(date '9999-12-31')
),

answered as (
    select distinct claim_id, payer_id from matches where match_status <> 'secondary payer'
),

files as (
    select * from stg_loader__source_files
),

final as (
    select
        latest_submissions.claim_record_id,
        latest_submissions.claim_id,
        latest_submissions.payer_id,
        latest_submissions.payer_name,
        latest_submissions.charge_amount,
        latest_submissions.service_date_from,
        latest_submissions.submitted_date,
        case
            when exists (select 1 from answered where answered.claim_id = latest_submissions.claim_id) then 'remitted under another payer'
            else 'no remittance received'
        end as reason,
        files.source_file,
        latest_submissions.locator
    from latest_submissions
    inner join files on files.file_id = latest_submissions.file_id
    where not exists (
        select 1 from answered
        where answered.claim_id = latest_submissions.claim_id and answered.payer_id = latest_submissions.payer_id
    )
    and latest_submissions.is_insurance
)

select * from final
