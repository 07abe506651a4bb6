-- One value: the name of the database the connection writes to, so the ledger's own tables can be named with their
-- catalog while temp tables of the same names stand in for them (etl/ledger.py _replace_rows).
select current_database()
