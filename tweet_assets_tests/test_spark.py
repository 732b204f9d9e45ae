import pytest
from pyspark.sql import SparkSession

from tweet_assets.resources.spark import (
    LOG_CONFIG,
    REQUIRED_CONF,
    check_session,
    default_conf,
    parse_conf,
    session_conf,
    spark_resource,
)


def test_defaults_keep_the_lake_safe_and_fit_the_machine() -> None:
    conf = default_conf("local[*]")

    assert conf["spark.master"] == "local[*]"
    assert conf["spark.sql.sources.partitionOverwriteMode"] == "dynamic"
    assert conf["spark.sql.session.timeZone"] == "UTC"
    assert conf["spark.ui.enabled"] == "false"
    assert int(conf["spark.sql.shuffle.partitions"]) >= 2
    assert 1024 <= int(conf["spark.driver.memory"].removesuffix("m")) <= 8192
    assert f'-Dlog4j2.configurationFile="{LOG_CONFIG}"' in conf["spark.driver.extraJavaOptions"]
    assert "rootLogger.level = warn" in LOG_CONFIG.read_text()


def test_spark_conf_overrides_and_adds_settings() -> None:
    overrides = parse_conf('{"spark.sql.shuffle.partitions": 16, "spark.eventLog.enabled": true}')

    conf = spark_resource("spark://cluster:7077", overrides).spark_config

    assert conf["spark.master"] == "spark://cluster:7077"
    assert conf["spark.sql.shuffle.partitions"] == "16"
    assert conf["spark.eventLog.enabled"] == "true"
    assert conf["spark.sql.session.timeZone"] == "UTC"


def test_unset_or_empty_spark_conf_changes_nothing() -> None:
    assert parse_conf(None) == {} == parse_conf("")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("{spark.sql.shuffle.partitions: 8}", "SPARK_CONF is not valid JSON"),
        ('["spark.sql.shuffle.partitions", 8]', "SPARK_CONF is a JSON list, not an object"),
        ('{"shuffle.partitions": 8}', "SPARK_CONF sets 'shuffle.partitions' to 8"),
        ('{"spark.jars": ["a.jar"]}', "every value a string, number or boolean"),
        (
            '{"spark.sql.sources.partitionOverwriteMode": "STATIC"}',
            "needs dynamic to keep the lake's days intact",
        ),
        ('{"spark.sql.session.timeZone": "America/Sao_Paulo"}', "needs UTC"),
    ],
)
def test_a_bad_spark_conf_names_the_variable_the_value_and_the_fix(
    value: str, message: str
) -> None:
    with pytest.raises(ValueError, match="SPARK_CONF") as refused:
        parse_conf(value)

    assert message in str(refused.value)
    assert (
        "e.g." in str(refused.value)
        or "remove" in str(refused.value)
        or "every" in str(refused.value)
    )


def test_spark_remote_makes_a_connect_client_that_sets_session_settings_only() -> None:
    conf = session_conf(None, "sc://spark-connect:15002")

    assert conf["spark.remote"] == "sc://spark-connect:15002"
    assert {key: conf[key] for key in REQUIRED_CONF} == REQUIRED_CONF
    # the server owns the driver: a client setting its master or memory fails on Connect
    assert all(key == "spark.remote" or key.startswith("spark.sql.") for key in conf)
    assert session_conf(None, None) == default_conf("local[*]")
    assert "spark.sql.shuffle.partitions" not in session_conf("yarn", None)


@pytest.mark.parametrize(
    ("master", "remote", "message"),
    [
        ("spark://m:7077", "sc://c:15002", "SPARK_MASTER=spark://m:7077 and SPARK_REMOTE="),
        (None, "http://c:15002", "SPARK_REMOTE=http://c:15002 is not a Spark Connect URL"),
    ],
)
def test_a_bad_master_or_remote_names_the_variable_the_value_and_the_fix(
    master: str | None, remote: str, message: str
) -> None:
    with pytest.raises(ValueError) as refused:
        session_conf(master, remote)

    assert message in str(refused.value)
    assert "set one" in str(refused.value) or "set it to sc://host:port" in str(refused.value)


def test_a_session_without_the_lakes_settings_is_refused(spark: SparkSession) -> None:
    check_session(spark)
    spark.conf.set("spark.sql.sources.partitionOverwriteMode", "static")
    try:
        with pytest.raises(RuntimeError, match="partitionOverwriteMode=static; tweet-lake needs"):
            check_session(spark)
    finally:
        spark.conf.set("spark.sql.sources.partitionOverwriteMode", "dynamic")


def test_spark_conf_on_spark_connect_takes_session_settings_only() -> None:
    remote = "sc://c:15002"
    conf = spark_resource(None, {"spark.sql.shuffle.partitions": "64"}, remote=remote).spark_config
    assert conf["spark.sql.shuffle.partitions"] == "64"

    with pytest.raises(ValueError) as refused:
        spark_resource(None, {"spark.executor.memory": "8g"}, remote=remote)

    assert "SPARK_CONF sets spark.executor.memory, which a Spark Connect client" in str(
        refused.value
    )
    assert "--conf spark.executor.memory=..." in str(refused.value)
