"""The run's as-of time: every age and overdue window is measured from it, never from `now()` in SQL.

Fixing it (`--as-of`) is what makes a run reproducible byte for byte.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo


def parse_as_of(text: str | datetime | None, timezone: str = "UTC", now: datetime | None = None) -> datetime:
    """ISO date or timestamp, with or without offset (without: in the config's time zone), as UTC."""
    if text is None:
        value = now or datetime.now(UTC)
    elif isinstance(text, datetime):
        value = text
    else:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(timezone))
    return value.astimezone(UTC).replace(microsecond=0)
