-- One row per CARC with its denial category, next action and adjustment class (etl/reference/carc_categories.csv).
with

source as (
    select * from ref_carc_categories
),

renamed as (
    select
        code as carc_code,
        category as carc_category,
        preventable = 'yes' as is_preventable,
        typical_action as next_action,
        adjustment_class
    from source
)

select * from renamed
