-- One row per service line of a claim's current payment that the payer allowed below its contract rate, or below its
-- usual rate where no contract sets one, as of a date. A table macro: select * from underpaid_lines(date '2026-11-26').
-- The contract rate is the loaded fee schedule's (int_fee_schedules__rates) for the payer, procedure and modifiers in
-- effect on the line's date of service; a rate for the claim's place of service (CLM05-1) beats one for any place.
-- Without one, the payer's own recent history is the contract a biller can check against: the usual rate
-- (usual_rates). A line is underpaid when its allowed amount is below rate x units by more than the payer's tolerance
-- (sql/macros/payer_rules.sql); the shortfall is what an appeal would ask for, and the line's CAS (2110) are listed
-- beside it as the payer's stated reasons for the difference.
-- A line the payer denied, in whole or in part, is worked as a denial (its amount stays in the claim's balance), so it
-- is never judged as underpaid too.
-- One pass over the lines, each carrying its claim's columns, so a filter on the claim (a drill-down, the sidebar's
-- scope) reaches claim_balances before any line is judged. The CAS text is the ledger's (claim_paid_lines), written
-- once by the loader rather than assembled from every CAS row at each click.
create or replace macro underpaid_lines(as_of) as table

with

balances as (
    select * from claim_balances(as_of)
),

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

contract_spans as (
    select * from int_fee_schedules__spans
),

rates_at_place as (
    select * from int_fee_schedules__rates
    where place_of_service is not null
),

-- Every rate a line can be judged by, as spans of its payer, procedure and modifiers, each with the payer's
-- tolerance: the contract's spans (the usual rate beside them for a gap), and one open span for a usual rate with no
-- contract. A small table, so the lines take their rate from it in one join, never a lookup per line.
rate_spans as (
    select
        coalesce(contract_spans.payer_id, rates.payer_id) as payer_id,
        coalesce(contract_spans.procedure_code, rates.procedure_code) as procedure_code,
        coalesce(contract_spans.modifiers, rates.modifiers) as modifiers,
        coalesce(contract_spans.first_date, date '0001-01-01') as first_date,
        coalesce(contract_spans.last_date, date '9999-12-31') as last_date,
        contract_spans.schedule_name,
        contract_spans.allowed_per_unit as contract_allowed_per_unit,
        rates.usual_allowed_per_unit,
        rates.history_lines,
        tolerances.tolerance_share
    from contract_spans
    full join rates
        on rates.payer_id = contract_spans.payer_id
        and rates.procedure_code = contract_spans.procedure_code
        and rates.modifiers = contract_spans.modifiers
    inner join tolerances on tolerances.payer_id is not distinct from coalesce(contract_spans.payer_id, rates.payer_id)
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
        -- a line with no date of its own was served on its claim's from date
        coalesce(paid_lines.service_date, balances.service_date_from) as line_service_date,
        balances.submitted_date,
        balances.last_remit_date,
        paid_lines.remit_claim_id,
        paid_lines.remit_line_id,
        paid_lines.line_number,
        paid_lines.procedure_code,
        paid_lines.modifiers,
        paid_lines.place_of_service,
        paid_lines.units,
        paid_lines.allowed_amount,
        paid_lines.cas_adjustments,
        paid_lines.locator
    from balances
    inner join paid_lines on paid_lines.remit_claim_id = balances.current_remit_claim_id
    where paid_lines.allowed_amount > 0 and not paid_lines.is_denied_line
),

judged as (
    -- a rate for the claim's place of service beats the span's rate for any place
    select
        current_lines.*,
        coalesce(at_place.schedule_name, rate_spans.schedule_name) as schedule_name,
        coalesce(at_place.allowed_per_unit, rate_spans.contract_allowed_per_unit) as contract_allowed_per_unit,
        rate_spans.usual_allowed_per_unit,
        rate_spans.history_lines,
        round(coalesce(at_place.allowed_per_unit, rate_spans.contract_allowed_per_unit, rate_spans.usual_allowed_per_unit)
              * current_lines.units, 2)::decimal(18, 2) as expected_allowed_amount,
        rate_spans.tolerance_share
    from current_lines
    inner join rate_spans
        on rate_spans.payer_id = current_lines.payer_id
        and rate_spans.procedure_code = current_lines.procedure_code
        and rate_spans.modifiers = current_lines.modifiers
        and current_lines.line_service_date between rate_spans.first_date and rate_spans.last_date
    left join rates_at_place as at_place
        on at_place.payer_id = current_lines.payer_id
        and at_place.procedure_code = current_lines.procedure_code
        and at_place.modifiers = current_lines.modifiers
        and at_place.place_of_service = current_lines.place_of_service
        and current_lines.line_service_date >= at_place.effective_from
        and (at_place.effective_to is null or current_lines.line_service_date <= at_place.effective_to)
),

underpaid as (
    select * from judged
    where allowed_amount < expected_allowed_amount * (1 - tolerance_share)
),

final as (
    select
        underpaid.claim_record_id,
        underpaid.claim_id,
        underpaid.payer_id,
        underpaid.payer_name,
        underpaid.patient_key,
        underpaid.rendering_npi,
        underpaid.service_date_from,
        underpaid.line_service_date,
        underpaid.submitted_date,
        underpaid.last_remit_date,
        underpaid.remit_claim_id,
        underpaid.remit_line_id,
        underpaid.line_number,
        underpaid.procedure_code,
        underpaid.modifiers,
        case when underpaid.contract_allowed_per_unit is null then 'usual rate' else 'contract' end as rate_basis,
        underpaid.schedule_name,
        underpaid.units,
        underpaid.allowed_amount,
        underpaid.contract_allowed_per_unit,
        underpaid.usual_allowed_per_unit,
        underpaid.history_lines,
        underpaid.expected_allowed_amount,
        underpaid.tolerance_share,
        (underpaid.expected_allowed_amount - underpaid.allowed_amount)::decimal(18, 2) as shortfall_amount,
        underpaid.cas_adjustments,
        underpaid.locator
    from underpaid
)

select * from final
