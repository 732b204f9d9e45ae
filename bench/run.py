"""tweet-lake's benchmark: `make bench` measures every scale target in one go, on the offline
demo corpus, and writes bench/RESULTS.md.

(a) a one-day run, with Spark's event log, which says how many SQL executions parsed bronze's
JSON; (b) a 7-day and a 30-day single-run backfill; (c) the 7 days as 7 runs, all at 10,000
posts a day through the dagster CLI, each a fresh process (Python, Dagster, JVM); `make demo`
on a fresh lake, REPEAT times; (f) the time and peak RSS of the run's Python process at
1,000,000 posts a day; on that day's bronze, (d) silver+gold with their checks as a Dagster run
against the same Spark work as a bare Spark script, (e) the silver transformation in Spark
against DuckDB, and (g) parsing the pages with Spark against pyarrow. (d), (e) and (g) take the
median of REPEAT runs.
The (f) run's steps are timed from the instance's event log, so each asset's and check's cost
shows. The raw numbers go to bench/results.json too; the next run prints them beside its own.
"""

import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from importlib import metadata
from pathlib import Path

import duckdb
from deltalake import DeltaTable

# The tests' helpers for the dagster command line and instance (the project root is not installed).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tweet_assets_tests.support.dagster_cli import (
    PROJECT_ROOT,
    dagster_home,
    materialize_command,
)
from tweet_assets_tests.support.event_log import executions_scanning

BENCH = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
FIRST_DAY = date(2026, 9, 1)
SMALL_DAY = int(os.environ.get("BENCH_SMALL_DAY", "10000"))
BIG_DAY = int(os.environ.get("BENCH_BIG_DAY", "1000000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))
SILVER_AND_GOLD = "silver_tweets,silver_users,gold_daily_counts,gold_daily_hashtags"
CONNECT_SECTION = "<!-- connect:start -->"
RESULTS_JSON = BENCH / "results.json"


def day(offset: int) -> str:
    return (FIRST_DAY + timedelta(days=offset)).isoformat()


class Bench:
    def __init__(self, work: Path):
        self.work = work
        self.home = dagster_home(work / "dagster_home")
        self.logs = work / "logs"
        self.logs.mkdir()

    def run(self, name: str, command: list[str], env: dict[str, str] | None = None) -> float:
        """Seconds `command` took, start to exit; its output goes to logs/{name}.log."""
        environment = {**os.environ, "DAGSTER_HOME": str(self.home), **(env or {})}
        environment.pop("TWITTER_BEARER_TOKEN", None)
        log = self.logs / f"{name}.log"
        started = time.perf_counter()
        with log.open("w") as output:
            done = subprocess.run(command, env=environment, stdout=output, stderr=output)
        seconds = time.perf_counter() - started
        if done.returncode:
            sys.exit(
                f"bench: {name} failed (exit {done.returncode}); see {log}:\n"
                + "".join(log.read_text().splitlines(keepends=True)[-30:])
            )
        print(f"  {name}: {seconds:.1f} s", flush=True)
        return seconds

    def materialize(
        self,
        name: str,
        lake: str,
        first: str,
        last: str,
        per_day: int,
        select: str = "*",
        wrapper: list[str] | None = None,
        env: dict[str, str] | None = None,
    ) -> float:
        partition = first if first == last else f"{first}...{last}"
        command = [*(wrapper or []), *materialize_command(partition, select)]
        lake_env = {"DATALAKE_ROOT": str(self.work / lake), "TWEETS_DEMO_PER_DAY": str(per_day)}
        return self.run(name, command, {**lake_env, **(env or {})})

    def runs(self) -> int:
        from dagster import DagsterInstance

        with DagsterInstance.from_config(str(self.home)) as instance:
            return instance.get_runs_count()

    def output(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text()

    def step_seconds(self) -> dict[str, float]:
        """Each step of the instance's latest run and its seconds, from the event log."""
        from dagster import DagsterEventType, DagsterInstance

        with DagsterInstance.from_config(str(self.home)) as instance:
            [run] = instance.get_runs(limit=1)
            events = instance.all_logs(run.run_id, of_type=DagsterEventType.STEP_SUCCESS)
            return {
                event.dagster_event.step_key: event.dagster_event.event_specific_data.duration_ms
                / 1000
                for event in events
                if event.dagster_event and event.dagster_event.step_key
            }


def event_log(folder: Path) -> str:
    """SPARK_CONF for a run that writes Spark's event log, uncompressed, into `folder`."""
    return json.dumps(
        {
            "spark.eventLog.enabled": "true",
            "spark.eventLog.dir": folder.as_uri(),
            "spark.eventLog.compress": "false",
        }
    )


def median_run(bench: Bench, name: str, command: list[str]) -> tuple[float, dict]:
    """Median wall time of REPEAT runs of a script printing a JSON of stage seconds last."""
    walls, stages = [], []
    for attempt in range(REPEAT):
        walls.append(bench.run(f"{name}-{attempt + 1}", command))
        stages.append(json.loads(bench.output(f"{name}-{attempt + 1}").strip().splitlines()[-1]))
    middle = sorted(range(REPEAT), key=lambda n: walls[n])[REPEAT // 2]
    return walls[middle], stages[middle]


def rows(path: Path) -> int:
    """A table's rows: a Delta table's latest version (its folder also holds the files of the
    versions before), or DuckDB's folders of Parquet."""
    if DeltaTable.is_deltatable(str(path)):
        return DeltaTable(str(path)).to_pyarrow_dataset().count_rows()
    return duckdb.sql(f"SELECT count(*) FROM read_parquet('{path}/*/*.parquet')").fetchall()[0][0]


def table_bytes(path: Path) -> int:
    """The bytes of the data files a Delta table's latest version names."""
    files = DeltaTable(str(path)).file_uris()
    return sum(Path(uri.removeprefix("file://")).stat().st_size for uri in files)


def measure(bench: Bench) -> dict:
    r: dict = {}
    print(f"(a)-(c) at {SMALL_DAY:,} posts a day")
    events = bench.work / "spark-events"
    events.mkdir()
    r["one_day"] = bench.materialize(
        "a-one-day", "lake-a", day(0), day(0), SMALL_DAY, env={"SPARK_CONF": event_log(events)}
    )
    r["bronze_json_parses"] = len(executions_scanning(events, "bronze/tweets", "value"))
    runs_before = bench.runs()
    r["seven_days"] = bench.materialize("b-7-days", "lake-b7", day(0), day(6), SMALL_DAY)
    r["thirty_days"] = bench.materialize("b-30-days", "lake-b30", day(0), day(29), SMALL_DAY)
    if bench.runs() - runs_before != 2:
        sys.exit(f"bench: the two backfills made {bench.runs() - runs_before} runs, not 2")
    r["seven_runs"] = sum(
        bench.materialize(f"c-day-{n + 1}", "lake-c", day(n), day(n), SMALL_DAY) for n in range(7)
    )

    print("make demo, installed: each on a fresh lake and instance")
    demo_walls = []
    for attempt in range(REPEAT):
        home = dagster_home(bench.work / f"demo-home-{attempt + 1}")
        demo = ["make", "-s", "-C", str(PROJECT_ROOT), "demo", f"DAGSTER_HOME={home}"]
        lake = {"DATALAKE_ROOT": str(bench.work / f"lake-demo-{attempt + 1}")}
        demo_walls.append(bench.run(f"make-demo-{attempt + 1}", demo, lake))
    r["make_demo"] = statistics.median(demo_walls)

    print(f"(f) one day at {BIG_DAY:,} posts")
    big = day(60)
    r["big_day"] = bench.materialize(
        "f-big-day",
        "lake-f",
        big,
        big,
        BIG_DAY,
        wrapper=[sys.executable, str(BENCH / "peak_rss.py")],
    )
    r["peak_rss_mib"] = int(re.findall(r"PEAK_RSS_KIB=(\d+)", bench.output("f-big-day"))[-1]) / 1024
    r["big_day_steps"] = bench.step_seconds()
    r["big_day_bytes"] = {
        table: table_bytes(bench.work / "lake-f" / table)
        for table in ("silver/tweets", "gold/daily_hashtags")
    }

    print("(d) silver+gold on that day's bronze: Dagster run and bare Spark script")
    bronze = bench.work / "lake-f" / "bronze" / "tweets"
    dagster_walls = [
        bench.materialize(f"d-dagster-{n + 1}", "lake-f", big, big, BIG_DAY, SILVER_AND_GOLD)
        for n in range(REPEAT)
    ]
    r["dagster_silver_gold"] = statistics.median(dagster_walls)
    bare_out = bench.work / "bare"
    bare_wall, r["bare_stages"] = median_run(
        bench,
        "d-bare-spark",
        [sys.executable, str(BENCH / "bare_spark.py"), str(bronze), str(bare_out), big, big],
    )
    # The script's extra warm re-run of silver (for (e)) is not part of the baseline.
    r["bare_silver_gold"] = bare_wall - r["bare_stages"]["silver_warm"]

    print("(e) the silver transformation in DuckDB on the same bronze")
    duck_out = bench.work / "duckdb"
    (duck_out / "silver").mkdir(parents=True)
    _, r["duckdb_stages"] = median_run(
        bench,
        "e-duckdb",
        [sys.executable, str(BENCH / "duckdb_silver.py"), str(bronze), str(duck_out)],
    )
    print("(g) parsing that day's bronze pages: Spark's JSON reader and pyarrow's")
    # the day's pages as JSON Lines, as (e) exported them from bronze's Delta table
    day_folder = duck_out / "bronze-pages" / f"date={big}"
    _, r["parse_stages"] = median_run(
        bench, "g-parse", [sys.executable, str(BENCH / "parse_json.py"), str(day_folder)]
    )
    r["silver_rows"] = {
        engine: (rows(root / "silver/tweets"), rows(root / "silver/users"))
        for engine, root in (
            ("dagster", bench.work / "lake-f"),
            ("bare spark", bare_out),
            ("duckdb", duck_out),
        )
    }
    if len(set(r["silver_rows"].values())) != 1:
        sys.exit(f"bench: the engines disagree on silver: {r['silver_rows']}")
    return r


def machine() -> dict[str, str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr
    return {
        "machine": f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB RAM, {platform.platform()}",
        "python": platform.python_version(),
        "java": java.splitlines()[0] if java else "unknown",
        **{
            name: metadata.version(name)
            for name in ("dagster", "dagster-pyspark", "pyspark", "duckdb", "pyarrow")
        },
    }


def _was(previous: dict, key: str, *inner: str) -> float | None:
    value = previous.get(key)
    for name in inner:
        value = value.get(name) if isinstance(value, dict) else None
    return value if isinstance(value, int | float) else None


def report(r: dict, previous: dict) -> str:
    """RESULTS.md for results `r`, with `previous` (the last run's results.json) beside them."""
    duck_silver = r["duckdb_stages"]["silver"]
    warm = r["bare_stages"]["silver_warm"]

    def ratios(results: dict) -> list[float | None]:
        measures = [
            lambda: results["bronze_json_parses"],
            lambda: results["big_day"],
            lambda: results["make_demo"],
            lambda: results["thirty_days"] / results["one_day"],
            lambda: results["seven_runs"] / results["seven_days"],
            lambda: results["dagster_silver_gold"] / results["bare_silver_gold"],
            lambda: results["bare_stages"]["silver"] / results["duckdb_stages"]["silver"],
        ]
        values: list[float | None] = []
        for measure in measures:
            try:
                values.append(measure())
            except (KeyError, TypeError, ZeroDivisionError):
                values.append(None)
        return values

    names = [
        ("SQL executions that parsed bronze's JSON, one-day whole-graph run (a)", "= 1"),
        (f"seconds: whole graph of a {BIG_DAY:,}-post day through the CLI (f)", "≤ 30"),
        ("seconds: `make demo`, installed (median)", "≤ 15"),
        ("30-day backfill / one-day run", "≤ 3"),
        ("7 separate runs / one 7-day run", "≥ 4"),
        ("silver+gold with checks: Dagster run / bare Spark script, same work", "≤ 1.15"),
        ("silver (tweets + users): Spark, fresh process / DuckDB, fresh process", "≤ 2.5"),
    ]
    met = {"≤": lambda v, t: v <= t, "≥": lambda v, t: v >= t, "=": lambda v, t: v == t}

    def was(value: float | None) -> str:
        return "—" if value is None else f"{value:.2f}"

    rss_was = _was(previous, "peak_rss_mib")
    rss_before = "—" if rss_was is None else f"{rss_was:.0f} MiB"
    times = [
        (f"(a) one day, {SMALL_DAY:,} posts, all assets", "one_day"),
        ("(b) 7 days as one run", "seven_days"),
        ("(b) 30 days as one run", "thirty_days"),
        ("(c) the same 7 days as 7 runs, in all", "seven_runs"),
        (f"(f) one day, {BIG_DAY:,} posts, all assets", "big_day"),
        (
            "(d) silver+gold of that day, Dagster run (with the asset checks of silver and gold)",
            "dagster_silver_gold",
        ),
        (
            "(d) silver+gold of that day, bare Spark script doing the run's Spark work, checks "
            "included (without its warm re-run)",
            "bare_silver_gold",
        ),
    ]
    stages = ["session", "silver", "silver_checks", "gold"]
    steps = sorted(r["big_day_steps"].items(), key=lambda item: -item[1])
    lines = [
        "# tweet-lake benchmark results",
        "",
        "Written by `make bench` (bench/run.py) on the offline demo corpus; do not edit by hand.",
        "`previous` is the run before this one (bench/results.json): on this shared machine the",
        "speed drifts from hour to hour (runs of the same code have differed by 20%), so read a "
        "change from the ratios, each measured within one run, or from an A/B (`bench/AB-*.md`).",
        "",
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        *[f"- {key}: {value}" for key, value in machine().items()],
        "",
        "## Ratios",
        "",
        "| measure | ratio | target | met | previous |",
        "|---|---|---|---|---|",
        *[
            f"| {name} | {value:.2f} | {target} | "
            f"{'yes' if met[target[0]](value, float(target[2:])) else 'NO'} | {was(before)} |"
            for (name, target), value, before in zip(
                names, ratios(r), ratios(previous), strict=True
            )
            if value is not None
        ],
        f"| peak RSS of the run's Python process at {BIG_DAY:,} posts/day | "
        f"{r['peak_rss_mib']:.0f} MiB | < 1536 MiB | "
        f"{'yes' if r['peak_rss_mib'] < 1536 else 'NO'} | {rss_before} |",
        "",
        "A target not met is not dropped: what was tried for it, and measured, is in the "
        "newest `bench/AB-*.md` that names it.",
        "",
        "## Times (seconds, wall clock)",
        "",
        "Each backfill in (b) was checked to be exactly one run. Runs (a)-(c) and (f) are "
        "`dagster asset materialize` in a fresh process each: Python, "
        f"Dagster and the JVM start included. (d), (e) and (g) are medians of {REPEAT}.",
        "",
        "| run | seconds | previous |",
        "|---|---|---|",
        *[f"| {label} | {r[key]:.1f} | {_format(_was(previous, key))} |" for label, key in times],
        "| (d) of which: session start / silver / silver's checks / gold (counts + hashtags) / "
        "gold's checks | "
        + " / ".join(f"{r['bare_stages'].get(stage, 0):.1f}" for stage in stages[:4])
        + f" ({r['bare_stages']['gold_counts']:.1f} + {r['bare_stages']['gold_hashtags']:.1f})"
        + f" / {r['bare_stages'].get('gold_checks', 0):.1f} | "
        + " / ".join(_format(_was(previous, "bare_stages", stage)) for stage in stages[:4])
        + f" / {_format(_was(previous, 'bare_stages', 'gold_checks'))} |",
        f"| (e) silver of that day (tweets + users), DuckDB | {duck_silver:.1f} | "
        f"{_format(_was(previous, 'duckdb_stages', 'silver'))} |",
        f"| (e) silver of that day, Spark, run again in the same warm session | {warm:.1f} "
        f"({warm / duck_silver:.2f} times DuckDB's) | "
        f"{_format(_was(previous, 'bare_stages', 'silver_warm'))} |",
        f"| (g) parse that day's bronze pages with silver's schema: Spark (cache filled) | "
        f"{r['parse_stages']['spark']:.1f} | "
        f"{_format(_was(previous, 'parse_stages', 'spark'))} |",
        f"| (g) the same with pyarrow's JSON reader, in Python | "
        f"{r['parse_stages']['pyarrow']:.1f} | "
        f"{_format(_was(previous, 'parse_stages', 'pyarrow'))} |",
        "",
        "Silver rows (tweets, users) each engine wrote, checked equal: "
        + ", ".join(f"{engine} {n}" for engine, n in r["silver_rows"].items()),
        "",
        f"## Where the (f) run's time goes: {BIG_DAY:,} posts, each step",
        "",
        "From the instance's event log (`STEP_SUCCESS`); bronze's check runs inside its step, "
        "and `silver` writes both silver tables and checks silver_tweets against bronze.",
        "",
        "| step | seconds | previous |",
        "|---|---|---|",
        *[
            f"| {step} | {seconds:.1f} | {_format(_was(previous, 'big_day_steps', step))} |"
            for step, seconds in steps
        ],
        "",
        "Bytes written that day: "
        + ", ".join(f"{table} {_size(size)}" for table, size in r["big_day_bytes"].items())
        + ".",
        "",
    ]
    return "\n".join(lines)


def _size(size: int) -> str:
    return f"{size / 2**20:,.1f} MiB" if size >= 2**20 else f"{size / 2**10:,.1f} KiB"


def _format(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="tweet-lake-bench-", dir=os.environ.get("BENCH_WORK")))
    results = measure(Bench(work))  # on failure the work folder stays, with its logs
    results_file = BENCH / "RESULTS.md"
    previous = results_file.read_text() if results_file.exists() else ""
    # bench/connect.py's section is its own: kept as it was until that bench runs again.
    connect = previous.partition(CONNECT_SECTION)[1:]
    previous_results = json.loads(RESULTS_JSON.read_text()) if RESULTS_JSON.exists() else {}
    results_file.write_text(
        report(results, previous_results) + ("\n" + "".join(connect) if connect[0] else "")
    )
    RESULTS_JSON.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    print((BENCH / "RESULTS.md").read_text())
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
