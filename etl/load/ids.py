"""Surrogate ids: parsers number each file's rows from 0, and a load shifts them past the ids the database holds."""

from __future__ import annotations

import duckdb
import numpy
import polars as pl

from etl import db as database

# Surrogate id column -> the table that owns it; parsers number from 0 and the loader shifts.
ID_OWNERS = {
    "claim_record_id": "claims",
    "payment_id": "remit_payments",
    "remit_claim_id": "remit_claims",
    "remit_line_id": "remit_service_lines",
}


def first_free_ids(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Each surrogate id column's first value the database does not hold yet."""
    return {
        id_column: database.scalar(con, f"select coalesce(max({id_column}) + 1, 0) from {table}")
        for id_column, table in ID_OWNERS.items()
    }


def with_batch_load_ids(
    pieces: dict[str, list[tuple[int, pl.DataFrame]]], file_ids: list[int], offsets: dict[str, int]
) -> dict[str, pl.DataFrame]:
    """Each table's rows from every file of a batch, stacked, with file_id and every surrogate id shifted past the
    database's and the batch's earlier files' ids: one operation per table, whatever the number of files."""
    stacked = {
        table: pl.concat([frame for _, frame in parts], how="diagonal_relaxed").with_columns(
            pl.Series("_batch_file", numpy.repeat([index for index, _ in parts], [frame.height for _, frame in parts]), pl.Int64)
        )
        for table, parts in pieces.items()
    }
    shifts = []
    for id_column, base in offsets.items():
        highest = {}
        for frame in stacked.values():
            if id_column in frame.columns:
                for index, value in frame.group_by("_batch_file").agg(pl.col(id_column).max()).iter_rows():
                    if value is not None:
                        highest[index] = max(value, highest.get(index, value))
        shift = {}
        for index in range(len(file_ids)):
            shift[index] = base
            base += highest[index] + 1 if index in highest else 0
        offsets[id_column] = base
        shifts.append((id_column, shift))
    with_file_id = database.tables_with_file_id()
    shifted = {}
    for table, frame in stacked.items():
        frame = frame.with_columns(
            pl.col(id_column) + pl.col("_batch_file").replace_strict(shift, return_dtype=pl.Int64)
            for id_column, shift in shifts if id_column in frame.columns
        )
        if table in with_file_id:
            frame = frame.with_columns(pl.col("_batch_file").replace_strict(dict(enumerate(file_ids)), return_dtype=pl.Int32).alias("file_id"))
        # Columns starting with `_` are the parser's own bookkeeping, not part of the contract.
        shifted[table] = frame.select(pl.exclude("^_.*$"))
    return shifted
