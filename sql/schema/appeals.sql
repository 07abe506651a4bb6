-- One row per appeal a biller sent on a denied claim. The outcome is read from later 835s (sql/marts/appeal_outcomes.sql)
-- unless a person set it here.
create table if not exists appeals (
    appeal_id         bigint primary key,
    claim_id          varchar not null,
    payer_id          varchar not null,   -- the payer appealed to
    level             varchar not null,   -- first, second, external
    sent_date         date not null,
    decision_due_date date not null,      -- sent_date + the payer's appeal_decision_days (etl/reference/payer_rules.csv)
    recorded_at       timestamp not null, -- UTC
    recorded_by       varchar not null,
    outcome           varchar,            -- set by hand: overturned, partially_overturned, upheld; NULL: read from 835s
    outcome_date      date,               -- the decision's date when set by hand
    outcome_set_by    varchar
);
