-- One row per insurance claim (claim id and payer) as of a date: claim_balances without self-pay, whose claims are
-- billed to the patient and left out of A/R, the worklist, the KPIs and the timelines (sql/macros/payer_rules.sql).
-- A table macro: select * from insurance_balances(date '2026-11-26'). The one place a balance is narrowed to
-- insurance; read by ar_aging, worklist, etl/reports/kpis.py, etl/reports/trends.py and the Overview and Timelines pages.
create or replace macro insurance_balances(as_of) as table

with

balances as (
    select * from claim_balances(as_of)
),

final as (
    select * from balances
    where is_insurance
)

select * from final
