-- Lists the claim ids a load touched ($ids) in ledger_refresh_claims: the claims a refresh re-derives (etl/ledger.py).
insert into ledger_refresh_claims select unnest($ids::varchar[])
