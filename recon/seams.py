"""Test seams that cost nothing in production: a named point where a test can stop a real run.

`hold_point` lives here, apart from the store and the outputs that call it, so any step of a run
can offer a point to kill it at without importing another step's package.
"""

from __future__ import annotations

import os
import time
from pathlib import Path


def hold_point(name: str) -> None:
    """A test seam: with RECON_TEST_HOLD_AT=name, announce it (touch RECON_TEST_HOLD_FILE) and wait.

    The crash and lock tests use it to kill or race a real `recon run` subprocess at a known
    point (mid-load, mid-transaction, between two output files). It costs one environment
    lookup otherwise.
    """
    if os.environ.get("RECON_TEST_HOLD_AT") != name:
        return
    flag = os.environ.get("RECON_TEST_HOLD_FILE")
    if flag:
        Path(flag).write_text(str(os.getpid()))
    time.sleep(float(os.environ.get("RECON_TEST_HOLD_SECONDS", "60")))
