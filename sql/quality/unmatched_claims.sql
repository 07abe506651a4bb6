-- One row per insurance claim (claim id and payer) that no remittance has answered, with the reason. Read by the
-- data-quality page. reason: no remittance received; remitted under another payer (a payment for this claim id came
-- from a different payer). Self-pay claims are left out: no payer will ever send a remittance for them.
with

-- A state with a remittance placed on it has been answered by its payer, so only the states without one can be
-- unanswered: narrowing to them first keeps the joins below to a tenth of the claims.
current_states as (
    select * from claim_states
    where valid_to is null and is_insurance and first_remit_date is null
),

remittances as (
    select * from int_claim_payments__matched_to_claims
),

answered as (
    select distinct claim_id, payer_id from remittances
    where match_status <> 'secondary payer' and claim_id in (select claim_id from current_states)
),

submissions as (
    select * from int_claims__submissions
),

files as (
    select * from stg_loader__source_files
),

unanswered as (
    select current_states.*
    from current_states
    anti join answered on answered.claim_id = current_states.claim_id and answered.payer_id = current_states.payer_id
),

final as (
    select
        unanswered.claim_record_id,
        unanswered.claim_id,
        unanswered.payer_id,
        unanswered.payer_name,
        unanswered.charge_amount,
        unanswered.service_date_from,
        unanswered.submitted_date,
        case
            when exists (select 1 from answered where answered.claim_id = unanswered.claim_id) then 'remitted under another payer'
            else 'no remittance received'
        end as reason,
        files.source_file,
        submissions.locator
    from unanswered
    inner join submissions on submissions.claim_record_id = unanswered.claim_record_id
    inner join files on files.file_id = submissions.file_id
)

select * from final
