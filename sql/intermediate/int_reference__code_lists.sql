-- One row per CARC and per RARC as the pages describe it and the loader checks it: the shipped lists
-- (etl/reference/carc.csv, rarc.csv), overridden code by code by the latest version `claimscope reference update`
-- loaded, which also carries the dates X12 publishes. A code past its stop date is deactivated. A RARC whose
-- description starts 'Alert:' is an alert, not a reason.
with

carc as (
    select * from stg_reference__carc
),

rarc as (
    select * from stg_reference__rarc
),

loaded as (
    select * from stg_reference__code_list_entries
),

versions as (
    select 'carc' as list_name, 0 as version_id, carc_code as code, carc_description as description, false as is_alert,
        status, null::date as start_date, null::date as stop_date
    from carc
    union all
    select 'rarc', 0, rarc_code, rarc_description, is_alert, status, null::date, null::date
    from rarc
    union all
    select
        list_name,
        version_id,
        code,
        description,
        coalesce(description ilike 'alert:%', false),
        case when stop_date < current_date then 'deactivated' else 'current' end,
        start_date,
        stop_date
    from loaded
),

final as (
    select
        list_name,
        code,
        description,
        is_alert,
        status,
        start_date,
        stop_date
    from versions
    qualify row_number() over (partition by list_name, code order by version_id desc) = 1
)

select * from final
