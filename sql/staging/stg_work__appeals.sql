-- One row per appeal a biller recorded (sql/schema/appeals.sql).
with

source as (
    select * from appeals
),

renamed as (
    select
        appeal_id,
        claim_id,
        payer_id,
        level as appeal_level,
        sent_date,
        decision_due_date,
        recorded_by,
        outcome as manual_outcome,
        outcome_date as manual_outcome_date
    from source
)

select * from renamed
