"""What every test shares, and the tiers: a test's folder says what it may start.

- `unit/`: no JVM and no server; Python processes at most. `make check` runs this tier after
  every edit, on a machine with or without Java. A unit test that asks for Spark or starts a JVM
  fails, naming the tier it belongs in.
- `spark/`: one local SparkSession for the whole test session (per pytest worker): in-process
  runs, the IO manager, transforms, the CLI in process.
- `integration/`: real processes and servers (the dagster command line, the SQL server, kills,
  concurrency, clusters, Dagit).

Each test gets its tier's marker from its folder (`pytest -m unit`, `-m "not integration"`).
"""

import os
import subprocess
from pathlib import Path

import pytest
from pyspark import java_gateway
from pyspark.sql import SparkSession

from tweet_assets.source import TwitterResource
from tweet_assets.spark import spark_resource, start_session
from tweet_assets_tests.support.fake_x_api import TEST_TOKEN, FakeXApi, FakeXApiServer
from tweet_assets_tests.support.jvm import start_jvms_quickly
from tweet_assets_tests.support.pipeline import materialize

start_jvms_quickly()

TIERS = ("unit", "spark", "integration")
# What a unit test must not start: Spark's JVM, and the commands that would start one.
JVM_COMMANDS = {"java", "spark-submit", "spark-class", "beeline", "dagster", "dg", "tweet-lake"}


def tier_of(item: pytest.Item) -> str:
    parts = Path(str(item.path)).relative_to(Path(__file__).parent).parts
    if parts[0] not in TIERS:
        raise pytest.UsageError(f"{item.nodeid} is in no tier: move it under one of {TIERS}")
    return parts[0]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        item.add_marker(tier_of(item))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if tier_of(item) == "unit" and "spark" in getattr(item, "fixturenames", ()):
        pytest.fail(f"{item.nodeid} asks for Spark: a unit test starts no JVM; move it to spark/")


def _refuse_jvms(original: type[subprocess.Popen]) -> type[subprocess.Popen]:
    class NoJvm(original):  # type: ignore[misc,valid-type]
        def __init__(self, args, *rest, **kwargs):  # type: ignore[no-untyped-def]
            program = args if isinstance(args, str | os.PathLike) else args[0]
            if Path(str(program).split()[0]).name in JVM_COMMANDS:
                pytest.fail(
                    f"a unit test started {program}, which starts a JVM: move the test to "
                    "spark/ (one shared session) or integration/ (its own processes)"
                )
            super().__init__(args, *rest, **kwargs)

    return NoJvm


@pytest.fixture(autouse=True)
def _unit_tests_start_no_jvm(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    if tier_of(request.node) != "unit":
        return
    monkeypatch.setattr(subprocess, "Popen", _refuse_jvms(subprocess.Popen))
    # pyspark starts its JVM through a Popen it imported by name.
    monkeypatch.setattr(java_gateway, "Popen", _refuse_jvms(java_gateway.Popen))
    # A Python child that would start Spark finds no Java here, and says where it looked.
    monkeypatch.setenv("JAVA_HOME", "/unit-tests-start-no-jvm")


@pytest.fixture(scope="session")
def spark_master() -> str:
    return "local[2]"


@pytest.fixture(scope="session")
def spark(spark_master: str) -> SparkSession:
    """The one local SparkSession (one JVM) of the test session; Dagster runs reuse it."""
    return start_session(spark_resource(spark_master).spark_config)


@pytest.fixture(scope="session")
def two_day_lake(tmp_path_factory: pytest.TempPathFactory, spark: SparkSession) -> Path:
    """A lake of 2026-11-20 and 21, 20 demo posts a day, built once for the tests that only
    read it."""
    root = tmp_path_factory.mktemp("two_day_lake")
    materialize(root, TwitterResource(demo_tweets_per_day=20), "2026-11-20", "2026-11-21")
    return root


@pytest.fixture
def x_api() -> FakeXApi:
    with FakeXApiServer(FakeXApi(token=TEST_TOKEN)) as api:
        yield api
