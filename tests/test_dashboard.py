from streamlit.testing.v1 import AppTest

from etl.load import load_files
from tests.conftest import REPO, HAND_MADE

APP = str(REPO / "dashboard" / "app.py")


def test_data_loaded_page_shows_row_counts_from_the_database(db_path, monkeypatch):
    load_files([HAND_MADE], db_path)
    monkeypatch.setenv("CLAIMSCOPE_DB", str(db_path))

    page = AppTest.from_file(APP, default_timeout=30).run()

    assert not page.exception
    counts = page.dataframe[0].value
    as_dict = dict(zip(counts["table_name"], counts["row_count"]))
    assert as_dict["claims"] == 5 and as_dict["remit_adjustments"] == 10
    assert len(page.dataframe[1].value) == 3
