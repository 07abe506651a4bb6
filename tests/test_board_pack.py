"""The board pack (claimscope report) on the hand-built practice (tests/fixtures/worklist, worked out in
tests/test_kpis.py): its HTML and PDF say the same figures, every page says what it was computed from, the same data
gives the same hash, and the e-mailed pack reaches a real SMTP server with no patient named."""

from __future__ import annotations

import email
import re
import socket
from datetime import date, datetime
from html.parser import HTMLParser

import pytest
from typer.testing import CliRunner

from etl import db as database
from etl.cli import app
from etl.load import load_files
from etl.reports import board_pack
from etl.reports.scope import Scope
from tests.conftest import FIXTURES, HAND_MADE

AS_OF = date(2026, 11, 26)
PATIENT_NAMES = ("PINE", "OAK", "ELM", "FIR", "YEW", "ASH", "TEAK", "LARCH")  # tests/fixtures/worklist/claims.csv


@pytest.fixture(scope="module")
def practice(tmp_path_factory):
    db = tmp_path_factory.mktemp("pack") / "practice.duckdb"
    load_files([FIXTURES / "worklist"], db)
    return db


class Tiles(HTMLParser):
    """The pack's headline tiles (label → the texts inside) and every section's stamp line."""

    def __init__(self):
        super().__init__()
        self.tiles, self.stamps, self._tile, self._in_stamp = {}, [], None, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "data-kpi" in attrs:
            self._tile = self.tiles.setdefault(attrs["data-kpi"], [])
        self._in_stamp = attrs.get("class") == "stamp"

    def handle_endtag(self, tag):
        self._in_stamp = False

    def handle_data(self, data):
        if self._in_stamp:
            self.stamps.append(data.strip())
        elif self._tile is not None and data.strip():
            self._tile.append(data.strip())
            if data.strip().startswith("95% CI") or data.strip().startswith("too few"):
                self._tile = None


def parsed(html: str) -> Tiles:
    tiles = Tiles()
    tiles.feed(html)
    return tiles


def test_the_pack_gives_the_hand_worked_figures_and_says_on_every_section_what_they_come_from(practice):
    with database.read_connection(practice) as con:
        pack = board_pack.build(con, AS_OF, Scope(), generated_at=datetime(2026, 11, 27, 6, 0))
    page = parsed(pack.html)

    # 1 of 5 first adjudications denied, too few for an interval; 93.75 days in A/R, shown whole; 60% over 90 days.
    assert page.tiles["Initial denial rate"][:2] == ["Initial denial rate", "20.0%"]
    assert "too few claims for an interval" in page.tiles["Initial denial rate"]
    assert page.tiles["Days in A/R"][1] == "94" and page.tiles["A/R over 90 days"][1] == "60.0%"
    assert "misses the benchmark (under 20%)" in page.tiles["A/R over 90 days"]
    assert re.search(r'data-money="Gross charges">\$1,170<', pack.html) and re.search(r'data-money="Open insurance A/R">\$750<', pack.html)
    stamp = f"As of 2026-11-26 · every payer · every provider · claims of every date · insurance claims; self-pay left out · " \
            f"generated 2026-11-27 06:00 UTC · data hash {pack.data_hash}"
    assert page.stamps == [stamp] * pack.html.count("<section")  # every section, each starting a page
    # the appendix: W4 (178 days, 150.00 open) is the one balance over 120 days; its patient masked
    assert re.search(r"<td>W4</td><td>Cigna</td><td>patient ••\w{4}</td><td>2026-06-01</td><td class=\"n\">\$150.00</td>", pack.html)
    assert not any(name in pack.html for name in PATIENT_NAMES)
    # opens with no network: no script, no fetched source, every link within the page
    assert "<script" not in pack.html and " src=" not in pack.html
    assert all(link.startswith("#") for link in re.findall(r'href="([^"]*)"', pack.html))


def test_the_same_data_and_options_give_the_same_hash_and_pack_and_a_new_file_changes_the_hash(practice, tmp_path):
    import shutil

    moment = datetime(2026, 11, 27, 6, 0)
    with database.read_connection(practice) as con:
        first, second = (board_pack.build(con, AS_OF, Scope(), generated_at=moment) for _ in range(2))
    assert (first.data_hash, first.html) == (second.data_hash, second.html)

    copy = tmp_path / "copy.duckdb"
    shutil.copy(practice, copy)
    shutil.copy(f"{practice}.key", f"{copy}.key")
    extra = tmp_path / "more.csv"
    extra.write_text((FIXTURES / "worklist" / "claims.csv").read_text().replace("W8,", "W9,"))
    load_files([extra], copy)
    with database.read_connection(copy) as con:
        assert board_pack.data_hash(con) != first.data_hash


def test_a_pack_for_one_payer_names_it_and_counts_only_its_claims(practice):
    with database.read_connection(practice) as con:
        pack = board_pack.build(con, AS_OF, Scope(payers=("60054",)))
    page = parsed(pack.html)

    # the payer by the name on its claims (tests/fixtures/worklist/claims.csv), not by its id alone
    assert all(stamp.startswith("As of 2026-11-26 · payers Aetna · every provider") for stamp in page.stamps)
    assert "payers 60054" not in pack.html
    assert re.search(r'data-money="Gross charges">\$620<', pack.html)  # Aetna: W1 200 + W5 120 + W6 250 + W8 50


def test_payers_are_named_by_name_with_the_id_only_where_the_name_cannot_tell_them_apart():
    names = {"60054": "Aetna", "00590": "Blue Cross", "00901": "Blue Cross", "99999": None}

    assert board_pack.payer_labels(("60054",), names) == ["Aetna"]
    # two chosen payers of one name keep their ids; a payer with no name on file reads as its id
    assert board_pack.payer_labels(("00590", "00901", "99999", "12345"), names) == [
        "Blue Cross (00590)", "Blue Cross (00901)", "99999", "12345"]
    assert board_pack.describe(Scope(payers=("60054", "99999")), names).startswith("payers Aetna, 99999 · every provider")


@pytest.mark.parametrize(("scope", "stem"), [
    (Scope(payers=("60054",), start=date(2026, 10, 1), end=date(2026, 10, 31)),
     "claimscope-board-pack-2026-10-01_2026-10-31-payers-60054"),
    (Scope(), "claimscope-board-pack-as-of-2026-11-26"),
    (Scope(providers=("1234567893",), start=date(2026, 1, 1), end=date(2026, 11, 26), basis="submission"),
     "claimscope-board-pack-submitted-2026-01-01_2026-11-26-providers-1234567893"),
    # an id typed on the command line can neither leave the folder nor break the name
    (Scope(payers=("../../etc/passwd", "A B;C"), start=date(2026, 10, 1), end=date(2026, 10, 31)),
     "claimscope-board-pack-2026-10-01_2026-10-31-payers-..-..-etc-passwd-A-B-C"),
    (Scope(payers=tuple(f"P{n}" for n in range(8))), "claimscope-board-pack-as-of-2026-11-26-payers-P0-P1-P2-P3-P4-and-3-more"),
], ids=["last month, one payer", "every date", "submitted, one provider", "hostile ids", "many payers"])
def test_the_file_name_says_the_scope(scope, stem):
    assert board_pack.file_stem(AS_OF, scope) == stem
    assert "/" not in stem and " " not in stem


def test_quarter_to_date_changes_are_against_the_same_days_of_last_quarter_as_on_the_overview(practice):
    with database.read_connection(practice) as con:
        pack = board_pack.build(con, AS_OF, Scope(start=date(2026, 10, 1), end=AS_OF), preset="quarter_to_date")
    page = parsed(pack.html)

    # Served 1 Oct - 26 Nov: 300 open on 600 of charges over the range's 57 days, 28.5 days in A/R (shown 29, half up);
    # the same days of last quarter (1 Jul - 26 Aug, seen on 26 Aug): W2's 300 open on its 300 of charges over 57 days,
    # 57.0 days (tests/test_kpis.py works both out): 28.5 fewer, shown -29.
    # In words, never a sign a reader could take for a dash.
    assert page.tiles["Days in A/R"][1:3] == ["29", "down 29 days against the same days of last quarter"]
    # nothing was adjudicated by 26 Aug, so the denial rate has nothing to change from, and says so
    assert page.tiles["Initial denial rate"][2] == \
        "No change to show: no figure for the same days of last quarter to compare with"
    assert "— against" not in pack.html
    assert "Changes are against the same days of last quarter: claims served 2026-07-01 to 2026-08-26, as of 2026-08-26." \
        in " ".join(pack.html.split())


def test_coder_accuracy_counts_only_audits_dated_by_the_as_of_date(tmp_path):
    db = tmp_path / "audited.duckdb"
    load_files([HAND_MADE], db)
    with database.read_connection(db) as con:
        pack = board_pack.build(con, date(2026, 10, 16), Scope())

    # tests/fixtures/csv/hand_made/audits.csv: C1001 (CD1, right) on 15 Oct; C1002 (CD2, right) and C1004 (CD2, upcoded,
    # −45.00) on 16 Oct; C1003 (CD1, downcoded) on 17 Oct, after the as-of date, so CD1 has one claim audited, not two.
    rows = re.findall(r"<tr><td>(CD\d)</td><td class=\"n\">(\d+)</td><td class=\"n\">([\d.]+%)</td>.*?"
                      r"<td class=\"n\">([^<]*)</td></tr>", pack.html, re.S)
    assert rows == [("CD1", "1", "100.0%", "$0.00"), ("CD2", "2", "50.0%", "$45.00")]


def test_the_pdf_holds_the_same_figures_and_every_page_its_footer(practice, tmp_path):
    from pypdf import PdfReader

    with database.read_connection(practice) as con:
        pack = board_pack.build(con, AS_OF, Scope())
    html, pdf = board_pack.write(pack, tmp_path)

    lines = [page.extract_text().splitlines() for page in PdfReader(pdf).pages]
    pages = [" ".join(" ".join(page).split()) for page in lines]
    text = " ".join(pages)
    assert html.name == "claimscope-board-pack-as-of-2026-11-26.html" and pdf.name == "claimscope-board-pack-as-of-2026-11-26.pdf"
    # the page number on one line of each page: it wrapped to "page 1 of" and "7" under a long stamp
    assert all(any(f"page {number} of {len(lines)}" in line for line in page) for number, page in enumerate(lines, 1))
    assert "20.0%" in text and "$1,170" in text and "$750" in text and "60.0%" in text
    assert len(pages) >= pack.html.count("<section")
    # the page footer: the as-of date, the scope, the time made and the data hash, on every page
    assert all("As of 2026-11-26" in page and f"data hash {pack.data_hash}" in page and "every payer" in page for page in pages)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_pack_is_emailed_with_its_pdf_and_no_patient_named_unless_asked_and_logged(practice, tmp_path):
    import shutil

    from aiosmtpd.controller import Controller
    from pypdf import PdfReader

    class Inbox:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append((envelope.rcpt_tos, envelope.content))
            return "250 OK"

    db = tmp_path / "practice.duckdb"
    shutil.copy(practice, db)
    shutil.copy(f"{practice}.key", f"{db}.key")
    inbox, port = Inbox(), free_port()
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    try:
        sent = CliRunner().invoke(app, ["report", "--db", str(db), "--as-of", "2026-11-26", "--out", str(tmp_path / "packs"),
                                        "--email", "board@example.org", "--smtp", f"127.0.0.1:{port}", "--by", "mara"])
        named = CliRunner().invoke(app, ["report", "--db", str(db), "--as-of", "2026-11-26", "--out", str(tmp_path / "named"),
                                         "--no-pdf", "--include-phi", "--by", "mara"])
        cigna = CliRunner().invoke(app, ["report", "--db", str(db), "--as-of", "2026-11-26", "--out", str(tmp_path / "cigna"),
                                         "--no-pdf", "--payer", "62308", "--email", "board@example.org", "--smtp",
                                         f"127.0.0.1:{port}", "--by", "mara"])
    finally:
        server.stop()

    assert sent.exit_code == 0, sent.output
    assert cigna.exit_code == 0, cigna.output
    [(recipients, content), (_, cigna_content)] = inbox.messages
    # the message names the payer as the pack does, not by its id
    [cigna_body] = [part.get_payload(decode=True).decode() for part in email.message_from_bytes(cigna_content).walk()
                    if part.get_content_type() == "text/plain"]
    assert "(payers Cigna · every provider" in cigna_body and "62308" not in cigna_body
    message = email.message_from_bytes(content)
    attachments = {part.get_filename(): part for part in message.walk() if part.get_filename()}
    assert recipients == ["board@example.org"] and message["Subject"] == "Board pack as of 2026-11-26"
    assert set(attachments) == {"claimscope-board-pack-as-of-2026-11-26.html", "claimscope-board-pack-as-of-2026-11-26.pdf"}
    assert attachments["claimscope-board-pack-as-of-2026-11-26.pdf"].get_content_type() == "application/pdf"
    pdf = tmp_path / "received.pdf"
    pdf.write_bytes(attachments["claimscope-board-pack-as-of-2026-11-26.pdf"].get_payload(decode=True))
    received = " ".join(page.extract_text() for page in PdfReader(pdf).pages)
    sent_html = attachments["claimscope-board-pack-as-of-2026-11-26.html"].get_payload(decode=True).decode()
    assert "$1,170" in received and not any(name in received or name in sent_html for name in PATIENT_NAMES)

    assert named.exit_code == 0, named.output
    assert "FIR" in (tmp_path / "named" / "claimscope-board-pack-as-of-2026-11-26.html").read_text()  # W4's patient, asked for
    with database.read_connection(db) as con:
        logged = con.execute("select user_name, action, details->>'include_phi', details->>'emailed_to' from audit_log"
                             " where action = 'board_pack' order by entry_id").fetchall()
    assert logged == [("mara", "board_pack", "false", '["board@example.org"]'), ("mara", "board_pack", "true", "[]"),
                      ("mara", "board_pack", "false", '["board@example.org"]')]


def test_an_unreachable_mail_server_is_one_clear_line(practice, tmp_path):
    import shutil

    db = tmp_path / "practice.duckdb"
    shutil.copy(practice, db)
    shutil.copy(f"{practice}.key", f"{db}.key")
    result = CliRunner().invoke(app, ["report", "--db", str(db), "--as-of", "2026-11-26", "--out", str(tmp_path), "--no-pdf",
                                      "--email", "board@example.org", "--smtp", f"127.0.0.1:{free_port()}"])
    assert result.exit_code == 1 and "could not send the pack through 127.0.0.1:" in " ".join(result.output.split())
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("kind", "change", "said"), [
    ("percent", 0.031, "up 3.1 points against the 12 months before"),
    ("percent", -0.00049, "unchanged against the 12 months before"),
    ("percent", 0.00051, "up 0.1 points against the 12 months before"),  # half up: 0.051 points read 0.1
    ("days", -28.5, "down 29 days against the 12 months before"),
    ("days", 1.2, "up 1 day against the 12 months before"),
    ("days", None, "No change to show: no figure for the 12 months before to compare with"),
])
def test_a_change_reads_in_words_not_as_a_sign(kind, change, said):
    assert board_pack.change_in_words(kind, change, "the 12 months before") == said


def test_a_long_scope_leaves_the_page_number_whole_on_one_line(practice, tmp_path):
    from pypdf import PdfReader

    scope = Scope(payers=("60054", "62308", "MCRB1"), start=date(2026, 1, 1), end=date(2026, 11, 26))
    with database.read_connection(practice) as con:
        pack = board_pack.build(con, AS_OF, scope, preset="custom")
    _, pdf = board_pack.write(pack, tmp_path)

    lines = [page.extract_text().splitlines() for page in PdfReader(pdf).pages]
    assert pdf.name == "claimscope-board-pack-2026-01-01_2026-11-26-payers-60054-62308-MCRB1.pdf"
    assert all(any(f"page {number} of {len(lines)}" in line for line in page) for number, page in enumerate(lines, 1))
    assert all("payers Aetna, Cigna, Medicare Part B" in " ".join(" ".join(page).split()) for page in lines)


def test_the_packs_scorecard_gives_the_funnels_verdict_in_words(tmp_path):
    from tests.test_scorecard import funnel_practice

    db = tmp_path / "funnel.duckdb"
    load_files([funnel_practice(tmp_path / "funnel")], db)
    with database.read_connection(db) as con:
        pack = board_pack.build(con, date(2026, 11, 30), Scope())

    # 0, 5 and 10 of 10 denied around the practice's 1/2: 99.8% limits of 1 to 9 (tests/test_scorecard.py)
    verdicts = dict(re.findall(r"<tr><td>(\w+)</td>(?:(?!</tr>).)*?<td>((?:Outside|Within)[^<]*)</td>", pack.html, re.S))
    assert verdicts == {"Aetna": "Outside limits: denial rate low", "Cigna": "Within limits",
                        "UnitedHealthcare": "Outside limits: denial rate high"}
    assert "<th>Against the 99.8% limits</th>" in pack.html
