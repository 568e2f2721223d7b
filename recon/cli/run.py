"""`recon run`: load, match and report, with progress bars for people and exit codes for cron.

Four audiences read its output: the analyst (progress bars, then a rich summary on stdout),
cron (`--quiet`: one line, and the exit code), log shippers (`--log-format json`: one JSON
object per line on stderr) and CI (`--fail-on`, budgets, exit 1 when over the limits).
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from recon import api
from recon.cli.diff import render as render_diff
from recon.cli.options import (
    as_of_option,
    as_recon_error,
    config_option,
    csv_raw_option,
    debug_option,
    handles_errors,
    json_option,
    print_json,
    state_option,
    stderr_console,
    stdout_console,
)
from recon.cli.runlog import EventLog, RunEvents
from recon.config.schema import SEVERITIES
from recon.display import markup, plain
from recon.engines import engine_names
from recon.errors import EXIT_OK
from recon.report.terminal import quiet_line, render_summary


@contextmanager
def _progress_display(show: bool, events: RunEvents) -> Iterator[tuple[Any, Any]]:
    """Progress callbacks for loading and the rules: bars for people; log events (and a heartbeat)
    for machines."""
    if not show:
        with events:
            yield events.on_file, events.on_rule
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=stderr_console(), transient=True) as bar:
        tasks: dict[str, Any] = {}
        rules: list[Any] = []  # the rules' task, once they start

        def on_bar(source: str, file: str, done: int, total: int) -> None:
            if source not in tasks:
                tasks[source] = bar.add_task(f"loading {markup(source)}", total=total)
            bar.update(tasks[source], completed=done + 1, description=f"loading {markup(source)}: {markup(file)}")

        def on_rule(rule_id: str, done: int, total: int) -> None:
            if not rules:
                rules.append(bar.add_task("rules", total=total))
            bar.update(rules[0], completed=done, description=f"rules: {markup(rule_id)}")

        yield on_bar, on_rule


def _log_rest(log: EventLog, events: RunEvents, ctx: api.RunResult) -> None:
    """Events the run's callbacks did not stream (an engine that reports only at its end), what the
    run could not check, then the outputs."""
    for s in ctx.summary["sources"]:
        if s["source"] in events.logged_sources:
            continue
        log("source_loaded", level="info" if s["status"] == "ok" else "error", run_id=ctx.run_id,
            source=s["source"], tables=s.get("tables", []), files=s["files"], rows_read=s["rows_read"],
            rows_loaded=s["rows_loaded"], rows_rejected=s["rows_rejected"], status=s["status"],
            problems=s["problems"])
    for r in ctx.summary.get("rules", {}).get("rules", []):
        if r["rule_id"] not in events.logged_rules:
            log("rule_run", level="info" if r["status"] == "ok" else "warning", run_id=ctx.run_id,
                **{k: v for k, v in r.items() if v is not None})
    for failure in ctx.summary.get("failed_sources", []):
        log("source_incomplete", level="error", run_id=ctx.run_id, **failure)
    for item in ctx.summary.get("not_evaluated", []):
        log("rule_not_evaluated", level="error", run_id=ctx.run_id, **item)
    if ctx.events is not None:  # the event table and order chains (recon.events)
        log("events_built", level="info" if ctx.events.built is not None else "warning", run_id=ctx.run_id,
            **ctx.events.section())
    log("outputs_written", run_id=ctx.run_id, out=str(ctx.out_dir), files=ctx.summary.get("outputs", []))


@click.command()
@config_option
@as_of_option
@click.option("--out", "out", type=click.Path(file_okay=False), default=None,
              help="Write outputs exactly into this folder (default: <out>/<run_id>/ beside the config).")
@click.option("--strict", is_flag=True, help="Stop with exit 3 when any input file cannot be read.")
@click.option("--allow-incomplete", "allow_incomplete", is_flag=True,
              help="An incomplete run (a required source failed or fell short of its expect: limits, a rule "
                   "could not be evaluated) warns instead of exiting 5.")
@click.option("--dry-run", "dry_run", is_flag=True, help="Run and report, but write nothing to the state (history).")
@click.option("--compare-to", "compare_to", type=click.Choice(["last"]), default=None,
              help="With --dry-run: run today's config and rules over the last recorded run's inputs and print "
                   "what changes (outputs only with --out).")
@click.option("--fail-on", "fail_on", type=click.Choice(SEVERITIES), default=None,
              help="Exit 1 when an exception of this severity or worse is found (budgets in the config add "
                   "more limits).")
@click.option("--email-to", "email_to", multiple=True, metavar="ADDRESS",
              help="E-mail the report to this address (repeatable; default: email.to in the config).")
@click.option("--engine", type=click.Choice(engine_names()), default=None,
              help="Run load and rules on this engine (default: engine.name in the config, else duckdb).")
@click.option("--select", "-s", "select", multiple=True, metavar="RULES",
              help="Run only these rules: rule ids, pack or workflow names, globs (edi-*), pack:NAME; repeatable "
                   "or space/comma separated. The others are reported as disabled.")
@click.option("--exclude", "exclude", multiple=True, metavar="RULES",
              help="Do not run these rules (same entries as --select); reported as disabled.")
@csv_raw_option
@state_option
@click.option("--quiet", "-q", is_flag=True, help="One line of output and the exit code; for cron.")
@click.option("--log-format", "log_format", type=click.Choice(["json", "text"]), default=None,
              help="Structured log lines on stderr: run start, each source loaded, each rule run, outputs, run end.")
@json_option
@debug_option
@handles_errors
def run(config: str | None, as_of: str | None, out: str | None, strict: bool, allow_incomplete: bool,
        dry_run: bool, fail_on: str | None, email_to: tuple[str, ...], engine: str | None,
        select: tuple[str, ...], exclude: tuple[str, ...], csv_raw: bool, state: str | None, quiet: bool,
        log_format: str | None, as_json: bool, debug: bool, compare_to: str | None = None) -> None:
    """Load every source, run the rules and write the reports.

    Exit codes: 0 ok, 1 over the run's limits (--fail-on, budgets), 2 usage, config or e-mail
    error, 3 unreadable input under --strict, 4 another run holds the lock, 5 the run is
    incomplete (a source failed or a rule was not evaluated; wins over 1; see --allow-incomplete).
    """
    if compare_to:
        if not dry_run:
            raise click.UsageError("--compare-to goes with --dry-run (a comparison records nothing)")
        if as_of or email_to:
            raise click.UsageError("--compare-to takes the last run's as-of and sends no e-mail")
        compare_last(config, out=out, state=state, engine=engine, fail_on=fail_on, csv_raw=csv_raw,
                     allow_incomplete=allow_incomplete, strict=strict, as_json=as_json, select=select,
                     exclude=exclude)
        return
    log = EventLog(log_format)
    started = time.perf_counter()
    run_id = api.new_run_id(datetime.now(UTC).replace(microsecond=0))
    log("run_start", run_id=run_id, config=config, as_of=as_of, out=out, fail_on=fail_on, dry_run=dry_run)
    show_bars = not (quiet or as_json or log_format) and stderr_console().is_terminal
    events = RunEvents(log, run_id)
    try:
        with _progress_display(show_bars, events) as (on_file, on_rule):
            ctx = api.run(config, as_of=as_of, out=out, strict=strict, progress=on_file, rule_progress=on_rule,
                          run_id=run_id, dry_run=dry_run, fail_on=fail_on, engine=engine, csv_raw=csv_raw,
                          state=state, allow_incomplete=allow_incomplete, source_done=events.on_source,
                          rule_done=events.on_rule_done, select=select, exclude=exclude)
        _log_rest(log, events, ctx)
        settings = ctx.project.config.email
        if email_to or settings.to or settings.routes:
            recipients = ctx.report().email(list(email_to) or None)
            log("email_sent", run_id=run_id, to=recipients, attach=ctx.project.config.email.attach)
    except Exception as exc:  # the log says how it ended, whatever the error; handles_errors reports it
        error = as_recon_error(exc)
        log("run_end", level="error", run_id=run_id, exit_code=error.exit_code, error=error.title,
            problems=[p.render() for p in error.problems], seconds=round(time.perf_counter() - started, 3))
        raise
    summary = ctx.summary
    log("run_end", level="info" if ctx.exit_code == EXIT_OK else "warning", run_id=run_id, exit_code=ctx.exit_code,
        complete=summary.get("complete", True), passed=summary["verdict"]["passed"],
        exceptions=summary["exceptions"]["total"],
        value_at_risk=summary["value_at_risk"]["total"], rows_rejected=summary["totals"]["rows_rejected"],
        seconds=round(time.perf_counter() - started, 3))
    if as_json:
        print_json(summary)
    elif quiet:
        click.echo(plain(quiet_line(summary, str(ctx.out_dir))))
    else:
        render_summary(summary, str(ctx.out_dir), stdout_console())
    sys.exit(ctx.exit_code or EXIT_OK)


def compare_last(config: str | None, *, out: str | None, state: str | None, as_json: bool, **options: Any) -> None:
    """`--dry-run --compare-to last`: print the diff against the last run; exit as the dry run's bar says.

    Without --out the dry run's outputs go to a temporary folder that is removed: nothing is left behind."""
    with tempfile.TemporaryDirectory(prefix="recon-compare-") as scratch:
        target = out or str(Path(scratch) / "out")
        comparison = api.compare_to_last(config, state=state, out=target, **options)
        code = comparison.result.exit_code
    data = {"compare_to": comparison.base_run, "inputs": comparison.inputs, "exit_code": code,
            "out": out, **comparison.diff.to_dict()}
    if as_json:
        print_json(data)
    else:
        console = stdout_console()
        how = "its extracts, unchanged" if comparison.inputs == "re-read" else "its kept tables"
        console.print(f"dry run over the inputs of run {markup(comparison.base_run)} ({how}); nothing recorded")
        render_diff(data)
    sys.exit(code or EXIT_OK)
