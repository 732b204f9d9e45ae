"""What Dagit shows of each materialization, read back from the instance's event log."""

from pathlib import Path

import dagster as dg
import pytest

from tweet_assets.source import TwitterResource
from tweet_assets_tests.support.pipeline import materialize, read_table

pytestmark = pytest.mark.usefixtures("spark")

DAY = "2026-11-20"


def latest(instance: dg.DagsterInstance, key: str) -> dict:
    event = instance.get_latest_materialization_event(dg.AssetKey(key))
    assert event is not None, key
    return event.asset_materialization.metadata


def test_every_materialization_says_what_it_wrote_and_gold_is_plottable(tmp_path: Path) -> None:
    with dg.DagsterInstance.ephemeral() as instance:
        materialize(tmp_path, TwitterResource(demo_tweets_per_day=300), DAY, instance=instance)

        keys = ("bronze_tweets", "silver_tweets", "silver_users", "gold_daily_counts")
        for key in (*keys, "gold_daily_hashtags"):
            metadata = latest(instance, key)
            assert metadata["lake_uri"].value.endswith(key.replace("_", "/", 1)), key
            assert metadata["bytes_written"].value > 0, key
            assert metadata["dagster/row_count"].value > 0, key
            columns = [c.name for c in metadata["dagster/column_schema"].schema.columns]
            assert "date" in columns, key
        silver = latest(instance, "silver_tweets")
        preview = silver["preview"].value.records
        assert 0 < len(preview) <= 5 and preview[0].data["id"]
        gold = latest(instance, "gold_daily_counts")
        [day] = read_table(tmp_path, "gold/daily_counts").to_dict("records")
        assert (gold["tweets"].value, gold["authors"].value) == (300, day["authors"])
        assert gold["like_count"].value == day["like_count"]
        # the account's numbers are plotted with the rest
        for column in ("account_posts", "account_replies", "account_conversation_posts"):
            assert gold[column].value == day[column] > 0, column
        assert latest(instance, "bronze_tweets")["account"].value == "AluraOnline"
        hashtags = latest(instance, "gold_daily_hashtags")
        top = read_table(tmp_path, "gold/daily_hashtags").sort_values(
            ["tweets", "hashtag"], ascending=[False, True]
        )
        assert hashtags["hashtags_used"].value == len(top)
        leader = top.iloc[0]
        assert f"| #{leader['hashtag']} | {leader['tweets']:,} |" in hashtags["top_hashtags"].value
        assert hashtags["top_hashtags_by_day"].value[DAY][0] == {
            "hashtag": leader["hashtag"],
            "tweets": leader["tweets"],
        }


def test_a_range_run_says_its_metadata_covers_the_whole_run(tmp_path: Path) -> None:
    with dg.DagsterInstance.ephemeral() as instance:
        materialize(
            tmp_path, TwitterResource(demo_tweets_per_day=10), "2026-11-19", DAY, instance=instance
        )

        gold = latest(instance, "gold_daily_counts")
        assert "scope" in gold and "2 days" in gold["scope"].value
        assert set(gold["numbers_by_day"].value) == {"2026-11-19", DAY}
        assert "tweets" not in gold
