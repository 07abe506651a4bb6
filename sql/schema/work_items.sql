-- One row per claim id a biller has taken up on the work queue: who owns it, where it stands, when to look again.
-- Written by the dashboard and `claimscope work` (etl/work/items.py); the loader moves an item to resolved when a later
-- file pays the claim in full, voids it or replaces it. A claim with no row here is "new" and unassigned.
create table if not exists work_items (
    claim_id        varchar primary key,
    owner_name      varchar,            -- the user it is assigned to; NULL: unassigned
    status          varchar not null,   -- new, in_progress, waiting_on_payer, appealed, resolved, written_off
    follow_up_date  date,               -- when to look at it again; NULL: none set
    status_reason   varchar,            -- why claimscope set the status (paid in full on ..., voided by ...); NULL if a person did
    updated_at      timestamp not null, -- UTC
    updated_by      varchar not null    -- a user name, or 'claimscope load' for an automatic change
);
