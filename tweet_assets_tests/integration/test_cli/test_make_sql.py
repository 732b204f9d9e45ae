"""`make sql` over a lake of two days."""

import os
import subprocess
from pathlib import Path

from tweet_assets_tests.support.dagster_cli import PROJECT_ROOT


def test_make_sql_prints_the_count_of_gold_days(two_day_lake: Path) -> None:
    result = subprocess.run(
        ["make", "-s", "sql", "Q=select count(*) as days from gold.daily_counts"],
        cwd=PROJECT_ROOT,
        env={**os.environ, "DATALAKE_ROOT": str(two_day_lake)},
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["days", "2", "(1", "rows)"], result.stdout
