"""X12 intake: envelopes, per-set parsing, vectorised value checks, typing and 835 balancing."""

from __future__ import annotations

import polars as pl

from etl.intake.x12 import claims_837, remits_835
from etl.intake.x12.balancing import balancing_issues
from etl.intake.patients import PatientHasher
from etl.intake.records import SYNTHETIC_SENDER_ID, LoadError, LoadWarning, ParsedFile, Quarantined
from etl.intake.values import AMOUNT_PATTERN, MONEY, QUANTITY, QUANTITY_PATTERN
from etl.intake.x12.rows import SEGMENT, SET_INDEX
from etl.intake.x12.segments import Interchange, read_interchange, segments_with_set_index, split_interchanges

# Segments that carry only codes, amounts and dates; any other segment (NM1, N3, DMG, REF, a garbled one)
# may name or locate a person, so its text stays in quarantine.raw and out of messages.
_MESSAGE_SAFE_SEGMENTS = {
    "ISA", "GS", "ST", "SE", "GE", "IEA", "BPR", "TRN", "DTM", "LX", "TS3", "TS2", "CLP", "CAS", "SVC", "AMT",
    "QTY", "LQ", "MIA", "MOA", "PLB", "BHT", "HL", "SBR", "CLM", "DTP", "HI", "SV1", "SV2",
}


def parse_x12(text: str, name: str, kind: str, hasher: PatientHasher, strict: bool = False) -> ParsedFile:
    """Parse an 835 or 837 file; a set with a structural error is quarantined, the others load. Envelope counts and
    control numbers that do not check out are warnings, unless strict."""
    chunks = split_interchanges(text)
    if len(chunks) == 1:
        return _parse_interchange(read_interchange(text, name, strict), name, kind, hasher)
    parts, first = [], 1
    for chunk in chunks:
        try:
            interchange = read_interchange(chunk, name, strict, first)
        except LoadError as error:
            parts.append(ParsedFile(kind, quarantine=[Quarantined(f"segment {first}", str(error), None)]))
            first += len([piece for piece in chunk.split(chunk[105]) if piece.strip()])  # each chunk opens with a whole ISA
            continue
        first += interchange.segments.height
        try:
            parts.append(_parse_interchange(interchange, name, kind, hasher))
        except LoadError as error:
            parts.append(ParsedFile(kind, quarantine=[Quarantined(f"segment {interchange.first_number}", str(error), None)]))
    return _merged(parts, kind)


# The parsers' surrogate ids, numbered from 0 in each interchange.
_LOCAL_IDS = ("claim_record_id", "payment_id", "remit_claim_id", "remit_line_id")


def _merged(parts: list[ParsedFile], kind: str) -> ParsedFile:
    """One file's interchanges as one ParsedFile: each part's local ids shifted past the parts before it."""
    tables: dict[str, list[pl.DataFrame]] = {}
    next_id = dict.fromkeys(_LOCAL_IDS, 0)
    for part in parts:
        for table, frame in part.tables.items():
            shifted = frame.with_columns(pl.col(column) + next_id[column] for column in _LOCAL_IDS if column in frame.columns)
            tables.setdefault(table, []).append(shifted)
        for column in _LOCAL_IDS:
            highest = [frame[column].max() for frame in part.tables.values() if column in frame.columns and frame.height]
            next_id[column] += max(highest) + 1 if highest else 0
    merged = {table: pl.concat(frames, how="vertical_relaxed") for table, frames in tables.items()}
    if "patients" in merged:
        ordered = merged["patients"].sort("birth_date", nulls_last=True, maintain_order=True)
        merged["patients"] = ordered.unique("patient_key", keep="first", maintain_order=True)
    return ParsedFile(
        kind, tables=merged, quarantine=[item for part in parts for item in part.quarantine],
        warnings=list(dict.fromkeys(warning for part in parts for warning in part.warnings)),
        structural_warnings=[item for part in parts for item in part.structural_warnings],
        records_loaded=sum(part.records_loaded for part in parts), is_synthetic=all(part.is_synthetic for part in parts),
    )


def _parse_interchange(interchange: Interchange, name: str, kind: str, hasher: PatientHasher) -> ParsedFile:
    if not interchange.transaction_sets:
        separators = f"element {interchange.delimiters.element!r}, segment {interchange.delimiters.segment!r}"
        raise LoadError(f"{name}: no ST transaction set could be read with the delimiters the ISA declares ({separators})")
    _reject_other_transaction_types(interchange, kind)
    spec = remits_835 if kind == "835" else claims_837
    if kind == "835":
        frames, problems, parse_warnings = remits_835.parse_remittances(interchange, hasher)
    else:
        frames, problems, parse_warnings = claims_837.parse_claims(interchange, hasher, kind)
    for set_index, segment, reason in problems.sort("segment").rows():
        interchange.transaction_sets[set_index].reject(segment, reason)
    _reject_impossible_dates(interchange, kind)
    _reject_bad_values(frames, spec, interchange)
    rejected = {ts.index for ts in interchange.transaction_sets if ts.problem}
    tables = {table: _typed(frame.filter(~pl.col(SET_INDEX).is_in(rejected)), table, spec) for table, frame in frames.items()}
    tables["patients"] = _unique_patients(tables["patients"])
    if kind == "835":
        tables["balancing_issues"] = balancing_issues(tables)
        tables["remit_service_lines"] = _line_dates_from_claim(tables["remit_service_lines"], tables["remit_claims"], "remit_claim_id")
        records = tables["remit_claims"].height
    else:
        tables["claims"] = _claim_dates_from_lines(tables["claims"], tables["claim_lines"])
        tables["claim_lines"] = _line_dates_from_claim(tables["claim_lines"], tables["claims"], "claim_record_id")
        records = tables["claims"].height
    warnings = list(interchange.warnings) + sorted(parse_warnings)
    structural = [
        LoadWarning(f"segment {number}", f"{reason} (loaded: every segment of the set parses; --strict rejects it)")
        for number, reason in interchange.envelope_warnings
    ]
    return ParsedFile(
        kind, tables=tables, quarantine=_quarantine(interchange), warnings=warnings, structural_warnings=structural,
        records_loaded=records, is_synthetic=_is_synthetic(interchange),
    )


def _is_synthetic(interchange: Interchange) -> bool:
    """Every ISA names claimscope's generator as sender (837) or receiver (835)."""
    isa = interchange.segments.filter(pl.col("tag") == "ISA")["raw"].str.split(interchange.delimiters.element)
    parties = isa.list.get(6, null_on_oob=True).str.strip_chars() + "|" + isa.list.get(8, null_on_oob=True).str.strip_chars()
    return len(isa) > 0 and bool(parties.str.contains(SYNTHETIC_SENDER_ID, literal=True).all())


def _reject_other_transaction_types(interchange: Interchange, kind: str) -> None:
    for transaction_set in interchange.transaction_sets:
        st = interchange.elements_of(transaction_set.start)
        st01 = st[1] if len(st) > 1 else ""
        if st01 != kind[:3]:
            transaction_set.reject(transaction_set.start, f"transaction set {st01} in a {kind} file")


# The date elements the parse reads, by segment: (element position, the qualifier element and the values it must have
# for the date to be read, or None). An 837 DTP03 is CCYYMMDD (D8) or CCYYMMDD-CCYYMMDD (RD8).
_DATE_ELEMENTS = {
    "835": {"DTM": (2, 1, ["050", "150", "151", "232", "233", "405", "472"]), "BPR": (16, None, None), "PLB": (2, None, None)},
    "837": {"DTP": (3, 2, ["D8", "RD8"]), "BHT": (4, None, None), "DMG": (2, 1, ["D8"])},
}


def _reject_impossible_dates(interchange: Interchange, kind: str) -> None:
    """An impossible date rejects its set at the segment that holds it (the DTM, not the CLP it dates)."""
    open_sets = [ts.index for ts in interchange.transaction_sets if ts.problem is None]
    segments = segments_with_set_index(interchange).filter(pl.col("set_index").is_in(open_sets))
    for tag, (position, qualifier_at, qualifiers) in _DATE_ELEMENTS[kind[:3]].items():
        elements = pl.col("raw").str.split(interchange.delimiters.element)
        value = elements.list.get(position, null_on_oob=True)
        read = pl.lit(True) if qualifier_at is None else elements.list.get(qualifier_at, null_on_oob=True).is_in(qualifiers)
        days = value.str.split("-")
        impossible = days.list.eval(pl.element().str.strptime(pl.Date, "%Y%m%d", strict=False).is_null()).list.any()
        bad = segments.filter((pl.col("tag") == tag) & read & (value != "") & impossible)
        for set_index, number, text in bad.select("set_index", "segment", value.alias("value")).rows():
            interchange.transaction_sets[set_index].reject(number, f"impossible date in {tag}{position:02}: {text!r}")


def _reject_bad_values(frames: dict[str, pl.DataFrame], spec, interchange: Interchange) -> None:
    """Non-numeric amounts and impossible dates are structural errors: reject their sets."""
    checks = [(spec.AMOUNTS, AMOUNT_PATTERN, "non-numeric amount"), (spec.QUANTITIES, QUANTITY_PATTERN, "non-numeric quantity")]
    by_set = {ts.index: ts for ts in interchange.transaction_sets}
    for table, frame in frames.items():
        problems = [
            pl.when(pl.col(column).is_not_null() & ~pl.col(column).str.contains(pattern)).then(
                pl.format(f"{what} in {column}: '{{}}'", pl.col(column))
            )
            for columns, pattern, what in checks
            for column in columns.get(table, ())
        ] + [
            pl.when(pl.col(column).is_not_null() & pl.col(column).str.strptime(pl.Date, "%Y%m%d", strict=False).is_null()).then(
                pl.format(f"impossible date in {column}: '{{}}'", pl.col(column))
            )
            for column in spec.DATES.get(table, ())
        ]
        if not problems or frame.is_empty():
            continue
        bad = frame.select(SET_INDEX, SEGMENT, pl.coalesce(problems).alias("problem")).filter(pl.col("problem").is_not_null())
        for set_index, segment, problem in bad.sort(SEGMENT).iter_rows():
            by_set[set_index].reject(segment, problem)


def _typed(frame: pl.DataFrame, table: str, spec) -> pl.DataFrame:
    casts = [pl.col(column).cast(MONEY) for column in spec.AMOUNTS.get(table, ())]
    casts += [pl.col(column).cast(QUANTITY) for column in spec.QUANTITIES.get(table, ())]
    casts += [pl.col(column).str.strptime(pl.Date, "%Y%m%d") for column in spec.DATES.get(table, ())]
    if "modifiers" in frame.columns:
        casts.append(pl.col("modifiers").str.split(":"))
    if "line_number" in frame.columns:
        casts.append(pl.col("line_number").cast(pl.Int32))
    if "position" in frame.columns:
        casts.append(pl.col("position").cast(pl.Int32))
    located = frame.with_columns(casts).with_columns(pl.format("segment {}", pl.col(SEGMENT)).alias("locator"))
    return located.drop(SET_INDEX, SEGMENT)


def _unique_patients(patients: pl.DataFrame) -> pl.DataFrame:
    ordered = patients.sort("birth_date", nulls_last=True, maintain_order=True)
    return ordered.unique("patient_key", keep="first", maintain_order=True).drop("locator")


def _claim_dates_from_lines(claims: pl.DataFrame, lines: pl.DataFrame) -> pl.DataFrame:
    """Without a claim-level DTP, the claim spans its lines' service dates."""
    spans = lines.group_by("claim_record_id").agg(
        pl.col("service_date").min().alias("first_line_date"), pl.col("service_date").max().alias("last_line_date")
    )
    return (
        claims.join(spans, on="claim_record_id", how="left")
        .with_columns(
            pl.coalesce("service_date_from", "first_line_date").alias("service_date_from"),
            pl.coalesce("service_date_to", "last_line_date", "service_date_from").alias("service_date_to"),
        )
        .drop("first_line_date", "last_line_date")
    )


def _line_dates_from_claim(lines: pl.DataFrame, claims: pl.DataFrame, key: str) -> pl.DataFrame:
    """A line without its own date of service (837 DTP*472, 835 DTM*472) was served on the claim's from date."""
    claim_dates = claims.select(key, pl.col("service_date_from").alias("claim_service_date"))
    return (
        lines.join(claim_dates, on=key, how="left", maintain_order="left")
        .with_columns(pl.coalesce("service_date", "claim_service_date").alias("service_date"))
        .drop("claim_service_date")
    )


def _quarantine(interchange: Interchange) -> list[Quarantined]:
    rejected = []
    for transaction_set in interchange.transaction_sets:
        if transaction_set.problem is None:
            continue
        number, reason = transaction_set.problem
        first, last = transaction_set.start, transaction_set.end
        described = (
            f"transaction set {transaction_set.control_number or '?'} (segments {first}-{last}) rejected: "
            f"{reason}: {safe_segment_text(interchange, number)}"
        )
        rejected.append(Quarantined(f"segment {number}", described, interchange.text_of(number)))
    return interchange.stray + rejected


def safe_segment_text(interchange: Interchange, number: int) -> str:
    """The segment as sent, unless it can carry a name or address; then only its id."""
    elements = interchange.elements_of(number)
    if elements[0] in _MESSAGE_SAFE_SEGMENTS:
        return interchange.text_of(number)
    return f"{elements[0] or '(no id)'}{interchange.delimiters.element}… (masked: may hold patient data)"
