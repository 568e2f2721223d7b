"""Turn a parsed YAML document into a validated Config, collecting every problem at once.

Structural problems come from pydantic; semantic ones (unknown entity, unmapped key fields,
unknown lookup, bad time zone) need the canonical model and are checked here. Nothing here
touches the data files: that is `recon.load.preflight`.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ValidationError

from recon import files as filesys
from recon.calendars import DEFAULT_CALENDAR
from recon.config.schema import ColumnSpec, Config, Source
from recon.config.sourcesql import parse_condition, parse_fold, row_expression_problem
from recon.config.yamlfile import Loc, YamlDocument
from recon.engines import ENGINES
from recon.errors import Problem, did_you_mean
from recon.formats import FORMATS, SourceFormat, format_of
from recon.model import ENTITIES, LINE_FIELDS

EXPLODE_FORMATS = ("json", "jsonl")  # the formats whose records nest (recon.load.explode)
_UNION_TAGS = {"str", "int", "float", "bool", "ColumnSpec", "Ownership", "function-after[_one_source(), ColumnSpec]"}


def _model_for(loc: Loc) -> type[BaseModel] | None:
    """The model whose keys are valid at `loc`, for did-you-mean on unknown keys."""
    from recon.config import schema

    if not loc:
        return schema.Config
    if loc[0] == "sources" and len(loc) == 2:
        return schema.Source
    if loc[0] == "sources" and len(loc) == 3 and loc[2] == "options":
        return schema.ReaderOptions
    if loc[0] == "sources" and len(loc) == 3 and loc[2] == "latest_by":
        return schema.LatestBy
    if loc[0] == "sources" and len(loc) == 3 and loc[2] == "expect":
        return schema.Expect
    if loc[0] == "sources" and len(loc) == 4 and loc[2] == "columns":
        return schema.ColumnSpec
    if loc[0] == "engine" and len(loc) >= 2 and loc[1] == "spark":
        return schema.SparkOptions
    if loc[0] == "engine":
        return schema.EngineOptions
    if loc[0] == "derive" and len(loc) == 2:
        return schema.Derive
    if loc[0] == "ownership" and len(loc) == 2:
        return schema.Ownership
    return None


def pydantic_problems(exc: ValidationError, doc: YamlDocument, prefix: Loc = ()) -> list[Problem]:
    problems: dict[tuple[Loc, str], Problem] = {}
    errors = exc.errors()
    for err in errors:
        loc: Loc = (*prefix, *(p for p in err["loc"] if p not in _UNION_TAGS))
        kind = err["type"]
        # A `str | ColumnSpec` field given a mapping fails the `str` branch too: that half is noise.
        if kind == "string_type" and isinstance(err.get("input"), dict):
            continue
        if kind == "extra_forbidden":
            key = str(loc[-1])
            model = _model_for(loc[:-1])
            hint = did_you_mean(key, list(model.model_fields)) if model else None
            problem = doc.problem("C003", loc, key=key, hint=hint)
        elif kind == "missing":
            problem = doc.problem("C004", loc, key=loc[-1])
        else:
            message = err["msg"].removeprefix("Value error, ")
            problem = doc.problem("C005", loc, message=message, hint=_choice_hint(loc, err.get("input"), kind))
        problems.setdefault((loc, problem.message), problem)
    return list(problems.values())


def _choice_hint(loc: Loc, given: Any, kind: str) -> str | None:
    """Did-you-mean for a value that must name a registered format or engine."""
    if kind != "literal_error" or not isinstance(given, str) or not loc:
        return None
    if loc[0] == "sources" and loc[-1] == "format":
        return did_you_mean(given, list(FORMATS))
    if loc[0] == "engine" and loc[-1] == "name":
        return did_you_mean(given, list(ENGINES))
    return None


def _check_timezone(name: str | None, loc: Loc, doc: YamlDocument) -> list[Problem]:
    if name is None:
        return []
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return [doc.problem("C010", loc, name=name)]
    return []


def _lookup_names(steps: list[Any]) -> list[str]:
    return [s["map"] for s in steps if isinstance(s, dict) and isinstance(s.get("map"), str)]


def semantics_used(source: Source) -> list[tuple[str, str]]:
    """The source semantics a source uses (key, how to name it): formats and engines may lack them."""
    used = []
    if source.where is not None:
        used.append(("where", "where:"))
    if source.latest_by is not None:
        used.append(("latest_by", "latest_by:"))
    if source.pivot is not None:
        used.append(("pivot", "pivot:"))
    if source.explode is not None:
        used.append(("explode", "explode:"))
    used += [("columns", f"a lookup ({field}: {{lookup: ...}})") for field in source.lookups()]
    if filesys.DATE_FIELD.search(source.path):
        used.append(("path", "a dated path ({date:...})"))
    return used


def _semantics_problems(source: Source, base: Loc, doc: YamlDocument) -> list[Problem]:
    """`where`, dated paths and `select`, `latest_by`: each checked before any file is read."""
    problems: list[Problem] = []
    path = source.explode_path()
    if path is not None and path.error:
        problems.append(doc.problem("C040", (*base, "explode"), text=path.text, reason=path.error))
    if path is not None and format_of(source).name not in EXPLODE_FORMATS:
        problems.append(doc.problem("C034", (*base, "explode"), feature="explode:",
                                    where=f"for {format_of(source).name} sources",
                                    hint=f"explode reads nested {' or '.join(EXPLODE_FORMATS)} records"))
    if source.where is not None:
        condition = parse_condition(source.where)
        if condition.error:
            problems.append(doc.problem("C030", (*base, "where"), what="where", reason=condition.error))
    dated = filesys.DATE_FIELD.search(source.path)
    if dated:
        reason = filesys.date_format_problem(dated.group(1))
        if reason:
            problems.append(doc.problem("C031", (*base, "path"), reason=reason))
    elif source.select != "all":
        problems.append(doc.problem("C032", (*base, "select"), what=f"select: {source.select}"))
    if source.pivot is not None:
        problems += _pivot_problems(source, base, doc)
    if source.latest_by is not None:
        fields = list(source.column_specs())
        for key in source.latest_by.keys or []:
            if key not in fields:
                problems.append(doc.problem("C033", (*base, "latest_by", "keys"), role="key", name=key,
                                            hint=did_you_mean(key, fields)))
        by = source.latest_by.by
        if by == "file_date" and not dated:
            problems.append(doc.problem("C032", (*base, "latest_by", "by"), what="latest_by: {by: file_date}"))
        elif by not in ("file", "file_date") and by not in fields:
            hint = did_you_mean(by, [*fields, "file", "file_date"]) or "by: file, by: file_date or a mapped field"
            problems.append(doc.problem("C033", (*base, "latest_by", "by"), role="by", name=by, hint=hint))
    return problems


def _pivot_problems(source: Source, base: Loc, doc: YamlDocument) -> list[Problem]:
    """Each pivot field folds one expression; the mapping reads only what the pivot gives."""
    pivot = source.pivot
    assert pivot is not None
    problems: list[Problem] = []
    loc: Loc = (*base, "pivot")
    for name, spec in pivot.fields.items():
        fold = parse_fold(spec)
        if fold.error:
            problems.append(doc.problem("C030", (*loc, "fields", name), what=f"pivot field {name}", reason=fold.error))
        if name in pivot.by:
            problems.append(doc.problem("C035", (*loc, "fields", name), column=name,
                                        reason="it is also a `by` column"))
    if pivot.order_by is not None:
        order = parse_condition(pivot.order_by)
        if order.error:
            problems.append(doc.problem("C030", (*loc, "order_by"), what="pivot order_by", reason=order.error))
    given = [*pivot.by, *pivot.fields]
    folded = {c.casefold() for c in given}
    for field, spec in source.column_specs().items():
        read = [spec.column] if spec.column is not None else (
            list(parse_condition(spec.expr).columns) if spec.expr is not None else [])
        for column in read:
            if column.casefold() not in folded:
                problems.append(doc.problem(
                    "C035", (*base, "columns", field), column=column,
                    reason=f"the pivot gives {', '.join(given)}", hint=did_you_mean(column, given)))
    return problems


def lookup_problems(config: Config, doc: YamlDocument) -> list[Problem]:
    """Each `{lookup: SOURCE, on, field}` names another tabular source mapping both columns; no cycles."""
    problems: list[Problem] = []
    sources = config.sources
    for name, source in sources.items():
        for field, spec in source.lookups().items():
            loc: Loc = ("sources", name, "columns", field, "lookup")
            other = sources.get(spec.lookup or "")
            if other is None or spec.lookup == name:
                reason = ("a source cannot look itself up" if spec.lookup == name
                          else f"no source named {spec.lookup!r}")
                hint = did_you_mean(spec.lookup or "", [n for n in sources if n != name])
                problems.append(doc.problem("C036", loc, reason=reason, hint=hint))
                continue
            if format_of(other).is_edi or other.pivot is not None:
                problems.append(doc.problem("C036", loc, reason=f"{spec.lookup} is not a plain tabular source"))
                continue
            for role in ("on", "field"):
                column = getattr(spec, role)
                if other.field_from_column(column) is None:
                    mapped = [s.column for s in other.column_specs().values() if s.column]
                    problems.append(doc.problem(
                        "C036", ("sources", name, "columns", field, role),
                        reason=f"{spec.lookup} maps no field from column {column!r}",
                        hint=did_you_mean(column, mapped) or f"map it in sources.{spec.lookup}.columns"))
    problems += _lookup_cycles(config, doc)
    return problems


def _lookup_cycles(config: Config, doc: YamlDocument) -> list[Problem]:
    edges = {n: {s.lookup for s in src.lookups().values() if s.lookup in config.sources and s.lookup != n}
             for n, src in config.sources.items()}
    problems = []
    for start in edges:
        seen, frontier = set(), set(edges[start])
        while frontier:
            node = frontier.pop()
            if node == start:
                problems.append(doc.problem("C036", ("sources", start, "columns"),
                                            reason=f"lookups go round in a circle back to {start}"))
                break
            if node not in seen:
                seen.add(node)
                frontier |= edges.get(node, set())
    return problems


def source_problems(name: str, source: Source, config_lookups: dict[str, Any], doc: YamlDocument,
                    engine: str = "duckdb") -> list[Problem]:
    """Semantic checks of one source against the canonical model."""
    base: Loc = ("sources", name)
    problems: list[Problem] = []
    problems += _check_timezone(source.timezone, (*base, "timezone"), doc)
    fmt = format_of(source)
    used = semantics_used(source)
    if engine != "duckdb":  # a dated path is chosen before any engine reads it: fine everywhere
        problems += [doc.problem("C034", (*base, key), feature=what, where=f"on the {engine} engine",
                                 hint="run this source with engine: duckdb") for key, what in used if key != "path"]
    if fmt.is_edi:  # it maps itself onto its entities; its options block has its own model
        problems += [doc.problem("C034", (*base, key), feature=what, where=f"for {fmt.name} sources")
                     for key, what in used if key != "path"]
        problems += _age_column_problems(source, list(ENTITIES["edi_documents"].fields), base, doc)
        return problems + _format_options_problems(source, fmt, (*base, fmt.options_key), doc)
    problems += _semantics_problems(source, base, doc)
    if source.entity is None:
        return [*problems, doc.problem("C004", base, key="entity", hint=_entities_hint())]
    entity = ENTITIES.get(source.entity)
    if entity is None:
        hint = did_you_mean(source.entity, list(ENTITIES)) or _entities_hint()
        return [*problems, doc.problem("C011", (*base, "entity"), entity=source.entity, hint=hint)]
    specs = source.column_specs()
    problems += _age_column_problems(source, list(specs), base, doc)
    for key in entity.required:
        if key not in specs:
            near = [f for f in specs if f not in entity.fields]
            hint = did_you_mean(key, near) or f"{source.entity} is keyed by {', '.join(entity.keys)}"
            problems.append(
                doc.problem("C012", (*base, "columns"), key=key, entity=source.entity, hint=hint)
            )
    for field, spec in specs.items():
        loc = (*base, "columns", field)
        if field not in entity.fields:
            unmapped = [f for f in entity.fields if f not in specs]
            hint = did_you_mean(field, unmapped)
            if hint:
                problems.append(
                    doc.problem("C013", loc, column=field, entity=source.entity, hint=hint)
                )
        problems += _check_timezone(spec.timezone, (*loc, "timezone"), doc)
        reason = row_expression_problem(spec.expr) if spec.expr is not None else None
        if reason:
            problems.append(doc.problem("C041", (*loc, "expr"), what=f"{field}: {spec.expr}", reason=reason))
        if spec.line is not None and field not in LINE_FIELDS:
            problems.append(doc.problem("C038", (*loc, "line"), name=field))
        for lookup in _lookup_names(spec.normalise):
            if lookup not in config_lookups:
                hint = did_you_mean(lookup, list(config_lookups)) or "define it under lookups:"
                problems.append(doc.problem("C014", (*loc, "normalise"), lookup=lookup, hint=hint))
    return problems


def _age_column_problems(source: Source, fields: list[str], base: Loc, doc: YamlDocument) -> list[Problem]:
    """`expect.age_column` must be a field the source fills, or the delivery's age could never be measured.

    An EDI source maps itself: its deliveries are dated by a field of `edi_documents`.
    """
    age = source.expect.age_column
    if age is None or age in fields:
        return []
    hint = did_you_mean(age, fields) or f"one of {', '.join(fields)}"
    return [doc.problem("C021", (*base, "expect", "age_column"), column=age, hint=hint)]


def _format_options_problems(source: Source, fmt: SourceFormat, loc: Loc, doc: YamlDocument) -> list[Problem]:
    """An EDI format's options block (`x12:` partner quirks) is validated by the format's own model."""
    if fmt.options_model is None:
        return []
    try:
        fmt.options_model().model_validate(getattr(source, fmt.options_key, None) or {})
    except ValidationError as exc:
        return pydantic_problems(exc, doc, loc)
    return []


def _slo_calendar_problems(config: Config, doc: YamlDocument) -> list[Problem]:
    """An SLO in business days counts on a calendar the config defines (`2bd`: `default` or the only one)."""
    known = config.business_calendars()
    out = []
    for name, target in config.slo.clocks().items():
        if target.unit == "business_days":
            calendar = target.calendar or DEFAULT_CALENDAR
            if calendar not in known:
                out.append(doc.problem("R060", ("slo", name), calendar=calendar))
    return out


def _read_holidays(config: Config, doc: YamlDocument) -> tuple[Config, list[Problem]]:
    """Each calendar's `holidays_file` (beside the config) read into its holidays: config, not data."""
    problems: list[Problem] = []
    calendars = dict(config.calendars)
    for name, calendar in config.calendars.items():
        if calendar.holidays_file is None:
            continue
        loc: Loc = ("calendars", name, "holidays_file")
        path = Path(calendar.holidays_file).expanduser()
        path = path if path.is_absolute() else doc.path.parent / path
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(doc.problem("C037", loc, reason=f"cannot read {calendar.holidays_file}: "
                                                           f"{exc.strerror if isinstance(exc, OSError) else exc}"))
            continue
        days = set(calendar.holidays)
        for line in text.splitlines():
            cell = line.split(",", 1)[0].strip().strip('"')
            try:
                days.add(date.fromisoformat(cell))
            except ValueError:
                continue  # a header, a comment or a blank line
        calendars[name] = calendar.model_copy(update={"holidays": sorted(days)})
    return config.model_copy(update={"calendars": calendars}), problems


def _engine_name(data: dict[str, Any]) -> str:
    engine = data.get("engine")
    name = engine.get("name") if isinstance(engine, dict) else engine
    return name if isinstance(name, str) else "duckdb"


def _entities_hint() -> str:
    return "known entities: " + ", ".join(ENTITIES)


def build_config(doc: YamlDocument) -> tuple[Config | None, list[Problem]]:
    """Validate the whole document; returns the Config when there were no problems."""
    problems = list(doc.duplicates)
    data = doc.data if doc.data is not None else {}
    if not isinstance(data, dict):
        return None, [*problems, doc.problem("C008", ())]
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        problems += pydantic_problems(exc, doc)
        config = None
        # Still check the sources that are well-formed, so one message lists everything.
        sources = data.get("sources") if isinstance(data.get("sources"), dict) else {}
        lookups = data.get("lookups") if isinstance(data.get("lookups"), dict) else {}
        for name, raw in sources.items():
            try:
                source = Source.model_validate(raw)
            except ValidationError:
                entity = raw.get("entity") if isinstance(raw, dict) else None
                if isinstance(entity, str) and entity not in ENTITIES:
                    hint = did_you_mean(entity, list(ENTITIES)) or _entities_hint()
                    loc = ("sources", name, "entity")
                    problems.append(doc.problem("C011", loc, entity=entity, hint=hint))
                continue
            problems += source_problems(name, source, lookups, doc, _engine_name(data))
        return None, problems
    problems += _check_timezone(config.timezone, ("timezone",), doc)
    for name, source in config.sources.items():
        problems += source_problems(name, source, config.lookups, doc, config.engine.name)
    problems += lookup_problems(config, doc)
    config, calendar_problems = _read_holidays(config, doc)
    problems += calendar_problems
    problems += _slo_calendar_problems(config, doc)
    for i, budget in enumerate(config.budgets):
        if budget.source is not None and budget.source not in config.sources:
            problems.append(doc.problem("C022", ("budgets", i, "source"), source=budget.source,
                                        hint=did_you_mean(budget.source, list(config.sources))))
    if config.derive and config.engine.name != "duckdb":
        problems.append(doc.problem("C034", ("derive",), feature="derive:", where=f"on the {config.engine.name} engine",
                                    hint="run with engine: duckdb"))
    for entity in config.ownership:
        if entity not in ENTITIES:
            hint = did_you_mean(entity, list(ENTITIES))
            problems.append(doc.problem("C011", ("ownership", entity), entity=entity, hint=hint))
    return (config if not problems else None), problems


__all__ = ["ColumnSpec", "build_config", "pydantic_problems", "source_problems"]
