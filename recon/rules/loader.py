"""Reading rule packs: YAML with line numbers, parameters, pydantic, then the semantic checks.

Every problem in every pack is collected and reported at once, each with its file, line, YAML
path and a hint, before any data is touched. Parameters (`$release_slo`) are resolved here:
a pack declares each one with a default, the config's `parameters:` section overrides it.
"""

from __future__ import annotations

import functools
import re
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from recon.config.schema import Config
from recon.config.yamlfile import Loc, YamlDocument, read_yaml
from recon.errors import ConfigError, Problem, did_you_mean
from recon.rules import schema
from recon.rules.schema import CheckRule, DuplicateRule, MatchRule, Pack, Rule
from recon.sql import literal

AnyRule = MatchRule | CheckRule | DuplicateRule
_PARAM_RE = re.compile(r"^\$([a-z][a-z0-9_]*)$")
_KINDS = {"match": MatchRule, "check": CheckRule, "duplicate": DuplicateRule}


@dataclass(frozen=True)
class LoadedRule:
    """A validated rule with where it came from and the parameter values it was resolved with."""

    rule: AnyRule
    pack: Pack
    file: Path
    index: int
    doc: YamlDocument = field(repr=False, compare=False)
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.rule.id

    @property
    def workflow(self) -> str:
        return self.rule.workflow or self.pack.workflow

    @property
    def owner(self) -> str:
        return self.rule.owner or self.pack.owner

    @property
    def loc(self) -> Loc:
        return ("rules", self.index)

    @property
    def line(self) -> int | None:
        return self.doc.line_of(self.loc)

    def problem(self, code: str, loc: Loc, message: str | None = None, hint: Any = ..., **fields: Any) -> Problem:
        """The catalogued problem `code` at `loc` inside this rule (see `YamlDocument.problem`)."""
        return self.doc.problem(code, (*self.loc, *loc), message, hint, **fields)


@dataclass
class RuleSet:
    rules: list[LoadedRule]
    packs: list[tuple[Path, Pack]]

    def get(self, rule_id: str) -> LoadedRule | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    def ids(self) -> list[str]:
        return [r.id for r in self.rules]


# --- pydantic errors as located problems ------------------------------------------------------------

def _members(annotation: Any) -> list[type[BaseModel]]:
    """The models an annotation may hold (through Optional, list, dict, Annotated and unions)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _members(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType, list, dict):
        return [m for a in typing.get_args(annotation) for m in _members(a)]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return []


def _models_at(loc: Loc, data: Any) -> list[type[BaseModel]]:
    """Which models are valid at `loc` of a pack, for did-you-mean on unknown keys."""
    models: list[type[BaseModel]] = [Pack]
    node = data
    for part in loc:
        node = node[part] if isinstance(node, dict | list) and _has(node, part) else None
        if isinstance(part, int):
            if isinstance(node, dict) and node.get("kind") in _KINDS and models == [MatchRule, CheckRule,
                                                                                      DuplicateRule]:
                models = [_KINDS[node["kind"]]]
            continue
        nxt: list[type[BaseModel]] = []
        for model in models:
            info = model.model_fields.get(str(part))
            if info is not None:
                nxt += _members(info.annotation)
        models = list(dict.fromkeys(nxt))
        if not models:
            return []
    return models


def _has(node: Any, part: str | int) -> bool:
    if isinstance(node, dict):
        return part in node
    return isinstance(part, int) and 0 <= part < len(node)


def _clean_loc(loc: tuple[Any, ...]) -> Loc:
    out: list[str | int] = []
    for i, part in enumerate(loc):
        if i == 2 and loc[0] == "rules" and part in _KINDS:
            continue
        if isinstance(part, str) and ("[" in part or part in ("str", "list[str]", "dict[str,str]")):
            continue
        out.append(part)
    return tuple(out)


def pydantic_problems(exc: ValidationError, doc: YamlDocument) -> list[Problem]:
    found: dict[tuple[Loc, str], Problem] = {}
    for err in exc.errors():
        loc = _clean_loc(err["loc"])
        kind = err["type"]
        if kind in ("string_type", "list_type") and isinstance(err.get("input"), dict | list):
            continue  # the other branch of a `list | dict` field reports the real problem
        if kind == "extra_forbidden":
            key = str(loc[-1])
            names = [n for m in _models_at(loc[:-1], doc.data) for n in m.model_fields]
            problem = doc.problem("R003", loc, key=key, hint=did_you_mean(key, names))
        elif kind == "missing":
            problem = doc.problem("R004", loc, key=loc[-1])
        elif kind == "union_tag_invalid" or (kind == "union_tag_not_found"):
            problem = doc.problem("R006", loc)
        else:
            message = err["msg"].removeprefix("Value error, ")
            problem = doc.problem("R005", loc, message=message)
        found.setdefault((loc, problem.message), problem)
    return list(found.values())


# --- parameters -------------------------------------------------------------------------------------

def _declared_parameters(data: Any) -> dict[str, Any]:
    params = data.get("parameters") if isinstance(data, dict) else None
    if not isinstance(params, dict):
        return {}
    return {k: v.get("default") for k, v in params.items() if isinstance(v, dict)}


_PROSE = {"doc", "title", "message"}  # text for people: `$` there is not a parameter
_INLINE_RE = re.compile(r"\$([a-z][a-z0-9_]*)\b")


def substitute(node: Any, values: dict[str, Any], loc: Loc, doc: YamlDocument,
               problems: list[Problem], used: dict[str, Any]) -> Any:
    """A copy of `node` with parameters resolved.

    A value that is exactly `$name` becomes the parameter's value (a number stays a number); a
    `$name` inside a SQL snippet becomes that value as a SQL literal, quoted by `recon.sql.literal`.
    """
    if isinstance(node, dict):
        return {k: (v if k in _PROSE else substitute(v, values, (*loc, k), doc, problems, used))
                for k, v in node.items()}
    if isinstance(node, list):
        return [substitute(v, values, (*loc, i), doc, problems, used) for i, v in enumerate(node)]
    if not isinstance(node, str):
        return node

    def known(name: str) -> bool:
        if name in values:
            used[name] = values[name]
            return True
        hint = did_you_mean(name, list(values)) or (
            "declare it under parameters: in the pack" if not values else f"known: {', '.join(sorted(values))}")
        problems.append(doc.problem("R014", loc, name=name, hint=hint))
        return False

    match = _PARAM_RE.match(node.strip())
    if match:
        return values[match.group(1)] if known(match.group(1)) else node
    return _INLINE_RE.sub(lambda m: literal(values[m.group(1)]) if known(m.group(1)) else m.group(0), node)


# --- reading packs ----------------------------------------------------------------------------------

def _read_yaml(path: Path) -> YamlDocument:
    """A pack's parsed YAML, reused while the file is unchanged (PyYAML is the slow part of loading)."""
    try:
        stat = path.stat()
    except OSError:
        return read_yaml(path)  # reports the missing file
    return _read_yaml_cached(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=128)
def _read_yaml_cached(path: str, mtime_ns: int, size: int) -> YamlDocument:
    return read_yaml(Path(path))


def read_pack(path: Path, overrides: dict[str, Any], builtins: dict[str, Any] | None = None) -> tuple[
        YamlDocument | None, Pack | None, list[dict[str, Any]], list[Problem]]:
    """One pack file: (document, pack, parameters used per rule, problems)."""
    builtins = builtins or builtin_parameters(None)
    try:
        doc = _read_yaml(path)
    except ConfigError as exc:
        # A pack that cannot be read at all (missing, a folder, not UTF-8, not YAML) is R001; a limit
        # (Y…) keeps its own code, which says more.
        return None, None, [], [Problem.of("R001", reason=p.message, file=p.file, line=p.line, hint=p.hint)
                                if p.code.startswith("C") else p for p in exc.problems]
    problems = [Problem.of("R002", reason=p.message, file=p.file, line=p.line, path=p.path, hint=p.hint)
                for p in doc.duplicates]
    data = doc.data
    if not isinstance(data, dict):
        return doc, None, [], [*problems, doc.problem("R007", ())]
    values = {**builtins, **_declared_parameters(data), **{k: v for k, v in overrides.items()
                                              if k in _declared_parameters(data)}}
    rules = data.get("rules") if isinstance(data.get("rules"), list) else []
    used_per_rule: list[dict[str, Any]] = []
    resolved_rules = []
    for i, raw in enumerate(rules):
        used: dict[str, Any] = {}
        resolved_rules.append(substitute(raw, values, ("rules", i), doc, problems, used))
        used_per_rule.append(used)
    resolved = {**data, "rules": resolved_rules} if "rules" in data else data
    try:
        pack = Pack.model_validate(resolved)
    except ValidationError as exc:
        problems += pydantic_problems(exc, doc)
        return doc, _partial_pack(resolved), used_per_rule, problems
    return doc, pack, used_per_rule, problems


def _partial_pack(data: dict[str, Any]) -> Pack:
    """The rules that are well-formed on their own, so their semantic problems are reported too.

    Rules that failed validation are left out (their problems are already reported); positions
    are kept by constructing the pack without validation, so every rule keeps its index.
    """
    rule_adapter = TypeAdapter(Rule)
    rules: list[Any] = []
    for raw in data.get("rules") or []:
        try:
            rules.append(rule_adapter.validate_python(raw))
        except ValidationError:
            rules.append(None)
    header = {k: data[k] for k in ("pack", "workflow", "title", "owner") if isinstance(data.get(k), str)}
    defaults = {"pack": "pack", "workflow": "workflow", "title": "", "owner": "operations"}
    return Pack.model_construct(**{**defaults, **header, "parameters": {}, "rules": rules})


def builtin_parameters(config: Config | None) -> dict[str, Any]:
    """Parameters every pack may use: `$timezone` is the zone of local times written without an offset."""
    return {"timezone": config.timezone if config is not None else "UTC"}


def load_rules(paths: Iterable[Path], config: Config | None = None,
               config_doc: YamlDocument | None = None) -> RuleSet:
    """Read and check every pack; raises ConfigError listing every problem in every file."""
    from recon.rules.checks import check_rules

    overrides: dict[str, Any] = dict(config.parameters) if config is not None else {}
    problems: list[Problem] = []
    loaded: list[LoadedRule] = []
    packs: list[tuple[Path, Pack]] = []
    declared: set[str] = set()
    for path in paths:
        doc, pack, used, file_problems = read_pack(path, overrides, builtin_parameters(config))
        problems += file_problems
        if doc is not None and isinstance(doc.data, dict):
            declared.update(_declared_parameters(doc.data))
        if pack is None or doc is None:
            continue
        if not any(p.file == str(path) for p in file_problems):
            packs.append((path, pack))
        for i, rule in enumerate(pack.rules):
            if rule is not None:
                loaded.append(LoadedRule(rule, pack, path, i, doc, used[i] if i < len(used) else {}))
    problems += check_rules(loaded, config)
    for name in overrides:
        if name not in declared:
            hint = did_you_mean(name, sorted(declared)) or (
                f"the rule packs declare: {', '.join(sorted(declared))}" if declared else None)
            problem = Problem.of("R033", name=name, path=f"parameters.{name}", hint=hint)
            if config_doc is not None:
                problem = config_doc.problem("R033", ("parameters", name), name=name, hint=hint)
            problems.append(problem)
    if problems:
        raise ConfigError(problems, title="rule packs are not valid")
    return RuleSet(loaded, packs)


__all__ = ["LoadedRule", "RuleSet", "load_rules", "read_pack", "schema"]
