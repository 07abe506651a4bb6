-- One row per expectation checked against one file's rows, or the whole database (file_id NULL).
with

source as (
    select * from validation_runs
),

renamed as (
    select
        file_id,
        suite,
        expectation,
        severity,
        success,
        evaluated_count,
        unexpected_count,
        sample_values,
        validated_at
    from source
)

select * from renamed
