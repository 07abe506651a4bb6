-- One row per payer and aging bucket: open insurance A/R as of a date, aged by date of service or by first submission.
-- A table macro: select * from ar_aging(date '2026-11-26', 'service') (or 'submission'). Self-pay is left out.
create or replace macro ar_aging(as_of, basis) as table

with

balances as (
    select * from claim_balances(as_of)
),

payer_rules as (
    select * from stg_reference__payer_rules
),

open_insurance as (
    select balances.*
    from balances
    left join payer_rules on payer_rules.payer_id = balances.payer_id
    where balances.balance_amount > 0 and not coalesce(payer_rules.is_self_pay, false)
),

final as (
    select
        payer_id,
        any_value(payer_name) as payer_name,
        case when basis = 'submission' then submission_aging_bucket else aging_bucket end as aging_bucket,
        count(*) as claim_count,
        sum(balance_amount) as balance_amount
    from open_insurance
    group by payer_id, case when basis = 'submission' then submission_aging_bucket else aging_bucket end
)

select * from final
