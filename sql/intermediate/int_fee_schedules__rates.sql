-- One row per contract rate a payer's line can be judged by, in dollars per unit, with the dates of service it covers:
-- the amount rows as loaded, and each percentage row resolved against its base schedule's amount rows for the same
-- procedure and modifiers over the dates both are in effect (a base updated mid-year splits the rate). Read by
-- underpaid_lines.
-- A rate loaded again (same schedule, payer, procedure, modifiers, place and start) in a later file replaces the
-- earlier one. A rate runs until its effective_to or until the next rate for the same payer, procedure, modifiers and
-- place starts, whichever is first, so a line has at most one rate for its place and one for any place. A base
-- schedule is one with amounts; a percentage of a percentage is not resolved, and a percentage row whose base is not
-- loaded yet sets no rate until it is.
with

schedules as (
    select * from stg_csv__fee_schedules
    qualify row_number() over (
        partition by schedule_name, payer_id, procedure_code, modifiers, place_of_service, effective_from
        order by file_id desc
    ) = 1
),

amounts as (
    select * from schedules
    where allowed_per_unit is not null
),

percentages as (
    select * from schedules
    where base_share is not null
),

resolved as (
    select
        percentages.schedule_name,
        percentages.payer_id,
        percentages.base_schedule_name,
        percentages.procedure_code,
        percentages.modifiers,
        -- a base rate for one place of service makes the percentage row's rate for that place only
        coalesce(percentages.place_of_service, base.place_of_service) as place_of_service,
        percentages.base_share,
        round(base.allowed_per_unit * percentages.base_share, 2)::decimal(18, 2) as allowed_per_unit,
        greatest(percentages.effective_from, base.effective_from) as effective_from,
        -- least() skips NULLs, so an open end takes the other's end
        least(percentages.effective_to, base.effective_to) as effective_to
    from percentages
    inner join amounts as base
        on base.schedule_name = percentages.base_schedule_name
        and base.procedure_code = percentages.procedure_code
        and base.modifiers = percentages.modifiers
        and (base.place_of_service is null or percentages.place_of_service is null
             or base.place_of_service = percentages.place_of_service)
        and base.effective_from <= coalesce(percentages.effective_to, date '9999-12-31')
        and percentages.effective_from <= coalesce(base.effective_to, date '9999-12-31')
),

payer_rates as (
    select
        schedule_name,
        payer_id,
        null::varchar as base_schedule_name,
        procedure_code,
        modifiers,
        place_of_service,
        null::decimal(12, 5) as base_share,
        allowed_per_unit,
        effective_from,
        effective_to
    from amounts
    where payer_id is not null
    union all
    select * from resolved
    where payer_id is not null
),

-- two schedules of one payer starting a rate on the same day: the first by name stands
one_per_start as (
    select * from payer_rates
    qualify row_number() over (
        partition by payer_id, procedure_code, modifiers, place_of_service, effective_from order by schedule_name
    ) = 1
),

final as (
    select
        schedule_name,
        payer_id,
        base_schedule_name,
        procedure_code,
        modifiers,
        place_of_service,
        base_share,
        allowed_per_unit,
        effective_from,
        least(effective_to, lead(effective_from) over (
            partition by payer_id, procedure_code, modifiers, place_of_service order by effective_from
        ) - 1) as effective_to
    from one_per_start
)

select * from final
