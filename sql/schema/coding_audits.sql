-- One row per code an auditor reviewed on a claim, from a coding-audits CSV.
create table if not exists coding_audits (
    claim_id      varchar not null,       -- claims.claim_id
    coder_id      varchar not null,       -- who coded the claim
    auditor_id    varchar not null,       -- who reviewed it
    audit_date    date not null,
    code_type     varchar not null,       -- CPT, HCPCS or ICD10
    original_code varchar,                -- code the coder assigned (NULL when the finding is `missing`)
    audited_code  varchar,                -- code the auditor says is right (NULL when the finding is `extra`)
    finding       varchar not null,       -- agree, upcoded, downcoded, wrong_code, missing, extra
    dollar_impact decimal(18,2) not null, -- change in expected reimbursement, dollars; negative when overbilled
    file_id       integer not null,
    locator       varchar not null
);
