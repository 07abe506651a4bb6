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

-- each listed code classed once, so a drill-down filters its claim's rows before the join (a class per CAS row made
-- DuckDB class every CAS on file first); an unlisted code has no category either way
carc_categories as (
    select carc_code, carc_class(carc_code).carc_category as carc_category
    from (select distinct carc_code from stg_reference__carc_categories)
),

final as (
    select
        payments.claim_id,
        adjustments.remit_claim_id,
        case when adjustments.remit_line_id is null then 'claim' else 'line' end as level,
        adjustments.group_code,
        adjustments.carc_code as reason_code,
        code_description(carc.carc_description) as description,
        carc_categories.carc_category,
        adjustments.adjustment_amount as amount,
        adjustments.quantity,
        files.source_file,
        adjustments.locator
    from adjustments
    inner join payments on payments.remit_claim_id = adjustments.remit_claim_id
    inner join files on files.file_id = adjustments.file_id
    left join carc on carc.carc_code = adjustments.carc_code
    left join carc_categories on carc_categories.carc_code = adjustments.carc_code
)

select * from final
