"""Coverage before data: does the config provide every table and field each rule reads?

A canonical table always has every canonical column, so a rule whose `where` reads a field no
source maps still runs: the field is NULL on every row, the filter drops them all, and the
rule silently finds nothing (and so "resolves" everything it found the night before). This
module answers, from the config alone, which rules cannot be evaluated and why, so that
`recon validate` can warn before the night and `recon run` can refuse to trust such a rule.

What a rule *needs* (a missing one makes the rule not evaluated): the columns of its `where`,
its keys, `require`/`value`, dedupe and distinct columns, compared and fuzzy
fields, a lookup's join columns on the rule's own table, and `event_at` when an outcome is
age-gated (`older_than`). What it only *uses* (value at risk, currency, context, messages,
lookup tables) may be missing: the rule runs and those columns read empty, as documented.

Pure: the columns a source provides come from the config's mappings and, for a format that maps
itself (X12), from the format registry through `recon.catalogue` (it fills every canonical field
of the entities it feeds, plus its extras). A rule kind this module does not know is checked on
its tables only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from recon import catalogue
from recon.config.schema import Config
from recon.config.yamlfile import YamlDocument
from recon.derive import derived_columns, plan_derive
from recon.errors import Problem, did_you_mean
from recon.formats import format_of
from recon.model import ENTITIES, LINEAGE_COLUMNS
from recon.rules import snippets
from recon.rules.loader import LoadedRule
from recon.rules.schema import CheckRule, DuplicateRule, MatchRule, Rows

OK, NOT_EVALUATED, NOT_APPLICABLE, SKIPPED, DISABLED = "ok", "not-evaluated", "not-applicable", "skipped", "disabled"


@dataclass(frozen=True)
class RuleCoverage:
    """One rule against the config: ok, not applicable (no source for a table) or not evaluated."""

    rule_id: str
    status: str
    missing_tables: tuple[str, ...] = ()
    missing_fields: tuple[str, ...] = ()  # `erp.orders.released_at`
    disabled: str | None = None  # why the config switched it off

    @property
    def reason(self) -> str | None:
        if self.status == DISABLED:
            return self.disabled
        if self.status == SKIPPED:
            return "listed in skip_rules"
        if self.missing_tables:
            return f"no source loads {', '.join(self.missing_tables)}"
        if self.missing_fields:
            return f"missing {', '.join(self.missing_fields)}"
        return None

    def to_dict(self) -> dict[str, object]:
        return {"rule": self.rule_id, "status": self.status, "reason": self.reason,
                "missing_tables": list(self.missing_tables), "missing_fields": list(self.missing_fields)}


def provided_columns(config: Config) -> dict[str, set[str]]:
    """`system.entity` -> the fields some source of the config fills (lineage columns included).

    A tabular source fills the fields it maps; an EDI source every column of each entity it feeds
    (canonical fields and the format's extras, `recon.catalogue`).
    """
    out: dict[str, set[str]] = {}
    extras = catalogue.extras(config)
    for source in config.sources.values():
        fmt = format_of(source)
        if fmt.is_edi:
            for entity in fmt.entities or ():
                table = f"{source.system}.{entity}"
                out.setdefault(table, set(LINEAGE_COLUMNS)).update(catalogue.columns(table, extras))
            continue
        if source.entity not in ENTITIES:
            continue
        out.setdefault(f"{source.system}.{source.entity}", set(LINEAGE_COLUMNS)).update(source.column_specs())
    for table, names in derived_columns(plan_derive(config)[0]).items():  # what `derive:` steps fill
        out.setdefault(table, set(LINEAGE_COLUMNS)).update(names)
    return out


@dataclass
class _Needs:
    """table -> fields a rule needs (missing: not evaluated)."""

    fields: dict[str, set[str]] = field(default_factory=dict)

    def add(self, table: str, names: Iterable[str]) -> None:
        self.fields.setdefault(table, set()).update(names)


def _refs(text: str | None, qualifier: str | None = None) -> set[str]:
    """Column names an expression reads (those under `qualifier`, or bare ones when it is None)."""
    if not text:
        return set()
    try:
        tree = snippets.parse(text)
    except snippets.SnippetError:
        return set()
    return {name for q, name in snippets.column_refs(tree) if q == qualifier}


def _side_needs(rows: Rows, names: set[str], needs: _Needs) -> None:
    """Resolve `names` read on a side: a lookup alias is the lookup's business, a column is the table's."""
    aliases: set[str] = set()
    for lookup in rows.lookups:
        aliases.update(alias for alias, _ in lookup.field_pairs())
        needs.add(rows.table, {ours for _, ours in lookup.on_pairs()} - aliases)
    needs.add(rows.table, names - aliases)


def _rows_needs(rows: Rows, extra: set[str], aged: bool, needs: _Needs) -> None:
    names = _refs(rows.where) | extra
    if aged:
        names |= _refs(rows.event_at)
    _side_needs(rows, names, needs)


def rule_needs(rule: object) -> dict[str, set[str]]:
    """table -> the fields a rule cannot be evaluated without (nothing known for another kind)."""
    needs = _Needs()
    if isinstance(rule, MatchRule):
        for side_name in ("left", "right"):
            side = getattr(rule, side_name)
            names: set[str] = set()
            for key in rule.keys:
                names |= _refs(key.expr_for(side_name))
            # Aggregated columns are needed only when compared (below): a sum or min kept for the
            # value at risk or the context (`site: min`) may read empty.
            names |= set(side.dedupe or [])
            for compare in rule.compare:
                text = getattr(compare, side_name) or f"{side_name}.{compare.field}"
                names |= _refs(text, side_name)
            for level in rule.fuzzy:
                text = getattr(level, side_name) or f"{side_name}.{level.field}"
                names |= _refs(text, side_name)
            aged = any(o.older_than is not None for _, o in rule.outcomes())
            _rows_needs(side, names, aged, needs)
    elif isinstance(rule, CheckRule | DuplicateRule):
        names = set()
        for key in rule.keys:
            names |= _refs(key.expr_for())
        if isinstance(rule, CheckRule):
            names |= _refs(rule.require)
        elif rule.distinct:
            names.add(rule.distinct)
        _rows_needs(rule, names, rule.outcome.older_than is not None, needs)
    return needs.fields


def rule_coverage(loaded: LoadedRule, provided: Mapping[str, set[str]], skip: Iterable[str] = ()) -> RuleCoverage:
    """Whether one rule can run on what the config's sources provide."""
    rule = loaded.rule
    if loaded.disabled is not None:
        return RuleCoverage(loaded.id, DISABLED, disabled=loaded.disabled)
    if loaded.id in skip:
        return RuleCoverage(loaded.id, SKIPPED)
    missing_tables = tuple(t for t in rule.tables() if t not in provided)
    if missing_tables:
        return RuleCoverage(loaded.id, NOT_APPLICABLE, missing_tables=missing_tables)
    missing = sorted(f"{table}.{name}" for table, names in rule_needs(rule).items() if table in provided
                     for name in names if name not in provided[table])
    return RuleCoverage(loaded.id, NOT_EVALUATED if missing else OK, missing_fields=tuple(missing))


def coverage(rules: Iterable[LoadedRule], config: Config) -> list[RuleCoverage]:
    """Every rule's coverage, in rule order."""
    provided = provided_columns(config)
    return [rule_coverage(r, provided, config.skip_rules) for r in rules]


def coverage_problems(items: Iterable[RuleCoverage], rules: Iterable[LoadedRule], config: Config,
                      doc: YamlDocument | None = None) -> list[Problem]:
    """A rule that cannot be evaluated, as a problem located at the rule (a warning for validate);
    a skip_rules entry that names no rule."""
    by_id = {r.id: r for r in rules}
    out = []
    for i, rule_id in enumerate(config.skip_rules):
        if rule_id not in by_id:
            hint = did_you_mean(rule_id, list(by_id))
            out.append(doc.problem("W003", ("skip_rules", i), hint=hint, rule=rule_id) if doc is not None
                       else Problem.of("W003", path=f"skip_rules.{i}", hint=hint, rule=rule_id))
    for item in items:
        if item.status != NOT_EVALUATED:
            continue
        rule = by_id[item.rule_id]
        out.append(rule.doc.problem("W001", rule.loc, rule=item.rule_id, reason=item.reason))
    return out


def mapping_lints(config: Config, doc: YamlDocument | None = None) -> list[Problem]:
    """Extra fields that look typed but are not: a `format` or `timezone` without `type` stays text."""
    out = []
    for name, source in config.sources.items():
        if source.entity not in ENTITIES:
            continue
        canonical = ENTITIES[source.entity].fields
        for field_name, spec in source.column_specs().items():
            if field_name in canonical or spec.type is not None:
                continue
            given = [k for k in ("format", "timezone") if getattr(spec, k) is not None]
            if not given:
                continue
            loc = ("sources", name, "columns", field_name)
            fields = {"name": field_name, "given": " and ".join(given)}
            out.append(doc.problem("W002", loc, **fields) if doc is not None
                       else Problem.of("W002", path=".".join(map(str, loc)), **fields))
    return out


__all__ = ["NOT_APPLICABLE", "NOT_EVALUATED", "OK", "SKIPPED", "RuleCoverage", "coverage", "coverage_problems",
           "mapping_lints", "provided_columns", "rule_needs"]
