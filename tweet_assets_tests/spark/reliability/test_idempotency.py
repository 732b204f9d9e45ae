"""Materializing a partition again gives the same rows and asks the API for nothing new."""

from pathlib import Path

import pytest

from tweet_assets_tests.support.fake_x_api import FakeXApi
from tweet_assets_tests.support.pipeline import (
    YESTERDAY,
    api_twitter,
    materialize,
    read_table,
    served_day,
)

pytestmark = pytest.mark.usefixtures("spark")

DOWNSTREAM = "key:silver_tweets or key:silver_users or key:gold_daily_counts"


def rows(lake: Path, table: str) -> list[dict]:
    """The table's rows; gold's `fetched_at` (when bronze fetched the day) aside."""
    frame = read_table(lake, table).drop(columns="fetched_at", errors="ignore")
    return frame.sort_values(list(frame.columns[:2])).astype(str).to_dict("records")


def fetched_at(lake: Path) -> object:
    return read_table(lake, "gold/daily_counts")["fetched_at"].item()


def test_a_partition_materialized_twice_has_the_same_rows_and_silver_and_gold_call_no_api(
    tmp_path: Path, x_api: FakeXApi
) -> None:
    served_day(x_api)
    day = YESTERDAY.isoformat()
    materialize(tmp_path, api_twitter(x_api), day)
    first = {table: rows(tmp_path, table) for table in ("silver/tweets", "silver/users")}
    first["gold/daily_counts"] = rows(tmp_path, "gold/daily_counts")
    requests_after_first = len(x_api.requests)
    first_fetch = fetched_at(tmp_path)

    materialize(tmp_path, api_twitter(x_api), day, selection=DOWNSTREAM)
    assert len(x_api.requests) == requests_after_first
    assert fetched_at(tmp_path) == first_fetch  # gold rebuilt from the same fetch
    materialize(tmp_path, api_twitter(x_api), day)
    assert fetched_at(tmp_path) > first_fetch  # the day fetched again

    assert len(x_api.requests) == 2 * requests_after_first  # only bronze asked, once more
    assert {table: rows(tmp_path, table) for table in first} == first
    assert len(first["silver/tweets"]) == 153
