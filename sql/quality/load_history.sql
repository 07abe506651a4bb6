-- One row per file the loader has seen, newest first. Read by the data-quality page.
with

files as (
    select * from stg_loader__source_files
),

final as (
    select
        file_id,
        source_file,
        kind,
        status,
        records_loaded,
        records_quarantined,
        is_synthetic,
        loaded_at,
        message
    from files
)

select * from final
