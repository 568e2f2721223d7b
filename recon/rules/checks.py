"""Semantic checks of loaded rules against the canonical model, before anything runs.

pydantic has already checked the shape; here we check meaning: every table is a known
`<system>.<entity>`, every column a snippet names exists on that side (canonical fields, lookup
fields, or extra columns the config maps), aggregated sides only expose what they aggregate,
tolerances suit the compared type, every outcome has a business key and a clock when it is
age-gated, and rule ids and exception types are consistent across packs.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from typing import Any

from recon import catalogue
from recon.calendars import DEFAULT_CALENDAR, BusinessDays
from recon.catalogue import known_systems
from recon.config.schema import Config
from recon.config.yamlfile import Loc
from recon.errors import Problem, did_you_mean
from recon.model import ENTITIES
from recon.rules import snippets
from recon.rules.contract import COLUMN_NAMES, KEY_COLUMNS
from recon.rules.kinds import KINDS
from recon.rules.loader import LoadedRule
from recon.rules.schema import (
    CheckRule,
    DuplicateRule,
    Lookup,
    MatchRule,
    Outcome,
    Rows,
    Side,
    SideUnits,
    is_aggregate_function,
)
from recon.rules.tables import Extras, base_columns, category, compare_type, projected_columns, rows_columns


class RuleChecker:
    """Collects the problems of one rule; each method checks one part."""

    def __init__(self, loaded: LoadedRule, extras: Extras, systems: set[str]) -> None:
        self.loaded = loaded
        self.rule = loaded.rule
        self.extras = extras
        self.systems = systems
        self.problems: list[Problem] = []

    def add(self, code: str, loc: Loc, message: str | None = None, hint: Any = ..., **fields: Any) -> None:
        """Record the catalogued problem `code` at `loc` inside the rule."""
        self.problems.append(self.loaded.problem(code, loc, message, hint, **fields))

    # -- tables and snippets ----------------------------------------------------------------------

    def table(self, name: str, loc: Loc) -> bool:
        system, _, entity = name.partition(".")
        if system not in self.systems:
            self.add("R019", loc, system=system, table=name,
                     hint=did_you_mean(system, sorted(self.systems))
                     or f"known systems: {', '.join(sorted(self.systems))}")
            return False
        if entity not in ENTITIES:
            self.add("R011", loc, entity=entity, table=name,
                     hint=did_you_mean(entity, list(ENTITIES)) or f"entities: {', '.join(ENTITIES)}")
            return False
        return True

    def snippet(self, text: str | None, loc: Loc, scope: Mapping[str | None, Mapping[str, str]],
                what: str, *, aggregate: bool | None = None, hints: Mapping[str | None, str] | None = None) -> None:
        """Parse `text` and check each column against `scope` (qualifier -> columns)."""
        if text is None:
            return
        try:
            tree = snippets.parse(text)
        except snippets.SnippetError as exc:
            self.add("R090" if isinstance(exc, snippets.FileAccessError) else "R013", loc, what=what, reason=exc)
            return
        if aggregate is False and snippets.has_aggregate(tree):
            self.add("R032", loc, what=what)
        for qualifier, name in snippets.column_refs(tree):
            if qualifier not in scope:
                allowed = ", ".join(f"{q}.x" if q else "bare names" for q in scope)
                self.add("R025", loc, what=what, qualifier=qualifier, ref=f"{qualifier}.{name}", hint=f"use {allowed}")
                continue
            columns = scope[qualifier]
            if name not in columns:
                shown = f"{qualifier}.{name}" if qualifier else name
                hint = did_you_mean(name, list(columns)) or (hints or {}).get(qualifier)
                self.add("R012", loc, what=what, column=shown, hint=hint)

    def rows(self, rows: Rows, loc: Loc) -> dict[str, str] | None:
        """The table, its lookups, where and event_at; returns the side's columns when the table is known."""
        if not self.table(rows.table, (*loc, "table")):
            return None
        self.lookups(rows, loc)
        cols = rows_columns(rows, self.extras)
        self.snippet(rows.where, (*loc, "where"), {None: cols}, "where", aggregate=False)
        self.snippet(rows.event_at, (*loc, "event_at"), {None: cols}, "event_at", aggregate=False)
        return cols

    def lookups(self, rows: Rows | Lookup, loc: Loc) -> None:
        """Each lookup of `rows` (and, recursively, each lookup's own lookups).

        A lookup's `by` may name the table's columns or a field an earlier lookup brought in."""
        base = base_columns(rows.table, self.extras)
        seen = dict(base)
        for i, lookup in enumerate(rows.lookups):
            lloc = (*loc, "lookups", i)
            if not self.table(lookup.table, (*lloc, "table")):
                continue
            self.lookups(lookup, lloc)
            target = rows_columns(lookup, self.extras)
            if lookup.units is not None:
                self.units(lookup.units, target, (*lloc, "units"))
            for theirs, ours in lookup.on_pairs():
                if theirs not in target:
                    self.add("R026", (*lloc, "by"), column=theirs, table=lookup.table,
                             hint=did_you_mean(theirs, list(target)))
                if ours not in seen:
                    self.add("R026", (*lloc, "by"), column=ours, table=rows.table, hint=did_you_mean(ours, list(seen)))
            self.snippet(lookup.where, (*lloc, "where"), {None: target}, "lookup where", aggregate=False)
            for alias, column in lookup.field_pairs():
                self.snippet(column, (*lloc, "fields"), {None: target}, f"lookup field {alias}")
                if alias in base:
                    self.add("R027", (*lloc, "fields"), alias=alias, hidden=f"{rows.table}.{alias}",
                             hint=f"rename it: {{{lookup.table.split('.')[1][:-1]}_{alias}: {column}}}")
            seen.update({alias: "VARCHAR" for alias, _ in lookup.field_pairs()})

    def units(self, spec: SideUnits, cols: Mapping[str, str], loc: Loc) -> None:
        """A `units:` block names the unit and item of its rows and numeric columns to convert."""
        self.snippet(spec.uom, (*loc, "uom"), {None: cols}, "units uom", aggregate=False)
        self.snippet(spec.item, (*loc, "item"), {None: cols}, "units item", aggregate=False)
        for part in ("fields", "per_unit"):
            for column in getattr(spec, part):
                if column not in cols:
                    self.add("R012", (*loc, part), what=f"units {part}", column=column,
                             hint=did_you_mean(column, list(cols)))
                elif category(cols[column]) != "number":
                    self.add("R015", (*loc, part), func="convert", column=column)

    # -- outcomes ---------------------------------------------------------------------------------

    calendars: frozenset[str] = frozenset()  # the config's calendars (check_rules sets them)

    def clock(self, outcome: Outcome, loc: Loc) -> None:
        """A business-day age (`2bd`, `2bd:uk`) needs its calendar in the config's `calendars:`."""
        age = outcome.older_than
        if isinstance(age, BusinessDays):
            name = age.calendar or DEFAULT_CALENDAR
            if name not in self.calendars:
                known = sorted(self.calendars)
                self.add("R060", (*loc, "older_than"), calendar=name,
                         hint=did_you_mean(name, known) or (f"calendars: {', '.join(known)}" if known else
                                                            "define it under calendars: in recon.yaml"))

    def message(self, outcome: Outcome, loc: Loc) -> None:
        if outcome.message is None:
            return
        try:
            names = [f for _, f, _, _ in string.Formatter().parse(outcome.message) if f]
        except ValueError as exc:
            self.add("R037", (*loc, "message"), reason=exc)
            return
        extra = ["rows", *(["note"] if outcome.note is not None else [])]
        for name in names:
            if name not in COLUMN_NAMES and name not in extra:
                self.add("R038", (*loc, "message"), name=name, hint=did_you_mean(name, [*COLUMN_NAMES, *extra]))

    def business_key(self, outcome: Outcome, loc: Loc, default: list[str]) -> tuple[str, ...]:
        names = list(outcome.key) if outcome.key is not None else default
        for name in [*names, *outcome.context]:
            if name not in KEY_COLUMNS:
                where = "key" if name in names else "context"
                self.add("R039", (*loc, where), name=name,
                         hint=did_you_mean(name, list(KEY_COLUMNS)) or f"key columns: {', '.join(KEY_COLUMNS)}")
        if not names:
            self.add("R040", loc, exception=outcome.exception,
                     hint=f"name keys after exception columns ({', '.join(KEY_COLUMNS)}) or give key: {{column: expr}}")
        return tuple(n for n in KEY_COLUMNS if n in names)


class MatchChecker(RuleChecker):
    rule: MatchRule

    def run(self) -> dict[str, tuple[str, ...]]:
        rule = self.rule
        sides: dict[str, dict[str, str]] = {}
        for name in ("left", "right"):
            side: Side = getattr(rule, name)
            cols = self.rows(side, (name,))
            if cols is None:
                continue
            sides[name] = cols
            for agg_name, func in (side.aggregate or {}).items():
                if not is_aggregate_function(func):  # an expression: its columns must be the side's
                    self.snippet(func, (name, "aggregate", agg_name), {None: cols}, f"aggregate {agg_name}")
                elif agg_name not in cols:
                    self.add("R028", (name, "aggregate", agg_name), column=agg_name,
                             hint=did_you_mean(agg_name, list(cols)))
                elif func in ("sum", "avg") and category(cols[agg_name]) != "number":
                    self.add("R015", (name, "aggregate", agg_name), func=func, column=agg_name)
            for column in side.dedupe or []:
                if column not in cols:
                    self.add("R029", (name, "dedupe"), column=column, hint=did_you_mean(column, list(cols)))
            if side.units is not None:
                self.units(side.units, cols, (name, "units"))
            for i, key in enumerate(rule.keys):
                self.snippet(key.expr_for(name), ("keys", i), {None: cols}, f"{name} key {key.name}",
                             aggregate=False)
        if rule.ambiguous is not None and not rule.fuzzy:
            self.add("R041", ("ambiguous",))
        if rule.record is not None and rule.record not in ENTITIES:
            self.add("R023", ("record",), entity=rule.record, hint=did_you_mean(rule.record, list(ENTITIES)))
        if len(sides) < 2:
            return {}
        key_names = {k.name: "VARCHAR" for k in rule.keys}
        scope: dict[str | None, Mapping[str, str]] = {
            None: key_names,
            "left": projected_columns(rule.left, self.extras),
            "right": projected_columns(rule.right, self.extras),
        }
        hints = {q: f"the {q} side is aggregated; add the column to its aggregate (e.g. min)"
                 for q in ("left", "right") if getattr(rule, q).aggregate is not None}
        hints[None] = "bare names are the keys; write left.x or right.x for a side's column"
        for i, level in enumerate(rule.fuzzy):
            for side in ("left", "right"):
                text = getattr(level, side) or f"{side}.{level.field}"
                self.snippet(text, ("fuzzy", i, side if getattr(level, side) else "field"), scope,
                             f"fuzzy {side}", aggregate=False, hints=hints)
        default_key = [k.name for k in rule.keys if k.name in KEY_COLUMNS]
        types: dict[str, tuple[str, ...]] = {}
        compares = iter(range(len(rule.compare)))
        for kind, outcome in rule.outcomes():
            loc: Loc = ("compare", next(compares)) if kind == "mismatch" else (kind,)
            self.outcome(kind, outcome, loc, scope, hints)
            self.clock(outcome, loc)
            types[outcome.exception] = self.business_key(outcome, loc, default_key)
        for i, compare in enumerate(rule.compare):
            loc = ("compare", i)
            for side in ("left", "right"):
                text = getattr(compare, side) or f"{side}.{compare.field}"
                self.snippet(text, (*loc, side if getattr(compare, side) else "field"), scope,
                             f"compare {compare.field} {side}", hints=hints)
            kind = compare_type(rule, compare, self.extras)
            tol = compare.tolerance
            if tol is not None and kind == "text":
                self.add("R016", (*loc, "tolerance"), name=compare.field)
            elif tol is not None and tol.is_time and kind != "time":
                self.add("R034", (*loc, "tolerance"), name=compare.field, kind=kind)
            elif tol is not None and not tol.is_time and kind == "time":
                self.add("R035", (*loc, "tolerance"), name=compare.field)
            if compare.normalise and kind != "text":
                self.add("R036", (*loc, "normalise"), name=compare.field, kind=kind)
        return types

    def outcome(self, kind: str, outcome: Outcome, loc: Loc, scope: Mapping[str | None, Mapping[str, str]],
                hints: Mapping[str | None, str]) -> None:
        self.message(outcome, loc)
        for part in ("value_at_risk", "currency", "note"):
            self.snippet(getattr(outcome, part), (*loc, part), scope, part, hints=hints)
        for name, text in {**(outcome.key or {}), **outcome.context}.items():
            self.snippet(text, (*loc, "key" if name in (outcome.key or {}) else "context", name), scope,
                         f"key {name}", hints=hints)
        if outcome.older_than is not None:
            side = event_side(self.rule, kind, outcome)
            if side is None:
                self.add("R017", (*loc, "older_than"))


class SingleChecker(RuleChecker):
    """What check and duplicate rules share: one table, keys, one outcome keyed by the rule's keys."""

    rule: CheckRule | DuplicateRule
    outcome_aggregates: bool | None = False  # may value_at_risk and context aggregate (None: either way)

    def run(self) -> dict[str, tuple[str, ...]]:
        rule = self.rule
        cols = self.rows(rule, ())
        if cols is None:
            return {}
        scope: dict[str | None, Mapping[str, str]] = {None: cols}
        for i, key in enumerate(rule.keys):
            if key.left or key.right:
                self.add("R008", ("keys", i))
            self.snippet(key.expr_for(), ("keys", i), scope, f"key {key.name}", aggregate=False)
        outcome, loc = rule.outcome, ("outcome",)
        self.message(outcome, loc)
        self.clock(outcome, loc)
        self.own_parts(scope, cols)
        for part in ("value_at_risk", "currency"):
            self.snippet(getattr(outcome, part), (*loc, part), scope, part, aggregate=self.outcome_aggregates)
        for name, text in outcome.context.items():
            self.snippet(text, (*loc, "context", name), scope, f"context {name}", aggregate=self.outcome_aggregates)
        if outcome.key is not None:
            self.add("R042", (*loc, "key"))
        if outcome.note is not None:
            self.add("R075", (*loc, "note"))
        if outcome.event is not None:
            self.add("R043", (*loc, "event"))
        if outcome.older_than is not None and rule.event_at is None:
            self.add("R017", (*loc, "older_than"), hint="e.g. event_at: shipped_at")
        key = self.business_key(outcome.model_copy(update={"key": None}), loc, [k.name for k in rule.keys])
        return {outcome.exception: key}

    def own_parts(self, scope: Mapping[str | None, Mapping[str, str]], cols: Mapping[str, str]) -> None:
        """The kind's own fields."""


class CheckChecker(SingleChecker):
    rule: CheckRule

    def own_parts(self, scope: Mapping[str | None, Mapping[str, str]], cols: Mapping[str, str]) -> None:
        self.snippet(self.rule.require, ("require",), scope, "require", aggregate=False)
        self.snippet(self.rule.value, ("value",), scope, "value", aggregate=False)


class DuplicateChecker(SingleChecker):
    rule: DuplicateRule
    outcome_aggregates = None  # a duplicate's outcome is per key: sum(qty) or a column (its min)

    def own_parts(self, scope: Mapping[str | None, Mapping[str, str]], cols: Mapping[str, str]) -> None:
        distinct = self.rule.distinct
        if distinct is not None and distinct not in cols:
            self.add("R030", ("distinct",), column=distinct, hint=did_you_mean(distinct, list(cols)))


def event_side(rule: MatchRule, kind: str, outcome: Outcome) -> str | None:
    """Which side's event_at is the outcome's clock: declared, else the side that has the row."""
    preferred = outcome.event or {"missing_right": "left", "missing_left": "right"}.get(kind, "left")
    order = [preferred, "right" if preferred == "left" else "left"] if outcome.event is None else [preferred]
    for side in order:
        if getattr(rule, side).event_at is not None:
            return side
    return None


def check_rules(loaded: Iterable[LoadedRule], config: Config | None = None) -> list[Problem]:
    """Every semantic problem of every rule, including duplicate ids and inconsistent exception keys."""
    extras = catalogue.extras(config)
    systems = known_systems(config)
    calendars = frozenset(config.business_calendars()) if config is not None else frozenset()
    problems: list[Problem] = []
    seen: dict[str, LoadedRule] = {}
    type_keys: dict[str, tuple[tuple[str, ...], LoadedRule]] = {}
    for item in loaded:
        first = seen.get(item.id)
        if first is not None:
            problems.append(item.problem("R010", ("id",), rule=item.id, first=f"{first.file}:{first.line}"))
        else:
            seen[item.id] = item
        checker = KINDS[item.rule.kind].checker()(item, extras, systems)  # the kind's checker (recon.rules.kinds)
        checker.calendars = calendars
        types = checker.run()
        problems += checker.problems
        for exception, key in types.items():
            if exception in type_keys and type_keys[exception][0] != key and key:
                other_key, other = type_keys[exception]
                problems.append(item.problem("R018", ("id",), exception=exception, key=", ".join(key),
                                             other_key=", ".join(other_key), other=other.id))
            else:
                type_keys.setdefault(exception, (key, item))
    return problems
