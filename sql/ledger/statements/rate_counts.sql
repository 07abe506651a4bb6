-- One row per payer, procedure, modifiers, payment date and allowed amount per unit, with how many primary paid lines
-- were allowed it: each paid line's place in the rate history underpaid_lines reads. The lines are claim_paid_lines
-- or the refreshed claims' rows of it (refreshed_lines.sql). Summed into paid_line_rates by etl/ledger.py and
-- etl/spark/marts.py.
select payer_id, procedure_code, modifiers, payment_date,
    round(allowed_amount / units, 2)::decimal(18, 2) as allowed_per_unit, count(*) as line_count
from {lines}
where allowed_amount > 0
group by all
