-- One row per remittance service line that could not be tied to a line of the claim it pays, with the reason
-- (int_ledger__line_matches explains the ties tried). Read by the data-quality page.
with

matches as (
    select * from remit_line_matches
    where claim_line_number is null
),

lines as (
    select * from stg_835__service_lines
),

files as (
    select * from stg_loader__source_files
),

final as (
    select
        matches.remit_line_id,
        matches.remit_claim_id,
        matches.claim_id,
        matches.line_number,
        lines.procedure_code,
        matches.paid_modifiers,
        lines.service_date,
        lines.paid_amount,
        matches.unmatched_reason as reason,
        files.source_file,
        matches.locator
    from matches
    inner join lines on lines.remit_line_id = matches.remit_line_id
    inner join files on files.file_id = lines.file_id
)

select * from final
