-- One row per service line of a claim's current payment that the payer allowed below its usual rate, as of a date.
-- A table macro: select * from underpaid_lines(date '2026-11-26').
-- Without a loaded fee schedule, the payer's own recent history is the contract a biller can check against: the
-- usual rate (usual_rates). A line is underpaid when its allowed amount is below usual rate x units by more than the
-- payer's tolerance (sql/macros/payer_rules.sql); the shortfall is what an appeal would ask for.
-- A line the payer denied, in whole or in part, is worked as a denial (its amount stays in the claim's balance), so it
-- is never judged as underpaid too.
create or replace macro underpaid_lines(as_of) as table

with

paid_lines as (
    select * from claim_paid_lines
    where payment_date <= as_of
),

tolerances as (
    select payer_id, payer_rules(payer_id).underpayment_tolerance_share as tolerance_share
    from (select distinct payer_id from claim_paid_lines)
),

rates as (
    select * from usual_rates(as_of)
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
        rates.usual_allowed_per_unit,
        rates.history_lines,
        round(rates.usual_allowed_per_unit * current_lines.units, 2)::decimal(18, 2) as expected_allowed_amount,
        tolerances.tolerance_share
    from current_lines
    inner join tolerances on tolerances.payer_id is not distinct from current_lines.payer_id
    inner join rates
        on rates.payer_id = current_lines.payer_id
        and rates.procedure_code = current_lines.procedure_code
        and rates.modifiers = current_lines.modifiers
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
