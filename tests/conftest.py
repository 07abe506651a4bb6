from pathlib import Path

import duckdb
import pytest

from etl.db import apply_schema, scalar as db_scalar

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "data_samples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# The small hand-made CSV set whose totals the tests check by hand.
HAND_MADE = FIXTURES / "csv" / "hand_made"
# Public X12 samples, copied byte for byte from the team's shared fixtures (provenance in its SOURCES.md).
SHARED_X12 = FIXTURES / "x12_public"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest files first: the Spark parity (about 4 minutes on one worker), then the browser scenarios (20-60 s a
    test), then the rest in file order. With `--dist loadfile --no-loadscope-reorder` (Makefile) xdist hands out the
    files in this order, so the last minute is short tests on both workers rather than one worker's long scenario;
    xdist's own order, most tests first, left the one-test scenarios to the end."""
    def weight(item: pytest.Item) -> int:
        return 0 if item.path.name == "test_spark.py" else 1 if item.path.name.startswith("test_e2e_") else 2

    items.sort(key=weight)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A database file path in a fresh temporary folder."""
    return tmp_path / "test.duckdb"


@pytest.fixture
def fresh_db():
    """An in-memory DuckDB with the contract schema applied."""
    con = duckdb.connect(":memory:")
    apply_schema(con)
    yield con
    con.close()


def scalar(db: Path, sql: str, params: list | None = None):
    """One value from a fresh read-only connection."""
    with duckdb.connect(str(db), read_only=True) as con:
        return db_scalar(con, sql, params)


def snapshot(db: Path) -> dict[str, list]:
    """Every row of every contract table, to compare before and after."""
    from etl.db import table_names

    with duckdb.connect(str(db), read_only=True) as con:
        return {name: sorted(map(repr, con.execute(f"select * from {name}").fetchall())) for name in table_names()}


@pytest.fixture(scope="session")
def loaded_once(tmp_path_factory):
    """Files loaded once per worker, by path: `loaded_once(FIXTURES / "worklist")` is that database; copy it (with
    copy_database) before writing to it. A load validates every record with the GX suites, 1-2 s for 8 claims."""
    from etl.load import load_files

    databases: dict[tuple[str, ...], Path] = {}

    def loaded(*paths: Path) -> Path:
        key = tuple(map(str, paths))
        if key not in databases:
            databases[key] = tmp_path_factory.mktemp("loaded") / "practice.duckdb"
            load_files(list(paths), databases[key])
        return databases[key]
    return loaded


def copy_database(source: Path, target: Path) -> Path:
    """A database file with its patient key and audit files: what loading the same files into `target` gives."""
    import shutil

    for suffix in ("", ".key", ".audit-key", ".audit-head"):
        if Path(f"{source}{suffix}").exists():
            shutil.copy(f"{source}{suffix}", f"{target}{suffix}")
    return target


@pytest.fixture
def worklist_practice(loaded_once, db_path) -> Path:
    """tests/fixtures/worklist (eight claims W1-W8, their remittances) in this test's own database file."""
    return copy_database(loaded_once(FIXTURES / "worklist"), db_path)


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory) -> Path:
    """data_samples/ loaded once into a database file; tests read it, never write."""
    from etl.load import load_files

    db = tmp_path_factory.mktemp("samples") / "samples.duckdb"
    load_files([SAMPLES], db)
    return db


APP = str(REPO / "dashboard" / "app.py")


def open_app(db: Path, monkeypatch, role: str = "manager", page: str | None = None, query_params: dict | None = None):
    """The dashboard under AppTest against a database, signed in as a seeded user of this role, opened at an address
    with these parameters."""
    from streamlit.testing.v1 import AppTest

    from etl.access.policy import User

    monkeypatch.setenv("CLAIMSCOPE_DB", str(db))
    monkeypatch.delenv("CLAIMSCOPE_DEMO", raising=False)
    app = AppTest.from_file(APP, default_timeout=60)
    app.session_state["user"] = User(f"test-{role}", role)
    app.query_params.update(query_params or {})
    app.run()
    if page:
        app.switch_page(page).run()
    return app


@pytest.fixture(autouse=True)
def _restore_main_module():
    """AppTest runs the app as `__main__` and leaves it there; a loader's spawn workers would then re-run the app."""
    import sys

    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main


@pytest.fixture(scope="session")
def spark():
    """One local Spark session (two cores) for every Spark test."""
    from etl.spark.session import spark_session

    session = spark_session("local[2]", "claimscope-tests")
    yield session
    session.stop()
