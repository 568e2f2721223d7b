"""The frozen results of a run's steps: what each step hands to the next.

`recon.api.run` is the composition of these values: the plan says what the run is asked to do,
the load and the rules each return a result, the store returns the lifecycle
(`recon.store.step.Lifecycle`) and the outputs return the summary they wrote
(`recon.report.outputs.Written`). No step writes into another's result, so who set what is
always the step whose return value holds it, and the packages need not import each other to
share a bag.

Both engines (DuckDB in `recon.api`, Spark in `recon.spark.engine`) return these same types.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from recon.completeness import Assessment, Completeness
from recon.config import Project
from recon.load.loader import FileLoad, LoadReport, SourceDone
from recon.rules.runner import RuleResult, RulesReport

Progress = Callable[[str, str, int, int], None]  # (source, file, index, files) as each file starts loading
RuleProgress = Callable[[str, int, int], None]  # (rule_id, index, rules) as each rule starts
RuleDone = Callable[[RuleResult], None]  # as each rule has run (or was left out)


@dataclass(frozen=True)
class RunPlan:
    """What one run is asked to do, fixed before any data is read."""

    project: Project
    run_id: str
    as_of: datetime
    started_at: datetime
    out_dir: Path
    strict: bool = False
    fail_on: str | None = None  # --fail-on: this severity or worse breaks the bar (exit 1)
    dry_run: bool = False  # --dry-run: nothing is written to the state store
    neutralise_csv: bool = True  # CSV formula-injection neutralisation (off: --csv-raw)
    allow_incomplete: bool = False  # --allow-incomplete: an incomplete run warns instead of exiting 5


@dataclass(frozen=True)
class Listeners:
    """What a run calls as it goes, for a progress bar or a log that streams (each may be None).

    Both engines call `file_started` and `rule_started`; the DuckDB engine also calls
    `source_loaded` and `rule_done` as each source and rule finishes (the Spark engine reports
    those at its end, and the CLI logs what was not streamed).
    """

    file_started: Progress | None = None
    source_loaded: SourceDone | None = None
    rule_started: RuleProgress | None = None
    rule_done: RuleDone | None = None


@dataclass(frozen=True)
class LoadResult:
    """The load step: every file read, with its counts and status."""

    report: LoadReport
    seconds: float = 0.0
    session_seconds: float | None = None  # Spark: starting the session, apart from the load

    @property
    def files(self) -> list[FileLoad]:
        return self.report.files

    def by_source(self) -> list[dict[str, Any]]:
        return self.report.by_source()  # type: ignore[return-value]


@dataclass(frozen=True)
class RulesResult:
    """The rules step: per rule status and counts; the exceptions are in the run's `main.exceptions`.

    `assessment` is what the run knew before the rules (recon.completeness): the sources that
    failed or fell short, and the rules that could not be evaluated.
    """

    report: RulesReport
    seconds: float = 0.0
    assessment: Assessment | None = None

    @property
    def results(self) -> list[RuleResult]:
        return self.report.results

    @property
    def total(self) -> int:
        return self.report.total

    def summary(self) -> dict[str, Any]:
        return self.report.summary()

    @property
    def completeness(self) -> Completeness:
        return Completeness.of(self.assessment, self.results)
