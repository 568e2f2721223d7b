"""Every file a run leaves in its output folder, each written once, and the folder replaced atomically.

| file | from |
| --- | --- |
| exceptions.csv, .parquet | `main.exceptions` (the rules; else the contract columns), `status`, `reason_code` |
| exceptions/<owner>.csv | one work list per owner, then `status`, `ack_until`, `ack_note` (`recon.report.queues`) |
| rejects.csv | `main.rejects` (the load) |
| lifecycle.parquet | `main.exception_status` (the store), so a re-render keeps new/open labels and acks |
| report.html, summary.json | the `Summary` (`recon.report.context`), listing the files above |

A run writes into a staging folder beside `--out` (`.<name>.recon-<pid>-new`) and `publish()`
puts it in place at the end: with an atomic exchange of the two folders where the kernel offers
one (Linux renameat2), else with two renames and a recovery at the next start. Until then the
previous run's folder stays as it was, so a run killed at any point leaves either the previous
run's outputs or the new run's, never a mix; `recon report --dir` also refuses a folder whose
files disagree on the run id. Because the folder is replaced as a whole, recon refuses an
existing `--out` folder that holds files it did not write.

Every CSV goes through `recon.report.csvsafe` (formula-injection neutralisation) unless the
caller asks for raw values.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import duckdb

from recon.config.schema import Config
from recon.db import Database
from recon.errors import ConfigError, Problem
from recon.report import html, queues
from recon.report import summary as facts
from recon.report.context import Summary
from recon.report.csvsafe import safe_select_sql
from recon.rules.contract import COLUMN_NAMES, order_by
from recon.seams import hold_point
from recon.sql import ident, literal

EXCEPTIONS_CSV, EXCEPTIONS_PARQUET = "exceptions.csv", "exceptions.parquet"
REJECTS_CSV, LIFECYCLE_FILE = "rejects.csv", "lifecycle.parquet"
REPORT_HTML, SUMMARY_JSON = "report.html", "summary.json"
FIXED_OUTPUTS = (EXCEPTIONS_CSV, EXCEPTIONS_PARQUET, LIFECYCLE_FILE, REJECTS_CSV, REPORT_HTML, SUMMARY_JSON)
OWNED = frozenset({*FIXED_OUTPUTS, queues.QUEUE_DIR})
DATA_FILES = (EXCEPTIONS_CSV, EXCEPTIONS_PARQUET, REJECTS_CSV)  # what only a run (not a re-render) can write
STATUS_COLUMNS = ("status", "reason_code")  # after the rules' columns in exceptions.csv/.parquet


@dataclass(frozen=True)
class Written:
    """The outputs step: where the files are and the summary that lists them."""

    out_dir: Path
    summary: Summary


def check_out_dir(out_dir: Path) -> None:
    """Refuse an existing output folder holding files recon did not write: it is replaced as a whole."""
    if not out_dir.exists():
        return
    if not out_dir.is_dir():
        raise ConfigError([Problem.of("O005", folder=out_dir)], title="cannot write the outputs")
    foreign = sorted(p.name for p in out_dir.iterdir() if p.name not in OWNED)
    if foreign:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        raise ConfigError([Problem.of("O004", folder=out_dir, files=shown)], title="cannot write the outputs")


# -- writing ----------------------------------------------------------------------------------------

class _Writer:
    """COPY statements into one folder, CSVs neutralised unless raw."""

    def __init__(self, db: Database, folder: Path, *, neutralise: bool) -> None:
        self.db, self.folder, self.neutralise = db, folder, neutralise

    def csv(self, name: str, query: str, order: str) -> None:
        """`query ORDER BY order` as CSV with a header; text cells neutralised unless raw."""
        if self.neutralise:
            columns = [(r[0], r[1]) for r in self.db.rows(f"DESCRIBE ({query})")]
            sql = safe_select_sql(query, columns, f"ORDER BY {order}")
        else:
            sql = f"{query} ORDER BY {order}"
        self.db.execute(f"COPY ({sql}) TO {literal(str(self.folder / name))} (HEADER, DELIMITER ',')")

    def parquet(self, name: str, query: str, order: str) -> None:
        self.db.execute(f"COPY ({query} ORDER BY {order}) TO {literal(str(self.folder / name))} (FORMAT PARQUET)")


def _exceptions_query(db: Database, where: str = "") -> str:
    """The exception rows in the contract's column and sort order.

    From `main.exceptions` as the rules wrote it when there is one; otherwise from the reporting
    view, which gives the contract's columns (typed) over no rows, or over a re-render's parquet.
    """
    if not where and db.table_exists("main", "exceptions"):
        # Every column the rules wrote, then the analyst's view of the row (a re-render's parquet has them already).
        present = {c for c, _ in db.columns("main.exceptions")}
        drop = [ident(c) for c in STATUS_COLUMNS if c in present]
        star = f"e.* EXCLUDE ({', '.join(drop)})" if drop else "e.*"
        return (f"SELECT {star}, s.status, s.reason_code FROM main.exceptions AS e LEFT JOIN "
                f"(SELECT DISTINCT exception_id, {queues.STATUS} AS status, reason_code FROM {facts.EXCEPTIONS}) AS s "
                f"USING (exception_id)")
    cols = ", ".join(ident(c) for c in COLUMN_NAMES)
    return f"SELECT {cols}, {queues.STATUS} AS status, reason_code FROM {facts.EXCEPTIONS} {where}".rstrip()


def write(db: Database, summary: Summary, config: Config, folder: Path, *, data: bool = True,
          neutralise: bool = True) -> Summary:
    """Write every output of `summary` into `folder`, each file once; returns the summary listing them.

    `data=False` leaves out the run's data files (exceptions.csv/.parquet, rejects.csv): a re-render
    in place carries the run's own files over instead of writing them again.
    """
    facts.prepare(db)
    out = _Writer(db, folder, neutralise=neutralise)
    folder.mkdir(parents=True, exist_ok=True)
    if data:
        query = _exceptions_query(db)
        out.csv(EXCEPTIONS_CSV, query, order_by())
        out.parquet(EXCEPTIONS_PARQUET, query, order_by())
        hold_point("outputs.exceptions")
        if db.table_exists("main", "rejects"):
            out.csv(REJECTS_CSV, "SELECT * FROM main.rejects", 'file, "row", field')
            hold_point("outputs.rejects")
    written = _write_queues(db, out)
    hold_point("outputs.queues")
    if db.table_exists(*facts.LIFECYCLE):
        out.parquet(LIFECYCLE_FILE, f"SELECT * FROM {facts.lifecycle_table()}", "ALL")
    present = [name for name in FIXED_OUTPUTS if (folder / name).exists()]
    final = summary.with_outputs([*present, REPORT_HTML, SUMMARY_JSON, *written.values()], written)
    (folder / REPORT_HTML).write_text(render_html(db, final, config), encoding="utf-8")
    hold_point("outputs.report")
    (folder / SUMMARY_JSON).write_text(final.json(), encoding="utf-8")
    hold_point("outputs.summary")
    return final


def render_html(db: Database, summary: Summary | dict[str, object], config: Config, include_data: bool = True) -> str:
    data = summary.as_dict() if isinstance(summary, Summary) else summary
    view = html.build_view(db, data, currency=config.currency, timezone=config.timezone, include_data=include_data)
    return html.render(view)


def _write_queues(db: Database, out: _Writer) -> dict[str, str]:
    """One `exceptions/<owner>.csv` per owner present; returns owner → relative path."""
    (out.folder / queues.QUEUE_DIR).mkdir(parents=True, exist_ok=True)
    owners = [r[0] for r in db.rows(f"SELECT DISTINCT owner FROM {facts.EXCEPTIONS} ORDER BY owner NULLS LAST")]
    written = queues.queue_files(owners)
    cols = ", ".join(ident(c) for c in COLUMN_NAMES)
    for owner in owners:
        where = "WHERE owner IS NULL" if owner is None else f"WHERE owner = {literal(owner)}"
        query = f"SELECT {cols}, {queues.STATUS_SQL} FROM {facts.EXCEPTIONS} {where}"
        out.csv(written[queues.owner_key(owner)], query, order_by())
    return written


# -- the staging folder and its atomic replacement of --out -------------------------------------------

_STAGED = re.compile(r"^\.(?P<name>.+)\.recon-(?P<pid>\d+)-(?P<kind>new|old)$")


class Staging:
    """A folder beside `final` to write a run's outputs into; `publish()` puts it in place.

        with Staging(out_dir) as stage:
            write(db, summary, config, stage.path)
            ...                 # e.g. record the run
            stage.publish()     # out_dir is now the new folder; the old one is gone

    Leaving the block without publishing (an error) removes the staging folder and leaves
    `final` as it was.
    """

    def __init__(self, final: Path) -> None:
        self.final = final.absolute()
        stem = f".{self.final.name}.recon-{os.getpid()}"
        self.path = self.final.parent / f"{stem}-new"
        self._old = self.final.parent / f"{stem}-old"
        self.published = False

    def __enter__(self) -> Staging:
        self.final.parent.mkdir(parents=True, exist_ok=True)
        recover(self.final)
        shutil.rmtree(self.path, ignore_errors=True)
        self.path.mkdir()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if not self.published:
            shutil.rmtree(self.path, ignore_errors=True)

    def carry(self, source: Path, skip: frozenset[str] | set[str]) -> None:
        """Copy `source`'s entries (but `skip`) into the staging folder: what a re-render keeps."""
        for entry in source.iterdir():
            if entry.name in skip:
                continue
            if entry.is_dir():
                shutil.copytree(entry, self.path / entry.name)
            else:
                shutil.copy2(entry, self.path / entry.name)

    def publish(self) -> None:
        hold_point("outputs.publish")
        if not self.final.exists():
            self.path.rename(self.final)
        elif _exchange(self.path, self.final):  # the staging path now holds the previous folder
            shutil.rmtree(self.path, ignore_errors=True)
        else:
            self.final.rename(self._old)
            self.path.rename(self.final)
            shutil.rmtree(self._old, ignore_errors=True)
        self.published = True
        hold_point("outputs.published")


def recover(final: Path) -> None:
    """Clean up after runs killed mid-publish or mid-write: a previous folder moved aside comes back
    (the fallback's window between two renames); staging folders of dead processes go."""
    parent = final.parent
    if not parent.is_dir():
        return
    for entry in sorted(parent.iterdir()):
        match = _STAGED.match(entry.name)
        if not match or match["name"] != final.name or _alive(int(match["pid"])):
            continue
        if match["kind"] == "old" and not final.exists():
            entry.rename(final)
        else:
            shutil.rmtree(entry, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # a leftover of an earlier process that had our pid
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where not available."""
    with contextlib.suppress(AttributeError, OSError):
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
        renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
        return renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0
    return False



# -- a stored folder: one run's files, or a mix ---------------------------------------------------------

def check_run_ids(folder: Path, run_id: str, db: Database) -> None:
    """Refuse a folder whose files come from different runs (e.g. copied together, or written by a
    recon without atomic outputs and killed half way): its report would mix two runs' numbers."""
    found: dict[str, set[str]] = {}
    reads = {
        EXCEPTIONS_PARQUET: "SELECT DISTINCT run_id FROM read_parquet(?)",
        LIFECYCLE_FILE: "SELECT DISTINCT run_id FROM read_parquet(?)",
        EXCEPTIONS_CSV: "SELECT DISTINCT run_id FROM read_csv(?, header = true, all_varchar = true)",
        REJECTS_CSV: "SELECT DISTINCT split_part(load_id, ':', 1) FROM read_csv(?, header = true, all_varchar = true)",
    }
    for name, sql in reads.items():
        path = folder / name
        if path.is_file() and path.stat().st_size:
            found[name] = _ids(db, sql, path)
    for path in sorted((folder / queues.QUEUE_DIR).glob("*.csv")):
        found[f"{queues.QUEUE_DIR}/{path.name}"] = _ids(db, reads[EXCEPTIONS_CSV], path)
    html_path = folder / REPORT_HTML
    if html_path.is_file() and run_id not in html_path.read_text(encoding="utf-8", errors="replace"):
        found[REPORT_HTML] = {"another run"}
    other = {name: ids - {run_id} for name, ids in found.items() if ids - {run_id}}
    if other:
        listed = "; ".join(f"{name}: {', '.join(sorted(ids))}" for name, ids in sorted(other.items()))
        raise ConfigError([Problem.of("O006", folder=folder, run=run_id, others=listed)],
                          title=f"cannot re-render {folder}")


def _ids(db: Database, sql: str, path: Path) -> set[str]:
    try:
        return {str(r[0]) for r in db.rows(sql, [str(path)]) if r[0] is not None}
    except duckdb.Error as exc:  # a damaged file is as bad as a foreign one
        return {f"unreadable ({str(exc).splitlines()[0][:80]})"}
