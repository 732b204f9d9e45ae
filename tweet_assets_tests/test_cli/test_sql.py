import os
import subprocess
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from tweet_assets.cli.main import main
from tweet_assets.lake.catalog import READ_ONLY
from tweet_assets.source import TwitterResource
from tweet_assets_tests.support.dagster_cli import PROJECT_ROOT
from tweet_assets_tests.support.pipeline import lake_files, materialize

GOLD_QUERY = "select date, weekday, tweets from gold_daily_counts order by date"


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory, spark: SparkSession) -> Path:
    root = tmp_path_factory.mktemp("lake")
    materialize(root, TwitterResource(demo_tweets_per_day=20), "2026-11-20", "2026-11-21")
    return root


def test_every_table_is_a_view_and_a_query_prints_its_rows(
    lake: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["sql", "--root", str(lake), GOLD_QUERY])

    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["date", "weekday", "tweets"]
    assert [line.split() for line in lines[1:]] == [
        ["2026-11-20", "Fri", "20"],
        ["2026-11-21", "Sat", "20"],
        ["(2", "rows)"],
    ]

    main(["sql", "--root", str(lake), "show views"])
    views = capsys.readouterr().out
    for view in ("bronze_tweets", "silver_tweets", "silver_users", "gold_daily_counts"):
        assert view in views


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


def test_raw_pages_are_queryable_with_the_page_schema(
    lake: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["sql", "--root", str(lake), "select sum(size(data)) as posts from bronze.tweets"])

    assert capsys.readouterr().out.split() == ["posts", "40", "(1", "rows)"]


def test_a_bad_query_names_the_error_and_the_views(lake: Path) -> None:
    with pytest.raises(SystemExit) as failed:
        main(["sql", "--root", str(lake), "select * from gold_counts"])

    assert "TABLE_OR_VIEW_NOT_FOUND" in str(failed.value)
    assert "tables in" in str(failed.value) and "gold.daily_counts" in str(failed.value)


@pytest.mark.cli
def test_make_sql_prints_the_count_of_gold_days(lake: Path) -> None:
    result = subprocess.run(
        ["make", "-s", "sql", "Q=select count(*) as days from gold.daily_counts"],
        cwd=PROJECT_ROOT,
        env={**os.environ, "DATALAKE_ROOT": str(lake)},
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["days", "2", "(1", "rows)"], result.stdout
