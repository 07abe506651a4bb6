-- One row per claim and the coder who coded it, from a practice-management export (an 837 carries no coder).
-- stg_837__claims takes the coder from here when the claim itself does not name one.
create table if not exists claim_coders (
    claim_id  varchar not null, -- claims.claim_id
    coder_id  varchar not null, -- who assigned the codes
    file_id   integer not null,
    locator   varchar not null  -- `line N`
);
