"""`derive:` steps checked against the catalogue before any data is read (pure: sqlglot, no DuckDB).

A step is one read-only SELECT over the tables the config loads (and the tables earlier steps
create). sqlglot parses it, refuses anything that is not a SELECT or that reaches outside the
loaded tables (a file, a table function, another database), and qualifies every column against
the catalogue (recon.catalogue), so an unknown table or column is a located problem at `recon
validate`, not a failed night. The checked step knows what it reads (its inputs, for the run to
skip a step whose input failed) and what it gives (its output columns, for coverage and rules).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import OptimizeError, SqlglotError
from sqlglot.optimizer.qualify import qualify

from recon import catalogue
from recon.config.schema import Config, Derive
from recon.config.yamlfile import Loc, YamlDocument
from recon.errors import Problem, did_you_mean
from recon.formats import format_of
from recon.model import ENTITIES, LINEAGE_COLUMNS
from recon.rules.snippets import file_function
from recon.sql import ident

DERIVED = "_derived"  # on an updated table: the steps that changed the row, for `recon trace`


@dataclass(frozen=True)
class DeriveStep:
    """A checked step: what it reads, what it writes, and the statement the run executes."""

    id: str
    mode: str  # "update" or "create"
    target: str  # system.entity
    sql: str  # the user's SELECT, as written
    inputs: tuple[str, ...]
    columns: tuple[str, ...]  # the SELECT's output columns
    keys: tuple[str, ...] = ()  # update: the columns naming the rows to change

    @property
    def sets(self) -> tuple[str, ...]:
        return tuple(c for c in self.columns if c not in self.keys)

    def statement(self) -> str:
        """The SQL the run executes for this step (`recon explain ID` prints it)."""
        system, entity = self.target.split(".")
        target = f"{ident(system)}.{ident(entity)}"
        if self.mode == "update":
            sets = ", ".join(f"{ident(c)} = d.{ident(c)}" for c in self.sets)
            on = " AND ".join(f"t.{ident(k)} = d.{ident(k)}" for k in self.keys)
            mark = f"concat_ws(', ', t.{DERIVED}, '{self.id}')"
            return (f"UPDATE {target} AS t SET {sets}, {DERIVED} = {mark}\n"
                    f"FROM (\n{self.sql.strip()}\n) AS d\nWHERE {on}")
        cols = ", ".join(ident(c) for c in self.columns)
        lineage = "" if "_source_file" in self.columns else ", _source_file"
        value = "" if "_source_file" in self.columns else f", 'derive:{self.id}'"
        return (f"INSERT INTO {target} ({cols}, _load_id{lineage})\n"
                f"SELECT {cols}, $load_id{value} FROM (\n{self.sql.strip()}\n) AS d")


def fed_tables(config: Config) -> dict[str, dict[str, str]]:
    """`system.entity` -> columns (with types) of every table a source of the config loads."""
    extras = catalogue.extras(config)
    out: dict[str, dict[str, str]] = {}
    for source in config.sources.values():
        fmt = format_of(source)
        entities = list(fmt.entities or ()) if fmt.is_edi else [source.entity] if source.entity in ENTITIES else []
        for entity in entities:
            table = f"{source.system}.{entity}"
            out[table] = catalogue.columns(table, extras)
    return out


def plan_derive(config: Config, doc: YamlDocument | None = None) -> tuple[list[DeriveStep], list[Problem]]:
    """Every `derive:` step checked in order (a step may read what an earlier one created)."""
    tables = fed_tables(config)
    updated = {s.update for s in config.derive.values() if s.update}
    for table in updated & set(tables):
        tables[table] = {**tables[table], DERIVED: "VARCHAR"}
    steps: list[DeriveStep] = []
    problems: list[Problem] = []
    for name, spec in config.derive.items():
        step, found = _check(name, spec, tables, _locator(doc, ("derive", name)))
        problems += found
        if step is not None:
            steps.append(step)
            if step.mode == "create":
                tables[step.target] = {c: t for c, t in catalogue.columns(step.target).items()}
    return steps, problems


def _locator(doc: YamlDocument | None, base: Loc):
    def problem(code: str, key: str, **fields: object) -> Problem:
        loc = (*base, key)
        if doc is not None:
            return doc.problem(code, loc, **fields)
        return Problem.of(code, path=".".join(str(p) for p in loc), **fields)
    return problem


def _check(name: str, spec: Derive, tables: dict[str, dict[str, str]], problem) -> tuple[DeriveStep | None, list]:
    try:
        statements = sqlglot.parse(spec.sql, read="duckdb")
    except SqlglotError as exc:
        return None, [problem("C042", "sql", reason=f"not valid SQL: {str(exc).splitlines()[0]}")]
    if len(statements) != 1 or not isinstance(statements[0], exp.Query):
        kind = type(statements[0]).__name__.upper() if statements and statements[0] is not None else "nothing"
        reason = ("write one SELECT, not several statements" if len(statements) > 1
                  else f"only a SELECT may run here, not {kind}: derive reads the loaded tables, recon writes")
        return None, [problem("C042", "sql", reason=reason)]
    tree = statements[0]
    for func in tree.find_all(exp.Func):
        fname = func.name if isinstance(func, exp.Anonymous) else func.sql_name()
        if file_function(fname):
            return None, [problem("C042", "sql", reason=f"{fname.lower()}() reads files or runs SQL text; derive "
                                                        "reads only the tables recon loaded")]
    ctes = {c.alias_or_name for c in tree.find_all(exp.CTE)}
    inputs: list[str] = []
    for table in tree.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier):
            return None, [problem("C042", "sql", reason=f"{table.sql(dialect='duckdb')} is not a loaded table")]
        if not table.db and table.name in ctes:
            continue
        ref = f"{table.db}.{table.name}" if table.db and not table.catalog else table.sql(dialect="duckdb")
        if ref not in tables:
            hint = did_you_mean(ref, sorted(tables)) or f"loaded tables: {', '.join(sorted(tables)) or 'none'}"
            return None, [problem("C043", "sql", table=ref, hint=hint)]
        inputs.append(ref)
    schema: dict[str, dict[str, dict[str, str]]] = {}
    for ref, cols in tables.items():
        system, entity = ref.split(".")
        schema.setdefault(system, {})[entity] = dict(cols)
    try:
        qualified = qualify(tree.copy(), schema=schema, dialect="duckdb", validate_qualify_columns=True,
                            quote_identifiers=False)
    except OptimizeError as exc:
        return None, [problem("C044", "sql", reason=str(exc).splitlines()[0])]
    except SqlglotError as exc:  # sqlglot could not follow the query: DuckDB binds it when the step runs
        return None, [problem("C044", "sql", reason=str(exc).splitlines()[0])]
    columns = tuple(qualified.named_selects) if isinstance(qualified, exp.Query) else ()
    return _target(name, spec, tuple(dict.fromkeys(inputs)), columns, tables, problem)


def _target(name: str, spec: Derive, inputs: tuple[str, ...], columns: tuple[str, ...],
            tables: dict[str, dict[str, str]], problem) -> tuple[DeriveStep | None, list]:
    target = spec.target
    entity = ENTITIES.get(target.split(".")[1])
    key = "update" if spec.update else "create"
    if entity is None:
        return None, [problem("C011", key, entity=target.split(".")[1], hint=did_you_mean(target.split(".")[1],
                                                                                           list(ENTITIES)))]
    if len(set(columns)) != len(columns) or "*" in columns:
        return None, [problem("C045", "sql", reason="name every output column once (alias computed ones)")]
    if spec.update:
        if target not in tables:
            return None, [problem("C045", "update", reason=f"no source loads {target}; create: makes a new table",
                                  hint=did_you_mean(target, sorted(tables)))]
        keys = tuple(spec.on or entity.keys)
        writable = [c for c in tables[target] if c not in LINEAGE_COLUMNS and c != DERIVED]
        missing = [k for k in keys if k not in columns]
        if missing:
            return None, [problem("C045", "sql", reason=f"the SELECT must give {', '.join(missing)} to name the "
                                                        f"{target} rows it changes")]
        unknown = [c for c in columns if c not in keys and c not in writable]
        if unknown or len(columns) == len(keys):
            reason = (f"{unknown[0]!r} is not a column of {target}" if unknown
                      else "the SELECT sets no column besides the keys")
            hint = did_you_mean(unknown[0], writable) if unknown else None
            return None, [problem("C045", "sql", reason=reason, hint=hint)]
        return DeriveStep(name, "update", target, spec.sql, inputs, columns, keys), []
    if target in tables:
        return None, [problem("C045", "create", reason=f"{target} is loaded by a source (or created by an earlier "
                                                       "step); update: changes its rows")]
    allowed = [*entity.fields, *LINEAGE_COLUMNS]
    unknown = [c for c in columns if c not in allowed]
    if unknown:
        return None, [problem("C045", "sql", reason=f"{unknown[0]!r} is not a field of {entity.name}",
                              hint=did_you_mean(unknown[0], allowed))]
    missing = [k for k in entity.required if k not in columns]
    if missing:
        return None, [problem("C045", "sql", reason=f"the SELECT must give the key field(s) {', '.join(missing)}")]
    return DeriveStep(name, "create", target, spec.sql, inputs, columns), []


def derived_columns(steps: list[DeriveStep]) -> dict[str, set[str]]:
    """`system.entity` -> the fields derive steps fill (coverage counts them as provided)."""
    out: dict[str, set[str]] = {}
    for step in steps:
        out.setdefault(step.target, set()).update(step.sets if step.mode == "update" else step.columns)
        if step.mode == "create":
            out[step.target] |= set(LINEAGE_COLUMNS)
    return out


__all__ = ["DERIVED", "DeriveStep", "derived_columns", "fed_tables", "plan_derive"]
