-- One row per remark code (RARC) on an 835 claim (MIA/MOA) or line (LQ*HE).
create table if not exists remit_remarks (
    remit_claim_id bigint not null,  -- remit_claims.remit_claim_id
    remit_line_id  bigint,           -- NULL for a claim-level remark
    code           varchar not null, -- RARC, e.g. N130
    source         varchar not null, -- segment that carried it: MIA, MOA, LQ or CSV
    file_id        integer not null,
    locator        varchar not null
);
