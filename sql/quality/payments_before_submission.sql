-- One row per claim payment dated before the claim it pays was submitted: a date that cannot be right.
with

matches as (
    select * from int_claim_payments__matched_to_claims
),

submissions as (
    select * from int_claims__submissions
),

final as (
    select
        matches.remit_claim_id,
        matches.claim_id,
        matches.payer_id,
        matches.trace_number,
        submissions.submitted_date,
        matches.payment_date,
        submissions.submitted_date - matches.payment_date as days_early,
        matches.locator
    from matches
    inner join submissions on submissions.claim_record_id = matches.claim_record_id
    where matches.payment_date < submissions.submitted_date
)

select * from final
