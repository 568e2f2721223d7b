"""Match rules to SQL: two sides, keys (exact or blocked fuzzy levels), compares and missing rows."""

from __future__ import annotations

from recon.model import ENTITIES
from recon.rules import manual, snippets, units
from recon.rules import sqlparts as sp
from recon.rules.checks import event_side
from recon.rules.compile_parts import (
    ROW_TYPE,
    Branch,
    CompileContext,
    SideLineage,
    Statement,
    cte,
    default_message,
    event_expr,
    finish,
    hidden_keys,
    key_expr,
    lookup_key,
    lookup_relation,
    render,
    rescan,
    rows_source,
    unit_pairs,
)
from recon.rules.contract import KEY_COLUMNS
from recon.rules.loader import LoadedRule
from recon.rules.schema import Compare, FuzzyLevel, MatchRule, Outcome, Side, is_aggregate_function
from recon.rules.scorers import SCORERS
from recon.rules.tables import aggregate_reads, compare_type, entity_of, projected_columns, split_table
from recon.sql import ident

ROUNDS = 3  # rounds of mutual-best assignment for fuzzy candidates
# Each side of a pair has "_here" (TRUE, or NULL when the pair lacks that side).
BOTH = "\"l___here\" IS NOT NULL AND \"r___here\" IS NOT NULL"
LEFT_ONLY = "\"l___here\" IS NOT NULL AND \"r___here\" IS NULL"
RIGHT_ONLY = "\"l___here\" IS NULL AND \"r___here\" IS NOT NULL"


class MatchCompiler:
    def __init__(self, loaded: LoadedRule, ctx: CompileContext) -> None:
        self.loaded = loaded
        self.rule: MatchRule = loaded.rule  # type: ignore[assignment]
        self.ctx = ctx
        self.needed = self._needed_columns()
        self.types = {s: projected_columns(getattr(self.rule, s), ctx.extras) for s in ("left", "right")}

    # Which columns of each side the pair expressions use.
    def _pair_texts(self) -> list[str]:
        rule = self.rule
        texts: list[str] = []
        for level in rule.fuzzy:
            texts += [level.left or f"left.{level.field}", level.right or f"right.{level.field}"]
        for c in rule.compare:
            texts += [c.left or f"left.{c.field}", c.right or f"right.{c.field}"]
        for _, o in rule.outcomes():
            texts += [t for t in (o.value_at_risk, o.currency, o.note) if t]
            texts += list((o.key or {}).values()) + list(o.context.values())
        return texts

    def _needed_columns(self) -> dict[str, list[str]]:
        used: dict[str, set[str]] = {"left": set(), "right": set()}
        for text in self._pair_texts():
            for qualifier, name in snippets.column_refs(snippets.parse(text)):
                if qualifier in used:
                    used[qualifier].add(name)
        for side in ("left", "right"):
            agg = getattr(self.rule, side).aggregate
            if agg is not None:
                used[side] = set(agg)
        return {s: sorted(v) for s, v in used.items()}

    def pair_rename(self, qualifier: str | None, name: str) -> str:
        if qualifier == "left":
            return f"l__{name}"
        if qualifier == "right":
            return f"r__{name}"
        return f"k__{name}"

    def pair(self, text: str) -> str:
        return render(text, self.pair_rename)

    def side_ctes(self, which: str) -> list[str]:
        """The side's rows CTE (`l_rows`, `r_rows`), preceded by the CTEs a `dedupe:` reads."""
        side: Side = getattr(self.rule, which)
        p = which[0]
        names = [ident("k__" + k.name) for k in self.rule.keys]
        source = self.needed[which] if side.aggregate is None else aggregate_reads(side.aggregate)
        late = self.late_lookups(which)
        if late:  # their fields are joined to the side's groups instead (`side_rel`)
            joined = {alias for i in late for alias, _ in side.lookups[i].field_pairs()}
            source = [c for c in source if c not in joined]
            side = side.model_copy(update={"lookups": [lk for i, lk in enumerate(side.lookups) if i not in late]})
        # a key normalised as a lookup's `by` already is: the rows' hidden column (rows_source), not again
        hidden = hidden_keys(side, self.ctx)
        keys = [key_expr(k.expr_for(which), k.normalise, self.ctx) for k in self.rule.keys]
        cols = [f"{ident(hidden[key]) if key in hidden else key} AS {name}"
                for key, name in zip(keys, names, strict=True)]
        convert = set(side.units.fields) if side.units is not None else set()
        prices = set(side.units.per_unit) if side.units is not None else set()
        cols += [f"{units.converted(c, self.ctx.units)} AS {ident(c)}" if c in convert else
                 f"{units.per_base_unit(c)} AS {ident(c)}" if c in prices else ident(c) for c in source]
        names += [ident(c) for c in source]
        if side.units is not None:
            cols.append(ident(units.UNIT))
            names.append(ident(units.UNIT))
        cols.append(f"{event_expr(side)} AS \"_event\"")
        names.append("\"_event\"")
        if side.aggregate is None or self.lineage_relation(which) == ident(f"{which[0]}_rows"):
            cols.append(f"{sp.row_struct()} AS \"_row\"")
            names.append("\"_row\"")
        if self.carries_id(which):
            cols.append(f"{sp.row_id()} AS \"_id\"")
            names.append("\"_id\"")
        where = f"\n  WHERE {render(side.where)}" if side.where else ""
        rows = rows_source(side, self.ctx)
        if side.units is not None:
            rows = units.converted_source(rows, side.units, self.ctx.units, unit_pairs(side, side.units))
        if not side.dedupe:
            return [cte(f"{p}_rows", f"SELECT {', '.join(cols)}\n  FROM {rows} AS t{where}")]
        return self.dedupe_ctes(p, side.dedupe, source, cols, names, f"{rows} AS t{where}")

    @staticmethod
    def dedupe_ctes(p: str, by: list[str], order: list[str], cols: list[str], names: list[str],
                    source: str) -> list[str]:
        """`dedupe: [by]`: each value of `by` once, the row first in the order of its `order` columns,
        then its `file:row` (what `QUALIFY row_number() OVER (PARTITION BY by ORDER BY ...) = 1` over
        all rows picks). Only the keys that occur more than once are sorted: the window over every
        row was most of such a rule's cost at a million orders (bench/notes.md, "Rules phase and
        the checkpoint"). NULL keys are one value, as in a window's partition."""
        keys = [ident(f"_dd_k{i}") for i in range(len(by))]
        orders = [ident(f"_dd_o{i}") for i in range(len(order))]
        hidden = ([f"t.{ident(c)} AS {k}" for c, k in zip(by, keys, strict=True)]
                  + [f"t.{ident(c)} AS {o}" for c, o in zip(order, orders, strict=True)]
                  + ["t.\"_source_file\" AS \"_dd_f\"", "t.\"_source_row\" AS \"_dd_r\""])
        all_rows, dup = ident(f"{p}_dedupe"), ident(f"{p}_dup_keys")
        on = " AND ".join(f"d.{k} IS NOT DISTINCT FROM s.{k}" for k in keys)
        picked = ", ".join(f"s.{n}" for n in names)
        row_id = "(s.\"_dd_f\" || ':' || CAST(s.\"_dd_r\" AS VARCHAR))"
        window = (f"row_number() OVER (PARTITION BY {', '.join(f's.{k}' for k in keys)} "
                  f"ORDER BY {', '.join([*(f's.{o}' for o in orders), row_id])})")
        return [cte(f"{p}_dedupe", f"SELECT {', '.join([*cols, *hidden])}\n  FROM {source}"),
                cte(f"{p}_dup_keys", f"SELECT {', '.join(keys)}, TRUE AS \"_dd_dup\" FROM {all_rows} "
                                     f"GROUP BY {', '.join(keys)} HAVING count(*) > 1"),
                cte(f"{p}_rows", f"SELECT {picked} FROM {all_rows} AS s LEFT JOIN {dup} AS d ON {on} "
                                 f"WHERE d.\"_dd_dup\" IS NULL\n  UNION ALL\n  SELECT {picked} FROM {all_rows} AS s "
                                 f"JOIN {dup} AS d ON {on}\n  QUALIFY {window} = 1")]

    def late_lookups(self, which: str) -> dict[int, dict[str, str]]:
        """The lookups of an aggregated side that are joined to its groups rather than to its rows:
        index -> {the side column of each `by` pair: the group key column that holds it}.

        A lookup qualifies when every `by` pair is a bare key of the rule (no normaliser) and its
        fields are read only as `min`/`max` of themselves: its key, so its row, is then the same
        for every row of a group, and `min`/`max` over the group is that row's value. Joining the
        groups (one per key) instead of every row spares the join and the aggregation of its
        fields, the largest part of such a rule at a million orders (bench/notes.md, "rules5")."""
        side: Side = getattr(self.rule, which)
        if side.aggregate is None or side.dedupe or not side.lookups:
            return {}
        bare: dict[str, str] = {}
        for k in self.rule.keys:
            tree = snippets.parse(k.expr_for(which))
            if not k.normalise and isinstance(tree, snippets.exp.Column) and not tree.table:
                bare.setdefault(tree.name, f"k__{k.name}")
        plain = {name for name, func in side.aggregate.items() if func in ("min", "max")}
        texts = [k.expr_for(which) for k in self.rule.keys]
        texts += [t for t in (side.where, side.event_at) if t]
        if side.units is not None:
            texts += [side.units.item, side.units.uom, *side.units.fields, *side.units.per_unit]
        texts += [func if not is_aggregate_function(func) else name
                  for name, func in side.aggregate.items() if name not in plain]
        read = {name for text in texts if text for _, name in snippets.column_refs(snippets.parse(text))}
        read |= {ours for lookup in side.lookups for _, ours in lookup.on_pairs()}
        late = {}
        for i, lookup in enumerate(side.lookups):
            aliases = [alias for alias, _ in lookup.field_pairs()]
            on = lookup.on_pairs()
            if all(ours in bare for _, ours in on) and all(a in plain and a not in read for a in aliases):
                late[i] = {ours: bare[ours] for _, ours in on}
        return late

    def carries_id(self, which: str) -> bool:
        """Each side row's `file:row` id: what fuzzy assignment and duplicate numbering order by."""
        return bool(self.rule.fuzzy) or (getattr(self.rule, which).aggregate is None and self.paired_by_dup)

    def lineage_relation(self, which: str) -> str:
        """Where an aggregated side's source rows are found again by key, for the findings' lineage.

        The side's table itself (key columns, the row, its `where`) when that needs no lookup, no
        dedupe and no key normaliser: a second scan of a few columns costs less than keeping the
        side's rows. Else its `_rows` CTE (which DuckDB then materialises)."""
        side: Side = getattr(self.rule, which)
        own = ident(f"{which[0]}_rows")
        if any(k.normalise for k in self.rule.keys):
            return own
        keys = {f"k__{k.name}": k.expr_for(which) for k in self.rule.keys}
        return rescan(side, keys, side.where, self.ctx) or own

    def lineage(self, which: str) -> SideLineage:
        """An aggregated side's rows are gathered by key for the findings only; else each pair has one row."""
        side: Side = getattr(self.rule, which)
        column = f"{which}_rows"
        if side.aggregate is None:
            return SideLineage(column, "row")
        keys = tuple(f"k__{k.name}" for k in self.rule.keys)
        return SideLineage(column, "keys", present=f"\"{which[0]}___here\"", refs=tuple(ident(k) for k in keys),
                           relation=self.lineage_relation(which), keys=keys)

    def unique(self, which: str) -> bool:
        """One row per key on this side: aggregated, or keyed by every key field of its entity."""
        side: Side = getattr(self.rule, which)
        if side.aggregate is not None:
            return True
        entity = ENTITIES.get(entity_of(side.table))
        bare = {k.expr_for(which) for k in self.rule.keys if not k.normalise}
        return entity is not None and set(entity.keys) <= bare

    @property
    def paired_by_dup(self) -> bool:
        """Neither side is unique per key: number duplicates and pair the n-th with the n-th."""
        return not self.rule.fuzzy and not (self.unique("left") or self.unique("right"))

    def side_rel(self, which: str) -> str:
        side: Side = getattr(self.rule, which)
        src = ident(f"{which[0]}_rows")
        keys = ", ".join(ident("k__" + k.name) for k in self.rule.keys)
        if side.aggregate is not None:
            late = self.late_lookups(which)
            joined = {alias for i in late for alias, _ in side.lookups[i].field_pairs()}
            aggs = []
            for name, func in side.aggregate.items():
                if name in joined:  # a late lookup's field: joined to the groups below
                    continue
                if not is_aggregate_function(func):  # an expression over the side's rows: sum(qty * unit_price)
                    call = render(func)
                elif func == "count_distinct":
                    call = f"count(DISTINCT {ident(name)})"
                else:
                    call = f"{func}({ident(name)})"
                aggs.append(f"{call} AS {ident(name)}")
            ids = ["min(\"_id\") AS \"_id\""] if self.carries_id(which) else []
            if side.units is not None:  # a key whose rows end in two units has no one quantity
                aggs.append(f"{units.aggregated()} AS {ident(units.UNIT)}")
            cols = ", ".join([keys, *aggs, f"{side.event_agg}(\"_event\") AS \"_event\"", "TRUE AS \"_here\"", *ids])
            grouped = f"SELECT {cols}\n  FROM {src} GROUP BY {keys}"
            if not late:
                return grouped
            joins, fields = [], ["g.*"]
            for i, on in late.items():
                lookup, alias = side.lookups[i], f"lk{i}"
                cond = " AND ".join(f"{alias}.{ident(theirs)} IS NOT DISTINCT FROM "
                                    f"{lookup_key(f'g.{ident(on[ours])}', lookup, self.ctx)}"
                                    for theirs, ours in lookup.on_pairs())
                joins.append(f"LEFT JOIN {lookup_relation(lookup, self.ctx)} AS {alias} ON {cond}")
                fields += [f"{alias}.{ident(a)} AS {ident(a)}" for a, _ in lookup.field_pairs()]
            return f"SELECT {', '.join(fields)}\n  FROM ({grouped}) AS g {' '.join(joins)}"
        order = ", ".join([*(ident(c) for c in self.needed[which]), "\"_id\""])
        dup = (f", row_number() OVER (PARTITION BY {keys} ORDER BY {order}) AS \"_dup\"" if self.paired_by_dup
               else "")
        return f"SELECT *, TRUE AS \"_here\"{dup}\n  FROM {src}"

    def side_columns(self, which: str, alias: str | None) -> list[str]:
        """The pair columns coming from one side; alias None gives typed NULLs for an absent side."""
        p = which[0]
        cols = []
        for name in self.needed[which]:
            typ = self.types[which].get(name, "VARCHAR")
            cols.append(f"{alias}.{ident(name)} AS {ident(f'{p}__{name}')}" if alias
                        else f"CAST(NULL AS {typ}) AS {ident(f'{p}__{name}')}")
        extra = [("_event", "TIMESTAMPTZ"), ("_here", "BOOLEAN")]
        extra += [("_id", "VARCHAR")] if self.carries_id(which) else []
        extra += [(units.UNIT, "VARCHAR")] if getattr(self.rule, which).units is not None else []
        extra += [("_row", ROW_TYPE)] if getattr(self.rule, which).aggregate is None else []
        for name, typ in extra:
            cols.append(f"{alias}.{ident(name)} AS {ident(f'{p}__{name}')}" if alias
                        else f"CAST(NULL AS {typ}) AS {ident(f'{p}__{name}')}")
        return cols

    def key_join(self) -> str:
        return " AND ".join(f"l.{ident('k__' + k.name)} IS NOT DISTINCT FROM r.{ident('k__' + k.name)}"
                            for k in self.rule.keys)

    def exact_pairs(self) -> list[str]:
        keys = [f"coalesce(l.{ident('k__' + k.name)}, r.{ident('k__' + k.name)}) AS {ident('k__' + k.name)}"
                for k in self.rule.keys]
        cols = [*keys, *self.side_columns("left", "l"), *self.side_columns("right", "r"),
                "FALSE AS \"_ambiguous\""]
        dup = " AND l.\"_dup\" = r.\"_dup\"" if self.paired_by_dup else ""
        out, right = [], "\"r_side\""
        if self.rule.id in self.ctx.manual_matches:  # pairings from `recon match` (recon.rules.manual)
            out.append(cte("r_paired", manual.mapped_side_sql(self.rule.id, [k.name for k in self.rule.keys])))
            right = "\"r_paired\""
        return [*out, self.pairs_cte(f"SELECT {', '.join(cols)}\n  FROM \"l_side\" AS l FULL OUTER JOIN {right} AS r "
                                     f"ON {self.key_join()}{dup}")]

    def pairs_cte(self, body: str) -> str:
        """The pairs, with each compare's agreement (`"_ok<i>"`) worked out once for the findings and the counts."""
        if not self.rule.compare:
            return cte("pairs", body)
        oks = ", ".join(f"{self.agrees(c)} AS {self.ok(c)}" for c in self.rule.compare)
        return cte("pairs", f"SELECT *, {oks} FROM (\n  {body}\n  ) AS p")

    def ok(self, compare: Compare) -> str:
        """The pair column that is TRUE when this compare's values agree (see `agrees`)."""
        index = next(i for i, c in enumerate(self.rule.compare) if c is compare)
        return ident(f"_ok{index}")

    def score(self, level: FuzzyLevel) -> tuple[str, str]:
        """(score 0-100, qualifies) of one level over the candidate pair."""
        lv = self.pair(level.left or f"left.{level.field}")
        rv = self.pair(level.right or f"right.{level.field}")
        scorer = SCORERS[level.scorer]
        expr = scorer.sql(lv, rv)
        if not scorer.threshold:
            return expr, "IS NOT NULL"
        return expr, f">= {sp.num(level.threshold or 0)}"

    def fuzzy_pairs(self) -> list[str]:
        rule = self.rule
        key_cols = [f"l.{ident('k__' + k.name)} AS {ident('k__' + k.name)}" for k in rule.keys]
        both = [*self.side_columns("left", "l"), *self.side_columns("right", "r")]
        out = [cte("cand", f"SELECT {', '.join([*key_cols, *both])}\n  FROM \"l_side\" AS l JOIN \"r_side\" AS r "
                           f"ON {self.key_join()}")]
        scores = [self.score(level) for level in rule.fuzzy]
        # A level is scored only where no earlier level holds: its score decides nothing there, and
        # a rapidfuzz UDF then sees only the pairs that need it.
        source, select = "\"cand\"", ""
        for i, (expr, _) in enumerate(scores):
            if i:
                earlier = " AND ".join(f"NOT coalesce(\"_s{j}\" {scores[j][1]}, FALSE)" for j in range(i))
                expr = f"CASE WHEN {earlier} THEN {expr} END"
            select = f"SELECT *, {expr} AS \"_s{i}\"\n  FROM {source}"
            source = f"({select}) AS {ident(f's{i}')}"
        out.append(cte("cand_scored", select))
        holds = [f"\"_s{i}\" {cond}" for i, (_, cond) in enumerate(scores)]
        level = " ".join(f"WHEN {h} THEN {i + 1}" for i, h in enumerate(holds))
        score = " ".join(f"WHEN {h} THEN \"_s{i}\"" for i, h in enumerate(holds))
        out.append(cte("c0", (
            f"SELECT *, count(*) OVER (PARTITION BY \"l___id\", \"_level\", \"_score\") AS \"_ties_l\", "
            f"count(*) OVER (PARTITION BY \"r___id\", \"_level\", \"_score\") AS \"_ties_r\"\n"
            f"  FROM (SELECT *, CASE {level} END AS \"_level\", CASE {score} END AS \"_score\" "
            f"FROM \"cand_scored\" WHERE {' OR '.join(holds)}) AS s")))
        by_r = ", ".join([*(ident(f"r__{c}") for c in self.needed["right"]), "\"r___id\""])
        by_l = ", ".join([*(ident(f"l__{c}") for c in self.needed["left"]), "\"l___id\""])
        best = (f"QUALIFY row_number() OVER (PARTITION BY \"l___id\" ORDER BY \"_level\", \"_score\" DESC, {by_r}) = 1 "
                f"AND row_number() OVER (PARTITION BY \"r___id\" ORDER BY \"_level\", \"_score\" DESC, {by_l}) = 1")
        # Round one: a candidate alone on both its rows is its rows' best choice; only the others are
        # ranked (each of their rows' candidates is among them, so the ranking is the same).
        for p in "lr":
            out.append(cte(f"{p}_multi", f"SELECT \"{p}___id\" FROM \"c0\" GROUP BY \"{p}___id\" HAVING count(*) > 1"))
        alone = ("coalesce(\"l___id\" NOT IN (SELECT \"l___id\" FROM \"l_multi\") "
                 "AND \"r___id\" NOT IN (SELECT \"r___id\" FROM \"r_multi\"), FALSE)")
        names = [ident("k__" + k.name) for k in rule.keys] + [
            c.rsplit(" AS ", 1)[1] for c in both]
        # A round's matches name their columns: never `SELECT *` with QUALIFY. For Spark, sqlglot
        # writes QUALIFY as a subquery holding the window values as columns (`_w`, `_w_2`) and a
        # star over it keeps them, so a round (or one branch of m1's UNION ALL) would gain columns
        # the others lack. These columns are all that the rounds, `matched` and `pairs` read.
        picked = ", ".join([*names, "\"_ties_l\"", "\"_ties_r\""])
        for n in range(1, ROUNDS + 1):
            prev = f"c{n - 1}"
            if n == 1:
                out.append(cte("m1", f"SELECT {picked} FROM \"c0\" WHERE {alone}\n  UNION ALL\n  "
                                     f"SELECT {picked} FROM \"c0\" WHERE NOT {alone}\n  {best}"))
            else:
                out.append(cte(f"m{n}", f"SELECT {picked} FROM {ident(prev)}\n  {best}"))
            if n < ROUNDS:
                out.append(cte(f"c{n}", (
                    f"SELECT * FROM {ident(prev)}\n  WHERE \"l___id\" NOT IN (SELECT \"l___id\" FROM {ident(f'm{n}')}) "
                    f"AND \"r___id\" NOT IN (SELECT \"r___id\" FROM {ident(f'm{n}')})")))
        out.append(cte("matched", "\n  UNION ALL ".join(f"SELECT * FROM {ident(f'm{n}')}"
                                                       for n in range(1, ROUNDS + 1))))
        matched = f"SELECT {', '.join(names)}, \"_ties_l\" > 1 OR \"_ties_r\" > 1 AS \"_ambiguous\" FROM \"matched\""
        left_keys = [f"l.{ident('k__' + k.name)}" for k in rule.keys]
        right_keys = [f"r.{ident('k__' + k.name)}" for k in rule.keys]
        left_cols = [*left_keys, *self.side_columns("left", "l"), *self.side_columns("right", None)]
        right_cols = [*right_keys, *self.side_columns("left", None), *self.side_columns("right", "r")]
        left_only = (f"SELECT {', '.join(left_cols)}, FALSE FROM \"l_side\" AS l "
                     f"WHERE l.\"_id\" NOT IN (SELECT \"l___id\" FROM \"matched\")")
        right_only = (f"SELECT {', '.join(right_cols)}, FALSE FROM \"r_side\" AS r "
                      f"WHERE r.\"_id\" NOT IN (SELECT \"r___id\" FROM \"matched\")")
        out.append(self.pairs_cte(f"{matched}\n  UNION ALL {left_only}\n  UNION ALL {right_only}"))
        return out

    # Outcomes.
    def fix_in(self, kind: str, outcome: Outcome, field_name: str | None) -> str:
        if outcome.fix_in:
            return outcome.fix_in
        rule = self.rule
        ls, rs = split_table(rule.left.table)[0], split_table(rule.right.table)[0]
        le, re_ = entity_of(rule.left.table), entity_of(rule.right.table)
        entity = rule.record or (le if le == re_ else None)
        if entity is not None:
            sor = self.ctx.owner_of(entity, field_name)
            left_is, right_is = sor == ls, sor == rs
        else:
            left_is = self.ctx.owner_of(le, field_name) == ls
            right_is = self.ctx.owner_of(re_, field_name) == rs
        if left_is and not right_is:
            return rs
        if right_is and not left_is:
            return ls
        return ls if kind == "missing_left" else rs

    def branches(self) -> list[Branch]:
        """One branch per outcome: which pairs it selects, the values it shows, its clock and its owner."""
        rule = self.rule
        first = rule.compare[0] if rule.compare else None
        noted = any(o.note for _, o in rule.outcomes())
        out = []
        for index, (kind, outcome) in enumerate(rule.outcomes()):
            keys = ({c: self.pair(t) for c, t in outcome.key.items()} if outcome.key is not None else
                    {k.name: ident("k__" + k.name) for k in rule.keys if k.name in KEY_COLUMNS})
            context = {c: self.pair(t) for c, t in outcome.context.items()}
            side = event_side(rule, kind, outcome)
            event = f"\"{side[0]}___event\"" if side else "NULL"
            gate = sp.older_than(f"CAST({event} AS TIMESTAMPTZ)", outcome.older_than, self.ctx.calendars)
            compare = outcome if isinstance(outcome, Compare) else first
            lv = rv = diff = "NULL"
            field_name = None
            where = "TRUE"
            if compare is not None:
                category = compare_type(rule, compare, self.ctx.extras)
                lv, rv = self.compared(compare)
                field_name = compare.field
                lv_text, rv_text = sp.as_text(lv, category), sp.as_text(rv, category)
                if kind == "mismatch":
                    diff = sp.difference(lv, rv, category)
                    present = BOTH if compare.missing_as is None else "TRUE"
                    where = f"{present} AND NOT {self.ok(compare)}"
                lv, rv = lv_text, rv_text
            if kind == "missing_right":
                where = LEFT_ONLY
            elif kind == "missing_left":
                where = RIGHT_ONLY
            elif kind == "ambiguous":
                where = "\"_ambiguous\""
            elif kind == "unconvertible":
                where, field_name, diff = self.unconvertible(), "uom", "NULL"
                lv, rv = (f"\"{p}__{units.UNIT}\"" if getattr(rule, s).units is not None else "NULL"
                          for p, s in (("l", "left"), ("r", "right")))
            elif kind == "mismatch" and self.converts(outcome):
                where += f" AND NOT ({self.unconvertible()})"
            detail = " ({field} {left_value} vs {right_value})" if kind in ("mismatch", "unconvertible") else ""
            if outcome.older_than is not None:
                detail += " for {age_hours}h"
            out.append(Branch(
                index=index, outcome=outcome, keys=keys, context=context, field_name=field_name,
                left_value=lv, right_value=rv, difference=f"CAST({diff} AS DECIMAL(18,4))", event=event,
                left_rows="\"l___row\"", right_rows="\"r___row\"", source="pairs",
                where=f"{where} AND {gate}",
                fix_in=(self.unit_fix_in(outcome) if kind == "unconvertible" else
                        self.fix_in(kind, outcome, field_name if kind == "mismatch" else None)),
                owner=outcome.owner or self.loaded.owner,
                default_message=default_message(rule.title, [c for c in KEY_COLUMNS if c in keys], detail),
                note=self.pair(outcome.note) if outcome.note else "NULL" if noted else None))
        return out

    def unconvertible(self) -> str:
        """The pairs whose two sides' quantities did not come to one unit (a side without units, or
        without a unit given, takes the other's)."""
        if self.rule.left.units is None or self.rule.right.units is None:
            return "FALSE"
        return f"coalesce(\"l__{units.UNIT}\" <> \"r__{units.UNIT}\", FALSE)"

    def converts(self, compare: Compare) -> bool:
        """Does this compare read a converted quantity (which means nothing when it did not convert)?"""
        # a side's converted quantities and prices per base unit, and the fields its lookups with
        # units bring (open_qty summed from order lines in base units)
        converted: dict[str, set[str]] = {}
        for s in ("left", "right"):
            side = getattr(self.rule, s)
            if side.units is not None:
                converted[s] = {*side.units.fields, *side.units.per_unit,
                                *(alias for lookup in side.lookups if lookup.units is not None
                                  for alias, _ in lookup.field_pairs())}
        texts = [compare.left or f"left.{compare.field}", compare.right or f"right.{compare.field}"]
        return any(name in converted.get(q or "", set())
                   for text in texts for q, name in snippets.column_refs(snippets.parse(text)))

    def unit_fix_in(self, outcome: Outcome) -> str:
        """Unit conversions are master data: their system of record (ownership of `uom_conversions`),
        else the side the rule's other outcomes would fix."""
        return outcome.fix_in or self.ctx.owner_of("uom_conversions") or self.fix_in("unconvertible", outcome, None)

    def agrees(self, compare: Compare) -> str:
        """TRUE when the pair's two values of this compare are within its tolerance (never NULL)."""
        lv, rv = self.compared(compare)
        return sp.agrees(lv, rv, compare_type(self.rule, compare, self.ctx.extras), compare.tolerance,
                         ignore_missing=compare.ignore_missing, normalise=compare.normalise,
                         lookups=self.ctx.lookups)

    def compared(self, compare: Compare) -> tuple[str, str]:
        lv = self.pair(compare.left or f"left.{compare.field}")
        rv = self.pair(compare.right or f"right.{compare.field}")
        if compare.missing_as is not None:
            m = sp.num(compare.missing_as)
            lv = f"(CASE WHEN \"l___here\" IS NULL THEN {m} ELSE {lv} END)"
            rv = f"(CASE WHEN \"r___here\" IS NULL THEN {m} ELSE {rv} END)"
        return lv, rv

    def pair_ctes(self) -> list[str]:
        ctes = [*self.side_ctes("left"), *self.side_ctes("right"),
                cte("l_side", self.side_rel("left")), cte("r_side", self.side_rel("right"))]
        return ctes + (self.fuzzy_pairs() if self.rule.fuzzy else self.exact_pairs())

    def stats_units(self) -> str:
        """One row per business key compared, over the same pairs as the findings (see `stats_select`).

        Compared: the keys the rule looks at: keys on both sides, plus the keys on one side only
        when the rule reports them (missing_right: left-only keys; missing_left: right-only; a
        compare with `missing_as` counts an absent side as that value, so both). Matched: those
        keys whose every pair has both sides (or a `missing_as` stand-in), every compared field
        within tolerance and, when the rule reports ties, no tie. Age gates (`older_than`) do not
        apply: a finding still inside its window is not a match yet.
        """
        rule = self.rule
        filled = any(c.missing_as is not None for c in rule.compare)
        lefts, rights = rule.missing_right is not None or filled, rule.missing_left is not None or filled
        where = {(True, True): "TRUE", (True, False): "\"l___here\" IS NOT NULL",
                 (False, True): "\"r___here\" IS NOT NULL", (False, False): BOTH}[lefts, rights]
        conds = [] if filled else [BOTH]
        for c in rule.compare:
            ok = self.ok(c)
            conds.append(f"(NOT ({BOTH}) OR {ok})" if filled and c.missing_as is None else ok)
        if rule.ambiguous is not None:
            conds.append("NOT \"_ambiguous\"")
        if rule.unconvertible is not None:
            conds.append(f"NOT coalesce({self.unconvertible()}, FALSE)")
        keys = ", ".join(ident("k__" + k.name) for k in rule.keys)
        matched = " AND ".join(conds) or "TRUE"
        if not rule.fuzzy and rule.left.aggregate is not None and rule.right.aggregate is not None:
            # both sides aggregated per key: one pair per key already, nothing to group
            return f"SELECT 1 AS \"_n\", {matched} AS \"_ok\"\n  FROM \"pairs\"\n  WHERE {where}"
        return (f"SELECT 1 AS \"_n\", bool_and({matched}) AS \"_ok\"\n  FROM \"pairs\"\n  WHERE {where}\n"
                f"  GROUP BY {keys}")

    def stats_ctes(self) -> list[str]:
        return self.pair_ctes()

    def statement(self) -> Statement:
        ctes = self.pair_ctes()
        branches = self.branches()
        lineage = (self.lineage("left"), self.lineage("right"))
        selects = [b.select(self.ctx, self.pair(b.outcome.value_at_risk) if b.outcome.value_at_risk else None,
                            self.pair(b.outcome.currency) if b.outcome.currency else None, lineage)
                   for b in branches]
        return finish(self.rule.id, self.loaded.workflow, branches, selects, ctes, lineage)
