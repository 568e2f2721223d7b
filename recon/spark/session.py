"""The Spark session: built from `engine.spark` in recon.yaml, set up so Spark computes like DuckDB.

A few settings are not tuning but semantics, and recon sets them unless the config overrides
them: the session time zone is UTC (DuckDB's session runs in UTC too, so a wall-clock
timestamp means the same instant on both), ANSI mode is off (a cast that does not fit gives NULL,
as DuckDB's TRY_CAST does, instead of failing the job), and Parquet timestamps are written as
microseconds adjusted to UTC, which DuckDB reads back as TIMESTAMPTZ. On a local master recon
also keeps the web UI off (concurrent runs would fight over its port) and the shuffle small.
"""

from __future__ import annotations

import os
import sys
import tempfile
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from recon.config.schema import SparkOptions
from recon.errors import ConfigError, Problem
from recon.spark.probe import probe_executors

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

SEMANTIC_CONF: dict[str, str] = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.ansi.enabled": "false",
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    # Checkpointing a rule's shared steps trips over propagated constraints (Spark 4.3:
    # "key not found" in LogicalRDD.rewriteStatsAndConstraints); recon's plans gain nothing from them.
    "spark.sql.constraintPropagation.enabled": "false",
    # No `SELECT * FROM csv.`/etc/passwd``: SQL reads only the views recon registered (recon.spark.guard
    # checks every statement as well).
    "spark.sql.runSQLOnFiles": "false",
}
# Spark's stage progress bars ([Stage 56:>  (0 + 1) / 2]) would go to the stderr of a cron job and
# through recon's own progress display; recon reports progress itself, on any master.
DEFAULT_CONF: dict[str, str] = {
    "spark.ui.showConsoleProgress": "false",
}
# On a local master the driver's JVM runs the tasks too and lives for one run. Java's default
# collector on 2+ cores, G1, marks the heap concurrently, which a short batch JVM does not need:
# at 100k orders G1 used 110 CPU s (67 of them concurrent marking), the parallel collector 45,
# with the same exceptions (bench/notes.md, "Spark speed"). A config's own options replace these.
LOCAL_JAVA_OPTIONS = "-XX:+UseParallelGC"
LOCAL_CONF: dict[str, str] = {
    "spark.ui.enabled": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
}


_PROBED: set[str] = set()  # applications whose executors passed the probe (a session is reused)


def pyspark_missing() -> ConfigError:
    return ConfigError([Problem.of("E010")], title="engine not available")


# Spark's own log lines (INFO and WARN at start-up) would land on the stderr of a cron job whose
# --quiet promises one line; recon reports what matters itself. Errors still show.
LOG4J2 = """rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n
"""


def _quiet_logging() -> str:
    path = Path(tempfile.gettempdir()) / "recon-spark-log4j2.properties"
    if not path.exists() or path.read_text() != LOG4J2:
        path.write_text(LOG4J2)
    return f"-Dlog4j2.configurationFile=file:{path}"


def session_conf(options: SparkOptions) -> dict[str, str]:
    """Every setting the session is built with: recon's defaults, then the config's `conf`."""
    conf = dict(SEMANTIC_CONF)
    conf.update(DEFAULT_CONF)
    conf["spark.driver.extraJavaOptions"] = _quiet_logging()
    # The executors run recon's UDFs and X12 parser: by default in the interpreter that runs recon
    # (on a cluster, the same path must hold a Python with recon installed; the probe checks it).
    conf["spark.pyspark.python"] = os.environ.get("PYSPARK_PYTHON") or sys.executable
    # recon registers temp views only; without this Spark leaves a spark-warehouse/ folder in the cwd.
    conf["spark.sql.warehouse.dir"] = str(Path(tempfile.gettempdir()) / "recon-spark-warehouse")
    if options.master.startswith("local"):
        conf.update(LOCAL_CONF)
        conf["spark.driver.extraJavaOptions"] += f" {LOCAL_JAVA_OPTIONS}"
    conf.update({k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in options.conf.items()})
    return conf


def get_session(options: SparkOptions) -> SparkSession:
    """The process's Spark session (created on first use, reused after: a JVM start costs seconds).

    Executors must run the same Python as the driver when they run recon's UDFs and the X12
    parser, so `spark.pyspark.python` defaults to this interpreter (PYSPARK_PYTHON, or the config's
    `conf`, win), and a new session is probed (`recon.spark.probe`) unless it is local and runs
    this very interpreter: executors that cannot run recon are a named problem before any data
    is read, not a PythonException in the middle of the rules.
    """
    # pyspark 4.3 warns that it does not "fully support" pandas 3; recon's UDFs are tested with
    # pandas 3 (tests/spark), and a nightly job's stderr is no place for the notice.
    warnings.filterwarnings("ignore", message=r".*pandas >= 3\.0\.0.*", category=FutureWarning)
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise pyspark_missing() from None
    conf = session_conf(options)
    # pyspark started from Python (not spark-submit) takes the executors' interpreter from this
    # variable only; the config's `spark.pyspark.python`, else PYSPARK_PYTHON, else this one.
    os.environ["PYSPARK_PYTHON"] = conf["spark.pyspark.python"]
    builder: Any = SparkSession.builder.master(options.master).appName(options.app_name)
    for key, value in conf.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # no Java, wrong Java, cannot reach the master
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError([Problem.of("E011", master=options.master, reason=first)],
                          title="engine not available") from None
    # A reused session keeps its first settings; the semantic ones must hold for every run.
    for key in SEMANTIC_CONF:
        session.conf.set(key, session_conf(options)[key])
    session.sparkContext.setLogLevel("ERROR")
    app = session.sparkContext.applicationId
    same_python = conf["spark.pyspark.python"] == sys.executable
    if app not in _PROBED and not (options.master.startswith("local") and same_python):
        try:
            probe_executors(session, options.master)
        except ConfigError:
            session.stop()  # a session whose executors cannot run recon is of no use to the next run
            raise
    _PROBED.add(app)
    return session


__all__ = ["DEFAULT_CONF", "SEMANTIC_CONF", "get_session", "pyspark_missing", "session_conf"]
