-- Lists one part ($part of $parts, by hash) of every claim (the claims, all_claims.sql) in ledger_refresh_claims: a
-- rebuild derives the claims a part at a time, so its peak memory is a part's (etl/ledger.py rebuild).
insert into ledger_refresh_claims
select claim_id from ({claims})
where hash(claim_id) % $parts = $part
