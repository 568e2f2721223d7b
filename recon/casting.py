"""Text cells to canonical types, as SQL expressions that yield NULL instead of failing.

A cell whose text is present but whose typed value is NULL did not parse: the loader turns
exactly those into rejects naming the field and the raw value. Nothing here raises on data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from recon.sql import literal

_PLAIN_DIGITS = "^[0-9]{1,9}$"  # fits INTEGER and BIGINT alike
_OFFSET_RE = r"[T ]\d{1,2}:\d{2}[^+-]*(Z|z|[+-]\d{2}(:?\d{2})?)$"  # an offset after a time, not a date dash


@dataclass(frozen=True)
class CastSpec:
    duck_type: str  # the canonical DuckDB type
    format: str | None = None  # strptime format for dates and timestamps
    timezone: str = "UTC"  # zone of timestamps that carry no offset
    decimal: str = "."
    thousands: str | None = None


def kind_of(duck_type: str) -> str:
    t = duck_type.upper()
    if t.startswith("DECIMAL") or t in ("DOUBLE", "FLOAT"):
        return "decimal"
    if t in ("INTEGER", "BIGINT"):
        return "integer"
    if t.startswith("TIMESTAMP"):
        return "timestamp"
    if t == "DATE":
        return "date"
    if t == "BOOLEAN":
        return "boolean"
    return "varchar"


def _re_char(c: str) -> str:
    return "[" + ("\\" + c if c in "\\^]-[" else c) + "]"


def _grouped(spec: CastSpec) -> str:
    """Thousands separators only between groups of three digits before the decimal separator: 1,234,567.5."""
    t, d = _re_char(spec.thousands or ","), _re_char(spec.decimal)
    return rf"^[+-]?[0-9]{{1,3}}({t}[0-9]{{3}})+({d}[0-9]*)?$"


def _scale(duck_type: str) -> int | None:
    match = re.fullmatch(r"DECIMAL\(\d+,\s*(\d+)\)", duck_type.upper())
    return int(match.group(1)) if match else None


def _excess(scale: int) -> str:
    """A plain number with a non-zero digit beyond `scale` decimals (exponent forms are left to the cast)."""
    return rf"[.][0-9]{{{scale}}}[0-9]*[1-9][0-9]*$"


def _number_text(x: str, spec: CastSpec) -> str:
    """`x` with its separators made plain ('-1234.5'); NULL when a thousands separator is out of place.

    A thousands separator is removed only where it separates groups of three digits (`12,34`
    and `1,2,3,4` are not numbers, rather than 1234).
    """
    out = x
    if spec.thousands:
        sep = literal(spec.thousands)
        out = (f"CASE WHEN NOT contains({x}, {sep}) THEN {x} "
               f"WHEN regexp_matches({x}, {literal(_grouped(spec))}) THEN replace({x}, {sep}, '') END")
    if spec.decimal != ".":
        out = f"replace({out}, {literal(spec.decimal)}, '.')"
    return out


def _checked_number(number: str, scale: int | None, cast: str) -> str:
    """`cast` of `number` unless it holds `_` or more decimals than `scale`.

    DuckDB's casts read `1_000` as 1000 and round decimals beyond the type's scale; every other
    text they accept is a number as written (hexadecimal and `Infinity` do not cast to DECIMAL).
    The decimals are looked at only for texts long enough after their point to have too many,
    so a clean column costs two string tests per value, no regular expression.
    """
    excess = "" if scale is None else (
        f"WHEN strpos({number}, '.') > 0 AND length({number}) - strpos({number}, '.') > {scale} "
        f"AND regexp_matches({number}, {literal(_excess(scale))}) THEN NULL ")
    return f"CASE WHEN contains({number}, '_') THEN NULL {excess}ELSE {cast} END"


def _timestamp(x: str, spec: CastSpec) -> str:
    zone = literal(spec.timezone)
    if spec.format:
        if "%z" in spec.format or "%Z" in spec.format:
            return f"try_strptime({x}, {literal(spec.format)})"
        return f"timezone({zone}, try_strptime({x}, {literal(spec.format)}))"
    return (
        f"CASE WHEN regexp_matches({x}, {literal(_OFFSET_RE)}) THEN TRY_CAST({x} AS TIMESTAMPTZ) "
        f"ELSE timezone({zone}, TRY_CAST({x} AS TIMESTAMP)) END"
    )


def cast_expr(x: str, spec: CastSpec) -> str:
    """A SQL expression giving `x` (VARCHAR) as the canonical type, or NULL when it does not parse."""
    kind = kind_of(spec.duck_type)
    if kind == "varchar":
        return x
    if kind == "decimal":
        # More decimals than the type holds would be rounded away without a word: not a value.
        number = _number_text(x, spec)
        return _checked_number(number, _scale(spec.duck_type), f"TRY_CAST({number} AS {spec.duck_type})")
    if kind == "integer":
        number = _number_text(x, spec)
        as_dec = f"TRY_CAST({number} AS DECIMAL(38,6))"
        # `10.000` is line 10; `10.5` (or 10.0000001) is not a line number.
        whole = f"CASE WHEN {as_dec} = trunc({as_dec}) THEN TRY_CAST({as_dec} AS {spec.duck_type}) END"
        # Up to nine plain digits (nearly every cell) are the number they spell whatever the separators:
        # one pattern and an integer cast instead of the checks and the 38-digit decimal (5x cheaper).
        return (f"CASE WHEN regexp_matches({x}, {literal(_PLAIN_DIGITS)}) THEN CAST({x} AS {spec.duck_type}) "
                f"ELSE {_checked_number(number, 0, whole)} END")
    if kind == "timestamp":
        return _timestamp(x, spec)
    if kind == "date":
        if spec.format:
            return f"CAST(try_strptime({x}, {literal(spec.format)}) AS DATE)"
        return f"TRY_CAST({x} AS DATE)"
    return f"TRY_CAST({x} AS BOOLEAN)"


LINE_FORMATS = ("integer", "dotted", "text")
_DOTTED = "^[0-9]+([.][0-9]+)*$"


def line_cast(x: str, line: str, spec: CastSpec) -> tuple[str, str, str | None]:
    """A line number as text in its declared form: (typed SQL, reject reason, SQL of a precise reason).

    `integer` parses like a whole number (so `000010`, `10` and `10.000` are `10`, `10.5` is a reject)
    and prints it without zeros; `dotted` keeps digits separated by dots as written (`1.1`); `text`
    keeps any text. Ordering is by the dotted parts as numbers (`recon.rules.contract.line_order`).
    """
    if line == "text":
        return x, "empty after normalisation", None
    if line == "dotted":
        return (f"CASE WHEN regexp_matches({x}, {literal(_DOTTED)}) THEN {x} END",
                "not a line number (digits separated by dots, such as 1.1)", None)
    whole = CastSpec("INTEGER", decimal=spec.decimal, thousands=spec.thousands)
    return f"CAST({cast_expr(x, whole)} AS VARCHAR)", describe_failure(whole), "whole"


def describe_failure(spec: CastSpec) -> str:
    """The reason written to the rejects table when a cell does not parse."""
    kind = kind_of(spec.duck_type)
    if kind in ("timestamp", "date"):
        return f"not a {kind} matching {spec.format}" if spec.format else f"not an ISO {kind}"
    if kind == "decimal":
        return "not a number" + (f" (decimal separator {spec.decimal!r})" if spec.decimal != "." else "")
    if kind == "integer":
        return "not a whole number"
    return f"not a {kind}"


def failure_sql(raw: str, spec: CastSpec) -> str:
    """SQL for the reject reason of the cell `raw` that did not parse: the precise cause where one is known."""
    base = literal(describe_failure(spec))
    kind = kind_of(spec.duck_type)
    if kind not in ("decimal", "integer"):
        return base
    cases = [f"WHEN contains({raw}, '_') THEN 'not a number (\"_\" is not a digit separator)'"]
    if spec.thousands:
        reason = f"not a number (thousands separator {spec.thousands!r} out of place)"
        cases.append(f"WHEN contains({raw}, {literal(spec.thousands)}) AND NOT regexp_matches({raw}, "
                     f"{literal(_grouped(spec))}) THEN {literal(reason)}")
    scale = 0 if kind == "integer" else _scale(spec.duck_type)
    if scale is not None and kind == "decimal":
        cases.append(f"WHEN regexp_matches({_number_text(raw, spec)}, {literal(_excess(scale))}) "
                     f"THEN {literal(f'more decimals than the field holds ({scale})')}")
    return f"CASE {' '.join(cases)} ELSE {base} END"
