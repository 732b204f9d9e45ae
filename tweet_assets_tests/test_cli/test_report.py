from pathlib import Path

import dagster as dg
import pandas as pd
import pytest
from pyspark.sql import SparkSession

from tweet_assets.cli.main import main
from tweet_assets.cli.report import render
from tweet_assets.source import TwitterResource
from tweet_assets_tests.support.dagster_cli import dagster_home
from tweet_assets_tests.support.pipeline import materialize

pytestmark = pytest.mark.usefixtures("spark")


def test_the_report_charts_each_series_and_is_recorded_on_gold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lake = tmp_path / "lake"
    materialize(lake, TwitterResource(demo_tweets_per_day=25), "2026-11-18", "2026-11-20")
    home = dagster_home(tmp_path / "dagster_home")
    monkeypatch.setenv("DAGSTER_HOME", str(home))

    main(["report", "--root", str(lake)])

    report = lake / "reports" / "gold_daily_counts.html"
    page = report.read_text(encoding="utf-8")
    # three charts of one line, and the account's three lines in one chart
    assert page.count("<polyline") == 6
    assert "2026-11-18 to 2026-11-20 (3 days)" in page
    assert "tweets per day" in page and "likes per day" in page
    assert "Engagement with the tracked account per day" in page
    assert "replies to it" in page and "posts in its conversations" in page
    top = page.split("<h2>Top hashtags</h2>")[1].split("</table>")[0]
    assert "<td>#dados</td>" in top and "#Dados" not in top
    assert "All 3 days are complete." in page
    assert not list(report.parent.glob("*.partial"))
    with dg.DagsterInstance.from_config(str(home)) as instance:
        [record] = instance.fetch_observations(dg.AssetKey("gold_daily_counts"), limit=1).records
        metadata = record.asset_observation.metadata
        assert metadata["report"].value == str(report.absolute())


def test_no_gold_yet_says_what_to_run(tmp_path: Path, spark: SparkSession) -> None:
    (tmp_path / "gold" / "daily_counts").mkdir(parents=True)

    with pytest.raises(SystemExit, match="no rows"):
        main(["report", "--root", str(tmp_path)])


def test_the_report_names_incomplete_days_and_plots_no_point_for_unknown_likes() -> None:
    gold = pd.DataFrame(
        {
            "date": ["2026-11-20", "2026-11-21", "2026-11-22"],
            "tweets": [10, 4, 6],
            "authors": [3, 2, 2],
            "like_count": [None, 7, 9],
            "expected_tweets": [10, 40, None],
            "complete": [True, False, False],
        }
    )

    page = render(gold)

    assert "2 of 3 days are not complete" in page
    assert "<li>2026-11-21: 4 posts fetched of 40 the API counts</li>" in page
    assert "<li>2026-11-22: 6 posts fetched of an unknown number the API counts</li>" in page
    likes = page.split("likes per day")[1].split("</svg>")[0]
    points = likes.split('points="')[1].split('"')[0].split()
    assert len(points) == 2  # the day without known likes has no point


def test_the_report_sums_hashtags_over_its_days_and_says_when_no_account_is_tracked() -> None:
    gold = pd.DataFrame(
        {
            "date": ["2026-11-20", "2026-11-21"],
            "tweets": [10, 4],
            "authors": [3, 2],
            "like_count": [5, 7],
            "expected_tweets": [10, 4],
            "complete": [True, True],
            "account_posts": [None, None],
            "account_replies": [None, None],
            "account_conversation_posts": [None, None],
        }
    )
    hashtags = pd.DataFrame(
        {
            "date": ["2026-11-20", "2026-11-20", "2026-11-21"],
            "hashtag": ["spark", "sql", "spark"],
            "tweets": [3, 4, 2],
            "authors": [2, 1, 2],
            "like_count": [10, None, 1],
        }
    )

    page = render(gold, hashtags)

    assert "No day tracks an account" in page
    top = page.split("<h2>Top hashtags</h2>")[1].split("</table>")[0]
    rows = top.split("<tbody>")[1].split("</tr>")
    assert rows[0] == "<tr><td>#spark</td><td>5</td><td>2</td><td>11</td>"
    assert rows[1] == "<tr><td>#sql</td><td>4</td><td>1</td><td></td>"
