"""`make connect-server PORT=N`: the Spark Connect server users and the runs share, in the
foreground, with Delta Lake; a real Connect client writes a Delta table through it."""

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tweet_assets_tests.support.dagster_cli import PROJECT_ROOT
from tweet_assets_tests.support.processes import alive_in_group, free_port
from tweet_assets_tests.support.spark_cluster import spark_env

pytestmark = [pytest.mark.cluster]

CLIENT = """
import sys
from pyspark.sql import SparkSession
spark = SparkSession.builder.remote(sys.argv[1]).getOrCreate()
spark.range(3).write.format("delta").option("userMetadata", "make-connect-server").save(sys.argv[2])
[row] = spark.sql(f"describe history delta.`{sys.argv[2]}`").collect()
print(spark.read.format("delta").load(sys.argv[2]).count(), row.userMetadata)
"""


def test_make_connect_server_serves_delta_lake_until_interrupted(tmp_path: Path) -> None:
    port = free_port()
    server = subprocess.Popen(
        ["make", "-s", "connect-server", f"PORT={port}"],
        cwd=PROJECT_ROOT,
        env=spark_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    said: list[str] = []
    started = threading.Event()

    def listen() -> None:
        assert server.stdout is not None
        for line in server.stdout:
            said.append(line)
            if "Spark Connect server started" in line:
                started.set()
        started.set()  # it ended

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    try:
        started.wait(180)
        assert server.poll() is None, "".join(said)[-3000:]
        assert said[0].startswith(f"Spark Connect on sc://127.0.0.1:{port} (SPARK_REMOTE)")
        client = subprocess.run(
            [sys.executable, "-c", CLIENT, f"sc://127.0.0.1:{port}", str(tmp_path / "table")],
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert client.returncode == 0, client.stderr[-3000:]
        assert client.stdout.split() == ["3", "make-connect-server"]
        assert (tmp_path / "table" / "_delta_log").is_dir()
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGINT)  # a terminal's Ctrl-C
        server.wait(timeout=60)
        listener.join(30)
        assert server.stdout is not None
        server.stdout.close()
    assert alive_in_group(server.pid) == [], "the server outlived its Ctrl-C"
