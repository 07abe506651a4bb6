"""The models of sql/ and ad hoc mart queries as Spark SQL: DuckDB's macros expanded, then transpiled with sqlglot."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import sqlglot
from sqlglot import exp, transforms
from sqlglot.dialects.spark import Spark
from sqlglot.generators.spark import SparkGenerator
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify

from etl import db

# Every function name Spark 4.3 resolves (`show functions`), read once: the static check flags any other.
SPARK_FUNCTIONS_FILE = Path(__file__).with_name("spark_functions.txt")
HEADER = re.compile(r"\s*create\s+or\s+replace\s+(?P<kind>view|macro)\s+(?P<name>\w+)\s*(?:\((?P<params>[^)]*)\))?"
                    r"\s+as\s+(?P<table>table\b)?", re.I)
# Spark has no subquery inside a higher-order function, so the band lookup of sql/macros/aging_bucket.sql becomes a
# scalar subquery. Same rule: the band at position 1 + (bands whose last day is before `days`), bands in first-day
# order; a NULL `days` passes no band, so it takes the first, as DuckDB's list_filter does.
SPARK_AGING_BUCKET = """
    (select min_by(bands.aging_bucket, bands.first_day) from stg_reference__aging_buckets as bands
     where not coalesce(bands.last_day < days, false))
"""
# What DuckDB writes and Spark would read otherwise (or not at all), for the static check.
LEFTOVERS = {
    "a '::' cast": re.compile(r"::"),
    "a DuckDB lambda": re.compile(r"\blambda\s+\w+\s*:", re.I),
    "SELECT * REPLACE": re.compile(r"\*\s*REPLACE\s*\(", re.I),
    "UNION BY NAME": re.compile(r"\bBY\s+NAME\b", re.I),
    "an ASOF join": re.compile(r"\bASOF\b", re.I),
    "a MATERIALIZED CTE": re.compile(r"\bAS\s+MATERIALIZED\b", re.I),
    "a query parameter": re.compile(r"(?<![\w'])[$:][A-Za-z_]\w*"),
}
# DuckDB's format() takes fmt templates ('{:,.2f}'); sqlglot renames it to Spark's printf-style format_string.
FMT_TEMPLATE = re.compile(r"FORMAT_STRING\s*\(\s*'[^']*\{", re.I)


class UntranslatedError(ValueError):
    """The Spark SQL still holds something Spark would read differently from DuckDB, or not at all."""


class _SparkSQL(Spark):
    """Spark 4.3 as sqlglot writes it, but with QUALIFY and nested WITHs kept: Spark runs both natively, and sqlglot's
    QUALIFY rewrite leaks its helper column `_w` into `select *`."""

    class Generator(SparkGenerator):
        # Spark 3+ reads a WITH inside a subquery; hoisted to the top, two macros' `final`s would clash
        EXPRESSIONS_WITHOUT_NESTED_CTES: set = set()
        TRANSFORMS = {
            **SparkGenerator.TRANSFORMS,
            exp.Select: transforms.preprocess(
                [transforms.eliminate_distinct_on, transforms.unnest_to_explode, transforms.any_to_exists]),
        }


@dataclass(frozen=True)
class Macro:
    """A DuckDB macro: its parameters (with defaults), its body, and whether it is a table macro."""

    params: tuple[str, ...]
    defaults: dict[str, exp.Expression]
    body: exp.Expression
    is_table: bool


def spark_models() -> list[tuple[str, str]]:
    """Every view of sql/ as (name, Spark SQL), in build order; the macros are expanded where they are called."""
    return list(_spark_models())


@functools.cache
def _spark_models() -> tuple[tuple[str, str], ...]:
    views, _ = _catalog()
    return tuple((name, _translated(body)) for name, body in views)


def to_spark(duckdb_sql: str, params: dict | None = None) -> str:
    """One DuckDB query over the models (a table macro call, a KPI query with its `$scope`) as Spark SQL, its
    parameters bound as literals."""
    return _translated(_bind_parameters(sqlglot.parse_one(duckdb_sql, read="duckdb"), params or {}))


def untranslated(spark_sql: str) -> list[str]:
    """What a transpile left behind: macro calls, functions Spark lacks, and DuckDB-only syntax (empty when none)."""
    _, macros = _catalog()
    found = [what for what, pattern in LEFTOVERS.items() if pattern.search(_without_strings(spark_sql))]
    if FMT_TEMPLATE.search(spark_sql):
        found.append("a DuckDB format template")
    try:
        tree = sqlglot.parse_one(spark_sql, read="spark")
    except sqlglot.errors.ParseError:
        return [*found, "SQL that sqlglot cannot read as Spark"]
    names = {node.name.lower() for node in tree.find_all(exp.Anonymous)}
    found += [f"macro {name}" for name in sorted(names & set(macros))]
    found += [f"function {name}" for name in sorted(names - set(macros) - _spark_functions())]
    return sorted(set(found))


@functools.cache
def _spark_functions() -> frozenset[str]:
    return frozenset(SPARK_FUNCTIONS_FILE.read_text().split())


def _translated(tree: exp.Expression) -> str:
    """The Spark SQL of one DuckDB statement; raises UntranslatedError when anything is left behind."""
    tree = _expand(tree)
    tree = _typed_rewrites(tree)
    for rewrite in (_asof_to_lateral, _series_to_explode, _ordered_aggregates, _format_templates, _star_replace,
                    _union_by_name, _unmaterialized):
        tree = rewrite(tree)
    sql = tree.sql(dialect=_SparkSQL, comments=False, unsupported_level=sqlglot.ErrorLevel.RAISE)
    problems = untranslated(sql)
    if problems:
        raise UntranslatedError(f"left untranslated: {', '.join(problems)}")
    return sql


@functools.cache
def _catalog() -> tuple[tuple[tuple[str, exp.Expression], ...], dict[str, Macro]]:
    """The views (name, parsed body) in build order and the macros by name, from etl/db.py's model statements."""
    views, macros = [], {}
    for statement in db.model_statements():
        code = re.sub(r"--[^\n]*", "", statement)  # no model has '--' inside a string
        header = HEADER.match(code)
        body = sqlglot.parse_one(code[header.end():].strip().rstrip(";"), read="duckdb")
        if header["kind"].lower() == "view":
            views.append((header["name"], body))
            continue
        params, defaults = [], {}
        for param in filter(None, (part.strip() for part in (header["params"] or "").split(","))):
            name, _, default = param.partition(":=")
            params.append(name.strip())
            if default:
                defaults[name.strip()] = sqlglot.parse_one(default, read="duckdb")
        macros[header["name"]] = Macro(tuple(params), defaults, body, bool(header["table"]))
    aging = macros["aging_bucket"]
    macros["aging_bucket"] = Macro(aging.params, {}, sqlglot.parse_one(SPARK_AGING_BUCKET, read="duckdb"), False)
    return tuple(views), macros


def _literal(value) -> exp.Expression:
    """A Python parameter value as a DuckDB literal of its type."""
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, datetime):
        return exp.cast(exp.Literal.string(value.isoformat(sep=" ")), "timestamp")
    if isinstance(value, date):
        return exp.cast(exp.Literal.string(value.isoformat()), "date")
    if isinstance(value, (int, float, Decimal)):
        return exp.Literal.number(value)
    if isinstance(value, str):
        return exp.Literal.string(value)
    if isinstance(value, (list, tuple)):
        if not all(isinstance(item, str) for item in value):
            raise TypeError("only lists of text are bound as parameters")
        items = exp.Array(expressions=[exp.Literal.string(item) for item in value])
        return exp.cast(items, "varchar[]", dialect="duckdb")
    if isinstance(value, dict):
        return exp.Struct(expressions=[exp.PropertyEQ(this=exp.to_identifier(key), expression=_literal(item))
                                       for key, item in value.items()])
    raise TypeError(f"no literal for a parameter of type {type(value).__name__}")


def _bind_parameters(tree: exp.Expression, params: dict) -> exp.Expression:
    def bind(node):
        if isinstance(node, (exp.Placeholder, exp.Parameter)) and node.name:
            if node.name not in params:
                raise KeyError(f"no value for the query parameter ${node.name}")
            return _literal(params[node.name])
        return node

    return tree.transform(bind)


def _expand(tree: exp.Expression) -> exp.Expression:
    """Inline every macro call: a table macro becomes a subquery under the call's alias (or the macro's name), a
    scalar macro its parenthesised body, each with its arguments in place of its parameters."""
    _, macros = _catalog()

    def expand(node):
        call = node.this if isinstance(node, exp.Table) else node
        macro = macros.get(call.name.lower()) if isinstance(call, exp.Anonymous) else None
        if macro is None or macro.is_table != isinstance(node, exp.Table):
            return node
        args = [_expand(_hygienic(arg, call, macro)) for arg in call.expressions]
        body = _expand(_bound(macro, args))
        if macro.is_table:
            alias = node.args.get("alias") or exp.TableAlias(this=exp.to_identifier(call.name))
            return exp.Subquery(this=body, alias=alias)
        return body if isinstance(body, exp.Subquery) else exp.Paren(this=body)

    return tree.transform(expand)


def _hygienic(arg: exp.Expression, call: exp.Expression, macro: Macro) -> exp.Expression:
    """The argument with its bare columns named by the caller's one source when the macro body has a subquery: DuckDB
    binds a macro argument in the caller's scope, and inlined, a bare `payer_id` would bind to the subquery's table."""
    arg = arg.copy()
    if macro.is_table:
        return arg
    select = call.find_ancestor(exp.Select)
    source = select.args.get("from_") if select else None
    if not macro.body.find(exp.Select) or source is None or select.args.get("joins"):
        return arg
    source = source.this
    if not source.alias_or_name:
        source.set("alias", exp.TableAlias(this=exp.to_identifier("_caller")))
    for column in [arg] if isinstance(arg, exp.Column) else list(arg.find_all(exp.Column)):
        if not column.table:
            column.set("table", exp.to_identifier(source.alias_or_name))
    return arg


def _bound(macro: Macro, args: list[exp.Expression]) -> exp.Expression:
    """The macro body with each parameter replaced by its argument; `param.field` of a struct literal by the field."""
    values = {**macro.defaults, **dict(zip(macro.params, args))}

    def bind(node):
        if not isinstance(node, exp.Column) or node.args.get("db"):
            return node
        if not node.table and node.name in values:
            return values[node.name].copy()
        if node.table in values:
            value = values[node.table]
            if isinstance(value, exp.Struct):
                return next(field.expression.copy() for field in value.expressions if field.this.name == node.name)
            return exp.Dot(this=value.copy(), expression=node.this.copy())
        return node

    return macro.body.transform(bind)


@functools.cache
def _duckdb_schema() -> dict[str, dict[str, str]]:
    """Every table's and view's column types, from an empty database with the schema and models applied: what
    sqlglot types the expressions by."""
    schema: dict[str, dict[str, str]] = {}
    with duckdb.connect() as con:
        db.apply_schema(con)
        columns = con.execute("select table_name, column_name, data_type from duckdb_columns() where schema_name = 'main'"
                              " and not internal order by table_name, column_index").fetchall()
    for table, column, data_type in columns:
        schema.setdefault(table, {})[column] = data_type
    return schema


def _typed_rewrites(tree: exp.Expression) -> exp.Expression:
    """Rewrite what differs by type: DuckDB's `date - date` is a number of days where Spark's is an interval
    (DATEDIFF), and `len(list)` is Spark's SIZE. Types come from sqlglot's annotator over a qualified copy."""
    candidates = list(tree.find_all(exp.Sub, exp.Length))
    if not candidates:
        return tree
    for number, node in enumerate(candidates):
        node.meta["typed"] = number
    try:
        typed = qualify(tree.copy(), schema=_duckdb_schema(), dialect="duckdb", validate_qualify_columns=False,
                        quote_identifiers=False)
    except sqlglot.errors.OptimizeError:
        typed = tree.copy()  # its columns stay untyped, so a subtraction of them is refused below
    annotate_types(typed, schema=_duckdb_schema(), dialect="duckdb")
    date_diffs, sizes = set(), set()
    for node in typed.find_all(exp.Sub, exp.Length):
        if "typed" not in node.meta:
            continue
        if isinstance(node, exp.Sub) and node.this.is_type("date") and node.expression.is_type("date"):
            date_diffs.add(node.meta["typed"])
        elif isinstance(node, exp.Sub) and _may_be_dates(node.this.type, node.expression.type):
            raise UntranslatedError(f"cannot tell whether `{node.sql(dialect='duckdb')}` subtracts dates")
        if isinstance(node, exp.Length) and node.this.type and node.this.type.is_type(exp.DataType.Type.ARRAY):
            sizes.add(node.meta["typed"])

    def rewrite(node):
        number = node.meta.get("typed")
        if number in date_diffs:
            return exp.DateDiff(this=node.this, expression=node.expression)
        if number in sizes:
            return exp.ArraySize(this=node.this)
        return node

    return tree.transform(rewrite)


def _may_be_dates(left: exp.DataType | None, right: exp.DataType | None) -> bool:
    """Whether a subtraction sqlglot could not type may be `date - date` (anything minus an interval or a number may
    not)."""
    def unknown(data_type):
        return data_type is None or data_type.is_type(exp.DataType.Type.UNKNOWN)

    return (unknown(left) or unknown(right)) and all(unknown(side) or side.is_type("date") for side in (left, right))


def _asof_to_lateral(tree: exp.Expression) -> exp.Expression:
    """`a ASOF JOIN b ON keys AND b.x <= a.y` as a lateral subquery taking b's one row with the greatest x: Spark has
    no ASOF join, and DuckDB's takes exactly that row."""

    def rewrite(node):
        if not isinstance(node, exp.Join) or (node.args.get("method") or "").upper() != "ASOF":
            return node
        table = node.this
        alias = table.alias_or_name
        condition = node.args["on"]
        order = None
        for compare in condition.find_all(exp.LTE, exp.LT, exp.GTE, exp.GT):
            left_is_b = any(column.table == alias for column in compare.this.find_all(exp.Column))
            right_is_b = any(column.table == alias for column in compare.expression.find_all(exp.Column))
            if left_is_b != right_is_b:
                b_side = compare.this if left_is_b else compare.expression
                below = isinstance(compare, (exp.LTE, exp.LT)) == left_is_b  # b's value is at most the other's
                order = exp.Ordered(this=b_side.copy(), desc=below)
        if order is None:
            return node
        inner = exp.select("*").from_(table.copy()).where(condition.copy()).order_by(order).limit(1)
        lateral = exp.Lateral(this=exp.Subquery(this=inner), alias=exp.TableAlias(this=exp.to_identifier(alias)))
        side = "LEFT" if (node.args.get("side") or "").upper() == "LEFT" else None
        return exp.Join(this=lateral, side=side, on=exp.true())

    return tree.transform(rewrite)


def _template(spark_sql: str, **parts: exp.Expression) -> exp.Expression:
    """A Spark SQL expression with the bare columns named by `parts` replaced by those expressions."""
    def fill(node):
        return parts[node.name].copy() if isinstance(node, exp.Column) and not node.table and node.name in parts else node

    return sqlglot.parse_one(spark_sql, read="spark").transform(fill)


def _series_to_explode(tree: exp.Expression) -> exp.Expression:
    """`from t, range(a, b, step) as s(x)` as `LATERAL VIEW explode(...) s AS x`: Spark's range() takes whole numbers
    only, and DuckDB's range() stops before b where Spark's sequence() reaches it."""
    for join in list(tree.find_all(exp.Join)):
        table = join.this
        alias = table.args.get("alias") if isinstance(table, exp.Table) else None
        series = table.this if isinstance(table, exp.Table) else None
        if (not isinstance(series, exp.GenerateSeries) or alias is None or len(alias.columns) != 1
                or join.args.get("on")):
            continue
        values = exp.Anonymous(this="sequence", expressions=[series.args["start"].copy(), series.args["end"].copy()]
                               + ([series.args["step"].copy()] if series.args.get("step") else []))
        if series.args.get("is_end_exclusive"):
            values = _template("filter(series, _value -> _value < stop)", series=values, stop=series.args["end"].copy())
        select = join.parent
        select.set("joins", [other for other in select.args["joins"] if other is not join] or None)
        select.append("laterals", exp.Lateral(this=exp.Explode(this=values), view=True, alias=alias.copy()))
    return tree


def _ordered_aggregates(tree: exp.Expression) -> exp.Expression:
    """DuckDB's ordered aggregates, whose order sqlglot would drop for Spark: `first(x order by k...)` as min_by over
    the keys (a DESC key negated, so it must be a number), `list(x order by k)` as a list sorted by k."""

    def rewrite(node):
        if not isinstance(node, (exp.First, exp.ArrayAgg)) or not isinstance(node.this, exp.Order):
            return node
        value, keys = node.this.this, node.this.expressions
        if isinstance(node, exp.First):
            key = exp.Struct(expressions=[
                exp.PropertyEQ(this=exp.to_identifier(f"k{number}"),
                               expression=exp.Neg(this=exp.Paren(this=ordered.this.copy())) if ordered.args.get("desc")
                               else ordered.this.copy())
                for number, ordered in enumerate(keys)])
            return exp.Anonymous(this="min_by", expressions=[value.copy(), key])
        if isinstance(value, exp.Distinct) and len(keys) == 1 and keys[0].this == value.expressions[0]:
            collected = exp.Anonymous(this="collect_set", expressions=[value.expressions[0].copy()])
            ascending = exp.Boolean(this=not keys[0].args.get("desc"))
            return exp.Anonymous(this="sort_array", expressions=[collected, ascending])
        if isinstance(value, exp.Distinct) or len(keys) != 1:
            return node
        pairs = "sort_array(collect_list(named_struct('k', sort_key, 'v', item)), ascending)"
        return _template(f"transform({pairs}, _pair -> _pair.v)", sort_key=keys[0].this.copy(), item=value.copy(),
                         ascending=exp.Boolean(this=not keys[0].args.get("desc")))

    return tree.transform(rewrite)


# fmt specs the marts use (worklist's priority_reason) and the Java DecimalFormat pattern that writes the same text.
FORMAT_SPECS = {"": None, ",.2f": "#,##0.00", ".0f": "0"}


def _format_templates(tree: exp.Expression) -> exp.Expression:
    """DuckDB's fmt-style `format('{:,.2f}', x)` as Spark text functions (Spark's format_string is printf-style)."""

    def rewrite(node):
        if not isinstance(node, exp.Format) or not node.this.is_string:
            return node
        pieces = re.split(r"(\{[^}]*\})", node.this.name)
        args = iter(node.expressions)
        parts = []
        for piece in filter(None, pieces):
            if not piece.startswith("{"):
                parts.append(exp.Literal.string(piece))
                continue
            spec = piece[1:-1].removeprefix(":")
            if spec not in FORMAT_SPECS:
                return node
            value = next(args).copy()
            pattern = FORMAT_SPECS[spec]
            parts.append(exp.cast(value, "string") if pattern is None
                         else exp.Anonymous(this="format_number", expressions=[value, exp.Literal.string(pattern)]))
        return exp.Concat(expressions=parts) if len(parts) > 1 else parts[0]

    return tree.transform(rewrite)


def _cte_columns(tree: exp.Expression, name: str) -> list[str] | None:
    """The output columns of the CTE `name` when its select lists them (or is `select *` of one such CTE)."""
    for cte in tree.find_all(exp.CTE):
        if cte.alias_or_name == name:
            return _select_columns(tree, cte.this)
    return None


def _select_columns(tree: exp.Expression, select: exp.Expression) -> list[str] | None:
    if not isinstance(select, exp.Select):
        return None
    if len(select.expressions) == 1 and isinstance(select.expressions[0], exp.Star) and not select.args.get("joins"):
        source = select.args["from_"].this
        return _cte_columns(tree, source.name) if isinstance(source, exp.Table) else None
    columns = []
    for projection in select.expressions:
        star = projection.this if isinstance(projection, exp.Column) else projection
        if isinstance(star, exp.Star):
            return None
        columns.append(projection.alias_or_name)
    return columns


def _star_replace(tree: exp.Expression) -> exp.Expression:
    """`t.* replace (expr as c)` of a CTE with listed columns as those columns, c replaced in place."""
    for star in list(tree.find_all(exp.Column)):
        columns = _cte_columns(tree, star.table) if isinstance(star.this, exp.Star) and star.this.args.get("replace") else None
        if columns is None:
            continue
        replaced = {expression.alias_or_name: expression for expression in star.this.args["replace"]}
        projections = [replaced[name].copy() if name in replaced else exp.column(name, star.table) for name in columns]
        select = star.parent
        index = select.expressions.index(star)
        select.set("expressions", select.expressions[:index] + projections + select.expressions[index + 1:])
    return tree


def _union_by_name(tree: exp.Expression) -> exp.Expression:
    """`a union all by name b` as a positional union, each side's columns in the first side's order (both listed)."""

    def rewrite(node):
        if not isinstance(node, exp.Union) or not node.args.get("by_name"):
            return node
        sides = [node.this, node.expression]
        columns = [_side_columns(tree, side) for side in sides]
        if None in columns or set(columns[0]) != set(columns[1]):
            return node
        if columns[1] != columns[0]:
            side = exp.Subquery(this=node.expression.copy(), alias=exp.TableAlias(this=exp.to_identifier("_by_name")))
            node.set("expression", exp.select(*columns[0]).from_(side))
        node.set("by_name", None)
        return node

    for union in reversed(list(tree.find_all(exp.Union))):  # innermost first: a side's columns are known once it is
        rewrite(union)
    return tree


def _side_columns(tree: exp.Expression, side: exp.Expression) -> list[str] | None:
    if isinstance(side, exp.Union):
        return _side_columns(tree, side.this)
    return _select_columns(tree, side)


def _unmaterialized(tree: exp.Expression) -> exp.Expression:
    """Spark plans CTEs itself: DuckDB's `as materialized` hint goes."""
    for cte in tree.find_all(exp.CTE):
        cte.set("materialized", None)
    return tree


def _without_strings(sql: str) -> str:
    return re.sub(r"'(?:[^'\\]|\\.|'')*'", "''", sql)
