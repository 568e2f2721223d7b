"""Is tonight's run complete? Which sources failed or fell short, and which rules could not run.

A nightly run is only worth reading if it checked what it claims to have checked. An extract
moved away, truncated to its header or left over from yesterday still "loads"; a rule whose
source failed still "runs" and finds nothing. This module turns those into facts the run
reports: each failed source with its reason, each rule not evaluated with its reason, and one
`complete` flag. The run then exits with `EXIT_INCOMPLETE` (unless `--allow-incomplete`) and the
store carries the earlier exceptions of those rules forward as open and unverified instead of
resolving them (recon.store.step).

`assess` runs after the load and before the rules (both engines): it reads the load's files,
the files on disk and, for `age_column`, one aggregate per source from the loaded table.
`Completeness.of` is pure: the rules' results and the assessment make the run's verdict.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from recon import files as filesys
from recon.config import Project, Source
from recon.coverage import NOT_EVALUATED, SKIPPED, coverage
from recon.db import Database
from recon.formats import format_of
from recon.rules.loader import LoadedRule
from recon.rules.runner import DISABLED, Blockers, RuleResult
from recon.rules.runner import NOT_EVALUATED as RULE_NOT_EVALUATED
from recon.sql import ident, table_name

EDI_DATED_BY = "edi_documents"  # the table an EDI source's `age_column` is read from


@dataclass(frozen=True)
class SourceFailure:
    """A source this run cannot trust: missing, unreadable, or short of its `expect:` limits."""

    source: str
    reason: str
    required: bool = True
    tables: tuple[str, ...] = ()  # the `system.entity` tables it feeds (every one of an EDI format's)

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "reason": self.reason, "required": self.required, "tables": list(self.tables)}


@dataclass(frozen=True)
class NotEvaluated:
    """A rule of the run that did not check anything this time, and why."""

    rule: str
    reason: str
    source: str | None = None  # the failed source behind it, if any
    required: bool = True  # False when only optional sources stopped it: the run stays complete

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "reason": self.reason}


def _tables(name: str, source: Source, files: Sequence[Any]) -> tuple[str, ...]:
    mine = {f"{f.system}.{f.entity}" for f in files if f.source == name and f.entity != "*"}
    fmt = format_of(source)
    if fmt.is_edi:
        mine |= {f"{source.system}.{entity}" for entity in fmt.entities or ()}
    elif source.entity:
        mine.add(f"{source.system}.{source.entity}")
    return tuple(sorted(mine))


def _hours(delta_seconds: float) -> str:
    hours = delta_seconds / 3600
    return f"{hours / 24:.1f} days" if hours >= 48 else f"{hours:.1f} h"


def source_failures(project: Project, db: Database, files: Sequence[Any], as_of: datetime) -> list[SourceFailure]:
    """Every source whose load failed or whose delivery falls short of its `expect:` limits."""
    out: list[SourceFailure] = []
    for name, source in project.config.sources.items():
        mine = [f for f in files if f.source == name]
        reason = _source_reason(project, db, name, source, mine, as_of)
        if reason:
            out.append(SourceFailure(name, reason, source.required, _tables(name, source, files)))
    return out


def _source_reason(project: Project, db: Database, name: str, source: Source, files: Sequence[Any],
                   as_of: datetime) -> str | None:
    failed = [f for f in files if f.status != "ok"]
    if failed:
        first = failed[0].problem
        text = first.message if first is not None else "did not load"
        where = f" ({first.file})" if first is not None and first.file else ""
        more = f" and {len(failed) - 1} more" if len(failed) > 1 else ""
        return f"{text}{where}{more}"
    expect = source.expect
    # The files the loader read (a dated path's snapshots selected by the as-of day, recon.files).
    as_of_day = as_of.astimezone(ZoneInfo(project.config.timezone)).date()
    paths = filesys.source_files(project.resolve(source.path), source.select, as_of_day).paths
    if expect.min_files is not None and len(paths) < expect.min_files:
        return f"{len(paths)} files match {source.path!r}, expected at least {expect.min_files}"
    if expect.max_files is not None and len(paths) > expect.max_files:
        return f"{len(paths)} files match {source.path!r}, expected at most {expect.max_files}"
    edi = format_of(source).is_edi
    if expect.min_rows is not None:
        counted = [f for f in files if not edi or f.entity == EDI_DATED_BY]
        rows = sum(int(f.rows_read) for f in counted)
        if rows < expect.min_rows:
            unit = "transaction sets" if edi else "rows"
            return f"{rows} {unit} read, expected at least {expect.min_rows}"
    if expect.max_age is not None:
        return _stale(db, name, source, paths, as_of, expect.max_age)
    return None


def _stale(db: Database, name: str, source: Source, paths: Iterable[Path], as_of: datetime,
           max_age: float) -> str | None:
    limit = max_age * 3600
    column = source.expect.age_column
    if column is None:
        newest = max((p.stat().st_mtime for p in paths), default=None)
        if newest is None:
            return None
        age = as_of.timestamp() - newest
        if age > limit:
            return f"stale: the newest file was written {_hours(age)} before as-of, more than max_age {_hours(limit)}"
        return None
    entity = EDI_DATED_BY if format_of(source).is_edi else source.entity
    assert entity is not None  # config checks: a tabular source names its entity
    if not db.table_exists(source.system, entity):
        return f"stale: no {source.system}.{entity} table to date the delivery by"
    # `_load_id` is `<run id>:<source>` (recon.load.loader): this source's rows only.
    newest_value = db.scalar(f"SELECT max({ident(column)}) FROM {table_name(source.system, entity)} "
                             "WHERE substr(_load_id, strpos(_load_id, ':') + 1) = ?", [name])
    if newest_value is None:
        return f"stale: no value in {column} to date the delivery by"
    if not isinstance(newest_value, datetime):  # a DATE column: its day starts at midnight UTC
        newest_value = datetime(newest_value.year, newest_value.month, newest_value.day, tzinfo=UTC)
    when = newest_value if newest_value.tzinfo else newest_value.replace(tzinfo=UTC)
    age = as_of.timestamp() - when.timestamp()
    if age > limit:
        return f"stale: the newest {column} is {_hours(age)} before as-of, more than max_age {_hours(limit)}"
    return None


def not_evaluated(results: Iterable[RuleResult], failures: Iterable[SourceFailure]) -> list[NotEvaluated]:
    """The rules that did not check anything: not evaluated (a failed source, an unmapped field) or
    failed while running. Rules skipped as not applicable (no source configured, skip_rules) are not."""
    by_source = {f.source: f for f in failures}
    out = []
    for r in results:
        if r.status not in (RULE_NOT_EVALUATED, "failed"):
            continue
        failure = by_source.get(r.source) if r.source else None
        reason = r.reason or r.status
        if r.status == "failed":
            reason = f"failed while running: {reason}"
        out.append(NotEvaluated(r.rule_id, reason, r.source, failure.required if failure else True))
    return out


@dataclass(frozen=True)
class Assessment:
    """What the run knows after loading, before any rule runs: failed sources and what they block."""

    failures: tuple[SourceFailure, ...] = ()
    unmapped: Mapping[str, str] = field(default_factory=dict)  # rule id -> `missing erp.orders.released_at`
    skipped: Mapping[str, str] = field(default_factory=dict)  # rule id -> why it does not apply (skip_rules)

    def blockers(self) -> Blockers:
        """The rule runner's view: each table of a failed source (the first one, config order)."""
        tables: dict[str, tuple[str, str]] = {}
        for failure in self.failures:
            for table in failure.tables:
                tables.setdefault(table, (failure.source, failure.reason))
        return Blockers(tables=tables, rules=dict(self.unmapped), skipped=dict(self.skipped))


def assess(project: Project, db: Database, files: Sequence[Any], rules: Sequence[LoadedRule],
           as_of: datetime) -> Assessment:
    """Failed sources (load failures and broken expectations) and the rules no source lets run."""
    covered = coverage(rules, project.config)
    return Assessment(failures=tuple(source_failures(project, db, files, as_of)),
                      unmapped={c.rule_id: c.reason or "" for c in covered if c.status == NOT_EVALUATED},
                      skipped={c.rule_id: c.reason or "" for c in covered if c.status == SKIPPED})


@dataclass(frozen=True)
class Completeness:
    """The run's completeness: summary.json's `complete`, `failed_sources` and `not_evaluated`."""

    failures: tuple[SourceFailure, ...] = ()
    not_evaluated: tuple[NotEvaluated, ...] = ()
    # Rules switched off (config overrides, --select/--exclude): (rule id, why). They do not make the
    # run incomplete, but they checked nothing, so their earlier exceptions resolve nothing either.
    disabled: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, assessment: Assessment | None, results: Iterable[RuleResult]) -> Completeness:
        failures = assessment.failures if assessment is not None else ()
        results = list(results)
        return cls(tuple(failures), tuple(not_evaluated(results, failures)),
                   tuple((r.rule_id, r.reason or "") for r in results if r.status == DISABLED))

    @property
    def complete(self) -> bool:
        """No required source failed and every rule left out was stopped only by optional sources."""
        return not any(f.required for f in self.failures) and not any(n.required for n in self.not_evaluated)

    @property
    def unverified_rules(self) -> list[str]:
        """Rules whose earlier exceptions this run could not re-check (not evaluated, or disabled)."""
        return sorted({n.rule for n in self.not_evaluated} | {rule for rule, _ in self.disabled})

    def section(self) -> dict[str, Any]:
        return {"complete": self.complete, "failed_sources": [f.to_dict() for f in self.failures],
                "not_evaluated": [n.to_dict() for n in self.not_evaluated],
                "disabled_rules": [{"rule": rule, "reason": reason} for rule, reason in self.disabled]}


__all__ = ["Assessment", "Completeness", "NotEvaluated", "SourceFailure", "assess", "not_evaluated",
           "source_failures"]
