-- The A/R aging bucket for a number of days: 0-30, 31-60, 61-90, 91-120, 120+. A scalar macro used by the marts.
create or replace macro aging_bucket(days) as
    case
        when days <= 30 then '0-30'
        when days <= 60 then '31-60'
        when days <= 90 then '61-90'
        when days <= 120 then '91-120'
        else '120+'
    end
