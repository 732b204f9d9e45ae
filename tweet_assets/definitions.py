"""tweet-lake's Dagster definitions: assets, job, schedule and resources, assembled.

Configuration enters here and only here, from the environment (see README "Configuration").
"""

import os
from pathlib import Path

import dagster as dg

from tweet_assets.assets.bronze import bronze_tweets
from tweet_assets.assets.gold import gold_daily_counts
from tweet_assets.assets.silver import silver_tweets, silver_users
from tweet_assets.checks import ASSET_CHECKS
from tweet_assets.resources.lake_io_manager import LakeIOManager
from tweet_assets.resources.spark import (
    CONF_VARIABLE,
    MASTER_VARIABLE,
    REMOTE_VARIABLE,
    parse_conf,
    spark_resource,
)
from tweet_assets.resources.twitter import TwitterResource
from tweet_assets.resources.x_api import (
    DEFAULT_API_BASE_URL,
    ENDPOINT_VARIABLE,
    TOKEN_VARIABLE,
)
from tweet_assets.schedules import (
    CRON_VARIABLE,
    STATUS_VARIABLE,
    tweets_daily_job,
    tweets_daily_schedule,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LAKE_ROOT = os.environ.get("DATALAKE_ROOT", str(PROJECT_ROOT / "datalake"))
EXECUTOR_VARIABLE = "TWEETS_EXECUTOR"


def _executor(name: str | None, remote: str | None) -> dg.ExecutorDefinition:
    # in_process: all steps of a run share one process and so one SparkSession. multiprocess
    # runs each step in a process of its own: cheap on Spark Connect, where a step is a thin
    # client, but a JVM per step with an in-process driver, so it needs SPARK_REMOTE.
    if name in (None, "", "in_process"):
        return dg.in_process_executor
    if name != "multiprocess":
        raise ValueError(
            f"{EXECUTOR_VARIABLE}={name} is not an executor; set it to in_process (the default) "
            "or multiprocess"
        )
    if not remote:
        raise ValueError(
            f"{EXECUTOR_VARIABLE}=multiprocess would start a Spark driver (a JVM) in every step's "
            f"process; set {REMOTE_VARIABLE}=sc://host:15002 to share a Spark Connect server, or "
            f"unset {EXECUTOR_VARIABLE} to run the steps in one process"
        )
    return dg.multiprocess_executor


def _twitter() -> TwitterResource:
    # Without a token the demo corpus serves; with one, Dagster resolves the EnvVar at run time
    # and keeps only the variable's name in run config and the event log.
    token = dg.EnvVar(TOKEN_VARIABLE) if os.environ.get(TOKEN_VARIABLE) else None
    cap = os.environ.get("TWEETS_MAX_PER_DAY")
    return TwitterResource(
        bearer_token=token,
        api_base_url=os.environ.get("TWITTER_API_BASE_URL", DEFAULT_API_BASE_URL),
        endpoint=os.environ.get(ENDPOINT_VARIABLE, "recent"),
        query=os.environ.get("TWEETS_QUERY", "AluraOnline"),
        max_tweets_per_day=int(cap) if cap else None,
        demo_tweets_per_day=int(os.environ.get("TWEETS_DEMO_PER_DAY", "300")),
        max_tries=int(os.environ.get("TWITTER_MAX_TRIES", "6")),
        max_retry_seconds=float(os.environ.get("TWITTER_MAX_RETRY_SECONDS", "300")),
    )


defs = dg.Definitions(
    assets=[bronze_tweets, silver_tweets, silver_users, gold_daily_counts],
    asset_checks=ASSET_CHECKS,
    jobs=[tweets_daily_job],
    schedules=[
        tweets_daily_schedule(os.environ.get(CRON_VARIABLE), os.environ.get(STATUS_VARIABLE))
    ],
    resources={
        "twitter": _twitter(),
        "io_manager": LakeIOManager(
            root=LAKE_ROOT,
            pyspark=spark_resource(
                os.environ.get(MASTER_VARIABLE) or None,
                parse_conf(os.environ.get(CONF_VARIABLE)),
                remote=os.environ.get(REMOTE_VARIABLE) or None,
            ),
        ),
    },
    executor=_executor(os.environ.get(EXECUTOR_VARIABLE), os.environ.get(REMOTE_VARIABLE)),
)
