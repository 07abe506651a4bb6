"""The suites through Great Expectations' SQL datasource over tables staged in DuckDB (duckdb-engine).

GX 1.24.1's SqlAlchemyExecutionEngine.execute_query returns a cursor result after closing the connection that
holds it (GX issues 10738 and 11579); on duckdb-engine every expectation then fails. `patch_execute_query` swaps in
the same function with the rows fetched inside the `with`, once its source matches the pinned hash.
"""

from __future__ import annotations

import hashlib
import inspect
import json
from datetime import date
from pathlib import Path

import polars as pl

from etl.intake.validate import FILE, ROW, SUITES_DIR, reference_parameters, shipped_code_lists, suite_columns

# sha256 of inspect.getsource(SqlAlchemyExecutionEngine.execute_query) in great-expectations 1.24.1.
EXECUTE_QUERY_SHA256 = "00b686f959e59eec0a8dc12d352dd8c65d3273e42cff8e6e3d4e42862598d06b"


def patch_execute_query() -> None:
    """Fetch a query's rows while its connection is still open."""
    from great_expectations.execution_engine.sqlalchemy_execution_engine import SqlAlchemyExecutionEngine

    if getattr(SqlAlchemyExecutionEngine.execute_query, "_claimscope_fetches", False):
        return
    source = hashlib.sha256(inspect.getsource(SqlAlchemyExecutionEngine.execute_query).encode()).hexdigest()
    if source != EXECUTE_QUERY_SHA256:
        raise RuntimeError("GX's execute_query changed upstream; check whether issues 10738/11579 are fixed before patching")

    def execute_query(self, query):
        with self.get_connection() as connection:
            result = self._execute_query_with_recovery(connection, query)
            return result.freeze()()  # a buffered copy of the rows, readable after the connection closes

    execute_query._claimscope_fetches = True
    SqlAlchemyExecutionEngine.execute_query = execute_query


class SqlSuiteRunner:
    """The suites over staged DuckDB tables: one SQL table asset per suite, BOOLEAN_ONLY and COMPLETE checkpoints."""

    def __init__(self, today: date, staged: Path) -> None:
        import great_expectations as gx
        from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

        patch_execute_query()
        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = {"globally": False, "metric_calculations": False}
        source = context.data_sources.add_sql("staged", connection_string=f"duckdb:///{staged}")
        self.engine = source.get_engine()
        self.checkpoints: dict[tuple[str, str], object] = {}
        self.columns: dict[str, list[str]] = {}
        for path in sorted(SUITES_DIR.glob("*.json")):
            document = json.loads(path.read_text())
            name = document["name"]
            expectations = [ExpectationConfiguration(**item).to_domain_obj() for item in document["expectations"]]
            suite = context.suites.add(gx.ExpectationSuite(name=name, expectations=expectations))
            self.columns[name], shown = suite_columns(document["expectations"])
            self._create_empty(name)
            batch = source.add_table_asset(name, table_name=name).add_batch_definition_whole_table("rows")
            definition = context.validation_definitions.add(gx.ValidationDefinition(name=name, data=batch, suite=suite))
            for result_format in ("BOOLEAN_ONLY", "COMPLETE"):
                settings = {"result_format": result_format}
                if result_format == "COMPLETE":
                    settings["unexpected_index_column_names"] = [FILE, ROW, *shown]
                self.checkpoints[name, result_format] = context.checkpoints.add(
                    gx.Checkpoint(name=f"{name}_{result_format}", validation_definitions=[definition], result_format=settings)
                )
        self.parameters = reference_parameters(today, shipped_code_lists())

    def _duckdb(self):
        """The DuckDB connection under one of the engine's pooled connections (DuckDB refuses a second configuration)."""
        return self.engine.raw_connection().driver_connection

    def _create_empty(self, name: str) -> None:
        self._duckdb().execute(f'create or replace table "{name}" ("{FILE}" bigint, "{ROW}" bigint)')

    def stage(self, frames: dict[str, pl.DataFrame]) -> None:
        """Write each suite's columns of the batch to its staged table."""
        con = self._duckdb()
        for table, frame in frames.items():
            staged = frame.select([name for name in self.columns[table] if name in frame.columns]).to_arrow()
            con.register("staged_rows", staged)
            con.execute(f'create or replace table "{table}" as select * from staged_rows')
            con.unregister("staged_rows")

    def run(self, table: str, result_format: str):
        return self.checkpoints[table, result_format].run(expectation_parameters=self.parameters)
