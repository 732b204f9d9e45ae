"""Configuration: every environment variable tweet-lake reads, parsed, validated and defaulted here.

This is the only module of `tweet_assets` that reads the environment. `load()` turns it into one
`Settings` value, which `definitions.py` and the `tweet-lake` command hand down as arguments.
A bad value fails loading with one line per problem, each naming the variable, the value and
the fix. `VARIABLES` documents each one; the README's configuration table is this table
(`tweet-lake settings --markdown` prints it, and a test holds them equal).

The bearer token's value never passes through here: only whether it is set. Dagster resolves it
from the environment at run time (`EnvVar`), so run config and the event log hold its name only.
"""

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

TOKEN = "TWITTER_BEARER_TOKEN"
API_BASE_URL = "TWITTER_API_BASE_URL"
SEARCH_ENDPOINT = "TWITTER_SEARCH_ENDPOINT"
QUERY = "TWEETS_QUERY"
ACCOUNT = "TWEETS_ACCOUNT"
MAX_PER_DAY = "TWEETS_MAX_PER_DAY"
MAX_TRIES = "TWITTER_MAX_TRIES"
MAX_RETRY_SECONDS = "TWITTER_MAX_RETRY_SECONDS"
DEMO_PER_DAY = "TWEETS_DEMO_PER_DAY"
LAKE_ROOT = "DATALAKE_ROOT"
SPARK_MASTER = "SPARK_MASTER"
SPARK_REMOTE = "SPARK_REMOTE"
EXECUTOR = "TWEETS_EXECUTOR"
SPARK_CONF = "SPARK_CONF"
SCHEDULE = "TWEETS_SCHEDULE"
SCHEDULE_CRON = "TWEETS_SCHEDULE_CRON"
REFRESH_DAYS = "TWEETS_REFRESH_DAYS"
DAGSTER_HOME = "DAGSTER_HOME"

DEFAULT_API_BASE_URL = "https://api.twitter.com/2"
SEARCH_ENDPOINTS = ("recent", "all")
DEFAULT_QUERY = "AluraOnline"
DEFAULT_ACCOUNT = "AluraOnline"
# X usernames: 1 to 15 letters, digits or underscores.
USERNAME = re.compile(r"[A-Za-z0-9_]{1,15}")
DEFAULT_MAX_TRIES = 6
DEFAULT_MAX_RETRY_SECONDS = 300.0
DEFAULT_DEMO_PER_DAY = 300
DEFAULT_LAKE_ROOT = str(Path(__file__).resolve().parent.parent / "datalake")
DEFAULT_SPARK_MASTER = "local[*]"
EXECUTORS = ("in_process", "multiprocess")
SCHEDULE_STATES = ("stopped", "running")
DEFAULT_SCHEDULE_CRON = "15 0 * * *"
DEFAULT_REFRESH_DAYS = 1
# Recent search reaches back 7 days: a refresh window cannot be longer on `recent`.
RECENT_DAYS = 7

# Spark settings the lake is built on: SPARK_CONF may not change them, and every write checks
# that the session holds them.
REQUIRED_SPARK_CONF = {
    # Spark's default (static) overwrite with partitionBy deletes every partition of the
    # table; dynamic replaces only the partitions the written rows fall in.
    "spark.sql.sources.partitionOverwriteMode": "dynamic",
    # Partitions are UTC days: a session in another time zone would shift dates and times.
    "spark.sql.session.timeZone": "UTC",
    # A field of the wrong type in one post nulls that field alone; without partial results
    # Spark nulls the page's whole `data`, dropping its good posts with the bad one.
    "spark.sql.json.enablePartialResults": "true",
}
_CONF_EXAMPLE = '{"spark.sql.shuffle.partitions": "8"}'


@dataclass(frozen=True)
class Variable:
    """One environment variable as the README documents it."""

    name: str
    default: str
    meaning: str


VARIABLES = (
    Variable(
        TOKEN,
        "unset",
        "X API v2 app bearer token. Unset: the offline demo corpus serves. Passed to Dagster as "
        "an `EnvVar`, so run config and the event log only hold its name.",
    ),
    Variable(
        API_BASE_URL,
        f"`{DEFAULT_API_BASE_URL}`",
        "API base; the client calls `{base}/tweets/search/recent`.",
    ),
    Variable(
        SEARCH_ENDPOINT,
        "`recent`",
        "`recent` (`/tweets/search/recent`, last 7 days, 100 a page) or `all` "
        "(`/tweets/search/all`, full archive, 500 a page, 1 request/s).",
    ),
    Variable(QUERY, f"`{DEFAULT_QUERY}`", "the search query."),
    Variable(
        ACCOUNT,
        f"`{DEFAULT_ACCOUNT}`",
        "the tracked account's username (a leading `@` is dropped): gold counts its posts, the "
        "replies to it and the posts in its conversations. Its id is looked up once a run "
        "(`GET /2/users/by/username/…`); an unknown username fails the run before any search. "
        "Empty (`TWEETS_ACCOUNT=`) turns the account numbers off (null), for a query that "
        "tracks a topic.",
    ),
    Variable(
        MAX_PER_DAY,
        "unset",
        "cost guard: stop paging a day after this many posts (pay-per-use bills every post); "
        "the partition is marked `truncated` in metadata and a warning is logged.",
    ),
    Variable(
        MAX_TRIES,
        f"`{DEFAULT_MAX_TRIES}`",
        "requests per page before a transient failure (5xx, timeout, connection error, bad "
        "JSON) fails the step.",
    ),
    Variable(
        MAX_RETRY_SECONDS,
        f"`{DEFAULT_MAX_RETRY_SECONDS:g}`",
        "seconds per page spent backing off from transient failures.",
    ),
    Variable(
        DEMO_PER_DAY,
        f"`{DEFAULT_DEMO_PER_DAY}`",
        "posts per day in the demo corpus (0 gives empty days; it streams up to 1,000,000 a day).",
    ),
    Variable(
        LAKE_ROOT,
        "`./datalake`",
        "where the lake lives: a folder, or a URI (`file:///…`, `hdfs://…`, `s3a://…`); see "
        '"Deploying".',
    ),
    Variable(
        SPARK_MASTER,
        f"`{DEFAULT_SPARK_MASTER}`",
        "Spark master of the run's driver: `local[N]`, `spark://host:7077`, `yarn`, "
        "`k8s://https://host:443`.",
    ),
    Variable(
        SPARK_REMOTE,
        "unset",
        "`sc://host:15002`: run on a Spark Connect server instead of a driver in the run's "
        f"process. Set this or `{SPARK_MASTER}`, not both; `{SPARK_CONF}` then takes `spark.sql.*` "
        "session settings only (the rest go on the server's command line).",
    ),
    Variable(
        EXECUTOR,
        "`in_process`",
        "`in_process`: a run's steps share one process and one Spark session. `multiprocess`: a "
        f"process per step, allowed with `{SPARK_REMOTE}` only (otherwise each step would start "
        "its own JVM).",
    ),
    Variable(
        SPARK_CONF,
        "unset",
        "a JSON object of extra or overriding Spark settings, e.g. "
        '`{"spark.sql.shuffle.partitions": "16", "spark.driver.memory": "8g"}`. The settings '
        "the lake depends on (dynamic partition overwrite, UTC session time zone, JSON partial "
        "results) cannot be changed: SPARK_CONF that tries is refused with an error.",
    ),
    Variable(
        SCHEDULE,
        "`stopped`",
        "`running` starts `tweets_daily_schedule` with a fresh instance (`make dev "
        "SCHEDULE=running`). Once it is toggled in Dagit or with `dagster schedule "
        "start/stop`, the instance's state wins.",
    ),
    Variable(
        SCHEDULE_CRON,
        f"`{DEFAULT_SCHEDULE_CRON}`",
        "when the schedule ticks, in UTC. Each tick requests the latest complete day, once per "
        "day.",
    ),
    Variable(
        REFRESH_DAYS,
        f"`{DEFAULT_REFRESH_DAYS}`",
        "how many of the latest complete UTC days each schedule tick fetches again, as one run "
        "(one Spark session), so that engagement counts settle: `1` fetches only yesterday; "
        f"`3` refetches the two days before it too. At most {RECENT_DAYS} on `recent`. Every "
        "refresh re-reads (and on pay-per-use, pays for) every post of those days again.",
    ),
    Variable(
        DAGSTER_HOME,
        "`.dagster_home` (make targets)",
        "Dagster's instance folder: runs, event log, schedules. `tweet-lake report` records its "
        "report there when it is set.",
    ),
)


class SettingsError(ValueError):
    """The environment holds values tweet-lake cannot run with; one line per problem."""


@dataclass(frozen=True)
class Settings:
    """The parsed environment. Defaults are those of `VARIABLES`."""

    token_set: bool = False
    api_base_url: str = DEFAULT_API_BASE_URL
    endpoint: str = "recent"
    query: str = DEFAULT_QUERY
    account: str | None = DEFAULT_ACCOUNT
    max_tweets_per_day: int | None = None
    max_tries: int = DEFAULT_MAX_TRIES
    max_retry_seconds: float = DEFAULT_MAX_RETRY_SECONDS
    demo_tweets_per_day: int = DEFAULT_DEMO_PER_DAY
    lake_root: str = DEFAULT_LAKE_ROOT
    spark_master: str | None = None
    spark_remote: str | None = None
    executor: str = "in_process"
    spark_conf: dict[str, str] = field(default_factory=dict)
    schedule_running: bool = False
    schedule_cron: str = DEFAULT_SCHEDULE_CRON
    refresh_days: int = DEFAULT_REFRESH_DAYS
    dagster_home: str | None = None


def load(environ: Mapping[str, str] | None = None) -> Settings:
    """The settings in `environ` (default: this process's environment); `SettingsError` lists
    every bad value at once."""
    env = _Reader(os.environ if environ is None else environ)
    master, remote = env.text(SPARK_MASTER), env.text(SPARK_REMOTE)
    settings = Settings(
        token_set=env.text(TOKEN) is not None,
        api_base_url=env.text(API_BASE_URL) or DEFAULT_API_BASE_URL,
        endpoint=env.choice(
            SEARCH_ENDPOINT, SEARCH_ENDPOINTS, "recent (last 7 days) or all (full archive)"
        ),
        query=env.raw(QUERY, DEFAULT_QUERY),
        account=env.username(ACCOUNT, DEFAULT_ACCOUNT),
        max_tweets_per_day=env.optional_count(MAX_PER_DAY, minimum=1, unit="posts a day"),
        max_tries=env.count(MAX_TRIES, DEFAULT_MAX_TRIES, minimum=1, unit="requests a page"),
        max_retry_seconds=env.seconds(MAX_RETRY_SECONDS, DEFAULT_MAX_RETRY_SECONDS),
        demo_tweets_per_day=env.count(DEMO_PER_DAY, DEFAULT_DEMO_PER_DAY, minimum=0, unit="posts"),
        lake_root=env.text(LAKE_ROOT) or DEFAULT_LAKE_ROOT,
        spark_master=master,
        spark_remote=remote,
        executor=env.choice(EXECUTOR, EXECUTORS, "in_process (the default) or multiprocess"),
        spark_conf=env.spark_conf(),
        schedule_running=env.choice(
            SCHEDULE,
            SCHEDULE_STATES,
            "'running' to start the schedule with Dagster, 'stopped' (the default) to turn it "
            "on by hand",
        )
        == "running",
        schedule_cron=env.cron(SCHEDULE_CRON, DEFAULT_SCHEDULE_CRON),
        refresh_days=env.count(REFRESH_DAYS, DEFAULT_REFRESH_DAYS, minimum=1, unit="days"),
        dagster_home=env.text(DAGSTER_HOME),
    )
    env.check_spark(settings)
    if settings.endpoint == "recent" and settings.refresh_days > RECENT_DAYS:
        env.problems.append(
            f"{REFRESH_DAYS}={settings.refresh_days} reaches back further than recent search "
            f"(the last {RECENT_DAYS} days): set it to {RECENT_DAYS} or fewer, or set "
            f"{SEARCH_ENDPOINT}=all"
        )
    if env.problems:
        raise SettingsError("\n".join(env.problems))
    return settings


def markdown_table() -> str:
    """The README's configuration table, one row per variable."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    rows += [f"| `{v.name}` | {v.default} | {v.meaning} |" for v in VARIABLES]
    return "\n".join(rows)


class _Reader:
    """Reads variables, noting a problem (and answering the default) for each bad value."""

    def __init__(self, environ: Mapping[str, str]):
        self._environ = environ
        self.problems: list[str] = []

    def raw(self, name: str, default: str) -> str:
        value = self._environ.get(name)
        return default if value is None else value

    def text(self, name: str) -> str | None:
        """The value with surrounding blanks trimmed; None when unset or blank."""
        return (self._environ.get(name) or "").strip() or None

    def choice(self, name: str, allowed: tuple[str, ...], fix: str) -> str:
        """One of `allowed` (case-insensitive); unset or blank gives the first."""
        value = self.text(name)
        if value is None:
            return allowed[0]
        if value.lower() not in allowed:
            self.problems.append(
                f"{name}={value!r} is not one of {', '.join(allowed)}: set it to {fix}, or unset it"
            )
            return allowed[0]
        return value.lower()

    def optional_count(self, name: str, minimum: int, unit: str) -> int | None:
        """A whole number of at least `minimum`; None when unset."""
        value = self.text(name)
        if value is None:
            return None
        try:
            number = int(value)
        except ValueError:
            number = minimum - 1
        if number < minimum:
            self.problems.append(
                f"{name}={value!r} is not a whole number of {unit} of at least {minimum}: set "
                "it to one, or unset it"
            )
            return None
        return number

    def count(self, name: str, default: int, minimum: int, unit: str) -> int:
        number = self.optional_count(name, minimum, unit)
        return default if number is None else number

    def seconds(self, name: str, default: float) -> float:
        value = self.text(name)
        if value is None:
            return default
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        if not 0 < number < float("inf"):
            self.problems.append(
                f"{name}={value!r} is not a number of seconds above 0: set it to one, e.g. "
                f"{default:g}, or unset it for {default:g}"
            )
            return default
        return number

    def username(self, name: str, default: str) -> str | None:
        """An X username without its `@`; unset gives `default`, set but empty gives None."""
        value = self.raw(name, default).strip().removeprefix("@")
        if not value:
            return None
        if not USERNAME.fullmatch(value):
            self.problems.append(
                f"{name}={value!r} is not an X username (1 to 15 letters, digits or "
                f"underscores): set it to the tracked account's username, e.g. {default!r}, or "
                "to an empty value to track no account"
            )
            return default
        return value

    def cron(self, name: str, default: str) -> str:
        value = self.text(name)
        if value is None:
            return default
        # Dagster checks each field when it builds the schedule; the shape is checked here.
        if len(value.split()) != 5:
            self.problems.append(
                f"{name}={value!r} is not a cron expression: give five fields, read in UTC, "
                f"e.g. {default!r} (00:15 every day), or unset it"
            )
            return default
        return " ".join(value.split())

    def spark_conf(self) -> dict[str, str]:
        text = self.text(SPARK_CONF)
        if text is None:
            return {}
        try:
            conf = json.loads(text)
        except json.JSONDecodeError as error:
            self.problems.append(
                f"{SPARK_CONF} is not valid JSON ({error.msg} at character {error.pos}); set it "
                f"to a JSON object, e.g. {_CONF_EXAMPLE}"
            )
            return {}
        if not isinstance(conf, dict):
            self.problems.append(
                f"{SPARK_CONF} is a JSON {type(conf).__name__}, not an object; set it to a JSON "
                f"object, e.g. {_CONF_EXAMPLE}"
            )
            return {}
        settings = {}
        for key, value in conf.items():
            if not key.startswith("spark.") or isinstance(value, dict | list) or value is None:
                self.problems.append(
                    f"{SPARK_CONF} sets {key!r} to {value!r}; every key must be a Spark setting "
                    "(spark.*) and every value a string, number or boolean: remove it or set it "
                    f"as one, e.g. {_CONF_EXAMPLE}"
                )
                continue
            text_value = str(value).lower() if isinstance(value, bool) else str(value)
            required = REQUIRED_SPARK_CONF.get(key)
            if required is not None and text_value.lower() != required.lower():
                self.problems.append(
                    f"{SPARK_CONF} sets {key}={text_value}; tweet-lake needs {required} to keep "
                    f"the lake's days intact: remove {key} from {SPARK_CONF}"
                )
                continue
            settings[key] = text_value
        return settings

    def check_spark(self, settings: Settings) -> None:
        """The rules between SPARK_MASTER, SPARK_REMOTE, SPARK_CONF and TWEETS_EXECUTOR."""
        master, remote = settings.spark_master, settings.spark_remote
        if master and remote:
            self.problems.append(
                f"{SPARK_MASTER}={master} and {SPARK_REMOTE}={remote} are both set; set one: "
                f"{SPARK_REMOTE} to run on a Spark Connect server (its own master decides where "
                f"tasks run), or {SPARK_MASTER} to drive a cluster from this process"
            )
        if remote and not remote.startswith("sc://"):
            self.problems.append(
                f"{SPARK_REMOTE}={remote} is not a Spark Connect URL; set it to sc://host:port "
                "(e.g. sc://localhost:15002), or unset it to run Spark in-process"
            )
        server_side = sorted(key for key in settings.spark_conf if not key.startswith("spark.sql."))
        if remote and server_side:
            self.problems.append(
                f"{SPARK_CONF} sets {', '.join(server_side)}, which a Spark Connect client cannot "
                f"set ({SPARK_REMOTE}={remote}); pass it to the server instead "
                f"(start-connect-server.sh --conf {server_side[0]}=...) and keep only spark.sql.* "
                f"session settings in {SPARK_CONF}"
            )
        if settings.executor == "multiprocess" and not remote:
            self.problems.append(
                f"{EXECUTOR}=multiprocess would start a Spark driver (a JVM) in every step's "
                f"process; set {SPARK_REMOTE}=sc://host:15002 to share a Spark Connect server, "
                f"or unset {EXECUTOR} to run the steps in one process"
            )


def describe(config: Settings) -> str:
    """Each variable and the value in force, one a line (the token only as set or unset)."""
    values = {
        TOKEN: "set" if config.token_set else "unset (the offline demo corpus serves)",
        API_BASE_URL: config.api_base_url,
        SEARCH_ENDPOINT: config.endpoint,
        QUERY: repr(config.query),
        ACCOUNT: config.account or "empty (no tracked account)",
        MAX_PER_DAY: config.max_tweets_per_day or "unset",
        MAX_TRIES: config.max_tries,
        MAX_RETRY_SECONDS: f"{config.max_retry_seconds:g}",
        DEMO_PER_DAY: config.demo_tweets_per_day,
        LAKE_ROOT: config.lake_root,
        SPARK_MASTER: config.spark_master or f"unset ({DEFAULT_SPARK_MASTER})",
        SPARK_REMOTE: config.spark_remote or "unset",
        EXECUTOR: config.executor,
        SPARK_CONF: json.dumps(config.spark_conf) if config.spark_conf else "unset",
        SCHEDULE: "running" if config.schedule_running else "stopped",
        SCHEDULE_CRON: config.schedule_cron,
        REFRESH_DAYS: config.refresh_days,
        DAGSTER_HOME: config.dagster_home or "unset",
    }
    width = max(len(name) for name in values)
    return "\n".join(f"{v.name:<{width}}  {values[v.name]}" for v in VARIABLES)
