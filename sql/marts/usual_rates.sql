-- One row per payer, procedure and modifiers: the usual rate as of a date, the median allowed per unit (an amount
-- actually allowed, never an interpolation) that the payer allowed on lines it paid as primary in the 365 days before
-- as_of, once it has at least 5 such lines. A table macro: select * from usual_rates(date '2026-11-26').
-- The history is paid_line_rates (the lines counted per rate), so a click reads thousands of rows, not millions.
create or replace macro usual_rates(as_of) as table

with

history_window as (
    select 365 as days, 5 as min_lines
),

rates_in_window as (
    select payer_id, procedure_code, modifiers, allowed_per_unit, sum(line_count) as line_count
    from paid_line_rates
    where payment_date <= as_of and payment_date > as_of - (select days from history_window)
    group by all
),

ranked_rates as (
    select
        *,
        sum(line_count) over (partition by payer_id, procedure_code, modifiers order by allowed_per_unit
                              rows between unbounded preceding and current row) as lines_up_to_rate,
        sum(line_count) over (partition by payer_id, procedure_code, modifiers) as history_lines
    from rates_in_window
),

final as (
    -- the median as quantile_disc(0.5) takes it: the rate of the ceil(n / 2)-th line in rate order
    select
        payer_id,
        procedure_code,
        modifiers,
        min(allowed_per_unit) filter (where lines_up_to_rate >= (history_lines + 1) // 2) as usual_allowed_per_unit,
        any_value(history_lines)::bigint as history_lines
    from ranked_rates
    group by payer_id, procedure_code, modifiers
    having any_value(history_lines) >= (select min_lines from history_window)
)

select * from final
