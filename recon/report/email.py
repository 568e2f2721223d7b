"""Deliver the report by e-mail: the HTML page as the body, the queue files attached (or not).

Building the message is pure (testable without a server); sending is plain smtplib with
STARTTLS when configured. Credentials only ever come from the environment
(RECON_SMTP_USER, RECON_SMTP_PASSWORD), never from recon.yaml, which is usually committed, and
they are sent only over TLS or to this machine.
"""

from __future__ import annotations

import ipaddress
import os
import smtplib
import ssl
from collections.abc import Mapping, Sequence
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

from recon.config.schema import Email
from recon.errors import EXIT_USAGE, Problem, ReconError
from recon.report.budgets import checks_from_verdict
from recon.report.summary import value_text

USER_ENV, PASSWORD_ENV = "RECON_SMTP_USER", "RECON_SMTP_PASSWORD"
DEFAULT_FROM = "recon@localhost"


class DeliveryError(ReconError):
    """The outputs are on disk but the e-mail could not be sent."""

    def __init__(self, code: str, /, **fields: Any) -> None:
        super().__init__(problems=[Problem.of(code, **fields)], exit_code=EXIT_USAGE,
                         title="the report was written but could not be e-mailed")


def subject(summary: Mapping[str, Any], prefix: str, as_of_date: str) -> str:
    """`[recon] 2026-11-20: 42 exceptions (1 critical, 5 high), 12,345.00 USD at risk, over the limits`."""
    ex = summary["exceptions"]
    worst = [f"{n} {s}" for s, n in ex["by_severity"].items() if n and s in ("critical", "high")]
    parts = [f"{ex['total']} exception{'s' if ex['total'] != 1 else ''}" + (f" ({', '.join(worst)})" if worst else "")]
    parts.append(f"{value_text(summary['value_at_risk'])} at risk")
    rejected = summary.get("rejects", {}).get("total", 0)
    if rejected:
        parts.append(f"{rejected} rows rejected")
    if not summary.get("verdict", {}).get("passed", True):
        parts.append("over the limits")
    # An incomplete night says so first: the numbers after it are partial.
    head = "INCOMPLETE, not everything was checked: " if summary.get("complete", True) is False else ""
    return f"{prefix} {as_of_date}: {head}{', '.join(parts)}".strip()


def attachment_name(queue_file: str) -> str:
    """A work list's attachment name: its file name, as the report's "Who must act" table prints it."""
    return queue_file.rsplit("/", 1)[-1]


def plain_text(summary: Mapping[str, Any], owners: Sequence[str] | None = None,
               items: Sequence[Mapping[str, Any]] = (), top: int = 5) -> str:
    """The text/plain alternative, for clients that do not show HTML, for search and for a phone's
    preview: the verdict, the money, what changed, who must act with their largest ids.

    `owners`: the recipient's own work lists (None: everyone's). `items`: the largest exceptions
    (rows of the reporting view, largest first); none for a counts-only message.
    """
    ex, values = summary["exceptions"], summary["value_at_risk"]
    lines = [f"Reconciliation as of {summary['as_of']} (run {summary['run_id']})", ""]
    if summary.get("complete", True) is False or summary.get("totals", {}).get("sources_failed"):
        lines.append("INCOMPLETE RUN: not everything was checked; the numbers below are partial.")
        failed = summary.get("failed_sources") or [
            {"source": s["source"], "reason": s.get("status")} for s in summary.get("sources", [])
            if s.get("status", "ok") != "ok"]
        lines += [f"  source {f['source']}: {f['reason']}" for f in failed]
        lines += [f"  rule {r['rule']} not evaluated: {r['reason']}" for r in summary.get("not_evaluated", [])]
        lines.append("")
    worst = [f"{n} {s}" for s, n in ex["by_severity"].items() if n and s in ("critical", "high")]
    lines.append(f"{value_text(values)} at risk in {ex['total']} exception{'s' if ex['total'] != 1 else ''}"
                 + (f" ({', '.join(worst)})" if worst else "") + ".")
    lc = summary.get("lifecycle") or {}
    if lc.get("previous_run_id"):
        change = f"Since the previous run: {lc.get('new', 0)} new, {lc.get('resolved', 0)} resolved"
        previous = lc.get("previous_value_at_risk")
        currency = values.get("currency")
        if currency and isinstance(previous, Mapping) and set(previous) <= {currency}:
            delta = round(float(values.get("total") or 0) - float(previous.get(currency, 0)), 2)
            change += f", value at risk {'+' if delta >= 0 else '-'}{abs(delta):,.2f} {currency}"
        lines.append(change + ".")
    verdict = summary.get("verdict", {})
    if not verdict.get("passed", True):
        broken = [c for c in verdict.get("checks", []) if c.get("status") == "broken"]
        lines.append(f"Over {len(broken)} of the run's limits (exit code 1): "
                     + "; ".join(_check_text(c) for c in broken) + ".")
    elif verdict.get("checks"):
        lines.append(f"Within the run's limits: {len(verdict['checks'])} checks passed.")
    lines += ["", "Who must act:"]
    for owner, entry in ex["by_owner"].items():
        if owners is None or owner in owners:
            where = f", work list {attachment_name(entry['file'])}" if entry.get("file") else ""
            lines.append(f"  {owner}: {entry['count']} exceptions, {entry['value_at_risk']:,.2f} at risk{where}")
    others = [o for o in ex["by_owner"] if owners is not None and o not in owners]
    if others:
        lines.append(f"  (and {len(others)} other owner{'s' if len(others) != 1 else ''}: {', '.join(others)})")
    shown = [t for t in items if owners is None or (t.get("owner") or "unassigned") in owners][:top]
    if shown:
        lines += ["", "Largest items (exception id, value at risk, type, owner):"]
        lines += [f"  {t['exception_id']}  {_amount(t.get('value_at_risk'))}  {t['exception_type']}  "
                  f"{t.get('owner') or 'unassigned'}" for t in shown]
        lines += ["", "To keep a known issue out of the limits until a date:",
                  f"  recon ack {shown[0]['exception_id']} --until YYYY-MM-DD --note \"why\""]
    return "\n".join(lines) + "\n"


def _amount(value: Any) -> str:
    return "n/a" if value is None else f"{float(value):,.2f}"


def _check_text(check: Mapping[str, Any]) -> str:
    return checks_from_verdict({"checks": [check]})[0].message()


def build_message(summary: Mapping[str, Any], html: str, text: str, settings: Email, to: Sequence[str],
                  as_of_date: str, attachments: Sequence[tuple[str, Path]] = ()) -> EmailMessage:
    """multipart/mixed: (text/plain | text/html) alternatives, then each attachment as text/csv."""
    message = EmailMessage()
    message["Subject"] = subject(summary, settings.subject_prefix, as_of_date)
    message["From"] = settings.from_ or DEFAULT_FROM
    message["To"] = ", ".join(to)
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=(settings.from_ or DEFAULT_FROM).rpartition("@")[2] or None)
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    for name, path in attachments:
        message.add_attachment(path.read_bytes(), maintype="text", subtype="csv", filename=name)
    return message


def _is_local(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def send(message: EmailMessage, settings: Email, env: Mapping[str, str] | None = None, timeout: float = 30) -> None:
    """Hand the message to the SMTP server; every failure becomes a DeliveryError with a hint."""
    env = os.environ if env is None else env
    user, password = env.get(USER_ENV), env.get(PASSWORD_ENV)
    where = f"{settings.smtp_host}:{settings.port}"
    if user and not settings.starttls and not _is_local(settings.smtp_host):
        raise DeliveryError("E002", where=where)
    try:
        with smtplib.SMTP(settings.smtp_host, settings.port, timeout=timeout) as smtp:
            smtp.ehlo()
            if settings.starttls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if user:
                smtp.login(user, password or "")
            smtp.send_message(message)
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError("E003", where=where, user=user, reply=f"{exc.smtp_code} {_text(exc.smtp_error)}") from exc
    except smtplib.SMTPNotSupportedError as exc:
        raise DeliveryError("E007", where=where, reason=exc) from exc
    except smtplib.SMTPRecipientsRefused as exc:
        refused = ", ".join(sorted(exc.recipients))
        raise DeliveryError("E004", where=where, recipients=refused) from exc
    except smtplib.SMTPException as exc:
        raise DeliveryError("E001", where=where, reason=exc) from exc
    except ssl.SSLError as exc:
        raise DeliveryError("E005", where=where, reason=exc.reason or exc) from exc
    except OSError as exc:
        raise DeliveryError("E006", where=where, reason=exc.strerror or exc) from exc


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value
