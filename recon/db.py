"""The one place that owns the DuckDB connection and executes SQL.

Everything else builds SQL text (pure) and hands it here. The session runs in UTC so that
timestamps print and compare the same on every machine, whatever its local zone.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import weakref
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from recon.sql import ident


class Database:
    def __init__(
        self,
        path: str | Path | None = None,
        *,
        memory_limit: str | None = None,
        threads: int | None = None,
        temp_directory: str | None = None,
    ) -> None:
        self.path = str(path) if path else ":memory:"
        self.con = duckdb.connect(self.path)
        self.con.execute("SET TimeZone = 'UTC'")
        self._remove_scratch: Callable[[], Any] | None = None
        if memory_limit:
            self.con.execute(f"SET memory_limit = '{_setting(memory_limit)}'")
            if temp_directory is None and self.path == ":memory:":
                # DuckDB would spill into `.tmp` under the working directory, which a cron job may
                # not be allowed to write and nobody cleans: a private folder, removed at close()
                # or, for a database nobody closes, when it is collected or the process exits.
                _sweep_orphaned_spill_folders()
                temp_directory = tempfile.mkdtemp(prefix=f"{SPILL_PREFIX}{os.getpid()}-")
                self._remove_scratch = weakref.finalize(self, shutil.rmtree, temp_directory, True)
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        if temp_directory:
            self.con.execute(f"SET temp_directory = '{_setting(temp_directory)}'")
        self._counter = 0

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> None:
        self.con.execute(sql, params or [])

    def rows(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        return self.con.execute(sql, params or []).fetchall()

    def scalar(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> Any:
        result = self.rows(sql, params)
        return result[0][0] if result else None

    def dicts(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> list[dict[str, Any]]:
        cursor = self.con.execute(sql, params or [])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def arrow(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> pa.Table:
        # A relation straight to Arrow: through a DB-API cursor DuckDB makes an extra copy of the rows.
        return self.con.sql(sql, params=params or None).to_arrow_table()

    def columns(self, relation: str) -> list[tuple[str, str]]:
        """(name, type) of a table or view, in order."""
        return [(r[0], r[1]) for r in self.rows(f"DESCRIBE {relation}")]

    def table_exists(self, schema: str, table: str) -> bool:
        return bool(
            self.scalar(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
                [schema, table],
            )
        )

    def temp_name(self, stem: str) -> str:
        """A fresh name for a scratch table, unique within this connection."""
        self._counter += 1
        return f"_{stem}_{self._counter}"

    def register_arrow(self, name: str, table: pa.Table) -> None:
        """Materialise an Arrow table as a temp table (a view over Python memory would outlive nothing)."""
        self.con.register("_arrow_in", table)
        try:
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE {ident(name)} AS SELECT * FROM _arrow_in")
        finally:
            self.con.unregister("_arrow_in")

    def register_function(self, name: str, fn: Callable[..., Any], params: Sequence[Any], return_type: Any, *,
                          vectorized: bool = True, null_handling: str = "default") -> None:
        """Make a Python function callable from SQL as `name(...)` on this connection, replacing one of that name.

        `params` and `return_type` are DuckDB types or their names (`"VARCHAR"`, `"DOUBLE"`). Vectorized
        (the default): `fn` takes and returns Arrow arrays, one call per vector of rows, no per-row
        Python. `null_handling="special"` hands NULLs to `fn` (it must return NULL where it means it);
        the default makes any NULL argument a NULL result without calling it.
        """
        with contextlib.suppress(duckdb.InvalidInputException):  # not registered yet
            self.con.remove_function(name)
        self.con.create_function(name, fn, list(params), return_type,
                                 type="arrow" if vectorized else "native", null_handling=null_handling,
                                 side_effects=False)

    def drop(self, *names: str) -> None:
        """Drop scratch tables or views by name (a reader may hand back either)."""
        for name in names:
            try:
                self.con.execute(f"DROP TABLE IF EXISTS {ident(name)}")
            except duckdb.CatalogException:  # the name is a view
                self.con.execute(f"DROP VIEW IF EXISTS {ident(name)}")

    def restrict_file_access(self, directories: Sequence[str | Path] = (), paths: Sequence[str | Path] = ()) -> None:
        """From now on this database touches no file but those under `directories` and those in `paths`.

        Loading needs the extracts; the rules need none. Turned off once loading is done, so that
        rule SQL, even one that got past validation, cannot read `/etc/passwd` or glob a folder.
        DuckDB's switch is one-way (it cannot be turned on again while the database runs); the
        outputs and the state file are written after the rules, so their places are allowed first.
        DuckDB's own spill files are not affected.
        """
        own = [self.path] if self.path != ":memory:" else []  # a working-tables file keeps checkpointing
        # Each path as given (made absolute) and with symlinks resolved: DuckDB compares the text.
        folders = sorted({f.rstrip("/") + "/" for d in directories for f in _spellings(d)})
        files = sorted({f for p in [*paths, *own] for name in duckdb_files(p) for f in _spellings(name)})
        self.con.execute("SET allowed_directories = ?", [folders])
        self.con.execute("SET allowed_paths = ?", [files])
        self.con.execute("SET enable_external_access = false")

    def described(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Column names and rows of a query (names as the query gives them, duplicates kept)."""
        cursor = self.con.execute(sql)
        columns = [d[0] for d in cursor.description or []]
        return columns, cursor.fetchall()

    def statement_types(self, sql: str) -> list[str]:
        """The kind of each statement in `sql` (SELECT, INSERT, COPY, ...) as DuckDB's parser reads it."""
        return [s.type.name for s in self.con.extract_statements(sql)]

    def close(self) -> None:
        self.con.close()
        if self._remove_scratch is not None:
            self._remove_scratch()


def _spellings(path: str | Path) -> set[str]:
    return {os.path.abspath(path), str(Path(path).resolve())}


def duckdb_files(path: str | Path) -> list[str]:
    """The files DuckDB writes for a database file: itself, its WAL and the WAL's checkpoint copy."""
    return [str(path), f"{path}.wal", f"{path}.wal.checkpoint"]


SPILL_PREFIX = "recon-spill-"


def _sweep_orphaned_spill_folders() -> None:
    """Remove the spill folders of recon processes that are gone (killed runs cannot clean up).

    A folder is named after the process that made it; one whose process still runs (or whose
    number was reused) is left alone, and one this user cannot remove is skipped.
    """
    with contextlib.suppress(OSError), os.scandir(tempfile.gettempdir()) as entries:
        for entry in entries:
            pid = entry.name.removeprefix(SPILL_PREFIX).split("-", 1)[0]
            if entry.name.startswith(SPILL_PREFIX) and pid.isdigit() and not _running(int(pid)):
                shutil.rmtree(entry.path, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def check_memory_limit(value: str) -> str:
    """`value` if DuckDB accepts it as a memory limit of more than zero, else ValueError saying why.

    DuckDB itself parses it (on a throwaway connection), so the config accepts exactly what the
    engine will: `4GB`, `1.5GiB`, `500 MB`, `50%`. Validating it here turns a typo such as
    `lots` into a config error at `recon validate` instead of a failed run.
    """
    con = duckdb.connect()
    try:
        con.execute(f"SET memory_limit = '{_setting(value)}'")
        effective = str(con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0])
    except duckdb.OutOfMemoryException:
        raise ValueError(f"{value!r} is too small a memory limit to run anything; write e.g. 4GB, 1.5GiB or 50%"
                         ) from None
    except duckdb.Error as exc:
        reason = str(exc).split(":", 1)[-1].strip().splitlines()[0]
        raise ValueError(f"{value!r} is not a memory limit ({reason}); write e.g. 4GB, 1.5GiB or 50%") from None
    finally:
        con.close()
    if effective.startswith("0 "):  # DuckDB prints the limit it took: "0 bytes" for 0GB or 0%
        raise ValueError(f"{value!r} is too small a memory limit to run anything; write e.g. 4GB, 1.5GiB or 50%")
    return value


def _setting(value: str) -> str:
    return str(value).replace("'", "''")
