"""The machine recon runs on, as named problems: folders and files it must be able to write.

A read-only `--out`, a full disk or a lock file nobody may create is not a bug in recon and not
bad data: it is the environment, reported as exit 2 with the file and the operating system's
reason (`V001`), never as an "internal error". Checks that can be made before any data is read
are made then (`check_output_folder`), so a night's run does not load and match everything
only to fail at the last step.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

from recon.errors import EXIT_USAGE, Problem, ReconError

_HINTS = {
    errno.EROFS: "the file system is mounted read-only; write somewhere else (--out, `state:`, `out:`)",
    errno.EACCES: "check the permissions of the file and its folder for the user that runs recon",
    errno.EPERM: "check the permissions of the file and its folder for the user that runs recon",
    errno.ENOSPC: "the disk is full; free space or write somewhere else",
    errno.EDQUOT: "the disk quota is exhausted; free space or write somewhere else",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EISDIR: "the path is a folder where a file is expected",
    errno.ENOENT: "the file or its folder does not exist",
    errno.EEXIST: "a file of that name is in the way of a folder",
}


class EnvironmentProblem(ReconError):
    """A file or folder recon needs cannot be used (exit 2): permissions, read-only, disk full."""

    def __init__(self, problems: list[Problem], title: str = "recon cannot use a file or folder") -> None:
        super().__init__(problems=problems, exit_code=EXIT_USAGE, title=title)


def environment_error(exc: OSError, what: str | None = None) -> EnvironmentProblem:
    """`exc` as a named problem: which file, what the system said, what to check."""
    target = exc.filename if exc.filename is not None else None
    return EnvironmentProblem([Problem.of("V001", what=what or "cannot use this file or folder",
                                          reason=exc.strerror or type(exc).__name__,
                                          file=str(target) if target is not None else None,
                                          hint=_HINTS.get(exc.errno or 0))])


def check_output_folder(out_dir: Path) -> None:
    """Prove that the run's outputs can be written, before any data is read.

    Outputs are written into `out_dir` or into a sibling that is renamed into place, so its parent
    must take new files (created if missing), and so must `out_dir` itself when it already
    exists. `out_dir` is not created here: a run that fails before its outputs leaves none.
    """
    _probe(out_dir.parent, "output folder's parent")
    if out_dir.exists():
        _probe(out_dir, "output folder")


def check_spill_folder(project_temp_directory: Path | None) -> None:
    """`engine.temp_directory`, when set, must take files: DuckDB would only find out when it
    first spills, in the middle of the rules, as an IOException."""
    if project_temp_directory is not None:
        _probe(project_temp_directory, "spill folder (engine.temp_directory)")


def _probe(folder: Path, what: str) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".recon-write-check-", dir=folder)
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(probe)
    except OSError as exc:
        if exc.filename is None:
            exc.filename = str(folder)
        raise environment_error(exc, f"cannot write into the {what}") from None
