-- One row per Claim Adjustment Reason Code as the pages describe it and the loader checks it: the shipped
-- list (etl/reference/carc.csv), overridden code by code by the latest version `claimscope reference update` loaded,
-- which also carries the dates X12 publishes. A code past its stop date is deactivated.
with

shipped as (
    select * from stg_reference__carc
),

loaded as (
    select * from stg_reference__code_list_entries
    where list_name = 'carc'
),

versions as (
    select
        0 as version_id,
        carc_code,
        carc_description,
        status,
        null::date as start_date,
        null::date as stop_date
    from shipped
    union all by name
    select
        version_id,
        code as carc_code,
        description as carc_description,
        case when stop_date < current_date then 'deactivated' else 'current' end as status,
        start_date,
        stop_date
    from loaded
),

final as (
    select
        carc_code,
        carc_description,
        status,
        start_date,
        stop_date
    from versions
    qualify row_number() over (partition by carc_code order by version_id desc) = 1
)

select * from final
