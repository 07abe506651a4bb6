"""Parse X12 835 remittances (005010X221A1, tolerating 4010) into payment, claim, line and adjustment rows.

The parse is columnar: every segment is a row of one polars frame, and loop membership (which CLP or
SVC a CAS belongs to) comes from forward-filling the latest CLP/SVC ordinal, so no Python runs per segment.
"""

from __future__ import annotations

import polars as pl

from etl.intake.patients import PatientHasher
from etl.intake.x12.segments import Interchange, segments_with_set_index

AMOUNTS = {
    "remit_payments": ("amount",),
    "remit_claims": ("charge", "paid", "patient_responsibility"),
    "remit_service_lines": ("charge", "paid", "allowed"),
    "remit_adjustments": ("amount",),
    "provider_adjustments": ("amount",),
}
QUANTITIES = {"remit_service_lines": ("units",), "remit_adjustments": ("quantity",)}
DATES = {
    "remit_payments": ("payment_date",),
    "remit_claims": ("received_date", "service_date_from", "service_date_to"),
    "remit_service_lines": ("service_date",),
    "provider_adjustments": ("fiscal_date",),
    "patients": ("birth_date",),
}
_REQUIRED = {"BPR": (1, 2, 3, 4), "TRN": (1, 2), "CLP": (1, 2, 3, 4), "CAS": (1, 2, 3), "SVC": (1, 2, 3), "PLB": (1, 2, 3, 4)}
# Segments that end the 2100 claim loop (and so the 2110 line loop) in the 835 layout.
_CLAIM_LOOP_ENDS = ["ST", "SE", "LX", "TS3", "TS2", "PLB"]
_CLAIM_SEGMENTS = ["CAS", "SVC", "MIA", "MOA", "LQ"]
SET, SEGMENT = "_set", "_segment"


def el(position: int) -> pl.Expr:
    """Element N of the segment (1-based); absent or empty is null."""
    value = pl.col("elements").list.get(position, null_on_oob=True)
    return pl.when(value != "").then(value)


def parse_remittances(interchange: Interchange, hasher: PatientHasher) -> tuple[dict[str, pl.DataFrame], pl.DataFrame, set[str]]:
    """String frames per contract table, the structural problems found (set, segment, reason), and warnings."""
    open_sets = [ts.index for ts in interchange.transaction_sets if ts.problem is None]
    segments = _with_loop_context(segments_with_set_index(interchange).filter(pl.col("set_index").is_in(open_sets)))
    missing_segments = _missing_segments(segments)
    split = pl.col("raw").str.split(interchange.delimiters.element).alias("elements")
    empty = segments.clear().with_columns(split).drop("raw")
    parts = {key[0]: frame for key, frame in segments.partition_by("tag", as_dict=True).items()}
    del segments  # the parts hold every row; on a large file memory, not time, is the scarcer resource
    split_parts: dict[str, pl.DataFrame] = {}

    def part(tag: str) -> pl.DataFrame:
        """One segment type's rows, split into elements (the text dropped) the first time they are asked for."""
        if tag not in split_parts:
            split_parts[tag] = parts.pop(tag).with_columns(split).drop("raw") if tag in parts else empty
        return split_parts[tag]

    composite = _CompositeReader(interchange.delimiters.component)
    claims, patients = _claims(part("CLP"), part("DTM"), part("NM1"), hasher)
    tables = {
        "remit_payments": _payments(part),
        "remit_claims": claims,
        "remit_service_lines": _lines(part("SVC"), part("DTM"), part("AMT"), part("REF"), composite),
        "remit_adjustments": _adjustments(part("CAS")),
        "remit_remarks": _remarks(part("MIA"), part("MOA"), part("LQ")),
        "provider_adjustments": _provider_adjustments(part("PLB"), composite),
        "patients": patients,
    }
    problems = pl.concat(
        [_missing_elements(part), _outside_claims(part), missing_segments, _half_pairs(part("CAS"), part("PLB"))],
        how="vertical",
    )
    return tables, problems, composite.warnings


def _with_loop_context(segments: pl.DataFrame) -> pl.DataFrame:
    """Add the CLP and SVC each segment belongs to, and the N1 party loop it sits in."""
    tag = pl.col("tag")
    loop_end = tag.is_in(_CLAIM_LOOP_ENDS)
    claim_ordinal = (tag == "CLP").cum_sum() - 1
    line_ordinal = (tag == "SVC").cum_sum() - 1
    return segments.with_columns(
        pl.when(tag == "CLP").then(claim_ordinal).when(loop_end).then(-1).forward_fill().alias("claim"),
        pl.when(tag == "SVC").then(line_ordinal).when(loop_end | (tag == "CLP")).then(-1).forward_fill().alias("line"),
        # N101 is a two-letter entity code (PR payer, PE payee) right after "N1" and its separator.
        pl.when(tag == "N1").then(pl.col("raw").str.slice(3, 2)).when(loop_end | (tag == "CLP")).then(pl.lit("")).forward_fill().alias("party"),
    ).with_columns(
        pl.when(pl.col("claim") >= 0).then(pl.col("claim")).alias("claim"),
        pl.when(pl.col("line") >= 0).then(pl.col("line")).alias("line"),
    )


def _first_per_set(frame: pl.DataFrame, condition: pl.Expr, **columns: pl.Expr) -> pl.DataFrame:
    return frame.filter(condition).group_by("set_index").agg([expr.first().alias(name) for name, expr in columns.items()])


def _payments(part) -> pl.DataFrame:
    outside_claims = pl.col("claim").is_null()
    pieces = [
        _first_per_set(part("BPR"), pl.lit(True), amount=el(2), method=el(4), bpr_date=el(16)),
        _first_per_set(part("TRN"), pl.lit(True), trace_number=el(2), originator_id=el(3)),
        _first_per_set(part("DTM"), (el(1) == "405") & outside_claims, production_date=el(2)),
        _first_per_set(part("N1"), el(1) == "PR", payer_name=el(2), n1_payer_id=el(4)),
        # REF*2U in loop 1000A is the payer's own identification number; it outranks N104.
        _first_per_set(part("REF"), (el(1) == "2U") & (pl.col("party") == "PR") & outside_claims, ref_payer_id=el(2)),
        _first_per_set(part("N1"), el(1) == "PE", payee_name=el(2), payee_npi=pl.when(el(3) == "XX").then(el(4))),
    ]
    payments = part("ST").select("set_index", "segment")
    for piece in pieces:
        payments = payments.join(piece, on="set_index", how="left")
    return payments.select(
        pl.col("set_index").alias(SET),
        pl.col("segment").alias(SEGMENT),
        pl.col("set_index").alias("payment_id"),
        "trace_number",
        pl.coalesce("ref_payer_id", "n1_payer_id", "originator_id").alias("payer_id"),
        "payer_name",
        "payee_npi",
        "payee_name",
        "method",
        "amount",
        pl.coalesce("bpr_date", "production_date").alias("payment_date"),
    )


def _claims(clp: pl.DataFrame, dtm: pl.DataFrame, nm1: pl.DataFrame, hasher: PatientHasher) -> tuple[pl.DataFrame, pl.DataFrame]:
    qualifier, value = el(1), el(2)
    # DTM*050 received; 232/233 statement period (4010 files send 150/151 at claim level).
    dates = (
        dtm.filter(pl.col("claim").is_not_null() & pl.col("line").is_null())
        .group_by("claim")
        .agg(
            value.filter(qualifier == "050").last().alias("received_date"),
            pl.coalesce(value.filter(qualifier == "232").last(), value.filter(qualifier == "150").last()).alias("service_date_from"),
            pl.coalesce(value.filter(qualifier == "233").last(), value.filter(qualifier == "151").last()).alias("service_date_to"),
        )
    )
    in_claim = nm1.filter(pl.col("claim").is_not_null())
    patients = in_claim.filter(el(1) == "QC").select(
        pl.col("set_index").alias(SET), pl.col("segment").alias(SEGMENT), "claim",
        el(9).alias("member_id"), el(3).alias("last_name"), el(4).alias("first_name"),
    )
    patients = patients.with_columns(hasher.patient_keys(patients))
    rendering = in_claim.filter((el(1) == "82") & (el(8) == "XX")).group_by("claim").agg(el(9).last().alias("rendering_npi"))
    claims = (
        clp.select(
            pl.col("set_index").alias(SET), pl.col("segment").alias(SEGMENT), pl.col("claim"),
            pl.col("claim").alias("remit_claim_id"), pl.col("set_index").alias("payment_id"),
            el(1).alias("claim_id"), el(2).alias("status_code"), el(3).alias("charge"), el(4).alias("paid"),
            el(5).alias("patient_responsibility"), el(6).alias("filing_indicator"), el(7).alias("payer_claim_id"),
            el(8).alias("facility_type_code"), el(9).alias("frequency_code"),
        )
        .join(dates, on="claim", how="left")
        .join(patients.group_by("claim").agg(pl.col("patient_key").last()), on="claim", how="left")
        .join(rendering, on="claim", how="left")
        .drop("claim")
    )
    patient_rows = patients.filter(pl.col("patient_key").is_not_null()).select(
        SET, SEGMENT, "patient_key", "member_id", "last_name", "first_name", pl.lit(None, pl.Utf8).alias("birth_date")
    )
    return claims, patient_rows


class _CompositeReader:
    """Split composites (SVC01, PLB03); tolerate files whose composites use another separator than ISA16."""

    def __init__(self, separator: str) -> None:
        self.separator = separator
        self.warnings: set[str] = set()

    def split(self, frame: pl.DataFrame, value: pl.Expr) -> pl.Expr:
        declared = value.str.contains(self.separator, literal=True)
        other = pl.when(~declared & value.str.contains(r"^[A-Z0-9]{2}[^A-Za-z0-9 ]")).then(value.str.slice(2, 1))
        found = frame.select(other.unique().drop_nulls()).to_series().to_list()
        for separator in found:
            self.warnings.add(f"composites use {separator!r} but ISA16 declares {self.separator!r}; read with {separator!r}")
        if not found:
            return value.str.split(self.separator)
        return value.str.split(pl.coalesce(other, pl.lit(self.separator)))


def _lines(svc: pl.DataFrame, dtm: pl.DataFrame, amt: pl.DataFrame, ref: pl.DataFrame, composite: _CompositeReader) -> pl.DataFrame:
    svc = svc.filter(pl.col("claim").is_not_null())
    service_dates = dtm.filter(pl.col("line").is_not_null() & el(1).is_in(["472", "150"])).group_by("line").agg(el(2).last().alias("service_date"))
    allowed = amt.filter(pl.col("line").is_not_null() & (el(1) == "B6")).group_by("line").agg(el(2).last().alias("allowed"))
    # REF*6R in loop 2110 echoes the line item control number the 837 sent in its 2400 REF*6R
    control_numbers = ref.filter(pl.col("line").is_not_null() & (el(1) == "6R")).group_by("line").agg(el(2).last().alias("line_control_number"))
    procedure = composite.split(svc, el(1))
    modifiers = procedure.list.slice(2, 4).list.eval(pl.element().filter(pl.element() != "")).list.join(":")
    return (
        svc.select(
            pl.col("set_index").alias(SET), pl.col("segment").alias(SEGMENT), pl.col("line"),
            pl.col("line").alias("remit_line_id"), pl.col("claim").alias("remit_claim_id"),
            _position_in_run("claim").alias("line_number"),
            procedure.list.get(0, null_on_oob=True).alias("procedure_qualifier"),
            procedure.list.get(1, null_on_oob=True).alias("procedure_code"),
            pl.when(modifiers != "").then(modifiers).alias("modifiers"),
            el(2).alias("charge"), el(3).alias("paid"), el(4).alias("revenue_code"),
            pl.coalesce(el(5), pl.lit("1")).alias("units"),
            composite.split(svc, el(6)).list.get(1, null_on_oob=True).alias("original_procedure_code"),
        )
        .join(allowed, on="line", how="left")
        .join(service_dates, on="line", how="left")
        .join(control_numbers, on="line", how="left")
        .drop("line")
    )


def _position_in_run(column: str) -> pl.Expr:
    """1, 2, 3... within each run of equal values; rows of one claim are contiguous, so no group-by is needed."""
    row = pl.int_range(pl.len())
    return row - pl.when(pl.col(column).ne_missing(pl.col(column).shift())).then(row).forward_fill() + 1


def _repeated(frame: pl.DataFrame, fixed: list[pl.Expr], groups: dict[str, list[pl.Expr]]) -> pl.DataFrame:
    """Unpivot a segment's repeated element groups (CAS triplets, PLB pairs, remark codes) into rows, in order."""
    names = list(groups)
    # One frame per group position, stacked and put back in segment order: far cheaper than exploding a list of structs.
    # Each keeps only the groups present, so the sort sees a segment's filled positions, not all six.
    positions = [
        frame.filter(pl.all_horizontal(expr.is_not_null() for expr in exprs[:2])).select(
            pl.col("set_index").alias(SET), pl.col("segment").alias(SEGMENT), *fixed,
            *(expr.alias(name) for name, expr in zip(names, exprs)), pl.lit(position, pl.Int8).alias("_position"),
        )
        for position, exprs in enumerate(zip(*groups.values()))
    ]
    return pl.concat(positions).sort(SEGMENT, "_position").drop("_position")


def _adjustments(cas: pl.DataFrame) -> pl.DataFrame:
    # CAS repeats up to six reason/amount/quantity triplets; keep all of them.
    starts = range(2, 20, 3)
    return _repeated(
        cas.filter(pl.col("claim").is_not_null()),
        [pl.col("claim").alias("remit_claim_id"), pl.col("line").alias("remit_line_id"), el(1).alias("group_code")],
        {
            "reason_code": [el(start) for start in starts],
            "amount": [el(start + 1) for start in starts],
            "quantity": [el(start + 2) for start in starts],
        },
    )


def _remarks(mia: pl.DataFrame, moa: pl.DataFrame, lq: pl.DataFrame) -> pl.DataFrame:
    def codes(frame: pl.DataFrame, positions: tuple[int, ...], source: str, line: pl.Expr) -> pl.DataFrame:
        fixed = [pl.col("claim").alias("remit_claim_id"), line.alias("remit_line_id")]
        found = _repeated(frame.filter(pl.col("claim").is_not_null()), fixed, {"code": [el(p) for p in positions], "source": [pl.lit(source)] * len(positions)})
        return found.select(SET, SEGMENT, "remit_claim_id", "remit_line_id", "code", "source")

    no_line = pl.lit(None, pl.Int64)
    # LQ*HE is a RARC; LQ*RX is an NCPDP reject code, not a remark.
    frames = [codes(mia, (5, 20, 21, 22, 23), "MIA", no_line), codes(moa, (3, 4, 5, 6, 7), "MOA", no_line)]
    frames.append(codes(lq.filter(el(1) == "HE"), (2,), "LQ", pl.col("line")))
    return pl.concat(frames).sort(SEGMENT, maintain_order=True)


def _provider_adjustments(plb: pl.DataFrame, composite: _CompositeReader) -> pl.DataFrame:
    # PLB carries up to six adjustment pairs (reason:reference, amount) after provider and fiscal date.
    starts = range(3, 15, 2)
    pairs = _repeated(
        plb,
        [pl.col("set_index").alias("payment_id"), el(1).alias("provider_id"), el(2).alias("fiscal_date")],
        {"identifier": [el(start) for start in starts], "amount": [el(start + 1) for start in starts]},
    )
    identifier = composite.split(pairs, pl.col("identifier"))
    return pairs.select(
        SET, SEGMENT, "payment_id", "provider_id", "fiscal_date",
        identifier.list.get(0, null_on_oob=True).alias("reason_code"),
        identifier.list.get(1, null_on_oob=True).alias("reference"),
        "amount",
    )


_NO_PROBLEMS = pl.DataFrame(schema={"set_index": pl.Int64, "segment": pl.Int64, "reason": pl.Utf8})


def _problem(frame: pl.DataFrame, condition: pl.Expr, reason: pl.Expr) -> pl.DataFrame:
    if frame.is_empty():
        return _NO_PROBLEMS
    return frame.filter(condition).select("set_index", "segment", reason.alias("reason"))


def _missing_elements(part) -> pl.DataFrame:
    """A required element left empty rejects the set (WEDI SNIP level 2)."""
    found = []
    for tag, positions in _REQUIRED.items():
        missing = pl.concat_str([pl.when(el(position).is_null()).then(pl.lit(f"{tag}{position:02}")) for position in positions], separator=", ", ignore_nulls=True)
        found.append(_problem(part(tag), missing != "", pl.format(f"{tag} is missing required element {{}}", missing)))
    return pl.concat(found)


def _outside_claims(part) -> pl.DataFrame:
    return pl.concat(
        [_problem(part(tag), pl.col("claim").is_null(), pl.lit(f"{tag} appears outside a claim (no CLP before it)")) for tag in _CLAIM_SEGMENTS]
    )


def _missing_segments(segments: pl.DataFrame) -> pl.DataFrame:
    tag = pl.col("tag")
    entity = pl.col("raw").str.slice(3, 2)  # N101, as in _with_loop_context
    present = segments.group_by("set_index").agg(
        pl.col("segment").min().alias("segment"), (tag == "BPR").any().alias("BPR"), (tag == "TRN").any().alias("TRN"),
        ((tag == "N1") & (entity == "PR")).any().alias("N1*PR"), ((tag == "N1") & (entity == "PE")).any().alias("N1*PE"),
    )
    return pl.concat(
        [_problem(present, ~pl.col(name), pl.lit(f"required segment {name} is missing")) for name in ("BPR", "TRN", "N1*PR", "N1*PE")]
    )


def _half_pairs(cas: pl.DataFrame, plb: pl.DataFrame) -> pl.DataFrame:
    found = []
    for frame, tag, starts, label in ((cas, "CAS", range(2, 20, 3), "triplet"), (plb, "PLB", range(3, 15, 2), "pair")):
        halves = [
            pl.when(el(start).is_null() != el(start + 1).is_null()).then(pl.lit(f"{tag} {label} at {tag}{start:02} needs both a reason and an amount"))
            for start in starts
        ]
        first_half = pl.coalesce(halves)
        found.append(_problem(frame, first_half.is_not_null(), first_half))
    return pl.concat(found)
