-- One row per remark code (RARC) on a claim id's remittances, with its description.
with

remarks as (
    select * from stg_835__remarks
),

payments as (
    select * from stg_835__claim_payments
),

files as (
    select * from stg_loader__source_files
),

rarc as (
    select * from int_reference__rarc_codes
),

final as (
    select
        payments.claim_id,
        remarks.remit_claim_id,
        remarks.rarc_code as code,
        code_description(rarc.rarc_description) as description,
        remarks.source_segment as source,
        files.source_file,
        remarks.locator
    from remarks
    inner join payments on payments.remit_claim_id = remarks.remit_claim_id
    inner join files on files.file_id = remarks.file_id
    left join rarc on rarc.rarc_code = remarks.rarc_code
)

select * from final
