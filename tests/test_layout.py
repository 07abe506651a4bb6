"""The architecture holds: the library never imports the dashboard, pages hold no SQL, models read raw tables only
through their staging model, pages read marts, and the CLI and the page share one worklist."""

import ast
import json
import re
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest
from typer.testing import CliRunner

from etl import db as database
from etl.cli import app
from etl.load import load_files
from tests.conftest import FIXTURES, REPO

LIBRARY_PACKAGES = ("etl/intake", "etl/reports", "etl/access")
# A SQL statement in a string: a select with a from, or a write.
SQL_TEXT = re.compile(r"\bselect\b[\s\S]+\bfrom\b|\binsert\s+into\b|\bcreate\s+(or\s+replace\s+)?(table|view|macro)\b", re.I)


def _modules(folder: str) -> list[Path]:
    return sorted((REPO / folder).rglob("*.py"))


def _imported(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", [path for folder in LIBRARY_PACKAGES for path in _modules(folder)], ids=str)
def test_the_library_never_imports_streamlit_or_the_dashboard(path):
    bad = {name for name in _imported(path) if name.split(".")[0] in ("streamlit", "dashboard")}
    assert not bad, f"{path.relative_to(REPO)} imports {sorted(bad)}"


@pytest.mark.parametrize("path", _modules("dashboard/views"), ids=str)
def test_a_page_is_layout_only_with_no_sql_and_no_connection(path):
    assert "duckdb" not in {name.split(".")[0] for name in _imported(path)}, f"{path.name} imports duckdb"
    strings = [node.value for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.Constant) and isinstance(node.value, str)]
    assert not [text for text in strings if SQL_TEXT.search(text)], f"{path.name} holds SQL"


def test_the_sql_check_would_catch_a_page_with_sql(tmp_path):
    page = tmp_path / "page.py"
    page.write_text('import duckdb\nrows = duckdb.sql("select claim_id from claims")\n')
    assert "duckdb" in _imported(page)
    assert SQL_TEXT.search("select claim_id\n  from claims")


def _tables_read(sql: str, con: duckdb.DuckDBPyConnection) -> set[str]:
    """Tables, views and table macros a query reads, by DuckDB's own parser; CTE names are not tables."""
    parsed = json.loads(con.execute("select json_serialize_sql(?)", [sql]).fetchone()[0])
    assert not parsed["error"], parsed
    tables, ctes = set(), set()

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "BASE_TABLE":
                tables.add(node["table_name"])
            if node.get("type") == "TABLE_FUNCTION":
                tables.add(node["function"]["function_name"])
            for entry in node.get("cte_map", {}).get("map", []):
                ctes.add(entry["key"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(parsed)
    return tables - ctes


def _model_query(text: str) -> str:
    """A model file as a plain query: a view is one already; a macro's body follows its `as table` (or `as`)."""
    code = "\n".join(line.split("--", 1)[0] for line in text.splitlines())
    header = re.match(r"\s*create\s+or\s+replace\s+macro\s+\w+\s*\([^)]*\)\s+as\s+(table\s+)?", code, re.I)
    if not header:
        return code
    body = code[header.end():]
    return body if header.group(1) else f"select {body}"


def _models() -> dict[str, tuple[str, str]]:
    return {path.stem: (layer, _model_query(path.read_text())) for layer in database.MODEL_LAYERS for path in database.model_files(layer)}


def test_models_read_raw_tables_only_through_their_staging_model():
    con = duckdb.connect()
    database.apply_schema(con)  # every model builds into an empty database, layer by layer
    raw = set(database.table_names()) | {f"ref_{name}" for name in database.REFERENCE_TABLES}
    derived = set(database.ledger_table_names())  # the ledger the loader keeps, read after staging
    models = _models()
    offenders = {}
    for name, (layer, query) in models.items():
        read = _tables_read(query, con)
        assert layer != "staging" or not read & derived, f"{name} reads the ledger"
        unknown = read - raw - derived - set(models) - {"range"}
        assert not unknown, f"{name} reads {sorted(unknown)}, which is neither a table nor a model"
        if layer != "staging" and read & raw:
            offenders[name] = sorted(read & raw)
        if layer == "staging":
            assert len(read & raw) == 1 and not read - raw, f"{name} should read exactly one raw table, reads {sorted(read)}"
    assert not offenders, f"models reading raw tables instead of staging: {offenders}"


def test_the_staging_check_sees_a_raw_read_inside_a_macro_and_a_subquery():
    con = duckdb.connect()
    query = _model_query("create or replace macro m(as_of) as table\nwith a as (select * from stg_x)\n"
                         "select * from a where exists (select 1 from remit_claims) and id in (select id from worklist(as_of))")
    assert _tables_read(query, con) == {"stg_x", "remit_claims", "worklist"}


def test_each_layer_reads_only_itself_and_the_layers_before_it():
    models = _models()
    order = {layer: index for index, layer in enumerate(database.MODEL_LAYERS)}
    con = duckdb.connect()
    for name, (layer, query) in models.items():
        for read in _tables_read(query, con) & set(models):
            assert order[models[read][0]] <= order[layer], f"{name} ({layer}) reads {read} ({models[read][0]})"


PAGE_READABLE_LAYERS = ("marts", "quality")


def test_page_queries_read_marts_only():
    """No query module of the dashboard names a raw, reference, ledger, staging or intermediate table after from or join."""
    hidden = set(database.table_names()) | {f"ref_{name}" for name in database.REFERENCE_TABLES}
    hidden |= set(database.ledger_table_names())
    hidden |= {path.stem for layer in ("staging", "intermediate") for path in database.model_files(layer)}
    pattern = re.compile(r"\b(?:from|join)\s+(\w+)", re.I)
    for path in _modules("dashboard/queries"):
        named = set(pattern.findall(path.read_text())) & hidden
        assert not named, f"{path.name} reads {sorted(named)}; pages read marts ({', '.join(PAGE_READABLE_LAYERS)})"


def test_the_insurance_only_rule_is_defined_once():
    sql = [path for path in (REPO / "sql").rglob("*.sql")]
    defining = [path.name for path in sql if "is_self_pay" in path.read_text()]
    assert sorted(defining) == ["payer_rules.sql", "stg_reference__payer_rules.sql"]
    python = [path for folder in ("etl", "dashboard") for path in _modules(folder)]
    assert not [path.name for path in python if "self_pay" in path.read_text() and "synth" not in path.parts]


def test_the_cli_worklist_and_the_page_worklist_return_the_same_rows(db_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from etl.access.policy import User

    load_files([FIXTURES / "worklist"], db_path)
    as_of, payer = date(2026, 11, 26), "60054"
    cli = CliRunner().invoke(app, ["worklist", "--db", str(db_path), "--as-of", as_of.isoformat(), "--format", "csv",
                                   "--payer", payer, "--from", "2026-01-01"])
    assert cli.exit_code == 0, cli.output
    from_cli = pl.read_csv(cli.stdout.encode(), infer_schema=False)

    monkeypatch.setenv("CLAIMSCOPE_DB", str(db_path))
    page = AppTest.from_string(
        "import streamlit as st\n"
        "from datetime import date\n"
        "from dashboard.queries import late_payments\n"
        "from etl.reports.scope import Scope\n"
        f"rows = late_payments.worklist(date.fromisoformat('{as_of}'), Scope(payers=('{payer}',), start=date(2026, 1, 1)))\n"
        "st.session_state['csv'] = rows.write_csv()\n"
    )
    page.session_state["user"] = User("dana", "biller")
    page.run()
    assert not page.exception
    from_page = pl.read_csv(page.session_state["csv"].encode(), infer_schema=False)

    assert from_cli.equals(from_page)
    # Aetna's two open claims in the fixture, W1 (priority 180.00) before W6 (55.00): not two empty frames.
    assert from_cli["claim_id"].to_list() == ["W1", "W6"]
    assert from_cli.columns[9] == "balance_amount"


# Values that stand in for a table macro's parameters, so its body can be described like a view.
MACRO_ARGUMENTS = {
    "as_of": "date '2026-11-26'",
    "basis": "'service'",
    "from_date": "date '2026-09-30'",
    "to_date": "date '2026-10-31'",
    "scope": "{'payers': []::varchar[], 'providers': []::varchar[], 'basis': 'service', 'start_date': null::date,"
             " 'end_date': null::date}",
}


def _columns_of_each_step(query: str, con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """The output columns of every CTE of a query and of the query itself, duplicates kept (DuckDB's own parser)."""
    parsed = json.loads(con.execute("select json_serialize_sql(?)", [query]).fetchone()[0])
    statement = parsed["statements"][0]
    steps = {"final": query}
    for entry in statement["node"].get("cte_map", {}).get("map", []):
        node = dict(entry["value"]["query_node"], cte_map=statement["node"]["cte_map"])
        document = json.dumps({"error": False, "statements": [{**statement, "node": node}]})
        steps[entry["key"]] = con.execute("select json_deserialize_sql(?::json)", [document]).fetchone()[0]
    return {step: [row[0] for row in con.execute(f"describe {sql}").fetchall()] for step, sql in steps.items()}


def _describable(text: str) -> str | None:
    """A model file as a query with its macro parameters bound, or None for a scalar macro."""
    code = "\n".join(line.split("--", 1)[0] for line in text.splitlines())
    header = re.match(r"\s*create\s+or\s+replace\s+macro\s+\w+\s*\(([^)]*)\)\s+as\s+(table\s+)?", code, re.I)
    if not header:
        return code
    if not header.group(2):
        return None
    body = code[header.end():]
    for parameter in (name.split(":=")[0].strip() for name in header.group(1).split(",")):  # `as_of := null`: a default
        body = re.sub(rf"\b{parameter}\b", MACRO_ARGUMENTS[parameter], body)
    return body


def test_no_model_carries_a_duplicate_column_at_any_step():
    con = duckdb.connect()
    database.apply_schema(con)
    duplicated = {}
    for layer in database.MODEL_LAYERS:
        for path in database.model_files(layer):
            query = _describable(path.read_text())
            if query is None:
                continue
            for step, columns in _columns_of_each_step(query, con).items():
                repeated = sorted({name for name in columns if columns.count(name) > 1})
                if repeated:
                    duplicated[f"{path.stem}.{step}"] = repeated
    assert not duplicated, f"columns that another engine would reject as ambiguous: {duplicated}"


def test_the_duplicate_check_sees_a_star_beside_a_column_of_the_same_name():
    con = duckdb.connect()
    con.execute("create table payments as select 1 as remit_claim_id, 2.0 as patient_responsibility_amount")
    steps = _columns_of_each_step(
        "with joined as (select payments.*, 3.0 as patient_responsibility_amount from payments) select * from joined", con)
    assert steps["joined"].count("patient_responsibility_amount") == 2


def test_every_mart_and_quality_view_keeps_its_column_contract():
    """sql/columns.yml names each model's columns, types and meanings; a model that drifts from it fails here."""
    import yaml

    contract = yaml.safe_load((REPO / "sql" / "columns.yml").read_text())
    con = duckdb.connect()
    database.apply_schema(con)
    built = {}
    for layer in ("marts", "quality"):
        for path in database.model_files(layer):
            query = _describable(path.read_text())
            if query is not None:
                built[path.stem] = [{name: kind} for name, kind, *_ in con.execute(f"describe {query}").fetchall()]
    assert sorted(built) == sorted(contract["models"]), "a model is missing from sql/columns.yml, or listed but gone"
    for model, columns in built.items():
        assert columns == contract["models"][model], f"{model}: columns or types differ from sql/columns.yml"
    undescribed = {name for columns in built.values() for column in columns for name in column} - set(contract["meanings"])
    assert not undescribed, f"columns with no meaning in sql/columns.yml: {sorted(undescribed)}"
    # money is DECIMAL dollars and dates are DATE, in every model a page reads
    for model, columns in built.items():
        for name, kind in (item for column in columns for item in column.items()):
            if name.endswith("_amount"):
                assert kind.startswith("DECIMAL"), (model, name, kind)
            if name.endswith("_date") and not name.startswith("is_"):
                assert kind == "DATE", (model, name, kind)


# Emoji need a font a locked-down PC may not have (the sidebar's icons once showed as empty boxes): pictographs, the
# dingbats and symbols drawn as emoji, the variation selector that asks for one, and :shortcode: emoji in markdown.
EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u231A-\u23FF\uFE0F]")
EMOJI_SHORTCODE = re.compile(r"(?<![\w/%]):[a-z][a-z0-9_+-]*:(?![\w\[/])")


@pytest.mark.parametrize("path", _modules("dashboard"), ids=str)
def test_the_dashboard_draws_no_emoji_and_takes_every_icon_from_material(path):
    text = path.read_text()

    assert not EMOJI.findall(text)
    assert not EMOJI_SHORTCODE.findall(text)
    icons = re.findall(r"icon=\s*['\"]([^'\"]*)['\"]", text)
    assert all(icon.startswith(":material/") for icon in icons), icons


# The project's own top-level packages: a file reaches another module of these only through its public names.
PROJECT_PACKAGES = ("etl", "dashboard", "bench", "tests")


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _private_reaches(path: Path) -> list[str]:
    """Each `from <project module> import _name`, `module._name` and `setattr(module, "_name", ...)` in a file, where
    module is a name the file bound by importing from the project, as file:line."""
    tree = ast.parse(path.read_text())
    bound, found = set(), []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            bound.update(alias.asname or alias.name.split(".")[0] for alias in node.names
                         if alias.name.split(".")[0] in PROJECT_PACKAGES)
        elif isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").split(".")[0] in PROJECT_PACKAGES):
            for alias in node.names:
                if _is_private(alias.name):
                    found.append((node.lineno, f"from {'.' * node.level}{node.module or ''} import {alias.name}"))
                else:
                    bound.add(alias.asname or alias.name)

    def rooted_in_import(node: ast.expr) -> bool:
        while isinstance(node, ast.Attribute):
            node = node.value
        return isinstance(node, ast.Name) and node.id in bound

    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _is_private(node.attr) and rooted_in_import(node.value):
            found.append((node.lineno, ast.unparse(node)))
        elif (isinstance(node, ast.Call) and len(node.args) >= 2
              and (getattr(node.func, "id", None) or getattr(node.func, "attr", None)) in ("setattr", "getattr", "delattr")
              and rooted_in_import(node.args[0]) and isinstance(node.args[1], ast.Constant)
              and isinstance(node.args[1].value, str) and _is_private(node.args[1].value)):
            found.append((node.lineno, ast.unparse(node.func) + f"({ast.unparse(node.args[0])}, {node.args[1].value!r}, ...)"))
    return [f"{path.relative_to(REPO) if path.is_relative_to(REPO) else path}:{line}: {what}" for line, what in sorted(found)]


def test_no_file_reaches_another_modules_private_names():
    # sqlite-utils' CLI and tests use the library's public API only; here too, a name with a leading underscore is its
    # module's own, and a seam another module needs is given a public name.
    reaches = [reach for folder in PROJECT_PACKAGES for path in _modules(folder) for reach in _private_reaches(path)]
    assert not reaches, "private names reached from another module:\n" + "\n".join(reaches)


def test_the_private_name_check_catches_an_import_an_attribute_and_a_monkeypatch(tmp_path):
    script = tmp_path / "script.py"
    script.write_text(
        "import etl.load.writing\n"
        "from etl import ledger\n"
        "from etl.load.parsing import _read, init_parser\n"
        "ledger._private_helper()\n"
        "etl.load.writing._write_one\n"
        "def test(monkeypatch):\n"
        "    monkeypatch.setattr(ledger, '_private_helper', None)\n"
        "    self._own, pathlib._local, ledger.__name__, init_parser._cache\n"
    )

    reaches = [reach.split(": ", 1)[1] for reach in _private_reaches(script)]

    assert reaches == [
        "from etl.load.parsing import _read", "ledger._private_helper", "etl.load.writing._write_one",
        "monkeypatch.setattr(ledger, '_private_helper', ...)", "init_parser._cache",
    ]


# The ledger's layer orders and runs statements kept as files under sql/ (etl/sql_files.py statement); none of its
# modules holds one as a module-level string.
STATEMENT_RUNNERS = ("etl/ledger.py", "etl/reports/trends.py", "etl/spark/marts.py", "etl/sql_files.py", "etl/duck.py",
                     "etl/measures.py")
SQL_KEYWORD = re.compile(r"\b(select|insert|with)\s", re.I)


def _module_level_sql(path: Path) -> list[str]:
    """Each top-level assignment whose value holds a string (plain, or a part of an f-string) with a SQL keyword."""
    found = []
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            strings = [part.value for part in ast.walk(node.value) if isinstance(part, ast.Constant) and isinstance(part.value, str)]
            if any(SQL_KEYWORD.search(text) for text in strings):
                found.append(f"{path.name}:{node.lineno}: {ast.unparse(node)[:60]}")
    return found


@pytest.mark.parametrize("module", STATEMENT_RUNNERS)
def test_the_ledgers_layer_keeps_no_sql_text_in_module_constants(module):
    assert not _module_level_sql(REPO / module), "SQL kept as a module constant; move it to a file under sql/"


def test_the_module_sql_check_catches_a_plain_and_an_f_string_constant(tmp_path):
    module = tmp_path / "module.py"
    module.write_text(
        'RATES_SQL = """\n    SELECT payer_id from claim_paid_lines\n"""\n'
        'TABLE = "claim_states"\n'
        'REFRESH = f"INSERT into ledger_refresh_claims {TABLE}"\n'
        'QUERIES = {"months": "with span as (select 1) select * from span"}\n'
        'def run(con):\n    con.execute("select 1")\n'
    )

    found = [entry.split(": ", 1)[0] for entry in _module_level_sql(module)]

    assert found == ["module.py:1", "module.py:5", "module.py:6"]
