-- Deletes a summed table's rows (the table) of the keys summed_delta holds, for summed_merged's to replace them
-- (etl/ledger.py _add).
delete from {table} where exists (select 1 from summed_delta as delta where {matches})
