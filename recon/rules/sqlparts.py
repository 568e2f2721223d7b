"""Small pure builders of SQL text shared by the compiler: values as text, tolerances, ages, lineage.

Every function takes SQL expressions (already rendered, identifiers quoted) and config literals,
and returns SQL text. Nothing here sees data: values from the data stay in columns, and the
run's as-of time and id are bound parameters (`$as_of`, `$run_id`).
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from typing import Any

from recon.calendars import DEFAULT_CALENDAR, BusinessCalendar, BusinessDays
from recon.normalise import compile_steps
from recon.rules.contract import LINEAGE_CAP
from recon.rules.schema import Tolerance
from recon.sql import ident, literal

AS_OF = "CAST($as_of AS TIMESTAMPTZ)"
RUN_ID = "$run_id"


def num(value: float) -> str:
    """A config number as an exact SQL literal (12 stays 12, 0.01 stays 0.01)."""
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


def as_text(expr: str, category: str) -> str:
    """A value as the text shown in left_value/right_value: 12.5000 -> 12.5, times in ISO 8601 UTC."""
    if category == "number":
        return f"regexp_replace(CAST(CAST({expr} AS DECIMAL(38,4)) AS VARCHAR), '\\.?0+$', '')"
    if category == "time":
        return f"strftime(CAST({expr} AS TIMESTAMPTZ), '%Y-%m-%dT%H:%M:%SZ')"
    return f"CAST({expr} AS VARCHAR)"


def seconds_between(earlier: str, later: str) -> str:
    return f"date_diff('second', CAST({earlier} AS TIMESTAMPTZ), CAST({later} AS TIMESTAMPTZ))"


def difference(lv: str, rv: str, category: str) -> str:
    if category == "number":
        return f"CAST(({lv}) - ({rv}) AS DECIMAL(18,4))"
    if category == "time":
        return f"CAST({seconds_between(rv, lv)} / 3600.0 AS DECIMAL(18,4))"
    return "CAST(NULL AS DECIMAL(18,4))"


def agrees(lv: str, rv: str, category: str, tolerance: Tolerance | None, *, ignore_missing: bool,
           normalise: Sequence[Any] = (), lookups: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """A condition that is TRUE when the two values agree (never NULL)."""
    if category == "text" and normalise:
        lv = compile_steps(f"CAST({lv} AS VARCHAR)", list(normalise), lookups or {})
        rv = compile_steps(f"CAST({rv} AS VARCHAR)", list(normalise), lookups or {})
    if tolerance is None:
        same = f"({lv}) = ({rv})"
    elif category == "time":
        d = seconds_between(rv, lv)
        if tolerance.window is not None:
            same = f"abs({d}) <= {tolerance.window}"
        else:
            parts = []
            if tolerance.before is not None:
                parts.append(f"{d} >= -{tolerance.before}")
            if tolerance.after is not None:
                parts.append(f"{d} <= {tolerance.after}")
            same = " AND ".join(parts)
    else:
        d = f"(({lv}) - ({rv}))"
        if tolerance.lower is not None or tolerance.upper is not None:
            parts = []
            if tolerance.lower is not None:
                parts.append(f"{d} >= {num(tolerance.lower)}")
            if tolerance.upper is not None:
                parts.append(f"{d} <= {num(tolerance.upper)}")
            same = " AND ".join(parts)
        else:
            parts = []
            if tolerance.abs is not None:
                parts.append(f"abs{d} <= {num(tolerance.abs)}")
            if tolerance.pct is not None:
                parts.append(f"abs{d} * 100 <= {num(tolerance.pct)} * abs({rv})")
            same = " OR ".join(parts)
    if ignore_missing:
        return f"(({lv}) IS NULL OR ({rv}) IS NULL OR ({same}))"
    return (f"((({lv}) IS NULL AND ({rv}) IS NULL) OR "
            f"(({lv}) IS NOT NULL AND ({rv}) IS NOT NULL AND ({same})))")


def older_than(event: str, age: int | BusinessDays | None,
               calendars: Mapping[str, BusinessCalendar] | None = None) -> str:
    """The age gate: the event is known and more than `age` (seconds, or business days) before as-of.

    A row without an event time is never old enough: a rule that has a fallback clock says so
    in its event_at (coalesce(picked_up_at, shipped_at)). A business-day age counts working days
    on its calendar (recon.calendars); the rule checks made sure the calendar exists.
    """
    if age is None:
        return "TRUE"
    if isinstance(age, BusinessDays):
        calendar = (calendars or {}).get(age.calendar or DEFAULT_CALENDAR)
        assert calendar is not None, f"calendar {age.calendar or DEFAULT_CALENDAR} is checked before compiling"
        return calendar.older_than_sql(event, AS_OF, age.days)
    return f"({event} < {AS_OF} - INTERVAL {int(age)} SECOND)"


def age_hours(event: str) -> str:
    return f"CAST(round({seconds_between(event, AS_OF)} / 3600.0, 1) AS DECIMAL(12,1))"


def row_struct(alias: str = "") -> str:
    prefix = f"{alias}." if alias else ""
    return f"{{'f': {prefix}\"_source_file\", 'r': {prefix}\"_source_row\"}}"


def row_id(alias: str = "") -> str:
    prefix = f"{alias}." if alias else ""
    return f"({prefix}\"_source_file\" || ':' || CAST({prefix}\"_source_row\" AS VARCHAR))"


def lineage(rows: str) -> str:
    """A sorted list of {f, r} rows as `file:row;file:row`, capped at LINEAGE_CAP then `…(+N)`."""
    cap = LINEAGE_CAP
    shown = f"array_to_string(list_transform(list_slice({rows}, 1, {cap}), lambda e: e.f || ':' || e.r), ';')"
    more = f"CASE WHEN len({rows}) > {cap} THEN ';…(+' || CAST(len({rows}) - {cap} AS VARCHAR) || ')' ELSE '' END"
    return f"CASE WHEN {rows} IS NULL OR len({rows}) = 0 THEN NULL ELSE {shown} || {more} END"


def merged_rows(column: str) -> str:
    """All rows of the collapsed findings, distinct and sorted by file then row number."""
    return f"list_sort(list_distinct(flatten(list({column}))))"


def message(template: str, columns: Mapping[str, str]) -> str:
    """A message template (`{order_id} line {line_no}`) as SQL concatenation; absent values print as `-`."""
    parts: list[str] = []
    for text, name, _, _ in string.Formatter().parse(template):
        if text:
            parts.append(literal(text))
        if name:
            parts.append(f"coalesce(CAST({columns.get(name, ident(name))} AS VARCHAR), '-')")
    return " || ".join(parts) if parts else "''"


def exception_id(rule_id: str, key_text: str) -> str:
    return f"left(sha256({literal(rule_id)} || '|' || exception_type || '|' || {key_text}), 16)"


def key_text(exprs: Sequence[str]) -> str:
    """Business key values joined by `|` (an absent value is empty), the input of the exception id."""
    if not exprs:
        return "''"
    return " || '|' || ".join(f"coalesce(CAST({e} AS VARCHAR), '')" for e in exprs)
