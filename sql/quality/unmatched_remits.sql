-- One row per claim payment that could not be tied to a claim on file, with the reason. Read by the data-quality page.
with

matches as (
    select * from int_claim_payments__matched_to_claims
),

files as (
    select * from stg_loader__source_files
),

final as (
    select
        matches.remit_claim_id,
        matches.claim_id,
        matches.payer_id,
        matches.trace_number,
        matches.claim_status_code,
        matches.paid_amount,
        matches.payment_date,
        matches.match_status as reason,
        files.source_file,
        matches.locator
    from matches
    inner join files on files.file_id = matches.file_id
    where matches.match_status not in ('matched', 'secondary payer')
)

select * from final
