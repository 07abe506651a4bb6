-- One row per patient. PHI lives here and only here; every fact table refers to patient_key.
create table if not exists patients (
    patient_key   varchar primary key, -- keyed hash (HMAC-SHA256) of member id and name; see etl/intake/patients.py
    member_id     varchar,             -- payer member / subscriber id (NM1*IL or NM1*QC NM109)
    last_name     varchar,
    first_name    varchar,
    birth_date    date                 -- DMG02 on the 837; NULL when only seen on an 835
);
