-- Empties one ledger table (the table) before a rebuild derives it anew (etl/ledger.py rebuild).
delete from {table}
