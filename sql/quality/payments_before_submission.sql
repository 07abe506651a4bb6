-- One row per claim payment dated before the claim it pays was submitted: a date that cannot be right.
with

matches as (
    select * from int_claim_payments__matched_to_claims
),

final as (
    select
        matches.remit_claim_id,
        matches.claim_id,
        matches.payer_id,
        matches.trace_number,
        matches.submitted_date,
        matches.payment_date,
        matches.submitted_date - matches.payment_date as days_early,
        matches.locator
    from matches
    where matches.payment_date < matches.submitted_date
)

select * from final
