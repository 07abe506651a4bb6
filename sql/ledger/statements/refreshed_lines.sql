-- One row per primary paid line of the claims being refreshed (ledger_refresh_claims): the lines rate_counts.sql
-- reads during a refresh (etl/ledger.py).
select claim_paid_lines.* from ledger_refresh_claims inner join claim_paid_lines using (claim_id)
