-- One row per PLB adjustment pair: interest, recoupments, levies not tied to one claim.
create table if not exists provider_adjustments (
    payment_id  bigint not null,        -- remit_payments.payment_id
    provider_id varchar,                -- PLB01
    fiscal_date date,                   -- PLB02
    reason_code varchar not null,       -- PLB03-1 etc.: L6 interest, WO overpayment recovery, FB forwarding balance, ...
    reference   varchar,                -- PLB03-2 etc.
    amount      decimal(18,2) not null, -- dollars; positive reduces the payment, negative adds to it
    file_id     integer not null,
    locator     varchar not null
);
