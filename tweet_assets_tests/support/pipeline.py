"""Running the real definitions' assets in-process against a temporary lake, and the days the
fake API serves them, for the tests."""

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import dagster as dg
import pandas as pd
from deltalake import DeltaTable
from pyspark.sql import SparkSession

from tweet_assets.assets import ASSET_CHECKS, ASSETS
from tweet_assets.lake import LakeIOManager, RawPages
from tweet_assets.lake.writes import create_delta_table, pages_frame, write_delta_days
from tweet_assets.source import TwitterResource
from tweet_assets.spark import spark_resource
from tweet_assets_tests.support.fake_x_api import TEST_TOKEN, FakeXApi, make_tweet, make_user

ALL_ASSETS = [*ASSETS, *ASSET_CHECKS]


def materialize(
    lake: Path,
    twitter: TwitterResource,
    first_day: str,
    last_day: str | None = None,
    selection: str | list[str] | dg.AssetSelection = "*",
    raise_on_error: bool = True,
    instance: dg.DagsterInstance | None = None,
) -> dg.ExecuteInProcessResult:
    """One run over [first_day, last_day] (a single partition when last_day is None)."""
    tags = {}
    partition_key = first_day
    if last_day is not None:
        partition_key = None
        tags = {
            "dagster/asset_partition_range_start": first_day,
            "dagster/asset_partition_range_end": last_day,
        }
    return dg.materialize(
        ALL_ASSETS,
        partition_key=partition_key,
        tags=tags,
        selection=selection,
        raise_on_error=raise_on_error,
        instance=instance,
        resources={"twitter": twitter, "io_manager": lake_io_manager(lake)},
    )


def lake_io_manager(lake: Path) -> LakeIOManager:
    """The lake's IO manager on `lake`, with the tests' Spark session settings."""
    return LakeIOManager(root=str(lake), pyspark=spark_resource("local[2]"))


def materialization(result: dg.ExecuteInProcessResult, asset: str) -> dg.AssetMaterialization:
    """The run's materialization of `asset`, whichever step made it (the first day's, for a
    range run: each day's carries the run's metadata)."""
    made = [
        event.step_materialization_data.materialization
        for event in result.get_asset_materialization_events()
        if event.asset_key == dg.AssetKey(asset)
    ]
    assert made, f"the run did not materialize {asset}"
    return made[0]


def lake_files(lake: Path, day: str) -> dict[str, bytes]:
    """Every file of one day's partitions in every table (fetch records too), by path, with
    its bytes."""
    return {
        str(path.relative_to(lake)): path.read_bytes()
        for path in sorted(lake.glob(f"*/*/date={day}/**/*"))
        if path.is_file()
    }


def readable_day(lake: Path, day: str) -> dict[str, object]:
    """What a reader finds of one day: each Delta table's rows of the day (through its log: a
    failed write's unnamed files are not the table's) and its log's entries."""
    state: dict[str, object] = {}
    for log in sorted(lake.glob("*/*/_delta_log")):
        table = str(log.parent.relative_to(lake))
        frame = read_table(lake, table)
        rows = frame[frame["date"] == day]
        state[table] = sorted(map(tuple, rows[sorted(rows.columns)].astype(str).values))
        state[f"{table}/_delta_log"] = sorted(p.name for p in log.iterdir())
    return state


def every_lake_file(lake: Path) -> dict[str, bytes]:
    """Every file under the lake's root, by path, with its bytes."""
    return {
        str(path.relative_to(lake)): path.read_bytes()
        for path in sorted(lake.rglob("*"))
        if path.is_file()
    }


def hostile_statements(lake: Path, elsewhere: Path) -> list[str]:
    """Statements a read-only SQL endpoint must refuse (issue 27, item 11), each of which
    would change the lake, its tables or the server if it ran; `elsewhere` is a folder out of
    the lake."""
    gold = f"{lake}/gold"
    return [
        f"create database lake_gold location '{gold}'",
        "drop database lake_gold cascade",
        "drop database gold cascade",
        "drop table gold.daily_counts",
        f"alter table gold.daily_counts set location '{elsewhere}'",
        "create or replace view gold.daily_counts as select 1 as tweets",
        "set spark.sql.sources.commitProtocolClass="
        "org.apache.spark.sql.execution.datasources.SQLHadoopMapReduceCommitProtocol",
        "insert into gold.daily_counts select * from gold.daily_counts",
        f"add jar {elsewhere}/tweet-lake-test.jar",
        "create temporary function lake_upper as 'org.apache.hadoop.hive.ql.udf.UDFLower'",
        "with again as (select * from gold.daily_counts) "
        "insert into gold.daily_counts select * from again",
        "from gold.daily_counts insert into gold.daily_counts select * "
        "insert into gold.daily_counts select *",
        f"insert overwrite directory '{gold}/daily_counts' using parquet select 1 as x",
        f"select transform(tweets) using 'touch {elsewhere}/transform-ran' from gold.daily_counts",
        "select reflect('java.lang.System', 'setProperty', 'tweet_lake_reflected', 'yes')",
        "cache table gold.daily_counts",
        "msck repair table gold.daily_counts",
    ]


def read_table(lake: Path, table: str, version: int | None = None) -> pd.DataFrame:
    """A lake table (of its latest version, or `version`), read through its
    log with delta-rs as any reader would: never a listing of its folder, which holds the
    files of older versions too."""
    delta = DeltaTable(str(lake / table))
    if version is not None:
        delta.load_as_version(version)
    frame = delta.to_pandas()
    frame["date"] = frame["date"].astype(str)
    for column in frame.columns:  # UTC timestamps as Spark shows them: without a zone
        if isinstance(frame[column].dtype, pd.DatetimeTZDtype):
            frame[column] = frame[column].dt.tz_convert(None)
    return frame.sort_values("date", kind="stable").reset_index(drop=True)


def lake_text(lake: Path) -> str:
    """Every row of every Delta table in the lake, as text: what a search of the files' bytes
    misses inside compressed Parquet."""
    tables = sorted(log.parent for log in lake.glob("*/*/_delta_log"))
    return "\n".join(read_table(lake, str(table.relative_to(lake))).to_csv() for table in tables)


def bronze_pages(lake: Path, day: str, table: str = "tweets") -> list[str]:
    """The day's pages in bronze, byte for byte, in the order received."""
    bronze = read_table(lake, f"bronze/{table}")
    pages = bronze[(bronze["date"] == day) & bronze["value"].notna()].sort_values("seq")
    return list(pages["value"])


def lay_bronze_day(spark: SparkSession, lake: Path, day: str, pages: list[str]) -> None:
    """Write `pages` as bronze's day `day` (no fetch record), as a run writes them."""
    raw = RawPages()
    try:
        for page in pages:
            raw.add(date.fromisoformat(day), page)
        frame = pages_frame(spark, raw, raw.folder)
        table, made = str(lake / "bronze" / "tweets"), {"asset": "bronze_tweets"}
        create_delta_table(frame, table, made)
        write_delta_days(frame, table, [date.fromisoformat(day)], made)
    finally:
        raw.discard()


def fetch_record(lake: Path, day: str) -> dict:
    """The day's fetch record beside its pages in bronze."""
    bronze = read_table(lake, "bronze/tweets")
    return dict(bronze[bronze["date"] == day]["fetch"].iloc[0])


YESTERDAY = (datetime.now(UTC) - timedelta(days=1)).date()
DAY_BEFORE, DAY_AFTER = YESTERDAY - timedelta(days=1), YESTERDAY + timedelta(days=1)


def api_twitter(api: FakeXApi, **fields: object) -> TwitterResource:
    """The Twitter resource on the fake API, retrying fast."""
    return TwitterResource(
        bearer_token=TEST_TOKEN, api_base_url=api.base_url, backoff_seconds=0.05, **fields
    )


def served_day(api: FakeXApi) -> list[dict]:
    """Posts of yesterday on the fake API, with neighbours just outside the day."""
    for user in (make_user("1", "ana"), make_user("2", "bia"), make_user("3", "caio")):
        api.users[user["id"]] = user
    api.add(make_tweet("900", f"{DAY_BEFORE}T23:59:59.999Z", "1"))
    api.add(make_tweet("901", f"{DAY_AFTER}T00:00:00.000Z", "1"))
    reply_metrics = {
        "retweet_count": 7,
        "reply_count": 0,
        "like_count": 40,
        "quote_count": 2,
        "impression_count": 999,
    }
    inside = [
        make_tweet("100", f"{YESTERDAY}T00:00:00.000Z", "1", "primeiro 🌅"),
        make_tweet(
            "101",
            f"{YESTERDAY}T12:30:00.000Z",
            "2",
            "@ana é isso\n✅",
            reply_to=("1", "100"),
            conversation_id="100",
            metrics=reply_metrics,
        ),
        make_tweet("102", f"{YESTERDAY}T23:59:59.999Z", "2", "último"),
    ]
    inside += [
        make_tweet(str(200 + n), f"{YESTERDAY}T08:{n // 60:02d}:{n % 60:02d}.000Z", "3")
        for n in range(150)
    ]
    for tweet in inside:
        api.add(tweet)
    return inside
