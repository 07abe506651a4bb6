-- The remit_line_matches rows of the claims being re-derived: each service line of their payments tied to the claim
-- line it pays, in order of trust: the line item control number the 837 sent in REF*6R and the 835 echoes (2110
-- REF*6R); else the same procedure (SVC06 when the payer changed it; the revenue code for an NU line), modifiers,
-- units and date; else the same procedure and date, with the payer's modifier change recorded. A claim line pays
-- once per payment: when two service lines want it, the better tie, then the earlier line, takes it, and the line that
-- lost is tried once more on the claim lines still free (billed 99214-25 and 99214-59, paid 99214-25 and 99214: the
-- plain 99214 goes to the -59 line, with the change recorded, rather than untied).
with

refresh as (
    select * from ledger_refresh_claims
),

payments as (
    select claim_events.remit_claim_id, claim_events.claim_id, claim_events.claim_record_id
    from refresh
    inner join claim_events on claim_events.claim_id = refresh.claim_id
    where claim_events.event_kind = 'remittance'
),

remit_lines as (
    select
        payments.claim_id,
        payments.claim_record_id,
        lines.*,
        coalesce(lines.original_procedure_code, lines.procedure_code) as billed_code,
        coalesce(array_to_string(lines.modifiers, ':'), '') as paid_modifiers
    from payments
    inner join stg_835__service_lines as lines on lines.remit_claim_id = payments.remit_claim_id
),

claim_lines as (
    select
        lines.*,
        coalesce(array_to_string(lines.modifiers, ':'), '') as billed_modifiers
    from (select distinct claim_record_id from payments) as answered
    inner join stg_837__claim_lines as lines on lines.claim_record_id = answered.claim_record_id
),

pairs as (
    select
        remit_lines.remit_line_id,
        remit_lines.remit_claim_id,
        remit_lines.line_number,
        claim_lines.line_number as claim_line_number,
        claim_lines.billed_modifiers,
        case
            when remit_lines.line_control_number = claim_lines.line_control_number then 1
            when not same_code or not same_date then null
            when remit_lines.paid_modifiers = claim_lines.billed_modifiers
                and coalesce(remit_lines.units, 1) = coalesce(claim_lines.units, 1) then 2
            else 3
        end as tier
    from remit_lines
    inner join claim_lines on claim_lines.claim_record_id = remit_lines.claim_record_id,
    lateral (
        select
            case when remit_lines.procedure_qualifier = 'NU' then remit_lines.billed_code = claim_lines.revenue_code
                 else remit_lines.billed_code = claim_lines.procedure_code end is true as same_code,
            -- a line without a date of its own was served on its claim's date (both sides fill it at intake)
            coalesce(remit_lines.service_date = claim_lines.service_date, true) as same_date
    ) as compared
),

best_for_remit_line as (
    select *
    from pairs
    where tier is not null
    qualify row_number() over (
        partition by remit_line_id order by tier, abs(claim_line_number - line_number), claim_line_number
    ) = 1
),

ties as (
    select *
    from best_for_remit_line
    qualify row_number() over (
        partition by remit_claim_id, claim_line_number order by tier, line_number
    ) = 1
),

second_choice as (
    select pairs.*
    from pairs
    where pairs.tier is not null
        and not exists (from ties where ties.remit_line_id = pairs.remit_line_id)
        and not exists (
            from ties where ties.remit_claim_id = pairs.remit_claim_id and ties.claim_line_number = pairs.claim_line_number
        )
    qualify row_number() over (
        partition by pairs.remit_line_id order by pairs.tier, abs(pairs.claim_line_number - pairs.line_number), pairs.claim_line_number
    ) = 1
),

second_ties as (
    select *
    from second_choice
    qualify row_number() over (
        partition by remit_claim_id, claim_line_number order by tier, line_number
    ) = 1
),

all_ties as (
    select * from ties
    union all
    select * from second_ties
),

final as (
    select
        remit_lines.remit_line_id,
        remit_lines.remit_claim_id,
        remit_lines.claim_id,
        remit_lines.claim_record_id,
        remit_lines.line_number,
        ties.claim_line_number,
        case ties.tier
            when 1 then 'line control number'
            when 2 then 'procedure, modifiers, units and date'
            when 3 then 'procedure and date'
        end as match_method,
        coalesce(ties.tier = 3 and ties.billed_modifiers <> remit_lines.paid_modifiers, false) as is_modifier_changed,
        ties.billed_modifiers,
        remit_lines.paid_modifiers,
        case
            when ties.remit_line_id is not null then null
            when remit_lines.claim_record_id is null then 'its payment matches no claim on file'
            when best_for_remit_line.remit_line_id is not null then 'the claim line it matches is paid by another service line'
            else 'no line of the claim bills this procedure on this date'
        end as unmatched_reason,
        remit_lines.locator
    from remit_lines
    left join all_ties as ties on ties.remit_line_id = remit_lines.remit_line_id
    left join best_for_remit_line on best_for_remit_line.remit_line_id = remit_lines.remit_line_id
)

select * from final
