-- One row per Remittance Advice Remark Code in effect for the pages and the loader (int_reference__code_lists explains which list wins).
with

codes as (
    select * from int_reference__code_lists
    where list_name = 'rarc'
),

final as (
    select
        code as rarc_code,
        description as rarc_description,
        is_alert,
        status,
        start_date,
        stop_date
    from codes
)

select * from final
