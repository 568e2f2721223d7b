"""The summary of a run, built in one place for a fresh run and for a re-render (`recon report`).

A fresh run knows its facts from its steps (the load's per-source counts, the rule engine's
report, the store's lifecycle) and computes everything else from the run's DuckDB. A re-render
has no loaded tables: it takes the facts, the rejects and the latency pairs from the stored
summary.json and recomputes everything about exceptions from exceptions.parquet. Both then go
through `build`, so a number can never be computed two ways.

`Summary` is frozen; `as_dict()` is the documented summary.json shape (docs/reports.md) that the
terminal, the e-mail, `--json` and report.html read, and `json()` is summary.json's text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from recon import __version__
from recon.config.schema import Config
from recon.db import Database
from recon.errors import EXIT_BAR_BROKEN, EXIT_INCOMPLETE, EXIT_OK
from recon.report import budgets, metrics, summary

# Keys of summary.json that `RunFacts` and `Summary` hold as fields; any other key of a stored
# summary (written by another recon version) is kept as it was by a re-render.
_FACT_KEYS = ("recon_version", "run_id", "as_of", "started_at", "config", "sources", "rules", "totals", "lifecycle",
              "complete", "failed_sources", "not_evaluated")
_BUILT_KEYS = ("exceptions", "value_at_risk", "matching", "rejects", "latency", "verdict", "outputs", "metrics")
NO_REJECTS: dict[str, Any] = {"total": 0, "by_source": {}, "by_reason": {}}


@dataclass(frozen=True)
class RunFacts:
    """What a run knew before reporting: its identity, its loading, its rules and its lifecycle.

    `rejects` and `latency` are set only for a stored run: both need the loaded tables, which a
    re-render does not have, so they are taken from the stored summary (latency is judged again
    against the current SLO targets). `completeness` is summary.json's `complete`,
    `failed_sources` and `not_evaluated` (recon.completeness); None for a stored summary written
    before recon recorded them.
    """

    run_id: str
    as_of: str
    started_at: str
    config: str
    sources: list[dict[str, Any]]
    rules: dict[str, Any]
    totals: dict[str, Any]
    lifecycle: dict[str, Any] | None = None
    recon_version: str = __version__
    rejects: dict[str, Any] | None = None
    latency: dict[str, Any] | None = None
    completeness: dict[str, Any] | None = None
    metrics: dict[str, Any] | None = None  # a stored run's `metrics` section (recon.report.metrics)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def stored(self) -> bool:
        return self.latency is not None

    @property
    def complete(self) -> bool:
        return self.completeness is None or bool(self.completeness["complete"])

    def load_facts(self) -> budgets.LoadFacts | None:
        """What the rejected-rows, failed-sources and not-evaluated budgets measure (None: not recorded)."""
        if self.completeness is None:
            return None
        return budgets.LoadFacts(rows_read={s["source"]: int(s["rows_read"]) for s in self.sources},
                                 rows_rejected={s["source"]: int(s["rows_rejected"]) for s in self.sources},
                                 failed_sources=len(self.completeness["failed_sources"]),
                                 not_evaluated=len(self.completeness["not_evaluated"]))

    @classmethod
    def of_run(cls, *, run_id: str, as_of: datetime, started_at: datetime, config: str,
               sources: list[dict[str, Any]], rules: dict[str, Any],
               lifecycle: dict[str, Any] | None = None, completeness: dict[str, Any] | None = None) -> RunFacts:
        """A fresh run's facts: per-source counts in config order and their totals."""
        totals = {
            "rows_read": sum(s["rows_read"] for s in sources),
            "rows_loaded": sum(s["rows_loaded"] for s in sources),
            "rows_rejected": sum(s["rows_rejected"] for s in sources),
            "sources_failed": sum(1 for s in sources if s["status"] != "ok"),
        }
        for key in ("rows_filtered", "rows_superseded", "rows_pivoted", "rows_exploded"):  # where a source has any
            if any(key in s for s in sources):
                totals[key] = sum(int(s.get(key, 0)) for s in sources)
        return cls(run_id=run_id, as_of=as_of.isoformat(), started_at=started_at.isoformat(), config=config,
                   sources=sources, rules=rules, totals=totals, lifecycle=lifecycle, completeness=completeness)

    @classmethod
    def of_stored(cls, data: Mapping[str, Any]) -> RunFacts:
        """A stored run's facts, from its summary.json (missing sections read as empty)."""
        known = {*_FACT_KEYS, *_BUILT_KEYS}
        return cls(run_id=str(data.get("run_id", "")), as_of=str(data.get("as_of", "")),
                   started_at=str(data.get("started_at", "")), config=str(data.get("config", "")),
                   sources=list(data.get("sources") or []), rules=dict(data.get("rules") or {}),
                   totals=dict(data.get("totals") or {}), lifecycle=data.get("lifecycle"),
                   recon_version=str(data.get("recon_version", __version__)),
                   rejects=dict(data.get("rejects") or NO_REJECTS), latency=dict(data.get("latency") or {}),
                   completeness=({k: data[k] for k in ("complete", "failed_sources", "not_evaluated")}
                                 if all(k in data for k in ("complete", "failed_sources", "not_evaluated")) else None),
                   metrics=data.get("metrics") if isinstance(data.get("metrics"), dict) else None,
                   extra={k: v for k, v in data.items() if k not in known})

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {**self.extra, "recon_version": self.recon_version, "run_id": self.run_id,
                               "as_of": self.as_of, "started_at": self.started_at, "config": self.config,
                               "sources": self.sources, "rules": self.rules, "totals": self.totals}
        if self.lifecycle is not None:
            out["lifecycle"] = self.lifecycle
        if self.completeness is not None:
            out.update(self.completeness)
        return out


@dataclass(frozen=True)
class Summary:
    """A run's summary: its facts, what its exceptions add up to, the bar's verdict, its files."""

    facts: RunFacts
    exceptions: dict[str, Any]
    value_at_risk: dict[str, Any]
    matching: dict[str, Any]
    rejects: dict[str, Any]
    latency: dict[str, Any]
    verdict: dict[str, Any]
    metrics: dict[str, Any] = field(default_factory=dict)  # the operating metrics and their trends
    outputs: tuple[str, ...] = ()
    queue_files: Mapping[str, str] = field(default_factory=dict)  # owner → its queue file
    allow_incomplete: bool = False  # --allow-incomplete: an incomplete run exits as a complete one would

    @property
    def run_id(self) -> str:
        return self.facts.run_id

    @property
    def passed(self) -> bool:
        return bool(self.verdict["passed"])

    @property
    def complete(self) -> bool:
        return self.facts.complete

    @property
    def exit_code(self) -> int:
        """5 for an incomplete run (it wins over the bar: a verdict on partial data is not one), unless
        allowed; else 1 when the bar is broken, else 0."""
        if not self.complete and not self.allow_incomplete:
            return EXIT_INCOMPLETE
        return EXIT_OK if self.passed else EXIT_BAR_BROKEN

    def with_outputs(self, files: list[str] | tuple[str, ...], queues: Mapping[str, str]) -> Summary:
        """The same summary listing the files the outputs step writes (known before it writes any)."""
        return replace(self, outputs=tuple(sorted(set(files))), queue_files=dict(queues))

    def as_dict(self) -> dict[str, Any]:
        """The documented summary.json shape (docs/reports.md); a new dict each time."""
        by_owner = {owner: {**entry, "file": self.queue_files.get(owner)}
                    for owner, entry in self.exceptions["by_owner"].items()}
        return {**self.facts.as_dict(), "exceptions": {**self.exceptions, "by_owner": by_owner},
                "value_at_risk": self.value_at_risk, "matching": self.matching, "rejects": self.rejects,
                "latency": self.latency, "verdict": self.verdict, "metrics": self.metrics,
                "outputs": list(self.outputs)}

    def json(self) -> str:
        """summary.json's text: sorted keys, and no timings (they live in the log lines), so the same
        inputs and as-of give the same bytes apart from the run id and start time."""
        return json.dumps(_without_timings(self.as_dict()), indent=2, sort_keys=True, default=str,
                          ensure_ascii=False) + "\n"


def _without_timings(data: dict[str, Any]) -> dict[str, Any]:
    rules = data.get("rules")
    if not isinstance(rules, dict) or not isinstance(rules.get("rules"), list):
        return data
    timed = [{k: v for k, v in r.items() if k != "seconds"} for r in rules["rules"]]
    return {**data, "rules": {**rules, "rules": timed}}


def build(db: Database, facts: RunFacts, config: Config, fail_on: str | None, *,
          allow_incomplete: bool = False, history: Sequence[Mapping[str, Any]] = ()) -> Summary:
    """The summary of `facts` over the exceptions in `db` (`main.exceptions` and, if the store
    computed it, `main.exception_status`), judged against `config`'s budgets and `fail_on`.
    `allow_incomplete` keeps an incomplete run's exit code at what the bar says. `history` is the
    earlier runs' operating metrics (recon.store.metrics), for the trends."""
    summary.prepare(db)
    sections = summary.exception_sections(db, config.currency)
    matching = summary.matching_section(facts.rules)
    manual = summary.manual_matches(db)
    if manual:  # listed apart from what the engine matched (only when there are some: the shape stays)
        matching["manual_matches"] = manual
    targets = summary.slo_targets(config)
    if facts.stored:
        rejects = facts.rejects or NO_REJECTS
        latency = summary.apply_slo(facts.latency or {}, targets)
    else:
        rejects = summary.rejects_section(db, facts.run_id, facts.sources)
        latency = summary.latency_section(db, targets, config.business_calendars())
    records = {rule: entry["records_compared"] for rule, entry in matching["by_rule"].items()}
    checks = budgets.evaluate(summary.groups(db), config.budgets, fail_on, records or None, facts.load_facts())
    return Summary(facts=facts, exceptions=sections["exceptions"], value_at_risk=sections["value_at_risk"],
                   matching=matching, rejects=rejects, latency=latency, verdict=budgets.verdict(checks, fail_on),
                   metrics=_metrics(db, facts, config, matching, latency, history), allow_incomplete=allow_incomplete)


def _metrics(db: Database, facts: RunFacts, config: Config, matching: Mapping[str, Any], latency: Mapping[str, Any],
             history: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The operating metrics: computed over the run's tables for a fresh run; a stored run keeps
    the values and trend it recorded, with SLO attainment judged again like its latency."""
    statuses = summary.lifecycle_table() if db.table_exists(*summary.LIFECYCLE) else None
    slo_rows, slo_notes = metrics.slo_metrics(latency)
    if facts.stored and facts.metrics is not None:
        rows = [m for m in metrics.rows_of(facts.metrics) if m.metric != "slo_attainment"] + slo_rows
        notes = [n for n in facts.metrics.get("notes", []) if not n.startswith("SLO attainment")] + slo_notes
        earlier = metrics.history_of(facts.metrics, facts.run_id)
    elif facts.stored:  # a run stored before recon measured metrics: what needs no loaded table
        rows, notes = [], []
        for part in (metrics.rule_metrics(facts.rules, matching),
                     metrics.lifecycle_metrics(db, summary.EXCEPTIONS, statuses), (slo_rows, slo_notes)):
            rows += part[0]
            notes += part[1]
        notes.append("inventory variance: not recorded for this run (needs its loaded stock tables)")
        earlier = list(history)
    else:
        failed = {t for f in (facts.completeness or {}).get("failed_sources", []) for t in f.get("tables", [])}
        rows, notes = metrics.compute(db, config, rules=facts.rules, matching=matching, slo=latency,
                                      exceptions=summary.EXCEPTIONS, statuses=statuses, failed_tables=failed,
                                      as_of=facts.as_of)
        earlier = list(history)
    return metrics.section(rows, notes, metrics.trend(earlier, facts.run_id, facts.as_of, rows))
