-- One row per structural warning of a loaded file (an envelope count or control number that does not check out),
-- with the file. The records loaded: a provider cannot send an ERA back. Read by the data-quality page.
with

warnings as (
    select * from stg_loader__load_warnings
),

files as (
    select * from stg_loader__source_files
),

final as (
    select
        files.file_id,
        files.source_file,
        files.kind,
        files.status,
        warnings.locator,
        warnings.warning
    from warnings
    inner join files on files.file_id = warnings.file_id
)

select * from final
