"""The synthetic practice profile (profile.yaml), read into typed, validated settings."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, Field

DEFAULT_PROFILE = Path(__file__).with_name("profile.yaml")


class Spread(BaseModel):
    """A lognormal delay in days: `median` days, `spread` its sigma, never below `minimum`."""

    minimum: int = 0
    median: float
    spread: float


class LateInterest(BaseModel):
    after_days: int
    annual_rate: float


class Payer(BaseModel):
    payer_id: str
    name: str
    share: float
    self_pay: bool = False
    filing_indicator: str = "CI"
    allowed_share: float = 0.0
    days_to_pay: Spread | None = None
    denial_rate: float = 0.0
    denial_mix: dict[str, float] = Field(default_factory=dict)
    never_paid_share: float = 0.0
    timely_filing_days: int = 365
    deductible: float = 0.0
    coinsurance: float = 0.0
    copay: float = 0.0
    crossover_to: str | None = None
    crossover_share: float = 0.0
    reversal_share: float = 0.0
    late_interest: LateInterest | None = None
    recoupment_share: float = 0.0
    forwarding_balance_share: float = 0.0
    run_weekdays: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4])


class Coder(BaseModel):
    coder_id: str
    error_rate: float
    drift_per_month: float = 0.0


class Reason(BaseModel):
    group: str
    code: str
    remark: str | None = None


class CodingErrors(BaseModel):
    kinds: dict[str, float]
    denial_probability: float
    denial_reasons: list[Reason]


class Practice(BaseModel):
    name: str
    billing_npi: str
    providers: int
    claims_per_patient: int
    charge_lag_days: dict[str, int]
    weekend_volume: float
    audit_share: float
    auditors: list[str]


class Spike(BaseModel):
    payer_id: str
    from_month: int
    months: int
    extra_denial_rate: float


class FollowUp(BaseModel):
    corrected_claim_share: dict[str, float]
    appeal_share: dict[str, float]
    overturn_rate: float
    days_to_follow_up: Spread


class Code(BaseModel):
    code: str
    charge: float
    weight: float = 0.0
    chance: float = 0.0


class Codes(BaseModel):
    visits: list[Code]
    extras: list[Code]
    diagnoses: list[str]


class Profile(BaseModel):
    practice: Practice
    coders: list[Coder]
    coding_errors: CodingErrors
    payers: list[Payer]
    authorization_spike: Spike
    denial_reasons: dict[str, list[Reason]]
    follow_up: FollowUp
    deductible_chance_by_quarter: list[float]
    codes: Codes

    def payer(self, payer_id: str) -> Payer:
        return next(payer for payer in self.payers if payer.payer_id == payer_id)


def read_profile(path: Path = DEFAULT_PROFILE) -> Profile:
    """Read and validate a profile YAML file."""
    return Profile.model_validate(yaml.safe_load(Path(path).read_text()))
