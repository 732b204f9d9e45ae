"""The Spark tier's shared session keeps one in-memory catalog: the lake tables a test's
`tweet-lake sql` registered go with the test, so the next test's lake gets tables of its own
(a table over another lake's folder is refused as someone else's)."""

from collections.abc import Iterator

import pytest
from pyspark.sql import SparkSession

LAYERS = ("bronze", "silver", "gold")


@pytest.fixture(autouse=True)
def lake_tables_dropped() -> Iterator[None]:
    yield
    spark = SparkSession.getActiveSession()
    if spark is None:
        return
    for layer in LAYERS:
        if spark.catalog.databaseExists(layer):
            for table in spark.catalog.listTables(layer):
                spark.sql(f"DROP TABLE IF EXISTS {layer}.{table.name}")
