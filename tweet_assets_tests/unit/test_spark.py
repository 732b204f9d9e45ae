import subprocess
import sys
from pathlib import Path

import pytest
from dagster_pyspark import LazyPySparkResource
from pyspark.sql import SparkSession

import tweet_assets.spark.session as session_module
from tweet_assets.settings import REQUIRED_SPARK_CONF
from tweet_assets.spark import default_conf, delta, session_conf, session_of, spark_resource
from tweet_assets.spark.delta import DeltaJarsMissing
from tweet_assets.spark.session import LOG_CONFIG


def test_defaults_keep_the_lake_safe_and_fit_the_machine() -> None:
    conf = default_conf("local[*]")

    assert conf["spark.master"] == "local[*]"
    assert conf["spark.sql.json.enablePartialResults"] == "true"
    assert conf["spark.sql.session.timeZone"] == "UTC"
    assert conf["spark.ui.enabled"] == "false"
    assert int(conf["spark.sql.shuffle.partitions"]) >= 2
    assert 1024 <= int(conf["spark.driver.memory"].removesuffix("m")) <= 8192
    assert f'-Dlog4j2.configurationFile="{LOG_CONFIG}"' in conf["spark.driver.extraJavaOptions"]
    assert "rootLogger.level = warn" in LOG_CONFIG.read_text()


def test_a_driver_maps_the_class_archive_once_make_install_has_made_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = tmp_path / "driver.jsa"
    monkeypatch.setattr(session_module, "CLASS_ARCHIVE", archive)
    assert "SharedArchiveFile" not in default_conf("local[*]")["spark.driver.extraJavaOptions"]

    archive.write_bytes(b"classes")
    options = default_conf("spark://cluster:7077")["spark.driver.extraJavaOptions"]

    assert f"-XX:SharedArchiveFile={archive}" in options
    # a JVM that cannot use it (another JDK or JARs) starts without it, saying nothing
    assert "-Xlog:cds=off -Xlog:cds+dynamic=off" in options
    assert options.startswith("-XX:+UseParallelGC")


def test_spark_conf_overrides_and_adds_settings() -> None:
    overrides = {"spark.sql.shuffle.partitions": "16", "spark.eventLog.enabled": "true"}

    conf = spark_resource("spark://cluster:7077", overrides).spark_config

    assert conf["spark.master"] == "spark://cluster:7077"
    assert conf["spark.sql.shuffle.partitions"] == "16"
    assert conf["spark.eventLog.enabled"] == "true"
    assert conf["spark.sql.session.timeZone"] == "UTC"


def test_spark_remote_makes_a_connect_client_that_sets_session_settings_only() -> None:
    conf = session_conf(None, "sc://spark-connect:15002")

    assert conf["spark.remote"] == "sc://spark-connect:15002"
    assert {key: conf[key] for key in REQUIRED_SPARK_CONF} == REQUIRED_SPARK_CONF
    # the server owns the driver: a client setting its master or memory fails on Connect
    assert all(key == "spark.remote" or key.startswith("spark.sql.") for key in conf)
    assert session_conf(None, None) == default_conf("local[*]")
    assert "spark.sql.shuffle.partitions" not in session_conf("yarn", None)


def test_spark_conf_on_spark_connect_adds_session_settings() -> None:
    remote = "sc://c:15002"
    conf = spark_resource(None, {"spark.sql.shuffle.partitions": "64"}, remote=remote).spark_config

    assert conf["spark.sql.shuffle.partitions"] == "64"
    assert conf["spark.remote"] == remote and "spark.master" not in conf


CHILD = r"""
import subprocess, sys, threading
from dagster_pyspark import LazyPySparkResource
import tweet_assets.spark.session
from tweet_assets.spark import session_of

# the stand-in needs no Delta JARs (make check runs before make install has fetched them)
tweet_assets.spark.session.check_jars = lambda: None

JVM = "import sys, time; sys.stderr.write('WARNING: Using incubator modules: x\\n'); " \
      "sys.stderr.flush(); time.sleep(0.5); sys.stderr.write('later line\\n')"

class Resource(LazyPySparkResource):
    @property
    def spark_session(self):
        global jvm
        jvm = subprocess.Popen([sys.executable, "-c", JVM])  # a stand-in for Spark's JVM
        return "session"

print(session_of(Resource(spark_config={})))
sys.stderr.write("python's own line\n")
sys.stderr.flush()
jvm.wait()
for thread in threading.enumerate():
    if thread is not threading.current_thread():
        thread.join(timeout=10)
"""


def test_the_jvms_incubator_notice_is_dropped_and_its_other_lines_kept(tmp_path: Path) -> None:
    """A JVM started by session_of writes its stderr through the filter for its whole life."""
    (tmp_path / "child.py").write_text(CHILD)

    result = subprocess.run(
        [sys.executable, str(tmp_path / "child.py")],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    assert result.stdout == "session\n"
    assert sorted(result.stderr.splitlines()) == ["later line", "python's own line"]


def test_every_driver_gets_delta_lake_and_starts_only_with_its_jars(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conf = default_conf("local[2]")
    assert conf["spark.sql.extensions"] == "io.delta.sql.DeltaSparkSessionExtension"
    assert conf["spark.sql.catalog.spark_catalog"].endswith(".DeltaCatalog")
    assert conf["spark.jars"] == ",".join(str(jar) for jar in delta.jars())
    assert "spark.jars" not in session_conf(None, "sc://127.0.0.1:15002")  # the server's

    monkeypatch.setattr(delta, "JARS_DIR", tmp_path)
    # as in a process with no session yet (a worker of the suite may have one)
    monkeypatch.setattr(SparkSession, "getActiveSession", staticmethod(lambda: None))
    with pytest.raises(DeltaJarsMissing, match=f"not in {tmp_path}: run `make install`"):
        session_of(LazyPySparkResource(spark_config=default_conf("local[1]")))
