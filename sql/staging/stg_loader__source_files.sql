-- One row per file the loader has seen.
with

source as (
    select * from source_files
),

renamed as (
    select
        file_id,
        path as source_file,
        sha256,
        kind,
        loaded_at,
        status,
        records_loaded,
        records_quarantined,
        message,
        size_bytes,
        is_synthetic
    from source
)

select * from renamed
