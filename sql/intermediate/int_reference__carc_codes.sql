-- One row per Claim Adjustment Reason Code in effect for the pages and the loader (int_reference__code_lists explains which list wins).
with

codes as (
    select * from int_reference__code_lists
    where list_name = 'carc'
),

final as (
    select
        code as carc_code,
        description as carc_description,
        status,
        start_date,
        stop_date
    from codes
)

select * from final
