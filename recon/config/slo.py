"""SLO targets: how fast each hand-over should be, in hours or in business days.

A release-to-ship target of "two business days" is what a warehouse promises; measured in
hours, every Friday release would breach it over the weekend. A target is either a duration in
hours (`24h`, `2d`, `30m`, a bare number of hours) or business days on a calendar of the config
(`2bd`, `2bd:NAME`, recon.calendars); its median and 95th percentile share one unit.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, model_validator

from recon.calendars import parse_business_days

_DURATION_UNITS = {"m": 1 / 60, "h": 1.0, "d": 24.0, "w": 168.0}


def duration_hours(value: Any) -> float:
    """`30m`, `4h`, `2d`, `1w` or a bare number of hours, as hours (SLO targets are read this way)."""
    if isinstance(value, bool):
        raise ValueError("a duration is a number of hours or text such as 4h, 2d, 30m")
    if isinstance(value, int | float):
        hours = float(value)
    else:
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([mhdw])\s*", str(value))
        if not match:
            raise ValueError(f"{value!r} is not a duration; write it as 30m, 4h, 2d or 1w")
        hours = float(match.group(1)) * _DURATION_UNITS[match.group(2)]
    if hours <= 0:
        raise ValueError("a duration must be more than zero")
    return hours


class SloTarget(BaseModel):
    """Latency targets (median, 95th percentile) in `unit`; a plain value is the 95th percentile."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    median: float | None = None
    p95: float | None = None
    unit: Literal["hours", "business_days"] = "hours"
    calendar: str | None = None  # business days: the calendar's name (None: the config's default)

    @model_validator(mode="before")
    @classmethod
    def _targets(cls, value: Any) -> Any:
        if isinstance(value, str | int | float):
            value = {"p95": value}
        if not isinstance(value, dict):
            return value
        out = dict(value)
        days = {k: parse_business_days(out.get(k)) for k in ("median", "p95")}
        given = [k for k in ("median", "p95") if out.get(k) is not None]
        in_days = [k for k in given if days[k] is not None]
        if in_days and len(in_days) != len(given):
            raise ValueError("median and p95 of one SLO must both be business days (2bd) or both durations (24h)")
        if in_days:
            calendars = {days[k].calendar for k in in_days}
            if len(calendars) > 1:
                raise ValueError("median and p95 of one SLO must count on the same calendar")
            for k in in_days:
                if days[k].days <= 0:
                    raise ValueError("a business-day target must be at least 1bd")
                out[k] = float(days[k].days)
            out["unit"], out["calendar"] = "business_days", calendars.pop()
        elif out.get("unit", "hours") == "hours":
            for k in given:
                out[k] = duration_hours(out[k])
        return out


class Slo(BaseModel):
    """Workflow latency targets, measured from the loaded extracts on every run."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    release_to_ship: SloTarget | None = None  # erp.orders.released_at -> wms.shipment_lines.shipped_at
    ship_to_post: SloTarget | None = None  # wms shipped_at -> erp.shipment_lines.shipped_at
    ship_to_invoice: SloTarget | None = None  # wms shipped_at -> erp.invoice_lines.invoiced_at


__all__ = ["Slo", "SloTarget", "duration_hours"]
