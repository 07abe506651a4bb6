-- Adds the month ends new_months.sql found (kept in the temp table new_months) to ledger_months (etl/ledger.py).
insert into ledger_months select period_end from new_months
