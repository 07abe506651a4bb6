"""The shared sidebar (dashboard/filters.py): a date preset sets the range, the filters survive a visit to the Claim
page, the address's parameters set them, and hostile parameters are left out without being shown."""

from datetime import date

import pytest

from dashboard.filters import from_query, to_query
from etl.load import load_files
from tests.conftest import FIXTURES, open_app

TODAY = date(2026, 12, 2)
SPAN = (date(2026, 6, 1), date(2026, 11, 20))
PAYERS, PROVIDERS = {"60054", "62308"}, {"1234567893"}
# Values an attacker might put in a shared link: markup, a script, SQL, a remote image, a date that is no date.
HOSTILE = ["<img src=x onerror=alert(1)>", "![x](http://x.test/b.png)", "[click](http://x.test)", "1' or '1'='1",
           "**bold**", ":material/warning:", "$x^2$", "2026-02-30", "２０２６-１１-２６", "0001-01-01", "9" * 5000]


def addressed(**params: list[str]):
    return from_query(params, PAYERS, PROVIDERS, TODAY, SPAN)


def test_an_address_sets_every_filter():
    filters, ignored = addressed(as_of=["2026-11-26"], basis=["submission"], dates=["last_month"],
                                 payer=["62308", "60054"], provider=["1234567893"])

    assert ignored == ()
    assert filters.as_of == date(2026, 11, 26) and filters.preset == "last_month"
    scope = filters.scope
    assert (scope.start, scope.end, scope.basis) == (date(2026, 10, 1), date(2026, 10, 31), "submission")
    assert (scope.payers, scope.providers) == (("62308", "60054"), ("1234567893",))


def test_an_address_without_parameters_counts_every_date_on_file_as_of_today():
    filters, ignored = addressed()

    assert ignored == () and filters.as_of == TODAY and filters.preset == "all"
    assert (filters.scope.start, filters.scope.end) == (date(2026, 6, 1), TODAY)  # to today, past the last date on file


def test_a_custom_range_comes_back_from_the_address_that_to_query_wrote():
    filters, _ = addressed(as_of=["2026-11-26"], dates=["custom"], **{"from": ["2026-03-01"], "to": ["2026-08-31"]})

    assert (filters.scope.start, filters.scope.end) == (date(2026, 3, 1), date(2026, 8, 31))
    assert addressed(**to_query(filters)) == (filters, ())


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_value_is_left_out_and_only_its_parameters_name_is_reported(value):
    filters, ignored = addressed(as_of=[value], basis=[value], dates=[value], payer=["60054", value], provider=[value],
                                 **{"from": [value], "to": [value]})

    assert filters.as_of == TODAY and filters.scope.basis == "service" and filters.preset == "all"
    assert filters.scope.payers == ("60054",) and filters.scope.providers == ()
    assert set(ignored) <= {"as_of", "basis", "dates", "from", "to", "payer", "provider"}
    assert {"as_of", "payer", "provider"} <= set(ignored)


def test_a_custom_range_that_ends_before_it_starts_falls_back_to_every_date():
    filters, ignored = addressed(dates=["custom"], **{"from": ["2026-08-31"], "to": ["2026-03-01"]})

    assert filters.preset == "all" and "dates" in ignored


@pytest.fixture(scope="module")
def worklist_practice(tmp_path_factory):
    """The hand-made worklist practice, loaded once: these tests only read it (and append to its audit log)."""
    db = tmp_path_factory.mktemp("filters") / "practice.duckdb"
    load_files([FIXTURES / "worklist"], db)
    return db


@pytest.fixture
def overview(worklist_practice, monkeypatch):
    """The Overview of the hand-made worklist practice as of 2026-11-26 (tests/test_kpis.py works its figures out)."""
    def opened(**query_params):
        page = open_app(worklist_practice, monkeypatch, "manager", "views/overview.py", query_params=query_params)
        if "as_of" not in query_params:
            page.date_input(key="as_of").set_value(date(2026, 11, 26)).run()
        return page
    return opened


def tiles(page) -> dict[str, str]:
    return {metric.label: metric.value for metric in page.metric}


def scope_line(page) -> str:
    """The caption under the title saying which claims the page counts."""
    return next(caption.value for caption in page.caption if caption.value.startswith("As of "))


def test_the_last_month_preset_counts_the_claims_of_the_month_before_the_as_of_date(overview):
    page = overview()
    page.selectbox(key="date_preset").set_value("custom").run()
    page.date_input(key="date_range").set_value((date(2026, 10, 1), date(2026, 10, 31))).run()
    typed = tiles(page)

    page.selectbox(key="date_preset").set_value("last_month").run()

    assert not page.exception
    assert scope_line(page).startswith("As of 2026-11-26 · claims served 2026-10-01 to 2026-10-31")
    assert any(caption.value == "2026-10-01 to 2026-10-31" for caption in page.sidebar.caption)
    assert len(page.sidebar.date_input) == 1  # As of only: the range input is for Custom
    # W1 200 + W6 250 + W8 50 served in October (tests/test_dashboard.py): the same tiles as the range typed by hand
    assert tiles(page) == typed and tiles(page) != tiles(overview())


def test_the_filters_survive_a_visit_to_the_claim_page_and_back(overview):
    page = overview()
    page.selectbox(key="date_preset").set_value("year_to_date").run()
    page.radio(key="date_basis").set_value("Submission date").run()
    page.multiselect(key="payers").select("62308").run()
    before, figures = scope_line(page), tiles(page)

    page.switch_page("views/claim.py").run()
    page.text_input[0].set_value("W2").run()
    page.switch_page("views/overview.py").run()

    assert not page.exception
    assert page.date_input(key="as_of").value == date(2026, 11, 26)
    assert page.selectbox(key="date_preset").value == "year_to_date"
    assert page.radio(key="date_basis").value == "Submission date"
    assert page.multiselect(key="payers").value == ["62308"]
    assert scope_line(page) == before and tiles(page) == figures


def test_the_address_sets_the_filters_and_the_page_keeps_them_in_the_address(overview):
    page = overview(as_of="2026-11-26", dates="year_to_date", payer="62308", basis="submission")

    assert not page.exception
    assert page.selectbox(key="date_preset").value == "year_to_date"
    assert page.multiselect(key="payers").value == ["62308"]
    assert scope_line(page).startswith("As of 2026-11-26 · claims submitted 2026-01-01 to 2026-11-26 · 1 payer(s) · ")
    by_hand = overview()
    by_hand.selectbox(key="date_preset").set_value("year_to_date").run()
    by_hand.radio(key="date_basis").set_value("Submission date").run()
    by_hand.multiselect(key="payers").select("62308").run()
    assert tiles(page) == tiles(by_hand)
    # a change made on the page goes into the address, so copying it copies the view
    page.selectbox(key="date_preset").set_value("last_12_months").run()
    assert page.query_params["dates"] == "last_12_months" and page.query_params["payer"] == "62308"
    assert page.query_params["as_of"] == "2026-11-26"


def test_hostile_parameters_are_left_out_and_never_shown(overview):
    payload = "<img src=x onerror=alert(1)>[link](http://x.test)"
    page = overview(as_of=payload, dates=payload, basis=payload, payer=["60054", payload], provider=payload,
                    claim_id="W1")

    assert not page.exception and not page.error
    assert page.multiselect(key="payers").value == ["60054"]
    assert page.selectbox(key="date_preset").value == "all"
    note = next(caption.value for caption in page.sidebar.caption if caption.value.startswith("Left out of the address"))
    assert note == "Left out of the address, not understood: as_of, basis, dates, payer, provider."
    shown = [element.value for kind in ("markdown", "caption", "info", "warning", "error", "success", "title")
             for element in page.get(kind)]
    assert not [text for text in shown if "onerror" in str(text) or "x.test" in str(text)]
    assert "onerror" not in str(page.query_params)  # the address is rewritten without them
