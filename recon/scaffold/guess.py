"""Which system and canonical entity a profiled file holds, and which column feeds which field.

Pure: it reads `FileProfile`s (recon.scaffold.profile) and the field dictionary
(recon.scaffold.names), nothing else. Every entity is tried; the mapping is greedy over the
entity's fields (keys first) with the dictionary's names; an entity counts only when every
required key found a column whose values fit the field's type, and the best score wins. A file
no entity fits is returned unclassified, with the reason, and never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import PurePath

from recon.model import ENTITIES, ID, INT, LINE_FIELDS, MONEY, QTY, TS
from recon.scaffold.names import (
    BY_ENTITY,
    DATE_TIME_PAIRS,
    DERIVED,
    ENTITY_WORDS,
    FIELDS,
    SYSTEM_WORDS,
    fold,
    tokens,
)
from recon.scaffold.profile import DATE_FORMATS, ColumnProfile, FileProfile

TABULAR_ENTITIES = ("orders", "order_lines", "shipment_lines", "invoice_lines", "deliveries", "stock", "returns",
                    "uom_conversions", "transfers")
# What may follow a dictionary name in a column's name and still mean it: `Pickup (UTC)`, `ship_date_local`.
NOISE = ("utc", "local", "gmt", "date", "time", "datetime", "ts", "dt", "at", "id", "no", "nr", "num", "code",
         "ref", "number", "key")
SAP_NAMES = {"vbeln", "posnr", "matnr", "werks", "kunnr", "kwmeng", "lfimg", "fkimg", "netwr", "netpr", "charg",
             "erdat", "budat", "fkdat", "aubel", "aupos", "vgbel", "vgpos", "labst", "meins", "vrkme", "waerk",
             "lifex", "gbstk", "gbsta", "auart", "bstkd", "mblnr", "lgort"}


@dataclass(frozen=True)
class Column:
    """How one canonical field is read: a column or an expression, a format, normalisers."""

    column: str | None = None
    expr: str | None = None
    format: str | None = None
    normalise: tuple[object, ...] = ()
    note: str | None = None  # a comment beside it in recon.yaml
    values: tuple[str, ...] | None = None  # the values an expression yields, when they are few

    @property
    def sources(self) -> tuple[str, ...]:
        return (self.column,) if self.column else ()


@dataclass(frozen=True)
class Guess:
    """A file (or a glob of like files) as a source of recon.yaml."""

    profile: FileProfile
    system: str
    entity: str | None  # None for an EDI source (it maps itself)
    columns: dict[str, Column] = field(default_factory=dict)
    score: int = 0
    system_evidence: str = ""  # why this system ("folder erp", "SAP column names")
    timezone: str | None = None  # the source's own time zone when its column names say so
    naive_times: tuple[str, ...] = ()  # fields read from times without an offset
    todos: tuple[str, ...] = ()
    unmapped: tuple[str, ...] = ()
    runner_up: str | None = None


@dataclass(frozen=True)
class Unclassified:
    profile: FileProfile
    reason: str
    shown: str = ""  # the path as recon.yaml's folder sees it


def _fits(profile: ColumnProfile, duck_type: str) -> bool:
    """Whether the column's values can be the field's type (an empty column fits anything)."""
    if profile.filled == 0:
        return True
    if duck_type in (QTY, MONEY):
        return profile.numeric
    if duck_type == INT:
        return profile.digits
    if duck_type == TS:
        return profile.iso_time or bool(profile.formats)
    return True


def _name_matches(column: str, name: str) -> bool:
    folded, wanted = fold(column), fold(name)
    if folded == wanted:
        return True
    rest = folded[len(wanted):] if folded.startswith(wanted) else None
    return bool(wanted) and rest is not None and rest in NOISE


def candidates(entity: str, field_name: str) -> tuple[str, ...]:
    return (*BY_ENTITY.get(entity, {}).get(field_name, ()), *FIELDS.get(field_name, ()))


def table_prefix(names: list[str]) -> str:
    """The prefix every column of a file carries (`SO_`, `oh_`; Infor M3's two-letter table prefix,
    `OBORNO`, `OBITNO`), tried off when a name does not match as it is; '' when there is none."""
    if len(names) < 3:
        return ""
    lowered = [n.lower() for n in names]
    common = next((lowered[0][:i] for i in range(len(lowered[0])) if len({n[: i + 1] for n in lowered}) > 1),
                  lowered[0])
    if "_" in common:
        return common[: common.rindex("_") + 1]
    if len(common) >= 2 and all(n.isupper() and n.isalnum() and len(n) >= 5 for n in names):
        return common[:2]
    return ""


def map_columns(profile: FileProfile, entity: str) -> dict[str, str]:
    """Field -> column for one entity: keys first, each column used once, dictionary order wins; a
    name is tried as it is, then without the prefix all the file's columns share."""
    spec = ENTITIES[entity]
    prefix = table_prefix([c.name for c in profile.columns])
    order = [*spec.keys, *(f for f in spec.fields if f not in spec.keys)]
    used: set[str] = set()
    chosen: dict[str, str] = {}
    for name in order:
        for wanted in candidates(entity, name):
            hit = next((c for c in profile.columns if c.name not in used
                        and (_name_matches(c.name, wanted) or (prefix and _name_matches(c.name[len(prefix):], wanted)))
                        and _fits(c, INT if name in LINE_FIELDS else spec.fields[name])), None)
            if hit is not None:
                chosen[name] = hit.name
                used.add(hit.name)
                break
    return chosen


def _word_bonus(profile: FileProfile, entity: str) -> int:
    """The length of the longest of the entity's words in the file's name (0: none)."""
    stem = fold(profile.path.stem)
    return max((len(fold(w)) for w in ENTITY_WORDS.get(entity, ()) if fold(w) in stem), default=0)


def score(profile: FileProfile, entity: str, mapping: dict[str, str]) -> int:
    spec = ENTITIES[entity]
    keys = sum(3 for k in spec.keys if k in mapping)
    return keys + sum(1 for f in mapping if f not in spec.keys)


def classify(profile: FileProfile) -> tuple[str, dict[str, str], str | None] | str:
    """(entity, mapping, runner-up) for the best entity every required key of which is mapped, or
    the reason none is."""
    tried = []
    for entity in TABULAR_ENTITIES:
        mapping = map_columns(profile, entity)
        if all(k in mapping for k in ENTITIES[entity].required):
            tried.append((score(profile, entity, mapping), _word_bonus(profile, entity), entity, mapping))
    if not tried:
        names = ", ".join(_short(c.name) for c in profile.columns[:8]) + (", ..." if len(profile.columns) > 8 else "")
        return f"its columns ({names}) hold the keys of no canonical entity"
    tried.sort(key=lambda t: (-t[0], -t[1], TABULAR_ENTITIES.index(t[2])))
    best = tried[0]
    if len(tried) > 1 and tried[1][0] == best[0] and tried[1][1] == best[1]:
        return f"it fits {best[2]} and {tried[1][2]} equally; name it or map it by hand"
    return best[2], best[3], tried[1][2] if len(tried) > 1 else None


def _short(name: str, width: int = 30) -> str:
    """A column name for a message: a header line read as one huge name must not flood the terminal."""
    return name if len(name) <= width else name[: width - 1] + "…"


def system_of(profile: FileProfile, entity: str | None, root: PurePath | None = None) -> tuple[str, str]:
    """The system that wrote the file, and the evidence: a word of its path, SAP's column names,
    else what usually holds the entity."""
    parts = profile.path.parts if root is None else _relative(profile.path, root).parts
    for part in reversed(parts):  # the nearest folder or the file's own name decides
        words = set(tokens(part))
        for system, hints in SYSTEM_WORDS.items():
            if words & set(hints):
                return system, f"path word {sorted(words & set(hints))[0]!r}"
    if profile.format and profile.format not in ("csv", "jsonl", "json", "parquet", "xlsx"):
        return "edi", f"{profile.format} content"
    if sum(fold(c.name) in SAP_NAMES for c in profile.columns) >= 3:
        return "erp", "SAP column names"
    default = {"deliveries": "tms", "shipment_lines": "wms", "stock": "wms"}.get(entity or "", "erp")
    return default, ""


def _relative(path: PurePath, root: PurePath) -> PurePath:
    try:
        return path.relative_to(root)
    except ValueError:
        return path


def time_column(profile: FileProfile, name: str, by_name: dict[str, ColumnProfile]) -> Column:
    """A timestamp field: ISO as it is; a date with its time column beside it (SAP) joined; else
    the format every value matches, with a TODO when day and month could be either way round."""
    col = by_name[name]
    if col.iso_time:
        return Column(column=name)
    fmt = col.formats[0]
    if fmt in DATE_FORMATS:
        for time_name in DATE_TIME_PAIRS.get(fold(name), ()):
            partner = next((c for c in profile.columns if fold(c.name) == time_name and c.time_formats), None)
            if partner is not None and "%H%M%S" in partner.time_formats and fmt == "%Y%m%d":
                return Column(expr=f"{name} || {partner.name}", format=fmt + "%H%M%S",
                              note=f"date {name} and time {partner.name}")
    ambiguous = any("%m/%d" in f for f in col.formats) and any("%d/%m" in f for f in col.formats)
    note = (f"TODO: {name} reads as month/day and as day/month; keep {fmt} or change it" if ambiguous else None)
    return Column(column=name, format=fmt, note=note)


def guess(profile: FileProfile, root: PurePath | None = None) -> Guess | Unclassified:
    """The source a tabular file becomes, or why it cannot be classified."""
    if profile.problem:
        return Unclassified(profile, profile.problem)
    if not profile.columns:
        return Unclassified(profile, "no columns")
    found = classify(profile)
    if isinstance(found, str):
        return Unclassified(profile, found)
    entity, mapping, runner_up = found
    system, evidence = system_of(profile, entity, root)
    by_name = {c.name: c for c in profile.columns}
    spec = ENTITIES[entity]
    columns: dict[str, Column] = {}
    options: dict[str, object] = {}  # reader options the values call for (decimal comma, thousands)
    naive: list[str] = []
    zone = None
    todos = [] if evidence else [f"system {system} is a guess from the entity: rename it if another system "
                                 "wrote this file"]
    for name, column in mapping.items():
        if spec.fields[name] == TS:
            columns[name] = time_column(profile, name=column, by_name=by_name)
            if not by_name[column].offsets:
                if "utc" in tokens(column) or "gmt" in tokens(column):
                    zone = "UTC"
                else:
                    naive.append(name)
        else:
            columns[name] = Column(column=column)
    numbers = [by_name[c] for f, c in mapping.items() if spec.fields[f] in (QTY, MONEY)]
    if any(c.decimal_comma for c in numbers) and not profile.options.get("decimal"):
        options["decimal"] = ","
    elif any(c.thousands_comma for c in numbers) and not profile.options.get("thousands"):
        options["thousands"] = ","
    for rule in DERIVED:
        if rule["entity"] != entity:
            continue
        present = {fold(c.name): c.name for c in profile.columns}
        needed = rule["columns"]
        assert isinstance(needed, tuple)
        if all(n in present for n in needed) and columns.get(str(rule["field"]), Column()).column in (
                *[present[n] for n in needed], None):
            expr = str(rule["expr"]).format(**{n: present[n] for n in needed})
            base = by_name[present[str(rule["values_from"])]].values
            adds = rule["adds"]
            assert isinstance(adds, tuple)
            columns[str(rule["field"])] = Column(expr=expr, note=str(rule["why"]),
                                                 values=None if base is None else (*base, *adds))
    if zone == "UTC":
        naive = []
    if "line_no" in spec.fields and "line_no" not in columns and "line_no" in spec.required:
        todos.append("line_no: no column found")
    read = {c for col in columns.values() for c in col.sources} | {
        c.name for c in profile.columns if any(c.name in (col.expr or "") for col in columns.values())}
    unmapped = tuple(c.name for c in profile.columns if c.name not in read)
    if options:
        profile = replace(profile, options={**profile.options, **options})
    return Guess(profile, system, entity, columns, score(profile, entity, mapping), evidence, zone, tuple(naive),
                 tuple(todos), unmapped, runner_up)


def id_like(entity: str, name: str) -> bool:
    return ENTITIES[entity].fields.get(name) == ID
