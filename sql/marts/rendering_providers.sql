-- One row per rendering provider NPI named on a claim. Read by the sidebar.
with

submissions as (
    select * from stg_837__claims
),

final as (
    select
        rendering_npi,
        count(distinct claim_id) as claim_count
    from submissions
    where rendering_npi is not null
    group by rendering_npi
)

select * from final
