"""The library behind the CLI: validate, load and run. Nothing here prints or exits.

`run()` is the nightly job's data flow in order: config → load → rules → lifecycle → outputs.
Each step is a function that takes what it needs and returns a frozen result (recon.steps); the
run is the composition of those results (`RunResult`), and nothing writes into a shared bag.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from recon import files as filesys
from recon.asof import parse_as_of
from recon.completeness import Completeness, SourceFailure, assess
from recon.config import Project, config_path, load_project
from recon.config.checks import source_problems
from recon.config.schema import Config, Source
from recon.config.yamlfile import read_yaml
from recon.coverage import RuleCoverage, coverage, coverage_problems, mapping_lints
from recon.db import Database
from recon.derive import DeriveStep, plan_derive
from recon.derive.runner import Derived, run_derive
from recon.engines import DEFAULT_ENGINE, ENGINES
from recon.environment import check_output_folder, check_spill_folder
from recon.errors import ConfigError, Problem
from recon.events.build import build as build_events
from recon.events.spec import config_problems as event_config_problems
from recon.events.step import EventsResult, run_events
from recon.formats import format_of
from recon.load.loader import Loader, SourceDone, missing_columns
from recon.load.mapping import read_columns
from recon.load.readers import UnreadableFile, header_of
from recon.replay import replay_load
from recon.report import Report, context, outputs
from recon.report.metrics import TREND_POINTS
from recon.report.outputs import Written
from recon.rules import selection
from recon.rules.loader import RuleSet
from recon.rules.registry import load_project_rules
from recon.rules.runner import run_rules, tables_loaded
from recon.sql import ident
from recon.steps import Listeners, LoadResult, Progress, RuleDone, RuleProgress, RulesResult, RunPlan
from recon.store import kept
from recon.store.diff import RunDiff, diff_table
from recon.store.inputs import input_files, inputs_hash
from recon.store.schema import ADDED_EXCEPTION_COLUMNS, EXCEPTION_COLUMNS
from recon.store.state import StateError, StateStore, open_state
from recon.store.step import STATUS_TABLE, Lifecycle, RunStore, as_of_date, state_path
from recon.store.trace import TraceResult
from recon.store.trace import trace as trace_key


@dataclass
class ValidationResult:
    project: Project | None
    problems: list[Problem]
    warnings: list[Problem] = field(default_factory=list)  # coverage and lints: errors only under --strict
    coverage: list[RuleCoverage] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def open_database(project: Project, path: str | None = None) -> Database:
    engine = project.config.engine
    database = path or (str(project.resolve(engine.database)) if engine.database else None)
    return Database(database, memory_limit=engine.memory_limit, threads=engine.threads,
                    temp_directory=engine.temp_directory)


def check_files(project: Project, db: Database | None = None) -> list[Problem]:
    """Every source's glob matches something and every mapped column is in every file's header."""
    db = db or Database()
    problems: list[Problem] = []
    config = project.config
    as_of_day = parse_as_of(config.as_of, config.timezone).astimezone(ZoneInfo(config.timezone)).date()
    for name, source in project.config.sources.items():
        selection = filesys.source_files(project.resolve(source.path), source.select, as_of_day)
        paths = selection.paths
        if not paths:
            pattern = project.resolve(filesys.DATE_FIELD.sub("*", source.path))
            problem = (Problem.of("I032", reason=selection.missing, count=selection.candidates, pattern=source.path,
                                  path=f"sources.{name}.path") if selection.missing else
                       filesys.no_match_problem(name, pattern, project.root, source.path))
            line = project.doc.line_of(("sources", name, "path"))
            problems.append(Problem(problem.code, problem.message, file=str(project.path), line=line,
                                    path=problem.path, hint=problem.hint))
            continue
        fmt = format_of(source)
        nested = source.explode_path()
        if fmt.read is None or (nested is not None and nested.error):  # EDI: the parser reports what it finds
            continue
        per_file: list[tuple[Problem, str]] = []
        for path in paths:
            display = filesys.display_path(path, project.root)
            try:
                header = header_of(db, path, display, fmt.name, source.options, nested, read_columns(source))
            except UnreadableFile as exc:
                per_file.append((replace(exc.problem, file=None), display))
                continue
            problem = missing_columns(source, header, display, name) or condition_problem(db, source, header, name)
            if problem:
                line = project.doc.line_of(tuple(problem.path.split(".")) if problem.path else ("sources", name))
                per_file.append((Problem(problem.code, problem.message, file=f"{project.path}", line=line,
                                         path=problem.path, hint=problem.hint), display))
        problems += group_by_file(per_file)
    return problems


def group_by_file(found: list[tuple[Problem, str]], shown: int = 3) -> list[Problem]:
    """One problem per distinct problem, naming the files it occurs in (50 files, one line: `in 50 files`).

    A problem the config causes (a mapped column missing from every daily file) is one fix, so it is
    one line with the count and the first files; a problem of one file keeps the file as its location.
    """
    groups: dict[Problem, list[str]] = {}
    for problem, display in found:
        groups.setdefault(problem, []).append(display)
    out = []
    for problem, files in groups.items():
        if problem.file is None and len(files) == 1:  # a file's own problem: located at the file
            out.append(replace(problem, file=files[0]))
            continue
        where = f"in {files[0]}" if len(files) == 1 else (
            f"in {len(files)} files: {', '.join(files[:shown])}{', …' if len(files) > shown else ''}")
        out.append(replace(problem, hint=f"{problem.hint}; {where}" if problem.hint else where))
    return out


def condition_problem(db: Database, source: Source, header: list[str], name: str) -> Problem | None:
    """The source's `where` bound by DuckDB against the file's header (all text): unknown functions, bad casts."""
    if source.where is None:
        return None
    cells = ", ".join(f"NULL::VARCHAR AS {ident(c)}" for c in header) or "NULL AS _none"
    try:
        db.rows(f"SELECT count(*) FROM (SELECT {cells}) AS t WHERE ({source.where})")
    except Exception as exc:  # DuckDB's binder names what does not fit
        return Problem.of("C030", what="where", reason=str(exc).splitlines()[0], path=f"sources.{name}.where")
    return None


def validate(config: str | Path | None, *, files: bool = True) -> ValidationResult:
    """Check the config (and, unless files=False, that its files exist and have the mapped columns)."""
    try:
        project = load_project(config)
    except ConfigError as exc:
        problems = list(exc.problems)
        if files:
            problems += _file_problems_of_broken_config(config)
        return ValidationResult(None, problems)
    problems = check_files(project) if files else []
    problems += plan_derive(project.config, project.doc)[1]
    problems += event_config_problems(project.config, project.doc)
    try:
        ruleset = load_project_rules(project)
    except ConfigError as exc:
        return ValidationResult(project, [*exc.problems, *problems])
    covered = coverage(ruleset.rules, project.config)
    warnings = [*coverage_problems(covered, ruleset.rules, project.config, project.doc),
                *mapping_lints(project.config, project.doc)]
    return ValidationResult(project, problems, warnings, covered)


def _file_problems_of_broken_config(config: str | Path | None) -> list[Problem]:
    """File checks for the sources that are themselves well-formed, so one message lists everything."""
    try:
        doc = read_yaml(config_path(config))
    except ConfigError:
        return []
    data = doc.data if isinstance(doc.data, dict) else {}
    sources = data.get("sources") if isinstance(data.get("sources"), dict) else {}
    good = {}
    for name, raw in sources.items():
        try:
            good[name] = Source.model_validate(raw)
        except Exception:
            continue
    if not good:
        return []
    partial = Config.model_construct(**{**Config().model_dump(), "sources": good})
    return check_files(Project(config=partial, path=config_path(config), doc=doc))


@dataclass(frozen=True)
class RunResult:
    """A finished run: the composition of its steps' frozen results (recon.steps)."""

    plan: RunPlan
    db: Database
    load: LoadResult
    rules: RulesResult
    lifecycle: Lifecycle
    outputs: Written
    events: EventsResult | None = None

    @property
    def project(self) -> Project:
        return self.plan.project

    @property
    def run_id(self) -> str:
        return self.plan.run_id

    @property
    def out_dir(self) -> Path:
        return self.outputs.out_dir

    @property
    def summary(self) -> dict[str, Any]:
        """summary.json's content (a new dict each time; see recon.report.context)."""
        return self.outputs.summary.as_dict()

    @property
    def exit_code(self) -> int:
        return self.outputs.summary.exit_code

    @property
    def completeness(self) -> Completeness:
        return self.rules.completeness

    @property
    def timings(self) -> dict[str, float]:
        spark = {"spark_session": self.load.session_seconds} if self.load.session_seconds is not None else {}
        events = {"events": self.events.seconds} if self.events is not None else {}
        return {**spark, "load": self.load.seconds, "rules": self.rules.seconds, **events}

    def report(self) -> Report:
        """The run's report, e.g. to e-mail it."""
        return Report(self.db, self.summary, self.out_dir, self.project.config)


def new_run_id(started: datetime) -> str:
    return f"{started:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def run(
    config: str | Path | None,
    *,
    as_of: str | datetime | None = None,
    out: str | Path | None = None,
    strict: bool = False,
    progress: Progress | None = None,
    rule_progress: RuleProgress | None = None,
    run_id: str | None = None,
    fail_on: str | None = None,
    dry_run: bool = False,
    engine: str | None = None,
    csv_raw: bool = False,
    state: str | Path | None = None,
    allow_incomplete: bool = False,
    source_done: SourceDone | None = None,
    rule_done: RuleDone | None = None,
    select: Sequence[str] = (),
    exclude: Sequence[str] = (),
    replay: Path | None = None,
) -> RunResult:
    """Load every source, then run the rules and write the outputs.

    `progress` is called as each file starts loading, `rule_progress` as each rule starts,
    `source_done` as each source has loaded and `rule_done` as each rule has run (DuckDB engine),
    so a log can stream (recon.steps.Listeners). `engine` (duckdb or spark) overrides the config's
    `engine.name`; see docs/scale-out.md. `csv_raw` writes CSV values without formula-injection
    neutralisation (docs/reports.md). `state` overrides the config's `state:` (the run history,
    its lock and kept tables). An incomplete run (recon.completeness) exits 5 unless
    `allow_incomplete`. `select`/`exclude` run only some rules (recon.rules.selection); the others
    are reported as disabled and their earlier exceptions stay open. `replay` (a kept run's folder,
    dry runs only) takes the inputs from that run's kept tables instead of the extracts (recon.replay).
    """
    project = load_project(config)
    if state is not None:
        project = replace(project, config=project.config.model_copy(update={"state": str(Path(state).resolve())}))
    if engine is not None:
        options = project.config.engine.model_copy(update={"name": engine})
        project = replace(project, config=project.config.model_copy(update={"engine": options}))
        _check_engine_semantics(project)
    # every rule checked before any data is read; the ones not selected kept, as disabled
    ruleset = selection.select(load_project_rules(project), select, exclude)
    derive_steps(project)  # and every derive step
    if problems := event_config_problems(project.config, project.doc):  # and the event declarations and SLO ends
        raise ConfigError(problems)
    started = datetime.now(UTC).replace(microsecond=0)
    run_id = run_id or new_run_id(started)
    resolved_as_of = parse_as_of(as_of if as_of is not None else project.config.as_of, project.config.timezone)
    plan = RunPlan(project=project, run_id=run_id, as_of=resolved_as_of, started_at=started,
                   out_dir=Path(out) if out else project.resolve(project.config.out) / run_id, strict=strict,
                   fail_on=fail_on, dry_run=dry_run,
                   neutralise_csv=project.config.outputs.neutralise_csv and not csv_raw,
                   allow_incomplete=allow_incomplete)
    listeners = Listeners(file_started=progress, source_loaded=source_done, rule_started=rule_progress,
                          rule_done=rule_done)
    outputs.check_out_dir(plan.out_dir)  # replaced as a whole at the end: refuse one holding other files
    check_output_folder(plan.out_dir)  # a read-only --out fails now (exit 2), not after the whole run
    temp_directory = project.config.engine.temp_directory
    check_spill_folder(Path(temp_directory) if temp_directory else None)  # as DuckDB is given it
    db = open_database(project)
    with RunStore(project, db, run_id=run_id, as_of=resolved_as_of, started_at=started,
                  dry_run=dry_run) as store:  # the state lock (exit 4 when held) and the run history
        _manual_matches(project, db, store)  # main.manual_matches, which the match rules join (recon.rules.manual)
        # Load and rules on the configured engine (recon.engines); the results land in db.
        runner = ENGINES[project.config.engine.name].runner() if replay is None else partial(replay_and_match, replay)
        load, rules = runner(plan, db, ruleset, store, listeners)
        keep_days = project.config.outputs.keep_tables_days
        # main.events goes straight into the run's kept folder (recon.store.kept.WRITTEN_EARLY); not
        # with a working-tables file (engine.database): that file outlives the folder, which is pruned
        in_memory = db.path == ":memory:"
        events_file = kept.early_path(store.path, run_id, "main.events", keep_days) \
            if in_memory and not dry_run else None
        try:
            # business events and order chains (recon.events): exceptions get their chain, SLO breaches join them
            events = run_events(db, project.config, as_of=resolved_as_of, run_id=run_id, events_file=events_file)
            # lifecycle (new/open/resolved/reopened) and active acks; a rule that checked nothing resolves nothing
            lifecycle = store.observe(unverified_rules=rules.completeness.unverified_rules)
            written = outputs_step(plan, db, load, rules, lifecycle, store)
            if not dry_run:  # for `recon query` and `recon trace`: the run's tables without reloading
                kept.keep(db, store.path, run_id, keep_days)
        except BaseException:
            kept.discard(store.path, run_id)
            raise
    return RunResult(plan, db, load, rules, lifecycle, written, events)


def derive_steps(project: Project) -> list[DeriveStep]:
    """The config's `derive:` steps, checked against the catalogue (ConfigError listing every problem)."""
    steps, problems = plan_derive(project.config, project.doc)
    if problems:
        raise ConfigError(problems)
    return steps


DRY_RUN = "dry-run"  # the dry run's exceptions in a comparison, beside the recorded run's


@dataclass(frozen=True)
class Comparison:
    """`recon run --dry-run --compare-to last`: the dry run, the run it replayed and what differs."""

    result: RunResult
    base_run: str
    inputs: str  # "re-read" (the extracts, unchanged since) or "kept" (the run's kept tables)
    diff: RunDiff


def compare_to_last(config: str | Path | None, *, state: str | Path | None = None, **options: Any) -> Comparison:
    """Today's config and rules over the inputs of the last recorded run, as a dry run (nothing is
    recorded), and the diff of its exceptions against that run's (recon.store.diff).

    The inputs are the extracts when their sha256 still matches the run's record, else the run's
    kept tables (recon.replay); `options` are `run`'s (as_of and dry_run are set here).
    """
    project = load_project(config)
    if state is not None:
        project = replace(project, config=project.config.model_copy(update={"state": str(Path(state).resolve())}))
    path = state_path(project)
    with open_state(path, read_only=True) as store:
        last = store.latest_run()
    if last is None:
        raise StateError([Problem.of("S010", wanted="a recorded run to compare with", found=0)],
                         "cannot compare with the last run")
    base = str(last["run_id"])
    files = input_files(project, as_of_date(last["as_of"], project.config.timezone))
    replay: Path | None = None
    if inputs_hash(files) != last["inputs_hash"]:
        if base not in kept.kept_runs(path):
            raise StateError([Problem.of("S012", run_id=base)], "cannot compare with the last run")
        replay = kept.kept_path(path, base)
    result = run(config, as_of=last["as_of"], dry_run=True, state=state, replay=replay, **options)
    db = result.db
    store = StateStore.attach(db, path, read_only=True)
    try:
        db.execute(f"CREATE OR REPLACE TEMP TABLE _compare AS SELECT * FROM {store.t('exceptions')} WHERE run_id = ?",
                   [base])
        for name, duck_type in ADDED_EXCEPTION_COLUMNS.items():  # a state file older than the column
            db.execute(f"ALTER TABLE _compare ADD COLUMN IF NOT EXISTS {ident(name)} {duck_type}")
        if db.table_exists("main", "exceptions"):
            cols = ", ".join(ident(c) for c in EXCEPTION_COLUMNS)
            status = STATUS_TABLE if db.table_exists("main", "exception_status") else None
            select = store.exception_select("main.exceptions", DRY_RUN, status_table=status)
            db.execute(f"INSERT INTO _compare ({cols}) {select}", [DRY_RUN])
        changes = diff_table(db, "_compare", base, DRY_RUN)
    finally:
        store.detach()
    return Comparison(result, base, "re-read" if replay is None else "kept", changes)


def _manual_matches(project: Project, db: Database, store: RunStore) -> None:
    """The pairings of `recon match` into the run's database; an engine that would ignore them stops the run
    (the paired rows would be reported missing again as if nobody had matched them)."""
    if not store.manual_matches() or project.config.engine.name == DEFAULT_ENGINE:
        return
    rules = ", ".join(r[0] for r in db.rows("SELECT DISTINCT rule_id FROM main.manual_matches ORDER BY 1"))
    raise ConfigError([Problem.of("A013", engine=project.config.engine.name, rules=rules)],
                      title="cannot run with manual matches")


def _check_engine_semantics(project: Project) -> None:
    """`--engine` chose another engine than the config: its sources must still be ones it can run."""
    engine = project.config.engine.name
    problems = [p for name, source in project.config.sources.items()
                for p in source_problems(name, source, project.config.lookups, project.doc, engine)
                if p.code == "C034"]
    if project.config.derive and engine != "duckdb":
        problems.append(project.doc.problem("C034", ("derive",), feature="derive:", where=f"on the {engine} engine",
                                            hint="run with engine: duckdb"))
    if problems:
        raise ConfigError(problems)


def load_and_match(plan: RunPlan, db: Database, ruleset: RuleSet, store: RunStore,
                   listeners: Listeners | None = None) -> tuple[LoadResult, RulesResult]:
    """The DuckDB engine's runner (recon.engines): load every source into db, then run the rules there."""
    listeners = listeners or Listeners()
    load = load_step(plan, db, listeners.file_started, listeners.source_loaded)
    store.note_load(load.by_source(), len(load.files))
    # Loaded: from here on SQL (the rules') may touch only the outputs and the state.
    db.restrict_file_access([plan.out_dir, outputs.Staging(plan.out_dir).path, kept.runs_folder(store.path)],
                            [store.path])
    derived = derive_step(plan, db, load)
    return load, rules_step(plan, db, ruleset, load, listeners.rule_started, listeners.rule_done, derived)


def derive_step(plan: RunPlan, db: Database, load: LoadResult) -> list[Derived]:
    """The `derive:` steps over the loaded tables (file access already off); a failed source's tables
    fail the steps that read them."""
    return run_derive(db, derive_steps(plan.project), plan.run_id, tables_loaded(load.files)[1])


def replay_and_match(folder: Path, plan: RunPlan, db: Database, ruleset: RuleSet, store: RunStore,
                     listeners: Listeners | None = None) -> tuple[LoadResult, RulesResult]:
    """A runner over a kept run's tables (recon.replay) instead of the extracts: DuckDB only."""
    listeners = listeners or Listeners()
    load = replay_load(db, folder)
    store.note_load(load.by_source(), len(load.files))
    db.restrict_file_access([plan.out_dir, outputs.Staging(plan.out_dir).path], [store.path])
    return load, rules_step(plan, db, ruleset, load, listeners.rule_started, listeners.rule_done)


def load_step(plan: RunPlan, db: Database, progress: Progress | None = None,
              source_done: SourceDone | None = None) -> LoadResult:
    """Every source into its `<system>.<entity>` table, the unusable rows into main.rejects."""
    t0 = time.perf_counter()
    report = Loader(plan.project, db, plan.run_id, strict=plan.strict, progress=progress,
                    as_of=plan.as_of, on_source=source_done).load_all()
    return LoadResult(report, time.perf_counter() - t0)


# After the rules, a run's events step and its kept tables read the loaded tables again: at 1M
# orders they gained 25.7 CPU s from the tables being compressed before the rules (bench/notes.md,
# "The night's result at 1M"), as much as four more reads of every spilled table would.
READS_AFTER_RULES = 4.0


def rules_step(plan: RunPlan, db: Database, ruleset: RuleSet, load: LoadResult,
               progress: RuleProgress | None = None, rule_done: RuleDone | None = None,
               derived: Sequence[Derived] = ()) -> RulesResult:
    """Run the rule packs over what was loaded, into main.exceptions; unloaded tables skip a rule.

    First the completeness assessment (recon.completeness): the rules of a failed source or of an
    unmapped field are not evaluated. `progress(rule_id, index, rules)` is called before each rule,
    `rule_done(result)` after it. A failed `derive` step counts as a failed source of its table."""
    t0 = time.perf_counter()
    assessment = assess(plan.project, db, load.files, ruleset.rules, plan.as_of)
    ok, failed = tables_loaded(load.files)
    ok |= {d.target for d in derived if d.ok and d.mode == "create"}
    failed |= {d.target for d in derived if not d.ok}
    assessment = replace(assessment, failures=(*assessment.failures, *(
        SourceFailure(f"derive.{d.step}", d.problem.render(), True, (d.target,)) for d in derived if d.problem)))
    report = run_rules(db, ruleset.rules, as_of=plan.as_of, run_id=plan.run_id, config=plan.project.config,
                       tables=(ok - failed, failed), on_rule=progress, blockers=assessment.blockers(),
                       on_result=rule_done, reads_after=READS_AFTER_RULES)
    return RulesResult(report, time.perf_counter() - t0, assessment)


def run_facts(plan: RunPlan, load: LoadResult, rules: RulesResult, lifecycle: Lifecycle) -> context.RunFacts:
    return context.RunFacts.of_run(run_id=plan.run_id, as_of=plan.as_of, started_at=plan.started_at,
                                   config=str(plan.project.path), sources=load.by_source(), rules=rules.summary(),
                                   lifecycle=lifecycle.section, completeness=rules.completeness.section())


def outputs_step(plan: RunPlan, db: Database, load: LoadResult, rules: RulesResult, lifecycle: Lifecycle,
                 store: RunStore) -> Written:
    """The summary and every output file, staged beside the output folder; the run is recorded in
    the state, then the staged folder replaces the output folder (recon.report.outputs)."""
    config = plan.project.config
    summary = context.build(db, run_facts(plan, load, rules, lifecycle), config, plan.fail_on,
                            allow_incomplete=plan.allow_incomplete,
                            history=store.metric_history(TREND_POINTS - 1))  # the trends' earlier runs
    with outputs.Staging(plan.out_dir) as stage:
        final = outputs.write(db, summary, config, stage.path, neutralise=plan.neutralise_csv)
        # one transaction; a rerun of the same inputs and as_of replaces its record
        store.record(final.exit_code, metrics=final.metrics["values"])
        stage.publish()
    return Written(plan.out_dir, final)


def trace(config: str | Path | None, key: str, *, reload: bool = False, state: str | Path | None = None,
          fields: bool = False) -> TraceResult:
    """One order's story across every loaded system, told by recon.store.trace from the tables the
    latest run kept (recon.store.kept), or, with `reload` or when no run kept any, from every
    source loaded again (no rules) into a scratch database, with its event table built again
    (recon.events). `state` overrides the config's `state:`; `fields` adds the survivorship view."""
    project = load_project(config)
    if state is not None:
        project = replace(project, config=project.config.model_copy(update={"state": str(Path(state).resolve())}))
    opened = None if reload else kept.open_kept(state_path(project))
    if opened is not None:
        run_id, kept_db = opened
        try:
            failed = [r[0] for r in kept_db.rows("SELECT DISTINCT source FROM main.loads WHERE status <> 'ok' "
                                                 "ORDER BY 1")]
            return replace(trace_key(kept_db, project, key, failed, fields=fields), loaded_from=f"run {run_id}")
        finally:
            kept_db.close()
    engine = project.config.engine
    db = Database(None, memory_limit=engine.memory_limit, threads=engine.threads,
                  temp_directory=engine.temp_directory)
    try:
        run_id = f"trace-{secrets.token_hex(3)}"
        report = Loader(project, db, run_id).load_all()
        db.restrict_file_access(paths=[state_path(project)])  # derive reads only the loaded tables
        derived = run_derive(db, derive_steps(project), run_id, tables_loaded(report.files)[1])
        failed = {f.source for f in report.failed} | {f"derive.{d.step}" for d in derived if not d.ok}
        if project.config.events.enabled:
            build_events(db, project.config)
        return trace_key(db, project, key, sorted(failed), fields=fields)
    finally:
        db.close()
