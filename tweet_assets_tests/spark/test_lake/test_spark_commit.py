"""A Spark commit whose driver died between deleting a day and renaming its staged copy in.

The table (bronze's kind: text lines by day) is written by Spark's dynamic partition overwrite
through Hadoop's file system (a `file:` URI, as on HDFS); the dead commit is what Spark leaves
at that moment: a committed staging folder (`_SUCCESS`) holding the day that the table no
longer has, and the next day not yet renamed (the table still has its old copy).
"""

import shutil
from datetime import date
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from tweet_assets.lake import Table
from tweet_assets.lake.spark_commit import (
    COMMITTED_MARK,
    STAGING_PREFIX,
    UnfinishedSparkCommit,
    committed_marked,
    finish_spark_commits,
)

GONE, NOT_YET, OTHER = date(2026, 11, 18), date(2026, 11, 19), date(2026, 11, 20)
DAYS = [GONE, NOT_YET, OTHER]


def write(spark: SparkSession, path: str, version: str) -> None:
    rows = [(day, f"{version}-{day}") for day in DAYS]
    frame = spark.createDataFrame(rows, "date date, value string")
    committed_marked(frame.write).mode("overwrite").partitionBy("date").text(path)


def dead_commit(spark: SparkSession, tmp_path: Path) -> tuple[Table, Path]:
    """The table with all days old, then a new write's commit killed while on GONE."""
    table = Table(f"file://{tmp_path}/lake", "bronze", "things")
    write(spark, table.path, "old")
    staging = tmp_path / "lake/bronze/things" / f"{STAGING_PREFIX}0b1d"
    write(spark, f"file://{tmp_path}/new", "new")
    staging.mkdir()
    for day in (GONE, NOT_YET):
        shutil.move(tmp_path / f"new/date={day}", staging / f"date={day}")
    (staging / COMMITTED_MARK).write_text("")
    shutil.rmtree(tmp_path / f"lake/bronze/things/date={GONE}")
    return table, staging


def values(spark: SparkSession, tmp_path: Path) -> dict[str, str]:
    table = spark.read.text(str(tmp_path / "lake/bronze/things"))
    return {str(row["date"]): row["value"] for row in table.collect()}


def test_a_classic_session_finishes_the_commit_as_spark_would_have(
    spark: SparkSession, tmp_path: Path
) -> None:
    table, staging = dead_commit(spark, tmp_path)
    assert str(GONE) not in values(spark, tmp_path), "the killed commit leaves the day missing"

    assert finish_spark_commits(spark, table, connect=False) == [str(GONE), str(NOT_YET)]

    assert values(spark, tmp_path) == {
        str(GONE): f"new-{GONE}",
        str(NOT_YET): f"new-{NOT_YET}",
        str(OTHER): f"old-{OTHER}",
    }
    assert not staging.exists()
    assert finish_spark_commits(spark, table, connect=False) == []


def test_over_spark_connect_it_names_the_folder_the_only_copy_and_the_fix(
    spark: SparkSession, tmp_path: Path
) -> None:
    table, staging = dead_commit(spark, tmp_path)
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))

    with pytest.raises(UnfinishedSparkCommit) as refused:
        finish_spark_commits(spark, table, connect=True)

    message = str(refused.value)
    assert f"{staging.name} holds {GONE}. " in message, message
    assert "Never delete a folder with _SUCCESS before its days are moved" in message
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_a_staging_folder_that_never_committed_is_left_alone(
    spark: SparkSession, tmp_path: Path
) -> None:
    table, staging = dead_commit(spark, tmp_path)
    (staging / COMMITTED_MARK).unlink()
    shutil.rmtree(staging / f"date={GONE}")  # its job never committed: the table had the day
    write(spark, table.path, "old")

    assert finish_spark_commits(spark, table, connect=True) == []
    assert staging.is_dir()
    assert values(spark, tmp_path)[str(NOT_YET)] == f"old-{NOT_YET}"
