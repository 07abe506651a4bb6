-- Records the ledger version ($version, etl/ledger.py LEDGER_VERSION) a rebuild derived the ledger with, in
-- ledger_versions, emptied first by clear_table.sql.
insert into ledger_versions values ($version, now()::timestamp)
