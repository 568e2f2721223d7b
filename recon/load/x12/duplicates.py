"""Duplicate interchange and group control numbers, across every file of one parse.

Kept apart from the envelope walker because a parallel parse decides duplicates in two places:
a worker process sees one file (or part of one) and can only defer each check, and the parent
replays the deferred checks in file order against one registry.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import NamedTuple

from recon.load.x12.result import Finding


@dataclass
class Registry:
    """Control numbers seen so far in this parse, across all files, to report duplicates.

    A `deferred` registry (a worker process of the parallel parse sees only its own file or
    part of one) decides nothing: each check becomes a `PendingDuplicate` in the findings list,
    at the place its finding would go, and the parent process replays them in file order
    against one registry (`resolve_pending`), which gives the same findings in the same order.
    """

    interchanges: dict[tuple[str, ...], tuple[str, int]] = field(default_factory=dict)
    groups: dict[tuple[str, ...], tuple[str, int]] = field(default_factory=dict)
    deferred: bool = False


class PendingDuplicate(NamedTuple):
    """A duplicate control number check left to the parent process (see Registry.deferred).

    `finding` holds the fields of the Finding to report if the key was seen before (a tuple:
    a worker sends one of these per interchange and group, and tuples pickle fast); its
    message is completed with where the key was seen ("in <file> at segment <n>") and `suffix`.
    """

    kind: str  # "interchange" | "group"
    key: tuple[str, ...]
    file: str
    position: int
    finding: tuple
    suffix: str = ""


def resolve_pending(items: list, registry: Registry, state: list[bool], offset: int = 0) -> list[Finding]:
    """Replay a worker's findings list: decide its PendingDuplicates against `registry`.

    `offset` is added to every segment position (a part of a file parsed on its own counts
    from 1). `state[0]` says whether the current interchange was a duplicate (its groups are
    then not checked, as in EnvelopeWalker); it carries over from one part of a file to the next.
    """
    out: list[Finding] = []
    for item in items:
        if isinstance(item, tuple):  # a PendingDuplicate, sent as a plain tuple
            item = PendingDuplicate(*item)
            position = item.position + offset
            table = registry.interchanges if item.kind == "interchange" else registry.groups
            if item.kind == "group" and state[0]:
                continue
            seen = table.get(item.key)
            if seen is None:
                table[item.key] = (item.file, position)
                if item.kind == "interchange":
                    state[0] = False
                continue
            if item.kind == "interchange":
                state[0] = True
            f = Finding(*item.finding)
            f.message = f"{f.message}in {seen[0]} at segment {seen[1]}{item.suffix}"
            if f.segment_position is not None:
                f.segment_position += offset
            out.append(f)
        elif offset and item.segment_position is not None:
            out.append(replace(item, segment_position=item.segment_position + offset))
        else:
            out.append(item)
    return out
