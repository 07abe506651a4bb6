-- The claim_paid_lines rows of the claims being re-derived. 1 and 19 are processed as primary; a secondary's allowed
-- echoes another payer's contract. Allowed is AMT*B6, or paid plus the line's patient responsibility when the payer
-- sent no AMT*B6. A line the payer denied, in whole or in part, is marked: it is worked as a denial. The place of
-- service is the claim's (CLM05-1) on the submission the payment answers, for the contract rates that depend on it.
with

refresh as (
    select * from ledger_refresh_claims
),

claim_payments as (
    select claim_payments.*
    from refresh
    inner join stg_835__claim_payments as claim_payments on claim_payments.claim_id = refresh.claim_id
    where claim_payments.claim_status_code in ('1', '19')
),

payments as (
    select * from stg_835__payments
),

lines as (
    select lines.*
    from claim_payments
    inner join stg_835__service_lines as lines on lines.remit_claim_id = claim_payments.remit_claim_id
),

-- read from the submission events just derived for these claims, not from every claim on file
answered as (
    select remittances.remit_claim_id, any_value(submissions.place_of_service) as place_of_service
    from refresh
    inner join claim_events as remittances on remittances.claim_id = refresh.claim_id and remittances.event_kind = 'remittance'
    inner join claim_events as submissions
        on submissions.claim_id = refresh.claim_id and submissions.event_kind = 'submission'
        and submissions.claim_record_id = remittances.claim_record_id
    group by remittances.remit_claim_id
),

adjustments as (
    select * from int_ledger__adjustments
    where remit_line_id is not null
),

by_line as (
    select
        remit_line_id,
        sum(adjustment_amount) filter (where group_code = 'PR') as patient_responsibility_amount,
        bool_or(group_code <> 'PR' and adjustment_class = 'denial') as is_denied_line,
        string_agg(group_code || '-' || carc_code || ' ' || adjustment_amount::varchar, '; '
                   order by group_code, carc_code, adjustment_amount) as cas_adjustments
    from adjustments
    group by remit_line_id
),

final as (
    select
        lines.remit_line_id,
        lines.remit_claim_id,
        claim_payments.claim_id,
        lines.line_number,
        payments.payer_id,
        payments.payment_date,
        lines.service_date,
        lines.procedure_code,
        coalesce(array_to_string(lines.modifiers, ':'), '') as modifiers,
        answered.place_of_service,
        coalesce(lines.units, 1) as units,
        coalesce(lines.allowed_amount, lines.paid_amount + coalesce(by_line.patient_responsibility_amount, 0))::decimal(18, 2)
            as allowed_amount,
        coalesce(by_line.is_denied_line, false) as is_denied_line,
        by_line.cas_adjustments,
        lines.locator
    from lines
    inner join claim_payments on claim_payments.remit_claim_id = lines.remit_claim_id
    inner join payments on payments.payment_id = claim_payments.payment_id
    left join by_line on by_line.remit_line_id = lines.remit_line_id
    left join answered on answered.remit_claim_id = lines.remit_claim_id
    where lines.procedure_code is not null and coalesce(lines.units, 1) > 0
)

select * from final
