-- One row per 835 balancing identity that failed (the rows still loaded).
with

source as (
    select * from balancing_issues
),

renamed as (
    select
        file_id,
        payment_id,
        remit_claim_id,
        remit_line_id,
        identity,
        expected as expected_amount,
        actual as actual_amount,
        difference as difference_amount,
        locator
    from source
)

select * from renamed
