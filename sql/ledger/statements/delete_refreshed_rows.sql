-- Deletes the rows of the claims being refreshed (ledger_refresh_claims) from one ledger table (the table, named with
-- its catalog) before they are derived anew (etl/ledger.py _replace_rows).
delete from {table} where claim_id in (select claim_id from ledger_refresh_claims)
