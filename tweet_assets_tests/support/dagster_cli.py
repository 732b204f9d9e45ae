"""The dagster command line and test instances, as the tests and the benchmarks run them."""

import os
import subprocess
import sys
from pathlib import Path

from tweet_assets_tests.support.jvm import QUICK_JVMS

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# Variables of tweet-lake and Spark that a developer's shell may hold; a test sets its own.
_SCRUBBED = ("TWITTER_", "TWEETS_", "SPARK_", "DATALAKE_", "DAGSTER_")
# Kept: how this process starts JVMs (support.jvm, set by the tests, not by the benchmarks).
_KEPT = tuple(QUICK_JVMS)


def dagster_home(folder: Path, freshness: bool = False) -> Path:
    """A Dagster instance folder at `folder` with its dagster.yaml (no telemetry)."""
    folder.mkdir(parents=True, exist_ok=True)
    config = "telemetry:\n  enabled: false\n"
    if freshness:
        config += "freshness:\n  enabled: true\n"
    (folder / "dagster.yaml").write_text(config)
    return folder


def clean_env(home: Path, lake: Path, **env: str) -> dict[str, str]:
    """This process's environment without tweet-lake's variables, on instance `home` and lake
    `lake`, plus `env`."""
    kept = {k: v for k, v in os.environ.items() if k in _KEPT or not k.startswith(_SCRUBBED)}
    return {**kept, "DAGSTER_HOME": str(home), "DATALAKE_ROOT": str(lake), **env}


def materialize_command(partition: str, select: str = "*") -> list[str]:
    """`dagster asset materialize` of `select` over one partition, or a range `FIRST...LAST`."""
    flag = "--partition-range" if "..." in partition else "--partition"
    return [
        str(BIN / "dagster"),
        *("asset", "materialize", "-m", "tweet_assets.definitions"),
        *("--select", select, flag, partition),
    ]


def run_dagster(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """`dagster ARGS` in the project, on an instance and a lake in `tmp_path`."""
    home = dagster_home(tmp_path / "dagster_home")
    return subprocess.run(
        [str(BIN / "dagster"), *args],
        cwd=PROJECT_ROOT,
        env=clean_env(home, tmp_path / "lake", **env),
        capture_output=True,
        text=True,
        timeout=300,
    )


def materialize_all(tmp_path: Path, partition: str, **env: str) -> subprocess.CompletedProcess:
    """Every asset over one partition, or over a range given as `FIRST...LAST`."""
    return run_dagster(tmp_path, *materialize_command(partition)[1:], **env)
