"""Measurement plumbing for `make bench`: child processes, peak memory, machine load, statistics.

Every measured repetition runs in a child process of its own, because peak resident memory is
only meaningful per process: `os.wait4` returns the rusage of exactly that child (ru_maxrss),
whereas `getrusage(RUSAGE_CHILDREN)` reports the maximum over every child ever waited for, which
would make the second repetition inherit the first one's peak.

Other engineers run tests on this same 2-core machine, so each measurement also records how busy
the machine was: the load average just before, and the CPU time that *other* processes used while
the child ran (machine busy time from /proc/stat minus the child's own user+system time). A
figure taken while others used a large share of the CPUs is flagged, and the run waits (bounded)
for a quiet machine before measuring.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def process_tree(root: int) -> list[tuple[int, list[str]]]:
    """A process and its live descendants, each with its /proc stat fields after the name.

    One walk of /proc shared by the memory and CPU samplers, so both see the same tree.
    """
    children: dict[int, list[int]] = {}
    stats: dict[int, list[str]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        stats[int(entry)] = fields
        children.setdefault(int(fields[1]), []).append(int(entry))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        if pid in stats:
            tree.append((pid, stats[pid]))
        todo.extend(children.get(pid, []))
    return tree


def tree_rss_bytes(root: int) -> int:
    """Resident memory of a process and all its descendants now (recon parses X12 in worker processes).

    wait4's ru_maxrss is the largest single process of the tree, not their sum, so a parent and its
    workers running at the same time are only counted together by sampling /proc.
    """
    total = 0
    for pid, _ in process_tree(root):
        try:
            with open(f"/proc/{pid}/statm") as f:
                total += int(f.read().split()[1]) * PAGE_SIZE
        except OSError:
            pass
    return total


def tree_cpu_seconds(root: int) -> float:
    """User + system CPU of a process and its live descendants, plus what they reaped."""
    # fields after the name: utime 11, stime 12, cutime 13, cstime 14 (0-based from state)
    ticks = sum(int(fields[i]) for _, fields in process_tree(root) for i in (11, 12, 13, 14))
    return ticks / CLOCK_TICKS


def cpu_busy_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from the first line of /proc/stat."""
    with open("/proc/stat", encoding="ascii") as f:
        parts = [int(x) for x in f.readline().split()[1:]]
    idle = parts[3] + (parts[4] if len(parts) > 4 else 0)  # idle + iowait
    total = sum(parts[:8])  # guest time is already counted in user
    return (total - idle) / CLOCK_TICKS, total / CLOCK_TICKS


def busy_fraction(seconds: float = 1.0) -> float:
    """Share of all CPUs busy over the next `seconds` (while we do nothing): how loud the neighbours are."""
    b0, t0 = cpu_busy_seconds()
    time.sleep(seconds)
    b1, t1 = cpu_busy_seconds()
    return (b1 - b0) / (t1 - t0) if t1 > t0 else 0.0


def wait_for_quiet(max_busy: float, max_wait: float, log: Callable[[str], None]) -> float:
    """Wait (at most `max_wait` s) until other processes use less than `max_busy` of the CPUs.

    Returns the busy share seen last. A noisy machine does not stop the benchmark: the figure is
    taken anyway and flagged in the results, which is more useful than no figure.
    """
    deadline = time.monotonic() + max_wait
    busy = busy_fraction()
    announced = False
    while busy > max_busy and time.monotonic() < deadline:
        if not announced:
            log(f"  machine busy ({busy:.0%} of CPUs used by others); waiting up to {max_wait:.0f}s")
            announced = True
        time.sleep(4)
        busy = busy_fraction()
    return busy


@dataclass
class Measurement:
    """One child process: wall time, peak RSS, CPU, the machine's load, and what the child reported."""

    label: str
    wall_s: float
    peak_rss_mib: float
    cpu_s: float
    exit_code: int
    loadavg_before: tuple[float, float, float]
    busy_before: float  # share of CPUs used by others in the second before
    foreign_cpu_share: float  # share of CPUs used by other processes while the child ran
    report: dict[str, Any] = field(default_factory=dict)  # the JSON the child printed on stdout
    stderr_tail: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def run_child(label: str, argv: Sequence[str], *, cwd: Path | None = None, env: dict[str, str] | None = None,
              busy_before: float = 0.0, poll: Callable[[], None] | None = None,
              timeout: float | None = None) -> Measurement:
    """Run one child, wait for it with wait4 (its own rusage), and parse the JSON it prints last.

    `poll` is called about every 0.2 s while the child runs (used to sample a spill directory).
    Peak memory is the larger of wait4's ru_maxrss and the process tree's resident memory summed
    at each poll (the child's worker processes count together with it).
    """
    load = os.getloadavg()
    busy0, _ = cpu_busy_seconds()
    started = time.perf_counter()
    with open(os.devnull, "rb") as devnull:
        proc = subprocess.Popen(list(argv), cwd=cwd, env=env, stdin=devnull, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
    # Drain the pipes in threads so a chatty child cannot block on a full pipe while we poll.
    out_chunks: list[bytes] = []
    err_chunks: list[bytes] = []
    readers = [threading.Thread(target=lambda s=s, b=b: b.append(s.read()), daemon=True)
               for s, b in ((proc.stdout, out_chunks), (proc.stderr, err_chunks))]
    for t in readers:
        t.start()
    status, usage = 0, None
    tree_peak = 0
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        tree_peak = max(tree_peak, tree_rss_bytes(proc.pid))
        if timeout is not None and time.perf_counter() - started > timeout:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            break
        if poll:
            poll()
        time.sleep(0.05 if time.perf_counter() - started < 2 else 0.2)
    wall = time.perf_counter() - started
    busy1, _ = cpu_busy_seconds()
    proc.returncode = os.waitstatus_to_exitcode(status)  # so Popen does not try to reap it again
    for t in readers:
        t.join()
    cpu = usage.ru_utime + usage.ru_stime
    ncpu = os.cpu_count() or 1
    foreign = max(0.0, (busy1 - busy0) - cpu) / (wall * ncpu) if wall > 0 else 0.0
    stdout = b"".join(out_chunks).decode("utf-8", "replace")
    stderr = b"".join(err_chunks).decode("utf-8", "replace")
    report: dict[str, Any] = {}
    for line in reversed(stdout.strip().splitlines()):
        if line.startswith("{"):
            try:
                report = json.loads(line)
            except json.JSONDecodeError:
                continue
            break
    # The larger of the biggest single process (exact) and the sampled sum over the process tree.
    peak = max(usage.ru_maxrss / 1024, tree_peak / 2**20)
    return Measurement(label=label, wall_s=wall, peak_rss_mib=peak, cpu_s=cpu,
                       exit_code=proc.returncode, loadavg_before=load, busy_before=busy_before,
                       foreign_cpu_share=foreign, report=report, stderr_tail=stderr[-2000:])


@dataclass
class Stat:
    """Median and spread of repeated figures; spread is (max - min) / median."""

    median: float
    min: float
    max: float
    n: int

    @property
    def spread(self) -> float:
        return (self.max - self.min) / self.median if self.median else 0.0

    def to_dict(self) -> dict[str, float]:
        return {"median": self.median, "min": self.min, "max": self.max, "n": self.n, "spread": self.spread}


def stat(values: Sequence[float]) -> Stat:
    if not values:
        raise ValueError("no values")
    return Stat(statistics.median(values), min(values), max(values), len(values))


def dir_size(path: Path) -> int:
    """Bytes under `path` (0 if missing); files vanishing while we walk are skipped."""
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.stat(os.path.join(root, name)).st_size
            except OSError:
                continue
    return total


def machine_info() -> dict[str, Any]:
    """Cores, memory, CPU model, OS and Python: what a reader needs to compare these figures."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_kib = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "cpu_model": model,
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": sys.version.split()[0],
    }


def package_versions(python: str | Path, names: Sequence[str]) -> dict[str, str | None]:
    """Installed versions in another interpreter's environment (the bench venv has its own pandas)."""
    code = (
        "import json, importlib.metadata as m\n"
        "out = {}\n"
        f"for n in {list(names)!r}:\n"
        "    try: out[n] = m.version(n)\n"
        "    except m.PackageNotFoundError: out[n] = None\n"
        "print(json.dumps(out))"
    )
    try:
        done = subprocess.run([str(python), "-c", code], capture_output=True, text=True, timeout=60, check=True)
        return json.loads(done.stdout)
    except (OSError, subprocess.SubprocessError, json.JSONDecodeError):
        return dict.fromkeys(names)
