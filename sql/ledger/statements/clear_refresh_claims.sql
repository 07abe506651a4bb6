-- Empties ledger_refresh_claims, before a refresh lists its claims and after it is done (etl/ledger.py).
delete from ledger_refresh_claims
