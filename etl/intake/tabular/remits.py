"""Remittance CSV intake: one row per adjustment (or per line, or per claim), payment and claim fields repeated."""

from __future__ import annotations

import polars as pl

from etl.intake.tabular.common import (
    AMOUNT, DATE, INTEGER, LINE, QUANTITY, Column, append_problem, disagreeing_header, locator,
    quarantine_with_group, read_checked, split_good_bad, split_list,
)
from etl.intake.tabular.mapping import ColumnMapping
from etl.intake.records import ParsedFile

LAYOUT = [
    Column("trace_number", required=True),
    Column("payer_id"),
    Column("payer_name"),
    Column("payee_npi"),
    Column("payment_method"),
    Column("payment_amount", AMOUNT, required=True),
    Column("payment_date", DATE, required=True),
    Column("claim_id", required=True),
    Column("claim_status_code", required=True),
    Column("claim_charge", AMOUNT, required=True),
    Column("claim_paid", AMOUNT, required=True),
    Column("patient_responsibility", AMOUNT),
    Column("payer_claim_id"),
    Column("filing_indicator"),
    Column("received_date", DATE),
    Column("service_date_from", DATE),
    Column("service_date_to", DATE),
    Column("line_number", INTEGER),
    Column("procedure_code"),
    Column("modifiers"),
    Column("line_charge", AMOUNT),
    Column("line_paid", AMOUNT),
    Column("allowed", AMOUNT),
    Column("units", QUANTITY),
    Column("line_service_date", DATE),
    Column("group_code"),
    Column("reason_code"),
    Column("adjustment_amount", AMOUNT),
    Column("adjustment_quantity", QUANTITY),
    Column("remark_codes"),
]
SIGNATURE = {"trace_number", "claim_id", "claim_status_code", "claim_paid"}
PAYMENT_KEY = ["trace_number", "payer_id"]
CLAIM_KEY = PAYMENT_KEY + ["claim_id", "claim_status_code", "payer_claim_id"]
LINE_KEY = CLAIM_KEY + ["line_number"]
PAYMENT_FIELDS = ["payer_name", "payee_npi", "payment_method", "payment_amount", "payment_date"]
CLAIM_FIELDS = [
    "claim_charge", "claim_paid", "patient_responsibility", "filing_indicator",
    "received_date", "service_date_from", "service_date_to",
]
LINE_FIELDS = ["procedure_code", "modifiers", "line_charge", "line_paid", "allowed", "units", "line_service_date"]


def parse_remits_csv(text: str, mapping: ColumnMapping) -> ParsedFile:
    """Parse a remittance CSV into payments, remit claims, service lines, adjustments and remarks."""
    original, rows, quarantined = read_checked(text, LAYOUT, mapping)
    rows = append_problem(rows, _incomplete_line_problem())
    rows = append_problem(rows, _incomplete_adjustment_problem())
    rows = disagreeing_header(rows, PAYMENT_KEY, PAYMENT_FIELDS, "this payment")
    rows = disagreeing_header(rows, CLAIM_KEY, CLAIM_FIELDS, "this remit claim")
    rows = disagreeing_header(rows, LINE_KEY, LINE_FIELDS, "this service line")
    rows = quarantine_with_group(rows, CLAIM_KEY, "this remit claim")
    good, bad = split_good_bad(rows, original)
    good = good.sort(LINE)
    payments = _numbered(good, PAYMENT_KEY, "payment_id")
    claims = _numbered(good, CLAIM_KEY, "remit_claim_id").join(payments.select(PAYMENT_KEY + ["payment_id"]), on=PAYMENT_KEY, nulls_equal=True)
    claims = claims.join(good.group_by(CLAIM_KEY).len("_line_count"), on=CLAIM_KEY, nulls_equal=True)
    lines = _numbered(good.filter(pl.col("line_number").is_not_null()), LINE_KEY, "remit_line_id")
    lines = lines.join(claims.select(CLAIM_KEY + ["remit_claim_id"]), on=CLAIM_KEY, nulls_equal=True)
    detail = good.join(claims.select(CLAIM_KEY + ["remit_claim_id"]), on=CLAIM_KEY, nulls_equal=True).join(
        lines.select(LINE_KEY + ["remit_line_id"]), on=LINE_KEY, how="left", nulls_equal=True
    )
    return ParsedFile(
        kind="remits_csv",
        tables={
            "remit_payments": _payments(payments),
            "remit_claims": _claims(claims),
            "remit_service_lines": _lines(lines),
            "remit_adjustments": _adjustments(detail),
            "remit_remarks": _remarks(detail),
        },
        quarantine=quarantined + bad,
        records_loaded=good.height,
    )


def _incomplete_line_problem() -> pl.Expr:
    missing = pl.col("line_charge").is_null() | pl.col("line_paid").is_null()
    return pl.when(pl.col("line_number").is_not_null() & missing).then(pl.lit("a service line needs line_charge and line_paid"))


def _incomplete_adjustment_problem() -> pl.Expr:
    parts = [pl.col(name).is_not_null() for name in ("group_code", "reason_code", "adjustment_amount")]
    some, every = parts[0] | parts[1] | parts[2], parts[0] & parts[1] & parts[2]
    return pl.when(some & ~every).then(pl.lit("an adjustment needs group_code, reason_code and adjustment_amount"))


def _numbered(rows: pl.DataFrame, key: list[str], id_name: str) -> pl.DataFrame:
    firsts = rows.group_by(key, maintain_order=True).first()
    return firsts.with_row_index(id_name).with_columns(pl.col(id_name).cast(pl.Int64))


def _payments(payments: pl.DataFrame) -> pl.DataFrame:
    return payments.select(
        "payment_id", "trace_number", "payer_id", "payer_name", "payee_npi",
        pl.lit(None, pl.Utf8).alias("payee_name"),
        pl.col("payment_method").alias("method"),
        pl.col("payment_amount").alias("amount"),
        "payment_date",
        locator(),
    )


def _claims(claims: pl.DataFrame) -> pl.DataFrame:
    return claims.select(
        "remit_claim_id", "payment_id", "claim_id",
        pl.col("claim_status_code").alias("status_code"),
        pl.col("claim_charge").alias("charge"),
        pl.col("claim_paid").alias("paid"),
        "patient_responsibility", "filing_indicator", "payer_claim_id",
        "received_date", "service_date_from", "service_date_to",
        locator(),
        "_line_count",  # CSV lines behind this remit claim, so a quarantined claim is counted in lines
    )


def _lines(lines: pl.DataFrame) -> pl.DataFrame:
    return lines.select(
        "remit_line_id", "remit_claim_id", "line_number",
        pl.lit("HC").alias("procedure_qualifier"),
        "procedure_code",
        split_list("modifiers"),
        pl.col("line_charge").alias("charge"),
        pl.col("line_paid").alias("paid"),
        pl.col("units").fill_null(1),
        "allowed",
        pl.coalesce("line_service_date", "service_date_from").alias("service_date"),
        locator(),
    )


def _adjustments(detail: pl.DataFrame) -> pl.DataFrame:
    return detail.filter(pl.col("group_code").is_not_null()).select(
        "remit_claim_id", "remit_line_id", "group_code", "reason_code",
        pl.col("adjustment_amount").alias("amount"),
        pl.col("adjustment_quantity").alias("quantity"),
        locator(),
    )


def _remarks(detail: pl.DataFrame) -> pl.DataFrame:
    return (
        detail.select("remit_claim_id", "remit_line_id", split_list("remark_codes").alias("code"), LINE)
        .explode("code")
        .filter(pl.col("code").is_not_null())
        .unique(["remit_claim_id", "remit_line_id", "code"], keep="first", maintain_order=True)
        .select("remit_claim_id", "remit_line_id", "code", pl.lit("CSV").alias("source"), locator())
    )
