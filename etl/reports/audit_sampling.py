"""Coding-audit samples drawn as OIG RAT-STATS practice expects: a defined universe, the claim as the unit, a recorded
seed, simple random or stratified-by-coder selection, and the estimators that go with them."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from datetime import date, datetime, timezone
from typing import Literal

import duckdb
import numpy as np
import polars as pl
from scipy import stats

from etl.reports.scope import IN_SCOPE, Scope
from etl.reports.stats import exact_interval

# OIG practice: a probe of about 30 claims first; its error rate decides whether, and how large, a full sample is due.
PROBE_SIZE = 30
# The one sign convention of dollar_impact, said on the worksheet, the page and in the README, and checked on load.
SIGN_NOTE = ("dollar_impact is the change in what the claim should have been paid: negative when the practice overbilled "
             "(upcoded, extra code: -45.00), positive when it underbilled (downcoded, missing code: 20.00), 0.00 when the codes agree.")

@dataclass(frozen=True)
class Universe:
    """The claims an audit may draw from: a scope plus coders and procedure families (leading CPT characters)."""

    scope: Scope = Scope()
    coders: tuple[str, ...] = ()
    procedure_families: tuple[str, ...] = ()

    def describe(self) -> str:
        return json.dumps({**asdict(self.scope), "coders": self.coders, "procedure_families": self.procedure_families}, default=str)

    @classmethod
    def from_description(cls, text: str) -> "Universe":
        """The universe a sample recorded (audit_samples.universe), to draw again from the same claims."""
        described = json.loads(text)
        dates = {name: date.fromisoformat(described[name]) if described[name] else None for name in ("start", "end")}
        scope = Scope(tuple(described["payers"]), tuple(described["providers"]), **dates, basis=described["basis"])
        return cls(scope, tuple(described["coders"]), tuple(described["procedure_families"]))


# The universe's submissions; a universe narrowed to procedure families adds FAMILIES_SQL, so an unnarrowed one (the
# page's default) never reads the claim lines.
UNIVERSE_WHERE = f"""
    from audit_universe
    where {IN_SCOPE}
      and (len($coders) = 0 or list_contains($coders, coder_id))
"""
FAMILIES_SQL = """
      and claim_record_id in (
          select claim_record_id from claim_procedure_families where list_contains($families, procedure_family)
      )
"""


def _universe_sql(columns: str, universe: Universe) -> str:
    return f"select {columns} {UNIVERSE_WHERE} {FAMILIES_SQL if universe.procedure_families else ''}"


def universe_claims(con: duckdb.DuckDBPyConnection, universe: Universe) -> pl.DataFrame:
    """The universe's claims, one row per claim (its latest submission), in a fixed order so a seed repeats."""
    columns = "claim_record_id, claim_id, payer_id, coder_id, service_date_from, submitted_date, charge_amount"
    latest = ("qualify row_number() over (partition by claim_id, payer_id order by submitted_date desc,"
              " claim_record_id desc) = 1 order by claim_record_id")
    return con.sql(f"{_universe_sql(columns, universe)} {latest}", params=_universe_params(universe)).pl()


def universe_size(con: duckdb.DuckDBPyConnection, universe: Universe) -> int:
    """How many claims the universe holds: N, the population the sample size is worked out for (one a claim, as
    universe_claims keeps each claim's latest submission)."""
    sql = f"select count(*) from ({_universe_sql('distinct claim_id, payer_id', universe)})"
    return con.sql(sql, params=_universe_params(universe)).fetchall()[0][0]


def _universe_params(universe: Universe) -> dict:
    families = {"families": list(universe.procedure_families)} if universe.procedure_families else {}
    return {**universe.scope.params(), "coders": list(universe.coders), **families}


def sample_size(confidence: float, precision: float, expected_error_rate: float, population: int) -> int:
    """Claims to audit to estimate an error rate within ±precision at this confidence (normal approximation,
    n0 = z² p (1 − p) / e²), reduced by the finite-population correction n = n0 / (1 + (n0 − 1) / N)."""
    z = stats.norm.ppf(1 - (1 - confidence) / 2)
    infinite = z**2 * expected_error_rate * (1 - expected_error_rate) / precision**2
    return min(population, math.ceil(infinite / (1 + (infinite - 1) / population)))


def allocate(stratum_sizes: dict[str, int], size: int, allocation: Literal["proportional", "equal"]) -> dict[str, int]:
    """Claims to draw per stratum, summing to `size` (capped at the universe): proportional by largest remainder, or
    equal shares with the remainder going to the strata in name order; never more than a stratum holds."""
    names = sorted(stratum_sizes)
    size = min(size, sum(stratum_sizes.values()))
    if allocation == "proportional":
        total = sum(stratum_sizes.values())
        exact = {name: size * stratum_sizes[name] / total for name in names}
        shares = {name: math.floor(exact[name]) for name in names}
        by_remainder = sorted(names, key=lambda name: (-(exact[name] - shares[name]), name))
        for name in by_remainder[: size - sum(shares.values())]:
            shares[name] += 1
        return shares
    shares = dict.fromkeys(names, 0)
    while sum(shares.values()) < size:  # hand out one at a time so a small stratum's unused share moves on
        for name in names:
            if sum(shares.values()) < size and shares[name] < stratum_sizes[name]:
                shares[name] += 1
    return shares


def draw(claims: pl.DataFrame, size: int, seed: int, stratify_by_coder: bool = False,
         allocation: Literal["proportional", "equal"] = "proportional") -> pl.DataFrame:
    """Draw claims without replacement; each row carries its stratum, N_h and n_h. Same claims and seed, same sample."""
    strata = claims.with_columns(stratum=pl.col("coder_id").fill_null("no coder") if stratify_by_coder else pl.lit("all"))
    sizes = dict(strata.group_by("stratum").len().iter_rows())
    shares = allocate(sizes, size, allocation) if stratify_by_coder else {"all": min(size, len(claims))}
    rng = np.random.default_rng(seed)
    drawn = []
    for name in sorted(shares):
        members = strata.filter(pl.col("stratum") == name)
        picked = rng.choice(len(members), size=shares[name], replace=False)
        drawn.append(members[np.sort(picked)].with_columns(stratum_size=pl.lit(sizes[name]), stratum_sample=pl.lit(shares[name])))
    return pl.concat(drawn) if drawn else strata.head(0).with_columns(stratum_size=pl.lit(0), stratum_sample=pl.lit(0))


def record(con: duckdb.DuckDBPyConnection, universe: Universe, universe_size: int, sample: pl.DataFrame, seed: int,
           stratify_by_coder: bool, allocation: str, purpose: str = "full", probe_sample_id: int | None = None) -> int:
    """Save the draw (seed, method, universe, probe or full) and its claims; returns the new sample id."""
    con.execute("begin")
    sample_id = con.execute("select coalesce(max(sample_id), 0) + 1 from audit_samples").fetchall()[0][0]
    con.execute(
        "insert into audit_samples by name select ? as sample_id, ? as drawn_at, ? as seed, ? as method, ? as allocation,"
        " ? as universe, ? as universe_size, ? as sample_size, ? as purpose, ? as probe_sample_id",
        [sample_id, datetime.now(timezone.utc).replace(tzinfo=None), seed, "stratified" if stratify_by_coder else "simple_random",
         allocation if stratify_by_coder else None, universe.describe(), universe_size, len(sample), purpose, probe_sample_id],
    )
    rows = sample.select(pl.lit(sample_id).alias("sample_id"), "claim_id", "claim_record_id", "coder_id", "stratum",
                         "stratum_size", "stratum_sample")
    con.register("drawn_claims", rows.to_arrow())
    con.execute("insert into audit_sample_claims select * from drawn_claims")
    con.unregister("drawn_claims")
    con.execute("commit")
    return sample_id


WORKSHEET_SQL = """
    select claim_id, coder_id, null::varchar as auditor_id, null::date as audit_date, code_type,
           code as original_code, null::varchar as audited_code, null::varchar as finding, null::decimal(18,2) as dollar_impact
    from audit_sample_codes
    where sample_id = $sample_id
    -- a total order, so the worksheet drawn again later has the same rows in the same order (a claim id billed to two
    -- payers is drawn twice, its codes at the same positions)
    order by stratum, claim_id, position, coder_id, code_type, code
"""


def worksheet(con: duckdb.DuckDBPyConnection, sample_id: int) -> pl.DataFrame:
    """One row per code of each sampled claim, in the coding-audits CSV layout with the auditor's columns blank;
    filled in, it loads back with `claimscope load`."""
    return con.sql(WORKSHEET_SQL, params={"sample_id": sample_id}).pl()


def extrapolate_overpayment(audited: pl.DataFrame, confidence: float = 0.90) -> dict:
    """Stratified estimate of the universe's total overpayment from audited sample claims.

    `audited` has one row per audited claim: stratum, stratum_size (N_h), overpayment. Per stratum the mean ȳ_h and
    variance s_h² give T = Σ N_h ȳ_h and Var(T) = Σ N_h² (1 − n_h / N_h) s_h² / n_h; the two-sided interval uses
    Student's t with Σ(n_h − 1) degrees of freedom. The lower bound is the figure the OIG demands.
    """
    per_stratum = audited.group_by("stratum").agg(
        N=pl.col("stratum_size").first(), n=pl.len(), mean=pl.col("overpayment").cast(pl.Float64).mean(),
        variance=pl.col("overpayment").cast(pl.Float64).var(ddof=1).fill_null(0.0),
    )
    total = float((per_stratum["N"] * per_stratum["mean"]).sum())
    variance = float((per_stratum["N"] ** 2 * (1 - per_stratum["n"] / per_stratum["N"]) * per_stratum["variance"] / per_stratum["n"]).sum())
    degrees = int((per_stratum["n"] - 1).sum())
    margin = stats.t.ppf(1 - (1 - confidence) / 2, degrees) * math.sqrt(variance) if degrees > 0 else float("nan")
    return {"point_estimate": total, "standard_error": math.sqrt(variance), "lower_bound": total - margin,
            "upper_bound": total + margin, "degrees_of_freedom": degrees, "confidence": confidence}


@dataclass(frozen=True)
class Draw:
    """A recorded sample: its id, seed, the universe's size and the claims drawn."""

    sample_id: int
    seed: int
    universe_size: int
    claims: pl.DataFrame


def draw_sample(con: duckdb.DuckDBPyConnection, universe: Universe, size: int, seed: int, stratify_by_coder: bool = False,
                allocation: Literal["proportional", "equal"] = "proportional", purpose: str = "full",
                probe_sample_id: int | None = None) -> Draw:
    """Read the universe, draw from it and record the draw; the one entry point the CLI and the page share."""
    claims = universe_claims(con, universe)
    sample = draw(claims, size, seed, stratify_by_coder, allocation)
    sample_id = record(con, universe, len(claims), sample, seed, stratify_by_coder, allocation, purpose, probe_sample_id)
    return Draw(sample_id, seed, len(claims), sample)


def draw_full_sample(con: duckdb.DuckDBPyConnection, probe_sample_id: int, size: int, seed: int) -> Draw:
    """The full sample a probe calls for: the probe's universe, method and allocation, a new seed, recorded with the
    probe it was sized from."""
    universe, method, allocation = con.execute(
        "select universe, method, allocation from audit_samples where sample_id = ?", [probe_sample_id]).fetchall()[0]
    return draw_sample(con, Universe.from_description(universe), size, seed, method == "stratified",
                       allocation or "proportional", "full", probe_sample_id)


def probe_result(results: pl.DataFrame) -> dict:
    """A probe's audited claims in error (any code wrong) and the error rate that sizes the full sample."""
    audited = len(results)
    in_error = int((~results["is_claim_correct"]).sum()) if audited else 0
    return {"claims_audited": audited, "claims_in_error": in_error, "error_rate": in_error / audited if audited else 0.0}


SAMPLE_RESULTS_SQL = """
    select claim_id, stratum, stratum_size, stratum_sample, overpayment, is_claim_correct
    from audit_sample_results
    where sample_id = $sample_id order by stratum, claim_id
"""
