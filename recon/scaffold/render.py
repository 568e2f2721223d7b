"""The plan as a commented recon.yaml: every decision visible, every open question a TODO. Pure."""

from __future__ import annotations

import json
import re

from recon.scaffold.guess import Column
from recon.scaffold.propose import Plan, SourcePlan

_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-/]*")
_YAML_WORDS = {"yes", "no", "on", "off", "true", "false", "null", "y", "n", "~"}


def q(text: object) -> str:
    """A YAML scalar: bare when it cannot be misread, else double-quoted (JSON's quoting is YAML's)."""
    s = str(text)
    if _PLAIN.fullmatch(s) and s.lower() not in _YAML_WORDS:
        return s
    return json.dumps(s, ensure_ascii=False)


def _flow(value: object) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{q(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return q(value)


def column_yaml(column: Column) -> str:
    if column.column and not (column.format or column.normalise):
        return q(column.column)
    parts: dict[str, object] = {}
    if column.column:
        parts["column"] = column.column
    if column.expr:
        parts["expr"] = column.expr
    if column.format:
        parts["format"] = column.format
    if column.normalise:
        parts["normalise"] = list(column.normalise)
    return _flow(parts)


def _comment(text: str | None) -> str:
    return f"  # {text}" if text else ""


def source_yaml(s: SourcePlan) -> list[str]:
    lines = [f"  {q(s.name)}:"]
    lines += [f"    # {c}" for c in s.comments]
    lines += [f"    # TODO: {t}" for t in s.todos if not t.startswith(("our_ids",))]
    lines.append(f"    system: {q(s.system)}")
    if s.entity:
        lines.append(f"    entity: {q(s.entity)}")
    lines.append(f"    path: {q(s.path)}")
    if s.format:
        lines.append(f"    format: {q(s.format)}")
    if s.options:
        lines.append(f"    options: {_flow(s.options)}")
    if s.timezone:
        lines.append(f"    timezone: {q(s.timezone)}  # its column names say so")
    if s.format and s.entity is None:
        our_todo = next((t for t in s.todos if t.startswith("our_ids")), None)
        if s.edi_options:
            lines.append(f"    {s.format}:")
            lines += [f"      {k}: {_flow(v)}  # the one party in every interchange" for k, v in s.edi_options.items()]
        elif our_todo:
            lines.append(f"    # TODO: {s.format}: {{our_ids: [...]}}: {our_todo.split(': ', 1)[1]}")
    if s.normalise:
        lines.append("    normalise:")
        lines += [f"      {q(f)}: {_flow(list(steps))}" for f, steps in s.normalise.items()]
    if s.columns:
        lines.append("    columns:")
        width = max(len(f) for f in s.columns)
        for f, c in s.columns.items():
            lines.append(f"      {q(f) + ':':<{width + 1}} {column_yaml(c)}{_comment(c.note)}")
    return lines


def render(plan: Plan, command: str) -> str:
    """recon.yaml's text, deterministic for the same files."""
    lines = [f"# Written by `{command}`.",
             "# Check every TODO below, then `recon validate` and `recon run`; docs/getting-started.md walks",
             "# through each part and docs/config.md is the reference.",
             "version: 1"]
    if plan.timezone:
        lines.append(f"timezone: {q(plan.timezone)}  # TODO: {plan.timezone_todo}")
    if plan.lookups:
        lines += ["", "lookups:"]
        for lk in plan.lookups:
            lines.append(f"  {q(lk.name)}:  # {'TODO: ' if lk.todo else ''}{lk.note}")
            lines += [f"    {q(k)}: {q(v)}{_comment(lk.comments.get(k))}" for k, v in lk.values.items()]
    lines += ["", "sources:"]
    for i, s in enumerate(plan.sources):
        if i:
            lines.append("")
        lines += source_yaml(s)
    if plan.ownership:
        lines += ["", "# Which system is the record for each entity (it is the one to fix when systems disagree).",
                  "ownership:"]
        lines += [f"  {q(e)}: {q(s)}" for e, s in plan.ownership.items()]
    if plan.unclassified:
        lines += ["", "# Files recon init could not classify (not used; add a source by hand if they matter):"]
        lines += [f"#   {u.shown or u.profile.path.as_posix()}: {u.reason}" for u in plan.unclassified]
    return "\n".join(lines) + "\n"
