"""SLO targets: how fast each hand-over should be, in hours or in business days.

Any pair of business events can have one (`order_to_ship: {from: order-received, to: shipped,
p95: 48h}`), measured per order chain over the event table (recon.events); the three built-in
clocks (release_to_ship, ship_to_post, ship_to_invoice) keep their line-level pairing unless
given `from`/`to` of their own (docs/operations.md, "SLOs").

A release-to-ship target of "two business days" is what a warehouse promises; measured in
hours, every Friday release would breach it over the weekend. A target is either a duration in
hours (`24h`, `2d`, `30m`, a bare number of hours) or business days on a calendar of the config
(`2bd`, `2bd:NAME`, recon.calendars); its median and 95th percentile share one unit.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

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
    # An event pair (recon.events): measured per order chain, from the first `from` event to the
    # first `to` event; `system:event` restricts an end to one system. Breaching chains become
    # exceptions of type `slo-breach` with this severity and owner.
    start: str | None = Field(None, alias="from")
    end: str | None = Field(None, alias="to")
    severity: Literal["critical", "high", "medium", "low"] = "medium"
    owner: str | None = None
    workflow: str = "order-to-cash"

    @property
    def event_pair(self) -> bool:
        return self.start is not None and self.end is not None

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


EVENT_NAME = re.compile(r"(?:[A-Za-z0-9_.-]+:)?[a-z0-9]+(?:-[a-z0-9]+)*")
SLO_NAME = re.compile(r"[a-z][a-z0-9_]*")


class Slo(BaseModel):
    """Workflow latency targets, measured from the loaded extracts on every run.

    The three named clocks are built in (their pairing is line-level, recon.report.summary); any
    other name is an event pair and must say `from:` and `to:` (event types, recon.events)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    release_to_ship: SloTarget | None = None  # erp order-released -> wms shipped (per order line)
    ship_to_post: SloTarget | None = None  # wms shipped -> erp goods-issue-posted (per shipment line)
    ship_to_invoice: SloTarget | None = None  # wms shipped -> erp invoiced (per order line)

    @model_validator(mode="after")
    def _event_pairs(self) -> Slo:
        extra = self.__pydantic_extra__ or {}
        for name, value in list(extra.items()):
            if not SLO_NAME.fullmatch(name):
                raise ValueError(f"SLO name {name!r} must be lower case (letters, digits and _)")
            target = value if isinstance(value, SloTarget) else SloTarget.model_validate(value)
            if not target.event_pair:
                raise ValueError(f"SLO {name!r} is not built in (release_to_ship, ship_to_post, ship_to_invoice): "
                                 "give it `from:` and `to:` event types, e.g. {from: asn-sent, to: ack-received, "
                                 "p95: 24h}")
            extra[name] = target
        for name, target in self.clocks().items():
            if (target.start is None) != (target.end is None):
                raise ValueError(f"SLO {name!r} needs both `from:` and `to:`")
            for end in (target.start, target.end):
                if end is not None and not EVENT_NAME.fullmatch(end):
                    raise ValueError(f"SLO {name!r}: {end!r} is not an event type (kebab-case, optionally "
                                     "system:event such as wms:shipped)")
        return self

    def clocks(self) -> dict[str, SloTarget]:
        """Every configured target by name: the built-in clocks first, then the event pairs as written."""
        named = {n: getattr(self, n) for n in type(self).model_fields if getattr(self, n) is not None}
        return {**named, **{n: t for n, t in (self.__pydantic_extra__ or {}).items() if isinstance(t, SloTarget)}}

    def event_pairs(self) -> dict[str, SloTarget]:
        """The targets measured per order chain over the event table."""
        return {n: t for n, t in self.clocks().items() if t.event_pair}


__all__ = ["Slo", "SloTarget", "duration_hours"]
