-- One row per first adjudication with the coder of the claim and whether the denial was coding-related (CARC category
-- coding_bundling): an independent signal of coder accuracy, from payers rather than auditors.
with

firsts as (
    select * from initial_adjudications
),

final as (
    select
        firsts.*,
        firsts.is_denied and firsts.carc_category = 'coding_bundling' as is_coding_denial
    from firsts
)

select * from final
