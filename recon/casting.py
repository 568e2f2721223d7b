"""Text cells to canonical types, as SQL expressions that yield NULL instead of failing.

A cell whose text is present but whose typed value is NULL did not parse: the loader turns
exactly those into rejects naming the field and the raw value. Nothing here raises on data.
"""

from __future__ import annotations

from dataclasses import dataclass

from recon.sql import literal

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


def _number_text(x: str, spec: CastSpec) -> str:
    out = x
    if spec.thousands:
        out = f"replace({out}, {literal(spec.thousands)}, '')"
    if spec.decimal != ".":
        out = f"replace({out}, {literal(spec.decimal)}, '.')"
    return out


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
        return f"TRY_CAST({_number_text(x, spec)} AS {spec.duck_type})"
    if kind == "integer":
        as_dec = f"TRY_CAST({_number_text(x, spec)} AS DECIMAL(38,6))"
        # `10.000` is line 10; `10.5` is not a line number.
        return f"CASE WHEN {as_dec} = trunc({as_dec}) THEN TRY_CAST({as_dec} AS {spec.duck_type}) END"
    if kind == "timestamp":
        return _timestamp(x, spec)
    if kind == "date":
        if spec.format:
            return f"CAST(try_strptime({x}, {literal(spec.format)}) AS DATE)"
        return f"TRY_CAST({x} AS DATE)"
    return f"TRY_CAST({x} AS BOOLEAN)"


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
