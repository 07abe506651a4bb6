-- One row per first adjudication with the coder of the claim and whether the denial was coding-related (CARC category
-- coding_bundling): an independent signal of coder accuracy, from payers rather than auditors.
with

firsts as (
    select * from initial_adjudications
),

submissions as (
    select claim_record_id, coder_id from int_claims__submissions
),

final as (
    select
        firsts.*,
        submissions.coder_id,
        firsts.is_denied and firsts.carc_category = 'coding_bundling' as is_coding_denial
    from firsts
    inner join submissions on submissions.claim_record_id = firsts.claim_record_id
)

select * from final
