"""The claim ledger the loader keeps equals the one derived from scratch, after every load of a random sequence of
claims, payments, denials, reversals, corrections, recoupments, late old remits, repeated files and killed loads."""

import shutil
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import etl.ledger
import etl.load.writing
from etl import db as database
from etl import ledger
from etl.load import load_files
from tests.conftest import snapshot

CLAIM_HEADER = (
    "claim_id,payer_id,payer_name,member_id,patient_last_name,patient_first_name,patient_birth_date,billing_npi,"
    "rendering_npi,coder_id,claim_type,frequency_code,place_of_service,service_date_from,service_date_to,submitted_date,"
    "total_charge,line_number,procedure_code,modifiers,units,line_charge,line_service_date,diagnosis_codes"
)
REMIT_HEADER = (
    "trace_number,payer_id,payer_name,payee_npi,payment_method,payment_amount,payment_date,claim_id,claim_status_code,"
    "claim_charge,claim_paid,patient_responsibility,payer_claim_id,filing_indicator,received_date,service_date_from,"
    "service_date_to,line_number,procedure_code,modifiers,line_charge,line_paid,allowed,units,line_service_date,"
    "group_code,reason_code,adjustment_amount,adjustment_quantity,remark_codes"
)
PAYERS = {"60054": "Aetna", "62308": "Cigna", "SELF": "Self-pay"}
FIRST_DAY = date(2026, 3, 2)
COMPARED_AS_OF = [date(2026, 3, 15), date(2026, 4, 30), date(2026, 6, 1), date(2026, 8, 31), date(2026, 11, 26)]
LEDGER_QUERIES = {
    "claim_events": "select * from claim_events order by all",
    "claim_states": "select * from claim_states order by all",
    "claim_paid_lines": "select * from claim_paid_lines order by all",
    "remit_line_matches": "select * from remit_line_matches order by all",
    "monthly_ar": "select * from monthly_ar order by all",
    "paid_line_rates": "select * from paid_line_rates order by all",
    "ledger_months": "select * from ledger_months order by all",
}


def claim_file(claim_id: str, payer_id: str, day: int, charge: int, frequency: str) -> str:
    served = FIRST_DAY + timedelta(days=day)
    return CLAIM_HEADER + "\n" + (
        f"{claim_id},{payer_id},{PAYERS[payer_id]},M{claim_id},PINE,AVA,1970-01-01,1234567893,1234567893,CD1,professional,"
        f"{frequency},11,{served},,{served + timedelta(days=2)},{charge}.00,1,99214,,1,{charge}.00,,I10\n"
    )


def remit_file(trace: str, claim_id: str, payer_id: str, day: int, charge: int, kind: str) -> str:
    """One payment run answering a claim: paid, partial, denied, a reversal with its correction, or a recoupment."""
    paid_on = FIRST_DAY + timedelta(days=day)
    rows = []

    def payment(status, claim_charge, paid, responsibility, control, adjustments):
        for group, reason, amount in adjustments or [("", "", "")]:
            rows.append((status, claim_charge, paid, responsibility, control, group, reason, amount))

    half = Decimal(charge) / 2
    if kind == "paid":
        payment("1", charge, Decimal(charge) - 10, 10, f"{trace}A", [("CO", "45", 0), ("PR", "2", 10)])
    elif kind == "partial":
        payment("1", charge, half, 0, f"{trace}A", [("CO", "45", half / 2)])
    elif kind == "denied":
        payment("4", charge, 0, 0, f"{trace}A", [("CO", "197", charge)])
    elif kind == "reversal":
        payment("22", -charge, -half, 0, f"{trace}R", [("CO", "45", -half)])
        payment("1", charge, half - 5, 0, f"{trace}C", [("CO", "45", half + 5)])
    else:  # a recoupment: the payer takes back part of what it paid
        payment("22", -charge, -(Decimal(charge) - 10), 0, f"{trace}R", [])
        payment("1", charge, Decimal(charge) - 30, 0, f"{trace}C", [("CO", "45", 30)])
    total = sum((Decimal(row[2]) for row in {row[4]: row for row in rows}.values()), Decimal(0))
    lines = [
        f"{trace},{payer_id},{PAYERS[payer_id]},1234567893,ACH,{total:.2f},{paid_on},{claim_id},{status},{Decimal(claim_charge):.2f},"
        f"{Decimal(paid):.2f},{Decimal(responsibility):.2f},{control},CI,,,,,,,,,,,,{group},{reason},"
        f"{'' if amount == '' else f'{Decimal(amount):.2f}'},,"
        for status, claim_charge, paid, responsibility, control, group, reason, amount in rows
    ]
    return REMIT_HEADER + "\n" + "\n".join(lines) + "\n"


claims = st.sampled_from(["C1", "C2", "C3"])
step = st.one_of(
    st.tuples(st.just("claim"), claims, st.sampled_from(list(PAYERS)), st.integers(0, 200), st.integers(60, 400),
              st.sampled_from(["1", "7", "8"])),
    st.tuples(st.just("remit"), claims, st.sampled_from(["60054", "62308"]), st.integers(0, 260), st.integers(60, 400),
              st.sampled_from(["paid", "partial", "denied", "reversal", "recoupment"])),
    st.tuples(st.just("again")),
    st.tuples(st.sampled_from(["killed", "killed inserting"]), claims, st.sampled_from(["60054", "62308"]),
              st.integers(0, 260), st.integers(60, 400), st.sampled_from(["paid", "denied"])),
)


def ledger_rows(db: Path) -> dict[str, list]:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = {name: con.execute(sql).fetchall() for name, sql in LEDGER_QUERIES.items()}
        for as_of in COMPARED_AS_OF:
            rows[f"claim_balances {as_of}"] = con.execute("select * from claim_balances(?) order by all", [as_of]).fetchall()
    return rows


def from_scratch(db: Path, scratch: Path) -> dict[str, list]:
    """The same raw tables in a second database, with the ledger derived anew by `claimscope rebuild`."""
    copy = scratch / "rebuilt.duckdb"
    copy.unlink(missing_ok=True)
    shutil.copy(db, copy)
    with database.write_connection(copy) as con:
        ledger.rebuild(con)
    return ledger_rows(copy)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, min_size=3, max_size=7))
# each way of being killed, at least once: between two tables' raw rows, and after the refresh before the commit
@example(steps=[("claim", "C1", "60054", 0, 200, "1"), ("remit", "C1", "60054", 30, 200, "partial"),
                ("killed inserting", "C1", "60054", 60, 200, "paid"), ("killed", "C2", "62308", 90, 120, "denied"),
                ("remit", "C1", "60054", 60, 200, "paid")])
def test_the_loaders_ledger_equals_the_ledger_rebuilt_from_scratch(steps, tmp_path_factory, monkeypatch):
    folder = tmp_path_factory.mktemp("ledger")
    db = folder / "loaded.duckdb"
    written: list[Path] = []
    for number, action in enumerate(steps):
        kind = action[0]
        if kind == "again":
            if not written:
                continue
            path = written[-1]  # the same bytes again: skipped, and the ledger must not move
        else:
            _, claim_id, payer_id, day, charge, detail = action
            text = (claim_file(claim_id, payer_id, day, charge, detail) if kind == "claim"
                    else remit_file(f"T{number}", claim_id, payer_id, day, charge, detail))
            path = folder / f"{number:02d}_{kind}.csv"
            path.write_text(text)
        if kind.startswith("killed"):
            if not db.exists() or not ledger_rows(db)["claim_events"]:
                continue  # a first load derives the ledger once at its end, so there is no refresh to kill yet
            before = snapshot(db), ledger_rows(db)
            # killed after the ledger refresh, before the commit; or between two tables' raw rows
            module, name = (etl.ledger, "refresh") if kind == "killed" else (etl.load.writing, "insert_frame")
            real = getattr(module, name)
            calls = []

            def work_then_die(*args, real=real, calls=calls):
                calls.append(real(*args))
                if kind == "killed" or len(calls) == 2:
                    raise KeyboardInterrupt(f"killed in {name}")  # not an error the loader contains per file

            monkeypatch.setattr(module, name, work_then_die)
            with pytest.raises(KeyboardInterrupt):
                load_files([path], db, validate=False)
            monkeypatch.setattr(module, name, real)
            assert (snapshot(db), ledger_rows(db)) == before
            continue
        [result] = load_files([path], db, validate=False)
        assert result.status in ("loaded", "skipped", "partial"), result.message
        written.append(path)
        assert ledger_rows(db) == from_scratch(db, folder), f"after step {number}: {action}"


def test_a_reversal_and_its_correction_net_out_in_the_state_of_their_day(db_path, tmp_path):
    # C1 to Aetna for 200.00; on day 30 paid 100.00 with CO-45 50.00; on day 60 reversed (-100.00) and corrected to
    # 95.00 paid, CO-45 105.00: from day 60 the balance is 200.00 - 95.00 - 105.00 = 0.00, paid to date 100 - 100 + 95.
    (tmp_path / "claims.csv").write_text(claim_file("C1", "60054", 0, 200, "1"))
    (tmp_path / "paid.csv").write_text(remit_file("T1", "C1", "60054", 30, 200, "partial"))
    (tmp_path / "reversed.csv").write_text(remit_file("T2", "C1", "60054", 60, 200, "reversal"))
    load_files([tmp_path / "claims.csv", tmp_path / "paid.csv", tmp_path / "reversed.csv"], db_path, validate=False)
    with duckdb.connect(str(db_path), read_only=True) as con:
        states = con.execute(
            "select valid_from, valid_to, paid_to_date_amount, paid_amount, contractual_amount, balance_amount"
            " from claim_states order by valid_from"
        ).fetchall()
    submitted, paid, corrected = FIRST_DAY + timedelta(days=2), FIRST_DAY + timedelta(days=30), FIRST_DAY + timedelta(days=60)
    assert states == [
        (submitted, paid, Decimal("0.00"), Decimal("0.00"), Decimal("0.00"), Decimal("200.00")),
        # partial: paid half (100.00), CO-45 a quarter (50.00): 50.00 open
        (paid, corrected, Decimal("100.00"), Decimal("100.00"), Decimal("50.00"), Decimal("50.00")),
        (corrected, None, Decimal("95.00"), Decimal("95.00"), Decimal("105.00"), Decimal("0.00")),
    ]


def test_each_remittance_event_says_what_the_payer_did(db_path, tmp_path):
    # C1 to Aetna: day 30 the first adjudication; day 60 a reversal (CLP02 22) and its correction in one run; day 90 a
    # second payment with no reversal before it (paid later, as after an appeal).
    files = {"claims.csv": claim_file("C1", "60054", 0, 200, "1"), "paid.csv": remit_file("T1", "C1", "60054", 30, 200, "partial"),
             "reversed.csv": remit_file("T2", "C1", "60054", 60, 200, "reversal"),
             "again.csv": remit_file("T3", "C1", "60054", 90, 200, "paid")}
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    load_files([tmp_path / name for name in files], db_path, validate=False)
    with duckdb.connect(str(db_path), read_only=True) as con:
        events = con.execute("select event_date - date '2026-03-02', event_type, paid_amount from claim_events"
                             " order by event_date, remit_claim_id nulls first").fetchall()
    assert events == [(2, "submitted", None), (30, "adjudicated", Decimal("100.00")), (60, "reversed", Decimal("-100.00")),
                      (60, "corrected", Decimal("95.00")), (90, "paid_later", Decimal("190.00"))]


def test_the_usual_rate_from_the_rate_counts_is_the_median_of_the_lines(sample_db):
    """underpaid_lines reads paid_line_rates; its median must be the quantile_disc of the lines themselves."""
    as_of = date(2026, 11, 26)
    with duckdb.connect(str(sample_db), read_only=True) as con:
        from_lines = con.execute(
            "select payer_id, procedure_code, modifiers, quantile_disc(round(allowed_amount / units, 2)::decimal(18, 2), 0.5),"
            " count(*) from claim_paid_lines where allowed_amount > 0 and payment_date <= ? and payment_date > ? - 365"
            " group by all having count(*) >= 5 order by all", [as_of, as_of]).fetchall()
        from_counts = con.execute("select * from usual_rates(?) order by all", [as_of]).fetchall()
    assert len(from_lines) > 20
    assert from_counts == from_lines


def test_a_ledger_an_older_release_built_is_rebuilt_on_the_next_write_connection(db_path):
    from tests.conftest import FIXTURES, scalar as read

    load_files([FIXTURES / "x12" / "replacements" / name for name in ("originals.837p", "acme_lines.835")], db_path)
    ties = read(db_path, "select count(*) from remit_line_matches")
    with duckdb.connect(str(db_path)) as con:  # as a release without line ties left it
        con.execute("delete from remit_line_matches")
        con.execute("update ledger_versions set version = version - 1")

    with database.write_connection(db_path):
        pass

    assert ties == 5 and read(db_path, "select count(*) from remit_line_matches") == 5
