"""The Spark session's JVM settings: what recon adds on a local master, and what it leaves alone."""

from __future__ import annotations

from typing import Any

from recon.config.schema import SparkOptions
from recon.spark.session import LOCAL_JAVA_OPTIONS, session_conf


def test_local_driver_jvm_uses_the_parallel_collector() -> None:
    """A local master's JVM (driver and executor in one, one run long) collects with the parallel collector;
    a cluster's driver is left as Spark starts it, and a config's own options win."""
    local = session_conf(SparkOptions(master="local[2]"))["spark.driver.extraJavaOptions"]
    assert "-XX:+UseParallelGC" in local.split()
    assert "-Dlog4j2.configurationFile=" in local  # still quiet
    cluster = session_conf(SparkOptions(master="spark://10.0.0.1:7077"))["spark.driver.extraJavaOptions"]
    assert LOCAL_JAVA_OPTIONS not in cluster
    own = SparkOptions(master="local[2]", conf={"spark.driver.extraJavaOptions": "-Xss4m"})
    assert session_conf(own)["spark.driver.extraJavaOptions"] == "-Xss4m"


def test_the_running_jvm_has_the_option(spark: Any) -> None:
    """The option reaches the JVM pyspark starts (it is passed to spark-submit, not set afterwards)."""
    bean = spark.sparkContext._jvm.java.lang.management.ManagementFactory.getRuntimeMXBean()
    assert "-XX:+UseParallelGC" in list(bean.getInputArguments())
