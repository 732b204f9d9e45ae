from pathlib import Path

import pytest

from tweet_assets.cli.main import main
from tweet_assets.lake.catalog import READ_ONLY
from tweet_assets.source import TwitterResource
from tweet_assets_tests.support.pipeline import lake_files, materialize

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


def test_raw_pages_are_queryable_with_the_page_schema(
    lake: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["sql", "--root", str(lake), "select sum(size(data)) as posts from bronze.tweets"])

    assert capsys.readouterr().out.split() == ["posts", "40", "(1", "rows)"]


def test_a_bad_query_names_the_error_and_the_tables(lake: Path) -> None:
    with pytest.raises(SystemExit) as failed:
        main(["sql", "--root", str(lake), "select * from gold_counts"])

    assert "TABLE_OR_VIEW_NOT_FOUND" in str(failed.value)
    assert "tables in" in str(failed.value) and "gold.daily_counts" in str(failed.value)
