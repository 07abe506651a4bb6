-- One row per remark code (RARC) on an 835 claim (MIA/MOA) or line (LQ*HE).
with

source as (
    select * from remit_remarks
),

renamed as (
    select
        remit_claim_id,
        remit_line_id,
        code as rarc_code,
        source as source_segment,
        file_id,
        locator
    from source
)

select * from renamed
