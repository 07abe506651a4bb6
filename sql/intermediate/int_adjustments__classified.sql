-- One row per CAS triplet with its CARC's class and category (sql/macros/carc_class.sql).
with

adjustments as (
    select * from stg_835__adjustments
),

final as (
    select
        remit_claim_id,
        remit_line_id,
        group_code,
        carc_code,
        adjustment_amount,
        quantity,
        carc_class(carc_code).adjustment_class as adjustment_class,
        carc_class(carc_code).carc_category as carc_category,
        carc_class(carc_code).is_preventable as is_preventable,
        file_id,
        locator
    from adjustments
)

select * from final
