"""Rule case files: tiny input tables and the exceptions a rule must produce from them.

`rules/cases/<rule-id>.yaml` holds one or more cases for one rule (`<rule-id>--<what>.yaml` more,
when they need another time zone or parameter values). Each case builds its tables
in a fresh in-memory DuckDB (canonical columns; rows as given), runs that one rule as a real run
would, and compares: every expected exception must be found (matching on the columns it names)
and nothing else may be. The same runner backs the parametrised tests and `recon rules test`, so
a user's own rules can carry cases too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pyarrow as pa
from pydantic import Field, ValidationError

from recon import catalogue
from recon.catalogue import ensure_table
from recon.config.schema import Config
from recon.config.units import Units
from recon.config.yamlfile import read_yaml
from recon.db import Database
from recon.errors import ConfigError, Problem
from recon.model import ENTITIES
from recon.rules.contract import COLUMN_NAMES
from recon.rules.loader import LoadedRule, load_rules, pydantic_problems
from recon.rules.runner import lookup_tables, run_rules
from recon.rules.schema import Strict
from recon.rules.tables import split_table
from recon.sql import ident, table_name


class Case(Strict):
    name: str
    tables: dict[str, list[dict[str, Any]]] = Field(default_factory=dict)
    expect: list[dict[str, Any]] = Field(default_factory=list)


class CaseFile(Strict):
    rule: str
    as_of: datetime
    timezone: str = "UTC"  # the config's zone: local times without an offset are read in it
    ownership: dict[str, str] = Field(default_factory=dict)  # entity -> system of record, as in recon.yaml
    parameters: dict[str, str | int | float] = Field(default_factory=dict)
    units: Units = Field(default_factory=Units)  # as `units:` in recon.yaml (codes, inline conversions, rounding)
    cases: list[Case] = Field(min_length=1)


@dataclass
class CaseResult:
    rule_id: str
    case: str
    missing: list[dict[str, Any]] = field(default_factory=list)  # expected, not found
    unexpected: list[dict[str, Any]] = field(default_factory=list)  # found, not expected
    error: str | None = None

    @property
    def ok(self) -> bool:
        return not (self.missing or self.unexpected or self.error)

    def explain(self) -> str:
        lines = [f"{self.rule_id} / {self.case}:"]
        if self.error:
            lines.append(f"  error: {self.error}")
        lines += [f"  expected, not found: {m}" for m in self.missing]
        lines += [f"  found, not expected: {_brief(u)}" for u in self.unexpected]
        return "\n".join(lines)


def _brief(row: dict[str, Any]) -> dict[str, Any]:
    keep = ("exception_type", "order_id", "line_no", "shipment_id", "invoice_id", "item_id", "site", "lot",
            "customer_id", "customer_po", "document", "field", "left_value", "right_value", "message")
    return {k: row[k] for k in keep if row.get(k) is not None}


def read_case_file(path: Path) -> CaseFile:
    doc = read_yaml(path)
    try:
        cases = CaseFile.model_validate(doc.data)
    except ValidationError as exc:
        raise ConfigError(pydantic_problems(exc, doc), title="case file is not valid") from None
    problems = []
    for i, case in enumerate(cases.cases):
        for table in case.tables:
            if split_table(table)[1] not in ENTITIES:
                problems.append(doc.problem("R024", ("cases", i, "tables", table), table=table))
        for j, row in enumerate(case.expect):
            for column in row:
                if column not in COLUMN_NAMES:
                    problems.append(doc.problem("R031", ("cases", i, "expect", j, column), column=column))
    if problems:
        raise ConfigError(problems, title="case file is not valid")
    return cases


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def build_tables(db: Database, tables: dict[str, list[dict[str, Any]]], needed: list[str]) -> None:
    """Canonical tables with the case's rows (typed by the model); tables the rule reads exist, if empty."""
    for name in dict.fromkeys([*needed, *tables]):
        system, entity = split_table(name)
        rows = tables.get(name, [])
        extras = {**catalogue.extras(None).get(name, {}),
                  **{c: "VARCHAR" for row in rows for c in row if c not in ENTITIES[entity].columns}}
        target = ensure_table(db, system, entity, extras)
        if not rows:
            continue
        types = {**ENTITIES[entity].columns, **extras}
        columns = list(dict.fromkeys(c for row in rows for c in row))
        data = {c: pa.array([_text(row.get(c)) for row in rows], pa.string()) for c in columns}
        data["_source_file"] = pa.array([f"{name}.case"] * len(rows), pa.string())
        data["_source_row"] = pa.array([str(i + 1) for i in range(len(rows))], pa.string())
        scratch = db.temp_name("case")
        db.register_arrow(scratch, pa.table(data))
        names = [*columns, "_source_file", "_source_row"]
        casts = ", ".join(f"CAST({ident(c)} AS {types[c]})" for c in names)
        db.execute(f"INSERT INTO {target} ({', '.join(ident(c) for c in names)}) SELECT {casts} FROM {ident(scratch)}")
        db.drop(scratch)


def _same(found: Any, expected: Any) -> bool:
    if expected is None:
        return found is None
    if found is None:
        return False
    if isinstance(expected, bool):
        return found == expected
    if isinstance(expected, datetime) and isinstance(found, str):
        try:
            found = datetime.fromisoformat(found.replace("Z", "+00:00"))
        except ValueError:
            return False
    if isinstance(expected, datetime) and isinstance(found, datetime):
        return found == expected
    if isinstance(expected, int | float) or isinstance(found, int | float | Decimal):
        try:
            return Decimal(str(found)) == Decimal(str(expected))
        except InvalidOperation:
            return False
    return _text(found) == _text(expected)


def compare(rule_id: str, case: str, found: list[dict[str, Any]], expected: list[dict[str, Any]]) -> CaseResult:
    """Pair each expected exception with a distinct found one that agrees on every column it names."""
    result = CaseResult(rule_id, case)
    remaining = list(found)
    for exp in expected:
        match = next((f for f in remaining if all(_same(f.get(k), v) for k, v in exp.items())), None)
        if match is None:
            result.missing.append(exp)
        else:
            remaining.remove(match)
    result.unexpected = remaining
    return result


def run_case(loaded: LoadedRule, case: Case, as_of: datetime, config: Config | None = None) -> CaseResult:
    db = Database()
    try:
        rule = loaded.rule
        needed = [*rule.tables(), *sorted(lookup_tables(rule))]
        build_tables(db, case.tables, needed)
        report = run_rules(db, [loaded], as_of=as_of, run_id="case", config=config)
        failed = [r for r in report.results if r.status != "ok"]
        if failed:
            return CaseResult(loaded.id, case.name, error=failed[0].reason)
        found = db.dicts("SELECT * FROM main.exceptions")
        return compare(loaded.id, case.name, found, case.expect)
    finally:
        db.close()


def case_config(cases: CaseFile) -> Config:
    return Config(parameters=cases.parameters, timezone=cases.timezone, ownership=cases.ownership, units=cases.units)


def case_rule(path: Path, cases: CaseFile, packs: list[Path]) -> LoadedRule:
    """The case file's rule, resolved with the case file's parameter values."""
    for pack in packs:
        try:
            ruleset = load_rules([pack], case_config(cases))
        except ConfigError:
            continue
        loaded = ruleset.get(cases.rule)
        if loaded is not None:
            return loaded
    raise ConfigError([Problem.of("R044", rule=cases.rule, file=str(path))],
                      title="case file names an unknown rule")


def run_case_file(path: Path, packs: list[Path]) -> list[CaseResult]:
    cases = read_case_file(path)
    loaded = case_rule(path, cases, packs)
    return [run_case(loaded, case, cases.as_of, case_config(cases)) for case in cases.cases]


__all__ = ["Case", "CaseFile", "CaseResult", "build_tables", "read_case_file", "run_case", "run_case_file",
           "table_name"]
