"""The working-day calendar of a profile whose warehouse closes on weekends and company holidays.

The generator needs the same calendar recon is given (`calendars:` in recon.yaml plus the
holidays file it writes): shipments leave on working days only, and an order is "stuck" only when
two working days have passed since its release. `late()` mirrors recon's business-day rule
(recon/calendars.py): an event is N working days old once N working days after its own day have
passed; with exactly N of them, once as-of's time of day passes the event's (or as-of falls on a
day off).
"""

from __future__ import annotations

from datetime import date, timedelta

from recon.sample.clock import DAY, Clock

RELEASE_BD = 2  # release_to_ship_slo: a released order ships within 2 working days
INVOICE_BD = 3  # invoice_cutoff: a shipped line is invoiced within 3 working days


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th `weekday` (Monday 0) of a month; n = -1 for the last."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def company_holidays(year: int) -> list[date]:
    """A US distributor's paid holidays: the federal ones a warehouse closes for, and the day after Thanksgiving."""
    thanksgiving = _nth_weekday(year, 11, 3, 4)
    return sorted([
        date(year, 1, 1),
        _nth_weekday(year, 5, 0, -1),  # Memorial Day
        date(year, 7, 4),
        _nth_weekday(year, 9, 0, 1),  # Labor Day
        thanksgiving,
        thanksgiving + timedelta(days=1),
        date(year, 12, 24),
        date(year, 12, 25),
    ])


class WorkCalendar:
    """Monday to Friday minus holidays, days counted in one zone."""

    def __init__(self, clock: Clock, years: range) -> None:
        self.clock = clock
        self.holidays = frozenset(d for y in years for d in company_holidays(y))

    def _day(self, ts: int) -> date:
        return date(1970, 1, 1) + timedelta(days=(ts + self.clock.offset(ts)) // DAY)

    def working(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.holidays

    def next_open(self, ts: int) -> int:
        """`ts`, or the same time of day on the next working day when `ts` falls on a day off."""
        while not self.working(self._day(ts)):
            ts += DAY
        return ts

    def closed_before(self, ts: int) -> int:
        """Seconds of days off running up to `ts`'s day (and including it when it is one): 0 on a normal Tuesday."""
        day, days = self._day(ts), 0
        if self.working(day):
            day -= timedelta(days=1)
        while not self.working(day) and days < 30:
            days += 1
            day -= timedelta(days=1)
        return days * DAY

    def late(self, event: int, at: int, days: int = 2) -> bool:
        """More than `days` working days have passed since `event` at `at` (recon's `older_than: 2bd`)."""
        start, end = self._day(event), self._day(at)
        elapsed = sum(1 for k in range(1, (end - start).days + 1) if self.working(start + timedelta(days=k)))
        if elapsed != days:
            return elapsed > days
        seconds = (at + self.clock.offset(at)) % DAY > (event + self.clock.offset(event)) % DAY
        return not self.working(end) or seconds
