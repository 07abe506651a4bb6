"""The SQL statements kept as files under sql/ beside the models (sql/ledger/statements, sql/reports), read by name:
the one way Python code gets the text of a statement it runs, so none is kept as a string in a module."""

from __future__ import annotations

import functools

from etl import settings


def statement(name: str, /, **fills: object) -> str:
    """The statement in sql/<name>.sql with its `{placeholders}` filled, each by the fill of the same name (a missing one
    raises KeyError): statement("ledger/statements/rate_counts", lines="claim_paid_lines"). A placeholder stands
    where SQL cannot take a bound parameter, a relation or a column list; a value is bound as `$name` instead."""
    return _text(name).format(**fills)


@functools.cache
def _text(name: str) -> str:
    return (settings.SQL_DIR / f"{name}.sql").read_text()
