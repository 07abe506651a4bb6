-- One row per key of a summed table (monthly_ar, paid_line_rates): the rows' measures times +1 or -1, to be added to
-- the table (etl/ledger.py _add). The key columns, the signed measures and the rows are filled in by _add.
create or replace temp table summed_delta as select {key}, {signed} from ({rows})
