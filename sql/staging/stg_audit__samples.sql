-- One row per coding-audit sample drawn, with its seed, method and universe.
with

source as (
    select * from audit_samples
),

renamed as (
    select
        sample_id,
        drawn_at,
        seed,
        method,
        allocation,
        universe,
        universe_size,
        sample_size,
        coalesce(purpose, 'full') as purpose,
        probe_sample_id
    from source
)

select * from renamed
