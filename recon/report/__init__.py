"""Reports: summary.json, report.html, the exception files and queues, the bar's verdict, e-mail.

A run builds its summary with `recon.report.context.build` and writes its files with
`recon.report.outputs`. `rerender(run_dir)` does the same from a stored run's output folder
(exceptions.parquet + summary.json) without reloading any extract: the numbers that need the
loaded tables (latency pairs, records compared, rejects) are taken from the stored summary,
everything about exceptions is recomputed from the parquet file. `Report` renders and e-mails a
finished run or re-render.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from recon.config.schema import Config
from recon.db import Database
from recon.errors import InputError, Problem
from recon.report import context, outputs
from recon.report import email as mail
from recon.report import summary as facts


@dataclass(frozen=True)
class Report:
    """A finished run's report: the database holding its exceptions, its summary, where its files are."""

    db: Database
    summary: dict[str, Any]
    out_dir: Path
    config: Config

    def html(self, include_data: bool = True) -> str:
        return outputs.render_html(self.db, self.summary, self.config, include_data=include_data)

    @property
    def passed(self) -> bool:
        return bool(self.summary["verdict"]["passed"])

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
        as_of = facts.as_of_day(self.summary["as_of"], self.config.timezone).isoformat()
        message = mail.build_message(self.summary, self.html(include_data=data),
                                     mail.plain_text(self.summary, str(self.out_dir)), settings, recipients, as_of,
                                     attachments)
        mail.send(message, settings)
        return list(recipients)


def rerender(run_dir: Path, config: Config | None = None, *, fail_on: str | None = None,
             out_dir: Path | None = None, neutralise: bool | None = None) -> Report:
    """Re-render a stored run's outputs from its folder, judged against the current config.

    In place (no `out_dir`), the run's own data files (exceptions.csv/.parquet, rejects.csv) are
    kept as they are; into `out_dir`, the exception files are written again from the parquet.
    Either way the target folder is replaced atomically (`recon.report.outputs.Staging`).
    """
    config = config or Config()
    neutralise = config.outputs.neutralise_csv if neutralise is None else neutralise
    stored = {name: run_dir / name for name in (outputs.SUMMARY_JSON, outputs.EXCEPTIONS_PARQUET)}
    missing = [str(p) for p in stored.values() if not p.is_file()]
    if missing:
        raise InputError([Problem.of("O001", output=p) for p in missing],
                         title=f"cannot re-render {run_dir}")
    try:
        base = json.loads(stored[outputs.SUMMARY_JSON].read_text(encoding="utf-8"))
        if not isinstance(base, dict):
            raise ValueError("not a JSON object")
    except (OSError, ValueError) as exc:
        raise InputError([Problem.of("O002", output=stored[outputs.SUMMARY_JSON], reason=exc)],
                         title=f"cannot re-render {run_dir}") from exc
    db = Database()
    outputs.check_run_ids(run_dir, str(base.get("run_id", "")), db)
    db.execute("CREATE TABLE main.exceptions AS SELECT * FROM read_parquet(?)",
               [str(stored[outputs.EXCEPTIONS_PARQUET])])
    if (run_dir / outputs.LIFECYCLE_FILE).is_file():
        db.execute(f"CREATE TABLE {facts.lifecycle_table()} AS SELECT * FROM read_parquet(?)",
                   [str(run_dir / outputs.LIFECYCLE_FILE)])
    summary = context.build(db, context.RunFacts.of_stored(base), config, fail_on)
    target = out_dir or run_dir
    in_place = target.absolute() == run_dir.absolute()
    if not in_place:
        outputs.check_out_dir(target)
    with outputs.Staging(target) as stage:
        if in_place:
            stage.carry(run_dir, skip=outputs.OWNED - set(outputs.DATA_FILES))
        final = outputs.write(db, summary, config, stage.path, data=not in_place, neutralise=neutralise)
        stage.publish()
    return Report(db, final.as_dict(), target, config)


__all__ = ["Report", "rerender"]
