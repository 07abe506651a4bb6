"""What the simulated practice produces: claims, claim payments and payment runs, in integer cents."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache


# Slotted dataclasses: a million-claim run makes tens of millions of these, and frozen ones cost twice as much to build.
@dataclass(slots=True)
class Patient:
    member_id: str
    last_name: str
    first_name: str
    birth_date: date


@dataclass(slots=True)
class Line:
    number: int
    code: str
    charge: int
    service_date: date
    modifiers: tuple[str, ...] = ()


@dataclass(frozen=True)
class CodingError:
    """A coder's mistake on the visit line, as an auditor would record it."""

    kind: str
    billed_code: str
    correct_code: str
    dollar_impact: int


@dataclass
class Claim:
    claim_id: str
    payer_id: str
    patient: Patient
    rendering_npi: str
    coder_id: str
    service_date: date
    submitted_date: date
    lines: list[Line]
    diagnoses: list[str]
    frequency_code: str = "1"
    coding_error: CodingError | None = None

    @property
    def charge(self) -> int:
        return sum(line.charge for line in self.lines)


@dataclass(slots=True)
class Adjustment:
    group: str
    reason: str
    amount: int


@dataclass(slots=True)
class LinePayment:
    line: Line
    paid: int
    adjustments: list[Adjustment]
    allowed: int | None = None
    remark: str | None = None

    def negated(self) -> LinePayment:
        """The same line with every amount's sign flipped, as a reversal (CLP02=22) sends it."""
        return LinePayment(
            Line(self.line.number, self.line.code, -self.line.charge, self.line.service_date, self.line.modifiers),
            -self.paid,
            [Adjustment(a.group, a.reason, -a.amount) for a in self.adjustments],
            -self.allowed if self.allowed is not None else None,
            self.remark,
        )


@dataclass
class ClaimPayment:
    """One CLP loop: a claim's adjudication as one payer reports it in one payment run."""

    claim: Claim
    status_code: str
    lines: list[LinePayment]
    payer_claim_id: str

    @property
    def charge(self) -> int:
        return sum(line.line.charge for line in self.lines)

    @property
    def paid(self) -> int:
        return sum(line.paid for line in self.lines)

    @property
    def patient_responsibility(self) -> int:
        return sum(a.amount for line in self.lines for a in line.adjustments if a.group == "PR")


@dataclass(slots=True)
class ProviderAdjustment:
    reason: str
    reference: str
    amount: int


@dataclass
class PaymentRun:
    """One cheque or EFT: an 835 transaction set."""

    payer_id: str
    payment_date: date
    trace_number: str
    claims: list[ClaimPayment] = field(default_factory=list)
    provider_adjustments: list[ProviderAdjustment] = field(default_factory=list)

    @property
    def amount(self) -> int:
        # BPR02 = sum of CLP04 - sum of PLB amounts
        return sum(claim.paid for claim in self.claims) - sum(plb.amount for plb in self.provider_adjustments)


@dataclass(frozen=True)
class AuditRow:
    claim_id: str
    coder_id: str
    auditor_id: str
    audit_date: date
    code_type: str
    original_code: str
    audited_code: str
    finding: str
    dollar_impact: int


@lru_cache(maxsize=1 << 16)
def dollars(cents: int) -> str:
    """Cents as an X12/CSV dollar amount: 1234 -> 12.34, -5 -> -0.05 (cached: charges repeat)."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


@lru_cache(maxsize=4096)
def ccyymmdd(day: date) -> str:
    """A date as X12 writes it (CCYYMMDD); cached, since a run writes the same few hundred dates."""
    return day.strftime("%Y%m%d")
