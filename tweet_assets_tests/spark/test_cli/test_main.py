"""`tweet-lake`: one command, a subcommand per way to look at the lake, all read through Spark."""

from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from tweet_assets.cli.main import main
from tweet_assets.source import TwitterResource
from tweet_assets_tests.support.dagster_cli import BIN
from tweet_assets_tests.support.pipeline import materialize

TWEET_LAKE = str(BIN / "tweet-lake")


def test_show_prints_the_days_asked_for_oldest_first(
    tmp_path: Path, spark: SparkSession, capsys: pytest.CaptureFixture[str]
) -> None:
    materialize(tmp_path, TwitterResource(demo_tweets_per_day=15), "2026-11-18", "2026-11-20")

    main(
        [
            "show",
            "gold_daily_counts",
            "--from",
            "2026-11-19",
            "--to",
            "2026-11-20",
            "--root",
            str(tmp_path),
        ]
    )

    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["date", "weekday", "tweets"]
    assert [line.split()[:3] for line in lines[1:3]] == [
        ["2026-11-19", "Thu", "15"],
        ["2026-11-20", "Fri", "15"],
    ]
    assert lines[3] == "(2 rows)"


def test_show_prints_the_hashtags_of_a_day(
    tmp_path: Path, spark: SparkSession, capsys: pytest.CaptureFixture[str]
) -> None:
    materialize(tmp_path, TwitterResource(demo_tweets_per_day=100), "2026-11-20")

    main(["show", "gold_daily_hashtags", "--root", str(tmp_path)])

    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["date", "hashtag", "tweets", "authors", "like_count"]
    tags = [line.split()[1] for line in lines[1:-1]]
    assert tags == sorted(tags) and "dados" in tags
    assert lines[-1] == f"({len(tags)} rows)"


@pytest.mark.parametrize(
    ("asset", "message"),
    [
        ("bronze_tweets", "bronze_tweets is raw JSON Lines, not a table"),
        ("gold_daily_counts", "gold_daily_counts has no rows from 2026-01-01 to the last"),
        ("tweets", "asset tweets has no lake table"),
    ],
)
def test_show_names_what_it_cannot_print(
    tmp_path: Path, spark: SparkSession, asset: str, message: str
) -> None:
    with pytest.raises(SystemExit, match=message):
        main(["show", asset, "--from", "2026-01-01", "--root", str(tmp_path)])


def test_settings_prints_the_values_in_force_and_the_configuration_table(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TWEETS_QUERY", "#spark")

    main(["settings"])
    assert "TWEETS_QUERY               '#spark'" in capsys.readouterr().out
    main(["settings", "--markdown"])
    assert capsys.readouterr().out.startswith("| variable | default | bounds | meaning |")
