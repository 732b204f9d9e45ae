"""tweet-lake's Dagster definitions: assets, checks, job, schedule and resources, assembled.

Configuration enters through `settings.load()` (the environment, read once) and flows down as
arguments; see README "Configuration".
"""

import dagster as dg

from tweet_assets import settings
from tweet_assets.assets import ASSET_CHECKS, ASSETS
from tweet_assets.lake import LakeIOManager
from tweet_assets.schedules import (
    lake_optimize_job,
    lake_optimize_schedule,
    tweets_daily_job,
    tweets_daily_schedule,
)
from tweet_assets.source import TwitterResource
from tweet_assets.spark import spark_resource

# in_process: all steps of a run share one process and so one SparkSession. multiprocess runs
# each step in a process of its own: cheap on Spark Connect, where a step is a thin client
# (settings refuses it without SPARK_REMOTE, where every step would start a JVM).
_EXECUTORS = {"in_process": dg.in_process_executor, "multiprocess": dg.multiprocess_executor}


def build(config: settings.Settings) -> dg.Definitions:
    """The definitions a run of `config` loads (`defs`: the environment's)."""
    return dg.Definitions(
        assets=ASSETS,
        asset_checks=ASSET_CHECKS,
        jobs=[tweets_daily_job, lake_optimize_job],
        schedules=[
            tweets_daily_schedule(
                config.schedule_cron, config.schedule_running, config.refresh_days
            ),
            lake_optimize_schedule,
        ],
        resources={
            "twitter": TwitterResource.from_settings(config),
            "io_manager": LakeIOManager(
                root=config.lake_root,
                pyspark=spark_resource(config.spark_master, config.spark_conf, config.spark_remote),
            ),
        },
        executor=_EXECUTORS[config.executor],
    )


defs = build(settings.load())
