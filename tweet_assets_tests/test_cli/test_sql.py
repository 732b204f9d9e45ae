import os
import subprocess
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from tweet_assets.cli.main import main
from tweet_assets.source import TwitterResource
from tweet_assets_tests.support.dagster_cli import PROJECT_ROOT
from tweet_assets_tests.support.pipeline import materialize

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


def test_raw_pages_are_queryable_with_the_page_schema(
    lake: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["sql", "--root", str(lake), "select sum(size(data)) as posts from bronze_tweets"])

    assert capsys.readouterr().out.split() == ["posts", "40", "(1", "rows)"]


def test_a_bad_query_names_the_error_and_the_views(lake: Path) -> None:
    with pytest.raises(SystemExit) as failed:
        main(["sql", "--root", str(lake), "select * from gold_counts"])

    assert "TABLE_OR_VIEW_NOT_FOUND" in str(failed.value)
    assert "views in" in str(failed.value) and "gold_daily_counts" in str(failed.value)


@pytest.mark.cli
def test_make_sql_prints_the_gold_rows(lake: Path) -> None:
    result = subprocess.run(
        ["make", "-s", "sql", f"Q={GOLD_QUERY}"],
        cwd=PROJECT_ROOT,
        env={**os.environ, "DATALAKE_ROOT": str(lake)},
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stderr[-2000:]
    assert "2026-11-20     Fri      20" in result.stdout
    assert "(2 rows)" in result.stdout
