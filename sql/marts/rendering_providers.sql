-- One row per rendering provider NPI named on a claim. Read by the sidebar.
with

submissions as (
    select * from stg_837__claims
),

final as (
    select distinct rendering_npi
    from submissions
    where rendering_npi is not null
)

select * from final
