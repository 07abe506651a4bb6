-- One row per payer, procedure, modifiers, payment date and allowed amount per unit, with how many primary paid lines
-- were allowed it: each paid line's place in the rate history underpaid_lines reads. The lines are claim_paid_lines
-- or the refreshed claims' rows of it (refreshed_lines.sql). Summed into paid_line_rates by etl/ledger.py and
-- etl/spark/marts.py.
-- Allowed per unit to the cent, half up, from whole cents and thousandths of a unit: DuckDB divides two DECIMALs as
-- DOUBLEs, which took 99.99 over 2 units (49.995) down to 49.99 where Spark's DECIMAL gave 50.00. floor((2n + d) / 2d)
-- is n / d rounded half up, and it is exact in a DOUBLE while 2,000 times the cents stays below 2^53 ($45 billion).
select payer_id, procedure_code, modifiers, payment_date,
    (floor((2000 * (allowed_amount * 100)::bigint + (units * 1000)::bigint) / (2 * (units * 1000)::bigint))::decimal(18, 0)
        * 0.01)::decimal(18, 2) as allowed_per_unit,
    count(*) as line_count
from {lines}
where allowed_amount > 0 and units > 0  -- a rate per unit needs units (SVC05 is 1 when omitted)
group by all
