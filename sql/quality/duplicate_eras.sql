-- One row per payment (payer, trace number, amount) loaded from more than one file: the same ERA twice.
with

payments as (
    select * from stg_835__payments
),

files as (
    select * from stg_loader__source_files
),

final as (
    select
        payments.payer_id,
        payments.trace_number,
        payments.payment_amount,
        count(distinct payments.file_id) as file_count,
        list(distinct files.source_file order by files.source_file) as source_files
    from payments
    inner join files on files.file_id = payments.file_id
    group by payments.payer_id, payments.trace_number, payments.payment_amount
    having count(distinct payments.file_id) > 1
)

select * from final
