-- One row per headline figure: its benchmark (a 0-1 share, or days), which direction is better, and the source.
with

source as (
    select * from ref_kpi_benchmarks
),

renamed as (
    select
        kpi,
        benchmark::double as benchmark,
        direction,
        label,
        source
    from source
)

select * from renamed
