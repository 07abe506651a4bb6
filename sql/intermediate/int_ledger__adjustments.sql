-- One row per CAS triplet (835 loops 2100 and 2110) of the claims being re-derived, with what its CARC does to the
-- money (sql/macros/carc_class.sql), classed after the claims are picked so a refresh classes only its own rows.
with

refresh as (
    select * from ledger_refresh_claims
),

claim_payments as (
    select claim_payments.remit_claim_id
    from refresh
    inner join stg_835__claim_payments as claim_payments on claim_payments.claim_id = refresh.claim_id
),

final as (
    select
        adjustments.*,
        carc_class(adjustments.carc_code).adjustment_class as adjustment_class,
        carc_class(adjustments.carc_code).carc_category as carc_category,
        carc_class(adjustments.carc_code).is_preventable as is_preventable
    from claim_payments
    inner join stg_835__adjustments as adjustments on adjustments.remit_claim_id = claim_payments.remit_claim_id
)

select * from final
