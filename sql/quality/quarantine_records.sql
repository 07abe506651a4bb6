-- One row per quarantined input record, with its file and the kind of problem. Read by the data-quality page.
with

quarantined as (
    select * from stg_loader__quarantine
),

files as (
    select * from stg_loader__source_files
),

final as (
    select
        files.file_id,
        files.source_file,
        files.kind,
        quarantined.locator,
        -- the expectation or check that failed, without the value: what a biller filters on
        case
            when quarantined.reason like 'expect_%' then split_part(quarantined.reason, ' failed on', 1)
            when quarantined.reason like 'transaction set %rejected: %' then split_part(split_part(quarantined.reason, 'rejected: ', 2), ':', 1)
            when quarantined.locator = 'file' then 'file could not be read'
            else regexp_replace(quarantined.reason, '''[^'']*''', '…', 'g')
        end as problem,
        quarantined.reason,
        quarantined.raw,
        quarantined.quarantined_at
    from quarantined
    inner join files on files.file_id = quarantined.file_id
)

select * from final
