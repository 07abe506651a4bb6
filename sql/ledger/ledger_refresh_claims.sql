-- The claim ids whose ledger rows the loader is re-deriving inside its transaction: empty between loads.
-- The int_ledger__* models read only these claims, so a refresh costs what the file touches, not the whole database.
create table if not exists ledger_refresh_claims (
    claim_id varchar primary key -- CLM01 / CLP01; every payer's claim under this id is re-derived together
);
