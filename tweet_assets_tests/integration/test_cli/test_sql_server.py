"""`tweet-lake sql-server`: a real Spark Thrift Server in a process of its own, queried by a real
HiveServer2 client (pyspark's `bin/beeline`), while a run commits a new day."""

import re
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tweet_assets.lake.catalog import READ_ONLY
from tweet_assets.source import TwitterResource
from tweet_assets_tests.support.dagster_cli import BIN, PROJECT_ROOT, clean_env
from tweet_assets_tests.support.pipeline import (
    every_lake_file,
    hostile_statements,
    materialize,
    read_table,
)
from tweet_assets_tests.support.processes import alive_in_group, free_port
from tweet_assets_tests.support.spark_cluster import SPARK_HOME, spark_env

pytestmark = [pytest.mark.usefixtures("spark")]

FIRST, SECOND = "2026-11-20", "2026-11-21"
POSTS = 30
START_SECONDS = 240


def beeline(
    port: int, statement: str | None, work: Path, *options: str
) -> subprocess.CompletedProcess:
    """A statement (or `-f FILE`'s, in `options`) through pyspark's HiveServer2 client; rows as
    CSV, no header."""
    return subprocess.run(
        [
            str(SPARK_HOME / "bin" / "beeline"),
            *("-u", f"jdbc:hive2://127.0.0.1:{port}/default"),
            *("--showHeader=false", "--outputformat=csv2", *options),
            *(("-e", statement) if statement else ()),
        ],
        stdin=subprocess.DEVNULL,
        env=spark_env(work),
        cwd=work,
        capture_output=True,
        text=True,
        timeout=180,
    )


def rows(result: subprocess.CompletedProcess) -> list[list[str]]:
    """The rows beeline printed (its other lines say `N row(s) selected (S seconds)`)."""
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    # beeline may start a row with its prompt (`. . . .> `) when it reads no terminal
    lines = [re.sub(r"^[^,]*> ", "", line) for line in result.stdout.splitlines()]
    return [line.split(",") for line in lines if line.strip()]


def seconds(result: subprocess.CompletedProcess) -> float:
    """The server's time for the query, as beeline reports it."""
    [said] = re.findall(r"rows? selected \(([0-9.]+) seconds\)", result.stderr)
    return float(said)


@dataclass
class Server:
    """The server's process and everything it has said (read as it goes, so its pipe never
    fills and blocks it)."""

    process: subprocess.Popen
    said: list[str] = field(default_factory=list)
    ready: threading.Event = field(default_factory=threading.Event)
    finished: threading.Event = field(default_factory=threading.Event)

    def listen(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.said.append(line)
            if line.startswith("ready: "):
                self.ready.set()
        self.ready.set()  # it ended
        self.finished.set()

    def output(self) -> str:
        return "".join(self.said)


BUSY = "is in use"


def start_server(lake: Path, home: Path) -> tuple[Server, int]:
    """The server and its port, once it says it is ready (a query through its own port has
    answered). A port another process took after it was chosen gets the server started again
    on another."""
    for _attempt in range(3):
        port = free_port()
        server = start_server_on(lake, port, home)
        if server is not None:
            return server, port
    raise AssertionError("three ports were taken before the SQL server could bind them")


def start_server_on(lake: Path, port: int, home: Path) -> Server | None:
    server = Server(
        subprocess.Popen(
            [str(BIN / "tweet-lake"), "sql-server", "--root", str(lake), "--port", str(port)],
            cwd=PROJECT_ROOT,
            env=clean_env(home, lake, SPARK_LOCAL_IP="127.0.0.1"),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
    )
    threading.Thread(target=server.listen, daemon=True).start()
    server.ready.wait(START_SECONDS)
    if not any(line.startswith("ready: ") for line in server.said):
        if server.finished.wait(30) and BUSY in server.output():
            return None
        server.process.kill()
        raise AssertionError(f"the SQL server did not become ready:\n{server.output()[-4000:]}")
    return server


def test_the_sql_server_answers_over_jdbc_sees_new_days_runs_only_reads_and_stops_clean(
    tmp_path: Path,
) -> None:
    lake, work, home = tmp_path / "lake", tmp_path / "beeline", tmp_path / "dagster_home"
    elsewhere = tmp_path / "elsewhere"
    work.mkdir()
    elsewhere.mkdir()
    materialize(lake, TwitterResource(demo_tweets_per_day=POSTS), FIRST)
    started = time.monotonic()
    server, port = start_server(lake, home)
    start_seconds = time.monotonic() - started
    try:
        [ready] = [line for line in server.said if line.startswith("ready: ")]
        assert "gold.daily_counts" in ready and "silver.tweets" in ready, ready
        gold = read_table(lake, "gold/daily_counts")
        counted = beeline(port, "select count(*), sum(tweets) from gold.daily_counts", work)
        assert rows(counted) == [["1", str(gold["tweets"].sum())]]
        query_seconds = seconds(counted)

        # a day committed by a run (in this process) while the server is up is in the next query
        materialize(lake, TwitterResource(demo_tweets_per_day=POSTS + 7), SECOND)
        gold = read_table(lake, "gold/daily_counts")
        silver = read_table(lake, "silver/tweets")
        answer = rows(
            beeline(
                port,
                "select (select count(*) from gold.daily_counts), "
                "(select sum(tweets) from gold.daily_counts), "
                f"(select count(*) from silver.tweets where `date` = date'{SECOND}')",
                work,
            )
        )
        assert answer == [["2", str(gold["tweets"].sum()), str((silver["date"] == SECOND).sum())]]

        # only reads run: statements that would change the lake, its tables or the server are
        # refused (one beeline session, going on after each refusal) and change nothing
        before = every_lake_file(lake)
        hostile = hostile_statements(lake, elsewhere)
        script = work / "hostile.sql"
        script.write_text("".join(f"{statement};\n" for statement in hostile))
        refused = beeline(port, None, work, "--force=true", "-f", str(script))
        said = refused.stdout + refused.stderr
        # beeline prints an `Error: ` for each failed statement (the old `-e "a; b"` stopped
        # at the first one: a `-f` script with --force goes on)
        errors = said.split("\nError: ")[1:]
        assert len(errors) == len(hostile), said[-3000:]
        assert all(f"PermissionError: {READ_ONLY}: " in error for error in errors), said[-3000:]
        assert every_lake_file(lake) == before
        assert not list(elsewhere.iterdir())
        # and the next user still reads the lake's table
        assert rows(beeline(port, "select count(*) from gold.daily_counts", work)) == [["2"]]
    finally:
        server.process.send_signal(signal.SIGINT)
        server.process.wait(timeout=120)
        server.finished.wait(30)
        assert server.process.stdout is not None
        server.process.stdout.close()

    output = server.output()
    assert server.process.returncode == 0, output[-3000:]
    assert "\nstopped\n" in output, output[-3000:]
    # its Spark driver (a JVM of its process group) ends when the server's pipe to it closes
    deadline = time.monotonic() + 60
    while alive_in_group(server.process.pid) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert alive_in_group(server.process.pid) == [], "the server's driver outlived it"
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    # for the closing note: the numbers of this machine
    print(f"server ready in {start_seconds:.1f} s; a query over beeline in {query_seconds:.1f} s")
