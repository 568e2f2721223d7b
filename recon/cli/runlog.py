"""Structured log lines of `recon run`, written as things happen.

A cron job that hangs must show where it hangs: every event is written (and flushed) when it
happens, with its own timestamp, and while a phase runs a heartbeat thread writes a `progress`
event every few seconds (`RECON_PROGRESS_SECONDS`, default 5) with what is done so far: files
of the source being loaded, rules run. An X12 parse or one slow rule thus still shows life.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TextIO

from recon.display import plain

DEFAULT_INTERVAL = 5.0


class EventLog:
    """Structured log lines on stderr: `json` (one object per line) or `text` (key=value).

    Thread-safe: the heartbeat writes from its own thread.
    """

    def __init__(self, fmt: str | None, stream: TextIO | None = None) -> None:
        self.fmt = fmt
        self.stream = stream or sys.stderr
        self._lock = threading.Lock()

    def __call__(self, event: str, **fields: Any) -> None:
        if not self.fmt:
            return
        level = fields.pop("level", "info")
        with self._lock:  # the time is taken under the lock, so lines from two threads stay in time order
            ts = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
            if self.fmt == "json":
                line = json.dumps({"ts": ts, "level": level, "event": event, **fields}, default=str,
                                  ensure_ascii=False)
            else:
                line = plain(" ".join([ts, level, event, *(f"{k}={_text_value(v)}" for k, v in fields.items())]))
            self.stream.write(line + "\n")
            self.stream.flush()


def _text_value(value: Any) -> str:
    text = json.dumps(value, default=str, ensure_ascii=False) if not isinstance(value, str) else value
    return json.dumps(text, ensure_ascii=False) if (not text or any(c in text for c in ' "=')) else text


def interval_seconds() -> float:
    try:
        return max(0.1, float(os.environ.get("RECON_PROGRESS_SECONDS", DEFAULT_INTERVAL)))
    except ValueError:
        return DEFAULT_INTERVAL


class RunEvents:
    """The run's progress callbacks, turned into log events as they are called, plus the heartbeat."""

    def __init__(self, log: EventLog, run_id: str, interval: float | None = None) -> None:
        self.log = log
        self.run_id = run_id
        self.interval = interval_seconds() if interval is None else interval
        self.phase = "starting"
        self.source: str | None = None
        self.files_done = self.files_total = 0
        self.rules_done = self.rules_total = 0
        self.logged_sources: set[str] = set()
        self.logged_rules: set[str] = set()
        self.started = time.perf_counter()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- callbacks (from recon.api.run) ---------------------------------------------------------------

    def on_file(self, source: str, file: str, index: int, total: int) -> None:
        self.phase, self.source, self.files_done, self.files_total = "load", source, index, total
        self.log("file_loading", run_id=self.run_id, source=source, file=file, index=index + 1, files=total)

    def on_source(self, source: str, loads: Sequence[Any], files: int) -> None:
        """One source finished loading (every table it fed)."""
        self.logged_sources.add(source)
        failed = [f for f in loads if f.status != "ok"]
        tables = sorted({f"{f.system}.{f.entity}" for f in loads if f.entity != "*"})
        table = tables[0] if len(tables) == 1 else f"{loads[0].system}.*" if loads else None
        self.log("source_loaded", level="error" if failed else "info", run_id=self.run_id, source=source,
                 table=table, tables=tables, files=files, rows_read=sum(f.rows_read for f in loads),
                 rows_loaded=sum(f.rows_loaded for f in loads), rows_rejected=sum(f.rows_rejected for f in loads),
                 status="failed" if failed else "ok", seconds=round(sum(f.seconds for f in loads), 3),
                 problems=[f.problem.render() for f in failed if f.problem])

    def on_rule(self, rule_id: str, index: int, total: int) -> None:
        self.phase, self.rules_done, self.rules_total = "rules", index, total

    def on_rule_done(self, result: Any) -> None:
        self.logged_rules.add(result.rule_id)
        self.rules_done += 1
        fields = {k: v for k, v in vars(result).items() if v is not None}
        self.log("rule_run", level="info" if result.status == "ok" else "warning", run_id=self.run_id, **fields)

    # -- heartbeat ---------------------------------------------------------------------------------

    def progress_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = {"run_id": self.run_id, "phase": self.phase,
                                  "elapsed_seconds": round(time.perf_counter() - self.started, 1)}
        if self.phase == "load":
            fields.update(source=self.source, files_started=self.files_done + 1, files=self.files_total,
                          sources_done=len(self.logged_sources))
        elif self.phase == "rules":
            fields.update(rules_done=self.rules_done, rules=self.rules_total)
        return fields

    def _beat(self) -> None:
        while not self._stop.wait(self.interval):
            self.log("progress", **self.progress_fields())

    def __enter__(self) -> RunEvents:
        if self.log.fmt:
            self._thread = threading.Thread(target=self._beat, name="recon-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()


__all__ = ["EventLog", "RunEvents", "interval_seconds"]
