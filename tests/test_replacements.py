"""Replacement (CLM05-3 7) and void (8) claims tied to the claims they replace, and remittance service lines tied
to the claim lines they pay; the ledger closes what a void or a replacement closes."""

from decimal import Decimal
from itertools import permutations

import duckdb
import pytest

from etl import ledger
from etl.load import load_files
from tests.conftest import FIXTURES, scalar

FOLDER = FIXTURES / "x12" / "replacements"
IN_ORDER = [FOLDER / "originals.837p", FOLDER / "acme_lines.835", FOLDER / "corrections.837p"]


def balances(db, as_of: str) -> dict[str, list]:
    rows = scalar(db, f"select list([claim_id, balance_amount::varchar, closed_by, superseded_by_claim_id] order by claim_id)"
                      f" from claim_balances(date '{as_of}')")
    return {row[0]: row[1:] for row in rows}


def test_a_void_and_a_replacement_close_their_originals_and_an_untied_one_is_reported(db_path):
    for path in IN_ORDER:
        load_files([path], db_path)

    # Before the corrections (2026-10-25): L1 245 - 125 paid - 60 CO-45 = 60 open (the CO-97 denial stays); V1 100
    # unanswered; R1 80 - 50 paid = 30 open (CO-97 denial)
    assert balances(db_path, "2026-10-21") == {"L1": ["60.00", None, None], "R1": ["30.00", None, None], "V1": ["100.00", None, None]}
    # After: V1 voided under its own id; R1 replaced by R1B, whose REF*F8 names R1's payer claim control number
    # ACM-R1; R1B open for its 90.00; X1's REF*F8 names no payment on file, so it stands alone, open
    assert balances(db_path, "2026-11-30") == {
        "L1": ["60.00", None, None], "R1": ["0.00", "replacement", "R1B"], "R1B": ["90.00", None, None],
        "V1": ["0.00", "void", None], "X1": ["50.00", None, None],
    }
    untied = scalar(db_path, "select list([claim_id, frequency_code, reason]) from unlinked_replacements")
    assert untied == [["X1", "7", "no earlier claim with this id, and no remittance carries its REF*F8"]]
    links = scalar(db_path, "select list([claim_id, replaced_claim_id, link_status] order by claim_id) from int_claims__replacements")
    assert links == [["R1B", "R1", "payer claim control number"], ["V1", "V1", "claim id"],
                     ["X1", None, "no earlier claim with this id, and no remittance carries its REF*F8"]]
    # the closed claims leave the worklist; the open ones stay: 60 + 90 + 50 = 200.00
    assert scalar(db_path, "select list(claim_id order by claim_id) from worklist(date '2026-11-30')") == ["L1", "R1B", "X1"]
    assert scalar(db_path, "select sum(balance_amount) from worklist(date '2026-11-30')") == Decimal("200.00")


def test_service_lines_are_tied_by_control_number_then_procedure_and_the_rest_reported(db_path):
    load_files(IN_ORDER, db_path)

    ties = scalar(db_path, "select list([claim_id, line_number::varchar, claim_line_number::varchar, match_method,"
                           " is_modifier_changed::varchar, billed_modifiers, paid_modifiers] order by remit_line_id) from remit_line_matches")
    assert ties == [
        # REF*6R L1A ties the line although the payer dropped modifier 25
        ["L1", "1", "1", "line control number", "false", "25", ""],
        ["L1", "2", "2", "procedure, modifiers, units and date", "false", "", ""],
        # the payer added QW to 81002: tied by procedure and date, the change recorded
        ["L1", "3", "3", "procedure and date", "true", "", "QW"],
        ["L1", "4", None, None, "false", None, ""],
        ["R1", "1", "1", "procedure, modifiers, units and date", "false", "", ""],
    ]
    untied = scalar(db_path, "select list([claim_id, procedure_code, paid_amount::varchar, reason]) from unmatched_remit_lines")
    assert untied == [["L1", "99999", "0.00", "no line of the claim bills this procedure on this date"]]


def test_a_modifier_the_payer_dropped_is_tied_by_procedure_and_date_without_a_control_number(db_path, tmp_path):
    remit = tmp_path / "acme_lines_no_6r.835"
    remit.write_text((FOLDER / "acme_lines.835").read_text().replace("REF*6R*L1A~", ""))
    load_files([FOLDER / "originals.837p", remit], db_path)

    first = scalar(db_path, "select [claim_line_number::varchar, match_method, is_modifier_changed::varchar, billed_modifiers,"
                            " paid_modifiers] from remit_line_matches where claim_id = 'L1' and line_number = 1")
    # billed 99214-25, paid 99214: no REF*6R, so procedure and date tie it, and the dropped 25 is recorded
    assert first == ["1", "procedure and date", "true", "25", ""]


def test_a_service_line_that_lost_its_claim_line_to_a_better_tie_takes_a_free_one(db_path, tmp_path):
    # Billed 99214-25 (line 1) and 99214-59 (line 2); paid as 99214 (line 1) and 99214-25 (line 2). Both service lines
    # want claim line 1 first; the exact 99214-25 wins it, and the plain 99214 then takes the free line 2, the
    # change from 59 recorded, instead of being reported untied.
    (tmp_path / "claims.csv").write_text(
        "claim_id,payer_id,payer_name,member_id,patient_last_name,patient_first_name,patient_birth_date,billing_npi,"
        "rendering_npi,coder_id,claim_type,frequency_code,place_of_service,service_date_from,service_date_to,submitted_date,"
        "total_charge,line_number,procedure_code,modifiers,units,line_charge,line_service_date,diagnosis_codes\n"
        + "".join(f"M1,AET01,Aetna PPO,M000TEST,SAMPLE,PAT0,1970-01-01,1234567893,,CD1,professional,1,11,2026-09-01,"
                  f"2026-09-01,2026-09-03,300.00,{line},99214,{modifier},1,150.00,2026-09-01,I10\n"
                  for line, modifier in ((1, "25"), (2, "59"))))
    (tmp_path / "remits.csv").write_text(
        "trace_number,payer_id,payer_name,payee_npi,payment_method,payment_amount,payment_date,claim_id,claim_status_code,"
        "claim_charge,claim_paid,patient_responsibility,payer_claim_id,filing_indicator,received_date,service_date_from,"
        "service_date_to,line_number,procedure_code,modifiers,line_charge,line_paid,allowed,units,line_service_date,"
        "group_code,reason_code,adjustment_amount,adjustment_quantity,remark_codes\n"
        + "".join(f"EFT-M,AET01,Aetna PPO,1234567893,ACH,200.00,2026-10-01,M1,1,300.00,200.00,0.00,P-M1,CI,,2026-09-01,"
                  f"2026-09-01,{line},99214,{modifier},150.00,100.00,100.00,1,2026-09-01,CO,45,50.00,,\n"
                  for line, modifier in ((1, ""), (2, "25"))))
    load_files([tmp_path / "claims.csv", tmp_path / "remits.csv"], db_path)

    ties = scalar(db_path, "select list([line_number::varchar, claim_line_number::varchar, match_method,"
                           " is_modifier_changed::varchar, billed_modifiers, paid_modifiers] order by line_number)"
                           " from remit_line_matches")
    assert ties == [["1", "2", "procedure and date", "true", "59", ""],
                    ["2", "1", "procedure, modifiers, units and date", "false", "25", "25"]]
    assert scalar(db_path, "select count(*) from unmatched_remit_lines") == 0


@pytest.mark.parametrize("order", list(permutations(range(3))), ids=lambda order: "-".join(IN_ORDER[i].name for i in order))
def test_the_ledger_kept_by_loads_in_any_order_equals_a_rebuild(db_path, order):
    for index in order:
        load_files([IN_ORDER[index]], db_path)
    kept = {table: scalar(db_path, f"select list(t order by t) from (select {table}::varchar as t from {table})")
            for table in ("claim_states", "remit_line_matches", "claim_events")}

    with duckdb.connect(str(db_path)) as con:
        ledger.rebuild(con)

    for table, rows in kept.items():
        assert scalar(db_path, f"select list(t order by t) from (select {table}::varchar as t from {table})") == rows, table
    assert balances(db_path, "2026-11-30")["R1"] == ["0.00", "replacement", "R1B"]
    assert scalar(db_path, "select sum(balance_amount) from claim_balances(date '2026-11-30')") == Decimal("200.00")
