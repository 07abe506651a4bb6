-- One row per insurance claim with an open balance on one date (a month end): where that balance went by a later one.
-- A table macro: select * from ar_roll_forward(date '2026-09-30', date '2026-10-31'). Read by the roll-rate matrix
-- (etl/reports/roll_rates.py), which groups it by aging bucket after narrowing it to a scope.
-- Each claim's two states are lookups in claim_states (valid_from <= d < valid_to), aged by date of service as
-- monthly_ar ages them, so the balances on from_date add up to monthly_ar's for that month end. The balance's
-- own identity (charge - paid - contractual - patient responsibility, sql/intermediate/int_ledger__claim_states.sql)
-- splits the change between the two: what the current adjudication paid more, adjusted more (contractual write-offs)
-- and moved to the patient more, and what a replacement or void took away (a changed charge, or the whole balance
-- of a closed claim). So from_balance_amount = paid + adjusted + patient + corrected + to_balance_amount, to the cent.
create or replace macro ar_roll_forward(from_date, to_date) as table

with

from_states as (
    select * from claim_states
    where valid_from <= from_date and (valid_to is null or valid_to > from_date)
        and is_insurance and balance_amount > 0
),

to_states as (
    select * from claim_states
    where valid_from <= to_date and (valid_to is null or valid_to > to_date)
),

moved as (
    select
        from_states.claim_record_id,
        from_states.claim_id,
        from_states.payer_id,
        from_states.payer_name,
        from_states.rendering_npi,
        aging_bucket(from_date - from_states.service_date_from) as from_aging_bucket,
        case
            when to_states.balance_amount > 0 then aging_bucket(to_date - to_states.service_date_from)
        end as to_aging_bucket,
        from_states.balance_amount as from_balance_amount,
        (to_states.paid_amount - from_states.paid_amount)::decimal(18, 2) as paid_in_period_amount,
        (to_states.contractual_amount - from_states.contractual_amount)::decimal(18, 2) as adjusted_in_period_amount,
        (to_states.patient_responsibility_amount - from_states.patient_responsibility_amount)::decimal(18, 2)
            as moved_to_patient_in_period_amount,
        to_states.balance_amount as to_balance_amount,
        from_states.service_date_from,
        from_states.submitted_date
    from from_states
    inner join to_states on to_states.claim_id = from_states.claim_id and to_states.payer_id = from_states.payer_id
),

final as (
    select
        claim_record_id,
        claim_id,
        payer_id,
        payer_name,
        rendering_npi,
        from_aging_bucket,
        to_aging_bucket,
        from_balance_amount,
        paid_in_period_amount,
        adjusted_in_period_amount,
        moved_to_patient_in_period_amount,
        (from_balance_amount - paid_in_period_amount - adjusted_in_period_amount - moved_to_patient_in_period_amount
            - to_balance_amount)::decimal(18, 2) as corrected_in_period_amount,
        to_balance_amount,
        service_date_from,
        submitted_date
    from moved
)

select * from final
