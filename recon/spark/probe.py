"""The start-up probe: can the executors run recon's Python before any data is touched?

On a cluster the executors start their own Python (`spark.pyspark.python`, by default whatever
`python3` is on the worker). recon's UDFs, the fuzzy scorers and the X12 parser run there, so an
executor whose interpreter lacks pyarrow or recon fails deep inside the first rule with a
`PythonException`. One tiny task per core slot, run as a plain Python function (no Arrow, so it
reports a missing pyarrow or recon instead of tripping over it), imports what recon's executor code needs
and returns what it found; the driver turns any gap into a named problem (E012) that says how to
fix it, or, when no executor takes the task at all, E013.
"""

from __future__ import annotations

import sys
import threading
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from recon.errors import ConfigError, Problem

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

# What recon's code on an executor imports: the package itself (the X12 parser, the UDF bodies),
# Arrow and pandas (pandas UDFs, mapInArrow) and rapidfuzz (the fuzzy scorers).
EXECUTOR_MODULES = ("recon", "pyarrow", "pandas", "rapidfuzz")
PROBE_SECONDS = 120


def inspector(modules: tuple[str, ...] = EXECUTOR_MODULES) -> Callable[[Any], tuple[str, str, tuple[str, ...]]]:
    """A function reporting (interpreter, major.minor, modules that do not import) where it runs.

    It is a closure so that Spark ships it by value: a module-level function would be pickled by
    reference to `recon.spark.probe`, and an executor without recon could not even load it.
    """

    def inspect_python(_: Any = None) -> tuple[str, str, tuple[str, ...]]:
        import importlib
        import sys as sys_

        missing = []
        for name in modules:
            try:
                importlib.import_module(name)
            except Exception:  # ImportError, or a module whose import fails for another reason
                missing.append(name)
        return sys_.executable, f"{sys_.version_info[0]}.{sys_.version_info[1]}", tuple(missing)

    return inspect_python


def problem_of(found: list[tuple[str, str, tuple[str, ...]]], master: str) -> Problem | None:
    """The E012 problem for what the executors reported, or None when every one can run recon."""
    here = f"{sys.version_info[0]}.{sys.version_info[1]}"
    for executable, version, missing in sorted(set(found)):
        if version != here:
            return Problem.of("E012", master=master,
                              reason=f"{executable} is Python {version}, the driver runs Python {here}")
        if missing:
            return Problem.of("E012", master=master, reason=f"{executable} cannot import {', '.join(missing)}")
    return None


def probe_executors(session: SparkSession, master: str, seconds: float = PROBE_SECONDS) -> None:
    """Run `inspector()` on the executors; raise ConfigError (E012 or E013) when they cannot run recon."""
    context = session.sparkContext
    slots = max(1, int(context.defaultParallelism))
    group = f"recon-probe-{uuid.uuid4().hex}"
    outcome: dict[str, Any] = {}

    def run() -> None:
        context.setJobGroup(group, "recon: can the executors run recon's Python?", interruptOnCancel=True)
        try:
            outcome["found"] = context.parallelize(range(slots), slots).map(inspector()).collect()
        except Exception as exc:  # the interpreter is missing or too different to start a worker
            outcome["error"] = exc

    worker = threading.Thread(target=run, name="recon-spark-probe", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        context.cancelJobGroup(group)
        worker.join(10)
        raise ConfigError([Problem.of("E013", master=master, seconds=int(seconds))], title="engine not available")
    if "error" in outcome:
        raise ConfigError([Problem.of("E012", master=master, reason=_reason(outcome["error"]))],
                          title="engine not available")
    problem = problem_of(outcome.get("found", []), master)
    if problem is not None:
        raise ConfigError([problem], title="engine not available")


def _reason(exc: BaseException) -> str:
    """The line of a failed task's message that says why (Spark's run to pages of JVM stack)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    for line in lines:
        if any(k in line for k in ("Cannot run program", "ModuleNotFoundError", "ImportError",
                                   "different minor versions", "No such file")):
            return line[:300]
    return (lines[0] if lines else type(exc).__name__)[:300]


__all__ = ["EXECUTOR_MODULES", "inspector", "probe_executors", "problem_of"]
