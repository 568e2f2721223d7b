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
from recon.report.summary import value_text

USER_ENV, PASSWORD_ENV = "RECON_SMTP_USER", "RECON_SMTP_PASSWORD"
DEFAULT_FROM = "recon@localhost"


class DeliveryError(ReconError):
    """The outputs are on disk but the e-mail could not be sent."""

    def __init__(self, code: str, /, **fields: Any) -> None:
        super().__init__(problems=[Problem.of(code, **fields)], exit_code=EXIT_USAGE,
                         title="the report was written but could not be e-mailed")


def subject(summary: Mapping[str, Any], prefix: str, as_of_date: str) -> str:
    """`[recon] 2026-11-20: 42 exceptions (1 critical, 5 high), 12,345.00 USD at risk, bar broken`."""
    ex = summary["exceptions"]
    worst = [f"{n} {s}" for s, n in ex["by_severity"].items() if n and s in ("critical", "high")]
    parts = [f"{ex['total']} exception{'s' if ex['total'] != 1 else ''}" + (f" ({', '.join(worst)})" if worst else "")]
    parts.append(f"{value_text(summary['value_at_risk'])} at risk")
    rejected = summary.get("rejects", {}).get("total", 0)
    if rejected:
        parts.append(f"{rejected} rows rejected")
    if not summary.get("verdict", {}).get("passed", True):
        parts.append("bar broken")
    # An incomplete night says so first: the numbers after it are partial.
    head = "INCOMPLETE, not everything was checked: " if summary.get("complete", True) is False else ""
    return f"{prefix} {as_of_date}: {head}{', '.join(parts)}".strip()


def plain_text(summary: Mapping[str, Any], out_dir: str) -> str:
    """The text/plain alternative, for clients that do not show HTML and for search."""
    ex = summary["exceptions"]
    lines = [f"recon run {summary['run_id']}, as of {summary['as_of']}", ""]
    if summary.get("complete", True) is False:
        lines.append("INCOMPLETE RUN: not everything was checked; earlier exceptions of these rules stay open:")
        lines += [f"  source {f['source']}: {f['reason']}" for f in summary.get("failed_sources", [])]
        lines += [f"  rule {r['rule']} not evaluated: {r['reason']}" for r in summary.get("not_evaluated", [])]
        lines.append("")
    lines.append(f"exceptions: {ex['total']}")
    lines += [f"  {s}: {n}" for s, n in ex["by_severity"].items()]
    lines.append(f"value at risk: {value_text(summary['value_at_risk'])}")
    lines.append(f"rows rejected while loading: {summary.get('rejects', {}).get('total', 0)}")
    for owner, entry in ex["by_owner"].items():
        lines.append(f"queue {owner}: {entry['count']} exceptions, {entry['value_at_risk']:,.2f} at risk")
    lines += ["", f"outputs: {out_dir}"]
    return "\n".join(lines) + "\n"


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
