-- Adds summed_merged's rows to the summed table (the table), leaving out a key whose first measure sums to nothing
-- (etl/ledger.py _add).
insert into {table} by name select * from summed_merged where {first_measure} <> 0
