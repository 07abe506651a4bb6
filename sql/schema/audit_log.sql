-- One row per access event: sign-ins, page views, claim drill-downs, PHI reveals, exports, audit-sample draws, and
-- every work-queue change. Append-only: nothing in claimscope updates or deletes a row. Each row's hash covers its
-- fields and the previous row's hash, keyed with <db>.audit-key, and the last committed row is also kept in the
-- signed <db>.audit-head, so an edited, deleted or cut-off row is found (`claimscope audit-log --verify`).
create table if not exists audit_log (
    entry_id   bigint primary key,  -- 1, 2, 3, ... in the order written
    logged_at  timestamp not null,  -- UTC
    user_name  varchar not null,    -- who; 'unknown user' for a failed sign-in under a name that is no account
    role       varchar,             -- their role then; NULL for a failed sign-in
    action     varchar not null,    -- login, login_failed, logout, timeout, page_view, page_denied, claim_drilldown,
                                    -- phi_reveal, export, audit_sample_draw, upload, work_change, work_note, appeal
    object_ids varchar[] not null,  -- what it touched: page, claim ids, sample id, file name
    details    varchar not null,    -- JSON: filter values, row count, seed
    prev_hash  varchar not null,    -- hash of the previous row ('' for the first)
    entry_hash varchar not null     -- HMAC-SHA256 over this row's fields and prev_hash (plain SHA-256 before the key)
);
