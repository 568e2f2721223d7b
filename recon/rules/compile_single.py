"""Check and duplicate rules to SQL: one table, grouped per business key.

`SingleCompiler` is what both kinds share (keys, filter, the one finding branch); `CheckCompiler`
and `DuplicateCompiler` are the two kinds' own parts, registered in `recon.rules.kinds`.
"""

from __future__ import annotations

from dataclasses import dataclass

from recon.rules import snippets
from recon.rules import sqlparts as sp
from recon.rules.compile_parts import (
    Branch,
    CompileContext,
    SideLineage,
    Statement,
    cte,
    default_message,
    event_expr,
    finish,
    key_expr,
    render,
    rescan,
    rows_source,
    side_rename,
)
from recon.rules.contract import KEY_COLUMNS
from recon.rules.loader import LoadedRule
from recon.rules.schema import CheckRule, DuplicateRule
from recon.rules.tables import category, rows_columns, split_table
from recon.sql import ident, literal


@dataclass(frozen=True)
class Found:
    """A kind's findings: the CTEs that make them (`source` the last), their value and lineage."""

    ctes: list[str]
    source: str
    value: str  # `left_value` as text
    detail: str  # appended to the default message
    field_name: str | None
    lineage: tuple[SideLineage, SideLineage]


class SingleCompiler:
    """A one-table rule: its rows filtered by `where`, keyed, reported per business key."""

    rule: CheckRule | DuplicateRule

    def __init__(self, loaded: LoadedRule, ctx: CompileContext) -> None:
        self.loaded = loaded
        self.rule = loaded.rule  # type: ignore[assignment]
        self.ctx = ctx

    def _key_cols(self) -> list[str]:
        return [f"{key_expr(k.expr_for(), k.normalise, self.ctx)} AS {ident('k__' + k.name)}" for k in self.rule.keys]

    def _where(self) -> list[str]:
        return [f"({render(self.rule.where)})"] if self.rule.where else []

    def statement(self) -> Statement:
        rule = self.rule
        outcome = rule.outcome
        keys = {k.name: ident("k__" + k.name) for k in rule.keys}
        key_cols = self._key_cols()
        where = self._where()
        system = split_table(rule.table)[0]
        lineage = (SideLineage("left_rows"), SideLineage("right_rows"))
        context = {c: ident("c__" + c) for c in outcome.context}
        found = self.findings(keys, key_cols, where, lineage)
        ctes, detail = found.ctes, found.detail
        if outcome.older_than is not None:
            detail += " for {age_hours}h"
        business = {c: keys[c] for c in KEY_COLUMNS if c in keys}
        branch = Branch(
            index=0, outcome=outcome, keys=business, context=context,
            field_name=found.field_name,
            left_value=found.value, right_value="NULL", difference="CAST(NULL AS DECIMAL(18,4))", event="\"_event\"",
            left_rows="\"_rows\"", right_rows="NULL", source=found.source,
            where=sp.older_than("\"_event\"", outcome.older_than, self.ctx.calendars),
            fix_in=outcome.fix_in or system, owner=outcome.owner or self.loaded.owner,
            default_message=default_message(rule.title, list(business), detail))
        return finish(rule.id, self.loaded.workflow, [branch],
                      [branch.select(self.ctx, "\"_var\"", "\"_cur\"", found.lineage)], ctes, found.lineage)

    def findings(self, keys: dict[str, str], key_cols: list[str], where: list[str],
                 lineage: tuple[SideLineage, SideLineage]) -> Found:
        raise NotImplementedError

    def stats_ctes(self) -> list[str]:
        raise NotImplementedError

    def stats_units(self) -> str:
        raise NotImplementedError


class CheckCompiler(SingleCompiler):
    """`check`: the rows (after `where`) that fail `require`, one finding per key."""

    rule: CheckRule

    def findings(self, keys: dict[str, str], key_cols: list[str], where: list[str],
                 lineage: tuple[SideLineage, SideLineage]) -> Found:
        rule, outcome = self.rule, self.rule.outcome
        where.append(f"NOT coalesce(({render(rule.require)}), FALSE)")
        cols = [*key_cols,
                f"{render(rule.value) if rule.value else 'NULL'} AS \"_value\"",
                f"{render(outcome.value_at_risk) if outcome.value_at_risk else 'NULL'} AS \"_var\"",
                f"{render(outcome.currency) if outcome.currency else literal(self.ctx.currency)} AS \"_cur\"",
                *(f"{render(t)} AS {ident('c__' + c)}" for c, t in outcome.context.items()),
                f"{event_expr(rule)} AS \"_event\"", f"list_value({sp.row_struct()}) AS \"_rows\""]
        rows = cte("rows", f"SELECT {', '.join(cols)}\n  FROM {rows_source(rule, self.ctx)} AS t"
                           f"\n  WHERE {' AND '.join(where)}")
        value = sp.as_text("\"_value\"", self._value_category())
        detail = "" if rule.value is None else " ({field} {left_value})"
        return Found([rows], "rows", value, detail, rule.field, lineage)

    def stats_ctes(self) -> list[str]:
        return []

    def stats_units(self) -> str:
        """One row per row checked (after `where`), passing when it meets `require`."""
        where = self._where()
        filtered = f"\n  WHERE {' AND '.join(where)}" if where else ""
        return (f"SELECT 1 AS \"_n\", coalesce(({render(self.rule.require)}), FALSE) AS \"_ok\"\n"
                f"  FROM {rows_source(self.rule, self.ctx)} AS t{filtered}")

    def _value_category(self) -> str:
        rule = self.rule
        if rule.value is None:
            return "text"
        refs = snippets.column_refs(snippets.parse(rule.value))
        cols = rows_columns(rule, self.ctx.extras)
        if len(refs) == 1 and refs[0][1] in cols:
            return category(cols[refs[0][1]])
        return "text"


class DuplicateCompiler(SingleCompiler):
    """`duplicate`: the keys with more than one row (or distinct value of `distinct`)."""

    rule: DuplicateRule

    def findings(self, keys: dict[str, str], key_cols: list[str], where: list[str],
                 lineage: tuple[SideLineage, SideLineage]) -> Found:
        rule, outcome = self.rule, self.rule.outcome
        ctes = [self._duplicate_rows()]
        group = ", ".join(keys.values())
        counted = self._counted()
        cols = [group, f"{counted} AS \"_value\"",
                f"{self._agg(outcome.value_at_risk) if outcome.value_at_risk else 'NULL'} AS \"_var\"",
                f"{self._agg(outcome.currency) if outcome.currency else literal(self.ctx.currency)} AS \"_cur\"",
                *(f"{self._agg(t)} AS {ident('c__' + c)}" for c, t in outcome.context.items()),
                "max(\"_event\") AS \"_event\""]
        relation = self._rescan()
        if relation is None:
            cols.append("list(\"_row\") AS \"_rows\"")
        else:  # the duplicated keys' rows are gathered after the groups, not listed for every key
            names = tuple(f"k__{k.name}" for k in rule.keys)
            lineage = (SideLineage("left_rows", "keys", present="TRUE", refs=tuple(ident(n) for n in names),
                                   relation=relation, keys=names), lineage[1])
        ctes.append(cte("groups", f"SELECT {', '.join(cols)}\n  FROM \"rows\" GROUP BY {group} "
                                  f"HAVING {counted} > 1"))
        value = sp.as_text("\"_value\"", "number")
        return Found(ctes, "groups", value, " (appears {left_value} times)", rule.distinct, lineage)

    def _agg(self, text: str) -> str:
        tree = snippets.parse(text)
        sql = snippets.render(tree, side_rename)
        return sql if snippets.has_aggregate(tree) else f"min({sql})"

    def _rescan(self) -> str | None:
        """A duplicate rule's rows read again by key for the lineage of the duplicated keys only (see
        `rescan`); None when a key is normalised or a lookup is needed: then each group lists its rows."""
        rule = self.rule
        if any(k.normalise for k in rule.keys):
            return None
        return rescan(rule, {f"k__{k.name}": k.expr_for() for k in rule.keys}, rule.where, self.ctx)

    def _duplicate_rows(self) -> str:
        rule = self.rule
        where = self._where()
        row = "" if self._rescan() else f", {sp.row_struct()} AS \"_row\""
        return cte("rows", f"SELECT t.*, {', '.join(self._key_cols())}, {event_expr(rule)} AS \"_event\"{row}"
                           f"\n  FROM {rows_source(rule, self.ctx)} AS t"
                           + (f"\n  WHERE {' AND '.join(where)}" if where else ""))

    def _counted(self) -> str:
        rule = self.rule
        return f"count(DISTINCT {ident(rule.distinct)})" if rule.distinct else "count(*)"

    def stats_ctes(self) -> list[str]:
        return [self._duplicate_rows()]

    def stats_units(self) -> str:
        """One row per key (`_n` its rows), passing when the key is unique."""
        rule = self.rule
        group = ", ".join(ident("k__" + k.name) for k in rule.keys)
        return f"SELECT count(*) AS \"_n\", {self._counted()} <= 1 AS \"_ok\"\n  FROM \"rows\" GROUP BY {group}"
