"""The whole medallion, run in-process through the real IO manager into a temporary lake."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest
from pyspark.sql import SparkSession

from tweet_assets.source import DemoCorpus, TwitterResource
from tweet_assets_tests.support.fake_x_api import (
    TEST_TOKEN,
    FakeXApi,
    Scripted,
    make_tweet,
    partial_error_page,
)
from tweet_assets_tests.support.pipeline import (
    DAY_AFTER,
    YESTERDAY,
    api_twitter,
    bronze_pages,
    fetch_record,
    lake_files,
    materialization,
    materialize,
    read_table,
    served_day,
)

pytestmark = pytest.mark.usefixtures("spark")


def test_api_day_lands_in_silver_and_gold_exactly_as_served(
    tmp_path: Path, x_api: FakeXApi
) -> None:
    served = served_day(x_api)

    result = materialize(tmp_path, api_twitter(x_api), YESTERDAY.isoformat())

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
    assert gold.pop("fetched_at") is not None
    assert gold == {
        "date": YESTERDAY.isoformat(),
        "weekday": YESTERDAY.strftime("%a"),
        "tweets": len(tweets),
        "authors": tweets["author_id"].nunique(),
        "conversations": tweets["conversation_id"].nunique(),
        "replies": int(tweets["in_reply_to_user_id"].notna().sum()),
        **{
            m: int(tweets[m].sum())
            for m in ["retweet_count", "reply_count", "like_count", "quote_count"]
        },
        # the API counts the day's posts just as search served them
        "expected_tweets": len(served),
        "complete": True,
        # the tracked account did not post, and nobody talked with it
        "account_posts": 0,
        "account_replies": 0,
        "account_conversation_posts": 0,
    }
    bronze = result.asset_materializations_for_node("bronze_tweets")[0].metadata
    assert bronze["source"].value == "api"
    assert bronze["endpoint"].value == "recent"
    assert bronze["tweets"].value == len(served)
    assert (bronze["account"].value, bronze["account_id"].value) == ("AluraOnline", "4242")
    # the account's id, two search pages and the day's count
    assert (bronze["pages"].value, bronze["requests"].value) == (2, 4)
    assert bronze["http_statuses"].value == {"200": 4}
    assert bronze["truncated"].value is False


def test_an_empty_account_sends_no_lookup_and_leaves_the_account_numbers_null(
    tmp_path: Path, x_api: FakeXApi
) -> None:
    served_day(x_api)

    materialize(tmp_path, api_twitter(x_api, account=None), YESTERDAY.isoformat())

    assert not [r for r in x_api.requests if r["path"].startswith("/2/users/")]
    [gold] = read_table(tmp_path, "gold/daily_counts").to_dict("records")
    assert gold["tweets"] == 153
    for column in ("account_posts", "account_replies", "account_conversation_posts"):
        assert pd.isna(gold[column]), column


def test_flaky_rate_limited_api_lands_exactly_the_tweets_it_holds(
    tmp_path: Path, x_api: FakeXApi
) -> None:
    served = served_day(x_api)
    served += [
        x_api.add(make_tweet(str(5000 + n), f"{YESTERDAY}T15:{n // 60:02d}:{n % 60:02d}.000Z", "2"))
        for n in range(600)
    ]
    x_api.rate_limit, x_api.fail_every = (5, 3.0), 4

    result = materialize(tmp_path, api_twitter(x_api), YESTERDAY.isoformat())

    tweets = read_table(tmp_path, "silver/tweets")
    assert sorted(tweets["id"]) == sorted(t["id"] for t in served)
    assert 429 not in x_api.statuses() and 503 in x_api.statuses()
    bronze = result.asset_materializations_for_node("bronze_tweets")[0].metadata
    assert bronze["retries"].value == x_api.statuses().count(503)
    assert bronze["rate_limit_waits"].value >= 1 and bronze["rate_limit_wait_seconds"].value > 0


def test_failed_fetch_leaves_the_lake_exactly_as_it_was(tmp_path: Path, x_api: FakeXApi) -> None:
    served_day(x_api)
    materialize(tmp_path, api_twitter(x_api), YESTERDAY.isoformat())
    before = {p: p.read_bytes() for p in sorted(tmp_path.rglob("*")) if p.is_file()}
    x_api.tweets.append(make_tweet("777", f"{YESTERDAY}T09:00:00.000Z", "1"))
    x_api.scripted += [
        Scripted(
            200,
            x_api.search(
                {
                    "start_time": f"{YESTERDAY}T00:00:00Z",
                    "end_time": f"{DAY_AFTER}T00:00:00Z",
                    "max_results": "100",
                },
                f"Bearer {TEST_TOKEN}",
            ).body,
        )
    ]
    x_api.scripted += [Scripted(503, '{"title":"Service Unavailable"}')] * 10

    result = materialize(
        tmp_path, api_twitter(x_api, max_tries=3), YESTERDAY.isoformat(), raise_on_error=False
    )

    assert not result.success
    after = {p: p.read_bytes() for p in sorted(tmp_path.rglob("*")) if p.is_file()}
    assert after == before


def test_a_partition_older_than_the_recent_window_sends_no_request(
    tmp_path: Path, x_api: FakeXApi
) -> None:
    old_day = (datetime.now(UTC) - timedelta(days=10)).date().isoformat()

    result = materialize(tmp_path, api_twitter(x_api), old_day, raise_on_error=False)

    assert not result.success
    assert x_api.requests == []
    message = step_failure(result)
    assert f"partition {old_day}" in message and "TWITTER_SEARCH_ENDPOINT=all" in message


def test_cost_cap_stops_paging_and_marks_the_partition_truncated(
    tmp_path: Path, x_api: FakeXApi
) -> None:
    served_day(x_api)

    result = materialize(
        tmp_path, api_twitter(x_api, max_tweets_per_day=120), YESTERDAY.isoformat()
    )

    bronze = result.asset_materializations_for_node("bronze_tweets")[0].metadata
    assert bronze["tweets"].value == 120
    assert bronze["truncated"].value is True
    assert bronze["truncated_days"].value == [YESTERDAY.isoformat()]
    searches = [r["params"] for r in x_api.requests if "/search/" in r["path"]]
    assert [params["max_results"] for params in searches] == ["100", "20"]
    # the newest 120 of the day's 153: gold says so
    [gold] = read_table(tmp_path, "gold/daily_counts").to_dict("records")
    assert (gold["tweets"], gold["expected_tweets"], gold["complete"]) == (120, 153, False)
    [verdict] = check_evaluations(result, "bronze_tweets_complete")
    assert (verdict.passed, verdict.partition) == (False, YESTERDAY.isoformat())
    assert verdict.severity == dg.AssetCheckSeverity.WARN
    assert "truncated by the cost cap" in (verdict.description or "")


def test_a_day_search_serves_short_of_the_apis_count_is_not_complete(
    tmp_path: Path, x_api: FakeXApi
) -> None:
    served = served_day(x_api)
    x_api.unserved[YESTERDAY.isoformat()] = 10  # counted by the API, never served by search

    result = materialize(tmp_path, api_twitter(x_api), YESTERDAY.isoformat())

    assert result.success  # incomplete is a warning, not a failure
    [gold] = read_table(tmp_path, "gold/daily_counts").to_dict("records")
    assert (gold["tweets"], gold["expected_tweets"]) == (len(served), len(served) + 10)
    assert not gold["complete"]
    [verdict] = check_evaluations(result, "bronze_tweets_complete")
    assert not verdict.passed
    assert verdict.metadata["distinct_posts"].value == len(served)
    assert verdict.metadata["expected_tweets"].value == len(served) + 10
    assert fetch_record(tmp_path, str(YESTERDAY))["expected_tweets"] == len(served) + 10


@pytest.mark.parametrize("status", [400, 503])
def test_counting_that_fails_after_a_good_fetch_keeps_the_fetched_day_not_complete(
    tmp_path: Path, x_api: FakeXApi, status: int, capfd: pytest.CaptureFixture[str]
) -> None:
    """The pages are paid for: a count refused (400, a day pushed past the window by a long
    fetch) or failing after its retries (5xx) does not throw them away."""
    served = served_day(x_api)
    x_api.counts_status = status

    result = materialize(tmp_path, api_twitter(x_api), YESTERDAY.isoformat())

    assert result.success
    [gold] = read_table(tmp_path, "gold/daily_counts").to_dict("records")
    assert gold["tweets"] == len(served)
    assert (pd.isna(gold["expected_tweets"]), gold["complete"]) == (True, False)
    [verdict] = check_evaluations(result, "bronze_tweets_complete")
    assert not verdict.passed
    assert "Counting the days' posts failed after a good fetch" in capfd.readouterr().err


def test_the_demo_corpus_never_replaces_a_day_fetched_from_the_api_but_the_api_replaces_demo(
    tmp_path: Path, x_api: FakeXApi
) -> None:
    served = served_day(x_api)
    day = YESTERDAY.isoformat()
    materialize(tmp_path, api_twitter(x_api), day)
    fetched = lake_files(tmp_path, day)

    # a run whose token went missing: the demo corpus serves, and the lake refuses it
    result = materialize(
        tmp_path, TwitterResource(demo_tweets_per_day=20), day, raise_on_error=False
    )

    assert not result.success
    message = step_failure(result)
    assert f"bronze_tweets holds {day} as fetched from the X API" in message
    assert "Nothing was written" in message and "TWITTER_BEARER_TOKEN" in message
    assert lake_files(tmp_path, day) == fetched
    # the other way round is a refetch like any other
    other = YESTERDAY - timedelta(days=2)
    x_api.add(make_tweet("950", f"{other}T12:00:00.000Z", "1"))
    materialize(tmp_path, TwitterResource(demo_tweets_per_day=20), other.isoformat())
    assert materialize(tmp_path, api_twitter(x_api), other.isoformat()).success
    assert sorted(read_table(tmp_path, "silver/tweets")["id"]) == sorted(
        ["950", *(post["id"] for post in served)]
    )


def test_partial_errors_keep_the_data_and_show_in_metadata(tmp_path: Path, x_api: FakeXApi) -> None:
    x_api.scripted.append(Scripted(200, partial_error_page(f"{YESTERDAY}T01:00:00.000Z")))

    result = materialize(tmp_path, api_twitter(x_api), YESTERDAY.isoformat())

    bronze = result.asset_materializations_for_node("bronze_tweets")[0].metadata
    assert bronze["api_errors"].value == 1
    assert "Could not find user" in bronze["api_error_samples"].value[0]
    assert list(read_table(tmp_path, "silver/tweets")["id"]) == ["1"]


def check_evaluations(
    result: dg.ExecuteInProcessResult, check_name: str
) -> list[dg.AssetCheckEvaluation]:
    return [
        evaluation
        for evaluation in result.get_asset_check_evaluations()
        if evaluation.check_name == check_name
    ]


def step_failure(result: dg.ExecuteInProcessResult) -> str:
    [failure] = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    return failure.event_specific_data.error.to_string()


def test_bronze_holds_the_pages_in_order_byte_for_byte(tmp_path: Path) -> None:
    twitter = TwitterResource(demo_tweets_per_day=250)
    day = "2026-11-20"

    materialize(tmp_path, twitter, day, selection="bronze_tweets")

    start = dg.DailyPartitionsDefinition(start_date=day).time_window_for_partition_key(day)
    expected = DemoCorpus(250).search_pages("AluraOnline", start.start, start.end)
    assert bronze_pages(tmp_path, day) == [page.body for page in expected]
    assert len(list((tmp_path / f"bronze/tweets/date={day}").glob("*.parquet"))) == 1


def test_materializing_a_day_leaves_every_other_day_byte_identical(tmp_path: Path) -> None:
    twitter = TwitterResource(demo_tweets_per_day=120)
    materialize(tmp_path, twitter, "2026-11-20")
    before = lake_files(tmp_path, "2026-11-20")

    materialize(tmp_path, twitter, "2026-11-21")
    # and gold_daily_hashtags alone, again
    materialize(tmp_path, twitter, "2026-11-21", selection="gold_daily_hashtags")

    tables = {"/".join(path.split("/")[:2]) for path in before}
    assert tables == {
        "bronze/tweets",
        "silver/tweets",
        "silver/users",
        "gold/daily_counts",
        "gold/daily_hashtags",
    }
    assert lake_files(tmp_path, "2026-11-20") == before
    assert any(
        path.startswith("gold/daily_hashtags/") for path in lake_files(tmp_path, "2026-11-21")
    )
    assert list(read_table(tmp_path, "gold/daily_counts")["date"]) == ["2026-11-20", "2026-11-21"]


def test_a_day_that_became_empty_is_replaced_not_kept(tmp_path: Path) -> None:
    materialize(tmp_path, TwitterResource(demo_tweets_per_day=40), "2026-11-20")

    materialize(tmp_path, TwitterResource(demo_tweets_per_day=0), "2026-11-20")

    assert read_table(tmp_path, "silver/tweets").empty
    assert read_table(tmp_path, "silver/users").empty
    [gold] = read_table(tmp_path, "gold/daily_counts").to_dict("records")
    assert gold["tweets"] == 0 and gold["like_count"] == 0 and gold["weekday"] == "Fri"
    assert read_table(tmp_path, "gold/daily_hashtags").empty
    assert bronze_pages(tmp_path, "2026-11-20") == ['{"meta":{"result_count":0}}']


SILVER_TWEETS = ["bronze_tweets", "silver_tweets"]


def test_one_silver_table_selected_is_written_alone_and_checked_against_the_lake(
    tmp_path: Path,
) -> None:
    """silver_tweets, silver_users and the check against bronze are one step; a selection of
    silver_users and the check writes silver_users alone, and the check then holds the lake's
    silver_tweets (as its latest write counted it) against bronze."""
    day = "2026-11-20"
    check = dg.AssetCheckKey(dg.AssetKey("silver_tweets"), "silver_tweets_match_bronze_ids")
    with dg.instance_for_test() as instance:
        twitter = TwitterResource(demo_tweets_per_day=30)
        materialize(tmp_path, twitter, day, selection=SILVER_TWEETS, instance=instance)
        tweets_before = silver_tweet_files(tmp_path, day)
        twitter = TwitterResource(demo_tweets_per_day=60)
        materialize(tmp_path, twitter, day, selection="bronze_tweets", instance=instance)

        users_and_check = dg.AssetSelection.assets("silver_users") | dg.AssetSelection.checks(check)
        ran = materialize(
            tmp_path,
            twitter,
            day,
            selection=users_and_check,
            instance=instance,
            raise_on_error=False,
        )

    made = {event.asset_key for event in ran.get_asset_materialization_events()}
    assert made == {dg.AssetKey("silver_users")}
    verdicts = {verdict.check_name: verdict for verdict in ran.get_asset_check_evaluations()}
    assert sorted(verdicts) == ["silver_tweets_match_bronze_ids", "silver_users_ids_unique"]
    assert silver_tweet_files(tmp_path, day) == tweets_before
    pages = [json.loads(page) for page in bronze_pages(tmp_path, day)]
    users = {u["id"] for page in pages for u in page.get("includes", {}).get("users", [])}
    assert set(read_table(tmp_path, "silver/users")["id"]) == users
    # the lake's silver_tweets holds the 30 posts of the first fetch; bronze holds 60 now
    verdict = verdicts["silver_tweets_match_bronze_ids"]
    assert not verdict.passed and verdict.partition == day
    counts = {key: verdict.metadata[key].value for key in ("silver_rows", "bronze_post_ids")}
    assert counts == {"silver_rows": 30, "bronze_post_ids": 60}


def silver_tweet_files(lake: Path, day: str) -> dict[str, bytes]:
    return {path: data for path, data in lake_files(lake, day).items() if "silver/tweets" in path}


def test_a_range_is_one_run_with_a_gold_row_per_day(tmp_path: Path) -> None:
    result = materialize(
        tmp_path, TwitterResource(demo_tweets_per_day=30), "2026-11-18", "2026-11-20"
    )

    assert result.success
    gold = read_table(tmp_path, "gold/daily_counts")
    assert list(gold["date"]) == ["2026-11-18", "2026-11-19", "2026-11-20"]
    assert list(gold["weekday"]) == ["Wed", "Thu", "Fri"]
    assert list(gold["tweets"]) == [30, 30, 30]
    silver_rows = materialization(result, "silver_tweets").metadata
    assert silver_rows["dagster/row_count"].value == 90


def test_a_missing_upstream_day_names_the_table_the_day_and_the_fix(tmp_path: Path) -> None:
    result = materialize(
        tmp_path, TwitterResource(), "2026-11-20", selection="silver_tweets", raise_on_error=False
    )

    assert not result.success
    message = step_failure(result)
    assert "bronze_tweets has no partition 2026-11-20" in message
    assert "--select bronze_tweets --partition 2026-11-20" in message


def test_the_session_is_shared_with_dagster_runs(spark: SparkSession, tmp_path: Path) -> None:
    materialize(
        tmp_path, TwitterResource(demo_tweets_per_day=5), "2026-11-20", selection="bronze_tweets"
    )

    assert SparkSession.getActiveSession() is spark
