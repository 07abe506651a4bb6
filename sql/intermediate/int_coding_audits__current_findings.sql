-- One row per current coding-audit finding: of each code an auditor reviewed on a claim (the claim, the code type and
-- the original code; the audited code for a code found missing), the rows of the latest file that reviewed it. A
-- worksheet corrected and loaded again so replaces its earlier findings for the same claims and codes, and the loader
-- says how many (etl/load/writing.py); coding_audits keeps every load as history. Read by audited_claims,
-- claim_coding_audits and audit_sample_results.
with

audits as (
    select * from stg_csv__coding_audits
),

files as (
    select * from stg_loader__source_files
),

loaded as (
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
        audits.file_id,
        files.source_file,
        audits.locator,
        files.loaded_at
    from audits
    inner join files on files.file_id = audits.file_id
),

final as (
    select *
    from loaded
    -- file ids rise with each load, so the latest load of a code wins; rows of one file sharing a code (the same
    -- procedure on two lines) all stay
    qualify file_id = max(file_id) over (
        partition by
            claim_id,
            code_type,
            original_code,
            case when original_code is null then audited_code end
    )
)

select * from final
