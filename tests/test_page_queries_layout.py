"""One home per page question: a page's queries module stands alone, the insurance-only balance and the as-of scope are
each written once, and the A/R-over cut-offs are edges of the aging bands."""

import ast
import csv
import re
from pathlib import Path

import pytest

from etl.reports.aging import AR_OVER_DAYS
from tests.conftest import REPO

QUERIES = REPO / "dashboard" / "queries"
# Modules of dashboard/queries that no single page owns: the cache, the sidebar's filters, the claim detail panel
# (dashboard/claim_detail.py, shown on several pages) and the one query that reads patient names.
SHARED = {"__init__", "cache", "sidebar", "claim", "patients"}
# A balance narrowed to insurance by hand: claim_balances read, then a where (or and) on is_insurance.
INSURANCE_BY_HAND = re.compile(r"claim_balances\s*\([\s\S]*?\b(?:where|and)\s+(?:\w+\.)?is_insurance\b", re.I)
# The as-of and scope condition of scoped reports over events, written out instead of etl/reports/scope.as_of_in_scope.
AS_OF_IN_SCOPE_BY_HAND = re.compile(r"<=\s*\$as_of\s+and\s+\{IN_SCOPE\}")


def _queries_modules_imported(source: str) -> set[str]:
    """The dashboard/queries modules a source file imports, by module name."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:  # `from . import late_payments`, `from .cache import frame` inside dashboard/queries
                module = ".".join(filter(None, ["dashboard.queries", module]))
            names.add(module)
            names |= {f"{module}.{alias.name}" for alias in node.names}
    return {name.split(".")[2] for name in names if name.startswith("dashboard.queries.")}


def _other_pages_imported(path: Path) -> set[str]:
    return _queries_modules_imported(path.read_text()) - SHARED - {path.stem}


@pytest.mark.parametrize("path", sorted(QUERIES.glob("*.py")), ids=lambda path: path.name)
def test_no_queries_module_imports_another_pages_queries(path):
    assert not _other_pages_imported(path), f"{path.name} imports the queries of {sorted(_other_pages_imported(path))}"


@pytest.mark.parametrize("source", [
    "from dashboard.queries import late_payments\n",
    "from dashboard.queries.late_payments import worklist\n",
    "import dashboard.queries.late_payments\n",
    "from . import late_payments\n",
    "from .late_payments import worklist\n",
])
def test_the_import_check_sees_every_way_of_naming_another_page(source):
    assert _queries_modules_imported(source) - SHARED == {"late_payments"}


def test_the_import_check_lets_a_page_use_the_shared_modules():
    source = "from dashboard.queries import sidebar\nfrom dashboard.queries.cache import frame, library\n"
    assert not _queries_modules_imported(source) - SHARED


def _code_files() -> list[Path]:
    return sorted(path for folder in ("etl", "dashboard", "sql") for pattern in ("*.py", "*.sql")
                  for path in (REPO / folder).rglob(pattern))


def test_only_insurance_balances_narrows_claim_balances_to_insurance():
    """Callers read insurance_balances(as_of) (sql/marts/insurance_balances.sql) rather than restating the rule."""
    by_hand = [str(path.relative_to(REPO)) for path in _code_files()
               if path.name != "insurance_balances.sql" and INSURANCE_BY_HAND.search(path.read_text())]
    assert not by_hand, f"read insurance_balances(as_of) instead of claim_balances(...) where is_insurance: {by_hand}"


@pytest.mark.parametrize("sql", [
    "select * from claim_balances($as_of) where is_insurance and {IN_SCOPE}",
    "with balances as (select * from claim_balances(as_of)),\nopen as (select * from balances where balance_amount > 0"
    " and is_insurance)",
    "select * from claim_balances($as_of) as balances where balances.is_insurance",
])
def test_the_insurance_check_sees_a_rule_restated(sql):
    assert INSURANCE_BY_HAND.search(sql)


def test_the_insurance_check_lets_a_page_show_the_column():
    assert not INSURANCE_BY_HAND.search("select payer_name, is_insurance from claim_balances($as_of) where claim_id = $id")


def test_the_as_of_and_scope_condition_is_written_once():
    """Scoped reports over events say `as_of_in_scope('adjudicated_date')` (etl/reports/scope.py)."""
    by_hand = [str(path.relative_to(REPO)) for path in _code_files()
               if path.suffix == ".py" and AS_OF_IN_SCOPE_BY_HAND.search(path.read_text())]
    assert by_hand == ["etl/reports/scope.py"]


def test_each_ar_over_cut_off_is_the_last_day_of_an_aging_band():
    """The KPIs count days since service past a cut-off and the trends the bands whose first day is past it: the two
    agree only while each cut-off is an edge of etl/reference/aging_buckets.csv."""
    with (REPO / "etl" / "reference" / "aging_buckets.csv").open() as bands:
        first_days = {int(row["first_day"]) for row in csv.DictReader(bands)}
    assert {days + 1 for days in AR_OVER_DAYS.values()} <= first_days
