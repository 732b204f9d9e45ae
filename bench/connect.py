"""On Spark Connect, the in-process and the multiprocess executor, timed on the same 3-step run.

Starts a Spark Connect server on loopback (`make connect-server`'s command), then runs
bench/three_steps.py's job (bronze_tweets -> silver_tweets -> gold_daily_counts over a 3-day
range of the demo corpus; of the checks only bronze's, inside its step) with `dagster job
execute`, alternating TWEETS_EXECUTOR=in_process and multiprocess, each in a fresh process on a
fresh lake. Writes its section of bench/RESULTS.md in place.
"""

import json
import os
import re
import shutil
import statistics
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
from deltalake import DeltaTable

# bench/run.py's helpers and the tests' Spark launcher (the project root is not installed).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import BIN, CONNECT_SECTION, Bench, machine

from tweet_assets.assets import ASSET_CHECKS, ASSETS
from tweet_assets_tests.support.dagster_cli import materialize_command
from tweet_assets_tests.support.spark_cluster import connect_server

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "RESULTS.md"
START, END = CONNECT_SECTION, "<!-- connect:end -->"
PER_DAY = int(os.environ.get("BENCH_SMALL_DAY", "10000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))
FIRST = date(2026, 9, 1)
DAYS = [(FIRST + timedelta(days=n)).isoformat() for n in range(3)]
EXECUTORS = ("in_process", "multiprocess")


def run_stats(bench: Bench) -> dict:
    """Run and step durations of the newest run in the bench's instance."""
    from dagster import DagsterInstance

    with DagsterInstance.from_config(str(bench.home)) as instance:
        [run] = instance.get_runs(limit=1)
        stats = instance.get_run_stats(run.run_id)
        steps = instance.get_run_step_stats(run.run_id)
    return {
        "run": stats.end_time - stats.start_time,
        "steps": {step.step_key: step.end_time - step.start_time for step in steps},
    }


TAGS = json.dumps(
    {"dagster/asset_partition_range_start": DAYS[0], "dagster/asset_partition_range_end": DAYS[-1]}
)
THREE_STEPS = [str(BIN / "dagster"), "job", "execute", "-f", str(BENCH / "three_steps.py")]
THREE_STEPS += ["-j", "three_steps", "--tags", TAGS]
# Every asset and check: a step each, but bronze's check is inside bronze's step, and silver's two
# tables and its check against bronze are one step; gold's two tables and the checks can overlap.
WHOLE_GRAPH = materialize_command(f"{DAYS[0]}...{DAYS[-1]}")


def measure(bench: Bench, remote: str, name: str, command: list[str]) -> dict:
    results: dict = {executor: [] for executor in EXECUTORS}
    for attempt in range(1, REPEAT + 1):
        for executor in EXECUTORS:
            lake = bench.work / f"lake-{name}-{executor}-{attempt}"
            env = {
                "SPARK_REMOTE": remote,
                "TWEETS_EXECUTOR": executor,
                "DATALAKE_ROOT": str(lake),
                "TWEETS_DEMO_PER_DAY": str(PER_DAY),
            }
            wall = bench.run(f"{name}-{executor}-{attempt}", command, env)
            log = bench.output(f"{name}-{executor}-{attempt}")
            processes = set(re.findall(r" - (\d+) - [a-z_]+ - STEP_START ", log))
            # through the log: the folder holds the files of older versions too
            gold = DeltaTable(str(lake / "gold" / "daily_counts")).to_pandas()
            assert sorted(gold["date"].astype(str)) == DAYS, f"{executor}: gold lacks a day"
            assert gold["tweets"].sum() > 0, f"{executor}: gold counted no posts"
            results[executor].append(
                {"wall": wall, "step_processes": len(processes), **run_stats(bench)}
            )
            shutil.rmtree(lake)
    return results


def warm_up(bench: Bench, remote: str) -> None:
    """One uncounted run: the server's first queries pay for its JIT warm-up."""
    lake = bench.work / "lake-warm-up"
    env = {"SPARK_REMOTE": remote, "DATALAKE_ROOT": str(lake), "TWEETS_DEMO_PER_DAY": str(PER_DAY)}
    bench.run("warm-up", THREE_STEPS, env)
    shutil.rmtree(lake)


def median_of(results: dict, executor: str, key: str) -> float:
    return statistics.median(run[key] for run in results[executor])


def section(results: dict, whole: dict) -> str:
    def median(executor: str, key: str) -> float:
        return median_of(results, executor, key)

    def step_median(executor: str, step: str) -> float:
        return statistics.median(run["steps"][step] for run in results[executor])

    steps = list(results["in_process"][0]["steps"])
    lines = [
        START,
        "## Spark Connect: in-process vs multiprocess executor",
        "",
        "Written by `make bench-connect` (bench/connect.py); do not edit by hand.",
        "",
        f"The 3-step run of `bench/three_steps.py` (bronze_tweets -> silver_tweets -> "
        f"gold_daily_counts; of the checks only bronze's, inside its step) over {len(DAYS)} "
        f"days of {PER_DAY:,} demo posts, against "
        f"a Spark Connect server on loopback (`local[2]`, started once). Each run is "
        f"`dagster job execute` in a fresh process on a fresh lake, the executors alternating; "
        f"medians of {REPEAT}. `run` is Dagster's run start to end, `wall` adds Python and "
        "Dagster's own start.",
        "",
        "| executor | wall (s) | run (s) | step processes | "
        + " | ".join(f"{step} (s)" for step in steps)
        + " |",
        "|---|---|---|---|" + "---|" * len(steps),
    ]
    for executor in EXECUTORS:
        processes = max(run["step_processes"] for run in results[executor])
        lines.append(
            f"| {executor} | {median(executor, 'wall'):.1f} | {median(executor, 'run'):.1f} | "
            f"{processes} | "
            + " | ".join(f"{step_median(executor, step):.1f}" for step in steps)
            + " |"
        )
    ratio = median("multiprocess", "wall") / median("in_process", "wall")
    whole_ratio = median_of(whole, "multiprocess", "wall") / median_of(whole, "in_process", "wall")
    per_process = (median("multiprocess", "run") - median("in_process", "run")) / len(steps)
    info = machine()
    lines += [
        "",
        f"multiprocess / in_process, wall: **{ratio:.2f}**; each step's own process adds "
        f"**{per_process:.1f} s** to the run (Python, Dagster's imports and a new Connect "
        "session). No step starts a JVM: the steps themselves take as long either way. This "
        "chain is sequential, so multiprocess buys no parallelism here. With an in-process "
        "Spark driver each step's process would add a JVM and a session start on top (the "
        "session start alone: (d) above).",
        "",
        f"The whole graph, `dagster asset materialize --select '*'` over the same days: "
        f"{len(whole['in_process'][0]['steps'])} steps: {len(ASSETS)} making the "
        f"{sum(len(asset.keys) for asset in ASSETS)} assets (silver's two tables and its check "
        f"against bronze are one step; bronze's check is inside its step) and "
        f"{len(ASSET_CHECKS)} checks.",
        "",
        "| executor | wall (s) | run (s) | step processes |",
        "|---|---|---|---|",
        *[
            f"| {executor} | {median_of(whole, executor, 'wall'):.1f} | "
            f"{median_of(whole, executor, 'run'):.1f} | "
            f"{max(run['step_processes'] for run in whole[executor])} |"
            for executor in EXECUTORS
        ],
        "",
        f"multiprocess / in_process, wall: **{whole_ratio:.2f}**. "
        + (
            "Overlapping steps saved more than the processes cost."
            if whole_ratio < 1
            else "On this machine the processes cost more than overlapping steps saves: "
            "2 cores run at most 2 steps at once, and the server's `local[2]` shares them. "
            "Multiprocess pays where the client has cores to spare and steps run long next to "
            "the few seconds a process costs, or where steps need isolation; in_process stays "
            "the default."
        ),
        "",
        "One uncounted warm-up run precedes the measured ones.",
        "",
        f"- date: {pd.Timestamp.now(tz='UTC'):%Y-%m-%d %H:%M} UTC; machine: {info['machine']}",
        f"- pyspark {info['pyspark']}, dagster {info['dagster']}, {info['java']}",
        END,
    ]
    return "\n".join(lines) + "\n"


def write_section(text: str) -> None:
    """Replace this bench's section of RESULTS.md, or append it."""
    current = RESULTS.read_text() if RESULTS.exists() else ""
    if START in current:
        before, _, rest = current.partition(START)
        current = before + rest.partition(END)[2].lstrip("\n")
    RESULTS.write_text(current.rstrip("\n") + "\n\n" + text)


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="tweet-lake-connect-", dir=os.environ.get("BENCH_WORK")))
    bench = Bench(work)
    with connect_server(work / "connect", driver_memory="4g") as server:
        warm_up(bench, server.url)
        results = measure(bench, server.url, "three-steps", THREE_STEPS)
        whole = measure(bench, server.url, "whole-graph", WHOLE_GRAPH)
    text = section(results, whole)
    write_section(text)
    print(text)
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
