-- One row per open insurance claim as of a date, with its aging bucket by date of service or by first submission.
-- A table macro: select * from ar_aging(date '2026-11-26', 'service') (or 'submission'). Self-pay is left out.
-- Pages group it by payer and bucket after narrowing it to their scope (etl/reports/scope.py).
create or replace macro ar_aging(as_of, basis) as table

with

balances as (
    select * from insurance_balances(as_of)
),

open_insurance as (
    select *
    from balances
    where balance_amount > 0
),

final as (
    select
        claim_record_id,
        claim_id,
        payer_id,
        payer_name,
        rendering_npi,
        service_date_from,
        submitted_date,
        case when basis = 'submission' then submission_aging_bucket else aging_bucket end as aging_bucket,
        balance_amount
    from open_insurance
)

select * from final
