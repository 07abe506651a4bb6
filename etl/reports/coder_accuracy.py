"""Coder accuracy judged on intervals, not points: a small sample proves little either way."""

from __future__ import annotations

import polars as pl

from etl.reports.stats import exact_interval

ACCURACY_TARGET = 0.95  # the claim-level accuracy target commonly used by AHIMA/AAPC audits


def with_accuracy_intervals(frame: pl.DataFrame) -> pl.DataFrame:
    """Add claim and code accuracy with exact 95% intervals, and the verdict against the target, to coder_accuracy rows."""
    intervals = [
        (*exact_interval(claims_right, claims), *exact_interval(codes_right, codes))
        for claims_right, claims, codes_right, codes in frame.select("claims_correct", "claims_audited", "codes_correct", "codes_audited").iter_rows()
    ]
    bounds = pl.DataFrame(intervals, schema=["claim_low", "claim_high", "code_low", "code_high"], orient="row")
    return pl.concat([frame, bounds], how="horizontal").with_columns(
        claim_accuracy=pl.col("claims_correct") / pl.col("claims_audited"),
        code_accuracy=pl.col("codes_correct") / pl.col("codes_audited"),
        against_target=pl.when(pl.col("claim_high") < ACCURACY_TARGET).then(pl.lit("below target"))
        .when(pl.col("claim_low") >= ACCURACY_TARGET).then(pl.lit("meets target"))
        .otherwise(pl.lit("not yet known: audit more claims")),
    )


def with_coding_denial_intervals(frame: pl.DataFrame) -> pl.DataFrame:
    """Add the coding-denial rate and its exact 95% interval to per-coder counts of adjudicated and coding-denied claims."""
    intervals = [exact_interval(denied, total) for denied, total in frame.select("coding_denials", "adjudicated").iter_rows()]
    return frame.with_columns(
        coding_denial_rate=pl.col("coding_denials") / pl.col("adjudicated"),
        low=pl.Series([low for low, _ in intervals], dtype=pl.Float64),
        high=pl.Series([high for _, high in intervals], dtype=pl.Float64),
    )
