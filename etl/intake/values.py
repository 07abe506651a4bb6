"""Checks and casts for the value types every intake shares: money, quantities, dates, codes."""

from __future__ import annotations

import re

import polars as pl

MONEY = pl.Decimal(18, 2)
QUANTITY = pl.Decimal(12, 3)
# X12 `R` values and CSV amounts: optional sign, digits, at most two decimals (cents). The digits are ASCII: `\d`
# would also match Arabic-Indic (١٢٣) and full-width (１２３) digits, which X12.6 does not allow and no cast reads.
AMOUNT_PATTERN = r"^-?([0-9]+(\.[0-9]{0,2})?|\.[0-9]{1,2})$"
QUANTITY_PATTERN = r"^-?([0-9]+(\.[0-9]{0,3})?|\.[0-9]{1,3})$"
INTEGER_PATTERN = r"^[0-9]+$"
INT32_MAX = 2_147_483_647
# What each stored type holds, for the reason given when a well-formed value does not fit it.
CAPACITY = {
    MONEY: "DECIMAL(18,2) holds at most 16 digits before the point",
    QUANTITY: "DECIMAL(12,3) holds at most 9 digits before the point",
    pl.Int32: f"INTEGER holds at most {INT32_MAX}",
}
X12_DATE_FORMATS = ("%Y%m%d",)
CSV_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y")


def present(column: str) -> pl.Expr:
    """True where the column holds a non-blank value."""
    return pl.col(column).is_not_null() & (pl.col(column).str.strip_chars() != "")


# Money as PM exports write it: a leading $ (after or before the sign) and commas that group thousands, and nothing
# else: a comma anywhere but between groups of three digits (`1,00`, `100,50`: a decimal comma; `1,2,3`) would change
# the amount if dropped, so such a value is refused, never read as another number.
CSV_AMOUNT_PATTERN = r"^(-?\$?|\$-)(([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]{0,2})?|\.[0-9]{1,2})$"


def clean_amount(column: str) -> pl.Expr:
    """The amount without what PM exports add to money: the space around it, a $ and thousands commas."""
    return pl.col(column).str.strip_chars().str.replace_all(r"[$,]", "")


def bad_amount(column: str) -> pl.Expr:
    return present(column) & ~pl.col(column).str.strip_chars().str.contains(CSV_AMOUNT_PATTERN)


def does_not_fit(value: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """True where a well-formed value is too large for its stored type: the cast that would write it gives nothing."""
    return value.is_not_null() & value.cast(dtype, strict=False).is_null()


def too_large_amount(column: str) -> pl.Expr:
    return present(column) & ~bad_amount(column) & does_not_fit(clean_amount(column), MONEY)


def to_amount(column: str) -> pl.Expr:
    return pl.when(present(column)).then(clean_amount(column)).cast(MONEY, strict=False).alias(column)


def bad_quantity(column: str) -> pl.Expr:
    return present(column) & ~pl.col(column).str.strip_chars().str.contains(QUANTITY_PATTERN)


def too_large_quantity(column: str) -> pl.Expr:
    return present(column) & ~bad_quantity(column) & does_not_fit(pl.col(column).str.strip_chars(), QUANTITY)


def to_quantity(column: str) -> pl.Expr:
    return pl.when(present(column)).then(pl.col(column).str.strip_chars()).cast(QUANTITY, strict=False).alias(column)


def bad_integer(column: str) -> pl.Expr:
    return present(column) & ~pl.col(column).str.strip_chars().str.contains(INTEGER_PATTERN)


def too_large_integer(column: str) -> pl.Expr:
    return present(column) & ~bad_integer(column) & does_not_fit(pl.col(column).str.strip_chars(), pl.Int32)


def to_integer(column: str) -> pl.Expr:
    return pl.when(present(column)).then(pl.col(column).str.strip_chars()).cast(pl.Int32, strict=False).alias(column)


# How many digits each strptime field may have: %Y takes one to four, so `25-01-01` or `1/2/25` parsed as the year 25.
_FIELD_DIGITS = {"%Y": "[0-9]{4}", "%m": "[0-9]{1,2}", "%d": "[0-9]{1,2}", "%y": "[0-9]{2}"}


def _date_shape(fmt: str) -> str | None:
    """A regex the text of a date in this format must match in full; None where the format has other fields."""
    pieces = re.split(r"(%.)", fmt)
    if any(piece.startswith("%") and piece not in _FIELD_DIGITS for piece in pieces):
        return None
    return "^" + "".join(_FIELD_DIGITS.get(piece, re.escape(piece)) for piece in pieces) + "$"


def _parsed_date(column: str, formats: tuple[str, ...]) -> pl.Expr:
    value = pl.col(column).str.strip_chars()
    parsed = []
    for fmt in formats:
        as_date = value.str.strptime(pl.Date, fmt, strict=False, exact=True)
        shape = _date_shape(fmt)
        parsed.append(as_date if shape is None else pl.when(value.str.contains(shape)).then(as_date))
    return pl.coalesce(parsed)


def bad_date(column: str, formats: tuple[str, ...]) -> pl.Expr:
    return present(column) & _parsed_date(column, formats).is_null()


def to_date(column: str, formats: tuple[str, ...]) -> pl.Expr:
    return _parsed_date(column, formats).alias(column)


# A value a reason or message quotes is cut to this many characters; the whole text stays in quarantine.raw, so a 10 MB
# field is never copied into stderr, source_files.message or quarantine.reason.
QUOTED_CHARACTERS = 200


def shortened(text: str, limit: int = QUOTED_CHARACTERS) -> str:
    """The text, or its first `limit` characters and how long it was: `CLM*AAAA… (10,000,004 characters)`."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters)"


def shortened_text(value: pl.Expr) -> pl.Expr:
    """shortened() for a column of text."""
    length = value.str.len_chars()
    cut = pl.format("{}… ({} characters)", value.str.slice(0, QUOTED_CHARACTERS), _grouped(length))
    return pl.when(length > QUOTED_CHARACTERS).then(cut).otherwise(value)


def _grouped(count: pl.Expr) -> pl.Expr:
    """A count with commas between its thousands, as f"{count:,}" writes it (up to 999,999,999,999)."""
    group = [(count // 1000**power % 1000).cast(pl.Utf8) for power in range(4)]
    padded = [piece.str.zfill(3) for piece in group]
    return (
        pl.when(count >= 1000**3).then(pl.format("{},{},{},{}", group[3], padded[2], padded[1], padded[0]))
        .when(count >= 1000**2).then(pl.format("{},{},{}", group[2], padded[1], padded[0]))
        .when(count >= 1000).then(pl.format("{},{}", group[1], padded[0]))
        .otherwise(group[0])
    )


def blank_to_null(column: str) -> pl.Expr:
    return pl.when(present(column)).then(pl.col(column).str.strip_chars()).alias(column)


def passes_luhn(column: str) -> pl.Expr:
    """`<column>_passes_luhn`: the NPI check digit (Luhn over the 80840 prefix and the number); null when blank."""
    value = pl.col(column).str.strip_chars()
    digits = [value.str.slice(position, 1).cast(pl.Int32, strict=False) for position in range(10)]
    # From the right, every second digit of the nine-digit base is doubled; the 80840 prefix adds 24.
    doubled = [pl.when(d * 2 > 9).then(d * 2 - 9).otherwise(d * 2) if position % 2 == 0 else d for position, d in enumerate(digits[:9])]
    total = pl.sum_horizontal(doubled) + digits[9] + 24
    is_ten_digits = value.str.contains(r"^\d{10}$")
    return pl.when(present(column)).then(is_ten_digits & (total % 10 == 0).fill_null(False)).alias(f"{column}_passes_luhn")
