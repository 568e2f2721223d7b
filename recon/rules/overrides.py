"""A site's overrides of rules it did not write: `overrides:` in recon.yaml applied to a rule's YAML.

Pure: a raw rule (the mapping read from its pack) and the config's pack and rule overrides give
the rule as this site runs it, plus where each overridden value came from in the config, so a
problem the rule models or the semantic checks find in an overridden value points at the line
of recon.yaml that set it, not at the bundled pack that did not.

Merging is the YAML's: mappings key by key, lists replaced whole, except `compare`, which also
takes a mapping by compared field (`compare: {qty: {tolerance: {abs: 1}}}`). `severity` and
`owner` of a pack or rule apply to every outcome; `exceptions: {TYPE: {...}}` to the outcomes of
one exception type; anything more specific wins over anything more general.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from recon.config.schema import PackOverride, RuleOverride
from recon.config.yamlfile import Loc

OUTCOME_KEYS = ("missing_right", "missing_left", "unconvertible", "ambiguous", "outcome")


@dataclass(frozen=True)
class Applied:
    """A rule after its overrides: the merged YAML, the parameter values for it alone, and where
    each overridden part was set (rule-relative path -> config path)."""

    raw: Any
    parameters: dict[str, Any] = field(default_factory=dict)
    origins: dict[Loc, Loc] = field(default_factory=dict)



def outcome_paths(raw: Mapping[str, Any]) -> Iterator[tuple[Loc, dict[str, Any]]]:
    """(path, outcome mapping) of every outcome of a raw rule, in any kind."""
    for key in OUTCOME_KEYS:
        if isinstance(raw.get(key), dict):
            yield (key,), raw[key]
    compare = raw.get("compare")
    if isinstance(compare, list):
        for i, item in enumerate(compare):
            if isinstance(item, dict):
                yield ("compare", i), item


def exception_types(raw: Mapping[str, Any]) -> list[str]:
    return [str(o["exception"]) for _, o in outcome_paths(raw) if "exception" in o]


def _merge(base: Any, change: Any, path: Loc, origin: Loc, origins: dict[Loc, Loc]) -> Any:
    """`change` merged into `base` (a copy): mappings by key, `compare` by field, anything else replaced."""
    if isinstance(change, dict) and isinstance(base, dict):
        out = dict(base)
        for key, value in change.items():
            out[key] = _merge(base.get(key), value, (*path, key), (*origin, key), origins)
        return out
    if isinstance(change, dict) and isinstance(base, list) and path and path[-1] == "compare":
        out_list = list(base)
        fields = [item.get("field") if isinstance(item, dict) else None for item in base]
        for name, value in change.items():
            if name in fields:
                i = fields.index(name)
                out_list[i] = _merge(base[i], value, (*path, i), (*origin, name), origins)
            else:  # a new compared field: validated like any, with `field` filled in
                out_list.append(_merge({"field": name}, value, (*path, len(out_list)), (*origin, name), origins))
                fields.append(name)
        return out_list
    origins[path] = origin
    return copy.deepcopy(change)


def _every_outcome(raw: dict[str, Any], values: dict[str, Any], origin: Loc, origins: dict[Loc, Loc]) -> None:
    for path, outcome in outcome_paths(raw):
        for key, value in values.items():
            outcome[key] = value
            origins[(*path, key)] = (*origin, key)


def apply(raw: Any, rule_id: str, pack_name: str, packs: Mapping[str, PackOverride],
          rules: Mapping[str, RuleOverride]) -> Applied:
    """The rule `raw` (from pack `pack_name`) with the config's overrides applied."""
    pack, rule = packs.get(pack_name), rules.get(rule_id)
    if not isinstance(raw, dict) or (pack is None and rule is None):
        return Applied(raw)
    merged = copy.deepcopy(raw)
    origins: dict[Loc, Loc] = {}
    parameters: dict[str, Any] = {}
    for setting, origin in ((pack, ("overrides", "packs", pack_name)), (rule, ("overrides", "rules", rule_id))):
        if setting is None:
            continue
        parameters.update(setting.parameters)
        origins.update({(f"${name}",): (*origin, "parameters", name) for name in setting.parameters})
        shortcuts = {k: getattr(setting, k) for k in ("severity", "owner") if getattr(setting, k) is not None}
        _every_outcome(merged, shortcuts, origin, origins)
    if rule is not None:
        origin = ("overrides", "rules", rule_id)
        merged = _merge(merged, rule.rule_keys, (), origin, origins)
        for exception, values in rule.exceptions.items():
            for path, outcome in outcome_paths(merged):
                if outcome.get("exception") == exception:
                    where = outcome
                    for key, value in values.items():
                        where[key] = _merge(where.get(key), value, (*path, key),
                                            (*origin, "exceptions", exception, key), origins)
    return Applied(merged, parameters, origins)


def described(origins: Mapping[Loc, Loc]) -> list[str]:
    """What recon.yaml overrides in a rule, as the keys written there (`severity`, `left.where`,
    `parameters.invoice_cutoff`; `pack: owner` for a pack-wide setting), for `recon rules list`."""
    out = set()
    for origin in origins.values():
        text = ".".join(str(p) for p in origin[3:])
        out.add(f"pack: {text}" if origin[1] == "packs" else text)
    return sorted(out)


def relocate(loc: Loc, origins: Mapping[Loc, Loc]) -> Loc | None:
    """The config path of a problem at rule-relative `loc`, when an override set (a part of) it."""
    best: tuple[int, Loc] | None = None
    for path, origin in origins.items():
        if loc[:len(path)] == path:  # inside an overridden value
            candidate = (*origin, *loc[len(path):])
        elif path[:len(loc)] == loc:  # a problem with a mapping an override changed a part of
            candidate = origin[:max(3, len(origin) - (len(path) - len(loc)))]
        else:
            continue
        if best is None or len(path) > best[0]:
            best = (len(path), candidate)
    return best[1] if best else None


__all__ = ["Applied", "apply", "described", "exception_types", "outcome_paths", "relocate"]
