from pathlib import Path

import dagster as dg
import pytest
from pyspark.sql import SparkSession

from tweet_assets.cli.main import main
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
