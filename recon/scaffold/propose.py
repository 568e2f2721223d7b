"""From the guess for each file to the plan of a config: source names, key normalisers decided by
comparing the systems' values, lookup stubs where two systems write different codes, statuses
that need a lookup, time zones, EDI sources and their own id, ownership. Pure.

What it cannot decide becomes a TODO in the plan (and a comment in recon.yaml): a stub lookup
maps each value to itself, so the config validates and runs as if the lookup were not there
until someone fills it in.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

from recon.model import ENTITIES
from recon.scaffold.guess import Column, Guess, Unclassified
from recon.scaffold.names import CANONICAL_STATUS, CODE_FIELDS, ID_FIELDS, tokens
from recon.scaffold.profile import FileProfile

SYSTEM_ORDER = ("erp", "wms", "tms", "edi")  # whose codes are the canonical ones, when several write them
EDI_ID_FIELDS = ("customer_po", "shipment_id", "tracking_no")  # fields an EDI source may normalise
OWNERS = {"orders": "erp", "order_lines": "erp", "invoice_lines": "erp", "shipment_lines": "wms",
          "stock": "wms", "deliveries": "tms", "returns": "wms", "edi_documents": "edi", "edi_acks": "edi"}


@dataclass(frozen=True)
class SourcePlan:
    name: str
    system: str
    entity: str | None
    path: str  # relative to the config's folder
    format: str | None  # written only when the suffix does not say it
    options: dict[str, object]
    columns: dict[str, Column]
    normalise: dict[str, tuple[object, ...]] = field(default_factory=dict)  # source-level (EDI)
    edi_options: dict[str, object] = field(default_factory=dict)
    timezone: str | None = None
    comments: tuple[str, ...] = ()
    todos: tuple[str, ...] = ()


@dataclass(frozen=True)
class Lookup:
    name: str
    values: dict[str, str]
    note: str
    todo: bool
    of_field: str = ""  # a code lookup: the field, the system whose codes it maps, and to whose codes
    system: str = ""
    reference: str = ""
    upper: bool = False  # the field is upper-cased before the lookup
    comments: dict[str, str] = field(default_factory=dict)  # value -> why it maps as it does


@dataclass(frozen=True)
class Plan:
    sources: tuple[SourcePlan, ...]
    lookups: tuple[Lookup, ...]
    timezone: str | None
    timezone_todo: str | None
    ownership: dict[str, str]
    unclassified: tuple[Unclassified, ...]

    @property
    def todos(self) -> list[str]:
        out = [f"timezone: {self.timezone_todo}"] if self.timezone_todo else []
        out += [f"lookups.{lk.name}: {lk.note}" for lk in self.lookups if lk.todo]
        out += [f"sources.{s.name}: {t}" for s in self.sources for t in s.todos]
        return out


def _rel(path: Path, base: Path) -> str:
    return Path(os.path.relpath(path, base)).as_posix()


def source_name(system: str, path: Path, taken: set[str]) -> str:
    words = [w for w in tokens(path.stem) if w != system]
    name = f"{system}_{'_'.join(words)}" if words else system
    name = name if name[0].isalpha() else f"s_{name}"
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}_{n}", n + 1
    taken.add(candidate)
    return candidate


def _values(guess: Guess, column: Column) -> tuple[str, ...] | None:
    if column.column:
        return guess.profile.column(column.column).values
    return column.values


def _has_lower(guess: Guess, column: Column) -> bool:
    return bool(column.column) and guess.profile.column(column.column or "").has_lower


def _is_code(values: tuple[str, ...]) -> bool:
    return all(" " not in v for v in values)


def dated_pattern(path: Path) -> str | None:
    """The glob of a file name that carries a date or a sequence number (`orders_2026-11-20.csv` ->
    `orders_*.csv`), None when the name has no digits or nothing but digits."""
    stem = path.stem
    if not re.search(r"\d", stem) or not re.search(r"[A-Za-z]", stem):
        return None
    return re.sub(r"\*(?:[-_.T]?\*)+", "*", re.sub(r"\d+", "*", stem)) + path.suffix


def _signature(g: Guess) -> tuple[object, ...]:
    return (g.system, g.entity, tuple(sorted((f, c.column, c.expr, c.format) for f, c in g.columns.items())),
            tuple(sorted(g.profile.options.items())))


def group_files(guesses: list[Guess]) -> list[list[Guess]]:
    """Files that are one extract written on several days (same folder, same name but for its digits,
    same columns and reading) as one group; every other file alone."""
    by_pattern: dict[tuple[Path, str], list[Guess]] = defaultdict(list)
    for g in guesses:
        by_pattern[(g.profile.path.parent, dated_pattern(g.profile.path) or g.profile.path.name)].append(g)
    groups: list[list[Guess]] = []
    for members in by_pattern.values():
        if len(members) > 1 and len({_signature(m) for m in members}) == 1:
            groups.append(sorted(members, key=lambda m: m.profile.path))
        else:
            groups += [[m] for m in members]
    return sorted(groups, key=lambda g: g[0].profile.path)


def plan(guesses: list[Guess], edi: list[FileProfile], unclassified: list[Unclassified], base: Path) -> Plan:
    """The whole config's plan; `base` is the folder recon.yaml will be written in."""
    taken: set[str] = set()
    groups = group_files(guesses)
    names: dict[int, str] = {}
    for group in groups:
        first = group[0].profile.path
        shown = first.with_name(dated_pattern(first) or first.name)  # a dated name is named by its pattern
        name = source_name(group[0].system, Path(str(shown).replace("*", "")), taken)
        names.update({id(g): name for g in group})
    norm: dict[int, dict[str, list[object]]] = {id(g): defaultdict(list) for g in guesses}
    upper_fields = {f for g in guesses for f, c in g.columns.items() if f in ID_FIELDS and _has_lower(g, c)}
    for g in guesses:
        for f, c in g.columns.items():
            if f not in ID_FIELDS or not c.column:
                continue
            prof = g.profile.column(c.column)
            if prof.zero_padded and f not in ("lot", "site"):
                norm[id(g)][f].append("strip_leading_zeros")
            if f in upper_fields and prof.has_letters:
                norm[id(g)][f].append("upper")
    lookups: list[Lookup] = []
    lookups += _code_lookups(guesses, names, norm, upper_fields)
    lookups += _status_lookups(guesses, names, norm)
    naive = sorted({names[id(g)] for g in guesses if g.naive_times})
    sources = []
    for group in groups:
        g = group[0]
        columns = {f: replace(c, normalise=tuple(norm[id(g)].get(f, ()))) for f, c in g.columns.items()}
        pattern = dated_pattern(g.profile.path)
        path = g.profile.path.with_name(pattern) if len(group) > 1 and pattern else g.profile.path
        rows = sum(m.profile.rows for m in group)
        files = f" in {len(group)} files" if len(group) > 1 else ""
        comments = [f"{rows:,} rows{files}; entity {g.entity}"
                    + (f" (next best: {g.runner_up})" if g.runner_up else "")
                    + (f"; system from {g.system_evidence}" if g.system_evidence else "")]
        if g.unmapped:
            comments.append("not mapped: " + ", ".join(g.unmapped))
        if pattern and len(group) == 1:
            comments.append(f"its name carries a date: path {_rel(g.profile.path.with_name(pattern), base)} "
                            "would read each day's file (and every earlier one left in the folder)")
        todos = list(g.todos) + [c.note for c in columns.values() if c.note and c.note.startswith("TODO")]
        sources.append(SourcePlan(names[id(g)], g.system, g.entity, _rel(path, base), None,
                                  dict(g.profile.options), columns, timezone=g.timezone, comments=tuple(comments),
                                  todos=tuple(t.removeprefix("TODO: ") for t in todos)))
    sources += _edi_sources(edi, base, taken, upper_fields)
    ownership = {e: s for e, s in OWNERS.items()
                 if any(p.entity == e and p.system == s for p in sources)
                 or (s == "edi" and any(p.system == "edi" and p.entity is None for p in sources))}
    tz_todo = (f"the time zone of times written without an offset ({', '.join(naive)}); UTC is a guess"
               if naive else None)
    return Plan(tuple(sources), tuple(lookups), "UTC" if naive else None, tz_todo, ownership, tuple(unclassified))


def _code_lookups(guesses: list[Guess], names: dict[int, str], norm: dict[int, dict[str, list[object]]],
                  upper_fields: set[str]) -> list[Lookup]:
    """Where two systems write different codes for one thing (sites, carriers): a lookup from the
    codes of each other system to the reference system's, as a stub to fill in."""
    out = []
    for f in CODE_FIELDS:
        by_system: dict[str, set[str]] = defaultdict(set)
        users: dict[str, list[Guess]] = defaultdict(list)
        for g in guesses:
            c = g.columns.get(f)
            values = _values(g, c) if c else None
            if values:
                up = f in upper_fields
                by_system[g.system].update(v.upper() if up else v for v in values)
                users[g.system].append(g)
        if len(by_system) < 2:
            continue
        ranked = sorted(by_system, key=lambda s: (not _is_code(tuple(by_system[s])),
                                                  SYSTEM_ORDER.index(s) if s in SYSTEM_ORDER else 9, s))
        reference = ranked[0]
        ref_values = by_system[reference]
        for system in ranked[1:]:
            values = by_system[system]
            if len(values & ref_values) * 2 >= len(values):
                continue
            name = f"{system}_{f}"
            shown = ", ".join(sorted(ref_values)[:12]) + (", ..." if len(ref_values) > 12 else "")
            out.append(Lookup(name, {v: v for v in sorted(values)},
                              f"map each {f} {system} writes to the code {reference} writes ({shown})", True,
                              of_field=f, system=system, reference=reference, upper=f in upper_fields))
            for g in users[system]:
                norm[id(g)][f].append({"map": name})
    return out


def _status_lookups(guesses: list[Guess], names: dict[int, str],
                    norm: dict[int, dict[str, list[object]]]) -> list[Lookup]:
    """A status the bundled rules compare (SHIPPED, CANCELLED, ...) written as a system's own codes."""
    out: dict[str, Lookup] = {}
    for g in guesses:
        canonical = CANONICAL_STATUS.get(g.entity or "")
        c = g.columns.get("status")
        values = _values(g, c) if c and canonical else None
        if not values or not canonical or all(v.upper() in canonical for v in values):
            continue
        name = f"{names[id(g)]}_status"  # the files of one source (a dated glob) share it
        known = out[name].values if name in out else {}
        out[name] = Lookup(name, {v: v for v in sorted({*known, *values})},
                           f"map each status of {names[id(g)]} to one of {', '.join(canonical)} "
                           "(the values the bundled rules compare)", True)
        norm[id(g)]["status"].append({"map": name})
    return list(out.values())


def _edi_sources(edi: list[FileProfile], base: Path, taken: set[str], upper_fields: set[str]) -> list[SourcePlan]:
    """One source per folder and EDI format; our own id is the one party in every interchange."""
    groups: dict[tuple[Path, str], list[FileProfile]] = defaultdict(list)
    for p in edi:
        groups[(p.path.parent, p.format or "")].append(p)
    out = []
    for (folder, fmt), files in sorted(groups.items()):
        suffixes = {p.path.suffix for p in files}
        if len(suffixes) == 1:
            suffix = suffixes.pop()
            others = [q for q in folder.glob(f"*{suffix}") if q.is_file()]
            path = _rel(folder, base) + f"/*{suffix}" if len(others) == len(files) else None
        else:
            path = None
        paths = [path] if path else [_rel(p.path, base) for p in files]
        parties = [set(pair) for p in files for pair in p.parties]
        ours = set.intersection(*parties) if parties else set()
        todos = [] if len(ours) == 1 else ["our_ids: the ISA ids that are us (documents from them are outbound)"]
        documents = sorted({d for p in files for d in p.documents})
        for one in paths:
            name = source_name("edi", Path(folder.name if len(paths) == 1 else Path(one).name), taken)
            out.append(SourcePlan(
                name, "edi", None, one, fmt, {}, {},
                normalise={f: ("upper",) for f in EDI_ID_FIELDS if f in upper_fields},
                edi_options={"our_ids": sorted(ours)} if len(ours) == 1 else {},
                comments=(f"{fmt} documents {', '.join(documents) or '(none found)'} in {len(files)} file(s); "
                          "it maps itself onto the canonical entities",),
                todos=tuple(todos)))
    return out


def entity_fields(entity: str) -> list[str]:
    return list(ENTITIES[entity].fields)
