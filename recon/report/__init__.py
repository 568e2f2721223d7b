"""Reports: summary.json, report.html, the exception files and queues, the bar's verdict, e-mail.

`write_reports(ctx)` is the run's last step. `rerender(run_dir)` does the same from a stored
run's output folder (exceptions.parquet + summary.json) without reloading any extract: the
numbers that need the loaded tables (latency, records compared, rejects) are taken from the
stored summary, everything about exceptions is recomputed from the parquet file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from recon.config.schema import Config
from recon.db import Database
from recon.errors import EXIT_BAR_BROKEN, InputError, Problem
from recon.report import budgets, html, queues, summary
from recon.report import email as mail

if TYPE_CHECKING:
    from recon.api import RunContext

FIXED_OUTPUTS = ("exceptions.csv", "exceptions.parquet", "lifecycle.parquet", "rejects.csv", "report.html",
                 "summary.json")
LIFECYCLE_FILE = "lifecycle.parquet"


@dataclass
class Report:
    """One run's reporting state: the database holding its exceptions, its summary, where it goes."""

    db: Database
    summary: dict[str, Any]
    out_dir: Path
    config: Config

    @classmethod
    def of(cls, ctx: RunContext) -> Report:
        """The report of a finished run (after write_reports), e.g. to e-mail it."""
        return cls(ctx.db, ctx.summary, ctx.out_dir, ctx.project.config)

    def html(self, include_data: bool = True) -> str:
        view = html.build_view(self.db, self.summary, currency=self.config.currency,
                               timezone=self.config.timezone, include_data=include_data)
        return html.render(view)

    @property
    def passed(self) -> bool:
        return bool(self.summary["verdict"]["passed"])

    def judge(self, fail_on: str | None) -> None:
        """(Re)compute the verdict from the exceptions and the configured budgets."""
        records = {rule: entry["records_compared"] for rule, entry in self.summary["matching"]["by_rule"].items()}
        checks = budgets.evaluate(summary.groups(self.db), self.config.budgets, fail_on, records or None)
        self.summary["verdict"] = budgets.verdict(checks, fail_on)

    def write(self, *, exception_files: bool) -> None:
        """Queues, (exception files,) report.html and summary.json, in that order: the summary
        lists the files written."""
        self.out_dir.mkdir(parents=True, exist_ok=True)
        if exception_files:
            queues.write_exception_files(self.db, self.out_dir, summary.EXCEPTIONS)
        written = queues.write_queues(self.db, self.out_dir, summary.EXCEPTIONS)
        self._write_lifecycle()
        for owner, entry in self.summary["exceptions"]["by_owner"].items():
            entry["file"] = written.get(owner)
        present = [name for name in FIXED_OUTPUTS if (self.out_dir / name).exists()]
        self.summary["outputs"] = sorted({*present, "report.html", "summary.json", *written.values()})
        (self.out_dir / "report.html").write_text(self.html(), encoding="utf-8")
        (self.out_dir / "summary.json").write_text(dump(self.summary), encoding="utf-8")

    def _write_lifecycle(self) -> None:
        """The store's status of each exception, so a re-render keeps new/open labels and acks."""
        path = self.out_dir / LIFECYCLE_FILE
        if not self.db.table_exists(*summary.LIFECYCLE):
            path.unlink(missing_ok=True)
            return
        self.db.execute(f"COPY (SELECT * FROM {summary.lifecycle_table()} ORDER BY ALL) TO "
                        f"'{queues.sql_path(path)}' (FORMAT PARQUET)")

    def email(self, to: list[str] | None = None) -> list[str]:
        """Send the report to `to` (else email.to in the config); returns the recipients."""
        settings = self.config.email
        recipients = to or settings.to
        if not recipients:
            return []
        data = settings.attach == "data"
        attachments = []
        if data:
            for entry in self.summary["exceptions"]["by_owner"].values():
                if entry.get("file"):
                    name = entry["file"].replace("/", "-")
                    attachments.append((name, self.out_dir / entry["file"]))
        as_of = summary.as_of_day(self.summary["as_of"], self.config.timezone).isoformat()
        message = mail.build_message(self.summary, self.html(include_data=data),
                                     mail.plain_text(self.summary, str(self.out_dir)), settings, recipients, as_of,
                                     attachments)
        mail.send(message, settings)
        return list(recipients)


def dump(data: dict[str, Any]) -> str:
    """summary.json text: sorted keys, and no timings (they live in the log lines), so the same
    inputs and as-of give the same bytes apart from the run id and start time."""
    return json.dumps(stable(data), indent=2, sort_keys=True, default=str, ensure_ascii=False) + "\n"


def stable(data: dict[str, Any]) -> dict[str, Any]:
    rules = data.get("rules")
    if not isinstance(rules, dict) or not isinstance(rules.get("rules"), list):
        return data
    timed = [{k: v for k, v in r.items() if k != "seconds"} for r in rules["rules"]]
    return {**data, "rules": {**rules, "rules": timed}}


def summarise(db: Database, base: dict[str, Any], config: Config, run_id: str) -> dict[str, Any]:
    """Extend build_summary's dict with everything the reports show (its keys are kept)."""
    summary.prepare(db)
    out = dict(base)
    out.update(summary.exception_sections(db, config.currency))
    out["matching"] = summary.matching_section(base.get("rules"))
    out["rejects"] = summary.rejects_section(db, run_id, base["sources"])
    out["latency"] = summary.latency_section(db, summary.slo_targets(config))
    return out


def write_reports(ctx: RunContext) -> None:
    """The run's reporting step: summary, verdict (ctx.exit_code), files in ctx.out_dir."""
    config = ctx.project.config
    report = Report(ctx.db, summarise(ctx.db, ctx.summary, config, ctx.run_id), ctx.out_dir, config)
    report.judge(ctx.fail_on)
    rules_wrote = ctx.db.table_exists("main", "exceptions") and (ctx.out_dir / "exceptions.parquet").exists()
    report.write(exception_files=not rules_wrote)
    ctx.summary = report.summary
    if not report.passed and not ctx.exit_code:
        ctx.exit_code = EXIT_BAR_BROKEN


def rerender(run_dir: Path, config: Config | None = None, *, fail_on: str | None = None,
             out_dir: Path | None = None) -> Report:
    """Re-render a stored run's outputs from its folder, judged against the current config."""
    config = config or Config()
    stored = {name: run_dir / name for name in ("summary.json", "exceptions.parquet")}
    missing = [str(p) for p in stored.values() if not p.is_file()]
    if missing:
        raise InputError([Problem.of("O001", output=p) for p in missing],
                         title=f"cannot re-render {run_dir}")
    try:
        base = json.loads(stored["summary.json"].read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError([Problem.of("O002", output=stored["summary.json"], reason=exc)],
                         title=f"cannot re-render {run_dir}") from exc
    db = Database()
    db.execute("CREATE TABLE main.exceptions AS SELECT * FROM read_parquet(?)", [str(stored["exceptions.parquet"])])
    if (run_dir / LIFECYCLE_FILE).is_file():
        db.execute(f"CREATE TABLE {summary.lifecycle_table()} AS SELECT * FROM read_parquet(?)",
                   [str(run_dir / LIFECYCLE_FILE)])
    summary.prepare(db)
    base.update(summary.exception_sections(db, config.currency))
    base["latency"] = summary.apply_slo(base.get("latency", {}), summary.slo_targets(config))
    base["matching"] = summary.matching_section(base.get("rules"))
    base.setdefault("rejects", {"total": 0, "by_source": {}, "by_reason": {}})
    report = Report(db, base, out_dir or run_dir, config)
    report.judge(fail_on)
    report.write(exception_files=out_dir is not None and out_dir != run_dir)
    return report
