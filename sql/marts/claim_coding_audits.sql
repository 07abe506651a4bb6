-- One row per code an auditor reviewed on a claim id, every review kept, with the file and line it came from.
-- Read by the Claim page; audited_claims sums the latest review per claim.
with

audits as (
    select * from stg_csv__coding_audits
),

files as (
    select * from stg_loader__source_files
),

final as (
    select
        audits.claim_id,
        audits.coder_id,
        audits.auditor_id,
        audits.code_type,
        audits.original_code,
        audits.audited_code,
        audits.finding,
        audits.dollar_impact_amount,
        audits.audit_date,
        files.source_file,
        audits.locator
    from audits
    inner join files on files.file_id = audits.file_id
)

select * from final
