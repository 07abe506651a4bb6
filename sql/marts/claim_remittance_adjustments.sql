-- One row per CAS adjustment on a claim id's remittances, with the CARC's description and category.
with

adjustments as (
    select * from stg_835__adjustments
),

payments as (
    select * from stg_835__claim_payments
),

files as (
    select * from stg_loader__source_files
),

carc as (
    select * from int_reference__carc_codes
),

final as (
    select
        payments.claim_id,
        adjustments.remit_claim_id,
        case when adjustments.remit_line_id is null then 'claim' else 'line' end as level,
        adjustments.group_code,
        adjustments.carc_code as reason_code,
        code_description(carc.carc_description) as description,
        -- classed after the join, so a drill-down classes its own claim's rows, not every CAS on file
        carc_class(adjustments.carc_code).carc_category as carc_category,
        adjustments.adjustment_amount as amount,
        adjustments.quantity,
        files.source_file,
        adjustments.locator
    from adjustments
    inner join payments on payments.remit_claim_id = adjustments.remit_claim_id
    inner join files on files.file_id = adjustments.file_id
    left join carc on carc.carc_code = adjustments.carc_code
)

select * from final
