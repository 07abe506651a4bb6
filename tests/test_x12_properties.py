"""Property tests: generated balanced 835s round-trip; mangled input fails only with LoadError."""

from decimal import Decimal

from hypothesis import given, settings, strategies as st

from etl.intake.patients import PatientHasher
from etl.intake.records import LoadError
from etl.intake.x12.parse import parse_x12
from tests.conftest import FIXTURES

HASHER = PatientHasher(b"property-key")
CENTS = st.integers(min_value=1, max_value=5_000_000)
REASONS = st.sampled_from(["CO*45", "PR*1", "PR*2", "CO*97", "OA*23"])


def money(cents: int) -> str:
    return f"{Decimal(cents) / 100:.2f}"


@st.composite
def adjustments(draw, total_cents):
    """Split part of an amount into 1-6 CAS triplets."""
    adjusted = draw(st.integers(min_value=0, max_value=total_cents))
    count = draw(st.integers(min_value=1, max_value=6))
    cuts = sorted(draw(st.lists(st.integers(min_value=0, max_value=adjusted), min_size=count - 1, max_size=count - 1)))
    parts = [b - a for a, b in zip([0, *cuts], [*cuts, adjusted])]
    group, _ = draw(REASONS).split("*")
    triplets = "".join(f"*{reason}*{money(part)}*" for reason, part in zip(["45", "253", "59", "16", "97", "1"], parts))
    return adjusted, f"CAS*{group}{triplets.rstrip('*')}", adjusted if group == "PR" else 0


@st.composite
def balanced_835(draw):
    segments = ["ST*835*0001", None, "TRN*1*TRACE1*1999999999", "N1*PR*PAYER", "N1*PE*CLINIC*XX*1234567893"]
    total_paid, claims, lines = 0, 0, 0
    for claim_number in range(draw(st.integers(min_value=1, max_value=4))):
        line_charges = draw(st.lists(CENTS, min_size=0, max_size=3))
        claim_extra = draw(CENTS)
        claim_adjusted, claim_cas, patient_share = draw(adjustments(claim_extra))
        line_segments, line_paid_total = [], 0
        for charge in line_charges:
            adjusted, cas, line_patient_share = draw(adjustments(charge))
            patient_share += line_patient_share
            line_segments += [f"SVC*HC:99213*{money(charge)}*{money(charge - adjusted)}**1", cas]
            line_paid_total += charge - adjusted
        # CLP03 - (claim CAS + line CAS) = CLP04, with the claim charging claim_extra beyond its lines;
        # CLP05 = the group PR amounts, claim and line
        charge = sum(line_charges) + claim_extra
        paid = line_paid_total + claim_extra - claim_adjusted
        segments += [f"CLP*C{claim_number}*1*{money(charge)}*{money(paid)}*{money(patient_share)}*CI*P{claim_number}", claim_cas,
                     *line_segments]
        total_paid += paid
        claims += 1
        lines += len(line_charges)
    plb = draw(st.lists(st.integers(min_value=-10000, max_value=10000), max_size=2))
    if plb:
        pairs = "".join(f"*L6:REF{index}*{money(amount)}" for index, amount in enumerate(plb))
        segments.append(f"PLB*1234567893*20261231{pairs}")
    segments[1] = f"BPR*I*{money(total_paid - sum(plb))}*C*ACH************20261001"
    segments.append(f"SE*{len(segments) + 1}*0001")
    return "~".join(segments) + "~", claims, lines, total_paid


@settings(max_examples=60, deadline=None)
@given(balanced_835())
def test_generated_balanced_835_round_trips_with_every_identity_holding(generated):
    text, claims, lines, total_paid = generated

    parsed = parse_x12(text, "generated.835", "835", HASHER)

    assert parsed.quarantine == []
    assert parsed.tables["remit_claims"].height == claims
    assert parsed.tables["remit_service_lines"].height == lines
    assert parsed.tables["remit_claims"]["paid"].sum() == Decimal(total_paid) / 100
    assert parsed.tables["balancing_issues"].is_empty()


SEED_FILE = (FIXTURES / "x12" / "two_sets_one_bad.835").read_text()


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=0, max_value=len(SEED_FILE)), st.text(max_size=5), st.integers(min_value=0, max_value=40))
def test_mutated_and_truncated_input_raises_nothing_but_load_error(position, inserted, removed):
    mangled = SEED_FILE[:position] + inserted + SEED_FILE[position + removed :]

    try:
        parsed = parse_x12(mangled, "mangled.835", "835", HASHER)
    except LoadError:
        return
    total_sets = len(parsed.quarantine) + parsed.tables["remit_payments"].height
    assert total_sets >= 1
