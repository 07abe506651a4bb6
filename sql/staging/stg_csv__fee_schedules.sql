-- One row per contract rate as a fee-schedule CSV set it: an amount per unit, or a percentage of a base schedule.
-- Modifiers are ':'-joined as on paid lines ('' for none); the percentage is a share (1.2 for 120%).
with

source as (
    select * from fee_schedules
),

renamed as (
    select
        schedule_name,
        payer_id,
        base_schedule_name,
        procedure_code,
        coalesce(array_to_string(modifiers, ':'), '') as modifiers,
        place_of_service,
        allowed_per_unit,
        (percent_of_base / 100)::decimal(12, 5) as base_share,
        effective_from,
        effective_to,
        file_id,
        locator
    from source
)

select * from renamed
