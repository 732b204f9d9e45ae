"""The environment, parsed once: defaults, every bad value named with its fix, the docs' table."""

import re
from pathlib import Path

import pytest

from tweet_assets import settings
from tweet_assets.settings import REQUIRED_SPARK_CONF, Settings, SettingsError, load

CONFIGURATION = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_an_empty_environment_gives_the_documented_defaults() -> None:
    config = load({})

    assert config == Settings()
    assert (config.query, config.endpoint, config.max_tries) == ("AluraOnline", "recent", 6)
    assert config.account == "AluraOnline"
    assert (config.max_retry_seconds, config.demo_tweets_per_day) == (300.0, 300)
    assert config.lake_root.endswith("/datalake")
    assert not config.token_set and not config.schedule_running
    assert config.executor == "in_process" and config.spark_conf == {}


def test_every_variable_is_read_into_its_field() -> None:
    config = load(
        {
            "TWITTER_BEARER_TOKEN": "t",
            "TWITTER_API_BASE_URL": "http://127.0.0.1:9/2",
            "TWITTER_SEARCH_ENDPOINT": "ALL",
            "TWEETS_QUERY": "#dataengineering -is:retweet",
            "TWEETS_ACCOUNT": " @dagster_io ",
            "TWEETS_MAX_PER_DAY": "120",
            "TWITTER_MAX_TRIES": "3",
            "TWITTER_MAX_RETRY_SECONDS": "2.5",
            "TWEETS_DEMO_PER_DAY": "0",
            "DATALAKE_ROOT": "s3a://bucket/lake",
            "SPARK_REMOTE": "sc://c:15002",
            "TWEETS_EXECUTOR": "multiprocess",
            "SPARK_CONF": '{"spark.sql.shuffle.partitions": 16, "spark.sql.ansi.enabled": true}',
            "TWEETS_SCHEDULE": " Running ",
            "TWEETS_SCHEDULE_CRON": "*  *  * * *",
            "TWEETS_REFRESH_DAYS": "30",
            "DAGSTER_HOME": "/srv/dagster",
        }
    )

    assert config == Settings(
        token_set=True,
        api_base_url="http://127.0.0.1:9/2",
        endpoint="all",
        query="#dataengineering -is:retweet",
        account="dagster_io",
        max_tweets_per_day=120,
        max_tries=3,
        max_retry_seconds=2.5,
        demo_tweets_per_day=0,
        lake_root="s3a://bucket/lake",
        spark_remote="sc://c:15002",
        executor="multiprocess",
        spark_conf={"spark.sql.shuffle.partitions": "16", "spark.sql.ansi.enabled": "true"},
        schedule_running=True,
        schedule_cron="* * * * *",
        refresh_days=30,
        dagster_home="/srv/dagster",
    )


def test_the_token_is_only_known_to_be_set_never_held() -> None:
    config = load({"TWITTER_BEARER_TOKEN": "secret-Qx7"})

    assert config.token_set
    assert "secret-Qx7" not in repr(config) + settings.describe(config)


@pytest.mark.parametrize("blank", ["", "  ", "\n"])
def test_a_token_variable_set_but_blank_is_refused_not_taken_for_the_demo(blank: str) -> None:
    """An empty secrets file must not switch a production run to invented posts."""
    with pytest.raises(SettingsError) as refused:
        load({"TWITTER_BEARER_TOKEN": blank})

    assert "TWITTER_BEARER_TOKEN is set but blank" in str(refused.value)
    assert "unset it to run on the offline demo corpus" in str(refused.value)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TWITTER_SEARCH_ENDPOINT": "archive"}, "TWITTER_SEARCH_ENDPOINT='archive' is not one"),
        ({"TWEETS_MAX_PER_DAY": "ten"}, "TWEETS_MAX_PER_DAY='ten' is not a whole number"),
        ({"TWEETS_MAX_PER_DAY": "0"}, "TWEETS_MAX_PER_DAY='0' is not a whole number"),
        ({"TWITTER_MAX_TRIES": "1.5"}, "TWITTER_MAX_TRIES='1.5' is not a whole number"),
        ({"TWITTER_MAX_RETRY_SECONDS": "-1"}, "TWITTER_MAX_RETRY_SECONDS='-1' is not a number"),
        ({"TWITTER_MAX_RETRY_SECONDS": "inf"}, "TWITTER_MAX_RETRY_SECONDS='inf' is not a number"),
        ({"TWITTER_MAX_RETRY_SECONDS": "86400"}, "seconds above 0 and at most 3600: set"),
        ({"TWITTER_MAX_TRIES": str(10**12)}, "requests a page from 1 to 100: set it"),
        ({"TWEETS_DEMO_PER_DAY": str(10**15)}, "posts from 0 to 1,000,000: set it"),
        ({"TWEETS_MAX_PER_DAY": str(10**9)}, "posts a day from 1 to 10,000,000: set it"),
        (
            {"TWEETS_REFRESH_DAYS": "1000000", "TWITTER_SEARCH_ENDPOINT": "all"},
            "TWEETS_REFRESH_DAYS='1000000' is not a whole number of days from 1 to 31",
        ),
        ({"TWEETS_QUERY": "   "}, "TWEETS_QUERY is blank: set it to an X search query"),
        ({"TWEETS_ACCOUNT": "@"}, "TWEETS_ACCOUNT='@' is not an X username"),
        (
            {"TWITTER_API_BASE_URL": "http://example.com/2"},
            "TWITTER_API_BASE_URL='http://example.com/2' is not an https URL",
        ),
        (
            {"TWITTER_API_BASE_URL": "http://evil.example\\@127.0.0.1/2"},
            "holds a backslash, which URL parsers read differently: remove it",
        ),
        (
            {"TWITTER_API_BASE_URL": "https://user:pw@api.twitter.com/2"},
            "holds a user name or password (userinfo)",
        ),
        ({"TWEETS_DEMO_PER_DAY": "-5"}, "TWEETS_DEMO_PER_DAY='-5' is not a whole number"),
        ({"TWEETS_EXECUTOR": "threads"}, "TWEETS_EXECUTOR='threads' is not one of in_process"),
        ({"TWEETS_EXECUTOR": "multiprocess"}, "set SPARK_REMOTE=sc://host:15002 to share"),
        ({"TWEETS_SCHEDULE": "on"}, "TWEETS_SCHEDULE='on' is not one of stopped, running"),
        ({"TWEETS_SCHEDULE_CRON": "every day"}, "TWEETS_SCHEDULE_CRON='every day' is not a cron"),
        ({"TWEETS_REFRESH_DAYS": "0"}, "TWEETS_REFRESH_DAYS='0' is not a whole number of days"),
        (
            {"TWEETS_REFRESH_DAYS": "7"},
            "TWEETS_REFRESH_DAYS=7 reaches back further than recent search (the last 7 days, "
            "counted from the tick, so its first day would start outside them): set it to 6 or "
            "fewer, or set TWITTER_SEARCH_ENDPOINT=all",
        ),
        ({"SPARK_CONF": "{spark.sql.shuffle.partitions: 8}"}, "SPARK_CONF is not valid JSON"),
        ({"SPARK_CONF": '["spark.sql.x", 8]'}, "SPARK_CONF is a JSON list, not an object"),
        ({"SPARK_CONF": '{"shuffle.partitions": 8}'}, "SPARK_CONF sets 'shuffle.partitions' to 8"),
        ({"SPARK_CONF": '{"spark.jars": ["a.jar"]}'}, "every value a string, number or boolean"),
        (
            {"SPARK_CONF": '{"spark.sql.json.enablePartialResults": false}'},
            "SPARK_CONF sets spark.sql.json.enablePartialResults=false; tweet-lake needs "
            "true to keep the lake's days intact: remove",
        ),
        ({"SPARK_CONF": '{"spark.sql.session.timeZone": "America/Sao_Paulo"}'}, "needs UTC"),
        (
            {"SPARK_MASTER": "spark://m:7077", "SPARK_REMOTE": "sc://c:15002"},
            "SPARK_MASTER=spark://m:7077 and SPARK_REMOTE=sc://c:15002 are both set; set one",
        ),
        ({"SPARK_REMOTE": "http://c:15002"}, "SPARK_REMOTE=http://c:15002 is not a Spark Connect"),
        (
            {"SPARK_REMOTE": "sc://c:15002", "SPARK_CONF": '{"spark.executor.memory": "8g"}'},
            "SPARK_CONF sets spark.executor.memory, which a Spark Connect client cannot set",
        ),
    ],
)
def test_a_bad_value_is_named_with_the_variable_the_value_and_the_fix(
    env: dict[str, str], message: str
) -> None:
    with pytest.raises(SettingsError) as refused:
        load(env)

    assert message in str(refused.value)
    assert re.search(r"\b(set|unset|remove|give|pass)\b", str(refused.value))


def test_every_bad_value_is_reported_at_once_one_line_each() -> None:
    with pytest.raises(SettingsError) as refused:
        load({"TWITTER_MAX_TRIES": "x", "TWEETS_SCHEDULE": "on", "SPARK_REMOTE": "grpc://c"})

    lines = str(refused.value).splitlines()
    assert [line.split("=")[0] for line in lines] == [
        "TWITTER_MAX_TRIES",
        "TWEETS_SCHEDULE",
        "SPARK_REMOTE",
    ]


def test_settings_the_lake_needs_are_accepted_when_spelled_as_required() -> None:
    spelled = {key: value.upper() for key, value in REQUIRED_SPARK_CONF.items()}

    assert load({"SPARK_CONF": str(spelled).replace("'", '"')}).spark_conf == spelled


def test_the_configuration_page_table_is_the_settings_table() -> None:
    readme = CONFIGURATION.read_text(encoding="utf-8")

    assert settings.markdown_table() in readme
    documented = re.findall(r"^\| `([A-Z_]+)` \|", readme, re.MULTILINE)
    assert documented == [variable.name for variable in settings.VARIABLES]


def test_describe_lists_every_variable_with_its_value() -> None:
    text = settings.describe(load({"TWEETS_QUERY": "spark", "TWEETS_MAX_PER_DAY": "50"}))

    assert [line.split()[0] for line in text.splitlines()] == [
        variable.name for variable in settings.VARIABLES
    ]
    assert "TWEETS_QUERY               'spark'" in text
    assert "TWEETS_MAX_PER_DAY         50" in text


def test_an_empty_account_tracks_none() -> None:
    assert load({"TWEETS_ACCOUNT": ""}).account is None
    assert load({"TWEETS_ACCOUNT": "  "}).account is None


@pytest.mark.parametrize("value", ["Alura Online", "alura-online", "a_name_far_too_long", "é"])
def test_an_account_that_is_not_a_username_is_refused_naming_it(value: str) -> None:
    with pytest.raises(SettingsError) as refused:
        load({"TWEETS_ACCOUNT": value})

    assert f"TWEETS_ACCOUNT={value!r} is not an X username" in str(refused.value)
