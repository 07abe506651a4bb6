-- One row per claim id of a submission or a remittance: the claims a rebuild derives (etl/ledger.py rebuild,
-- etl/spark/marts.py build_ledger).
select claim_id from claims union select claim_id from remit_claims
