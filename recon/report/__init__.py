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
        """Send the report; returns every recipient.

        With `to` (e.g. `--email-to`), one message to those addresses with every work list
        attached. Without, one to `email.to` with every work list, and one per address of
        `email.routes` with only the work lists of that address's owners (an address routed for
        two owners gets one message with both; an address also in `email.to` gets the full one).
        """
        settings = self.config.email
        by_owner = self.summary["exceptions"]["by_owner"]
        plan: list[tuple[list[str], list[str] | None]] = []  # (recipients, owners: None for all)
        if to:
            plan.append((list(to), None))
        else:
            if settings.to:
                plan.append((list(settings.to), None))
            routed: dict[str, list[str]] = {}
            for owner, addresses in settings.routes.items():
                for address in addresses:
                    if address not in settings.to:
                        routed.setdefault(address, []).append(owner)
            plan += [([address], owners) for address, owners in routed.items()]
        if not plan:
            return []
        data = settings.attach == "data"
        html = self.html(include_data=data)
        items = self.db.dicts(facts.top_exceptions_sql(200)) if data else []  # the view html() prepared
        as_of = facts.as_of_day(self.summary["as_of"], self.config.timezone).isoformat()
        messages = []
        for recipients, owners in plan:
            chosen = [o for o in by_owner if owners is None or o in owners]
            attachments = [(mail.attachment_name(by_owner[o]["file"]), self.out_dir / by_owner[o]["file"])
                           for o in chosen if data and by_owner[o].get("file")]
            text = mail.plain_text(self.summary, owners=owners, items=items)
            messages.append(mail.build_message(self.summary, html, text, settings, recipients, as_of, attachments))
        for message in messages:
            mail.send(message, settings)
        return [r for recipients, _ in plan for r in recipients]


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
