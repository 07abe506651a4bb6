-- One row per key summed_delta holds: the summed table's row of that key, if any, plus the delta (etl/ledger.py
-- _add). The key columns, the summed measures, the table and the key match are filled in by _add.
create or replace temp table summed_merged as
select {key}, {summed}
from (
    select {table}.* from {table} where exists (select 1 from summed_delta as delta where {matches})
    union all by name
    select * from summed_delta
)
group by all
