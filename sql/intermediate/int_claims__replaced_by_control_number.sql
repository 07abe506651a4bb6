-- One row per replacement (CLM05-3 7) or void (8) whose REF*F8 names the payer claim control number (CLP07) of a
-- payment, from the same payer, of a claim: the claim it replaces (005010X222A1 / X223A2 loop 2300 REF*F8).
-- Kept apart from int_claims__replacements so the loader's refresh reads only this cheap join.
with

submissions as (
    select * from stg_837__claims
    where frequency_code in ('7', '8') and original_payer_claim_id is not null
),

claim_payments as (
    select * from stg_835__claim_payments
),

payments as (
    select * from stg_835__payments
),

final as (
    select
        submissions.claim_record_id,
        submissions.claim_id,
        submissions.payer_id,
        submissions.frequency_code,
        submissions.submitted_date,
        min(claim_payments.claim_id) as replaced_claim_id
    from submissions
    inner join claim_payments on claim_payments.payer_claim_id = submissions.original_payer_claim_id
    inner join payments on payments.payment_id = claim_payments.payment_id and payments.payer_id = submissions.payer_id
    group by all
)

select * from final
