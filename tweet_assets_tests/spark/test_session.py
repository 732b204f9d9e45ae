"""The run's session refuses to write without the lake's settings."""

import pytest
from pyspark.sql import SparkSession

from tweet_assets.spark import check_session


def test_a_session_without_the_lakes_settings_is_refused(spark: SparkSession) -> None:
    check_session(spark)
    spark.conf.set("spark.sql.session.timeZone", "Europe/Berlin")
    try:
        with pytest.raises(RuntimeError, match="timeZone=Europe/Berlin; tweet-lake needs UTC"):
            check_session(spark)
    finally:
        spark.conf.set("spark.sql.session.timeZone", "UTC")
