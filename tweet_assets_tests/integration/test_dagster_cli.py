"""The dagster command line, as CI and operators use it, in a subprocess with its own JVM."""

import json
import re
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import pandas as pd

from tweet_assets.source import TwitterResource
from tweet_assets_tests.support.dagster_cli import (
    PROJECT_ROOT,
    clean_env,
    materialize_all,
    materialize_command,
    run_dagster,
)
from tweet_assets_tests.support.event_log import executions_scanning
from tweet_assets_tests.support.fake_x_api import (
    ACCOUNT,
    ACCOUNT_ID,
    TEST_TOKEN,
    FakeXApi,
    Scripted,
    engaged_day,
    make_tweet,
)
from tweet_assets_tests.support.pipeline import lake_text, materialize, read_table


def test_definitions_validate(tmp_path: Path) -> None:
    result = run_dagster(tmp_path, "definitions", "validate", "-m", "tweet_assets.definitions")

    assert result.returncode == 0, result.stderr
    assert "Validation successful" in result.stderr + result.stdout


def nullable(value: object) -> object:
    """A value read by pandas, with its missing values as None."""
    return None if pd.isna(value) else value


def utc(moment: object) -> pd.Timestamp:
    """A timestamp read by pandas, naive (Spark's UTC session) or zoned, as UTC."""
    stamp = pd.Timestamp(moment)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def account_numbers(posts: list[dict]) -> tuple[int, int, int]:
    """The course's counts, made from the posts served: the account's posts, others' replies
    to it, and others' posts in a conversation it posted in."""
    own = [post for post in posts if post["author_id"] == ACCOUNT_ID]
    others = [post for post in posts if post["author_id"] != ACCOUNT_ID]
    conversations = {post["conversation_id"] for post in own}
    return (
        len(own),
        sum(post.get("in_reply_to_user_id") == ACCOUNT_ID for post in others),
        sum(post["conversation_id"] in conversations for post in others),
    )


def hashtag_numbers(posts: list[dict]) -> dict[str, tuple[int, int, int | None]]:
    """hashtag -> (posts using it, their authors, their likes or None), from the posts served;
    a tag in two cases is one tag, and a post using it twice counts once."""
    users: dict[str, list[dict]] = {}
    for post in posts:
        for tag in {h["tag"].lower() for h in post.get("entities", {}).get("hashtags", [])}:
            users.setdefault(tag, []).append(post)
    likes = {
        tag: [p["public_metrics"]["like_count"] for p in used if "public_metrics" in p]
        for tag, used in users.items()
    }
    return {
        tag: (
            len(used),
            len({p["author_id"] for p in used}),
            sum(likes[tag]) if likes[tag] else None,
        )
        for tag, used in users.items()
    }


def test_cli_materializes_a_range_from_a_flaky_api_as_one_quiet_run_and_the_token_leaks_nowhere(
    tmp_path: Path, x_api: FakeXApi
) -> None:
    """One CLI run, the way operators run it, proving four things at once: a range of days is
    one run with one quiet Spark session; the API's posts land exactly in silver and gold; the
    whole graph parses bronze once; and the bearer token, read as from a secrets file (with a
    trailing newline) by a run that retries and waits out rate limits, is in no file, log or
    output."""
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date()
    first = yesterday - timedelta(days=2)
    days = [first + timedelta(days=n) for n in range(3)]
    quiet_days = {
        day: engaged_day(x_api, day.isoformat(), 50, seed=n) for n, day in enumerate(days[:2])
    }
    served = engaged_day(x_api, yesterday.isoformat(), 1_100)
    # fails now and then and rate-limits, so the retry and back-off paths log too
    x_api.rate_limit, x_api.fail_every = (6, 1.0), 5
    events = tmp_path / "spark-events"
    events.mkdir()

    result = materialize_all(
        tmp_path,
        f"{first}...{yesterday}",
        TWITTER_BEARER_TOKEN=f"{TEST_TOKEN}\n",
        TWITTER_API_BASE_URL=x_api.base_url,
        SPARK_CONF=json.dumps(
            {
                "spark.eventLog.enabled": "true",
                "spark.eventLog.dir": events.as_uri(),
                "spark.eventLog.compress": "false",
                "spark.sql.shuffle.partitions": "3",
            }
        ),
    )

    output = result.stdout + result.stderr
    assert result.returncode == 0, result.stderr[-5000:]
    # one run, one Spark session that keeps its INFO chatter and start-up warnings to itself
    with dg.DagsterInstance.from_config(str(tmp_path / "dagster_home")) as instance:
        assert instance.get_runs_count() == 1
    assert output.count("RUN_START") == 1
    assert not re.search(r"^\d\d/\d\d/\d\d \d\d:\d\d:\d\d INFO ", output, re.MULTILINE)
    for noise in ("log4j profile", "NativeCodeLoader", "resolves to a loopback"):
        assert noise not in output
    # the whole graph read (and parsed) bronze's pages in one Spark SQL execution: silver's
    # tables and the check of silver against bronze read one parse
    assert len(executions_scanning(events, "bronze/tweets", "value")) == 1
    # the run retried and waited, and every request carried the token without its newline
    assert 503 in x_api.statuses(), "the run should have retried"
    assert all(r["headers"]["Authorization"] == f"Bearer {TEST_TOKEN}" for r in x_api.requests)
    # answered: the account's id, a page for each quiet day and eleven for yesterday, then one
    # counts request for the run
    assert [
        request["path"].rsplit("/", 2)[-2] for request in x_api.requests if request["status"] == 200
    ] == ["username", *["search"] * 13, "counts"]
    lake = tmp_path / "lake"
    # the day's fetch record is beside its pages in bronze, readable by pandas (delta-rs)
    bronze = read_table(lake, "bronze/tweets")
    record = bronze[bronze["date"] == str(yesterday)]["fetch"].iloc[0]
    assert (record["posts"], record["distinct_posts"], record["pages"]) == (1_100, 1_100, 11)
    assert (record["expected_tweets"], record["reached_last_page"]) == (1_100, True)
    assert (record["account"], record["account_id"]) == (ACCOUNT, ACCOUNT_ID)
    assert record["complete"] is True
    tweets = read_table(lake, "silver/tweets")
    assert sorted(tweets["date"].unique()) == [day.isoformat() for day in days]
    tweets = tweets[tweets["date"] == yesterday.isoformat()].set_index("id")
    assert sorted(tweets.index) == sorted(t["id"] for t in served)
    for tweet in served:
        row = tweets.loc[tweet["id"]]
        assert row["text"] == tweet["text"]
        assert row["created_at"].isoformat(timespec="milliseconds") + "Z" == tweet["created_at"]
        metrics = tweet.get("public_metrics", {})
        assert nullable(row["like_count"]) == metrics.get("like_count")
        assert nullable(row["impression_count"]) == metrics.get("impression_count")
    counts = read_table(lake, "gold/daily_counts")
    assert list(counts["date"]) == [day.isoformat() for day in days]
    assert list(counts["tweets"]) == [50, 50, 1_100]
    [gold] = counts[counts["date"] == yesterday.isoformat()].to_dict("records")
    assert (gold["tweets"], gold["authors"], gold["conversations"], gold["replies"]) == (
        len(tweets),
        tweets["author_id"].nunique(),
        tweets["conversation_id"].nunique(),
        tweets["in_reply_to_user_id"].notna().sum(),
    )
    assert gold["retweet_count"] == tweets["retweet_count"].sum()
    assert gold["like_count"] == tweets["like_count"].sum()
    # the course's question, against a count made from the posts served
    engagement = account_numbers(served)
    assert min(engagement) > 10
    assert (
        gold["account_posts"],
        gold["account_replies"],
        gold["account_conversation_posts"],
    ) == engagement
    hashtags = read_table(lake, "gold/daily_hashtags")
    for day, posts in [*quiet_days.items(), (yesterday, served)]:
        assert {
            row.hashtag: (row.tweets, row.authors, nullable(row.like_count))
            for row in hashtags[hashtags["date"] == day.isoformat()].itertuples()
        } == hashtag_numbers(posts)
    # served whole: complete, and the API's own count beside ours
    assert (gold["expected_tweets"], gold["complete"]) == (1_100, True)
    assert utc(gold["fetched_at"]) == utc(record["fetched_at"])
    # the token: in no file of the instance (event log, compute logs) or the lake, nor output
    home = tmp_path / "dagster_home"
    assert [path for path in home.rglob("compute_logs/*") if path.is_file()], "logs to search"
    searched = [p for p in [*lake.rglob("*"), *home.rglob("*")] if p.is_file()]
    assert any(path.name.endswith(".db") for path in searched), "the event log to search"
    for path in searched:
        assert TEST_TOKEN.encode() not in path.read_bytes(), path
    assert TEST_TOKEN not in lake_text(lake)
    assert TEST_TOKEN not in output


def test_an_unknown_account_fails_the_run_before_any_search(
    tmp_path: Path, x_api: FakeXApi
) -> None:
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date()
    engaged_day(x_api, yesterday.isoformat(), 20)

    result = materialize_all(
        tmp_path,
        yesterday.isoformat(),
        TWITTER_BEARER_TOKEN=TEST_TOKEN,
        TWITTER_API_BASE_URL=x_api.base_url,
        TWEETS_ACCOUNT="no_such_user_1",
    )

    assert result.returncode != 0
    assert "TWEETS_ACCOUNT='no_such_user_1': the X API has no such account" in result.stderr
    assert [request["path"] for request in x_api.requests] == [
        "/2/users/by/username/no_such_user_1"
    ]
    assert not (tmp_path / "lake").exists() or not list((tmp_path / "lake").rglob("*.json"))


def test_a_rejected_token_fails_the_run_naming_the_variable_never_the_value(
    tmp_path: Path, x_api: FakeXApi
) -> None:
    wrong_token = "wrong-token-Kx7-DISTINCTIVE"
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()

    result = materialize_all(
        tmp_path,
        yesterday,
        TWITTER_BEARER_TOKEN=wrong_token,
        TWITTER_API_BASE_URL=x_api.base_url,
    )

    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "401" in output and "TWITTER_BEARER_TOKEN" in output
    assert x_api.statuses() == [401]
    assert wrong_token not in output
    for path in (tmp_path / "dagster_home").rglob("*"):
        if path.is_file():
            assert wrong_token.encode() not in path.read_bytes(), path


def test_a_bad_spark_conf_fails_loading_with_the_variable_and_the_fix(tmp_path: Path) -> None:
    result = run_dagster(
        tmp_path,
        "definitions",
        "validate",
        "-m",
        "tweet_assets.definitions",
        SPARK_CONF='{"spark.sql.session.timeZone": "Europe/Berlin"}',
    )

    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "SPARK_CONF sets spark.sql.session.timeZone=Europe/Berlin" in output
    assert "remove spark.sql.session.timeZone from SPARK_CONF" in output


def test_make_demo_prints_a_line_a_day_and_the_gold_table_and_nothing_else(tmp_path: Path) -> None:
    """The front door, as a newcomer meets it once installed: the run at INFO, then gold; the
    run is on the instance, as Dagit shows it."""
    home, lake = tmp_path / "dagster_home", tmp_path / "lake"
    env = clean_env(home, lake, TWITTER_BEARER_TOKEN="must-be-ignored")
    for make_variable in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS"):  # as typed in a shell, not nested
        env.pop(make_variable, None)

    subprocess.run(["make", "install"], cwd=PROJECT_ROOT, env=env, capture_output=True, check=True)

    result = subprocess.run(
        ["make", "demo", f"DAGSTER_HOME={home}"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )

    assert result.returncode == 0, result.stderr[-5000:]
    table, log = result.stdout.splitlines(), result.stderr.splitlines()
    lines = table + log
    assert len(lines) <= 40, "\n".join(lines)
    assert [line for line in lines if re.search("warning|debug", line, re.IGNORECASE)] == []
    assert sum(" - INFO - " in line and " posts in " in line for line in log) == 7
    assert table[-1] == "(7 rows)" and table[-9].split()[:3] == ["date", "weekday", "tweets"]
    gold = read_table(lake, "gold/daily_counts")
    assert list(gold["tweets"]) == [300] * 7
    with dg.DagsterInstance.from_config(str(home)) as instance:
        [run] = instance.get_runs()
        assert (run.job_name, run.status) == ("__ASSET_JOB", dg.DagsterRunStatus.SUCCESS)
        assert run.tags["dagster/asset_partition_range_end"] == gold["date"].iloc[-1]


def test_gold_alone_refuses_a_silver_day_that_breaks_a_blocking_rule(
    tmp_path: Path, x_api: FakeXApi
) -> None:
    day = (datetime.now(UTC) - timedelta(days=1)).date()
    # Silver for the day holds a post the API filed under it but created the day before.
    page = {
        "data": [
            make_tweet("31", f"{day}T09:00:00.000Z", "1"),
            make_tweet("32", f"{day - timedelta(days=1)}T23:00:00.000Z", "1"),
        ],
        "meta": {"result_count": 2},
    }
    x_api.scripted.append(Scripted(200, json.dumps(page)))
    twitter = TwitterResource(bearer_token=TEST_TOKEN, api_base_url=x_api.base_url)
    lake = tmp_path / "lake"
    materialize(
        lake,
        twitter,
        day.isoformat(),
        selection=["bronze_tweets", "silver_tweets"],
        raise_on_error=False,  # silver's own blocking check fails
    )
    assert (lake / "silver" / "tweets" / f"date={day}").is_dir()

    # The command our own "materialize it first" error suggests: gold alone, no checks run.
    result = run_dagster(
        tmp_path, *materialize_command(day.isoformat(), select="gold_daily_counts")[1:]
    )

    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert f"{day}: a post was created on another day" in output
    assert not (lake / "gold" / "daily_counts" / f"date={day}").exists()
