import pytest
from pyspark.sql import SparkSession

from tweet_assets.spark import spark_resource, start_session
from tweet_assets_tests.support.fake_x_api import TEST_TOKEN, FakeXApi, FakeXApiServer


@pytest.fixture(scope="session")
def spark_master() -> str:
    return "local[2]"


@pytest.fixture(scope="session")
def spark(spark_master: str) -> SparkSession:
    """The one local SparkSession (one JVM) of the test session; Dagster runs reuse it."""
    return start_session(spark_resource(spark_master).spark_config)


@pytest.fixture
def x_api() -> FakeXApi:
    with FakeXApiServer(FakeXApi(token=TEST_TOKEN)) as api:
        yield api
