-- One row per submission of a claim with the file and segment (or line) it came from. Read by the claim drill-down.
with

submissions as (
    select * from int_claims__submissions
),

files as (
    select * from stg_loader__source_files
),

final as (
    select
        submissions.claim_record_id,
        submissions.claim_id,
        submissions.payer_id,
        submissions.payer_name,
        submissions.patient_key,
        submissions.rendering_npi,
        submissions.coder_id,
        submissions.frequency_code,
        submissions.service_date_from,
        submissions.submitted_date,
        submissions.charge_amount,
        files.source_file,
        submissions.locator
    from submissions
    inner join files on files.file_id = submissions.file_id
)

select * from final
