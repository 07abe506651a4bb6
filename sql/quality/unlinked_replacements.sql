-- One row per replacement (CLM05-3 7) or void (8) that could not be tied to the claim it replaces, with the reason
-- (int_claims__replacements). Its original, if on file, stays open. Read by the data-quality page.
with

replacements as (
    select * from int_claims__replacements
    where replaced_claim_id is null
),

files as (
    select * from stg_loader__source_files
),

final as (
    select
        replacements.claim_record_id,
        replacements.claim_id,
        replacements.payer_id,
        replacements.frequency_code,
        replacements.original_payer_claim_id,
        replacements.submitted_date,
        replacements.link_status as reason,
        files.source_file,
        replacements.locator
    from replacements
    inner join files on files.file_id = replacements.file_id
)

select * from final
