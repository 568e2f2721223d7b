"""A Spark standalone cluster on 127.0.0.1 for the tests: one master and two workers, started and stopped here.

The processes are the pyspark distribution's own (`bin/spark-class ...Master` / `...Worker`),
on free ports, with the REST server and web UIs out of the way, so several test runs on one
machine do not collide. Only the processes started here are stopped, by their ids.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Cluster:
    master: str  # spark://127.0.0.1:PORT
    logs: list[Path]


def _wait_for(log: Path, text: str, process: subprocess.Popen[bytes], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if log.exists() and text in log.read_text(errors="replace"):
            return
        if process.poll() is not None:
            raise RuntimeError(f"{log.name}: exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        time.sleep(0.5)
    raise RuntimeError(f"{log.name}: no {text!r} after {seconds} s:\n{log.read_text(errors='replace')[-2000:]}")


@contextmanager
def standalone(tmp: Path, workers: int = 2, memory: str = "1g") -> Iterator[Cluster]:
    """A master and `workers` one-core workers, up until the block ends."""
    import pyspark

    home = Path(pyspark.__file__).parent
    env = {**os.environ, "SPARK_HOME": str(home), "SPARK_LOCAL_IP": "127.0.0.1",
           "SPARK_MASTER_OPTS": "-Dspark.master.rest.enabled=false -Dspark.ui.enabled=false",
           "SPARK_WORKER_OPTS": "-Dspark.ui.enabled=false", "SPARK_LOG_DIR": str(tmp)}
    env.pop("PYSPARK_PYTHON", None)  # recon must set the executors' Python itself
    port = free_port()
    master = f"spark://127.0.0.1:{port}"
    spark_class = str(home / "bin" / "spark-class")
    started: list[subprocess.Popen[bytes]] = []
    logs: list[Path] = []

    def start(name: str, *args: str, extra: dict[str, str] | None = None) -> tuple[subprocess.Popen[bytes], Path]:
        log = tmp / f"{name}.log"
        with open(log, "wb") as out:
            process = subprocess.Popen([spark_class, *args], env={**env, **(extra or {})}, stdout=out,
                                       stderr=subprocess.STDOUT, cwd=tmp)
        started.append(process)
        logs.append(log)
        return process, log

    try:
        process, log = start("master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
                             "--port", str(port), "--webui-port", str(free_port()))
        _wait_for(log, "Starting Spark master at", process, 120)
        for i in range(workers):
            folder = tmp / f"worker{i}"
            folder.mkdir()
            process, log = start(f"worker{i}", "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                                 "--port", "0", "--webui-port", str(free_port()), "--cores", "1", "--memory",
                                 memory, "--work-dir", str(folder), master)
            _wait_for(log, "Successfully registered with master", process, 120)
        yield Cluster(master, logs)
    finally:
        for process in reversed(started):
            process.terminate()
        for process in reversed(started):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
