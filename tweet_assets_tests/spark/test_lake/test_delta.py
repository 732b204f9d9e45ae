"""The lakehouse: silver and gold are Delta tables, with history that names each run, time
travel through delta-rs, `tweet-lake show` and `tweet-lake sql`, and a migration of the earlier
layout that loses nothing."""

import json
import os
import shutil
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from deltalake import DeltaTable
from pyspark.sql import SparkSession

from tweet_assets.cli.main import main
from tweet_assets.lake import Table, delta_rs
from tweet_assets.schedules import lake_optimize_job
from tweet_assets.source import TwitterResource
from tweet_assets_tests.support.dagster_cli import BIN
from tweet_assets_tests.support.pipeline import (
    lake_io_manager,
    materialization,
    materialize,
    read_table,
)

DAY = "2026-11-20"
DELTA_TABLES = {
    "silver_tweets": "silver/tweets",
    "silver_users": "silver/users",
    "gold_daily_counts": "gold/daily_counts",
    "gold_daily_hashtags": "gold/daily_hashtags",
}


def test_a_day_materialized_again_keeps_its_old_version_each_naming_its_run_optimized_too(
    tmp_path: Path, spark: SparkSession, capsys: pytest.CaptureFixture[str]
) -> None:
    first = materialize(tmp_path, TwitterResource(demo_tweets_per_day=15), DAY)
    second = materialize(tmp_path, TwitterResource(demo_tweets_per_day=25), DAY)

    for asset, path in DELTA_TABLES.items():
        old = materialization(first, asset).metadata["table_version"].value
        new = materialization(second, asset).metadata["table_version"].value
        assert isinstance(old, int) and isinstance(new, int) and new > old, asset
        history = DeltaTable(str(tmp_path / path)).history()
        made = {h["version"]: json.loads(h["userMetadata"]) for h in history}
        assert sorted(made) == list(range(new + 1)), f"{asset}: every version is in the history"
        # version 0 makes the table in the first run; each run's write names it
        assert made[old] == {"asset": asset, "dagster_run_id": first.run_id, "partitions": DAY}
        assert made[new] == {"asset": asset, "dagster_run_id": second.run_id, "partitions": DAY}
        assert {m["dagster_run_id"] for m in made.values()} == {first.run_id, second.run_id}

    counts = materialization(first, "gold_daily_counts").metadata["table_version"].value
    # through Python (delta-rs), with no JVM
    assert read_table(tmp_path, "gold/daily_counts", version=counts)["tweets"].tolist() == [15]
    assert read_table(tmp_path, "gold/daily_counts")["tweets"].tolist() == [25]
    tweets = materialization(first, "silver_tweets").metadata["table_version"].value
    assert len(read_table(tmp_path, "silver/tweets", version=tweets)) == 15
    # through tweet-lake sql (Spark), by version and by the time of that version's commit
    # Delta dates a version by its log entry's modification time
    entry = tmp_path / f"gold/daily_counts/_delta_log/{counts:020d}.json"
    when = int(entry.stat().st_mtime * 1000)
    for travel in (f"VERSION AS OF {counts}", f"TIMESTAMP AS OF timestamp_millis({when})"):
        query = f"SELECT tweets FROM gold.daily_counts {travel} WHERE date = '{DAY}'"
        main(["sql", "--root", str(tmp_path), query])
        assert capsys.readouterr().out.split()[:2] == ["tweets", "15"], travel
    main(["sql", "--root", str(tmp_path), "DESCRIBE HISTORY gold.daily_counts"])
    assert second.run_id in capsys.readouterr().out
    # through tweet-lake show
    main(["show", "gold_daily_counts", "--as-of", str(counts), "--root", str(tmp_path)])
    assert capsys.readouterr().out.splitlines()[1].split()[:3] == [DAY, "Fri", "15"]
    for never in ("999", "2000-01-01T00:00:00"):  # a version it lacks; a time before it was
        with pytest.raises(SystemExit, match=f"gold_daily_counts has no version as of '{never}'"):
            main(["show", "gold_daily_counts", "--as-of", never, "--root", str(tmp_path)])

    # the weekly compaction (as its job runs it) keeps the rows and a week of time travel
    before = {path: _rows(tmp_path, path) for path in DELTA_TABLES.values()}
    optimized = lake_optimize_job.execute_in_process(
        resources={"io_manager": lake_io_manager(tmp_path)}
    )
    assert optimized.success
    assert {path: _rows(tmp_path, path) for path in DELTA_TABLES.values()} == before
    assert read_table(tmp_path, "gold/daily_counts", version=counts)["tweets"].tolist() == [15]
    assert len(read_table(tmp_path, "silver/tweets", version=tweets)) == 15
    with pytest.raises(SystemExit, match="a retention of 3 days would delete files"):
        main(["optimize", "--retain-days", "3", "--root", str(tmp_path)])
    main(["optimize", "--root", str(tmp_path)])
    assert capsys.readouterr().out.count("files no version of the last 7 days reads deleted") == 4


def test_show_and_report_read_the_lake_with_no_java_on_the_path(
    two_day_lake: Path, tmp_path: Path
) -> None:
    bare = tmp_path / "bin"
    bare.mkdir()
    for tool in ("env", "sh"):  # a PATH with the shell's basics and no java
        os.symlink(shutil.which(tool) or tool, bare / tool)
    env = {"PATH": str(bare), "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    out = tmp_path / "report.html"

    shown = subprocess.run(
        [str(BIN / "tweet-lake"), "show", "gold_daily_counts", "--root", str(two_day_lake)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    reported = subprocess.run(
        [str(BIN / "tweet-lake"), "report", "--root", str(two_day_lake), "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert shown.returncode == 0, shown.stderr
    assert [line.split()[:3] for line in shown.stdout.splitlines()[1:]] == [
        ["2026-11-20", "Fri", "20"],
        ["2026-11-21", "Sat", "20"],
        ["(2", "rows)"],
    ]
    assert reported.returncode == 0, reported.stderr
    assert "<svg" in out.read_text()
    assert shutil.which("java", path=env["PATH"]) is None


def test_a_lake_of_the_earlier_layout_is_refused_then_migrated_losing_nothing(
    two_day_lake: Path, tmp_path: Path, spark: SparkSession, capsys: pytest.CaptureFixture[str]
) -> None:
    # the earlier layout: bronze as day folders of JSON Lines pages and a fetch record, silver
    # and gold as folders of Parquet by day, no log
    legacy = tmp_path / "legacy"
    bronze = read_table(two_day_lake, "bronze/tweets").sort_values(["date", "seq"])
    for day, pages in bronze.groupby("date"):
        folder = legacy / f"bronze/tweets/date={day}"
        (folder / "_fetch").mkdir(parents=True)
        lines = "".join(f"{page}\n" for page in pages["value"])
        (folder / "part-00000-0a.c000.txt").write_text(lines, encoding="utf-8")
        record = json.dumps(dict(pages["fetch"].iloc[0]), ensure_ascii=False)
        (folder / "_fetch/record.json").write_text(record + "\n", encoding="utf-8")
    rows = {"bronze_tweets": _rows(two_day_lake, "bronze/tweets")}
    for asset, path in DELTA_TABLES.items():
        frame = spark.read.format("delta").load(str(two_day_lake / path))
        frame.write.partitionBy("date").parquet(str(legacy / path))
        rows[asset] = _rows(two_day_lake, path)
    files = sorted(p.relative_to(legacy) for p in legacy.rglob("*") if p.is_file())

    refused = materialize(
        legacy, TwitterResource(demo_tweets_per_day=5), "2026-11-21", raise_on_error=False
    )

    assert not refused.success
    message = ""
    for event in refused.all_events:  # the run fails as its steps start (the resource's set-up)
        error = getattr(event.event_specific_data, "error", None)
        while error is not None:
            message, error = message + error.message, error.cause
    assert "bronze_tweets at" in message and "holds days without a Delta log" in message
    # refused at the run's start: not even bronze's day was written again
    assert "Fix: convert the lake in place, losing nothing, with `tweet-lake migrate`" in message
    assert sorted(p.relative_to(legacy) for p in legacy.rglob("*") if p.is_file()) == files
    with pytest.raises(SystemExit, match="holds days without a Delta log"):
        main(["show", "gold_daily_counts", "--root", str(legacy)])

    main(["migrate", "--root", str(legacy)])
    assert capsys.readouterr().out.count("converted to a Delta table in place") == 5
    for asset, path in {"bronze_tweets": "bronze/tweets", **DELTA_TABLES}.items():
        assert _rows(legacy, path) == rows[asset], asset
    main(["migrate", "--root", str(legacy)])
    assert capsys.readouterr().out.count("nothing to convert") == 5
    before = read_table(legacy, "gold/daily_counts").sort_values("date")["tweets"].tolist()
    converted = datetime.now(UTC).replace(tzinfo=None).isoformat()
    time.sleep(0.01)  # the next commit is dated later than `converted`
    # the runs go on over the converted tables, replacing one day and keeping the other
    run = materialize(legacy, TwitterResource(demo_tweets_per_day=5), "2026-11-21")
    assert run.success
    counts = read_table(legacy, "gold/daily_counts").sort_values("date")
    assert counts["tweets"].tolist() == [20, 5]
    # delta-rs reads the history of a converted table, its first commit (Spark's) stepped over
    commits = delta_rs.history(Table(str(legacy), "gold", "daily_counts"))
    assert json.loads(commits[0]["userMetadata"])["dagster_run_id"] == run.run_id
    # and travels back to the converted version, by number and by time
    for as_of in ("0", converted):
        main(["show", "gold_daily_counts", "--as-of", as_of, "--root", str(legacy)])
        shown = [line.split()[2] for line in capsys.readouterr().out.splitlines()[1:3]]
        assert shown == [str(n) for n in before], as_of


def _rows(lake: Path, path: str) -> list[tuple]:
    """The table's rows as text, columns by name (a converted table has `date` last)."""
    frame = read_table(lake, path)
    return sorted(map(tuple, frame[sorted(frame.columns)].astype(str).values))
