"""`tweet-lake` as a shell runs it: the installed command and `python -m`."""

import socket
import subprocess
import sys
from pathlib import Path

from tweet_assets_tests.support.dagster_cli import BIN

TWEET_LAKE = str(BIN / "tweet-lake")


def test_the_command_lists_its_subcommands() -> None:
    result = subprocess.run(
        [TWEET_LAKE, "--help"], capture_output=True, text=True, timeout=60, check=True
    )

    for command in ("show", "sql", "report", "demo", "migrate", "optimize", "settings"):
        assert f"    {command} " in result.stdout


def test_a_bad_setting_stops_the_command_naming_it(tmp_path: Path) -> None:
    result = subprocess.run(
        [TWEET_LAKE, "settings"],
        env={"PATH": str(BIN), "TWITTER_MAX_TRIES": "many"},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 1
    assert "tweet-lake: TWITTER_MAX_TRIES='many' is not a whole number" in result.stderr


def test_the_module_runs_as_the_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tweet_assets.cli.main", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0 and "usage: tweet-lake" in result.stdout


def test_the_sql_server_on_a_busy_port_stops_naming_it_before_starting_spark() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [TWEET_LAKE, "sql-server", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )

    assert result.returncode == 1
    assert f"127.0.0.1:{port} is in use" in result.stderr and "--port N" in result.stderr
