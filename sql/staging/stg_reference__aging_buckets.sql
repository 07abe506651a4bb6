-- One row per A/R aging bucket, in order (etl/reference/aging_buckets.csv); last_day NULL is open-ended.
with

source as (
    select * from ref_aging_buckets
),

renamed as (
    select
        aging_bucket,
        first_day::integer as first_day,
        nullif(last_day, '')::integer as last_day
    from source
)

select * from renamed
