"""Lookups computed once per run: the joined subqueries several compiled rules repeat, word for word.

A rule's lookups compile to `JOIN (SELECT ... GROUP BY ...) AS lk0` inside its own statement (so the
rule's SQL stands alone for `recon explain`, `recon query` and Spark), and the bundled packs repeat
the same ones: the order lines' price and currency by order line (in base units) in three rules, an
ASN's shipment value in four, a side's unit factors in up to five. DuckDB computes a subquery again
in every statement (and in every place of one statement) that holds it, so at a million orders the
same grouping of the order lines costs seconds per rule (bench/notes.md, "Rules at 1M").

Pure text work: `plan` finds the subqueries of the run's statements that occur at least twice and
mean the same wherever they occur: the same text reading the same definitions of its statement's
CTEs (the unit conversions), no bound parameter, nothing that changes between two evaluations;
longest first. `substitute` replaces each with the name of a temporary table that
`recon.rules.runner` fills once, before the first rule that reads it, and drops after the last. A
subquery that fails on its own is not shared: its text stays in place, so a rule fails or succeeds
exactly as it would alone.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from recon.sql import ident

PREFIX = "_shared_lookup_"
_CTE = re.compile(r'(?m)^("(?:[^"]|"")+") AS (?:NOT )?(?:MATERIALIZED )?\(')
_VOLATILE = re.compile(r"\$|random\(|uuid\(|now\(|current_|nextval\(|setseed\(", re.IGNORECASE)


@dataclass(frozen=True)
class Shared:
    name: str  # the temporary table
    sql: str  # the subquery's text, with its outer parentheses
    readers: tuple[int, ...]  # indexes of the statements that read it (after the longer ones are shared)
    ctes: tuple[str, ...] = ()  # the definitions of the statement CTEs it reads (the same in every reader)

    def create(self) -> str:
        """The statement that fills the shared table."""
        with_ = "WITH\n" + ",\n".join(self.ctes) + "\n" if self.ctes else ""
        return f"CREATE OR REPLACE TEMP TABLE {ident(self.name)} AS\n{with_}SELECT * FROM {self.sql} AS shared"


def subqueries(sql: str) -> Iterator[str]:
    """Each `JOIN (SELECT ...)` subquery's text, parentheses included; quotes and comments skipped."""
    for match in re.finditer(r"JOIN \(SELECT\b", sql):
        start = match.start() + len("JOIN ")
        end = _closing(sql, start)
        if end is not None:
            yield sql[start:end + 1]


_TOKEN = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|[()]")


def _closing(sql: str, start: int) -> int | None:
    """The index of the parenthesis that closes the one at `start`, outside quotes and comments."""
    depth = 0
    for token in _TOKEN.finditer(sql, start):
        text = token.group()
        if text == "(":
            depth += 1
        elif text == ")":
            depth -= 1
            if depth == 0:
                return token.start()
    return None


def _ctes(statement: str) -> dict[str, str]:
    """The statement's CTEs: quoted name -> its whole definition (`"name" AS (...)`)."""
    out = {}
    for match in _CTE.finditer(statement):
        end = _closing(statement, match.end() - 1)
        if end is not None:
            out[match.group(1)] = statement[match.start():end + 1]
    return out


Key = tuple[tuple[str, ...], str]


def _key(text: str, ctes: Mapping[str, str]) -> Key | None:
    """What `text` means in its statement: the definitions of the CTEs it reads (and they read), in
    the statement's order, and the text; None when it or one of them holds a parameter or something
    volatile, which could differ between two evaluations."""
    if _VOLATILE.search(text):
        return None
    needed, todo = set(), [text]
    while todo:
        body = todo.pop()
        for name, definition in ctes.items():
            if name not in needed and name in body:
                if _VOLATILE.search(definition):
                    return None
                needed.add(name)
                todo.append(definition)
    return tuple(d for n, d in ctes.items() if n in needed), text


def _keys(sql: str, ctes: Mapping[str, str]) -> list[Key]:
    return [k for k in (_key(t, ctes) for t in subqueries(sql)) if k is not None]


def plan(statements: Mapping[int, str]) -> list[Shared]:
    """The subqueries worth computing once: at least two occurrences in all with the same meaning
    (text and the CTEs it reads), longest first.

    A subquery inside a longer shared one is counted only where it still occurs once the longer one
    is replaced (a shared table's own text is left as it is)."""
    texts = dict(statements)
    ctes = {i: _ctes(sql) for i, sql in statements.items()}
    found = {i: _keys(sql, ctes[i]) for i, sql in texts.items()}
    shared: list[Shared] = []
    while True:
        counts = Counter(key for keys in found.values() for key in keys)
        repeated = [key for key, n in counts.items() if n >= 2]
        if not repeated:
            return shared
        key = max(repeated, key=lambda k: (len(k[1]), k))
        name = f"{PREFIX}{len(shared)}"
        readers = tuple(i for i, keys in found.items() if key in keys)
        shared.append(Shared(name, key[1], readers, key[0]))
        for i in readers:
            texts[i] = texts[i].replace(key[1], ident(name))
            found[i] = _keys(texts[i], ctes[i])


def substitute(sql: str, shared: list[Shared], index: int, ready: set[str]) -> str:
    """Statement `index` reading the shared tables in `ready` instead of computing their subqueries."""
    for item in shared:
        if item.name in ready and index in item.readers:
            sql = sql.replace(item.sql, ident(item.name))
    return sql


__all__ = ["PREFIX", "Shared", "plan", "subqueries", "substitute"]
