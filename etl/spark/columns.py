"""DuckDB column types (sql/schema, a lake's manifest) as Spark's: the one mapping the Spark load and marts share."""

from __future__ import annotations

import sqlglot
from pyspark.sql import types as T


def spark_type(duckdb_type: str) -> str:
    """The Spark SQL type of a DuckDB column type the manifest names."""
    if duckdb_type == "TIMESTAMP":
        # DuckDB's TIMESTAMP has no zone: written as TIMESTAMP_NTZ (Parquet isAdjustedToUTC=false), never as an instant
        return "timestamp_ntz"
    return sqlglot.exp.DataType.build(duckdb_type, dialect="duckdb").sql(dialect="spark").lower()


def spark_schema(columns: list[list[str]]) -> str:
    """The Spark DDL of (name, DuckDB type) columns."""
    return ", ".join(f"`{name}` {spark_type(column_type)}" for name, column_type in columns)


def spark_struct(columns: list[list[str]]) -> T.StructType:
    """The same columns as a StructType (parsed by the driver's session)."""
    return T.StructType.fromDDL(spark_schema(columns))
