"""The library behind the CLI: validate, load and run. Nothing here prints or exits.

`run()` is the nightly job's data flow in order: config → load → rules → outputs. Each step is a
module of its own; this file only sequences them and collects what they report.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from recon import __version__
from recon.asof import parse_as_of
from recon.config import Project, load_project
from recon.db import Database
from recon.environment import check_output_folder, check_spill_folder
from recon.errors import ConfigError, Problem
from recon.load import files as filesys
from recon.load.loader import Loader, LoadReport, missing_columns, source_format
from recon.load.readers import READERS, UnreadableFile, header_of
from recon.report import write_reports
from recon.rules.loader import RuleSet
from recon.rules.registry import load_project_rules
from recon.rules.runner import RulesReport, run_rules, tables_loaded, write_exceptions
from recon.store.step import RunStore
from recon.store.trace import TraceResult
from recon.store.trace import trace as trace_key


@dataclass
class ValidationResult:
    project: Project | None
    problems: list[Problem]

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
    for name, source in project.config.sources.items():
        pattern = project.resolve(source.path)
        paths = filesys.expand(pattern)
        if not paths:
            problem = filesys.no_match_problem(name, pattern, project.root, source.path)
            line = project.doc.line_of(("sources", name, "path"))
            problems.append(Problem(problem.code, problem.message, file=str(project.path), line=line,
                                    path=problem.path, hint=problem.hint))
            continue
        fmt = source_format(source) or "csv"
        if fmt not in READERS:
            continue
        for path in paths:
            display = filesys.display_path(path, project.root)
            try:
                header = header_of(db, path, display, fmt, source.options)
            except UnreadableFile as exc:
                problems.append(exc.problem)
                continue
            problem = missing_columns(source, header, display, name)
            if problem:
                line = project.doc.line_of(("sources", name, "columns"))
                problems.append(Problem(problem.code, problem.message, file=f"{project.path}", line=line,
                                        path=problem.path, hint=f"{problem.hint + '; ' if problem.hint else ''}"
                                        f"in {display}"))
    return problems


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
    try:
        load_project_rules(project)
    except ConfigError as exc:
        problems = [*exc.problems, *problems]
    return ValidationResult(project, problems)


def _file_problems_of_broken_config(config: str | Path | None) -> list[Problem]:
    """File checks for the sources that are themselves well-formed, so one message lists everything."""
    from recon.config import config_path
    from recon.config.schema import Config, Source
    from recon.config.yamlfile import read_yaml

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


@dataclass
class RunContext:
    """What one run knows as it goes; each step reads from it and adds to it."""

    project: Project
    db: Database
    run_id: str
    as_of: datetime
    out_dir: Path
    started_at: datetime
    strict: bool = False
    load: LoadReport = field(default_factory=LoadReport)
    timings: dict[str, float] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    exit_code: int = 0
    fail_on: str | None = None  # --fail-on: this severity or worse breaks the bar (exit 1)
    rules: RulesReport = field(default_factory=RulesReport)
    dry_run: bool = False  # --dry-run: nothing is written to the state store
    acked_ids: frozenset[str] = frozenset()  # acks active at as_of: listed, but outside the failure bar


Progress = Callable[[str, str, int, int], None]  # (source, file, index, files) as each file starts loading
RuleProgress = Callable[[str, int, int], None]  # (rule_id, index, rules) as each rule starts


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
) -> RunContext:
    """Load every source, then run the rules and write the outputs.

    `progress` is called as each file starts loading, `rule_progress` as each rule starts (DuckDB
    engine). `engine` (duckdb or spark) overrides the config's `engine.name`; see docs/scale-out.md.
    """
    project = load_project(config)
    if engine is not None:
        options = project.config.engine.model_copy(update={"name": engine})
        project = replace(project, config=project.config.model_copy(update={"engine": options}))
    ruleset = load_project_rules(project)  # every rule checked before any data is read
    started = datetime.now(UTC).replace(microsecond=0)
    run_id = run_id or new_run_id(started)
    resolved_as_of = parse_as_of(as_of if as_of is not None else project.config.as_of, project.config.timezone)
    out_dir = Path(out) if out else project.resolve(project.config.out) / run_id
    ctx = RunContext(project=project, db=open_database(project), run_id=run_id, as_of=resolved_as_of,
                     out_dir=out_dir, started_at=started, strict=strict, fail_on=fail_on, dry_run=dry_run)
    check_output_folder(out_dir)  # a read-only --out fails now (exit 2), not after the whole run
    temp_directory = project.config.engine.temp_directory
    check_spill_folder(Path(temp_directory) if temp_directory else None)  # as DuckDB is given it
    with RunStore(ctx, dry_run=dry_run) as store:  # the state lock (exit 4 when held) and the run history
        if project.config.engine.name == "spark":  # load and rules on Spark, results into ctx.db
            from recon.spark.engine import load_and_match

            load_and_match(ctx, ruleset, progress, rule_progress)
        else:
            t0 = time.perf_counter()
            ctx.load = Loader(project, ctx.db, run_id, strict=strict, progress=progress).load_all()
            ctx.timings["load"] = time.perf_counter() - t0
            # Loaded: from here on SQL (the rules') may touch only the outputs and the state.
            ctx.db.restrict_file_access([out_dir], [store.path])
            run_rules_step(ctx, ruleset, rule_progress)
        ctx.summary = build_summary(ctx)
        store.observe()  # lifecycle (new/open/resolved/reopened) and active acks into ctx
        write_outputs(ctx)
        write_reports(ctx)  # summary.json, report.html, queues; the bar's verdict into ctx.exit_code
        store.record()  # one transaction; a rerun of the same inputs and as_of replaces its earlier record
    return ctx


def trace(config: str | Path | None, key: str) -> TraceResult:
    """One order's story across every loaded system (loads the sources, runs no rules); see recon.store.trace."""
    return trace_key(config, key)


def run_rules_step(ctx: RunContext, ruleset: RuleSet, progress: RuleProgress | None = None) -> None:
    """Run the rule packs over what was loaded, into main.exceptions; unloaded tables skip a rule.

    `progress(rule_id, index, rules)` is called before each rule."""
    t0 = time.perf_counter()
    ctx.rules = run_rules(ctx.db, ruleset.rules, as_of=ctx.as_of, run_id=ctx.run_id, config=ctx.project.config,
                          tables=tables_loaded(ctx.load.files), on_rule=progress)
    ctx.timings["rules"] = time.perf_counter() - t0


def build_summary(ctx: RunContext) -> dict[str, Any]:
    sources = ctx.load.by_source()
    return {
        "recon_version": __version__,
        "run_id": ctx.run_id,
        "as_of": ctx.as_of.isoformat(),
        "started_at": ctx.started_at.isoformat(),
        "config": str(ctx.project.path),
        "sources": sources,
        "rules": ctx.rules.summary(),
        "totals": {
            "rows_read": sum(s["rows_read"] for s in sources),
            "rows_loaded": sum(s["rows_loaded"] for s in sources),
            "rows_rejected": sum(s["rows_rejected"] for s in sources),
            "sources_failed": sum(1 for s in sources if s["status"] != "ok"),
        },
    }


def write_outputs(ctx: RunContext) -> None:
    ctx.out_dir.mkdir(parents=True, exist_ok=True)
    (ctx.out_dir / "summary.json").write_text(json.dumps(ctx.summary, indent=2, sort_keys=True, default=str) + "\n")
    ctx.db.execute(f"COPY (SELECT * FROM main.rejects ORDER BY file, \"row\", field) TO "
                   f"'{_sql_path(ctx.out_dir / 'rejects.csv')}' (HEADER, DELIMITER ',')")
    write_exceptions(ctx.db, ctx.out_dir)


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")
