-- One row per Remittance Advice Remark Code (an alert when its description starts 'Alert:') as the pages describe it and the loader checks it: the shipped
-- list (etl/reference/rarc.csv), overridden code by code by the latest version `claimscope reference update` loaded,
-- which also carries the dates X12 publishes. A code past its stop date is deactivated.
with

shipped as (
    select * from stg_reference__rarc
),

loaded as (
    select * from stg_reference__code_list_entries
    where list_name = 'rarc'
),

versions as (
    select
        0 as version_id,
        rarc_code,
        rarc_description,
        is_alert,
        status,
        null::date as start_date,
        null::date as stop_date
    from shipped
    union all by name
    select
        version_id,
        code as rarc_code,
        description as rarc_description,
        coalesce(description ilike 'alert:%', false) as is_alert,
        case when stop_date < current_date then 'deactivated' else 'current' end as status,
        start_date,
        stop_date
    from loaded
),

final as (
    select
        rarc_code,
        rarc_description,
        is_alert,
        status,
        start_date,
        stop_date
    from versions
    qualify row_number() over (partition by rarc_code order by version_id desc) = 1
)

select * from final
