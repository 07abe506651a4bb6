-- One row per service line of a claim's current payment that the payer allowed below its usual rate, as of a date.
-- A table macro: select * from underpaid_lines(date '2026-11-26').
-- Without a loaded fee schedule, the payer's own recent history is the contract a biller can check against: the
-- usual rate is the median allowed per unit (an amount actually allowed, never an interpolation) that the same payer
-- allowed for the same procedure and modifiers on lines it paid as primary in the 365 days before as_of, once it has
-- at least 5 such lines. A line is underpaid when its allowed amount is below usual rate x units by more than the
-- payer's tolerance (sql/macros/payer_rules.sql); the shortfall is what an appeal would ask for.
-- A line the payer denied, in whole or in part, is worked as a denial (its amount stays in the claim's balance), so it
-- is never judged as underpaid too.
create or replace macro underpaid_lines(as_of) as table

with

history_window as (
    select 365 as days, 5 as min_lines
),

paid_lines as (
    select * from claim_paid_lines
    where payment_date <= as_of
),

usual_rates as (
    select
        payer_id,
        procedure_code,
        modifiers,
        -- a per-unit rate is a quotient: rounded to the cent before it is compared
        quantile_disc(round(allowed_amount / units, 2)::decimal(18, 2), 0.5) as usual_allowed_per_unit,
        count(*) as history_lines
    from paid_lines
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
        paid_lines.* exclude (claim_id, payer_id)
    from claim_balances(as_of) as balances
    inner join paid_lines on paid_lines.remit_claim_id = balances.current_remit_claim_id
    where paid_lines.allowed_amount > 0 and not paid_lines.is_denied_line
),

judged as (
    select
        current_lines.*,
        usual_rates.usual_allowed_per_unit,
        usual_rates.history_lines,
        round(usual_rates.usual_allowed_per_unit * current_lines.units, 2)::decimal(18, 2) as expected_allowed_amount,
        payer_rules(current_lines.payer_id).underpayment_tolerance_share as tolerance_share
    from current_lines
    inner join usual_rates
        on usual_rates.payer_id = current_lines.payer_id
        and usual_rates.procedure_code = current_lines.procedure_code
        and usual_rates.modifiers = current_lines.modifiers
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
