"""Real Spark servers on loopback, started from pyspark's own scripts, for tests and benchmarks.

`connect_server` runs `make connect-server`'s command, daemonized (a Spark Connect server with
Delta Lake, driver and executors in one JVM); `standalone_cluster` runs a standalone master and
one worker with `bin/spark-class`. Both stop everything they started and fail when a process
outlives them.
"""

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pyspark

from tweet_assets.spark.connect_server import daemon, server_conf, start_command
from tweet_assets_tests.support.processes import alive_in_group, free_port, free_ports

SPARK_HOME = Path(pyspark.__file__).parent
START_SECONDS = 120
T = TypeVar("T")
STOP_SECONDS = 30


def spark_env(work: Path) -> dict[str, str]:
    """The environment of a Spark process bound to loopback, logging under `work`."""
    return {
        **os.environ,
        "SPARK_HOME": str(SPARK_HOME),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "SPARK_LOG_DIR": str(work / "logs"),
        "SPARK_PID_DIR": str(work / "pids"),
        "SPARK_IDENT_STRING": "tweet-lake-test",
    }


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def alive(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie, dead but not yet reaped, counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def _wait(condition, seconds: float, what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            tail = log.read_text()[-3000:] if log and log.exists() else ""
            raise TimeoutError(f"{what} within {seconds} s\n{tail}")
        time.sleep(0.25)


@dataclass
class ConnectServer:
    url: str
    pid: int
    log: Path


class PortTaken(Exception):
    """Another process took the port a server was handed before the server could bind it."""


# Spark moves a busy port to the next one by itself, away from the port the test knows: here a
# server fails on a busy port instead, and the test starts it again on another.
_NO_PORT_RETRIES = "spark.port.maxRetries=0"
_BUSY = ("Address already in use", "BindException")
ATTEMPTS = 3


def _taken(log: Path) -> bool:
    return log.exists() and any(sign in log.read_text(errors="replace") for sign in _BUSY)


@contextmanager
def _on_a_free_port(start: Callable[[Path], AbstractContextManager[T]], work: Path) -> Iterator[T]:
    """`start(folder)`, started again in a new folder (so on new ports) when a port it was
    handed was taken before it could bind it."""
    for attempt in range(ATTEMPTS):
        try:
            with start(work / f"try-{attempt}") as server:
                yield server
            return
        except PortTaken:
            if attempt == ATTEMPTS - 1:
                raise


def connect_server(
    work: Path, master: str = "local[2]", driver_memory: str = "1g"
) -> AbstractContextManager[ConnectServer]:
    """A Spark Connect server (`url` is `sc://127.0.0.1:PORT`) with its driver in `pid`."""
    return _on_a_free_port(lambda folder: _connect_server(folder, master, driver_memory), work)


@contextmanager
def _connect_server(work: Path, master: str, driver_memory: str) -> Iterator[ConnectServer]:
    port, env = free_port(), spark_env(work)
    # make connect-server's settings, and a failure on a busy port
    conf = {**server_conf(port), "spark.ui.enabled": "false", "spark.port.maxRetries": "0"}
    start = start_command(conf, "--master", master, "--driver-memory", driver_memory)
    subprocess.run(start, env=env, check=True)
    [pid_file] = (work / "pids").glob("*.pid")
    pid = int(pid_file.read_text())
    [log] = (work / "logs").glob("*.out")
    try:
        # The server logs that it started once its gRPC service is bound to the port.
        _wait(lambda: _started(log) or not alive(pid), START_SECONDS, "no server", log)
        if not alive(pid):
            if _taken(log):
                raise PortTaken(port)
            raise RuntimeError(f"the Spark Connect server exited\n{log.read_text()[-3000:]}")
        assert _listening(port), f"the server says it started, but not on {port}"
        yield ConnectServer(f"sc://127.0.0.1:{port}", pid, log)
    finally:
        subprocess.run(daemon("stop"), env=env, check=False, capture_output=True)
        try:
            _wait(lambda: not alive(pid), STOP_SECONDS, f"the server (pid {pid}) did not stop")
        except TimeoutError:
            os.kill(pid, signal.SIGKILL)
            raise


def _started(log: Path) -> bool:
    return "Spark Connect server started" in log.read_text(errors="replace")


@dataclass
class StandaloneCluster:
    master_url: str
    web_url: str
    worker_dir: Path
    groups: list[int]

    def state(self) -> dict:
        """The master's view of its workers and applications (its web UI's JSON)."""
        with urllib.request.urlopen(f"{self.web_url}/json/", timeout=10) as response:
            return json.load(response)

    def serving(self) -> bool:
        """Whether this cluster's master answers on its web UI. Jetty listens before the
        master attaches its pages, and answers 404 until then."""
        try:
            return self.state()["url"] == self.master_url
        except (OSError, ValueError, KeyError):  # refused, 404 (HTTPError), not JSON yet
            return False

    def completed_app(self, name: str) -> dict:
        """The finished application `name`; it finishes once its driver has gone."""

        def completed() -> list[dict]:
            return [app for app in self.state()["completedapps"] if app["name"] == name]

        _wait(completed, START_SECONDS, f"application {name} did not finish")
        [app] = completed()
        return app


def _spark_class(main: str, arguments: list[str], env: dict, log: Path) -> subprocess.Popen:
    with log.open("w") as output:
        return subprocess.Popen(
            [str(SPARK_HOME / "bin" / "spark-class"), main, *arguments],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _stop_group(process: subprocess.Popen) -> None:
    """SIGTERM the process's group (the daemon and the executors it launched), then SIGKILL."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if not alive_in_group(process.pid):
            break
        os.killpg(process.pid, sig)
        with contextlib.suppress(TimeoutError):
            _wait(lambda: not alive_in_group(process.pid), STOP_SECONDS, "group still alive")
    process.wait(timeout=STOP_SECONDS)


def standalone_cluster(
    work: Path, cores: int = 2, memory: str = "2g"
) -> AbstractContextManager[StandaloneCluster]:
    """A standalone master and one worker on loopback; the worker runs executors in `work`."""
    return _on_a_free_port(lambda folder: _standalone_cluster(folder, cores, memory), work)


@contextmanager
def _standalone_cluster(work: Path, cores: int, memory: str) -> Iterator[StandaloneCluster]:
    env = spark_env(work)
    env["SPARK_MASTER_OPTS"] = env["SPARK_WORKER_OPTS"] = f"-D{_NO_PORT_RETRIES}"
    (work / "logs").mkdir(parents=True, exist_ok=True)
    port, web_port, worker_web_port = free_ports(3)
    cluster = StandaloneCluster(
        f"spark://127.0.0.1:{port}", f"http://127.0.0.1:{web_port}", work / "worker", []
    )
    master_log, worker_log = work / "logs" / "master.log", work / "logs" / "worker.log"
    master = _spark_class(
        "org.apache.spark.deploy.master.Master",
        ["--host", "127.0.0.1", "--port", str(port), "--webui-port", str(web_port)],
        env,
        master_log,
    )
    processes = [master]
    cluster.groups.append(master.pid)
    try:
        _wait(
            lambda: cluster.serving() or master.poll() is not None,
            START_SECONDS,
            "no master",
            master_log,
        )
        if master.poll() is not None:
            raise PortTaken(port) if _taken(master_log) else RuntimeError(master_log.read_text())
        worker_arguments = ["--host", "127.0.0.1", "--webui-port", str(worker_web_port)]
        worker_arguments += ["--cores", str(cores), "--memory", memory]
        worker_arguments += ["--work-dir", str(cluster.worker_dir), cluster.master_url]
        worker = _spark_class(
            "org.apache.spark.deploy.worker.Worker", worker_arguments, env, worker_log
        )
        processes.append(worker)
        cluster.groups.append(worker.pid)

        def worker_alive() -> bool:
            return any(entry["state"] == "ALIVE" for entry in cluster.state()["workers"])

        _wait(
            lambda: worker_alive() or worker.poll() is not None,
            START_SECONDS,
            "no worker",
            worker_log,
        )
        if worker.poll() is not None:
            raise (
                PortTaken(worker_web_port)
                if _taken(worker_log)
                else RuntimeError(worker_log.read_text())
            )
        yield cluster
    finally:
        for process in reversed(processes):
            _stop_group(process)
