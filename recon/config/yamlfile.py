"""YAML with line numbers, read within limits.

pydantic reports a location as a tuple of keys; users need a line in their file. We compose the
YAML node tree once, keep the line of every mapping key and sequence item, and look a location
up by its longest known prefix. Duplicate keys, which PyYAML silently resolves to the last one,
are reported as problems here because they are almost always a copy-paste mistake.

Config and rule packs are trusted, but a file copied from elsewhere can still be hostile or
broken, and reading it must not take the machine down. Three limits, each its own problem:

- size (`MAX_BYTES`): a real config or pack is kilobytes; megabytes are a mistake (a data file
  passed as `--config`) and PyYAML parses pure-Python at a few MB/s;
- depth (`MAX_DEPTH`): PyYAML composes recursively, so 100k nested `[` would end in a
  RecursionError; no config needs more than a dozen levels;
- alias expansion (`MAX_ALIAS_NODES`): anchors and aliases (`<<: *defaults`) are handy and
  allowed, but each alias repeats its anchor's subtree for everything that reads the data
  afterwards (pydantic, the checks), so nine levels of nine aliases in 350 bytes expand to
  hundreds of millions of nodes (the "billion laughs"). The expanded size is counted on the node
  graph, memoised per node, before anything walks it, and must stay within a budget.

Line numbers are collected without walking an alias's expansion twice: a location under an
alias resolves to the line where the alias is used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from recon.errors import ConfigError, Problem

Loc = tuple[str | int, ...]

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 64
MAX_ALIAS_NODES = 10_000  # nodes that aliases may add to the document beyond its own


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


def _walk(node: yaml.Node, loc: Loc, doc: YamlDocument, seen_nodes: set[int]) -> None:
    """Record lines of keys and items; a node already walked (an alias) is not walked again."""
    if id(node) in seen_nodes:
        return
    seen_nodes.add(id(node))
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            line = key_node.start_mark.line + 1
            if isinstance(key, str) and key in seen:
                doc.duplicates.append(
                    doc.problem("C002", (*loc, key), key=key, first=seen[key], second=line)
                )
            if isinstance(key, str):
                seen[key] = line
            doc.lines[(*loc, key)] = line
            _walk(value_node, (*loc, key), doc, seen_nodes)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            doc.lines[(*loc, i)] = item.start_mark.line + 1
            _walk(item, (*loc, i), doc, seen_nodes)


# libyaml (C) when PyYAML was built with it: pure-Python PyYAML parses ~0.1 MB/s of config.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _check_depth(text: str, path: Path) -> int | None:
    """Refuse nesting beyond MAX_DEPTH from the event stream (flat, no recursion) before composing,
    whose recursion would otherwise end in a RecursionError or a crash. Returns the line of the
    first alias (None when there is none: then nothing needs counting)."""
    depth = 0
    first_alias: int | None = None
    for event in yaml.parse(text, Loader=_Loader):
        if first_alias is None and isinstance(event, yaml.AliasEvent):
            first_alias = event.start_mark.line + 1 if event.start_mark else 1
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise _too_deep(path, event.start_mark.line + 1 if event.start_mark else None)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
    return first_alias


def _too_deep(path: Path, line: int | None) -> ConfigError:
    return ConfigError([Problem.of("Y002", depth=MAX_DEPTH, file=str(path), line=line)])


def expanded_size(root: yaml.Node) -> tuple[int, int]:
    """(distinct nodes, nodes after expanding every alias), in time linear in the distinct nodes.

    Iterative (post-order with an explicit stack), memoised per node: the node graph is a DAG
    where an alias is a second reference to its anchor's node.
    """
    size: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in size:
            continue
        children = _children(node)
        if children_done:
            size[id(node)] = 1 + sum(size[id(c)] for c in children)
            continue
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in size)
    return len(size), size[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _not_yaml(path: Path, exc: yaml.YAMLError) -> ConfigError:
    mark = getattr(exc, "problem_mark", None)
    return ConfigError([Problem.of("C007", reason=getattr(exc, "problem", None) or exc, file=str(path),
                                   line=mark.line + 1 if mark else None)])


def read_yaml(path: Path) -> YamlDocument:
    """Parse a YAML file within the limits above, raising ConfigError (with line) when it is not
    YAML at all or exceeds one of them."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ConfigError([Problem.of("Y001", size=size, limit=MAX_BYTES, file=str(path))])
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([Problem.of("C001", file=str(path))]) from None
    except IsADirectoryError:
        raise ConfigError([Problem.of("C009", file=str(path))]) from None
    except PermissionError:
        raise ConfigError([Problem.of("C015", file=str(path))]) from None
    except UnicodeDecodeError as exc:
        raise ConfigError([Problem.of("C006", reason=exc.reason, file=str(path))]) from None
    try:
        alias_line = _check_depth(text, path)
    except yaml.YAMLError as exc:
        if "nesting depth" in str(exc):  # libyaml's own limit, met while scanning ahead of our count
            mark = getattr(exc, "problem_mark", None)
            raise _too_deep(path, mark.line + 1 if mark else None) from None
        raise _not_yaml(path, exc) from None
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is not None and alias_line is not None:
            distinct, expanded = expanded_size(node)
            if expanded - distinct > MAX_ALIAS_NODES:
                raise ConfigError([Problem.of("Y003", distinct=distinct, expanded=expanded, limit=MAX_ALIAS_NODES,
                                              file=str(path), line=alias_line)])
        doc = YamlDocument(path=path, data=None)
        if node is not None:
            # Before constructing: the constructor flattens merge keys (`<<`) into the nodes in place.
            _walk(node, (), doc, set())
            doc.data = loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise _not_yaml(path, exc) from None
    finally:
        loader.dispose()
    return doc

