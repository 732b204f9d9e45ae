"""Bad bronze content: silver keeps every good record, counts the bad, never fails the day.

Each case lays a bronze day by hand (three good posts plus the bad content, one raw page a
row, as bronze stores them) and materializes silver, the users, gold and the checks over it.
"""

import json
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest
from pyspark.sql import SparkSession

from tweet_assets.source import TwitterResource
from tweet_assets_tests.support.fake_x_api import make_tweet, make_user
from tweet_assets_tests.support.pipeline import (
    lay_bronze_day,
    materialization,
    materialize,
    read_table,
)

pytestmark = pytest.mark.usefixtures("spark")

DAY = "2026-11-20"
DOWNSTREAM = "key:silver_tweets or key:silver_users or key:gold_daily_counts"
GOOD = {"data": [make_tweet(str(n), f"{DAY}T1{n}:00:00.000Z", "1") for n in (1, 2, 3)]}
GOOD["includes"] = {"users": [make_user("1", "ana")]}


def post(tweet_id: str = "9", **changes: object) -> dict:
    tweet = make_tweet(tweet_id, f"{DAY}T20:00:00.000Z", "1")
    for field, value in changes.items():
        if value is None:
            tweet.pop(field)
        else:
            tweet[field] = value
    return tweet


def page(*posts: dict, **extra: object) -> str:
    return json.dumps({"data": list(posts), **extra}, ensure_ascii=False)


BIG_TEXT = "ü" * 500_000 + "x" * 100_000  # a post of more than 1 MB of UTF-8


# case: (bad lines, silver ids beyond 1-3, bad_records_by_reason, gold runs)
CASES = {
    "a line that is not JSON": (
        ['{"data": [{"id": "9", "text": '],
        set(),
        {"unreadable_pages": 1},
        True,
    ),
    "data that is not a list": (
        [json.dumps({"data": post(), "includes": {"users": [make_user("2", "bia")]}})],
        set(),
        {"unreadable_pages": 1},
        True,
    ),
    "a post whose metrics are not an object, beside a good one": (
        [page(post(public_metrics="many"), post("10"))],
        {"9", "10"},
        {"unreadable_pages": 1},
        True,
    ),
    "a post without public_metrics": ([page(post(public_metrics=None))], {"9"}, {}, True),
    "a post without created_at": (
        [page(post(created_at=None))],
        {"9"},
        {"posts_without_created_at": 1},
        False,
    ),
    "a post created outside the day": (
        [page(post(created_at="2026-11-21T00:00:00.000Z"))],
        {"9"},
        {"posts_outside_their_day": 1},
        False,
    ),
    "a post without an id": ([page(post(id=None))], set(), {"posts_without_id": 1}, True),
    "unknown extra fields": (
        [page(post(note_tweet={"text": "longer"}, zz_new=[1, 2]), zz_page_field={"a": 1})],
        {"9"},
        {},
        True,
    ),
    "a 1 MB text": ([page(post(text=BIG_TEXT))], {"9"}, {}, True),
    "the same id on two pages": (
        # the later snapshot: every count at least as high, so silver keeps this copy
        [page(post("2", public_metrics={**GOOD["data"][1]["public_metrics"], "like_count": 99}))],
        set(),
        {},
        True,
    ),
}


def silver_metadata(result: dg.ExecuteInProcessResult) -> dict:
    made = materialization(result, "silver_tweets")
    return {key: value.value for key, value in made.metadata.items()}


@pytest.mark.parametrize("case", list(CASES))
def test_silver_keeps_the_good_records_counts_the_bad_and_materializes(
    tmp_path: Path, spark: SparkSession, case: str
) -> None:
    bad_lines, extra_ids, bad_by_reason, gold_runs = CASES[case]
    lay_bronze_day(spark, tmp_path, DAY, [json.dumps(GOOD, ensure_ascii=False), *bad_lines])

    result = materialize(
        tmp_path, TwitterResource(), DAY, selection=DOWNSTREAM, raise_on_error=False
    )

    metadata = silver_metadata(result)
    assert metadata["bad_records"] == sum(bad_by_reason.values())
    assert metadata["bad_records_by_reason"] == bad_by_reason
    tweets = read_table(tmp_path, "silver/tweets").set_index("id")
    assert set(tweets.index) == {"1", "2", "3", *extra_ids}
    assert set(read_table(tmp_path, "silver/users")["id"]) >= {"1"}
    gold_written = (tmp_path / "gold" / "daily_counts" / f"date={DAY}").is_dir()
    assert (result.success, gold_written) == (gold_runs, gold_runs)
    if case == "a post whose metrics are not an object, beside a good one":
        assert pd.isna(tweets.loc["9", "like_count"])
        assert tweets.loc["10", "like_count"] == 3
    if case == "data that is not a list":
        assert set(read_table(tmp_path, "silver/users")["id"]) == {"1", "2"}
    if case == "a post without public_metrics":
        assert tweets[["like_count", "retweet_count"]].isna().loc["9"].all()
        assert metadata["posts_without_metrics"] == 1
        # summed over the three posts that have them: 3 likes each
        assert read_table(tmp_path, "gold/daily_counts").loc[0, "like_count"] == 9
    if case == "a 1 MB text":
        assert tweets.loc["9", "text"] == BIG_TEXT
    if case == "the same id on two pages":
        assert tweets.loc["2", "like_count"] == 99


def test_a_day_whose_posts_all_lack_metrics_sums_to_null_not_zero(
    tmp_path: Path, spark: SparkSession
) -> None:
    bare = [post(str(n), public_metrics=None) for n in (7, 8)]
    lay_bronze_day(spark, tmp_path, DAY, [page(*bare)])

    result = materialize(tmp_path, TwitterResource(), DAY, selection=DOWNSTREAM)

    assert silver_metadata(result)["posts_without_metrics"] == 2
    [gold] = read_table(tmp_path, "gold/daily_counts").to_dict("records")
    assert gold["tweets"] == 2
    for metric in ("retweet_count", "reply_count", "like_count", "quote_count"):
        assert pd.isna(gold[metric]), metric
