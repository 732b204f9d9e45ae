"""The whole medallion, run in-process through the real IO manager into a temporary lake."""

import json
from pathlib import Path

import dagster as dg
import pytest
from pyspark.sql import SparkSession

from tweet_assets.resources.demo_corpus import DemoCorpus
from tweet_assets.resources.twitter import TwitterResource
from tweet_assets_tests.conftest import TEST_TOKEN
from tweet_assets_tests.fake_x_api import FakeXApi, make_tweet, make_user
from tweet_assets_tests.pipeline import lake_files, materialize, read_table

pytestmark = pytest.mark.usefixtures("spark")


def served_day(api: FakeXApi) -> list[dict]:
    """Posts of 2026-11-20 on the fake API, with neighbours just outside the day."""
    for user in (make_user("1", "ana"), make_user("2", "bia"), make_user("3", "caio")):
        api.users[user["id"]] = user
    api.add(make_tweet("900", "2026-11-19T23:59:59.999Z", "1"))
    api.add(make_tweet("901", "2026-11-21T00:00:00.000Z", "1"))
    reply_metrics = {
        "retweet_count": 7,
        "reply_count": 0,
        "like_count": 40,
        "quote_count": 2,
        "impression_count": 999,
    }
    inside = [
        make_tweet("100", "2026-11-20T00:00:00.000Z", "1", "primeiro 🌅"),
        make_tweet(
            "101",
            "2026-11-20T12:30:00.000Z",
            "2",
            "@ana é isso\n✅",
            reply_to=("1", "100"),
            conversation_id="100",
            metrics=reply_metrics,
        ),
        make_tweet("102", "2026-11-20T23:59:59.999Z", "2", "último"),
    ]
    inside += [
        make_tweet(str(200 + n), f"2026-11-20T08:{n // 60:02d}:{n % 60:02d}.000Z", "3")
        for n in range(150)
    ]
    for tweet in inside:
        api.add(tweet)
    return inside


def test_api_day_lands_in_silver_and_gold_exactly_as_served(
    tmp_path: Path, x_api: FakeXApi
) -> None:
    served = served_day(x_api)
    twitter = TwitterResource(bearer_token=TEST_TOKEN, api_base_url=x_api.base_url)

    result = materialize(tmp_path, twitter, "2026-11-20")

    assert result.success
    tweets = read_table(tmp_path, "silver/tweets").set_index("id")
    assert sorted(tweets.index) == sorted(t["id"] for t in served)
    for tweet in served:
        row = tweets.loc[tweet["id"]]
        assert row["text"] == tweet["text"]
        assert row["created_at"].strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z" == tweet["created_at"]
        for metric, value in tweet["public_metrics"].items():
            if metric in tweets.columns:
                assert row[metric] == value, (tweet["id"], metric)
    assert tweets.loc["101", "in_reply_to_user_id"] == "1"
    users = read_table(tmp_path, "silver/users")
    assert sorted(users["id"]) == ["1", "2", "3"]
    [gold] = read_table(tmp_path, "gold/daily_counts").to_dict("records")
    assert gold == {
        "date": "2026-11-20",
        "weekday": "Fri",
        "tweets": len(tweets),
        "authors": tweets["author_id"].nunique(),
        "conversations": tweets["conversation_id"].nunique(),
        "replies": int(tweets["in_reply_to_user_id"].notna().sum()),
        **{
            m: int(tweets[m].sum())
            for m in ["retweet_count", "reply_count", "like_count", "quote_count"]
        },
    }
    bronze = result.asset_materializations_for_node("bronze_tweets")[0].metadata
    assert bronze["source"].value == "api"
    assert bronze["tweets"].value == len(served)
    assert bronze["pages"].value == 2


def test_bronze_holds_the_pages_in_order_byte_for_byte(tmp_path: Path) -> None:
    twitter = TwitterResource(demo_tweets_per_day=250)
    day = "2026-11-20"

    materialize(tmp_path, twitter, day, selection="bronze_tweets")

    [bronze_file] = (tmp_path / f"bronze/tweets/date={day}").glob("*.txt")
    start = dg.DailyPartitionsDefinition(start_date=day).time_window_for_partition_key(day)
    expected = DemoCorpus(250).search_pages("AluraOnline", start.start, start.end)
    assert bronze_file.read_text(encoding="utf-8") == "".join(p.body + "\n" for p in expected)


def test_materializing_a_day_leaves_every_other_day_byte_identical(tmp_path: Path) -> None:
    twitter = TwitterResource(demo_tweets_per_day=120)
    materialize(tmp_path, twitter, "2026-11-20")
    before = lake_files(tmp_path, "2026-11-20")

    materialize(tmp_path, twitter, "2026-11-21")

    assert {path.split("/")[0] for path in before} == {"bronze", "silver", "gold"}
    assert len({path.rsplit("/", 2)[0] for path in before}) == 4
    assert lake_files(tmp_path, "2026-11-20") == before
    assert lake_files(tmp_path, "2026-11-21")
    assert list(read_table(tmp_path, "gold/daily_counts")["date"]) == ["2026-11-20", "2026-11-21"]


def test_a_day_that_became_empty_is_replaced_not_kept(tmp_path: Path) -> None:
    materialize(tmp_path, TwitterResource(demo_tweets_per_day=40), "2026-11-20")

    materialize(tmp_path, TwitterResource(demo_tweets_per_day=0), "2026-11-20")

    assert read_table(tmp_path, "silver/tweets").empty
    assert read_table(tmp_path, "silver/users").empty
    [gold] = read_table(tmp_path, "gold/daily_counts").to_dict("records")
    assert gold["tweets"] == 0 and gold["like_count"] == 0 and gold["weekday"] == "Fri"
    [bronze_file] = (tmp_path / "bronze/tweets/date=2026-11-20").glob("*.txt")
    assert bronze_file.read_text() == '{"meta":{"result_count":0}}\n'


def test_a_range_is_one_run_with_a_gold_row_per_day(tmp_path: Path) -> None:
    result = materialize(
        tmp_path, TwitterResource(demo_tweets_per_day=30), "2026-11-18", "2026-11-20"
    )

    assert result.success
    gold = read_table(tmp_path, "gold/daily_counts")
    assert list(gold["date"]) == ["2026-11-18", "2026-11-19", "2026-11-20"]
    assert list(gold["weekday"]) == ["Wed", "Thu", "Fri"]
    assert list(gold["tweets"]) == [30, 30, 30]
    silver_rows = result.asset_materializations_for_node("silver_tweets")[0].metadata
    assert silver_rows["dagster/row_count"].value == 90


def test_a_missing_upstream_day_names_the_table_the_day_and_the_fix(tmp_path: Path) -> None:
    result = materialize(
        tmp_path, TwitterResource(), "2026-11-20", selection="silver_tweets", raise_on_error=False
    )

    assert not result.success
    [failure] = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    message = json.dumps(failure.event_specific_data.error.to_string())
    assert "bronze_tweets has no partition 2026-11-20" in message
    assert "--select bronze_tweets --partition 2026-11-20" in message


def test_the_session_is_shared_with_dagster_runs(spark: SparkSession, tmp_path: Path) -> None:
    materialize(
        tmp_path, TwitterResource(demo_tweets_per_day=5), "2026-11-20", selection="bronze_tweets"
    )

    assert SparkSession.getActiveSession() is spark
