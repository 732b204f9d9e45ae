import io
import shutil
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from tweet_assets.cli.main import main
from tweet_assets.cli.sql import PROMPT
from tweet_assets.lake.catalog import READ_ONLY
from tweet_assets.source import TwitterResource
from tweet_assets_tests.support.pipeline import (
    every_lake_file,
    hostile_statements,
    lake_files,
    materialize,
)

GOLD_QUERY = "select date, weekday, tweets from gold.daily_counts order by date"


@pytest.fixture
def lake(two_day_lake: Path) -> Path:
    return two_day_lake


def test_a_query_prints_its_rows(lake: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["sql", "--root", str(lake), GOLD_QUERY])

    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["date", "weekday", "tweets"]
    assert [line.split() for line in lines[1:]] == [
        ["2026-11-20", "Fri", "20"],
        ["2026-11-21", "Sat", "20"],
        ["(2", "rows)"],
    ]


def test_the_tables_have_lakehouse_names_and_a_write_is_refused_writing_nothing(
    lake: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["sql", "--root", str(lake), "show tables in silver"])
    assert {"tweets", "users"} <= set(capsys.readouterr().out.split())
    main(["sql", "--root", str(lake), "select sum(tweets) from gold.daily_counts"])
    assert capsys.readouterr().out.split()[1] == "40"
    before = {day: lake_files(lake, day) for day in ("2026-11-20", "2026-11-21")}

    with pytest.raises(SystemExit) as refused:
        main(["sql", "--root", str(lake), "insert into silver.users select * from silver.users"])

    assert READ_ONLY in str(refused.value)
    assert {day: lake_files(lake, day) for day in ("2026-11-20", "2026-11-21")} == before
    # the runs' own session still writes
    assert materialize(
        lake, TwitterResource(demo_tweets_per_day=20), "2026-11-21", selection="silver_users"
    ).success


def test_raw_pages_are_queryable_with_from_json_and_their_fetch_records_as_columns(
    lake: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    posts = "sum(size(from_json(value, 'data array<string>').data))"
    main(["sql", "--root", str(lake), f"select {posts} as posts from bronze.tweets"])
    assert capsys.readouterr().out.split() == ["posts", "40", "(1", "rows)"]

    main(
        [
            "sql",
            "--root",
            str(lake),
            "select sum(fetch.posts) as posts from bronze.tweets where seq = 0",
        ]
    )

    assert capsys.readouterr().out.split() == ["posts", "40", "(1", "rows)"]


def test_a_bad_query_names_the_error_and_the_tables(lake: Path) -> None:
    with pytest.raises(SystemExit) as failed:
        main(["sql", "--root", str(lake), "select * from gold_counts"])

    assert "TABLE_OR_VIEW_NOT_FOUND" in str(failed.value)
    assert "tables in" in str(failed.value) and "gold.daily_counts" in str(failed.value)


def test_only_reads_run_in_one_session_and_the_lake_and_its_tables_stay_as_they_were(
    two_day_lake: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lake, elsewhere = tmp_path / "lake", tmp_path / "elsewhere"
    shutil.copytree(two_day_lake, lake)  # each statement would damage the lake if it ran
    elsewhere.mkdir()
    before = every_lake_file(lake)
    hostile = hostile_statements(lake, elsewhere)
    reads = [
        "show tables in gold",
        "describe gold.daily_counts",
        "explain select * from gold.daily_counts",
        "with days as (select * from gold.daily_counts) select count(*) as days from days",
    ]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join([*hostile, *reads]) + "\n"))

    main(["sql", "--root", str(lake)])

    out, err = capsys.readouterr()
    assert err.count(f"{READ_ONLY}: ") == len(hostile), err
    assert "TRANSFORM" not in err and "Exception" not in err, err
    assert every_lake_file(lake) == before
    assert not list(elsewhere.iterdir())
    assert out.split()[-5:] == ["days", "2", "(1", "rows)", PROMPT.strip()]
    assert "daily_hashtags" in out and "== Physical Plan ==" in out
    # what the refusals name
    assert "DropNamespace is not a query, SHOW, DESCRIBE or EXPLAIN" in err
    assert "ScriptTransformation runs a program" in err
    assert "reflect() calls Java methods" in err


def test_a_table_tweet_lake_did_not_make_is_never_replaced(
    two_day_lake: Path, tmp_path: Path, spark: SparkSession
) -> None:
    theirs = tmp_path / "theirs"
    spark.sql("create database if not exists gold")
    spark.sql("drop table if exists gold.daily_counts")
    spark.sql(f"create table gold.daily_counts (n int) using parquet location '{theirs}'")
    spark.sql("insert into gold.daily_counts values (7)")
    try:
        with pytest.raises(SystemExit) as refused:
            main(["sql", "--root", str(two_day_lake), GOLD_QUERY])

        assert str(refused.value).startswith(
            f"tweet-lake sql: gold.daily_counts is already in the catalog over {theirs}, not "
            f"the lake's {two_day_lake}/gold/daily_counts, so tweet-lake did not make it"
        )
        assert "Fix: drop or rename gold.daily_counts" in str(refused.value)
        assert spark.sql("select n from gold.daily_counts").collect()[0].n == 7
    finally:
        spark.sql("drop table gold.daily_counts")
    # its own tables (from an earlier start) it replaces
    main(["sql", "--root", str(two_day_lake), GOLD_QUERY])
    main(["sql", "--root", str(two_day_lake), GOLD_QUERY])
