"""Which code of one system stands for which code of another, learnt by joining their extracts.

Two systems that write different site (or carrier) codes usually share a key: the WMS line of an
order and the ERP line of the same order are at the same site. Joining the two files on that key
(normalised: trimmed, upper case, leading zeros dropped) and counting which pairs of codes occur
together fills a lookup stub: a code that maps to one reference code in at least
`AGREEMENT` of its joined rows, over at least `MIN_ROWS` rows, is decided; the others stay TODO.
The joins run in DuckDB over the text cells the profile step read (recon.scaffold.profile).
"""

from __future__ import annotations

from dataclasses import replace

from recon.db import Database
from recon.scaffold.guess import Guess
from recon.scaffold.propose import Lookup
from recon.sql import ident

JOIN_KEYS = ("order_id", "shipment_id", "tracking_no", "invoice_id")  # keys that say "the same business record"
AGREEMENT = 0.8
MIN_ROWS = 3


def _key(column: str) -> str:
    return f"nullif(ltrim(upper(trim({ident(column)})), '0'), '')"


def _code(column: str, upper: bool) -> str:
    value = f"nullif(trim({ident(column)}), '')"
    return f"upper({value})" if upper else value


def co_occurrence(db: Database, lookup: Lookup, guesses: list[Guess]) -> tuple[dict[str, dict[str, int]], str]:
    """For each code of `lookup.system`: how many joined rows carry each reference code, and what
    was joined (for the comment)."""
    counts: dict[str, dict[str, int]] = {}
    joined: list[str] = []
    sides = [g for g in guesses if g.system == lookup.system and g.profile.table]
    refs = [g for g in guesses if g.system == lookup.reference and g.profile.table]
    for s in sides:
        for r in refs:
            sc, rc = s.columns.get(lookup.of_field), r.columns.get(lookup.of_field)
            if not (sc and rc and sc.column and rc.column):
                continue
            key = next((k for k in JOIN_KEYS if (s.columns.get(k) and s.columns[k].column
                                                 and r.columns.get(k) and r.columns[k].column)), None)
            if key is None:
                continue
            sk, rk = s.columns[key].column, r.columns[key].column
            assert sk is not None and rk is not None
            rows = db.rows(
                f"WITH a AS (SELECT DISTINCT {_key(sk)} AS k, {_code(sc.column, lookup.upper)} AS v "
                f"FROM {s.profile.table}), b AS (SELECT DISTINCT {_key(rk)} AS k, {_code(rc.column, False)} AS v "
                f"FROM {r.profile.table}) SELECT a.v, b.v, count(*) FROM a JOIN b USING (k) "
                "WHERE a.v IS NOT NULL AND b.v IS NOT NULL GROUP BY ALL")
            if rows:
                joined.append(f"{s.profile.path.name} and {r.profile.path.name} on {key}")
            for mine, theirs, n in rows:
                counts.setdefault(mine, {})
                counts[mine][theirs] = counts[mine].get(theirs, 0) + int(n)
    return counts, "; ".join(joined)


def infer(db: Database, lookup: Lookup, guesses: list[Guess]) -> Lookup:
    """The stub with every code the joins decide filled in; TODO only while some code is undecided."""
    if not lookup.of_field or not lookup.todo:
        return lookup
    counts, joined = co_occurrence(db, lookup, guesses)
    values = dict(lookup.values)
    comments: dict[str, str] = {}
    for code in values:
        seen = counts.get(code, {})
        total = sum(seen.values())
        if not seen:
            comments[code] = "TODO: no joined rows"
            continue
        best, n = max(seen.items(), key=lambda kv: (kv[1], kv[0]))
        if total >= MIN_ROWS and n >= AGREEMENT * total:
            values[code] = best
            comments[code] = f"{n} of {total} joined rows"
        else:
            comments[code] = f"TODO: {n} of {total} joined rows say {best}"
    undecided = [c for c, why in comments.items() if why.startswith("TODO")]
    if not joined:
        return lookup
    note = (f"{lookup.of_field} codes of {lookup.system} as {lookup.reference} writes them, learnt by joining "
            f"{joined}" + (f"; {len(undecided)} undecided" if undecided else ""))
    return replace(lookup, values=values, comments=comments, todo=bool(undecided), note=note)
