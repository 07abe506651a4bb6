-- One row per change to a work item, oldest first: who changed which field, when, from what to what. Append-only.
-- A note's text is never copied here (it may hold PHI): its row says 'note <note_id>'.
create table if not exists work_item_history (
    change_id    bigint primary key,   -- 1, 2, 3, ... in the order written
    claim_id     varchar not null,
    changed_at   timestamp not null,   -- UTC
    user_name    varchar not null,     -- a user name, or 'claimscope load'
    field        varchar not null,     -- owner, status, follow_up_date, note, appeal, appeal_outcome
    before_value varchar,              -- NULL: nothing before
    after_value  varchar
);
