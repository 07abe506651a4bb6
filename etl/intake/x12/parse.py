"""X12 intake: envelopes, per-set parsing, vectorised value checks, typing and 835 balancing."""

from __future__ import annotations

import polars as pl

from etl.intake.x12 import claims_837, remits_835
from etl.intake.x12.balancing import balancing_issues
from etl.error_log import masked
from etl.intake.patients import PatientHasher
from etl.intake.records import PHI_COLUMNS, SYNTHETIC_SENDER_ID, LoadError, LoadWarning, ParsedFile, Quarantined
from etl.intake.values import (
    AMOUNT_PATTERN, CAPACITY, MONEY, QUANTITY, QUANTITY_PATTERN, does_not_fit, shortened, shortened_text,
)
from etl.intake.x12.rows import SEGMENT, SET_INDEX
from etl.intake.x12.segments import (
    Interchange, TransactionSet, read_interchange, segment_count, segments_with_set_index, split_interchanges,
)

# Segments that carry only codes, amounts and dates; any other segment (NM1, N3, DMG, REF, a garbled one)
# may name or locate a person, so its text stays in quarantine.raw and out of messages.
_MESSAGE_SAFE_SEGMENTS = {
    "ISA", "GS", "ST", "SE", "GE", "IEA", "BPR", "TRN", "DTM", "LX", "TS3", "TS2", "CLP", "CAS", "SVC", "AMT",
    "QTY", "LQ", "MIA", "MOA", "PLB", "BHT", "HL", "SBR", "CLM", "DTP", "HI", "SV1", "SV2",
}

# Segments that name, locate or identify a patient or subscriber (loops 2010BA/2010CA of the 837, 2100 of the 835):
# NM1 names and member ids, N3/N4 addresses, DMG birth dates, PER contacts, REF other ids (SSN, member ids), PAT.
_PATIENT_SEGMENTS = ("NM1", "N2", "N3", "N4", "DMG", "PER", "REF", "PAT")


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
            first += segment_count(chunk)
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
            # a column can be all null (remit_line_id of claim-level adjustments only): it sets no id
            highest = [found for frame in part.tables.values() if column in frame.columns and (found := frame[column].max()) is not None]
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
    frames, parse_warnings = _parse_body(interchange, name, kind, hasher)
    tables = _finished_tables(frames, interchange, kind, segment_offset=pl.lit(0), file_of_set=pl.lit(0))
    return _parsed_file(interchange, {table: frame.drop(SET_INDEX) for table, frame in tables.items()}, kind, parse_warnings)


def _parse_body(interchange: Interchange, name: str, kind: str, hasher: PatientHasher) -> tuple[dict[str, pl.DataFrame], set[str]]:
    """String frames per table, with every structural problem recorded on the interchange's transaction sets."""
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
        _reject(interchange, set_index, segment, reason, name)
    located = segments_with_set_index(interchange)  # once, for the checks of values held in segments of their own
    _reject_overlong_elements(interchange, located, kind, name)
    _reject_impossible_dates(interchange, located, kind, name)
    _reject_bad_segment_amounts(interchange, located, kind)
    _reject_bad_values(frames, spec, interchange, name)
    return frames, parse_warnings


def _reject(interchange: Interchange, set_index: int, number: int, reason: str, name: str) -> None:
    """Reject the set at a structural error, except in a PLB: that provider-level adjustment (005010X221A1, after the
    last 2000 loop) belongs to no claim, so it is quarantined alone, its set's claims load and the BPR02 check says
    the payment cannot balance without it."""
    if interchange.segments["tag"][number - interchange.first_number] != "PLB":
        interchange.transaction_sets[set_index].reject(number, reason)
        return
    if any(number == segment for _, segment, _ in interchange.set_aside):
        return  # one row per PLB, its first problem
    described = (f"{name}: the provider adjustment (PLB) at segment {number} is unreadable and set aside: {reason}"
                 f"{_pushed_amount_hint(interchange, number)}; the claims of its transaction set loaded, and its payment "
                 f"no longer balances (BPR02 against sum CLP04 - sum PLB)")
    interchange.set_aside.append((set_index, number, Quarantined(f"segment {number}", described, interchange.text_of(number))))
    note = interchange.balance_notes.get(set_index)
    quarantined = f"the PLB at segment {number} is quarantined, unreadable"
    interchange.balance_notes[set_index] = f"{note}; {quarantined}" if note else f"unverifiable: {quarantined}"


def _pushed_amount_hint(interchange: Interchange, number: int) -> str:
    """Which PLB03/05/.. (C042: reason code, reference) holds more components than its two, as when the amount
    was keyed into the composite (`WO>ADJ01>5***`); element positions only, never the reference (it may be an
    account number)."""
    elements = interchange.elements_of(number)
    crowded = [f"PLB{position:02}" for position in range(3, min(len(elements), 15), 2)
               if elements[position].count(interchange.delimiters.component) > 1]
    if not crowded:
        return ""
    return f" ({', '.join(crowded)} holds more than a reason code and a reference: its amount may have been keyed into it)"


def _finished_tables(
    frames: dict[str, pl.DataFrame], interchange: Interchange, kind: str, segment_offset: pl.Expr, file_of_set: pl.Expr
) -> dict[str, pl.DataFrame]:
    """The accepted sets' rows, typed, located (segment numbers less segment_offset, so each file counts its own) and
    completed; each row keeps the index of its transaction set."""
    spec = remits_835 if kind == "835" else claims_837
    rejected = {ts.index for ts in interchange.transaction_sets if ts.problem}
    set_aside = [segment for _, segment, _ in interchange.set_aside]
    kept = ~pl.col(SET_INDEX).is_in(rejected) & ~pl.col(SEGMENT).is_in(set_aside)
    tables = {
        table: _typed(frame.filter(kept).with_columns(pl.col(SEGMENT) - segment_offset), table, spec)
        for table, frame in frames.items()
    }
    tables["patients"] = _unique_patients(tables["patients"], file_of_set)
    if kind == "835":
        tables["balancing_issues"] = balancing_issues(tables, interchange.balance_notes).with_columns(pl.col("payment_id").alias(SET_INDEX))
        tables["remit_service_lines"] = _line_dates_from_claim(tables["remit_service_lines"], tables["remit_claims"], "remit_claim_id")
    else:
        tables["claims"] = _claim_dates_from_lines(tables["claims"], tables["claim_lines"])
        tables["claim_lines"] = _line_dates_from_claim(tables["claim_lines"], tables["claims"], "claim_record_id")
    return tables


def _parsed_file(interchange: Interchange, tables: dict[str, pl.DataFrame], kind: str, parse_warnings: set[str]) -> ParsedFile:
    warnings = list(interchange.warnings) + sorted(parse_warnings)
    structural = [
        LoadWarning(f"segment {number}", f"{reason} (loaded: every segment of the set parses; --strict rejects it)")
        for number, reason in interchange.envelope_warnings
    ] + interchange.file_warnings
    records = tables["remit_claims" if kind == "835" else "claims"].height
    return ParsedFile(
        kind, tables=tables, quarantine=_quarantine(interchange), warnings=warnings, structural_warnings=structural,
        records_loaded=records, is_synthetic=_is_synthetic(interchange),
    )


def parse_x12_files(files: list[tuple[str, str]], kind: str, hasher: PatientHasher, strict: bool = False) -> list[ParsedFile]:
    """Parse several files of one kind (name, text) together, each result exactly what parse_x12 gives for it.

    A small file costs parse_x12 a few hundred polars operations whatever its size, so many small files (a day of
    ERAs, one per payer) are read each on its own, then parsed as one stream of transaction sets and split again.
    """
    results: list[ParsedFile | None] = [None] * len(files)
    readable: dict[int, Interchange] = {}
    for index, (name, text) in enumerate(files):
        try:
            if len(split_interchanges(text)) > 1:
                results[index] = _parse_alone(name, text, kind, hasher, strict)
                continue
            interchange = read_interchange(text, name, strict)
            if interchange.cut:  # its set aside records and balance notes are kept by the one-file parse
                results[index] = _parse_alone(name, text, kind, hasher, strict)
                continue
            if not interchange.transaction_sets:
                _parse_body(interchange, name, kind, hasher)  # raises the LoadError parse_x12 would
            readable[index] = interchange
        except LoadError as error:
            results[index] = _unreadable(kind, error)
    by_delimiters: dict[object, list[int]] = {}
    for index, interchange in readable.items():
        by_delimiters.setdefault(interchange.delimiters, []).append(index)
    for indexes in by_delimiters.values():
        for index, parsed in zip(indexes, _parse_together([readable[i] for i in indexes], [files[i] for i in indexes], kind, hasher, strict)):
            results[index] = parsed
    return results


def _parse_together(
    interchanges: list[Interchange], files: list[tuple[str, str]], kind: str, hasher: PatientHasher, strict: bool
) -> list[ParsedFile]:
    combined, owners = _combined(interchanges)
    frames, parse_warnings = _parse_body(combined, "combined", kind, hasher)
    if parse_warnings or combined.warnings or combined.set_aside:  # not told apart by file: read them one by one
        return [_parse_alone(name, text, kind, hasher, strict) for name, text in files]
    for transaction_set in combined.transaction_sets:
        if transaction_set.problem:
            file_index, local, offset = owners[transaction_set.index]
            number, reason = transaction_set.problem
            local.reject(number - offset, reason)
    set_file = {index: owner[0] for index, owner in owners.items()}
    set_offset = {index: owner[2] for index, owner in owners.items()}
    offset = pl.col(SET_INDEX).replace_strict(set_offset, return_dtype=pl.Int64)
    file_of_set = pl.col(SET_INDEX).replace_strict(set_file, return_dtype=pl.Int64)
    tables = _finished_tables(frames, combined, kind, segment_offset=offset, file_of_set=file_of_set)
    parts = {
        table: frame.with_columns(file_of_set.alias("_file_index")).drop(SET_INDEX)
        .partition_by("_file_index", as_dict=True, include_key=False)
        for table, frame in tables.items()
    }
    empty = {table: frame.clear().drop(SET_INDEX) for table, frame in tables.items()}
    return [
        _parsed_file(interchange, {table: parts[table].get((file_index,), empty[table]) for table in tables}, kind, set())
        for file_index, interchange in enumerate(interchanges)
    ]


def _parse_alone(name: str, text: str, kind: str, hasher: PatientHasher, strict: bool) -> ParsedFile:
    try:
        return parse_x12(text, name, kind, hasher, strict)
    except LoadError as error:
        return _unreadable(kind, error)


def _unreadable(kind: str, error: LoadError) -> ParsedFile:
    """A file that cannot be read at all: one quarantine row naming it, as the loader records any LoadError."""
    return ParsedFile(kind, quarantine=[Quarantined("file", str(error), None)])


def _combined(interchanges: list[Interchange]) -> tuple[Interchange, dict[int, tuple[int, TransactionSet, int]]]:
    """The files' segments as one interchange, numbered on from file to file; and, for each of its transaction sets,
    the file it came from, that file's own set and the file's segment offset."""
    frames, sets, owners, offset = [], [], {}, 0
    for file_index, interchange in enumerate(interchanges):
        frames.append(interchange.segments.select("segment", "raw", "tag").with_columns(pl.col("segment") + offset))
        for local in interchange.transaction_sets:
            shifted = TransactionSet(len(sets), local.control_number, local.start + offset, local.end + offset,
                                     (local.problem[0] + offset, local.problem[1]) if local.problem else None)
            owners[shifted.index] = (file_index, local, offset)
            sets.append(shifted)
        offset += interchange.segments.height
    return Interchange(interchanges[0].delimiters, pl.concat(frames), transaction_sets=sets), owners


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
            transaction_set.reject(transaction_set.start, f"transaction set {shortened(st01)} in a {kind} file")


# The implementation guide each kind follows, and the longest each stored identifier or name may be in it (by segment
# id, element position -> maximum length, as the TR3's element tables give them): CLM01 and CLP01, the patient control
# number, 38; CLP07 and REF02, 50; NM109, N104 and SVD01, 80; NM103 and N102, 60; NM104, 35; TRN02 and PLB01, 50. A
# longer identifier is not an id any system sent (a 10 MB CLM01 would load as a 10,000,000-character claim id): its set
# is rejected, as for any other element that breaks the guide. A name over its length is paperwork, not a reason to
# refuse the money under it: it loads whole with a warning, up to _LONGEST_NAME characters, past which it is no name.
_GUIDES = {"835": "005010X221A1", "837P": "005010X222A1", "837I": "005010X223A2"}
_MAX_LENGTHS = {
    "835": {"CLP": {1: 38, 7: 50}, "NM1": {3: 60, 4: 35, 9: 80}, "N1": {2: 60, 4: 80}, "REF": {2: 50}, "TRN": {2: 50},
            "PLB": {1: 50}},
    "837": {"CLM": {1: 38}, "NM1": {3: 60, 4: 35, 9: 80}, "REF": {2: 50}, "SVD": {1: 80}},
}
_NAMES = {("NM1", 3), ("NM1", 4), ("N1", 2)}
_LONGEST_NAME = 1_000
# No element of a segment shorter than this can be over any of those lengths: such segments are not split.
_SHORTEST_LIMIT = min(limit for by_tag in _MAX_LENGTHS.values() for positions in by_tag.values() for limit in positions.values())


def _reject_overlong_elements(interchange: Interchange, located: pl.DataFrame, kind: str, name: str) -> None:
    """An identifier longer than the TR3 allows rejects its set at the segment holding it, a name loads with a warning
    there (rejected only past _LONGEST_NAME); the reason gives the element and its length, never its text (a name or
    member id among them)."""
    open_sets = [ts.index for ts in interchange.transaction_sets if ts.problem is None]
    limits = _MAX_LENGTHS[kind[:3]]
    long_segments = located.filter(
        pl.col("set_index").is_in(open_sets) & pl.col("tag").is_in(list(limits)) & (pl.col("raw").str.len_chars() > _SHORTEST_LIMIT)
    )
    elements = pl.col("raw").str.split(interchange.delimiters.element)
    for tag, positions in limits.items():
        of_tag = long_segments.filter(pl.col("tag") == tag)
        if of_tag.is_empty():
            continue
        lengths = of_tag.select(
            "set_index", "segment",
            *(elements.list.get(position, null_on_oob=True).str.len_chars().alias(str(position)) for position in positions),
        )
        for row in lengths.iter_rows(named=True):
            for position, limit in positions.items():
                if (length := row[str(position)] or 0) > limit:
                    reason = f"{tag}{position:02} is {length:,} characters long; {_GUIDES[kind]} allows at most {limit}"
                    if (tag, position) in _NAMES and length <= _LONGEST_NAME:
                        interchange.warnings.append(f"segment {row['segment']}: {reason}; loaded as sent")
                    else:
                        _reject(interchange, row["set_index"], row["segment"], reason, name)


# The date elements the parse reads, by segment: (element position, the qualifier element and the values it must have
# for the date to be read, or None). An 837 DTP03 is CCYYMMDD (D8) or CCYYMMDD-CCYYMMDD (RD8).
_DATE_ELEMENTS = {
    "835": {"DTM": (2, 1, ["050", "150", "151", "232", "233", "405", "472"]), "BPR": (16, None, None), "PLB": (2, None, None)},
    "837": {"DTP": (3, 2, ["D8", "RD8"]), "BHT": (4, None, None), "DMG": (2, 1, ["D8"])},
}
# DMG02 is the patient's or subscriber's birth date: a reason names the element, never the date.
_PHI_DATE_ELEMENTS = {"DMG"}


def _reject_impossible_dates(interchange: Interchange, located: pl.DataFrame, kind: str, name: str) -> None:
    """An impossible date rejects its set at the segment that holds it (the DTM, not the CLP it dates); `located` is
    the interchange's segments with their set index."""
    open_sets = [ts.index for ts in interchange.transaction_sets if ts.problem is None]
    dated = _DATE_ELEMENTS[kind[:3]]
    # Only the dated segments are split: splitting every segment of a large file cost most of this check's time.
    segments = located.filter(pl.col("set_index").is_in(open_sets) & pl.col("tag").is_in(list(dated)))
    for tag, (position, qualifier_at, qualifiers) in dated.items():
        of_tag = segments.filter(pl.col("tag") == tag).with_columns(pl.col("raw").str.split(interchange.delimiters.element).alias("elements"))
        elements = pl.col("elements")
        value = elements.list.get(position, null_on_oob=True)
        read = pl.lit(True) if qualifier_at is None else elements.list.get(qualifier_at, null_on_oob=True).is_in(qualifiers)
        days = value.str.split("-")
        impossible = days.list.eval(pl.element().str.strptime(pl.Date, "%Y%m%d", strict=False).is_null()).list.any()
        bad = of_tag.filter(read & (value != "") & impossible)
        for set_index, number, text in bad.select("set_index", "segment", value.alias("value")).rows():
            shown = "" if tag in _PHI_DATE_ELEMENTS else f": {shortened(text)!r}"
            _reject(interchange, set_index, number, f"impossible date in {tag}{position:02}{shown}", name)


# Amounts whose row is located at another segment than the one holding them: BPR02 (the payment's total) of an 835
# payment, whose row is located at its ST; AMT*B6 (allowed) on an 835 service line; AMT*D (what the other payer paid)
# in an 837's 2320 loop. By segment id: the qualifier its element 01 must hold (None: any), and the column it fills.
_AMOUNT_SEGMENTS = {"835": [("BPR", None, "amount"), ("AMT", "B6", "allowed")], "837": [("AMT", "D", "paid")]}


def _reject_bad_segment_amounts(interchange: Interchange, located: pl.DataFrame, kind: str) -> None:
    """A non-numeric or oversized AMT02 or BPR02 rejects its set at the segment that holds it, not at the SVC, SBR or
    ST of its row."""
    open_sets = [ts.index for ts in interchange.transaction_sets if ts.problem is None]
    elements = pl.col("raw").str.split(interchange.delimiters.element)
    for tag, qualifier, column in _AMOUNT_SEGMENTS[kind[:3]]:
        amounts = located.filter(pl.col("set_index").is_in(open_sets) & (pl.col("tag") == tag)).with_columns(
            elements.list.get(1, null_on_oob=True).alias("qualifier"), elements.list.get(2, null_on_oob=True).alias("value"))
        value = pl.col("value")
        read = pl.lit(True) if qualifier is None else pl.col("qualifier") == qualifier
        amounts = amounts.filter(read & value.is_not_null()).with_columns(
            value.str.contains(AMOUNT_PATTERN).alias("is_numeric"))
        bad = amounts.filter(~pl.col("is_numeric") | does_not_fit(value, MONEY))
        for set_index, number, text, is_numeric in bad.select("set_index", "segment", "value", "is_numeric").rows():
            reason = f"amount too large in {column} ({CAPACITY[MONEY]})" if is_numeric else f"non-numeric amount in {column}: {shortened(text)!r}"
            interchange.transaction_sets[set_index].reject(number, reason)


def _reject_bad_values(frames: dict[str, pl.DataFrame], spec, interchange: Interchange, name: str) -> None:
    """Non-numeric or oversized amounts and quantities and impossible dates are structural errors: reject their sets."""
    checks = [(spec.AMOUNTS, AMOUNT_PATTERN, MONEY, "amount"), (spec.QUANTITIES, QUANTITY_PATTERN, QUANTITY, "quantity")]
    for table, frame in frames.items():
        problems = [
            problem
            for columns, pattern, dtype, what in checks
            for column in columns.get(table, ())
            for problem in (
                pl.when(pl.col(column).is_not_null() & ~pl.col(column).str.contains(pattern)).then(
                    _problem_text(f"non-numeric {what} in {column}", column)
                ),
                pl.when(does_not_fit(pl.col(column), dtype)).then(
                    _problem_text(f"{what} too large in {column} ({CAPACITY[dtype]})", column)
                ),
            )
        ] + [
            pl.when(pl.col(column).is_not_null() & pl.col(column).str.strptime(pl.Date, "%Y%m%d", strict=False).is_null()).then(
                _problem_text(f"impossible date in {column}", column)
            )
            for column in spec.DATES.get(table, ())
        ]
        if not problems or frame.is_empty():
            continue
        bad = frame.select(SET_INDEX, SEGMENT, pl.coalesce(problems).alias("problem")).filter(pl.col("problem").is_not_null())
        for set_index, segment, problem in bad.sort(SEGMENT).iter_rows():
            _reject(interchange, set_index, segment, problem, name)


def _problem_text(what: str, column: str) -> pl.Expr:
    """`what: 'value'`, or `what` alone for a column that may identify a patient (a birth date)."""
    if column in PHI_COLUMNS:
        return pl.lit(what)
    return pl.format(f"{what}: '{{}}'", shortened_text(pl.col(column)))


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
    return located.drop(SEGMENT)


def _unique_patients(patients: pl.DataFrame, file_of_set: pl.Expr) -> pl.DataFrame:
    """One row per patient and file, with a birth date when any row of the file has one."""
    ordered = patients.with_columns(file_of_set.alias("_file_index")).sort("birth_date", nulls_last=True, maintain_order=True)
    return ordered.unique(["_file_index", "patient_key"], keep="first", maintain_order=True).drop("locator", "_file_index")


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
    # a record set aside in a set rejected whole is in that set's row, unless it lies past the set's end (a cut claim)
    alone = [item for set_index, number, item in interchange.set_aside
             if interchange.transaction_sets[set_index].problem is None or number > interchange.transaction_sets[set_index].end]
    for transaction_set in interchange.transaction_sets:
        if transaction_set.problem is None:
            continue
        number, reason = transaction_set.problem
        first, last = transaction_set.start, transaction_set.end
        if swallows_a_patient_segment(interchange.elements_of(number)):
            reason = masked(reason)  # a value it quotes may be a name or member id of the swallowed segment
        described = (
            f"transaction set {shortened(transaction_set.control_number) or '?'} (segments {first}-{last}) rejected: "
            f"{reason}: {safe_segment_text(interchange, number)}"
        )
        rejected.append(Quarantined(f"segment {number}", described, interchange.text_of(number)))
    return interchange.stray + rejected + alone


def swallows_a_patient_segment(elements: list[str]) -> bool:
    """Whether a segment whose terminator was lost ran on into a segment that may name or locate a patient: the lost
    terminator leaves that segment's id at the end of one of this segment's elements (`…*YNM1*IL*1*DOE`)."""
    return any(element.endswith(_PATIENT_SEGMENTS) for element in elements[1:])


def safe_segment_text(interchange: Interchange, number: int) -> str:
    """The segment as sent (its first QUOTED_CHARACTERS characters, if longer), unless it can carry a name or address;
    then only its id."""
    elements = interchange.elements_of(number)
    if elements[0] in _MESSAGE_SAFE_SEGMENTS and not swallows_a_patient_segment(elements):
        return shortened(interchange.text_of(number))
    # A segment whose separators are lost is one long "id": show an id only when it looks like one.
    shown = elements[0] if len(elements[0]) <= 3 else "(no readable id)"
    return f"{shown or '(no id)'}{interchange.delimiters.element}… (masked: may hold patient data)"
