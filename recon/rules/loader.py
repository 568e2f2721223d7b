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

from recon.config.schema import Config, Overrides
from recon.config.yamlfile import Loc, YamlDocument, read_yaml
from recon.errors import ConfigError, Problem, did_you_mean
from recon.rules import overrides as rule_overrides
from recon.rules import schema
from recon.rules.kinds import KINDS, RULE_MODELS, Pack, Rule, kinds_text
from recon.rules.schema import CheckRule, DuplicateRule, MatchRule
from recon.rules.sqlparts import AS_OF
from recon.sql import literal

AnyRule = MatchRule | CheckRule | DuplicateRule
_PARAM_RE = re.compile(r"^\$([a-z][a-z0-9_]*)$")


class RunSql(str):
    """A built-in parameter known only when the run starts: SQL text (a bound parameter of the
    compiled statement), written into a snippet as is, never quoted as a literal."""


@dataclass(frozen=True)
class LoadedRule:
    """A validated rule with where it came from and the parameter values it was resolved with."""

    rule: AnyRule
    pack: Pack
    file: Path
    index: int
    doc: YamlDocument = field(repr=False, compare=False)
    parameters: dict[str, Any] = field(default_factory=dict)
    # Not run: why (`overrides.rules.X.enabled: false` in recon.yaml, `--exclude X`); None when enabled.
    disabled: str | None = None
    # The parts recon.yaml's `overrides:` changed: rule path -> config path (recon.rules.overrides).
    origins: dict[Loc, Loc] = field(default_factory=dict, repr=False, compare=False)
    config_doc: YamlDocument | None = field(default=None, repr=False, compare=False)

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

    @property
    def enabled(self) -> bool:
        return self.disabled is None

    @property
    def overridden(self) -> list[str]:
        """What recon.yaml overrides in this rule (`severity`, `left.where`, `parameters.invoice_cutoff`)."""
        return rule_overrides.described(self.origins)

    def problem(self, code: str, loc: Loc, message: str | None = None, hint: Any = ..., **fields: Any) -> Problem:
        """The catalogued problem `code` at `loc` inside this rule (see `YamlDocument.problem`); in
        recon.yaml when an override set the value at `loc`."""
        moved = rule_overrides.relocate(loc, self.origins) if self.origins else None
        if moved is not None and self.config_doc is not None:
            return self.config_doc.problem(code, moved, message, hint, **fields)
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
            if isinstance(node, dict) and node.get("kind") in KINDS and models == list(RULE_MODELS):
                models = [KINDS[node["kind"]].model]
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
        if i == 2 and loc[0] == "rules" and part in KINDS:
            continue
        if isinstance(part, str) and ("[" in part or part in ("str", "list[str]", "dict[str,str]")):
            continue
        out.append(part)
    return tuple(out)


def pydantic_problems(exc: ValidationError, doc: YamlDocument,
                      moved: typing.Callable[[Loc], tuple[YamlDocument, Loc]] | None = None) -> list[Problem]:
    """Located problems of a pack's validation error; `moved` relocates those an override caused."""
    found: dict[tuple[Loc, str], Problem] = {}
    for err in exc.errors():
        clean = _clean_loc(err["loc"])
        kind = err["type"]
        names_loc = clean
        doc_at, loc = moved(clean) if moved is not None else (doc, clean)
        if kind in ("string_type", "list_type") and isinstance(err.get("input"), dict | list):
            continue  # the other branch of a `list | dict` field reports the real problem
        if kind == "extra_forbidden":
            key = str(loc[-1])
            names = [n for m in _models_at(names_loc[:-1], doc.data) for n in m.model_fields]
            problem = doc_at.problem("R003", loc, key=key, hint=did_you_mean(key, names))
        elif kind == "missing":
            problem = doc_at.problem("R004", loc, key=loc[-1])
        elif kind == "union_tag_invalid" or (kind == "union_tag_not_found"):
            problem = doc_at.problem("R006", loc, kinds=kinds_text())
        else:
            message = err["msg"].removeprefix("Value error, ")
            problem = doc_at.problem("R005", loc, message=message)
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
            if not isinstance(values[name], RunSql):  # the run's values are not the rule's settings
                used[name] = values[name]
            return True
        hint = did_you_mean(name, list(values)) or (
            "declare it under parameters: in the pack" if not values else f"known: {', '.join(sorted(values))}")
        problems.append(doc.problem("R014", loc, name=name, hint=hint))
        return False

    match = _PARAM_RE.match(node.strip())
    if match:
        return values[match.group(1)] if known(match.group(1)) else node
    return _INLINE_RE.sub(lambda m: sql_text(values[m.group(1)]) if known(m.group(1)) else m.group(0), node)


def sql_text(value: Any) -> str:
    """A parameter's value inside a SQL snippet: a config value as a literal, a run value as its SQL."""
    return value if isinstance(value, RunSql) else literal(value)


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


def read_pack(path: Path, overrides: dict[str, Any], builtins: dict[str, Any] | None = None,
              settings: Overrides | None = None, config_doc: YamlDocument | None = None) -> tuple[
        YamlDocument | None, Pack | None, list[dict[str, Any]], list[Problem], list[rule_overrides.Applied]]:
    """One pack file: (document, pack, parameters used per rule, problems, each rule's overrides).

    `overrides` are the config's `parameters:`; `settings` its `overrides:` section (recon.rules.overrides),
    whose problems are located in `config_doc`."""
    builtins = builtins or builtin_parameters(None)
    try:
        doc = _read_yaml(path)
    except ConfigError as exc:
        # A pack that cannot be read at all (missing, a folder, not UTF-8, not YAML) is R001; a limit
        # (Y…) keeps its own code, which says more.
        return None, None, [], [Problem.of("R001", reason=p.message, file=p.file, line=p.line, hint=p.hint)
                                if p.code.startswith("C") else p for p in exc.problems], []
    problems = [Problem.of("R002", reason=p.message, file=p.file, line=p.line, path=p.path, hint=p.hint)
                for p in doc.duplicates]
    data = doc.data
    if not isinstance(data, dict):
        return doc, None, [], [*problems, doc.problem("R007", ())], []
    declared = _declared_parameters(data)
    values = {**builtins, **declared, **{k: v for k, v in overrides.items() if k in declared}}
    rules = data.get("rules") if isinstance(data.get("rules"), list) else []
    settings = settings or Overrides()
    used_per_rule: list[dict[str, Any]] = []
    applied: list[rule_overrides.Applied] = []
    resolved_rules = []
    for i, raw in enumerate(rules):
        used: dict[str, Any] = {}
        rule_id = raw.get("id") if isinstance(raw, dict) else None
        this = rule_overrides.apply(raw, str(rule_id), str(data.get("pack")), settings.packs, settings.rules)
        applied.append(this)
        known = {**values, **{k: v for k, v in this.parameters.items() if k in declared}}
        resolved_rules.append(substitute(this.raw, known, ("rules", i), doc, problems, used))
        used_per_rule.append(used)
    resolved = {**data, "rules": resolved_rules} if "rules" in data else data
    try:
        pack = Pack.model_validate(resolved)
    except ValidationError as exc:
        problems += pydantic_problems(exc, doc, functools.partial(_moved, doc, applied, config_doc))
        return doc, _partial_pack(resolved), used_per_rule, problems, applied
    return doc, pack, used_per_rule, problems, applied


def _moved(doc: YamlDocument, applied: list[rule_overrides.Applied], config_doc: YamlDocument | None,
           loc: Loc) -> tuple[YamlDocument, Loc]:
    """Where a pack problem at `loc` belongs: recon.yaml when an override set that value."""
    if config_doc is None or len(loc) < 2 or loc[0] != "rules" or not isinstance(loc[1], int):
        return doc, loc
    index = loc[1]
    moved = rule_overrides.relocate(loc[2:], applied[index].origins) if index < len(applied) else None
    return (config_doc, moved) if moved is not None else (doc, loc)


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
    """Parameters every pack may use: `$timezone` is the zone of local times written without an offset;
    `$as_of` the run's as-of time (`--as-of`, a TIMESTAMPTZ in UTC), so that a condition on time
    (a transfer still in transit, days since it shipped) gives the same answer when an old
    `--as-of` is replayed. It stays the statement's bound parameter: rules compile before the run
    knows its time, and the compiled SQL (and its golden files) does not change with it."""
    return {"timezone": config.timezone if config is not None else "UTC", "as_of": RunSql(AS_OF)}


def load_rules(paths: Iterable[Path], config: Config | None = None,
               config_doc: YamlDocument | None = None) -> RuleSet:
    """Read and check every pack; raises ConfigError listing every problem in every file."""
    from recon.rules.checks import check_rules

    overrides: dict[str, Any] = dict(config.parameters) if config is not None else {}
    settings = config.overrides if config is not None else Overrides()
    problems: list[Problem] = []
    loaded: list[LoadedRule] = []
    packs: list[tuple[Path, Pack]] = []
    declared: set[str] = set()
    pack_parameters: dict[str, set[str]] = {}  # pack name -> the parameters it declares
    choices: dict[str, list[Any]] = {}  # parameter -> the values a pack allows (`choices:`)
    rule_exceptions: dict[str, tuple[str, list[str]]] = {}  # rule id -> (pack name, exception types)
    for path in paths:
        doc, pack, used, file_problems, applied = read_pack(path, overrides, builtin_parameters(config),
                                                            settings, config_doc)
        problems += file_problems
        if doc is not None and isinstance(doc.data, dict):
            declared.update(_declared_parameters(doc.data))
            name = str(doc.data.get("pack"))
            pack_parameters.setdefault(name, set()).update(_declared_parameters(doc.data))
            for param, spec in (doc.data.get("parameters") or {}).items():
                if isinstance(spec, dict) and isinstance(spec.get("choices"), list):
                    choices[param] = spec["choices"]
            for raw in doc.data.get("rules") or []:
                if isinstance(raw, dict) and "id" in raw:
                    rule_exceptions[str(raw["id"])] = (name, rule_overrides.exception_types(raw))
        if pack is None or doc is None:
            continue
        if not any(p.file == str(path) for p in file_problems):
            packs.append((path, pack))
        for i, rule in enumerate(pack.rules):
            if rule is not None:
                origins = applied[i].origins if i < len(applied) else {}
                loaded.append(LoadedRule(rule, pack, path, i, doc, used[i] if i < len(used) else {},
                                         disabled=_disabled(rule.id, pack.pack, settings), origins=origins,
                                         config_doc=config_doc))
    problems += check_rules(loaded, config)
    for name in overrides:
        if name not in declared:
            hint = did_you_mean(name, sorted(declared)) or (
                f"the rule packs declare: {', '.join(sorted(declared))}" if declared else None)
            problems.append(_config_problem(config_doc, "R033", ("parameters", name), name=name, hint=hint))
    problems += _override_problems(settings, pack_parameters, rule_exceptions, config_doc)
    problems += _choice_problems(config, choices, config_doc)
    if problems:
        raise ConfigError(problems, title="rule packs are not valid")
    return RuleSet(loaded, packs)


def _disabled(rule_id: str, pack_name: str, settings: Overrides) -> str | None:
    """Why recon.yaml switches the rule off, or None; a rule's own `enabled:` wins over its pack's."""
    rule = settings.rules.get(rule_id)
    if rule is not None and "enabled" in rule.model_fields_set:
        return None if rule.enabled else f"disabled in the config (overrides.rules.{rule_id}.enabled: false)"
    pack = settings.packs.get(pack_name)
    if pack is not None and not pack.enabled:
        return f"disabled in the config (overrides.packs.{pack_name}.enabled: false)"
    return None


def _config_problem(config_doc: YamlDocument | None, code: str, loc: Loc, **fields: Any) -> Problem:
    if config_doc is not None:
        return config_doc.problem(code, loc, **fields)
    return Problem.of(code, path=".".join(str(p) for p in loc), **fields)


def _override_problems(settings: Overrides, pack_parameters: dict[str, set[str]],
                       rule_exceptions: dict[str, tuple[str, list[str]]],
                       config_doc: YamlDocument | None) -> list[Problem]:
    """`overrides:` entries naming no pack, rule, parameter or exception type in use (with did-you-mean)."""
    out: list[Problem] = []
    for name, pack in settings.packs.items():
        loc: Loc = ("overrides", "packs", name)
        if name not in pack_parameters:
            out.append(_config_problem(config_doc, "R071", loc, name=name, hint=did_you_mean(
                name, sorted(pack_parameters)) or f"packs in use: {', '.join(sorted(pack_parameters))}"))
            continue
        out += _parameter_problems(pack.parameters, pack_parameters[name], loc, config_doc)
    for rule_id, rule in settings.rules.items():
        loc = ("overrides", "rules", rule_id)
        if rule_id not in rule_exceptions:
            out.append(_config_problem(config_doc, "R070", loc, rule=rule_id, hint=did_you_mean(
                rule_id, sorted(rule_exceptions)) or "`recon rules list` shows every rule id"))
            continue
        pack_name, types = rule_exceptions[rule_id]
        out += _parameter_problems(rule.parameters, pack_parameters.get(pack_name, set()), loc, config_doc)
        for exception in rule.exceptions:
            if exception not in types:
                out.append(_config_problem(config_doc, "R072", (*loc, "exceptions", exception), rule=rule_id,
                                           exception=exception, hint=did_you_mean(exception, types)
                                           or f"{rule_id} raises: {', '.join(types)}"))
    return out


def _choice_problems(config: Config | None, choices: dict[str, list[Any]],
                     config_doc: YamlDocument | None) -> list[Problem]:
    """A parameter value the config gives (top level or in an override) that its pack does not allow."""
    if config is None or not choices:
        return []
    given: list[tuple[Loc, str, Any]] = [(("parameters", k), k, v) for k, v in config.parameters.items()]
    for kind, entries in (("packs", config.overrides.packs), ("rules", config.overrides.rules)):
        for name, setting in entries.items():
            given += [(("overrides", kind, name, "parameters", k), k, v) for k, v in setting.parameters.items()]
    return [_config_problem(config_doc, "R074", loc, name=name, value=value,
                            choices=", ".join(str(c) for c in choices[name]))
            for loc, name, value in given if name in choices and value not in choices[name]]


def _parameter_problems(given: dict[str, Any], declared: set[str], loc: Loc,
                        config_doc: YamlDocument | None) -> list[Problem]:
    out = []
    for name in given:
        if name not in declared:
            hint = did_you_mean(name, sorted(declared)) or (
                f"the pack declares: {', '.join(sorted(declared))}" if declared else "the pack declares none")
            out.append(_config_problem(config_doc, "R033", (*loc, "parameters", name), name=name, hint=hint))
    return out


__all__ = ["LoadedRule", "RuleSet", "load_rules", "read_pack", "schema"]
