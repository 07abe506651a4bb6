"""Claims CSV intake: one row per claim line, claim header fields repeated on each line."""

from __future__ import annotations

import polars as pl

from etl.intake.tabular.common import (
    AMOUNT, DATE, INTEGER, LINE, QUANTITY, Column, append_problem, disagreeing_header, locator,
    quarantine_with_group, read_checked, split_good_bad, split_list,
)
from etl.intake.tabular.mapping import ColumnMapping
from etl.intake.patients import PatientHasher
from etl.intake.records import ParsedFile

CLAIM_TYPES = ("professional", "institutional")
LAYOUT = [
    Column("claim_id", required=True),
    Column("payer_id"),
    Column("payer_name"),
    Column("member_id", holds_phi=True),
    Column("patient_last_name", holds_phi=True),
    Column("patient_first_name", holds_phi=True),
    Column("patient_birth_date", DATE, holds_phi=True),
    Column("billing_npi"),
    Column("rendering_npi"),
    Column("coder_id"),
    Column("claim_type", allowed=CLAIM_TYPES),
    Column("frequency_code"),
    Column("place_of_service"),
    Column("service_date_from", DATE, required=True),
    Column("service_date_to", DATE),
    Column("submitted_date", DATE, required=True),
    Column("total_charge", AMOUNT, required=True),
    Column("line_number", INTEGER, required=True),
    Column("procedure_code", required=True),
    Column("modifiers"),
    Column("units", QUANTITY),
    Column("line_charge", AMOUNT, required=True),
    Column("line_service_date", DATE),
    Column("diagnosis_codes"),
]
# One claim submission: a corrected claim (frequency 7) reuses the claim_id on another day.
CLAIM_KEY = ["claim_id", "submitted_date", "frequency_code"]
# The columns that make a CSV a claims file (after mapping).
SIGNATURE = {"claim_id", "procedure_code", "line_charge", "total_charge"}
CLAIM_HEADER = [column.name for column in LAYOUT[:17]] + ["diagnosis_codes"]


def parse_claims_csv(text: str, hasher: PatientHasher, mapping: ColumnMapping) -> ParsedFile:
    """Parse a claims CSV into claims, claim_lines, claim_diagnoses and patients frames."""
    original, rows, quarantined = read_checked(text, LAYOUT, mapping)
    rows = disagreeing_header(rows, CLAIM_KEY, CLAIM_HEADER, "this claim")
    rows = append_problem(rows, _duplicate_line_problem())
    rows = append_problem(rows, _unbalanced_claim_problem())
    rows = quarantine_with_group(rows, CLAIM_KEY, "this claim")
    good, bad = split_good_bad(rows, original)
    claim_heads = good.sort(LINE).group_by(CLAIM_KEY, maintain_order=True).first()
    claim_heads = claim_heads.with_row_index("claim_record_id").with_columns(pl.col("claim_record_id").cast(pl.Int64))
    claim_heads = _with_patient_keys(claim_heads, hasher)
    record_ids = claim_heads.select(*CLAIM_KEY, "claim_record_id")
    lines = good.join(record_ids, on=CLAIM_KEY, nulls_equal=True)
    return ParsedFile(
        kind="claims_csv",
        tables={
            "patients": _patients(claim_heads),
            "claims": _claims(claim_heads),
            "claim_lines": _claim_lines(lines),
            "claim_diagnoses": _claim_diagnoses(claim_heads),
        },
        quarantine=quarantined + bad,
        records_loaded=good.height,
    )


def _duplicate_line_problem() -> pl.Expr:
    is_repeat = pl.col(LINE).rank("ordinal").over([*CLAIM_KEY, "line_number"]) > 1
    return pl.when(is_repeat & pl.col("line_number").is_not_null()).then(
        pl.format("line_number {} appears twice for this claim", pl.col("line_number"))
    )


def _unbalanced_claim_problem() -> pl.Expr:
    # 837 rule carried over: CLM02 must equal the sum of the line charges (SV102/SV203).
    line_total = pl.col("line_charge").sum().over(CLAIM_KEY)
    return pl.when(pl.col("total_charge") != line_total).then(
        pl.format("total_charge {} does not equal the sum of the claim's line charges {}", pl.col("total_charge"), line_total)
    )


def _with_patient_keys(heads: pl.DataFrame, hasher: PatientHasher) -> pl.DataFrame:
    people = heads.select("member_id", pl.col("patient_last_name").alias("last_name"), pl.col("patient_first_name").alias("first_name"))
    return heads.with_columns(hasher.patient_keys(people))


def _patients(heads: pl.DataFrame) -> pl.DataFrame:
    return (
        heads.filter(pl.col("patient_key").is_not_null())
        .select(
            "patient_key",
            "member_id",
            pl.col("patient_last_name").alias("last_name"),
            pl.col("patient_first_name").alias("first_name"),
            pl.col("patient_birth_date").alias("birth_date"),
        )
        .unique("patient_key", keep="first", maintain_order=True)
    )


def _claims(heads: pl.DataFrame) -> pl.DataFrame:
    return heads.select(
        "claim_record_id",
        "claim_id",
        "payer_id",
        "payer_name",
        "patient_key",
        "billing_npi",
        pl.coalesce("rendering_npi", "billing_npi").alias("rendering_npi"),
        "coder_id",
        pl.col("claim_type").fill_null("professional"),
        pl.col("frequency_code").fill_null("1"),
        "place_of_service",
        "service_date_from",
        pl.coalesce("service_date_to", "service_date_from").alias("service_date_to"),
        "submitted_date",
        "total_charge",
        locator(),
    )


def _claim_lines(lines: pl.DataFrame) -> pl.DataFrame:
    return lines.select(
        "claim_record_id",
        "claim_id",
        "line_number",
        "procedure_code",
        split_list("modifiers"),
        pl.lit(None, pl.Utf8).alias("revenue_code"),
        pl.col("units").fill_null(1),
        pl.col("line_charge").alias("charge"),
        pl.coalesce("line_service_date", "service_date_from").alias("service_date"),
        locator(),
    )


def _claim_diagnoses(heads: pl.DataFrame) -> pl.DataFrame:
    return (
        heads.select("claim_record_id", "claim_id", split_list("diagnosis_codes").alias("code"), locator())
        .explode("code")
        .filter(pl.col("code").is_not_null())
        .with_columns(
            (pl.col("code").cum_count().over("claim_record_id")).cast(pl.Int32).alias("position"),
            pl.col("code").str.replace_all(".", "", literal=True).str.to_uppercase(),
        )
        .with_columns(pl.when(pl.col("position") == 1).then(pl.lit("ABK")).otherwise(pl.lit("ABF")).alias("qualifier"))
        .select("claim_record_id", "claim_id", "position", "code", "qualifier", "locator")
    )
