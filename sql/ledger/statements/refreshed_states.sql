-- One row per claim state of the claims being refreshed (ledger_refresh_claims): the states contributions.sql
-- reads during a refresh (etl/ledger.py).
select claim_states.* from ledger_refresh_claims inner join claim_states using (claim_id)
