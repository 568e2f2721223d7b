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
}
LOCAL_CONF: dict[str, str] = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
}


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
    conf["spark.driver.extraJavaOptions"] = _quiet_logging()
    # recon registers temp views only; without this Spark leaves a spark-warehouse/ folder in the cwd.
    conf["spark.sql.warehouse.dir"] = str(Path(tempfile.gettempdir()) / "recon-spark-warehouse")
    if options.master.startswith("local"):
        conf.update(LOCAL_CONF)
    conf.update({k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in options.conf.items()})
    return conf


def get_session(options: SparkOptions) -> SparkSession:
    """The process's Spark session (created on first use, reused after: a JVM start costs seconds).

    Executors must run the same Python as the driver when they run recon's UDFs and the X12
    parser, so PYSPARK_PYTHON defaults to this interpreter for local masters.
    """
    # pyspark 4.3 warns that it does not "fully support" pandas 3; recon's UDFs are tested with
    # pandas 3 (tests/spark), and a nightly job's stderr is no place for the notice.
    warnings.filterwarnings("ignore", message=r".*pandas >= 3\.0\.0.*", category=FutureWarning)
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise pyspark_missing() from None
    if options.master.startswith("local"):
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder: Any = SparkSession.builder.master(options.master).appName(options.app_name)
    for key, value in session_conf(options).items():
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
    return session


__all__ = ["SEMANTIC_CONF", "get_session", "pyspark_missing", "session_conf"]
