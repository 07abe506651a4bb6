-- One row per payer rule (etl/reference/payer_rules.csv); payer_id '*' is the rule for any payer not listed.
with

source as (
    select * from ref_payer_rules
),

renamed as (
    select
        payer_id,
        payer_name,
        expected_days_to_pay::integer as expected_days_to_pay,
        timely_filing_days::integer as timely_filing_days,
        appeal_window_days::integer as appeal_window_days,
        appeal_decision_days::integer as appeal_decision_days,
        is_self_pay::boolean as is_self_pay,
        underpayment_tolerance_share::decimal(5, 4) as underpayment_tolerance_share
    from source
)

select * from renamed
