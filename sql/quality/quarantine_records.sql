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
        -- the expectation or check that failed, without the value: what a biller filters on. A suite's refusal in words
        -- (expectations/*.json meta.refusal) shows its value quoted, or bare after ' is ' (-5.00, 2031-10-20, 60
        -- characters); a quoted value follows a space, so the apostrophe of "the line's" opens no quote.
        case
            when quarantined.reason like 'expect_%' then split_part(quarantined.reason, ' failed on', 1)
            when quarantined.reason like 'transaction set %rejected: %' then split_part(split_part(quarantined.reason, 'rejected: ', 2), ':', 1)
            when quarantined.locator = 'file' then 'file could not be read'
            else regexp_replace(
                regexp_replace(quarantined.reason, ' ''[^'']*''', ' …', 'g'), ' is -?[0-9]+([,.-][0-9]+)*', ' is …', 'g'
            )
        end as problem,
        quarantined.reason,
        quarantined.raw,
        quarantined.quarantined_at
    from quarantined
    inner join files on files.file_id = quarantined.file_id
)

select * from final
