-- The month ends monthly_ar holds: from the month of the first claim state to the month of the latest event.
create table if not exists ledger_months (
    month_end date primary key
);
