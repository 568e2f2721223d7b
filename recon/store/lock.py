"""An OS-level lock so two runs on the same state never overlap.

`fcntl.flock` on a lock file beside the state file: the kernel drops the lock when the holder's
file descriptor closes, which includes a crash, SIGKILL or a reboot, so a stale lock never needs
cleaning up by hand. The file's content (pid, run id, start time) is only there to make the
"another run is in progress" message useful; its existence means nothing.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from recon.environment import environment_error
from recon.errors import LockedError, Problem


def lock_path(state_path: Path) -> Path:
    return state_path.with_name(state_path.name + ".lock")


class StateLock:
    """Exclusive, non-blocking: a second run fails at once (exit 4) instead of queueing behind the first."""

    def __init__(self, state_path: Path, run_id: str | None = None) -> None:
        self.path = lock_path(state_path)
        self.run_id = run_id
        self._file: IO[str] | None = None

    @property
    def held(self) -> bool:
        return self._file is not None

    def acquire(self) -> StateLock:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the whole run
        except OSError as exc:  # read-only folder, a folder of that name, no permission: exit 2, named
            raise environment_error(exc, "cannot create or open the lock file beside the state") from None
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            holder = _parse(handle.read())
            handle.close()
            raise LockedError([_locked_problem(self.path, holder)]) from None
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({
            "pid": os.getpid(), "host": socket.gethostname(), "run_id": self.run_id,
            "since": datetime.now(UTC).replace(microsecond=0).isoformat(),
        }) + "\n")
        handle.flush()
        self._file = handle
        return self

    def release(self) -> None:
        if self._file is None:
            return
        try:
            self._file.seek(0)
            self._file.truncate()
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
        finally:
            self._file.close()
            self._file = None

    def __enter__(self) -> StateLock:
        return self.acquire()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()


def _parse(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _locked_problem(path: Path, holder: dict[str, Any]) -> Problem:
    who = []
    if holder.get("run_id"):
        who.append(f"run {holder['run_id']}")
    if holder.get("pid"):
        who.append(f"pid {holder['pid']}" + (f" on {holder['host']}" if holder.get("host") else ""))
    if holder.get("since"):
        who.append(f"since {holder['since']}")
    held_by = f" ({', '.join(who)})" if who else ""
    return Problem.of("L001", held_by=held_by, file=str(path))
