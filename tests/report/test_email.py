"""E-mail delivery against a real SMTP server (aiosmtpd) on 127.0.0.1: what actually arrives."""

from __future__ import annotations

import socket
import ssl
import subprocess
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from click.testing import CliRunner

from recon.cli import main
from recon.config.schema import Email
from recon.report.email import DeliveryError, send

from .fixtures import PROJECT, PROJECT_FILES


class Inbox:
    """aiosmtpd handler that keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd calls this hook by name
        self.envelopes.append(envelope)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def email_config(port: int, extra: str = "") -> str:
    return PROJECT + f"""
email:
  from: recon@example.com
  subject_prefix: "[recon ACME]"
  smtp_host: 127.0.0.1
  smtp_port: {port}
{extra}"""


def unix(text: str) -> str:
    """SMTP carries text with CRLF line ends; compare content, not transport."""
    return text.replace("\r\n", "\n")


def attachments(message: EmailMessage) -> dict[str, str]:
    return {part.get_filename(): unix(part.get_content()) for part in message.iter_attachments()}


def test_report_arrives_as_the_html_body_with_the_queue_files_attached(make_project, smtp, tmp_path):
    inbox, port = smtp
    config = make_project(email_config(port), PROJECT_FILES)
    out = tmp_path / "o"
    result = CliRunner().invoke(main, ["run", "--config", str(config), "--out", str(out), "--email-to",
                                       "finance@example.com", "--email-to", "ops@example.com", "--fail-on", "high"])
    assert result.exit_code == 1, result.output  # the bar still decides the exit code
    [message] = inbox.messages
    assert message["Subject"] == ("[recon ACME] 2026-11-20: 2 exceptions (1 high), 50.00 USD at risk, "
                                  "1 rows rejected, over the limits")
    assert message["From"] == "recon@example.com"
    assert message["To"] == "finance@example.com, ops@example.com"
    assert sorted(inbox.envelopes[0].rcpt_tos) == ["finance@example.com", "ops@example.com"]
    html = unix(message.get_body(("html",)).get_content())
    assert html == (out / "report.html").read_text(encoding="utf-8")
    text = message.get_body(("plain",)).get_content()
    assert "50.00 USD at risk in 2 exceptions (1 high)." in text
    assert "Over 1 of the run's limits (exit code 1): --fail-on high" in text
    assert "operations: 1 exceptions, " in text and "work list operations.csv" in text
    ids = [line.split()[0] for line in text.split("Largest items")[1].splitlines()[1:3]]
    assert len(ids) == 2 and all(i in html for i in ids)  # the same ids as the HTML's
    assert f"recon ack {ids[0]} --until" in text and str(out) not in text  # no server path
    assert attachments(message) == {
        "finance.csv": (out / "exceptions" / "finance.csv").read_text(),
        "operations.csv": (out / "exceptions" / "operations.csv").read_text(),
    }
    assert all(f">{name}<" in html for name in attachments(message))  # named as the report names them


def test_routes_send_each_owner_only_their_work_list(make_project, smtp, tmp_path):
    inbox, port = smtp
    routes = ("  to: [cfo@example.com]\n  routes:\n    finance: [ap@example.com, both@example.com]\n"
              "    operations: [both@example.com, cfo@example.com, ops@example.com]\n")
    config = make_project(email_config(port, routes), PROJECT_FILES)
    result = CliRunner().invoke(main, ["run", "--config", str(config), "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    got = {m["To"]: m for m in inbox.messages}
    assert sorted(got) == ["ap@example.com", "both@example.com", "cfo@example.com", "ops@example.com"]
    assert set(attachments(got["cfo@example.com"])) == {"finance.csv", "operations.csv"}  # email.to: everything
    assert set(attachments(got["ap@example.com"])) == {"finance.csv"}
    assert set(attachments(got["ops@example.com"])) == {"operations.csv"}
    assert set(attachments(got["both@example.com"])) == {"finance.csv", "operations.csv"}
    text = got["ap@example.com"].get_body(("plain",)).get_content()
    assert "finance: 1 exceptions" in text and "operations: 1 exceptions" not in text
    assert "(and 1 other owner: operations)" in text


def test_routes_are_validated(make_project, tmp_path):
    config = make_project(email_config(25, "  routes:\n    finance: [not-an-address]\n"), PROJECT_FILES)
    result = CliRunner().invoke(main, ["validate", "--config", str(config)])
    assert result.exit_code == 2, result.output
    assert "not-an-address" in result.output and "routes" in result.output


def test_counts_only_sends_no_exception_rows(make_project, smtp, tmp_path):
    inbox, port = smtp
    config = make_project(email_config(port, "  to: [finance@example.com]\n  attach: counts\n"), PROJECT_FILES)
    result = CliRunner().invoke(main, ["run", "--config", str(config), "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    [message] = inbox.messages
    assert message["To"] == "finance@example.com"
    assert attachments(message) == {}
    html = message.get_body(("html",)).get_content()
    assert "Counts only." in html and "shipped-not-posted" in html
    assert "Top exceptions" not in html and "S3" not in html  # no business keys leave the building


def test_report_command_resends_a_stored_run(make_project, smtp, tmp_path):
    inbox, port = smtp
    config = make_project(email_config(port), PROJECT_FILES)
    CliRunner().invoke(main, ["run", "--config", str(config), "--out", str(tmp_path / "o")])
    result = CliRunner().invoke(main, ["report", "--dir", str(tmp_path / "o"), "--config", str(config),
                                       "--email-to", "cfo@example.com"])
    assert result.exit_code == 0, result.output
    [message] = inbox.messages
    assert message["To"] == "cfo@example.com" and "2 exceptions" in message["Subject"]


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made by the openssl command line."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


def test_starttls_and_login_with_credentials_from_the_environment(make_project, certificate, tmp_path, monkeypatch):
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    logins: list[tuple[bytes, bytes]] = []

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        logins.append((data.login, data.password))
        return AuthResult(success=data.password == b"s3cret", handled=False)

    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True,
                            auth_require_tls=True, auth_required=True, authenticator=authenticator)
    controller.start()
    try:
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trust the test's own certificate, nothing else changes
        monkeypatch.setenv("RECON_SMTP_USER", "recon")
        monkeypatch.setenv("RECON_SMTP_PASSWORD", "s3cret")
        config = make_project(email_config(port, "  starttls: true\n  to: finance@example.com\n"), PROJECT_FILES)
        result = CliRunner().invoke(main, ["run", "--config", str(config), "--out", str(tmp_path / "o")])
        assert result.exit_code == 0, result.output
        assert logins == [(b"recon", b"s3cret")]
        assert len(inbox.messages) == 1

        monkeypatch.setenv("RECON_SMTP_PASSWORD", "wrong")
        result = CliRunner().invoke(main, ["run", "--config", str(config), "--out", str(tmp_path / "o2")])
        assert result.exit_code == 2
        assert "the report was written but could not be e-mailed" in result.output
        assert "refused the login of 'recon'" in result.output and "RECON_SMTP_PASSWORD" in result.output
        assert (tmp_path / "o2" / "report.html").is_file()
        # --debug adds the traceback, never another exit code (#15: it used to exit 1, "bar broken")
        result = CliRunner().invoke(main, ["run", "--config", str(config), "--out", str(tmp_path / "o3"), "--debug"])
        assert result.exit_code == 2, result.output
        assert "refused the login of 'recon'" in result.output and "Traceback" in result.output
    finally:
        controller.stop()


def test_unreachable_server_is_exit_2_with_a_hint(make_project, tmp_path):
    config = make_project(email_config(free_port(), "  to: finance@example.com\n"), PROJECT_FILES)
    result = CliRunner().invoke(main, ["run", "--config", str(config), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "cannot reach the SMTP server 127.0.0.1:" in result.output and "email.smtp_host" in result.output


def test_credentials_are_never_sent_in_clear_to_another_host():
    settings = Email.model_validate({"smtp_host": "smtp.example.com", "to": ["a@example.com"]})
    with pytest.raises(DeliveryError) as exc:
        send(EmailMessage(), settings, env={"RECON_SMTP_USER": "u", "RECON_SMTP_PASSWORD": "p"})
    assert "without TLS" in exc.value.render()
