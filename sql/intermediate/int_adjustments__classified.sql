-- One row per CAS triplet with its CARC's class and category (etl/reference/carc_categories.csv): contractual,
-- denial or other. Read the class together with the group code: PR-45 moves money to the patient, not off the books.
with

adjustments as (
    select * from stg_835__adjustments
),

carc as (
    select * from stg_reference__carc_categories
),

final as (
    select
        adjustments.remit_claim_id,
        adjustments.remit_line_id,
        adjustments.group_code,
        adjustments.carc_code,
        adjustments.adjustment_amount,
        adjustments.quantity,
        coalesce(carc.adjustment_class, 'other') as adjustment_class,
        carc.carc_category,
        coalesce(carc.is_preventable, false) as is_preventable,
        adjustments.file_id,
        adjustments.locator
    from adjustments
    left join carc on carc.carc_code = adjustments.carc_code
)

select * from final
