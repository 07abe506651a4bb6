-- One row per problem found in a file that did not stop its records loading (an envelope count or control number).
with

source as (
    select * from load_warnings
),

renamed as (
    select
        file_id,
        locator,
        warning
    from source
)

select * from renamed
