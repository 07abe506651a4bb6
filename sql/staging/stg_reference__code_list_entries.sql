-- One row per code of each CARC or RARC list version `claimscope reference update` loaded, with its X12 dates.
with

source as (
    select * from code_list_entries
),

renamed as (
    select
        version_id,
        list_name,
        code,
        description,
        start_date,
        stop_date
    from source
)

select * from renamed
