"""`recon edi inspect`: what is in these EDI files, and what is wrong with them.

The report is a plain JSON-able dict so that the CLI can print it as JSON for machines and
`render_inspect` can print it as tables for people; the exit code is part of the report so
that both agree on it: 0 every file parsed without findings (or only INFORMATIONAL ones), 1
there were findings, 2 a file could not be read at all (missing, empty, no ISA or GS anywhere).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from recon.display import markup
from recon.load.x12.parser import parse_x12_files
from recon.load.x12.quirks import X12Options
from recon.load.x12.result import X12Result

EXIT_CLEAN, EXIT_FINDINGS, EXIT_UNREADABLE = 0, 1, 2

INFORMATIONAL = frozenset({"X12-SET-NOT-MAPPED"})
"""Finding codes that describe a well-formed file rather than a defect (a 210 is not mapped to
an entity, but nothing is wrong with it): listed, but they do not make the exit code 1."""


def inspect_files(
    paths: Iterable[Path | str],
    options: X12Options | None = None,
    display_names: Mapping[Path, str] | None = None,
) -> dict[str, Any]:
    """Parse the files and describe them (see `build_report`); a large file in parts, in bounded memory."""
    return build_report(parse_x12_files(list(paths), options, display_names, workers=1))


def build_report(result: X12Result) -> dict[str, Any]:
    """A JSON-able description of a parse: per file, findings, rows per entity, exit code."""
    by_file: dict[str, Counter[str]] = {}
    for f in result.findings:
        by_file.setdefault(f.file, Counter())[f.severity] += 1
    files = []
    for fs in result.files:
        d = fs.to_dict()
        counts = by_file.get(fs.path, Counter())
        d["errors"] = counts["error"]
        d["warnings"] = counts["warning"]
        d["set_counts"] = {ts: len(controls) for ts, controls in sorted(fs.sets.items())}
        files.append(d)
    unreadable = sum(1 for fs in result.files if not fs.readable)
    errors = sum(1 for f in result.findings if f.severity == "error")
    if unreadable:
        exit_code = EXIT_UNREADABLE
    elif any(f.code not in INFORMATIONAL for f in result.findings):
        exit_code = EXIT_FINDINGS
    else:
        exit_code = EXIT_CLEAN
    return {
        "summary": {
            "files": len(result.files),
            "unreadable_files": unreadable,
            "segments": result.segments,
            "interchanges": sum(len(fs.interchanges) for fs in result.files),
            "transaction_sets": sum(len(c) for fs in result.files for c in fs.sets.values()),
            "loaded_sets": sum(fs.loaded_sets for fs in result.files),
            "rejected_sets": sum(fs.rejected_sets for fs in result.files),
            "errors": errors,
            "warnings": len(result.findings) - errors,
        },
        "files": files,
        "findings": [f.to_dict() for f in result.findings],
        "rows": {entity: table.num_rows for entity, table in result.tables.items()},
        "exit_code": exit_code,
    }


def _sets_text(set_counts: dict[str, int]) -> str:
    return markup(", ".join(f"{n}×{ts}" for ts, n in set_counts.items())) or "-"


def render_inspect(report: dict[str, Any], console: Console, *, max_findings: int = 200) -> None:
    """Print the report for people: tables on a wide terminal, one line per item on a narrow one
    (CI logs, 80 columns), where a nine-column table would fold every cell into confetti."""
    findings = sorted(
        report["findings"], key=lambda x: (x["severity"] != "error", x["file"], x["segment_position"] or 0)
    )
    if console.width >= 120:
        _files_table(report, console)
        _findings_table(findings[:max_findings], console)
    else:
        _files_lines(report, console)
        _findings_lines(findings[:max_findings], console)
    if len(findings) > max_findings:
        console.print(f"... {len(findings) - max_findings} more findings (use --json for all)")
    s = report["summary"]
    console.print(
        f"{s['files']} file(s), {s['segments']:,} segments, {s['transaction_sets']} transaction sets "
        f"({s['loaded_sets']} loaded, {s['rejected_sets']} rejected); "
        f"{s['errors']} error(s), {s['warnings']} warning(s)"
    )
    rows = {k: v for k, v in report["rows"].items() if v}
    if rows:
        console.print("rows: " + ", ".join(f"{markup(k)} {v:,}" for k, v in rows.items()))


def _where(f: dict[str, Any]) -> str:
    parts = [f"{label} {f[key]}" for label, key in (("ISA", "interchange_control"), ("GS", "group_control"),
                                                    ("ST", "set_control")) if f[key]]
    if f["segment_position"]:
        seg = f"segment {f['segment_position']} {f['segment_id'] or ''}".strip()
        parts.append(seg + (f" ({f['element']})" if f["element"] else ""))
    return " ".join(parts)


def _files_lines(report: dict[str, Any], console: Console) -> None:
    for f in report["files"]:
        if not f["readable"]:
            console.print(f"[bold]{markup(f['path'])}[/]: [red]unreadable: {markup(f['error'])}[/]", highlight=False)
            continue
        if f["format"] != "x12":
            console.print(f"[bold]{markup(f['path'])}[/]: {markup(f['format'])}, [yellow]{markup(f['error'])}[/]",
                          highlight=False)
            continue
        ics = markup(", ".join(i["control"] for i in f["interchanges"])) or "-"
        console.print(
            f"[bold]{markup(f['path'])}[/]: ISA {ics}; {_sets_text(f['set_counts'])}; {f['segments']:,} segments; "
            f"{f['loaded_sets']} loaded, {_red(f['rejected_sets'])} rejected; "
            f"{_red(f['errors'])} errors, {_yellow(f['warnings'])} warnings",
            highlight=False,
        )


def _findings_lines(findings: list[dict[str, Any]], console: Console) -> None:
    for f in findings:
        sev = "[red]error[/]" if f["severity"] == "error" else "[yellow]warning[/]"
        where = markup(_where(f))
        console.print(
            f"{sev} {markup(f['code'])} {markup(f['file'])}{' ' + where if where else ''}: {markup(f['message'])}",
            highlight=False,
        )


def _files_table(report: dict[str, Any], console: Console) -> None:
    files = Table(title="EDI files", title_justify="left")
    for col, justify in [
        ("file", "left"), ("format", "left"), ("interchanges", "left"), ("sets", "left"), ("segments", "right"),
        ("loaded", "right"), ("rejected", "right"), ("errors", "right"), ("warnings", "right"),
    ]:
        files.add_column(col, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for f in report["files"]:
        if not f["readable"]:
            status = f"[red]unreadable: {markup(f['error'])}[/]"
            files.add_row(markup(f["path"]), markup(f["format"]), "-", status, "-", "-", "-", str(f["errors"]),
                          str(f["warnings"]))
            continue
        ics = markup(", ".join(i["control"] for i in f["interchanges"])) or "-"
        sets = _sets_text(f["set_counts"]) if f["format"] == "x12" else f"[yellow]{markup(f['error'])}[/]"
        files.add_row(
            markup(f["path"]), markup(f["format"]), ics, sets, f"{f['segments']:,}", str(f["loaded_sets"]),
            _red(f["rejected_sets"]), _red(f["errors"]), _yellow(f["warnings"]),
        )
    console.print(files)


def _findings_table(findings: list[dict[str, Any]], console: Console) -> None:
    if not findings:
        return
    t = Table(title=f"Findings ({len(findings)})", title_justify="left")
    for col in ("sev", "code", "file", "ISA / GS / ST", "seg", "element", "message"):
        t.add_column(col, overflow="fold")
    for f in findings:
        sev = "[red]error[/]" if f["severity"] == "error" else "[yellow]warn[/]"
        where = " / ".join(x or "-" for x in (f["interchange_control"], f["group_control"], f["set_control"]))
        seg = f"{f['segment_position']} {f['segment_id'] or ''}".strip() if f["segment_position"] else "-"
        t.add_row(sev, markup(f["code"]), markup(f["file"]), markup(where), markup(seg), markup(f["element"] or ""),
                  markup(f["message"]))
    console.print(t)


def _red(n: int) -> str:
    return f"[red]{n}[/]" if n else "0"


def _yellow(n: int) -> str:
    return f"[yellow]{n}[/]" if n else "0"
