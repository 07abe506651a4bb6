-- Adds a model's rows (the source) to the ledger table of the same columns (the table, named with its catalog):
-- etl/ledger.py _replace_rows.
insert into {table} by name select * from {source}
