"""YAML with line numbers.

pydantic reports a location as a tuple of keys; users need a line in their file. We compose the
YAML node tree once, keep the line of every mapping key and sequence item, and look a location
up by its longest known prefix. Duplicate keys, which PyYAML silently resolves to the last one,
are reported as problems here because they are almost always a copy-paste mistake.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from recon.errors import ConfigError, Problem

Loc = tuple[str | int, ...]


@dataclass
class YamlDocument:
    path: Path
    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)
    duplicates: list[Problem] = field(default_factory=list)

    def line_of(self, loc: Loc) -> int | None:
        """The line of the deepest part of `loc` that exists in the file (1-based)."""
        for end in range(len(loc), -1, -1):
            line = self.lines.get(tuple(loc[:end]))
            if line is not None:
                return line
        return None

    def problem(self, code: str, loc: Loc, message: str | None = None, hint: Any = ..., **fields: Any) -> Problem:
        """The catalogued problem `code` located at `loc` in this file (`Problem.of` with file, line, path).

        A `message` given as text bypasses the catalogue's template (older call sites).
        """
        where = {"file": str(self.path), "line": self.line_of(loc), "path": dotted(loc) or None}
        if message is not None:
            return Problem(code, message, hint=None if hint is ... else hint, **where)
        return Problem.of(code, hint=hint, **where, **fields)


def dotted(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _walk(node: yaml.Node, loc: Loc, doc: YamlDocument) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in seen:
                doc.duplicates.append(
                    doc.problem("C002", (*loc, key), key=key, first=seen[key], second=line)
                )
            seen[key] = line
            doc.lines[(*loc, key)] = line
            _walk(value_node, (*loc, key), doc)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            doc.lines[(*loc, i)] = item.start_mark.line + 1
            _walk(item, (*loc, i), doc)


def read_yaml(path: Path) -> YamlDocument:
    """Parse a YAML file, raising ConfigError (with line and column) when it is not YAML at all."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([Problem.of("C001", file=str(path))]) from None
    except UnicodeDecodeError as exc:
        raise ConfigError([Problem.of("C006", reason=exc.reason, file=str(path))]) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError([Problem.of("C007", reason=getattr(exc, "problem", None) or exc, file=str(path),
                                      line=mark.line + 1 if mark else None)]) from None
    doc = YamlDocument(path=path, data=data)
    if node is not None:
        _walk(node, (), doc)
    return doc
