"""The Spark world: one session per run, local, on a cluster or on Spark Connect."""

from tweet_assets.spark.session import (
    check_session,
    default_conf,
    is_connect,
    session_conf,
    session_of,
    spark_resource,
    start_session,
)

__all__ = [
    "check_session",
    "default_conf",
    "is_connect",
    "session_conf",
    "session_of",
    "spark_resource",
    "start_session",
]
