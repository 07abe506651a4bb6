-- One row per payer claims were sent to: its name and the span of dates on its claims. Read by the sidebar.
with

submissions as (
    select * from stg_837__claims
),

by_payer as (
    select
        payer_id,
        arg_max(payer_name, submitted_date) as payer_name,
        min(service_date_from) as first_service_date,
        max(service_date_from) as last_service_date,
        min(submitted_date) as first_submitted_date,
        max(submitted_date) as last_submitted_date
    from submissions
    group by payer_id
),

final as (
    select
        *,
        payer_rules(payer_id).is_insurance as is_insurance
    from by_payer
)

select * from final
