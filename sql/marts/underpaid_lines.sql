-- One row per service line of a claim's current payment that the payer allowed below its usual rate, as of a date.
-- A table macro: select * from underpaid_lines(date '2026-11-26').
-- Without a loaded fee schedule, the payer's own recent history is the contract a biller can check against: the
-- usual rate is the median allowed per unit (an amount actually allowed, never an interpolation) that the same payer
-- allowed for the same procedure and modifiers on lines it paid as primary in the 365 days before as_of, once it has
-- at least 5 such lines. A line is underpaid when its allowed amount is below usual rate x units by more than the
-- payer's tolerance (etl/reference/payer_rules.csv); the shortfall is what an appeal would ask for.
-- Allowed is AMT*B6, or paid plus the line's patient responsibility when the payer sent no AMT*B6.
create or replace macro underpaid_lines(as_of) as table

with

history_window as (
    select 365 as days, 5 as min_lines
),

claim_payments as (
    select * from stg_835__claim_payments
),

payments as (
    select * from stg_835__payments
),

adjustments as (
    select * from int_adjustments__classified
),

service_lines as (
    select * from stg_835__service_lines
),

line_patient_responsibility as (
    select remit_line_id, sum(adjustment_amount) as amount
    from adjustments
    where group_code = 'PR' and remit_line_id is not null
    group by remit_line_id
),

payer_rules as (
    select * from int_payers__rules
),

-- A line the payer denied, in whole or in part, is worked as a denial (its amount stays in the claim's balance),
-- so it is never judged as underpaid too.
denied_lines as (
    select distinct remit_line_id
    from adjustments
    where remit_line_id is not null and group_code <> 'PR' and adjustment_class = 'denial'
),

primary_paid_lines as (
    select
        lines.remit_line_id,
        lines.remit_claim_id,
        lines.line_number,
        payments.payer_id,
        payments.payment_date,
        lines.procedure_code,
        coalesce(array_to_string(lines.modifiers, ':'), '') as modifiers,
        coalesce(lines.units, 1) as units,
        coalesce(lines.allowed_amount, lines.paid_amount + coalesce(line_patient_responsibility.amount, 0))::decimal(18, 2)
            as allowed_amount,
        lines.locator
    from service_lines as lines
    inner join claim_payments on claim_payments.remit_claim_id = lines.remit_claim_id
    inner join payments on payments.payment_id = claim_payments.payment_id
    left join line_patient_responsibility on line_patient_responsibility.remit_line_id = lines.remit_line_id
    -- 1 and 19 are processed as primary; a secondary's allowed echoes another payer's contract
    where claim_payments.claim_status_code in ('1', '19')
        and payments.payment_date <= as_of
        and lines.procedure_code is not null
        and coalesce(lines.units, 1) > 0
),

usual_rates as (
    select
        payer_id,
        procedure_code,
        modifiers,
        -- a per-unit rate is a quotient: rounded to the cent before it is compared
        quantile_disc(round(allowed_amount / units, 2)::decimal(18, 2), 0.5) as usual_allowed_per_unit,
        count(*) as history_lines
    from primary_paid_lines
    where allowed_amount > 0 and payment_date > as_of - (select days from history_window)
    group by payer_id, procedure_code, modifiers
    having count(*) >= (select min_lines from history_window)
),

current_lines as (
    select
        balances.claim_record_id,
        balances.claim_id,
        balances.payer_id,
        balances.payer_name,
        balances.patient_key,
        balances.rendering_npi,
        balances.service_date_from,
        balances.submitted_date,
        balances.last_remit_date,
        primary_paid_lines.* exclude (payer_id)
    from claim_balances(as_of) as balances
    inner join primary_paid_lines on primary_paid_lines.remit_claim_id = balances.current_remit_claim_id
    where primary_paid_lines.allowed_amount > 0
        and primary_paid_lines.remit_line_id not in (select remit_line_id from denied_lines)
),

judged as (
    select
        current_lines.*,
        usual_rates.usual_allowed_per_unit,
        usual_rates.history_lines,
        round(usual_rates.usual_allowed_per_unit * current_lines.units, 2)::decimal(18, 2) as expected_allowed_amount,
        payer_rules.underpayment_tolerance_share as tolerance_share
    from current_lines
    inner join usual_rates
        on usual_rates.payer_id = current_lines.payer_id
        and usual_rates.procedure_code = current_lines.procedure_code
        and usual_rates.modifiers = current_lines.modifiers
    inner join payer_rules on payer_rules.payer_id is not distinct from current_lines.payer_id
),

final as (
    select
        claim_record_id,
        claim_id,
        payer_id,
        payer_name,
        patient_key,
        rendering_npi,
        service_date_from,
        submitted_date,
        last_remit_date,
        remit_claim_id,
        remit_line_id,
        line_number,
        procedure_code,
        modifiers,
        units,
        allowed_amount,
        usual_allowed_per_unit,
        history_lines,
        expected_allowed_amount,
        tolerance_share,
        (expected_allowed_amount - allowed_amount)::decimal(18, 2) as shortfall_amount,
        locator
    from judged
    where allowed_amount < expected_allowed_amount * (1 - tolerance_share)
)

select * from final
