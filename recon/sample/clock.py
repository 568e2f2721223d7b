"""Epoch seconds to the text each system writes, fast enough for millions of rows.

The generator keeps every time as whole UTC epoch seconds and only turns it into text at the
edge, in the shape and zone of the system that writes it (ERP `20261118`/`143205` in the
company's zone, WMS ISO 8601 with the facility's offset, TMS `11/18/2026 14:32` in UTC, X12
`CCYYMMDD`/`HHMM`). `datetime` per value costs microseconds; caching the UTC offset per hour
and the date strings per day makes a value cost a few dictionary lookups. US zone changes happen
on a whole UTC hour, so a per-hour offset cache is exact.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

HOUR = 3600
DAY = 86400
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


class Clock:
    """Formats epoch seconds as local time in one IANA zone."""

    __slots__ = ("_days", "_offsets", "_offtext", "_runs", "name", "zone")

    def __init__(self, zone: str) -> None:
        self.name = zone
        self.zone = ZoneInfo(zone)
        self._offsets: dict[int, int] = {}
        self._offtext: dict[int, str] = {}
        self._days: dict[int, tuple[str, str, str, str]] = {}
        self._runs: dict[tuple[int, int], int] = {}

    def offset(self, ts: int) -> int:
        """Seconds east of UTC at `ts`."""
        hour = ts // HOUR
        off = self._offsets.get(hour)
        if off is None:
            delta = datetime.fromtimestamp(hour * HOUR, UTC).astimezone(self.zone).utcoffset()
            off = int(delta.total_seconds()) if delta is not None else 0
            self._offsets[hour] = off
        return off

    def _day(self, day: int) -> tuple[str, str, str, str]:
        text = self._days.get(day)
        if text is None:
            d = date.fromordinal(day + _EPOCH_ORDINAL)
            text = (
                f"{d.year:04d}{d.month:02d}{d.day:02d}",
                f"{d.year:04d}-{d.month:02d}-{d.day:02d}",
                f"{d.month:02d}/{d.day:02d}/{d.year:04d}",
                f"{d.year % 100:02d}{d.month:02d}{d.day:02d}",
            )
            self._days[day] = text
        return text

    def _split(self, ts: int) -> tuple[tuple[str, str, str, str], int]:
        local = ts + self.offset(ts)
        return self._day(local // DAY), local % DAY

    def ymd(self, ts: int) -> str:
        """`20261118`: ERP dates, X12 CCYYMMDD."""
        return self._split(ts)[0][0]

    def yymmdd(self, ts: int) -> str:
        """`261118`: ISA09."""
        return self._split(ts)[0][3]

    def hms(self, ts: int) -> str:
        """`143205`: ERP times."""
        s = self._split(ts)[1]
        return f"{s // 3600:02d}{s // 60 % 60:02d}{s % 60:02d}"

    def ymd_hms(self, ts: int) -> tuple[str, str]:
        """(`20261118`, `143205`) in one conversion: ERP date and time columns."""
        days, s = self._split(ts)
        return days[0], f"{s // 3600:02d}{s // 60 % 60:02d}{s % 60:02d}"

    def hm(self, ts: int) -> str:
        """`1432`: X12 times."""
        s = self._split(ts)[1]
        return f"{s // 3600:02d}{s // 60 % 60:02d}"

    def iso(self, ts: int) -> str:
        """`2026-11-18T14:32:05-05:00`: WMS timestamps, with the zone's offset."""
        off = self.offset(ts)
        days, s = self._split(ts)
        text = self._offtext.get(off)
        if text is None:
            sign = "+" if off >= 0 else "-"
            a = abs(off)
            text = self._offtext[off] = f"{sign}{a // 3600:02d}:{a // 60 % 60:02d}"
        return f"{days[1]}T{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}{text}"

    def us(self, ts: int) -> str:
        """`11/18/2026 14:32`: TMS timestamps."""
        days, s = self._split(ts)
        return f"{days[2]} {s // 3600:02d}:{s // 60 % 60:02d}"

    def local_hour(self, ts: int) -> float:
        """Hour of the local day, 0 <= h < 24, for shaping order intake over the day."""
        return self._split(ts)[1] / 3600

    def weekday(self, ts: int) -> int:
        """Monday = 0 in local time."""
        local = ts + self.offset(ts)
        return (local // DAY + 3) % 7  # 1970-01-01 was a Thursday

    def at_local(self, ts: int, hour: int, minute: int = 0) -> int:
        """Epoch seconds of `hour:minute` local time on the local day of `ts`."""
        local = ts + self.offset(ts)
        d = date.fromordinal(local // DAY + _EPOCH_ORDINAL)
        return int(datetime(d.year, d.month, d.day, hour, minute, tzinfo=self.zone).timestamp())

    def next_local(self, ts: int, hour: int) -> int:
        """The first `hour:00` local strictly after `ts` (a nightly batch run)."""
        run = self._run_on_day_of(ts, hour)
        if run <= ts:
            run = self._run_on_day_of(run + DAY, hour)  # 02:00 + 24h is on the next local day, DST or not
        return run

    def _run_on_day_of(self, ts: int, hour: int) -> int:
        key = ((ts + self.offset(ts)) // DAY, hour)
        run = self._runs.get(key)
        if run is None:
            run = self._runs[key] = self.at_local(ts, hour)
        return run


def ceil_hour(ts: int) -> int:
    """The next whole hour at or after `ts` (hourly EDI transmissions)."""
    return -(-ts // HOUR) * HOUR
