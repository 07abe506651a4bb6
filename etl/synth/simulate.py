"""Simulate a practice day by day: claims go out, payers answer on their run days, follow-ups follow.

Everything comes from one seeded random.Random, consumed in a fixed order, so a seed gives the same
output byte for byte. Money is integer cents until a writer formats it.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Protocol

from etl.synth.model import (
    Adjustment, AuditRow, Claim, ClaimPayment, CodingError, Line, LinePayment, PaymentRun, Patient,
    ProviderAdjustment,
)
from etl.synth.profile import Payer, Profile, Spread

# Tree names: plainly synthetic, never mistaken for a real patient list.
LAST_NAMES = ["ALDER", "BIRCH", "CEDAR", "DOGWOOD", "ELM", "FIR", "GINKGO", "HAZEL", "IRONWOOD", "JUNIPER",
              "KAPOK", "LARCH", "MAPLE", "NUTMEG", "OAK", "PINE", "QUINCE", "ROWAN", "SPRUCE", "TEAK",
              "WILLOW", "YEW", "ZELKOVA", "ASPEN", "LINDEN"]
FIRST_NAMES = ["AVA", "BEN", "CORA", "DEV", "ELLA", "FINN", "GIA", "HUGO", "IRIS", "JON", "KAI", "LENA",
               "MILO", "NORA", "OTTO", "PIA", "QUINN", "RUBY", "SAM", "TESS", "UMA", "VIC", "WREN", "ZED"]


class Sink(Protocol):
    def claims(self, day: date, claims: list[Claim]) -> None: ...
    def payment_run(self, run: PaymentRun) -> None: ...
    def audits(self, rows: list[AuditRow]) -> None: ...


def cents(dollars: float) -> int:
    return round(dollars * 100)


def share_of(amount: int, share: float) -> int:
    """Round-half-up share of an amount in cents, in integers so no float error reaches the money."""
    basis = round(share * 10_000)
    return (amount * basis + 5_000) // 10_000 if amount >= 0 else -((-amount * basis + 5_000) // 10_000)


def luhn_npi(rng: random.Random) -> str:
    """A random NPI whose check digit passes the Luhn test with the 80840 prefix."""
    base = "1" + "".join(str(rng.randrange(10)) for _ in range(8))
    for check in "0123456789":
        digits = [int(c) for c in "80840" + base + check]
        total = sum(d if i % 2 == 0 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(reversed(digits)))
        if total % 10 == 0:
            return base + check
    raise AssertionError("a Luhn check digit always exists")


class Practice:
    """The simulation: call run(sink) once."""

    def __init__(self, profile: Profile, claims: int, seed: int, months: int, end: date) -> None:
        self.profile = profile
        self.rng = random.Random(seed)
        self.end = end
        self.start = end - timedelta(days=round(months * 365.25 / 12) - 1)
        self.payers = {payer.payer_id: payer for payer in profile.payers}
        self.billed_payers = [payer for payer in profile.payers if not payer.self_pay]
        self.payer_weights = list(itertools.accumulate(payer.share for payer in profile.payers))
        self.providers = [luhn_npi(self.rng) for _ in range(profile.practice.providers)]
        self.visit_weights = list(itertools.accumulate(code.weight for code in profile.codes.visits))
        self.charges = {code.code: cents(code.charge) for code in profile.codes.visits + profile.codes.extras}
        self.pool_sizes = {
            payer.payer_id: max(1, round(claims * payer.share / profile.practice.claims_per_patient)) for payer in profile.payers
        }
        self.patients: dict[tuple[str, int], Patient] = {}
        self.daily_counts = self._daily_counts(claims)
        self.claim_numbers = itertools.count(1)
        self.trace_numbers = itertools.count(1)
        self.pending_claims: dict[date, list[Claim]] = defaultdict(list)
        self.pending_runs: dict[tuple[date, str], list[tuple]] = defaultdict(list)

    # -- the day loop ---------------------------------------------------------------------------

    def run(self, sink: Sink) -> None:
        """Walk every day of the window, writing claims, payment runs and audits as they happen."""
        for day in self._days():
            todays = [self._new_claim(day) for _ in range(self.daily_counts[day])] + self.pending_claims.pop(day, [])
            if todays:
                sink.claims(day, todays)
                sink.audits([row for claim in todays for row in self._audit(claim)])
            for claim in todays:
                payer = self.payers[claim.payer_id]
                if not payer.self_pay and self.rng.random() >= payer.never_paid_share:
                    self._schedule(payer, claim.submitted_date + timedelta(days=self._delay(payer.days_to_pay)), ("adjudicate", claim))
            for payer in self.billed_payers:
                events = self.pending_runs.pop((day, payer.payer_id), None)
                if events:
                    sink.payment_run(self._payment_run(payer, day, events))

    def _days(self) -> Iterator[date]:
        day = self.start
        while day <= self.end:
            yield day
            day += timedelta(days=1)

    def _daily_counts(self, claims: int) -> dict[date, int]:
        """Spread the claims over the window by weekday weight, largest remainder first."""
        days = list(self._days())
        weights = [1.0 if day.weekday() < 5 else self.profile.practice.weekend_volume for day in days]
        quotas = [claims * weight / sum(weights) for weight in weights]
        counts = [math.floor(quota) for quota in quotas]
        by_remainder = sorted(range(len(days)), key=lambda index: (counts[index] - quotas[index], index))
        for index in by_remainder[: claims - sum(counts)]:
            counts[index] += 1
        return dict(zip(days, counts))

    def _schedule(self, payer: Payer, earliest: date, event: tuple) -> None:
        """Queue an event for the payer's first run day on or after `earliest`; past the window it never happens."""
        waits = [(weekday - earliest.weekday()) % 7 for weekday in payer.run_weekdays]
        run_day = earliest + timedelta(days=min(waits))
        if run_day <= self.end:
            self.pending_runs[(run_day, payer.payer_id)].append(event)

    def _delay(self, spread: Spread) -> int:
        return max(spread.minimum, round(spread.median * math.exp(spread.spread * self.rng.gauss(0, 1))))

    # -- claims -----------------------------------------------------------------------------------

    def _new_claim(self, submitted: date) -> Claim:
        rng, profile = self.rng, self.profile
        payer = profile.payers[bisect.bisect_left(self.payer_weights, rng.random() * self.payer_weights[-1])]
        lag_limits = profile.practice.charge_lag_days
        lag = min(lag_limits["max"], max(0, round(lag_limits["median"] * math.exp(0.6 * rng.gauss(0, 1)))))
        service_date = submitted - timedelta(days=lag)
        visit = profile.codes.visits[bisect.bisect_left(self.visit_weights, rng.random() * self.visit_weights[-1])]
        codes = [visit.code] + [extra.code for extra in profile.codes.extras if rng.random() < extra.chance]
        coder = rng.choice(profile.coders)
        error = self._coding_error(coder.error_rate + coder.drift_per_month * self._month_index(submitted), visit.code)
        if error:
            codes[0] = error.billed_code
        lines = [
            Line(number, code, self.charges[code], service_date, ("25",) if number == 1 and len(codes) > 2 else ())
            for number, code in enumerate(codes, start=1)
        ]
        diagnoses = rng.sample(profile.codes.diagnoses, rng.randint(1, 3))
        return Claim(
            claim_id=f"RS{next(self.claim_numbers):08d}",
            payer_id=payer.payer_id,
            patient=self._patient(payer),
            rendering_npi=rng.choice(self.providers),
            coder_id=coder.coder_id,
            service_date=service_date,
            submitted_date=submitted,
            lines=lines,
            diagnoses=diagnoses,
            coding_error=error,
        )

    def _month_index(self, day: date) -> int:
        return (day.year - self.start.year) * 12 + day.month - self.start.month

    def _patient(self, payer: Payer) -> Patient:
        index = self.rng.randrange(self.pool_sizes[payer.payer_id])
        key = (payer.payer_id, index)
        if key not in self.patients:
            # Medicare patients are 65 or over at the end of the window.
            oldest, youngest = (1930, self.end.year - 66) if payer.filing_indicator == "MB" else (1945, self.end.year - 1)
            birth = date(self.rng.randint(oldest, youngest), self.rng.randint(1, 12), self.rng.randint(1, 28))
            self.patients[key] = Patient(
                f"{payer.payer_id[:3]}{index:07d}", self.rng.choice(LAST_NAMES), self.rng.choice(FIRST_NAMES), birth
            )
        return self.patients[key]

    def _coding_error(self, error_rate: float, correct: str) -> CodingError | None:
        if self.rng.random() >= error_rate:
            return None
        kinds = self.profile.coding_errors.kinds
        kind = self.rng.choices(list(kinds), weights=list(kinds.values()))[0]
        ladder = [visit.code for visit in self.profile.codes.visits if visit.code[:4] == correct[:4]]
        position = ladder.index(correct)
        if kind == "upcoded" and position + 1 < len(ladder):
            billed = ladder[position + 1]
        elif kind == "downcoded" and position > 0:
            billed = ladder[position - 1]
        else:
            # Wrong code: the same level of the other E/M family (new patient 9920x <-> established 9921x).
            kind = "wrong_code"
            other = [visit.code for visit in self.profile.codes.visits if visit.code[:4] != correct[:4]]
            billed = other[min(position, len(other) - 1)]
        return CodingError(kind, billed, correct, self.charges[correct] - self.charges[billed])

    def _audit(self, claim: Claim) -> list[AuditRow]:
        practice = self.profile.practice
        if claim.frequency_code != "1" or self.rng.random() >= practice.audit_share:
            return []
        audit_date = claim.submitted_date + timedelta(days=self.rng.randint(10, 45))
        auditor = self.rng.choice(practice.auditors)
        if audit_date > self.end:
            return []
        error = claim.coding_error
        visit = claim.lines[0].code
        code_row = (
            AuditRow(claim.claim_id, claim.coder_id, auditor, audit_date, "CPT", error.billed_code, error.correct_code, error.kind, error.dollar_impact)
            if error
            else AuditRow(claim.claim_id, claim.coder_id, auditor, audit_date, "CPT", visit, visit, "agree", 0)
        )
        diagnosis = claim.diagnoses[0]
        return [code_row, AuditRow(claim.claim_id, claim.coder_id, auditor, audit_date, "ICD10", diagnosis, diagnosis, "agree", 0)]

    # -- payment runs -------------------------------------------------------------------------------

    def _payment_run(self, payer: Payer, day: date, events: list[tuple]) -> PaymentRun:
        run = PaymentRun(payer.payer_id, day, f"{payer.payer_id[:3]}{day:%y%m%d}{next(self.trace_numbers):06d}")
        for event in events:
            handler = getattr(self, f"_on_{event[0]}")
            handler(payer, day, run, *event[1:])
        if run.amount < 0:
            # A run that would pay less than nothing carries the balance forward (PLB FB) to the next run.
            carried = -run.amount
            run.provider_adjustments.append(ProviderAdjustment("FB", run.trace_number, -carried))
            self._schedule(payer, day + timedelta(days=1), ("forwarded_balance", run.trace_number, carried))
        elif run.amount > 0 and self.rng.random() < payer.forwarding_balance_share:
            withheld = run.amount // 2
            run.provider_adjustments.append(ProviderAdjustment("FB", run.trace_number, withheld))
            self._schedule(payer, day + timedelta(days=1), ("forwarded_balance", run.trace_number, -withheld))
        return run

    def _on_adjudicate(self, payer: Payer, day: date, run: PaymentRun, claim: Claim) -> None:
        category, reason = self._denial(payer, claim)
        if category:
            run.claims.append(self._denied(claim, reason))
            self._follow_up(payer, day, claim, category, reason)
        else:
            self._pay(payer, day, run, claim)

    def _on_appeal(self, payer: Payer, day: date, run: PaymentRun, claim: Claim, reason) -> None:
        if self.rng.random() < self.profile.follow_up.overturn_rate:
            self._pay(payer, day, run, claim)
        else:
            run.claims.append(self._denied(claim, reason))

    def _on_secondary(self, payer: Payer, day: date, run: PaymentRun, primary: ClaimPayment) -> None:
        """The secondary payer pays the patient share the primary left, citing the primary's payment (OA-23)."""
        lines = []
        for line in primary.lines:
            contractual = sum(a.amount for a in line.adjustments if a.group == "CO")
            patient_share = sum(a.amount for a in line.adjustments if a.group == "PR")
            adjustments = [Adjustment("OA", "23", line.paid)] + ([Adjustment("CO", "45", contractual)] if contractual else [])
            lines.append(LinePayment(line.line, patient_share, adjustments, line.allowed))
        run.claims.append(ClaimPayment(primary.claim, "2", lines, self._payer_claim_id(payer)))

    def _on_reversal(self, payer: Payer, day: date, run: PaymentRun, original: ClaimPayment) -> None:
        """Take the original payment back (CLP02=22, amounts negated) and pay it again, repriced."""
        run.claims.append(ClaimPayment(original.claim, "22", [line.negated() for line in original.lines], original.payer_claim_id))
        repriced = payer.allowed_share * (1 + self.rng.choice([-0.05, 0.05]))
        run.claims.append(self._priced(payer, original.claim, "1", repriced))

    def _on_recoupment(self, payer: Payer, day: date, run: PaymentRun, original: ClaimPayment) -> None:
        run.provider_adjustments.append(ProviderAdjustment("WO", original.payer_claim_id, original.paid))

    def _on_forwarded_balance(self, payer: Payer, day: date, run: PaymentRun, reference: str, amount: int) -> None:
        run.provider_adjustments.append(ProviderAdjustment("FB", reference, amount))

    def _denial(self, payer: Payer, claim: Claim) -> tuple[str | None, object]:
        errors = self.profile.coding_errors
        if claim.coding_error and claim.coding_error.kind != "downcoded" and self.rng.random() < errors.denial_probability:
            return "coding_bundling", self.rng.choice(errors.denial_reasons)
        spike = self.profile.authorization_spike
        in_spike = payer.payer_id == spike.payer_id and spike.from_month <= self._month_index(claim.submitted_date) < spike.from_month + spike.months
        if in_spike and self.rng.random() < spike.extra_denial_rate:
            return "authorization_referral", self.rng.choice(self.profile.denial_reasons["authorization_referral"])
        if self.rng.random() < payer.denial_rate:
            category = self.rng.choices(list(payer.denial_mix), weights=list(payer.denial_mix.values()))[0]
            return category, self.rng.choice(self.profile.denial_reasons[category])
        return None, None

    def _denied(self, claim: Claim, reason) -> ClaimPayment:
        lines = [LinePayment(line, 0, [Adjustment(reason.group, reason.code, line.charge)], remark=reason.remark) for line in claim.lines]
        return ClaimPayment(claim, "4", lines, self._payer_claim_id(self.payers[claim.payer_id]))

    def _follow_up(self, payer: Payer, day: date, claim: Claim, category: str, reason) -> None:
        follow_up = self.profile.follow_up
        when = day + timedelta(days=self._delay(follow_up.days_to_follow_up))
        if self.rng.random() < follow_up.corrected_claim_share.get(category, 0.0):
            corrected_lines = list(claim.lines)
            if claim.coding_error:
                first = claim.lines[0]
                corrected_lines[0] = Line(1, claim.coding_error.correct_code, self.charges[claim.coding_error.correct_code], first.service_date, first.modifiers)
            corrected = Claim(
                claim.claim_id, claim.payer_id, claim.patient, claim.rendering_npi, claim.coder_id, claim.service_date,
                when, corrected_lines, claim.diagnoses, frequency_code="7",
            )
            if when <= self.end:
                self.pending_claims[when].append(corrected)
        elif self.rng.random() < follow_up.appeal_share.get(category, 0.0):
            # An appeal takes the payer a couple of weeks more than the follow-up itself.
            self._schedule(payer, when + timedelta(days=14), ("appeal", claim, reason))

    def _pay(self, payer: Payer, day: date, run: PaymentRun, claim: Claim) -> None:
        payment = self._priced(payer, claim, "1", payer.allowed_share)
        secondary = self.payers.get(payer.crossover_to or "")
        if secondary and payment.patient_responsibility > 0 and self.rng.random() < payer.crossover_share:
            payment.status_code = "19"
            self._schedule(secondary, day + timedelta(days=self._delay(secondary.days_to_pay)), ("secondary", payment))
        run.claims.append(payment)
        if payer.late_interest:
            late_days = (day - claim.submitted_date).days - payer.late_interest.after_days
            interest = share_of(payment.paid, payer.late_interest.annual_rate * late_days / 365) if late_days > 0 else 0
            if interest > 0:
                # Interest increases the payment, so the PLB amount is negative (PLB L6).
                run.provider_adjustments.append(ProviderAdjustment("L6", claim.claim_id, -interest))
        if self.rng.random() < payer.reversal_share:
            self._schedule(payer, day + timedelta(days=self.rng.randint(20, 60)), ("reversal", payment))
        elif self.rng.random() < payer.recoupment_share:
            self._schedule(payer, day + timedelta(days=self.rng.randint(30, 90)), ("recoupment", payment))

    def _priced(self, payer: Payer, claim: Claim, status: str, allowed_share: float) -> ClaimPayment:
        """Allowed amount, CO-45 contractual, then deductible (PR-1), copay (PR-3) and coinsurance (PR-2)."""
        quarter = (claim.service_date.month - 1) // 3
        meets_deductible = self.rng.random() < self.profile.deductible_chance_by_quarter[quarter]
        deductible_left = cents(payer.deductible * self.rng.uniform(0.2, 1.0)) if meets_deductible else 0
        lines = []
        for line in claim.lines:
            allowed = share_of(line.charge, allowed_share)
            deductible = min(deductible_left, allowed)
            deductible_left -= deductible
            copay = min(cents(payer.copay), allowed - deductible) if line.number == 1 else 0
            coinsurance = share_of(allowed - deductible - copay, payer.coinsurance)
            adjustments = [
                Adjustment(group, reason, amount)
                for group, reason, amount in (
                    ("CO", "45", line.charge - allowed), ("PR", "1", deductible), ("PR", "3", copay), ("PR", "2", coinsurance)
                )
                if amount
            ]
            lines.append(LinePayment(line, allowed - deductible - copay - coinsurance, adjustments, allowed))
        return ClaimPayment(claim, status, lines, self._payer_claim_id(payer))

    def _payer_claim_id(self, payer: Payer) -> str:
        return f"{payer.payer_id[:3]}{self.rng.randrange(10**11):011d}"
