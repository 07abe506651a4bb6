from decimal import Decimal
from pathlib import Path

import pytest

import etl.load.writing
from etl.load import load_files
from tests.conftest import FIXTURES, HAND_MADE, scalar, snapshot


def test_samples_load_with_hand_computed_counts_and_totals(db_path):
    results = load_files([HAND_MADE], db_path)

    assert [(Path(r.path).name, r.status, r.records_loaded) for r in results] == [
        ("audits.csv", "loaded", 5),
        ("claims.csv", "loaded", 9),
        ("remits.csv", "loaded", 10),
    ]
    assert scalar(db_path, "select count(*) from claims") == 5
    assert scalar(db_path, "select count(*) from claim_lines") == 9
    # 170.00 + 110.00 + 275.00 + 430.00 + 75.00
    assert scalar(db_path, "select sum(total_charge) from claims") == Decimal("1060.00")
    assert scalar(db_path, "select sum(charge) from claim_lines") == Decimal("1060.00")
    # 104.00 (EFT1001) + 140.00 (EFT1002) + 85.00 (CHK2001) + 0.00 (EFT3001)
    assert scalar(db_path, "select sum(amount) from remit_payments") == Decimal("329.00")
    assert scalar(db_path, "select sum(paid) from remit_claims") == Decimal("329.00")
    # CO: 30 + 10 + 75 + 180 + 15 + 275 = 585.00; PR: 24 + 2 + 35 + 10 = 71.00
    assert scalar(db_path, "select sum(amount) from remit_adjustments where group_code = 'CO'") == Decimal("585.00")
    assert scalar(db_path, "select sum(amount) from remit_adjustments where group_code = 'PR'") == Decimal("71.00")
    assert scalar(db_path, "select count(*) from remit_adjustments where remit_line_id is null") == 1
    # -45.00 (C1004 upcoded) + 55.00 (C1003 downcoded)
    assert scalar(db_path, "select sum(dollar_impact) from coding_audits") == Decimal("10.00")
    assert scalar(db_path, "select count(*) from quarantine") == 0


def test_money_is_decimal_and_dates_are_dates(db_path):
    load_files([HAND_MADE], db_path)

    types = dict(
        (name, kind)
        for name, kind in [
            (f"claims.{row}", scalar(db_path, f"select typeof({row}) from claims limit 1"))
            for row in ("total_charge", "service_date_from")
        ]
    )
    assert types == {"claims.total_charge": "DECIMAL(18,2)", "claims.service_date_from": "DATE"}


def test_reloading_the_same_files_changes_nothing(db_path):
    load_files([HAND_MADE], db_path)
    before = snapshot(db_path)

    results = load_files([HAND_MADE], db_path)

    assert {r.status for r in results} == {"skipped"}
    assert snapshot(db_path) == before


def test_remit_lines_and_adjustments_link_to_their_claims(db_path):
    load_files([HAND_MADE / "remits.csv"], db_path)

    # C1004: line 2 (20610) denied with CO-97 180.00 and remark M15
    row = scalar(
        db_path,
        "select list(a.reason_code || ':' || a.amount) from remit_adjustments a"
        " join remit_service_lines l using (remit_line_id) join remit_claims c on c.remit_claim_id = l.remit_claim_id"
        " where c.claim_id = 'C1004' and l.procedure_code = '20610'",
    )
    assert row == ["97:180.00"]
    assert scalar(db_path, "select code from remit_remarks r join remit_claims c using (remit_claim_id) where c.claim_id = 'C1003'") == "M62"


def test_crash_mid_file_leaves_every_table_unchanged(db_path, monkeypatch):
    load_files([HAND_MADE / "audits.csv"], db_path)
    before = snapshot(db_path)
    real_insert = etl.load.writing.insert_frame
    calls = []

    def insert_then_crash(con, table, frame):
        calls.append(table)
        if len(calls) == 3:
            raise RuntimeError("simulated crash after two inserts")
        real_insert(con, table, frame)

    monkeypatch.setattr(etl.load.writing, "insert_frame", insert_then_crash)

    with pytest.raises(RuntimeError):
        load_files([HAND_MADE / "claims.csv"], db_path)

    assert calls[:2] == ["patients", "claims"]
    assert snapshot(db_path) == before


def test_a_file_whose_rows_are_all_bad_is_rejected_not_empty(db_path, tmp_path):
    bad = tmp_path / "all_bad.csv"
    bad.write_text(
        "claim_id,coder_id,auditor_id,audit_date,code_type,original_code,audited_code,finding,dollar_impact\n"
        "X1,CD1,AU1,2026-13-01,CPT,99213,99213,agree,0.00\n"
        "X2,CD1,AU1,2026-10-01,CPT,99213,99214,guess,1.00\n"
    )

    [result] = load_files([bad], db_path)

    assert (result.status, result.records_loaded, result.records_quarantined) == ("rejected", 0, 2)
    assert scalar(db_path, "select status from source_files") == "rejected"
    assert scalar(db_path, "select reason from quarantine where locator = 'line 3'") == (
        "finding 'guess' is not one of agree, upcoded, downcoded, wrong_code, missing, extra"
    )


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "file is empty"),
        (b"\x00\x01\x02\x03binary\xff\xfe" * 20, "binary content, not an X12 or CSV file"),
        (b"hello,world\n1,2\n", "line 1: not X12 (no ISA, GS or ST) and not a claimscope CSV header"),
    ],
)
def test_unreadable_file_is_rejected_with_one_clear_line_and_the_batch_goes_on(db_path, tmp_path, content, reason):
    odd = tmp_path / "odd.dat"
    odd.write_bytes(content)

    results = load_files([odd, HAND_MADE / "audits.csv"], db_path)

    assert [r.status for r in results] == ["rejected", "loaded"]
    assert scalar(db_path, "select reason from quarantine") == f"{odd}: {reason}"


def test_partial_file_loads_good_rows_and_reports_partial(db_path):
    [result] = load_files([FIXTURES / "csv" / "claims_with_bad_rows.csv"], db_path)

    assert (result.status, result.records_loaded, result.records_quarantined) == ("partial", 3, 3)
    assert scalar(db_path, "select count(*) from claims") == 2
    assert scalar(db_path, "select records_quarantined from source_files") == 3


def test_folder_walk_skips_readme_and_hidden_files(tmp_path):
    (tmp_path / "README.md").write_text("# notes")
    (tmp_path / ".hidden.csv").write_text("x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.csv").write_text("x")

    assert [p.name for p in etl.load.expand_paths([tmp_path])] == ["b.csv"]
