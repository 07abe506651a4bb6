-- One row per free-text note a biller wrote on a claim. Notes may hold PHI: they are never logged, and exports for a
-- role without PHI mask them.
create table if not exists work_item_notes (
    note_id    bigint primary key,
    claim_id   varchar not null,
    written_at timestamp not null,  -- UTC
    user_name  varchar not null,
    note_text  varchar not null
);
