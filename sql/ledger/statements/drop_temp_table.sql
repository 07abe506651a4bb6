-- Drops a temp table copy_to_temp.sql made (the name), once the ledger tables that read it are derived
-- (etl/ledger.py _replace_rows).
drop table if exists temp.main.{name}
