-- Adds to ledger_refresh_claims each claim that a claim being refreshed replaces or voids under another claim id:
-- its state changes when its replacement is sent, so it is refreshed too (etl/ledger.py refresh).
insert into ledger_refresh_claims
select distinct replacements.replaced_claim_id
from int_claims__replaced_by_control_number as replacements
where replacements.claim_id in (select claim_id from ledger_refresh_claims)
    and replacements.replaced_claim_id not in (select claim_id from ledger_refresh_claims)
