"""The Spark world: one session per run, local, on a cluster or on Spark Connect."""

from tweet_assets.spark.session import (
    CLASS_ARCHIVE,
    check_session,
    default_conf,
    driver_java_options,
    is_connect,
    session_conf,
    session_of,
    spark_resource,
    start_session,
)

__all__ = [
    "CLASS_ARCHIVE",
    "check_session",
    "default_conf",
    "driver_java_options",
    "is_connect",
    "session_conf",
    "session_of",
    "spark_resource",
    "start_session",
]
