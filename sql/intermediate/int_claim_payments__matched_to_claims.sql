-- One row per claim payment, with the claim submission it pays (by CLP01 = CLM01 and payer) or why none.
-- match_status: matched; secondary payer (a crossover: CLP02 2 or 3 from a payer the claim was not sent to,
-- matched to the claim sent to the primary); no claim on file; payer mismatch (the claim id exists under
-- another payer); claim id reused (two original claims share the id and payer, so the payment cannot be placed).
with

claim_payments as (
    select * from stg_835__claim_payments
),

payments as (
    select * from stg_835__payments
),

submissions as (
    select * from int_claims__submissions
),

claim_ids as (
    select
        claim_id,
        payer_id,
        count(*) filter (where is_original) as original_count
    from submissions
    group by claim_id, payer_id
),

paid_by_payer as (
    select
        claim_payments.*,
        payments.payer_id,
        payments.payment_date,
        payments.trace_number
    from claim_payments
    inner join payments on payments.payment_id = claim_payments.payment_id
),

candidates as (
    select
        paid_by_payer.remit_claim_id,
        submissions.claim_record_id,
        -- the same payer's latest submission sent on or before the payment is the one it answers
        row_number() over (
            partition by paid_by_payer.remit_claim_id
            order by (submissions.payer_id = paid_by_payer.payer_id) desc,
                (submissions.submitted_date <= paid_by_payer.payment_date) desc, submissions.submitted_date desc,
                submissions.claim_record_id desc
        ) as preference
    from paid_by_payer
    inner join submissions on submissions.claim_id = paid_by_payer.claim_id
),

statuses as (
    select
        paid_by_payer.*,
        case
            when not exists (select 1 from claim_ids where claim_ids.claim_id = paid_by_payer.claim_id) then 'no claim on file'
            when same_payer.claim_id is null and paid_by_payer.claim_status_code in ('2', '3') then 'secondary payer'
            when same_payer.claim_id is null then 'payer mismatch'
            when same_payer.original_count > 1 then 'claim id reused'
            else 'matched'
        end as match_status
    from paid_by_payer
    left join claim_ids as same_payer
        on same_payer.claim_id = paid_by_payer.claim_id and same_payer.payer_id = paid_by_payer.payer_id
),

final as (
    select
        statuses.*,
        case when statuses.match_status in ('matched', 'secondary payer') then candidates.claim_record_id end as claim_record_id
    from statuses
    left join candidates
        on candidates.remit_claim_id = statuses.remit_claim_id and candidates.preference = 1
)

select * from final
