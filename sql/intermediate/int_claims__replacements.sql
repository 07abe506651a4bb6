-- One row per replacement (CLM05-3 7) or void (8) submission, tied to the claim it replaces: the same claim id sent
-- earlier to the same payer, else the claim whose remittance from that payer carried the payer claim control number
-- (CLP07) that the submission's REF*F8 names (005010X222A1 / X223A2 loop 2300). link_status says which tie was found,
-- or why none was. The ledger closes a claim replaced under another claim id (int_ledger__claim_events).
with

submissions as (
    select * from stg_837__claims
),

by_control_number as (
    select * from int_claims__replaced_by_control_number
),

changes as (
    select * from submissions
    where frequency_code in ('7', '8')
),

same_claim_id as (
    select changes.claim_record_id
    from changes
    where exists (
        select 1 from submissions as earlier
        where earlier.claim_id = changes.claim_id
            and earlier.payer_id is not distinct from changes.payer_id
            and earlier.claim_record_id <> changes.claim_record_id
            and earlier.submitted_date <= changes.submitted_date
    )
),

final as (
    select
        changes.claim_record_id,
        changes.claim_id,
        changes.payer_id,
        changes.frequency_code,
        changes.original_payer_claim_id,
        changes.submitted_date,
        coalesce(by_control_number.replaced_claim_id, case when same_claim_id.claim_record_id is not null then changes.claim_id end)
            as replaced_claim_id,
        case
            when by_control_number.replaced_claim_id is not null and by_control_number.replaced_claim_id <> changes.claim_id
                then 'payer claim control number'
            when by_control_number.replaced_claim_id is not null or same_claim_id.claim_record_id is not null then 'claim id'
            when changes.original_payer_claim_id is null then 'no earlier claim with this id, and no REF*F8'
            else 'no earlier claim with this id, and no remittance carries its REF*F8'
        end as link_status,
        changes.file_id,
        changes.locator
    from changes
    left join same_claim_id on same_claim_id.claim_record_id = changes.claim_record_id
    left join by_control_number on by_control_number.claim_record_id = changes.claim_record_id
)

select * from final
