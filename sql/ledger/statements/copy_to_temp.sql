-- Copies a model's rows (the source) into a temp table (the name) derived once and read by the ledger tables after
-- it in place of the model (etl/ledger.py _replace_rows, _add_new_months).
create or replace temp table {name} as select * from {source}
