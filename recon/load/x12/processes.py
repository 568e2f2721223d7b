"""How the parallel parse's worker processes start: from a fork server that has imported the parse.

`recon.load.x12.parallel` plans the tasks and merges their results; this module owns the processes
that run them: the start method (`context`), the pool's lifetime (`pool`), what a worker must not
re-import (`plain_main`) and the module sizes a worker takes from the parent (`SWITCHES`).
"""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import forkserver, get_context
from multiprocessing.context import BaseContext

from recon.load.x12 import asn, candidates, columnar, headers, stream
from recon.load.x12 import parser as serial

SWITCHES = (
    (asn, "MIN_SEGMENTS"),
    (headers, "MIN_SEGMENTS"),
    (columnar, "MIN_SEGMENTS"),
    (candidates, "MIN_SEGMENTS"),
    (serial, "BLOCK_SEGMENTS"),
    (serial, "FLUSH_ROWS"),
    (stream, "BLOCK_CHARS"),
)
"""The serial parse's module-level sizes (its fast reads' thresholds, its block and flush sizes), which tests
and benchmarks set in the parent process to parse one input both ways. A worker starts from the modules as
imported, not as the parent left them, so every task carries the parent's values (`_Task.switches`) and
sets them before it parses."""


def switches() -> tuple[int, ...]:
    """The parent's current values of `SWITCHES` (a task's default)."""
    return tuple(getattr(module, name) for module, name in SWITCHES)


def set_switches(values: tuple[int, ...]) -> None:
    """In a worker: the modules' sizes as the parent had them when it planned the task."""
    for (module, name), value in zip(SWITCHES, values, strict=True):
        setattr(module, name, value)


@contextmanager
def plain_main() -> Iterator[None]:
    """Start worker processes without re-running the parent's main module in them.

    A spawned process imports the parent's `__main__` (the script) before it runs anything.
    For `recon run` that is recon.cli and everything it imports (~1 s of CPU per worker), and
    for a script without an `if __name__ == "__main__"` guard it would run the script again.
    The workers need only `recon.load.x12.parallel`, which they import by name to run `_run`; while they
    are started, `__main__` is a blank module, which multiprocessing does not re-import.
    """
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


PRELOAD = ["recon.load.x12.parallel"]
"""What the fork server imports once, so that each worker forked from it starts with the parse loaded."""


def context() -> BaseContext:
    """Workers forked from a fork server that has imported the parse (`PRELOAD`), or spawned where there is none.

    A spawned worker is a fresh interpreter: it imports pyarrow, numpy (and pandas, which pyarrow pulls in
    at its first `pa.array`) and the parse, ~0.9 CPU s, and tears them down again at exit, ~0.3 s. The fork
    server is started for each pool (`pool` stops it after), itself spawned (a fresh interpreter, not a fork
    of this process, so none of DuckDB's threads or locks are copied), imports the parse once and forks a
    worker per request; a forked worker ends with `os._exit`, without the teardown. Plain `fork` of this process
    is not used: DuckDB's threads may hold locks at the fork.
    """
    try:
        ctx = get_context("forkserver")
    except ValueError:  # no fork server on this platform
        return get_context("spawn")
    ctx.set_forkserver_preload(PRELOAD)
    return ctx


@contextmanager
def pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """A pool of `workers` processes (`context`); a fork server it started is stopped and waited for after it.

    Waiting for the fork server is what brings its workers' CPU time into this process's children
    (`getrusage`, `time`): the workers are its children, not ours. It also leaves no process behind.
    """
    ctx = context()
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as executor:
            yield executor
    finally:
        if ctx.get_start_method() == "forkserver":
            stop = getattr(forkserver._forkserver, "_stop", None)  # private, but the only way to wait for it
            if stop is not None:
                stop()


__all__ = ["PRELOAD", "SWITCHES", "context", "plain_main", "pool", "set_switches", "switches"]
