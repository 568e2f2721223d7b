"""DuckDB SQL to Spark SQL: sqlglot, plus the few adjustments where the two engines differ.

Everything recon runs is DuckDB SQL text built by pure functions (mapping, casting, key
normalisers, the rule compiler). Spark runs the same text, transpiled here, so the logic is
written once. sqlglot handles most of the dialect (QUALIFY, IS NOT DISTINCT FROM, list_sort,
struct literals, string_agg); this module fixes, in one place, what it cannot know:

- functions Spark lacks or spells differently: `try_strptime`, `strftime` (format letters are
  quoted properly), `timezone(zone, ts)`, `regexp_full_match`, `list_slice`, `first(x ORDER BY
  y)`, string slicing `x[2:]` / `x[:-3]`, `len()` of a list, backreferences in `regexp_replace`;
- semantics: DuckDB's `/` always divides as DOUBLE (Spark keeps DECIMAL), and DuckDB rounds a
  DOUBLE on its exact binary value, half away from zero (`recon_round_double`, a UDF);
- names: the table `"erp"."orders"` becomes the temp view `erp__orders`;
- parameters: `$as_of` and `$run_id` become literals, so the text runs as is.

No pyspark import here: `recon explain --engine spark` and the unit tests need only sqlglot.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import sqlglot
from sqlglot import exp

from recon.rules.scorers import duckdb_builtins_for_spark

# Functions recon registers in the Spark session as pandas UDFs (recon.spark.udfs). DuckDB's own
# names cannot be kept: Spark 4.3 has a built-in jaro_winkler_similarity that shadows any UDF of
# that name and scores differently (0.6425 vs DuckDB's 0.6028 for "Acme Corporation"/"ACME Corp."),
# so every DuckDB-only function a scorer calls (recon.rules.scorers) gets a `recon_` name here.
ROUND_DOUBLE = "recon_round_double"
UDF_NAMES = {name: f"recon_{name}" for name in duckdb_builtins_for_spark()}
# DuckDB functions that take or make a list: a column fed to one of them is a list, so `len()` is `size()`.
_LIST_FUNCTIONS = {"list_slice", "list_transform", "list_sort", "list_distinct", "flatten", "array_to_string",
                   "list_value", "list"}
_STRFTIME = {
    "%Y": "yyyy", "%m": "MM", "%d": "dd", "%H": "HH", "%M": "mm", "%S": "ss", "%f": "SSSSSS", "%g": "SSS",
    "%n": "SSSSSSSSS", "%y": "yy", "%b": "MMM", "%B": "MMMM", "%a": "EEE", "%A": "EEEE", "%j": "DDD",
    "%I": "hh", "%p": "a", "%Z": "z", "%-d": "d", "%-m": "M", "%-H": "H", "%-I": "h", "%-M": "m",
    "%-S": "s", "%e": "d", "%%": "%",
}


def table_view(schema: str, table: str) -> str:
    """The Spark temp view that stands for the DuckDB table `schema.table`."""
    return f"{schema}__{table}"


def java_format(strftime: str, *, parse: bool) -> str:
    """A strftime format (`%Y%m%d %H:%M`) as a Spark datetime pattern (`yyyyMMdd HH:mm`).

    Letters that are not directives are quoted (`T`, `Z`), which sqlglot's own mapping does not
    do. `%z` parses `+01:00` or `+0100` (as DuckDB does; not `Z`) and prints `+0100`.
    """
    out: list[str] = []
    literal: list[str] = []

    def flush() -> None:
        if literal:
            out.append("'" + "".join(literal).replace("'", "''") + "'")
            literal.clear()

    i = 0
    while i < len(strftime):
        token = strftime[i:i + 3] if strftime[i:i + 2] == "%-" else strftime[i:i + 2]
        if token == "%z":
            flush()
            out.append("[xxx][xx]" if parse else "xx")
        elif token in _STRFTIME:
            flush()
            java = _STRFTIME[token]
            out.append(java if java != "%" else "'%'")
        else:
            ch = strftime[i]
            if ch.isalpha() or ch in "'[]#{}":
                literal.append(ch)
            else:
                flush()
                out.append(ch)
            i += 1
            continue
        i += len(token)
    flush()
    return "".join(out)


def _args(node: exp.Expression) -> list[exp.Expression]:
    return list(node.expressions) if isinstance(node, exp.Anonymous) else []


def _fn(name: str, *args: exp.Expression) -> exp.Anonymous:
    return exp.Anonymous(this=name, expressions=list(args))


def _is_naive(node: exp.Expression) -> bool:
    """Whether `timezone(zone, node)` reads node as wall-clock time (DuckDB TIMESTAMP, not TIMESTAMPTZ)."""
    if isinstance(node, exp.Cast | exp.TryCast):
        return not node.to.is_type(exp.DataType.Type.TIMESTAMPTZ, exp.DataType.Type.TIMESTAMPLTZ)
    if isinstance(node, exp.Anonymous) and node.name.lower() in ("try_to_timestamp", "to_timestamp"):
        fmt = _args(node)[1] if len(_args(node)) > 1 else None  # already a Spark pattern (bottom-up)
        return not (isinstance(fmt, exp.Literal) and ("X" in fmt.this or "z" in fmt.this))
    if isinstance(node, exp.StrToTime):
        return True
    return True  # text, or a column of unknown type: DuckDB reads it as a wall-clock TIMESTAMP


def _list_names(tree: exp.Expression) -> set[str]:
    """Names (aliases and columns) that hold DuckDB lists in this query."""
    names: set[str] = set()
    for node in tree.find_all(exp.Alias):
        inner = node.this
        while isinstance(inner, exp.Cast | exp.Paren):
            if isinstance(inner, exp.Cast) and inner.to.is_type(exp.DataType.Type.ARRAY):
                names.add(node.alias)
                break
            inner = inner.this
        if isinstance(inner, exp.Array | exp.ArrayAgg | exp.ArraySort | exp.ArrayDistinct | exp.Flatten) or (
                isinstance(inner, exp.Anonymous) and inner.name.lower() in _LIST_FUNCTIONS):
            names.add(node.alias)
    for node in tree.find_all(exp.Anonymous):
        if node.name.lower() in _LIST_FUNCTIONS and node.expressions and isinstance(node.expressions[0], exp.Column):
            names.add(node.expressions[0].name)
    return names


def _has_double_division(node: exp.Expression) -> bool:
    """DuckDB's `/` gives DOUBLE: `round(x)` whose x has a division outside any cast rounds a DOUBLE."""
    for div in node.this.find_all(exp.Div):
        parent = div.parent
        inside_cast = False
        while parent is not None and parent is not node:
            if isinstance(parent, exp.Cast | exp.TryCast):
                inside_cast = True
                break
            parent = parent.parent
        if not inside_cast:
            return True
    return False


def _slice(value: exp.Expression, start: exp.Expression | None, end: exp.Expression | None) -> exp.Expression:
    """DuckDB's 1-based, end-inclusive string slice `x[start:end]` (negatives count from the end) as substring."""
    length = exp.Length(this=value.copy())

    def position(bound: exp.Expression | None, default: exp.Expression) -> exp.Expression:
        if bound is None:
            return default
        if isinstance(bound, exp.Neg):
            back = exp.Sub(this=length.copy(), expression=bound.this.copy())
            return exp.Add(this=back, expression=exp.Literal.number(1))
        if isinstance(bound, exp.Literal) and not bound.is_string and int(bound.this) < 0:
            return exp.Add(this=exp.Add(this=length.copy(), expression=bound.copy()), expression=exp.Literal.number(1))
        return bound.copy()

    first = position(start, exp.Literal.number(1))
    last = position(end, length.copy())
    count = exp.Add(this=exp.Sub(this=last, expression=first.copy()), expression=exp.Literal.number(1))
    return exp.Substring(this=value.copy(), start=first, length=exp.Greatest(this=count,
                                                                             expressions=[exp.Literal.number(0)]))


def _wall_to_instant(wall: exp.Expression, zone: exp.Expression) -> exp.Expression:
    """DuckDB's timezone(zone, wall clock): the instant, taking the later one when the clock repeats.

    When DST ends a wall time happens twice; DuckDB (ICU) reads it as the second, standard-time
    instant, Java as the first. One hour later, if the same wall time comes round again, take it.
    """
    first = _fn("to_utc_timestamp", wall, zone)
    later = exp.Add(this=first.copy(), expression=exp.Interval(this=exp.Literal.string("1"), unit=exp.var("HOUR")))
    repeats = exp.EQ(this=_fn("from_utc_timestamp", later.copy(), zone.copy()), expression=wall.copy())
    return exp.Case(ifs=[exp.If(this=repeats, true=later)], default=first)


def _literal_for(value: Any) -> exp.Expression:
    if isinstance(value, datetime):
        moment = value.astimezone(UTC) if value.tzinfo else value
        text = moment.strftime("%Y-%m-%d %H:%M:%S.%f")
        return exp.cast(exp.Literal.string(text), exp.DataType.build("TIMESTAMP", dialect="spark"))
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int | float):
        return exp.Literal.number(value)
    return exp.Literal.string(str(value))


class SparkAdjuster:
    """The tree rewrites, applied bottom-up to a parsed DuckDB statement."""

    def __init__(self, tree: exp.Expression, params: Mapping[str, Any] | None) -> None:
        self.params = params
        self.list_names = _list_names(tree)

    def __call__(self, node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Placeholder) and self.params is not None and node.name in self.params:
            return _literal_for(self.params[node.name])
        if isinstance(node, exp.Table) and node.args.get("db") is not None and not node.args.get("catalog"):
            alias = node.args.get("alias")
            view = exp.to_table(table_view(node.db, node.name))
            view.this.set("quoted", True)
            if alias is not None:
                view.set("alias", alias)
            return view
        if (isinstance(node, exp.Window) and isinstance(node.this, exp.RowNumber)
                and not node.args.get("partition_by") and not node.args.get("order")):
            # `row_number() OVER ()` numbers rows in no order: a row id. Spark would move every row
            # into one partition for it; a unique id without a shuffle serves the same purpose.
            return _fn("monotonically_increasing_id")
        if isinstance(node, exp.Div):
            return exp.Div(this=exp.cast(node.this, "DOUBLE"), expression=exp.cast(node.expression, "DOUBLE"))
        if isinstance(node, exp.Round) and _has_double_division(node):
            decimals = node.args.get("decimals") or exp.Literal.number(0)
            return _fn(ROUND_DOUBLE, exp.cast(node.this, "DOUBLE"), decimals)
        if isinstance(node, exp.RegexpFullMatch):
            pattern = node.expression
            if isinstance(pattern, exp.Literal):
                anchored: exp.Expression = exp.Literal.string(f"^(?:{pattern.this})$")
            else:
                anchored = exp.DPipe(this=exp.DPipe(this=exp.Literal.string("^(?:"), expression=pattern),
                                     expression=exp.Literal.string(")$"))
            return exp.RegexpLike(this=node.this, expression=anchored)
        if isinstance(node, exp.RegexpReplace):
            replacement = node.args.get("replacement")
            if isinstance(replacement, exp.Literal) and "\\" in replacement.this:
                # RE2 writes a group as \1, Java as $1 (and a literal $ must be escaped).
                text = replacement.this.replace("$", "\\$")
                node.set("replacement", exp.Literal.string(re.sub(r"\\(\d)", r"$\1", text)))
            node.set("modifiers", None)
            return node
        if isinstance(node, exp.TimeToStr) and isinstance(node.args.get("format"), exp.Literal):
            return _fn("date_format", node.this, exp.Literal.string(java_format(node.args["format"].this,
                                                                                parse=False)))
        if isinstance(node, exp.First) and isinstance(node.this, exp.Order):
            order = node.this
            keys = order.expressions
            if len(keys) == 1 and not keys[0].args.get("desc"):
                return exp.Anonymous(this="min_by", expressions=[order.this, keys[0].this])
            if len(keys) == 1:
                return exp.Anonymous(this="max_by", expressions=[order.this, keys[0].this])
        if isinstance(node, exp.Length) and isinstance(node.this, exp.Column) and node.this.name in self.list_names:
            return _fn("size", node.this)
        if isinstance(node, exp.Bracket) and len(node.expressions) == 1 and isinstance(node.expressions[0], exp.Slice):
            bounds = node.expressions[0]
            return _slice(node.this, bounds.this, bounds.expression)
        if isinstance(node, exp.Anonymous):
            return self._function(node)
        return node

    def _function(self, node: exp.Anonymous) -> exp.Expression:
        name, args = node.name.lower(), _args(node)
        if name in ("try_strptime", "strptime") and len(args) == 2 and isinstance(args[1], exp.Literal):
            fn = "try_to_timestamp" if name == "try_strptime" else "to_timestamp"
            return _fn(fn, args[0], exp.Literal.string(java_format(args[1].this, parse=True)))
        if name == "timezone" and len(args) == 2:
            zone, value = args
            if _is_naive(value):
                return _wall_to_instant(exp.cast(value, "TIMESTAMP"), zone)
            wall = _fn("from_utc_timestamp", value, zone)
            return exp.cast(wall, exp.DataType.build("TIMESTAMP_NTZ", dialect="spark"))
        if name in UDF_NAMES:
            return _fn(UDF_NAMES[name], *args)
        if name == "list_slice" and len(args) == 3:
            begin, end = args[1], args[2]
            length = exp.Add(this=exp.Sub(this=end.copy(), expression=begin.copy()), expression=exp.Literal.number(1))
            return _fn("slice", args[0], begin, length)
        return node


def to_spark(sql: str, params: Mapping[str, Any] | None = None, *, pretty: bool = False) -> str:
    """Spark SQL for one DuckDB statement; `params` inlines `$name` placeholders as literals."""
    return spark_tree(sqlglot.parse_one(sql, read="duckdb"), params).sql(dialect="spark", pretty=pretty)


def spark_tree(tree: exp.Expression, params: Mapping[str, Any] | None = None) -> exp.Expression:
    """A parsed DuckDB statement rewritten in place for Spark (`to_spark` without the parse and the text).

    For callers that cut one statement into several Spark queries (recon.spark.rules): parsing
    and printing a rule's SQL is most of what transpiling costs, so they do each once.
    """
    # sqlglot parses jaro_winkler_similarity into its own node; it becomes recon's UDF like the others.
    for node in list(tree.find_all(exp.JarowinklerSimilarity)):
        node.replace(_fn(UDF_NAMES["jaro_winkler_similarity"], node.this, node.expression))
    adjust = SparkAdjuster(tree, params)
    # Bottom-up, so that a rewritten function sees its arguments already rewritten.
    for node in reversed(list(tree.dfs())):
        new = adjust(node)
        if new is not node:
            if node is tree:
                tree = new
            else:
                node.replace(new)
    return tree


def spark_type(duck_type: str) -> str:
    """A DuckDB column type as Spark DDL (`TIMESTAMPTZ` -> `TIMESTAMP`, `VARCHAR` -> `STRING`)."""
    return exp.DataType.build(duck_type, dialect="duckdb").sql(dialect="spark")


__all__ = ["ROUND_DOUBLE", "UDF_NAMES", "java_format", "spark_tree", "spark_type", "table_view", "to_spark"]
