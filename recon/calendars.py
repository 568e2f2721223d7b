"""Business-day clocks: `older_than: 2bd` against a calendar of working weekdays and holidays.

"Shipped but not invoiced after 2 business days" on a Monday morning must not flag Friday's
shipments. A calendar (`calendars:` in recon.yaml) says which weekdays are worked and which dates
are holidays; an age in business days is late once that many working days have fully passed
since the event, counted in the site's time zone: a shipment on Friday at 15:00 with a 2-business-
day clock is due Tuesday at 15:00 (Monday and Tuesday are the two days), or Wednesday at 15:00
when Monday is a holiday. A pure module: it builds SQL text, it runs none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from recon.sql import literal, one_of

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # ISO order: isodow 1..7
DEFAULT_CALENDAR = "default"
_BUSINESS_RE = re.compile(r"^\s*(\d+)\s*bd(?::([A-Za-z_][A-Za-z0-9_-]*))?\s*$")


@dataclass(frozen=True)
class BusinessDays:
    """An age of `days` working days on the calendar named `calendar` (None: the config's default)."""

    days: int
    calendar: str | None = None

    def __str__(self) -> str:
        return f"{self.days}bd" + (f":{self.calendar}" if self.calendar else "")


def parse_business_days(value: object) -> BusinessDays | None:
    """`2bd` or `2bd:uk` as BusinessDays; None when the text is not a business-day duration."""
    if not isinstance(value, str):
        return None
    match = _BUSINESS_RE.match(value)
    if match is None:
        return None
    days = int(match.group(1))
    if days < 1:
        raise ValueError("a business-day duration is at least 1bd")
    return BusinessDays(days, match.group(2))


@dataclass(frozen=True)
class BusinessCalendar:
    """Working weekdays (ISO numbers, Monday 1) and holidays, in the time zone the days are counted in."""

    weekdays: tuple[int, ...] = (1, 2, 3, 4, 5)
    holidays: tuple[date, ...] = ()
    timezone: str = "UTC"

    def is_business_day(self, day: date) -> bool:
        return day.isoweekday() in self.weekdays and day not in self.holidays

    def _is_working(self, day_sql: str) -> str:
        """SQL: the DATE `day_sql` is a working day."""
        cond = one_of(f"isodow({day_sql})", [str(d) for d in self.weekdays])
        if self.holidays:
            listed = [f"DATE {literal(h.isoformat())}" for h in sorted(set(self.holidays))]
            cond += f" AND NOT {one_of(day_sql, listed)}"
        return cond

    def _working_days_between(self, start: str, end: str) -> str:
        """SQL: working days d with start < d <= end (DATEs), by arithmetic rather than by listing days.

        Per working weekday w, the first date after `start` falling on w is k = ((w - isodow(start) + 6)
        % 7) + 1 days later, and there are (n - k + 7) // 7 of them in n days; holidays on working
        weekdays inside the span are then taken off. Plain scalar SQL: no lambdas, lists or subqueries.
        """
        n = f"date_diff('day', {start}, {end})"
        per_weekday = [f"(({n} - ((({w} - isodow({start}) + 6) % 7) + 1) + 7) // 7)" for w in self.weekdays]
        counted = " + ".join(per_weekday)
        off = [h for h in sorted(set(self.holidays)) if h.isoweekday() in self.weekdays]
        if off:
            counted += " - (" + " + ".join(
                f"CASE WHEN DATE {literal(h.isoformat())} > {start} AND DATE {literal(h.isoformat())} <= {end} "
                "THEN 1 ELSE 0 END" for h in off) + ")"
        return f"CASE WHEN {end} > {start} THEN {counted} ELSE 0 END"

    def older_than_sql(self, event: str, as_of: str, days: int) -> str:
        """SQL: more than `days` working days have passed since `event` (TIMESTAMPTZ) at `as_of`.

        The days after the event's local date up to as-of's local date that are working days are
        counted; with exactly `days` of them, it is late once as-of's time of day passes the event's
        (or as-of is on a day off, so the last working day has fully passed).
        """
        zone = literal(self.timezone)
        local_event, local_as_of = f"timezone({zone}, {event})", f"timezone({zone}, {as_of})"
        event_day, as_of_day = f"CAST({local_event} AS DATE)", f"CAST({local_as_of} AS DATE)"
        elapsed = f"({self._working_days_between(event_day, as_of_day)})"
        # Time of day as seconds, not CAST(... AS TIME): Spark has no TIME type to transpile it to.
        past_time = f"{_seconds_of_day(local_as_of)} > {_seconds_of_day(local_event)}"
        return (f"({event} IS NOT NULL AND ({elapsed} > {days} OR ({elapsed} = {days} AND "
                f"(NOT ({self._is_working(as_of_day)}) OR {past_time}))))")

    def elapsed_sql(self, start: str, end: str) -> str:
        """SQL: business days from `start` to `end` (TIMESTAMPTZ) as a number, for SLO percentiles.

        The working days after the start's local date up to the end's are counted, and on a
        working end day the time of day past the start's adds its fraction of a day; an end on a
        day off counts as the end of the last working day. So the value exceeds N exactly when
        `older_than_sql` calls the pair more than N business days old. An end before the start
        gives the (negative) calendar days, as the hour clocks do.
        """
        zone = literal(self.timezone)
        local_start, local_end = f"timezone({zone}, {start})", f"timezone({zone}, {end})"
        start_day, end_day = f"CAST({local_start} AS DATE)", f"CAST({local_end} AS DATE)"
        whole = f"({self._working_days_between(start_day, end_day)})"
        end_seconds = f"CASE WHEN {self._is_working(end_day)} THEN {_seconds_of_day(local_end)} ELSE 86400 END"
        part = f"(({end_seconds}) - {_seconds_of_day(local_start)}) / 86400.0"
        return (f"CASE WHEN {end} < {start} THEN (epoch({end}) - epoch({start})) / 86400.0 "
                f"ELSE {whole} + {part} END")


def _seconds_of_day(ts: str) -> str:
    return f"(hour({ts}) * 3600 + minute({ts}) * 60 + second({ts}))"


def weekday_numbers(names: list[str]) -> tuple[int, ...]:
    """`[mon, tue]` as ISO weekday numbers; an unknown name is a ValueError naming the known ones."""
    out = []
    for name in names:
        key = name.strip().lower()[:3]
        if key not in WEEKDAYS:
            raise ValueError(f"unknown weekday {name!r}; use {', '.join(WEEKDAYS)}")
        out.append(WEEKDAYS.index(key) + 1)
    return tuple(sorted(set(out)))


__all__ = ["DEFAULT_CALENDAR", "WEEKDAYS", "BusinessCalendar", "BusinessDays", "parse_business_days",
           "weekday_numbers"]
