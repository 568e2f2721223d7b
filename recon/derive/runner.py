"""Run the checked `derive:` steps on the loaded tables, after loading and before the rules.

Each step is one statement (recon.derive.checks.DeriveStep.statement): an UPDATE … FROM the
user's SELECT, or an INSERT of its rows into a new table. The run has turned DuckDB's file access
off by then (recon.db.Database.restrict_file_access), so even SQL that got past the checks reads
nothing but the loaded tables. A step whose input table failed to load, or that fails on tonight's
data (a value of the wrong type, two rows for one key, an empty key), is not half applied: it
fails with I041 and its table counts as a failed source's, so the rules reading it are not
evaluated. Every step is recorded in `main.derived`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import duckdb

from recon.catalogue import ensure_table
from recon.db import Database
from recon.derive.checks import DERIVED, DeriveStep
from recon.errors import Problem
from recon.model import ENTITIES
from recon.sql import ident, table_name

DERIVED_DDL = """CREATE TABLE IF NOT EXISTS main.derived (
    run_id VARCHAR, step VARCHAR, mode VARCHAR, target VARCHAR, inputs VARCHAR, rows_changed BIGINT,
    status VARCHAR, error VARCHAR, seconds DOUBLE)"""


@dataclass(frozen=True)
class Derived:
    """One step's outcome: how many rows it changed (update) or made (create), or its problem."""

    step: str
    mode: str
    target: str
    rows: int = 0
    problem: Problem | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.problem is None


class StepFailed(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def run_derive(db: Database, steps: Sequence[DeriveStep], run_id: str, failed: Iterable[str] = ()) -> list[Derived]:
    """Run every step in order; `failed` are the tables whose source failed (a step reading one fails too)."""
    db.execute(DERIVED_DDL)
    broken = set(failed)
    out: list[Derived] = []
    for step in steps:
        started = time.perf_counter()
        try:
            bad = [t for t in (*step.inputs, step.target) if t in broken]
            if bad:
                raise StepFailed(f"it reads {bad[0]}, which did not load")
            rows = _run(db, step, run_id)
            done = Derived(step.id, step.mode, step.target, rows, seconds=time.perf_counter() - started)
        except StepFailed as exc:
            broken.add(step.target)
            problem = Problem.of("I041", step=step.id, reason=exc.reason, path=f"derive.{step.id}")
            done = Derived(step.id, step.mode, step.target, problem=problem, seconds=time.perf_counter() - started)
        out.append(done)
        db.execute("INSERT INTO main.derived VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   [run_id, step.id, step.mode, step.target, ", ".join(step.inputs), done.rows,
                    "ok" if done.ok else "failed", done.problem.message if done.problem else None,
                    round(done.seconds, 6)])
    return out


def _run(db: Database, step: DeriveStep, run_id: str) -> int:
    for table in {*step.inputs, step.target}:  # a table no file fed still exists, empty
        system, entity = table.split(".")
        ensure_table(db, system, entity)
    select = f"({step.sql.strip()})"
    try:
        if step.mode == "update":
            db.execute(f"ALTER TABLE {table_name(*step.target.split('.'))} ADD COLUMN IF NOT EXISTS {DERIVED} VARCHAR")
            keys = ", ".join(ident(k) for k in step.keys)
            twice = db.rows(f"SELECT {keys}, count(*) FROM {select} AS d GROUP BY ALL HAVING count(*) > 1 "
                            "ORDER BY ALL LIMIT 1")
            if twice:
                named = ", ".join(f"{k} = {v}" for k, v in zip(step.keys, twice[0], strict=False))
                raise StepFailed(f"the SELECT gives {twice[0][-1]} rows for one {step.target} row ({named})")
            return int(db.rows(step.statement())[0][0])
        empty = " OR ".join(f"{ident(k)} IS NULL" for k in _required(step))
        nulls = int(db.scalar(f"SELECT count(*) FROM {select} AS d WHERE {empty}")) if empty else 0
        if nulls:
            raise StepFailed(f"{nulls} rows of the SELECT have an empty key field ({', '.join(_required(step))})")
        return int(db.rows(step.statement(), {"load_id": f"{run_id}:derive.{step.id}"})[0][0])
    except duckdb.Error as exc:
        raise StepFailed(str(exc).splitlines()[0]) from None


def _required(step: DeriveStep) -> tuple[str, ...]:
    return ENTITIES[step.target.split(".")[1]].required


__all__ = ["DERIVED_DDL", "Derived", "run_derive"]
