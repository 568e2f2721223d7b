"""Spark tests: a real local[2] session (Java 17+ and the `spark` extra; `make test-spark`).

They are kept out of the default `make test` (pyproject's addopts ignore this folder), so the
default suite needs no Java. One session serves every test: a JVM start costs seconds.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from recon.config.schema import SparkOptions

# Small data: two shuffle partitions and no whole-stage code generation (compiling Java for each
# query costs more than running it on a few hundred rows). Results are the same either way.
TEST_CONF: dict[str, str | int | float | bool] = {
    "spark.sql.shuffle.partitions": 2,
    "spark.sql.codegen.wholeStage": False,
    "spark.sql.adaptive.enabled": False,
}
OPTIONS = SparkOptions(master="local[2]", conf=TEST_CONF)


def pytest_configure(config: pytest.Config) -> None:
    # pyspark 4.3's notice about pandas 3: these tests are the evidence that recon's UDFs work with it.
    config.addinivalue_line("filterwarnings", "ignore:.*pandas >= 3.0.0.*:FutureWarning")


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    if shutil.which("java") is None:
        pytest.fail("the Spark tests need Java 17+ on the PATH (see README, Scale out)")
    from recon.spark.session import get_session

    session = get_session(OPTIONS)
    yield session
    session.stop()
