"""Asset checks on real runs: a clean day passes them all, bad pages fail the right one."""

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import pytest
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from tweet_assets.source import TwitterResource
from tweet_assets_tests.support.fake_x_api import TEST_TOKEN, FakeXApi, Scripted, make_tweet
from tweet_assets_tests.support.pipeline import materialization, materialize

pytestmark = pytest.mark.usefixtures("spark")

YESTERDAY = (datetime.now(UTC) - timedelta(days=1)).date()
ALL_CHECKS = {
    "bronze_tweets_complete",
    "silver_tweets_keys_unique_and_present",
    "silver_tweets_created_inside_their_day",
    "silver_tweets_match_bronze_ids",
    "silver_users_ids_unique",
    "gold_counts_match_silver",
    "gold_hashtags_match_silver",
}


def checks(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    """The verdicts of a one-day run, by check."""
    return {check.check_name: check for check in result.get_asset_check_evaluations()}


def run_on_page(tmp_path: Path, x_api: FakeXApi, *tweets: dict) -> dg.ExecuteInProcessResult:
    """A run of yesterday whose only page holds `tweets`, served by the fake API."""
    page = {"data": list(tweets), "meta": {"result_count": len(tweets)}}
    x_api.scripted.append(Scripted(200, json.dumps(page)))
    twitter = TwitterResource(bearer_token=TEST_TOKEN, api_base_url=x_api.base_url)
    return materialize(tmp_path, twitter, YESTERDAY.isoformat(), raise_on_error=False)


def test_a_clean_range_passes_every_check_and_says_which_days_it_checked(tmp_path: Path) -> None:
    result = materialize(
        tmp_path, TwitterResource(demo_tweets_per_day=40), "2026-11-19", "2026-11-20"
    )

    # one verdict per check and day, each with its day, so Dagit shows every day of a range
    verdicts = {
        (verdict.check_name, verdict.partition): verdict
        for verdict in result.get_asset_check_evaluations()
    }
    days = ["2026-11-19", "2026-11-20"]
    assert set(verdicts) == {(name, day) for name in ALL_CHECKS for day in days}
    assert len(result.get_asset_check_evaluations()) == len(verdicts)
    for (name, day), verdict in verdicts.items():
        assert verdict.passed, (name, day)
        assert verdict.target_materialization_data is not None, (name, day)


def test_a_post_without_author_fails_the_blocking_check_and_gold_does_not_run(
    tmp_path: Path, x_api: FakeXApi
) -> None:
    orphan = make_tweet("7", f"{YESTERDAY}T10:00:00.000Z", "1")
    del orphan["author_id"]

    result = run_on_page(
        tmp_path, x_api, make_tweet("6", f"{YESTERDAY}T09:00:00.000Z", "1"), orphan
    )

    keys = checks(result)["silver_tweets_keys_unique_and_present"]
    assert not keys.passed
    assert keys.partition == YESTERDAY.isoformat()
    assert keys.metadata["problems"].value == ["a post has no author_id"]
    assert materialization(result, "silver_tweets")
    assert not result.asset_materializations_for_node("gold_daily_counts")
    assert not result.asset_materializations_for_node("gold_daily_hashtags")
    assert not (tmp_path / "gold").exists()


def test_a_post_from_another_day_fails_the_day_check_and_gold_does_not_run(
    tmp_path: Path, x_api: FakeXApi
) -> None:
    stray = make_tweet("8", f"{YESTERDAY - timedelta(days=1)}T23:00:00.000Z", "1")

    result = run_on_page(tmp_path, x_api, stray)

    evaluations = checks(result)
    assert evaluations["silver_tweets_keys_unique_and_present"].passed
    inside = evaluations["silver_tweets_created_inside_their_day"]
    assert not inside.passed
    assert inside.partition == YESTERDAY.isoformat()
    assert inside.metadata["problems"].value == ["a post was created on another day"]
    assert not result.asset_materializations_for_node("gold_daily_counts")


def rewrite_day(
    spark: SparkSession, table: Path, day: str, change: Callable[[DataFrame], DataFrame]
) -> None:
    """Replace a day of a Delta table by hand with `change` of its rows, committed by Spark."""
    rows = spark.read.format("delta").load(str(table)).where(F.col("date") == day)
    (
        change(rows)
        .write.format("delta")
        .mode("overwrite")
        .option("replaceWhere", f"date = '{day}'")
        .save(str(table))
    )


def test_a_hashtag_listed_twice_or_not_lower_case_fails_the_hashtag_check(
    tmp_path: Path, spark: SparkSession
) -> None:
    twitter = TwitterResource(demo_tweets_per_day=60)
    materialize(tmp_path, twitter, "2026-11-20")
    # a hashtag listed again, upper-case
    rewrite_day(
        spark,
        tmp_path / "gold" / "daily_hashtags",
        "2026-11-20",
        lambda rows: rows.unionByName(rows.limit(1).withColumn("hashtag", F.upper("hashtag"))),
    )

    result = materialize(
        tmp_path,
        twitter,
        "2026-11-20",
        # the check alone, beside silver (rebuilt as it was) for the run's partition
        selection=dg.AssetSelection.assets("silver_tweets").without_checks()
        | dg.AssetSelection.checks(
            dg.AssetCheckKey(dg.AssetKey("gold_daily_hashtags"), "gold_hashtags_match_silver")
        ),
        raise_on_error=False,
    )

    verdict = checks(result)["gold_hashtags_match_silver"]
    assert not verdict.passed
    assert verdict.metadata["problems"].value == [
        "a hashtag is not lower-case, is empty or starts with #",
        "posts per hashtag differ from silver's hashtag uses",
    ]
