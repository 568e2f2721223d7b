"""Rule coverage of a planned config: which bundled rules will run, which will be skipped for want
of a table, and which canonical fields the running ones read that no source maps.

It reads the rule registry (the bundled packs) and the canonical model, never the data: a rule
runs when every table it needs is loaded (as `recon.rules.runner.prepare_rule` decides), and a
field counts as read when its name appears in the rule's compiled SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from recon.formats import FORMATS
from recon.model import ENTITIES
from recon.rules.compiler import compile_rule
from recon.rules.registry import load_project_rules
from recon.scaffold.propose import Plan

_WORD = re.compile(r"[a-z_][a-z0-9_]*")


@dataclass(frozen=True)
class RuleCoverage:
    rule_id: str
    workflow: str
    runs: bool
    missing_tables: tuple[str, ...]  # why it is skipped
    empty_fields: tuple[str, ...]  # `system.entity.field` it reads that no source maps


def tables_of(plan: Plan) -> dict[str, set[str] | None]:
    """`system.entity` -> the fields its sources map (None: an EDI format fills every field)."""
    out: dict[str, set[str] | None] = {}
    for s in plan.sources:
        if s.entity is None:
            fmt = FORMATS.get(s.format or "")
            for entity in (fmt.entities or ()) if fmt else ():
                out[f"{s.system}.{entity}"] = None
            continue
        table = f"{s.system}.{s.entity}"
        known = out.get(table, set())
        if known is not None:
            out[table] = known | set(s.columns)
    return out


def coverage(plan: Plan) -> list[RuleCoverage]:
    loaded = tables_of(plan)
    out = []
    for rule in load_project_rules(None).rules:
        needed = rule.rule.tables()
        missing = tuple(t for t in needed if t not in loaded)
        empty: list[str] = []
        if not missing:
            words = set(_WORD.findall(compile_rule(rule).sql))
            for table in needed:
                fields = loaded[table]
                entity = ENTITIES.get(table.split(".", 1)[1])
                if fields is None or entity is None:
                    continue
                empty += [f"{table}.{f}" for f in entity.fields if f in words and f not in fields]
        out.append(RuleCoverage(rule.id, rule.workflow, not missing, missing, tuple(empty)))
    return out
