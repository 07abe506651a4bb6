-- One row per 835 balancing identity that failed. The rows still load: the payer sent them and the money is real.
create table if not exists balancing_issues (
    file_id        integer not null,
    payment_id     bigint not null,
    remit_claim_id bigint,                 -- NULL for the BPR identity
    remit_line_id  bigint,                 -- set for the SVC identity
    identity       varchar not null,       -- BPR02 = sum CLP04 - sum PLB; CLP03 - sum CAS = CLP04; SVC02 - sum CAS = SVC03
    expected       decimal(18,2) not null, -- right-hand side as computed from the other segments
    actual         decimal(18,2) not null, -- the amount the payer sent
    difference     decimal(18,2) not null, -- actual - expected
    locator        varchar not null
);
