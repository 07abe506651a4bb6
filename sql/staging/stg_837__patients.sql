-- One row per patient: the only model that carries names and member ids (PHI). Read by patient_identities only.
with

source as (
    select * from patients
),

renamed as (
    select
        patient_key,
        member_id,
        last_name,
        first_name,
        birth_date
    from source
)

select * from renamed
