"""Run the Great Expectations suites (expectations/*.json) over parsed rows before they are written.

A row failing a critical expectation takes its record (the claim, remit claim, payment or audit row it
belongs to) to quarantine with the suite's meta.refusal in words; a warning loads and is recorded, in words as well
when the suite classes it "warn and load" or "warn on the file", and --strict refuses such a warning instead.
"""

from __future__ import annotations

import json
import warnings
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import pandas as pd
import polars as pl

from etl import settings
from etl.intake.detect import decode
from etl.intake.policy import DERIVED_FROM, FILE, WARN_ON_THE_FILE, WARNED_IN_WORDS
from etl.intake.records import PHI_COLUMNS, LoadWarning, ParsedFile, Quarantined
from etl.intake.values import passes_luhn, shortened

settings.quiet_great_expectations()
# Great Expectations imports pyspark when it is installed (the spark extra), and pyspark 4.3 warns at import that it
# does not yet support pandas 3; the loader hands GX pandas frames, never Spark ones, so the warning is noise on
# every `claimscope load`.
warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)

SUITES_DIR = settings.SUITES_DIR
REFERENCE_DIR = settings.REFERENCE_DIR
# The record a failing row takes to quarantine: claims, remit claims and payments go whole, with their children.
RECORD_KEYS = {
    "claims": "claim_record_id",
    "claim_lines": "claim_record_id",
    "claim_diagnoses": "claim_record_id",
    "remit_payments": "payment_id",
    "provider_adjustments": "payment_id",
    "remit_claims": "remit_claim_id",
    "remit_service_lines": "remit_claim_id",
    "remit_adjustments": "remit_claim_id",
    "remit_remarks": "remit_claim_id",
    "coding_audits": "_row",
    "claim_coders": "_row",
    "fee_schedules": "_row",
}
# Where each record's locator is read, to point the quarantine row at the file.
RECORD_TABLES = {"claim_record_id": "claims", "remit_claim_id": "remit_claims", "payment_id": "remit_payments", "_row": None}
ROW = "_row"
SAMPLE_SIZE = 5
# The classes of issue 32's policy (etl/intake/policy.py) that a suite gives a warning in meta.class ("real money is
# not refused over paperwork"): the record loads and meta.warning is recorded at its row, or once for the file when the
# value is the file's own (an 837's BHT04); `claimscope load --strict` refuses the record instead, as it does an
# envelope count. A warning of "load and count" is only counted in validation_runs; a critical one refuses its record.
X12_KINDS = ("835", "837P", "837I")


@dataclass(frozen=True)
class Failure:
    """One row that failed one expectation."""

    suite: str
    expectation: str
    column: str | None
    severity: str
    file_index: int
    row: int
    value: object
    policy: str | None = None  # meta.class: refuse the record, warn and load, warn on the file or load and count
    warning: str | None = None  # meta.warning: the rule in words, with {value}
    file_warning: str | None = None  # meta.file_warning: the same once for a file, with {value} and {count}
    refusal: str | None = None  # meta.refusal: a critical rule broken, in words, with {value} or {length}


@dataclass
class Outcome:
    """One expectation over one table's rows: per-file counts and the failing rows."""

    suite: str
    expectation: str
    column: str | None
    severity: str
    success: bool
    failures: list[Failure]


def shipped_code_lists() -> dict[str, pl.DataFrame]:
    """The CARC and RARC lists shipped in etl/reference, shaped as etl/code_lists.effective gives a database's."""
    return {
        name: pl.read_csv(REFERENCE_DIR / f"{name}.csv", infer_schema=False).select(
            "code", "status", pl.lit(None, pl.Date).alias("start_date"), pl.lit(None, pl.Date).alias("stop_date")
        )
        for name in ("carc", "rarc")
    }


def reference_parameters(today: date, code_lists: dict[str, pl.DataFrame]) -> dict:
    """Values the suites take as $PARAMETER: today's date and the code lists."""
    statuses = pl.read_csv(REFERENCE_DIR / "claim_status_codes.csv", infer_schema=False)
    return {
        "today": pd.Timestamp(today),
        "three_years_ago": pd.Timestamp(today.replace(year=today.year - 3, day=min(today.day, 28))),
        "earliest_birth_date": pd.Timestamp(1900, 1, 1),
        "carc_codes": code_lists["carc"]["code"].to_list(),
        "rarc_codes": code_lists["rarc"]["code"].to_list(),
        "claim_status_codes": statuses["code"].to_list(),
    }


class SuiteRunner:
    """The suites, loaded once into an ephemeral GX context; GX is imported only here.

    Each suite runs first with GX's BOOLEAN_ONLY result format, which skips gathering the failing rows, and again
    with COMPLETE only when an expectation failed: most batches pass, and on the demo practice the quick pass takes
    0.8-0.9 s where COMPLETE takes 1.3-1.4 s (bench/gx_result_format.py); and the second pass runs only the
    expectations that failed, not the whole suite again. Without Data Docs a suite runs on its batch (GX's public
    Batch.validate), with no checkpoint or validation definition and no result stored in the context: those took a
    quarter of a small load's checking. With Data Docs every suite runs COMPLETE through a checkpoint, whose action
    writes the docs, since they show the rows.
    """

    def __init__(self, today: date, docs_dir: Path | None = None, code_lists: dict[str, pl.DataFrame] | None = None,
                 spark: bool = False) -> None:
        """With spark, the suites run through GX's Spark datasource and `run` takes Spark DataFrames (etl/spark/intake.py)."""
        import great_expectations as gx
        from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = {"globally": False, "metric_calculations": False}
        if docs_dir:
            store = {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(Path(docs_dir).resolve())}
            context.add_data_docs_site("claimscope", {"class_name": "SiteBuilder", "store_backend": store, "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"}})
        self.spark = spark
        source = None if spark else context.data_sources.add_pandas("claimscope")
        self.suites: dict[str, tuple] = {}  # by table: its batch definition, suite, and COMPLETE result format
        self.checkpoints = {}  # by table, with Data Docs: a checkpoint whose action writes the docs' HTML
        self.columns: dict[str, list[str]] = {}
        for path in sorted(SUITES_DIR.glob("*.json")):
            document = json.loads(path.read_text())
            expectations = [ExpectationConfiguration(**item).to_domain_obj() for item in document["expectations"]]
            suite = context.suites.add(gx.ExpectationSuite(name=document["name"], expectations=expectations, meta=document.get("meta", {})))
            # Under Spark each suite has a datasource, so an execution engine, of its own
            suite_source = context.data_sources.add_spark(document["name"]) if spark else source
            batch = suite_source.add_dataframe_asset(document["name"]).add_batch_definition_whole_dataframe("rows")
            self.columns[document["name"]], shown = suite_columns(document["expectations"])
            result_format = {"result_format": "COMPLETE", "unexpected_index_column_names": [FILE, ROW, *shown]}
            self.suites[document["name"]] = (batch, suite, result_format)
            if docs_dir:
                definition = context.validation_definitions.add(gx.ValidationDefinition(name=document["name"], data=batch, suite=suite))
                self.checkpoints[document["name"]] = context.checkpoints.add(gx.Checkpoint(
                    name=document["name"], validation_definitions=[definition],
                    actions=[gx.checkpoint.UpdateDataDocsAction(name="data_docs")], result_format=result_format,
                ))
        self.code_lists = code_lists or shipped_code_lists()
        self.parameters = reference_parameters(today, self.code_lists)

    def validated(self, table: str, frame, result_format: str = "COMPLETE"):
        """GX's result of one suite over a table's rows (as `run` takes them), in BOOLEAN_ONLY or COMPLETE format."""
        batch_definition, suite, complete = self.suites[table]
        rows = self._rows(table, frame)
        if table in self.checkpoints:
            [result] = self.checkpoints[table].run(batch_parameters=rows, expectation_parameters=self.parameters).run_results.values()
            return result
        return batch_definition.get_batch(batch_parameters=rows).validate(
            suite, result_format=complete if result_format == "COMPLETE" else result_format, expectation_parameters=self.parameters)

    def _rows(self, table: str, frame) -> dict:
        """The batch parameters GX takes: the Spark DataFrame as given, or the suite's columns typed for pandas."""
        return {"dataframe": frame if self.spark else as_pandas(frame, self.columns[table])}

    def run(self, table: str, frame: pl.DataFrame) -> list[Outcome]:
        """Validate one table's rows (with _file and _row columns; a Spark DataFrame under spark); one Outcome per
        expectation. Quick first; then only the expectations that failed again in COMPLETE, for their rows."""
        if table not in self.suites:
            return []
        if table in self.checkpoints:
            results = self.validated(table, frame).results
        else:
            batch_definition, suite, complete = self.suites[table]
            batch = batch_definition.get_batch(batch_parameters=self._rows(table, frame))
            quick = batch.validate(suite, result_format="BOOLEAN_ONLY", expectation_parameters=self.parameters)
            by_id = {expectation.id: expectation for expectation in suite.expectations}
            results = [
                item if item.success else batch.validate(by_id[item.expectation_config.id], result_format=complete, expectation_parameters=self.parameters)
                for item in quick.results
            ]
        outcomes = []
        for item in results:
            config = item.expectation_config
            column = config.kwargs.get("column") or config.kwargs.get("column_A")
            name = config.type + (f"({column})" if column else "")
            severity = "error" if str(config.severity.value) == "critical" else "warning"
            meta = config.meta or {}
            words = (meta.get("class"), meta.get("warning"), meta.get("file_warning"), meta.get("refusal"))
            failing = item.result.get("unexpected_index_list") or []
            shown = DERIVED_FROM.get(column, column)
            failures = [
                Failure(table, name, column, severity, file_index, row, value, *words)
                for (file_index, row), value in (_values_as_given(failing, shown) if self.spark else _values_as_loaded(frame, failing, shown)).items()
            ]
            outcomes.append(Outcome(table, name, column, severity, item.success, failures))
        return outcomes


_NANOSECOND_DATES = (date(1678, 1, 1), date(2261, 12, 31))


def _values_as_loaded(frame: pl.DataFrame, failing: list[dict], column: str | None) -> dict[tuple[int, int], object]:
    """Each failing row's value as parsed (a Decimal or a date, not GX's float or timestamp), by (file, row)."""
    keys = [(int(row[FILE]), int(row[ROW])) for row in failing]
    if not keys or column not in frame.columns:
        return dict.fromkeys(keys)
    wanted = pl.DataFrame(keys, schema={FILE: pl.Int64, ROW: pl.Int64}, orient="row")
    found = wanted.join(frame.select(FILE, ROW, column), on=[FILE, ROW], how="left", maintain_order="left")
    return {(file_index, row): value for file_index, row, value in found.iter_rows()}


def _values_as_given(failing: list[dict], column: str | None) -> dict[tuple[int, int], object]:
    """Each failing row's value as GX's Spark datasource gives it: Spark's own Decimal or date, as parsed."""
    return {(int(row[FILE]), int(row[ROW])): row.get(column) for row in failing}


def columns_by_suite() -> dict[str, list[str]]:
    """The columns each suite's rows need (suite_columns), read from expectations/ without importing GX."""
    documents = [json.loads(path.read_text()) for path in sorted(SUITES_DIR.glob("*.json"))]
    return {document["name"]: suite_columns(document["expectations"])[0] for document in documents}


def suite_columns(expectations: list[dict]) -> tuple[list[str], list[str]]:
    """The columns a suite's rows need (file, row, what it reads, what it shows), and the shown source columns of
    the derived ones it checks (a failing Luhn result is shown as the NPI)."""
    checked = {item["kwargs"].get("column") for item in expectations}
    shown = [source for derived, source in DERIVED_FROM.items() if derived in checked]
    return sorted({FILE, ROW, *shown, *_columns_read(expectations)}), shown


def _columns_read(expectations: list[dict]) -> set[str]:
    """Every column a suite's expectations name, row conditions included."""
    columns = set()
    for expectation in expectations:
        kwargs = expectation["kwargs"]
        columns |= {kwargs[key] for key in ("column", "column_A", "column_B") if key in kwargs}
        columns |= set(kwargs.get("column_list", []))
        if "row_condition" in kwargs:
            columns.add(kwargs["row_condition"]["column"]["name"])
    return columns


def as_pandas(frame: pl.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The columns a suite reads, typed so that GX's pandas checks run vectorised rather than once per row.

    GX compares only int64, float64 and datetime64[ns] columns in bulk. Decimals go as float64 here (the
    stored values stay DECIMAL): rounding to the nearest double is monotonic, so a comparison with a bound
    written to the cent keeps its verdict for any amount under $10^13, where cents are far wider than a
    double's spacing. Dates are clipped to the years nanoseconds can hold (1678-2261), far outside every
    bound the suites use, so a keyed year 2999 still fails as the future.
    """
    present = [name for name in columns if name in frame.columns]
    casts = [
        pl.col(name).cast(pl.Float64) if isinstance(dtype, pl.Decimal) else pl.col(name).clip(*_NANOSECOND_DATES).cast(pl.Datetime("ns"))
        for name, dtype in frame.select(present).schema.items()
        if isinstance(dtype, pl.Decimal) or dtype == pl.Date
    ]
    return frame.select(present).with_columns(casts).to_pandas()


def stacked(files: list[ParsedFile]) -> dict[str, pl.DataFrame]:
    """Each table's rows from every file, numbered within their file (_row) and tagged with it (_file)."""
    tables: dict[str, list[tuple[int, pl.DataFrame]]] = {}
    for index, parsed in enumerate(files):
        for table, frame in parsed.tables.items():
            tables.setdefault(table, []).append((index, frame))
    return {table: _numbered(pieces) for table, pieces in tables.items()}


def _numbered(pieces: list[tuple[int, pl.DataFrame]]) -> pl.DataFrame:
    """One table's frames stacked, each row tagged with its file and numbered within it: numbered once over the whole
    stack, since a batch of a thousand small files made ten thousand tiny frame operations."""
    files = pl.DataFrame({FILE: [index for index, _ in pieces], "rows": [frame.height for _, frame in pieces]}, schema={FILE: pl.Int64, "rows": pl.Int64})
    tags = files.select(pl.col(FILE).repeat_by("rows").explode().drop_nulls())
    frame = pl.concat([frame for _, frame in pieces], how="diagonal_relaxed")
    return pl.concat([frame, tags], how="horizontal").with_columns(pl.int_range(pl.len(), dtype=pl.Int64).over(FILE).alias(ROW)).select(
        ROW, pl.exclude(ROW)
    )


def prepared(tables: dict[str, pl.DataFrame], table: str, code_lists: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """A table's rows (as `stacked` gives them) plus the derived columns its suite checks: Luhn results, the parent's
    dates and status, whether a code was in effect when it was used. Parents are found within the row's own file."""
    frame = tables[table]
    if table == "claims":
        frame = frame.with_columns(passes_luhn("billing_npi"), passes_luhn("rendering_npi"))
    elif table == "claim_lines":
        frame = frame.with_columns(pl.any_horizontal(pl.col("procedure_code", "revenue_code").is_not_null()).alias("bills_a_code"))
    elif table == "remit_claims":
        frame = frame.join(tables["remit_payments"].select(FILE, "payment_id", "payment_date"), on=[FILE, "payment_id"], how="left")
    elif table == "remit_service_lines":
        statuses = tables["remit_claims"].select(FILE, "remit_claim_id", pl.col("status_code").alias("claim_status_code"))
        frame = frame.join(statuses, on=[FILE, "remit_claim_id"], how="left")
    elif table == "remit_adjustments":
        frame = _with_code_in_effect(frame, tables, "reason_code", code_lists["carc"], "reason_code_in_effect")
    elif table == "remit_remarks":
        frame = _with_code_in_effect(frame, tables, "code", code_lists["rarc"], "code_in_effect")
    return frame


def _with_code_in_effect(frame: pl.DataFrame, tables: dict[str, pl.DataFrame], column: str, code_list: pl.DataFrame, name: str) -> pl.DataFrame:
    """Whether each row's code was in effect at its payment's date: within the list's start and stop dates where it
    has them, else not deactivated. Null for a code the list lacks (the unknown-code check reports those)."""
    paid_on = (
        tables["remit_claims"].select(FILE, "remit_claim_id", "payment_id")
        .join(tables["remit_payments"].select(FILE, "payment_id", "payment_date"), on=[FILE, "payment_id"], how="left")
        .select(FILE, "remit_claim_id", "payment_date")
    )
    codes = code_list.select(pl.col("code").alias(column), "status", "start_date", "stop_date")
    used_on = pl.col("payment_date")
    dated = pl.col("start_date").is_not_null() | pl.col("stop_date").is_not_null()
    within = (pl.col("start_date").is_null() | (used_on >= pl.col("start_date"))) & (pl.col("stop_date").is_null() | (used_on <= pl.col("stop_date")))
    in_effect = pl.when(pl.col("status").is_null()).then(None).when(dated & used_on.is_not_null()).then(within).otherwise(pl.col("status") == "current")
    return (
        frame.join(paid_on, on=[FILE, "remit_claim_id"], how="left", maintain_order="left")
        .join(codes, on=column, how="left", maintain_order="left")
        .with_columns(in_effect.alias(name))
        .drop("payment_date", "status", "start_date", "stop_date")
    )


def validate_files(runner: SuiteRunner, files: list[ParsedFile], paths: list[Path], strict: bool = False) -> None:
    """Validate a batch of parsed files together, then quarantine each file's failing records (with strict, those of
    a classed warning too)."""
    tables = stacked(files)
    outcomes = []
    for table in sorted(set(tables) & set(runner.suites)):
        outcomes += runner.run(table, prepared(tables, table, runner.code_lists))
    for index, (parsed, path) in enumerate(zip(files, paths)):
        parsed.validation = runs_for_file(outcomes, index, parsed, strict)
        errors = [failure for outcome in outcomes for failure in outcome.failures
                  if failure.file_index == index and (failure.severity == "error" or (strict and failure.policy in WARNED_IN_WORDS))]
        if errors:
            quarantine_records(parsed, path, errors)


def runs_for_file(outcomes: list[Outcome], index: int, parsed: ParsedFile, strict: bool = False) -> list[dict]:
    """The file's validation_runs rows. Its classed warnings are recorded on it in words here as well (unless strict
    refuses them), before any quarantine drops rows: the Spark load calls this too, so both loads warn alike."""
    if not strict:
        _warn_in_words(outcomes, index, parsed)
    runs = []
    for outcome in outcomes:
        evaluated = parsed.tables[outcome.suite].height if outcome.suite in parsed.tables else 0
        if not evaluated:
            continue
        failing = [failure for failure in outcome.failures if failure.file_index == index]
        success = outcome.success if not outcome.failures else not failing
        samples = ["(masked)" if outcome.column in PHI_COLUMNS else _shown(failure.value) for failure in failing[:SAMPLE_SIZE]]
        runs.append({
            "suite": outcome.suite,
            "expectation": outcome.expectation,
            "severity": outcome.severity,
            "success": success,
            "evaluated_count": evaluated,
            "unexpected_count": len(failing),
            "sample_values": json.dumps(samples) if samples else None,
            "validated_at": datetime.now(timezone.utc).replace(tzinfo=None),
        })
    return runs


def _warn_in_words(outcomes: list[Outcome], index: int, parsed: ParsedFile) -> None:
    """Each classed warning of the file in load_warnings: at its row's line or segment, or, for a value an X12 file
    holds once in its header, once for the file per value. A record a critical expectation refuses has no warning."""
    mine = [failure for outcome in outcomes for failure in outcome.failures if failure.file_index == index]
    refused = {_record_key(parsed, failure) for failure in mine if failure.severity == "error"}
    for outcome in outcomes:
        failing = [failure for failure in outcome.failures if failure.file_index == index and failure.policy in WARNED_IN_WORDS
                   and _record_key(parsed, failure) not in refused]
        if not failing:
            continue
        # An 837's submitted_date is its BHT04 (the date the file was created). One that predates the services is kept
        # as sent, never moved silently to a date of service; the warning says so. The ledger reads it as any
        # submitted_date: nothing breaks, but sql/marts/worklist.sql counts days outstanding from it and, as
        # first_submitted_date <= service date + limit, reads the claim as filed on time ("first sent 1996-09-18
        # (-3029 days after service)"), which a BHT04 before the service does not prove.
        if failing[0].policy == WARN_ON_THE_FILE and parsed.kind in X12_KINDS:
            counts = Counter(_quoted_for(failure) for failure in failing)
            parsed.structural_warnings += [
                LoadWarning("file", _loaded(failing[0].file_warning.format(value=value, count=count))) for value, count in counts.items()
            ]
            continue
        rows = parsed.tables[outcome.suite]
        parsed.structural_warnings += [
            LoadWarning(rows["locator"][failure.row] if "locator" in rows.columns else _locator(parsed, *_record_key(parsed, failure)),
                        _loaded(failure.warning.format(value=_quoted_for(failure))))
            for failure in failing
        ]


def _loaded(warning: str) -> str:
    return f"{warning} (loaded as sent; --strict refuses it)"


def _shown_for(failure: Failure) -> str:
    return "(masked)" if failure.column in PHI_COLUMNS else _shown(failure.value)


def _quoted_for(failure: Failure) -> str:
    """The value as a warning in words quotes it: cut to 200 characters with its length (etl/intake/values.py)."""
    return shortened(_shown_for(failure))


def quarantine_records(parsed: ParsedFile, path: Path, errors: list[Failure]) -> None:
    """Drop every record holding a failing row, with its children, and quarantine it once with all its reasons."""
    reasons: dict[tuple[str, str, int], list[str]] = {}
    for failure in errors:
        reasons.setdefault(_record_key(parsed, failure), []).append(refusal_in_words(failure))
    dropped = {key_column: {value for (_, column, value) in reasons if column == key_column} for key_column in RECORD_TABLES}
    dropped["remit_claim_id"] |= _children_of_payments(parsed, dropped["payment_id"])
    records = [
        Quarantined(_locator(parsed, table, key_column, value), "; ".join(dict.fromkeys(messages)), None)
        for (table, key_column, value), messages in reasons.items()
    ]
    records += _other_lines(parsed, reasons, records)
    before = records_in(parsed)
    for table, frame in parsed.tables.items():
        keep = pl.lit(True)
        for key_column, values in dropped.items():
            if key_column != ROW and values and key_column in frame.columns:
                keep &= ~pl.col(key_column).is_in(list(values))
        own_rows = {value for (record_table, column, value) in reasons if column == ROW and record_table == table}
        if own_rows:
            keep &= ~pl.int_range(pl.len()).is_in(list(own_rows))
        parsed.tables[table] = frame.filter(keep)
    parsed.records_loaded -= before - records_in(parsed)
    parsed.quarantine += _with_raw(records, path)


def refusal_in_words(failure: Failure) -> str:
    """Why a failing row's record is refused: the suite's meta.refusal, or a classed warning's sentence under --strict."""
    if failure.severity == "error" and failure.refusal:
        # {length} for a value too long to be any code (a procedure code is not PHI, but its length says all there is)
        return failure.refusal.format(value=_quoted_for(failure), length=_length_of(failure))
    if failure.policy in WARNED_IN_WORDS and failure.warning:
        return f"{failure.warning.format(value=_quoted_for(failure))} (refused: --strict)"
    # A suite edited without meta.refusal still refuses; tests/test_reasons_in_words.py keeps the shipped ones worded.
    return f"{failure.expectation} failed on {_shown_for(failure)}"


def _length_of(failure: Failure) -> str:
    return "(masked)" if failure.column in PHI_COLUMNS or failure.value is None else f"{len(str(failure.value)):,}"


def _other_lines(parsed: ParsedFile, reasons: dict, records: list[Quarantined]) -> list[Quarantined]:
    """A CSV record spans lines (a claim's service lines, a payment's adjustments): every other line of a dropped
    record is quarantined too, pointing at the record's first, so each input line is loaded or quarantined."""
    if not records or not records[0].locator.startswith("line"):
        return []
    quarantined = {record.locator for record in records}
    others = []
    for ((table, key_column, value), _), record in zip(reasons.items(), records):
        if key_column == ROW:
            continue
        lines = {
            locator
            for frame in parsed.tables.values() if key_column in frame.columns and "locator" in frame.columns
            for locator in frame.filter(pl.col(key_column) == value)["locator"].to_list()
        }
        for locator in sorted(lines - quarantined, key=lambda text: int(text.split()[-1])):
            quarantined.add(locator)
            others.append(Quarantined(locator, f"quarantined with its {RECORD_NOUNS[key_column]} at {record.locator}: "
                                               f"{record.reason}", None))
    return others


# What a record spanning several CSV lines is, in a reason a biller reads.
RECORD_NOUNS = {"claim_record_id": "claim", "remit_claim_id": "claim payment", "payment_id": "payment"}


def _record_key(parsed: ParsedFile, failure: Failure) -> tuple[str, str, int]:
    """(table, key column, value) of the record the failing row belongs to."""
    key_column = RECORD_KEYS[failure.suite]
    if key_column == ROW:
        return failure.suite, ROW, failure.row
    return RECORD_TABLES[key_column], key_column, parsed.tables[failure.suite][key_column][failure.row]


def _children_of_payments(parsed: ParsedFile, payment_ids: set[int]) -> set[int]:
    if not payment_ids or "remit_claims" not in parsed.tables:
        return set()
    claims = parsed.tables["remit_claims"]
    return set(claims.filter(pl.col("payment_id").is_in(list(payment_ids)))["remit_claim_id"].to_list())


def _locator(parsed: ParsedFile, table: str, key_column: str, value: int) -> str:
    frame = parsed.tables[table]
    if key_column == ROW:
        return frame["locator"][value]
    return frame.filter(pl.col(key_column) == value)["locator"][0]


def records_in(parsed: ParsedFile) -> int:
    """How many input records (CSV lines, or X12 claims) the parsed tables hold."""
    if parsed.kind in ("835",):
        return parsed.tables["remit_claims"].height
    if parsed.kind in ("837P", "837I"):
        return parsed.tables["claims"].height
    if parsed.kind == "claims_csv":
        return parsed.tables["claim_lines"].height
    if parsed.kind == "remits_csv":
        return int(parsed.tables["remit_claims"]["_line_count"].sum() or 0)
    if parsed.kind == "coders_csv":
        return parsed.tables["claim_coders"].height
    if parsed.kind == "fee_schedules_csv":
        return parsed.tables["fee_schedules"].height
    return parsed.tables["coding_audits"].height


def _with_raw(records: list[Quarantined], path: Path) -> list[Quarantined]:
    """Attach each record's text as the file has it (the CSV line, or the X12 segment)."""
    wanted = {int(record.locator.split()[-1]) for record in records}
    text = decode(path.read_bytes(), str(path))
    if records and records[0].locator.startswith("line"):
        lines = text.splitlines()
        raw = {number: lines[number - 1] for number in wanted if number <= len(lines)}
    else:
        from etl.intake.x12.segments import numbered_segments

        segments = numbered_segments(text, str(path))
        raw = {number: segments[number] for number in wanted if number in segments}
    return [Quarantined(record.locator, record.reason, raw.get(int(record.locator.split()[-1]))) for record in records]


def _shown(value: object) -> str:
    """A failing value as a biller reads it: 'J9999' quoted, -230.00 and 2031-10-20 bare."""
    if value is None:
        return "(the row as a whole)"  # a uniqueness or table-level expectation names no single value
    if isinstance(value, str):
        return repr(value)
    return str(value)


def validate_database(con, today: date, docs_dir: Path | None = None,
                      code_lists: dict[str, pl.DataFrame] | None = None) -> list[dict]:
    """Run every suite over every loaded row; store and return one validation_runs row per expectation. The CARC and
    RARC lists are the caller's, as load_files passes them (etl/code_lists.py effective); None reads the database's."""
    if code_lists is None:
        from etl.code_lists import effective

        code_lists = effective(con)
    runner = SuiteRunner(today, docs_dir, code_lists)
    everything = ParsedFile("database", tables={table: con.sql(f"select * from {table}").pl() for table in runner.suites})
    tables = stacked([everything])
    outcomes = [outcome for table in runner.suites for outcome in runner.run(table, prepared(tables, table, runner.code_lists))]
    runs = runs_for_file(outcomes, 0, everything) + [
        # An empty table is reported too: that is exactly what the row-count expectations are for.
        run for outcome in outcomes if not everything.tables[outcome.suite].height for run in _empty_table_runs(outcome)
    ]
    if runs:
        frame = pl.DataFrame(runs).with_columns(pl.lit(None, pl.Int32).alias("file_id"))
        con.execute("insert into validation_runs by name select * from frame")
    return runs


def _empty_table_runs(outcome: Outcome) -> list[dict]:
    return [{
        "suite": outcome.suite, "expectation": outcome.expectation, "severity": outcome.severity, "success": outcome.success,
        "evaluated_count": 0, "unexpected_count": 0, "sample_values": None,
        "validated_at": datetime.now(timezone.utc).replace(tzinfo=None),
    }]
