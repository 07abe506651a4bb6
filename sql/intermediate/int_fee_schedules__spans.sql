-- One row per payer, procedure and modifiers a contract names and span of dates of service, end to end from the first
-- day to the last: the contract rate for any place of service in effect over the span, or none (before the first
-- rate, between two, after the last). Read by underpaid_lines, which joins a line to the one span holding its date:
-- one join over the lines, where a contract and a fallback would take two.
with

rates as (
    select * from int_fee_schedules__rates
),

keys as (
    select distinct payer_id, procedure_code, modifiers from rates
),

anywhere as (
    select
        *,
        coalesce(effective_to, date '9999-12-31') as last_date,
        lag(coalesce(effective_to, date '9999-12-31')) over (
            partition by payer_id, procedure_code, modifiers order by effective_from
        ) as previous_last_date
    from rates
    where place_of_service is null
),

contract_spans as (
    select payer_id, procedure_code, modifiers, schedule_name, allowed_per_unit, effective_from as first_date, last_date
    from anywhere
),

gaps_before as (
    select
        payer_id,
        procedure_code,
        modifiers,
        null::varchar as schedule_name,
        null::decimal(18, 2) as allowed_per_unit,
        coalesce(previous_last_date + 1, date '0001-01-01') as first_date,
        effective_from - 1 as last_date
    from anywhere
    where coalesce(previous_last_date + 1, date '0001-01-01') < effective_from
),

gaps_after as (
    select
        payer_id,
        procedure_code,
        modifiers,
        null::varchar as schedule_name,
        null::decimal(18, 2) as allowed_per_unit,
        max(last_date) + 1 as first_date,
        date '9999-12-31' as last_date
    from anywhere
    group by payer_id, procedure_code, modifiers
    having max(last_date) < date '9999-12-31'
),

-- keys whose every rate is for one place of service: no rate for any place, ever
placed_only as (
    select
        keys.payer_id,
        keys.procedure_code,
        keys.modifiers,
        null::varchar as schedule_name,
        null::decimal(18, 2) as allowed_per_unit,
        date '0001-01-01' as first_date,
        date '9999-12-31' as last_date
    from keys
    anti join anywhere using (payer_id, procedure_code, modifiers)
),

final as (
    select * from contract_spans
    union all
    select * from gaps_before
    union all
    select * from gaps_after
    union all
    select * from placed_only
)

select * from final
