-- One row per payer on a claim, a remittance or the rules file (one row with payer_id NULL for claims that name none), with the rules that apply to it
-- (etl/reference/payer_rules.csv). The two rules every mart shares are written here and nowhere else:
--   the fallback: a payer not listed takes the '*' row's days and tolerance;
--   insurance only: a payer is insurance unless its rule marks it self-pay; self-pay claims are billed to the
--   patient, never answered by an 835, and left out of A/R, the worklist, KPIs and timelines.
with

rules as (
    select * from stg_reference__payer_rules
),

claims as (
    select * from stg_837__claims
),

payments as (
    select * from stg_835__payments
),

payers as (
    select payer_id from claims
    union
    select payer_id from payments
    union
    select payer_id from rules where payer_id <> '*'
),

final as (
    select
        payers.payer_id,
        coalesce(listed.expected_days_to_pay, fallback.expected_days_to_pay) as expected_days_to_pay,
        coalesce(listed.timely_filing_days, fallback.timely_filing_days) as timely_filing_days,
        coalesce(listed.appeal_window_days, fallback.appeal_window_days) as appeal_window_days,
        coalesce(listed.underpayment_tolerance_share, fallback.underpayment_tolerance_share)
            as underpayment_tolerance_share,
        not coalesce(listed.is_self_pay, false) as is_insurance
    from payers
    left join rules as listed on listed.payer_id = payers.payer_id
    cross join (select * from rules where payer_id = '*') as fallback
)

select * from final
