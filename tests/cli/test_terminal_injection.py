"""Data printed to a terminal is shown, never obeyed: rich markup in a value is printed as text
(no MarkupError, no hyperlink) and control characters appear as escapes (no ESC reaches the
terminal)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from recon.cli import main
from recon.cli.history import render as render_history
from recon.display import markup, plain
from recon.report.terminal import render_summary
from tests.load.x12.helpers import PO_BODY, build

CRASH = "[/]"
LINK = "[link=http://evil.example]x[/link]"
ESCAPES = "\x1b]0;pwned\x07\x1b[2J\u202e"
HOSTILE = f"{CRASH} {LINK} {ESCAPES}"


def assert_inert(output: str) -> None:
    """Nothing in `output` can steer a terminal; the hostile text is there, visibly."""
    assert "\x1b" not in output and "\x07" not in output and "\u202e" not in output
    assert "\\x1b]0;pwned\\x07\\x1b[2J\\u202e" in output


def render(text: str) -> str:
    console = Console(file=io.StringIO(), width=500, color_system="truecolor", force_terminal=True)
    console.print(text, markup=True, highlight=False)
    output = console.file.getvalue()  # type: ignore[attr-defined]
    return output


@given(st.text() | st.text(alphabet="\\[]/@#=ab \n", max_size=12))  # the second: dense in what rich parses
def test_markup_of_any_text_prints_as_its_plain_form(text: str) -> None:
    """Inside markup, as the printers use it, data changes no tag and prints as plain() of itself."""
    shown = plain(text)
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in shown)
    console = Console(file=io.StringIO(), width=10_000, color_system=None, soft_wrap=True)
    console.print(f"[bold]{markup(text)}[/bold]|[red]{markup(text)}[/]", markup=True, highlight=False, end="")
    assert console.file.getvalue() == f"{shown}|{shown}"  # type: ignore[attr-defined]


def test_plain_keeps_newlines_only_when_asked() -> None:
    assert plain("a\nb\x1b") == "a\\nb\\x1b"
    assert plain("a\nb\x1b", multiline=True) == "a\nb\\x1b"


def test_a_link_in_data_is_no_hyperlink() -> None:
    output = render(markup(LINK))
    assert "\x1b]8;" not in output and LINK in output  # OSC 8 is how a terminal hyperlink starts


@pytest.mark.parametrize("width", ["200", "80"])  # the table layout and the one-line-per-item layout
def test_edi_inspect_shows_hostile_elements(tmp_path: Path, width: str) -> None:
    body = [s.replace("PO-1", HOSTILE) for s in PO_BODY]
    segments = [s if not s.startswith("SE*") else f"SE*9*{CRASH}{ESCAPES}"
                for s in build([("PO", 1, [("850", CRASH, body)])])]
    path = tmp_path / "in.edi"
    path.write_text("~\n".join(segments) + "~\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["edi", "inspect", str(path)], env={"COLUMNS": width})
    assert result.exit_code == 1, result.output  # findings, not a MarkupError traceback
    assert "X12-SE02-MISMATCH" in result.output and f"{CRASH}\\x1b" in result.output
    assert_inert(result.output)


@pytest.mark.parametrize("details", [[], ["--details"]])
def test_trace_shows_a_hostile_customer(make_project, details: list[str]) -> None:
    config = make_project(
        "sources:\n  erp_orders:\n    system: erp\n    entity: orders\n    path: erp/orders.csv\n"
        "    columns: {order_id: VBELN, customer_id: KUNNR, customer_name: NAME}\n",
        {"erp/orders.csv": f'VBELN,KUNNR,NAME\n1042,{CRASH},"{LINK} {ESCAPES}"\n'.encode()},
    )
    result = CliRunner().invoke(main, ["trace", "1042", "--config", str(config), *details])
    assert result.exit_code == 0, result.output
    assert LINK in result.output
    assert_inert(result.output)


def test_trace_of_a_hostile_key_that_matches_nothing(make_project) -> None:
    config = make_project(
        "sources:\n  erp_orders:\n    system: erp\n    entity: orders\n    path: erp/orders.csv\n"
        "    columns: {order_id: VBELN}\n", {"erp/orders.csv": "VBELN\n1\n"})
    result = CliRunner().invoke(main, ["trace", HOSTILE, "--config", str(config)])
    assert result.exit_code == 1 and "no order" in result.output
    assert_inert(result.output)


def test_a_hostile_file_name_in_the_run_summary(make_project, tmp_path: Path) -> None:
    name = f"erp/{CRASH.replace('/', '')}{ESCAPES}.csv"  # a file name can hold anything but '/'
    config = make_project(
        "sources:\n  erp_orders:\n    system: erp\n    entity: orders\n    path: 'erp/*.csv'\n"
        "    columns: {order_id: VBELN, customer_id: KUNNR}\n", {name: "VBELN\n1\n"})
    result = CliRunner().invoke(main, ["run", "--config", str(config), "--out", str(tmp_path / "o"),
                                       "--as-of", "2026-11-20T06:00:00"])
    assert "KUNNR" in result.output and "\\x1b]0;pwned" in result.output, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output


def test_summary_rendering_escapes_every_data_field() -> None:
    summary = {
        "run_id": HOSTILE, "as_of": HOSTILE,
        "sources": [{"source": HOSTILE, "system": "erp", "entity": HOSTILE, "files": 1, "rows_read": 1,
                     "rows_loaded": 1, "rows_rejected": 0, "status": "failed", "problems": [HOSTILE]}],
        "rules": {"warnings": [HOSTILE]},
    }
    console = Console(file=io.StringIO(), width=400, force_terminal=True, color_system=None)
    render_summary(summary, HOSTILE, console)
    output = console.file.getvalue()  # type: ignore[attr-defined]
    assert output.count(CRASH) >= 5 and LINK in output
    assert_inert(output)


def test_history_shows_a_hostile_failed_run(capsys: pytest.CaptureFixture[str]) -> None:
    runs = [{"run_id": HOSTILE, "as_of": "2026-11-20T06:00:00", "status": "failed", "sources_failed": 1,
             "rows_rejected": 0, "exceptions": 0, "new": 0, "open": 0, "reopened": 0, "resolved": 0,
             "error": f"{HOSTILE}\nsecond line"}]
    types = [{"exception_type": HOSTILE, "counts": [1, 2], "trend": "up", "change": 1, "latest": 2,
              "latest_new": 1, "latest_resolved": 0, "oldest_open_hours": 3.0, "mttr_hours": None}]
    render_history({"state": HOSTILE, "runs": runs, "types": types})
    output = capsys.readouterr().out
    assert CRASH in output and "second line" not in output
    assert_inert(output)


def test_rules_list_shows_a_hostile_title(tmp_path: Path) -> None:
    pack = tmp_path / "rules" / "p.yaml"
    pack.parent.mkdir()
    title = HOSTILE.replace("\x1b", "\\e").replace("\x07", "\\a").replace("\u202e", "\\u202e")  # YAML escapes
    pack.write_text(
        f'pack: p\nworkflow: w\ntitle: p\nrules:\n  - id: r1\n    kind: check\n    title: "{title}"\n'
        "    table: erp.orders\n    keys: [order_id]\n"
        "    require: order_id IS NOT NULL\n    outcome: {exception: bad, severity: low}\n"
    )
    config = tmp_path / "recon.yaml"
    config.write_text("sources: {}\nrules: [rules/p.yaml]\n")
    result = CliRunner().invoke(main, ["rules", "list", "--config", str(config)], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    assert CRASH in result.output
    assert_inert(result.output)
