-- What a CARC means for the money (etl/reference/carc_categories.csv), as one struct: its adjustment class
-- (contractual, denial, other; 'other' for a code not listed), denial category, and whether that is usually preventable.
-- Read the class together with the group code: PR-45 moves money to the patient, not off the books.
create or replace macro carc_class(adjusted_carc_code) as (
    select {
        'adjustment_class': coalesce(max(carc.adjustment_class), 'other'),
        'carc_category': max(carc.carc_category),
        'is_preventable': coalesce(bool_or(carc.is_preventable), false)
    }
    from stg_reference__carc_categories as carc
    where carc.carc_code = adjusted_carc_code
)
