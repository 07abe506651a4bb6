-- One row per 835 balancing identity that failed, with the difference in dollars and where it is. Read by the data-quality page.
with

issues as (
    select * from stg_835__balancing_issues
),

payments as (
    select * from stg_835__payments
),

claim_payments as (
    select * from stg_835__claim_payments
),

files as (
    select * from stg_loader__source_files
),

final as (
    select
        issues.payment_id,
        issues.remit_claim_id,
        issues.remit_line_id,
        payments.payer_name,
        payments.trace_number,
        claim_payments.claim_id,
        issues.identity,
        issues.expected_amount,
        issues.actual_amount,
        issues.difference_amount,
        files.source_file,
        issues.locator
    from issues
    inner join payments on payments.payment_id = issues.payment_id
    left join claim_payments on claim_payments.remit_claim_id = issues.remit_claim_id
    inner join files on files.file_id = issues.file_id
)

select * from final
