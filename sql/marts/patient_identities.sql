-- One row per patient: name and member id (PHI). Only roles allowed PHI read it (etl/reference/access_policy.yaml).
with

patients as (
    select * from stg_837__patients
),

final as (
    select
        patient_key,
        last_name || ', ' || first_name as patient_name,
        member_id
    from patients
)

select * from final
