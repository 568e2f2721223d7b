"""The events step of a run: after the rules (so the exceptions get their chain), before the
lifecycle (so SLO breaches are exceptions like any other: new, open, resolved)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from recon.config.schema import Config
from recon.db import Database
from recon.events import slo
from recon.events.build import Built, build


@dataclass(frozen=True)
class EventsResult:
    """What the step built: counts, event-pair SLO measurements, and why it did not run, if it did not."""

    built: Built | None
    clocks: tuple[dict[str, Any], ...] = ()
    seconds: float = 0.0
    skipped: str | None = None

    def section(self) -> dict[str, Any]:
        """For the run log: counts and time."""
        if self.built is None:
            return {"skipped": self.skipped}
        return {"events": self.built.events, "chains": self.built.chains, "rounds": self.built.rounds,
                "slo_breaches": sum(c["late"] + c["overdue"] for c in self.clocks),
                "seconds": round(self.seconds, 3), "notes": list(self.built.notes)}


def run_events(db: Database, config: Config, *, as_of: datetime, run_id: str,
               events_file: Path | None = None) -> EventsResult:
    """`main.events`, `main.correlation`, the exceptions' correlation ids and the event-pair SLOs;
    `events_file`: `main.events` written there once, as the run's kept file (recon.events.build)."""
    if not config.events.enabled:
        pairs = config.slo.event_pairs()
        return EventsResult(None, skipped="events.enabled is false" + (
            f"; event-pair SLOs not measured: {', '.join(sorted(pairs))}" if pairs else ""))
    t0 = time.perf_counter()
    built = build(db, config, events_file)
    clocks = slo.measure(db, config.slo.event_pairs(), as_of=as_of, run_id=run_id,
                         calendars=config.business_calendars())
    return EventsResult(built, tuple(clocks), time.perf_counter() - t0)


__all__ = ["EventsResult", "run_events"]
