"""835 balancing identities: failures are recorded, never dropped; the payer sent the money."""

from __future__ import annotations

import polars as pl

from etl.intake.values import MONEY

_ZERO = pl.lit(0).cast(MONEY)
COLUMNS = ["payment_id", "remit_claim_id", "remit_line_id", "identity", "expected", "actual", "difference", "locator"]


def balancing_issues(tables: dict[str, pl.DataFrame], unverifiable: dict[int, str] | None = None) -> pl.DataFrame:
    """Rows where BPR02 = ΣCLP04 − ΣPLB, CLP03 − ΣCAS = CLP04, SVC02 − Σline CAS = SVC03, or CLP05 = ΣPR CAS fails;
    a payment in `unverifiable` (payment id: why, as a cut set or a quarantined PLB) keeps its BPR02 row, noted."""
    payments, claims, lines = tables["remit_payments"], tables["remit_claims"], tables["remit_service_lines"]
    adjustments, plb = tables["remit_adjustments"], tables["provider_adjustments"]
    claim_cas = adjustments.group_by("remit_claim_id").agg(pl.col("amount").sum().alias("cas"))
    line_cas = adjustments.filter(pl.col("remit_line_id").is_not_null()).group_by("remit_line_id").agg(pl.col("amount").sum().alias("cas"))
    paid = claims.group_by("payment_id").agg(pl.col("paid").sum().alias("clp04"))
    levied = plb.group_by("payment_id").agg(pl.col("amount").sum().alias("plb"))
    notes = pl.DataFrame({"payment_id": list(unverifiable or {}), "note": list((unverifiable or {}).values())},
                         schema={"payment_id": payments.schema["payment_id"], "note": pl.Utf8})
    identity = "BPR02 = sum CLP04 - sum PLB"
    payment_check = (
        payments.join(paid, on="payment_id", how="left")
        .join(levied, on="payment_id", how="left")
        .join(notes, on="payment_id", how="left")
        .select(
            "payment_id",
            pl.lit(None, pl.Int64).alias("remit_claim_id"),
            pl.lit(None, pl.Int64).alias("remit_line_id"),
            pl.when(pl.col("note").is_not_null()).then(pl.format(f"{identity} ({{}})", "note")).otherwise(pl.lit(identity)).alias("identity"),
            (pl.col("clp04").fill_null(_ZERO) - pl.col("plb").fill_null(_ZERO)).cast(MONEY).alias("expected"),
            pl.col("amount").alias("actual"),
            "locator",
            pl.col("note").is_not_null().alias("noted"),
        )
    )
    claim_check = claims.join(claim_cas, on="remit_claim_id", how="left").select(
        "payment_id",
        "remit_claim_id",
        pl.lit(None, pl.Int64).alias("remit_line_id"),
        pl.lit("CLP03 - sum CAS = CLP04").alias("identity"),
        (pl.col("charge") - pl.col("cas").fill_null(_ZERO)).cast(MONEY).alias("expected"),
        pl.col("paid").alias("actual"),
        "locator",
    )
    line_check = (
        lines.join(line_cas, on="remit_line_id", how="left")
        .join(claims.select("remit_claim_id", "payment_id"), on="remit_claim_id")
        .select(
            "payment_id",
            "remit_claim_id",
            "remit_line_id",
            pl.lit("SVC02 - sum line CAS = SVC03").alias("identity"),
            (pl.col("charge") - pl.col("cas").fill_null(_ZERO)).cast(MONEY).alias("expected"),
            pl.col("paid").alias("actual"),
            "locator",
        )
    )
    # CLP05 is the payer's total of what it moved to the patient; balances use it (sql/intermediate/int_ledger__claim_states),
    # so a remit whose group PR adjustments say otherwise is flagged rather than silently trusted.
    patient_cas = adjustments.filter(pl.col("group_code") == "PR").group_by("remit_claim_id").agg(pl.col("amount").sum().alias("pr"))
    responsibility_check = (
        claims.filter(pl.col("patient_responsibility").is_not_null())
        .join(patient_cas, on="remit_claim_id", how="left")
        .select(
            "payment_id",
            "remit_claim_id",
            pl.lit(None, pl.Int64).alias("remit_line_id"),
            pl.lit("CLP05 = sum PR CAS").alias("identity"),
            pl.col("pr").fill_null(_ZERO).cast(MONEY).alias("expected"),
            pl.col("patient_responsibility").cast(MONEY).alias("actual"),
            "locator",
        )
    )
    others = [check.with_columns(pl.lit(False).alias("noted")) for check in (claim_check, line_check, responsibility_check)]
    checks = pl.concat([payment_check, *others], how="vertical_relaxed")
    return (
        checks.with_columns((pl.col("actual") - pl.col("expected")).cast(MONEY).alias("difference"))
        # a payment that cannot be checked (005010X221A1 balances BPR02 against all of its CLP04 and PLB) is a failure
        # even when what loaded happens to add up
        .filter((pl.col("difference") != 0) | pl.col("noted"))
        .select(COLUMNS)
    )
