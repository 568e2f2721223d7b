"""`explode:` of a nested JSON source: which arrays turn one record into many rows (pure, no data).

`explode: stops[].shipment_ids[]` says: every element of every `stops` array's `shipment_ids`
array is one row. Each `[]` is a level; a level is addressed in the mapping by its dotted name
(`stops`, `stops.shipment_ids`), a field of its current element by name below it
(`stops.delivered_at`), a field of the record itself by its own name (`load_id`) or dotted path
(`carrier.scac`). Keys between arrays are objects (`shipment.stops[].ids[]`). Parsing it here lets
`recon validate` name a malformed path, and lets the loader resolve a mapped column to the level
whose element holds it, so the explosion is one SQL statement (recon.load.explode).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A key: anything but the path's own punctuation; `"a.b"` (double quotes) for a key holding a dot.
_SEGMENT = re.compile(r'\s*(?:"((?:[^"\\]|\\.)+)"|([^.\[\]"\s]+))\s*(\[\])?\s*')


@dataclass(frozen=True)
class Level:
    """One array of the path: its address in the mapping (`stops.shipment_ids`), the keys that lead to it
    from the element above (`["shipment_ids"]`), and how lineage names it (`shipment_ids`)."""

    name: str
    keys: tuple[str, ...]

    @property
    def label(self) -> str:
        return ".".join(self.keys)


@dataclass(frozen=True)
class ExplodePath:
    """A parsed `explode:`; `error` says why it is not one."""

    text: str
    levels: tuple[Level, ...] = ()
    error: str | None = None

    def resolve(self, column: str) -> tuple[int, tuple[str, ...]]:
        """Where a mapped column's value lives: (level, keys below that level's element).

        Level 0 is the record itself; the deepest level whose name is the column or a dotted prefix
        of it wins, so `stops.delivered_at` reads the current stop and `stops.shipment_ids` the leaf.
        """
        for depth in range(len(self.levels), 0, -1):
            name = self.levels[depth - 1].name
            if column == name:
                return depth, ()
            if column.startswith(name + "."):
                return depth, tuple(column[len(name) + 1:].split("."))
        return 0, tuple(column.split("."))


def parse_explode(text: str) -> ExplodePath:
    """Parse `a[].b.c[]`: dot-separated keys, each array to explode marked `[]`; the path ends at one."""
    segments: list[tuple[str, bool]] = []
    pos = 0
    while pos < len(text):
        match = _SEGMENT.match(text, pos)
        if match is None or match.end() == pos:
            return ExplodePath(text, error=f"cannot read the path at {text[pos:]!r}")
        key = match.group(1).replace('\\"', '"') if match.group(1) is not None else match.group(2)
        segments.append((key, match.group(3) is not None))
        pos = match.end()
        if pos < len(text):
            if text[pos] != ".":
                return ExplodePath(text, error=f"expected '.' before {text[pos:]!r}")
            pos += 1
            if pos == len(text):
                return ExplodePath(text, error="the path ends with '.'")
    if not segments:
        return ExplodePath(text, error="the path is empty")
    if not segments[-1][1]:
        return ExplodePath(text, error=f"the path must end at an array to explode: write {text.strip()}[]")
    levels: list[Level] = []
    keys: list[str] = []
    names: list[str] = []
    for key, is_array in segments:
        keys.append(key)
        names.append(key)
        if is_array:
            levels.append(Level(".".join(names), tuple(keys)))
            keys = []
    return ExplodePath(text, tuple(levels))


def json_path(keys: tuple[str, ...]) -> str:
    """A JSONPath (`$."a"."b"`) for keys; `$` for none (the element itself)."""
    return "$" + "".join('."' + k.replace('"', '\\"') + '"' for k in keys)


__all__ = ["ExplodePath", "Level", "json_path", "parse_explode"]
