"""How long the `recon` command takes to answer before doing any work: whole-process wall time.

`recon --version`, `recon --help` and `recon edi --help` each run `reps` times as fresh processes
(the console script a user types, Python start included); the median is the figure, with the
1-minute load average and the share of the CPUs other processes used, because on a shared
machine a slow start is often the neighbours'.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from harness import busy_fraction, stat

COMMANDS = (("--version",), ("--help",), ("edi", "--help"))
TARGET_S = 0.3  # `recon --version` and `recon --help` (issue #19)


def recon_script() -> Path:
    """The `recon` console script of the interpreter running the benchmark (the product's .venv)."""
    return Path(sys.executable).parent / "recon"


def measure(reps: int = 15, script: Path | None = None) -> dict[str, Any]:
    """Median (min-max) wall seconds per command, with the machine's load while it was measured."""
    script = script or recon_script()
    load_before = os.getloadavg()[0]
    busy = busy_fraction()
    out: dict[str, Any] = {"reps": reps, "load_1min": round(load_before, 2), "busy_before": round(busy, 3),
                           "commands": {}}
    for args in COMMANDS:
        times = []
        for _ in range(reps):
            t0 = time.perf_counter()
            subprocess.run([str(script), *args], check=True, stdout=subprocess.DEVNULL)
            times.append(time.perf_counter() - t0)
        out["commands"][" ".join(["recon", *args])] = stat(times).to_dict()
    out["load_1min_after"] = round(os.getloadavg()[0], 2)
    return out
