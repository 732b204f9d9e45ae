import pytest
from dagster_pyspark.resources import spark_session_from_config
from pyspark.sql import SparkSession

from tweet_assets.resources.spark import spark_resource
from tweet_assets_tests.fake_x_api import FakeXApi, FakeXApiServer

TEST_TOKEN = "test-token-Zq9-NOT-A-REAL-SECRET"


@pytest.fixture(scope="session")
def spark_master() -> str:
    return "local[2]"


@pytest.fixture(scope="session")
def spark(spark_master: str) -> SparkSession:
    """The one local SparkSession (one JVM) of the test session; Dagster runs reuse it."""
    return spark_session_from_config(spark_resource(spark_master).spark_config)


@pytest.fixture
def x_api() -> FakeXApi:
    with FakeXApiServer(FakeXApi(token=TEST_TOKEN)) as api:
        yield api
