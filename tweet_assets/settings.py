"""Configuration: every environment variable tweet-lake reads, parsed, validated and defaulted here.

This is the only module of `tweet_assets` that reads the environment. Each variable is declared
once, as a field of `Settings`: its name, how it is parsed (and within which bounds), its
default and its meaning. `load()` reads them all into one `Settings` value, which
`definitions.py` and the `tweet-lake` command hand down as arguments; `describe()` prints the
values in force and `markdown_table()` the table of docs/configuration.md (a test holds the two
equal). A bad value fails loading with one line per problem, each naming the variable, the value
and the fix.

The bearer token's value never passes through here: only whether it is set. Dagster resolves it
from the environment at run time (`EnvVar`), so run config and the event log hold its name only.
"""

import contextlib
import dataclasses
import ipaddress
import json
import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

DEFAULT_SPARK_MASTER = "local[*]"
# Recent search reaches back 7 days from the moment of the request. A tick's first day starts
# at 00:00 UTC N days before the tick's date, so only N <= 6 lies inside that reach at every
# tick time (7 would need the tick at exactly 00:00).
RECENT_DAYS = 7
MAX_RECENT_REFRESH = RECENT_DAYS - 1
# X usernames: 1 to 15 letters, digits or underscores.
USERNAME = re.compile(r"[A-Za-z0-9_]{1,15}")

# Spark settings the lake is built on: SPARK_CONF may not change them, and every write checks
# that the session holds them.
REQUIRED_SPARK_CONF = {
    # Partitions are UTC days: a session in another time zone would shift dates and times.
    "spark.sql.session.timeZone": "UTC",
    # A field of the wrong type in one post nulls that field alone; without partial results
    # Spark nulls the page's whole `data`, dropping its good posts with the bad one.
    "spark.sql.json.enablePartialResults": "true",
}
_CONF_EXAMPLE = '{"spark.sql.shuffle.partitions": "8"}'


class SettingsError(ValueError):
    """The environment holds values tweet-lake cannot run with; one line per problem."""


class _Reader:
    """Reads variables, noting a problem (and answering the default) for each bad value."""

    def __init__(self, environ: Mapping[str, str]):
        self._environ = environ
        self.problems: list[str] = []

    def raw(self, name: str) -> str | None:
        return self._environ.get(name)

    def text(self, name: str) -> str | None:
        """The value with surrounding blanks trimmed; None when unset or blank."""
        return (self._environ.get(name) or "").strip() or None


# A parser: (reader, variable name, default) -> the parsed value (the default, with a problem
# noted, when the value is bad).
Parse = Callable[[_Reader, str, Any], Any]


def _is_set(env: _Reader, name: str, default: bool) -> bool:
    """Whether the variable is set. Set but blank (an empty secrets file) is a mistake, not a
    request for the demo corpus: that would write invented posts over real days."""
    if env.raw(name) is not None and env.text(name) is None:
        env.problems.append(
            f"{name} is set but blank (an empty secrets file?): set it to the app's bearer "
            "token, or unset it to run on the offline demo corpus"
        )
    return env.text(name) is not None


def _text(env: _Reader, name: str, default: str | None) -> str | None:
    return env.text(name) or default


def _raw(env: _Reader, name: str, default: str) -> str:
    value = env.raw(name)
    return default if value is None else value


def _choice(allowed: tuple[str, ...], fix: str) -> Parse:
    """One of `allowed` (case-insensitive); unset or blank gives the default."""

    def parse(env: _Reader, name: str, default: str) -> str:
        value = env.text(name)
        if value is None:
            return default
        if value.lower() not in allowed:
            env.problems.append(
                f"{name}={value!r} is not one of {', '.join(allowed)}: set it to {fix}, or unset it"
            )
            return default
        return value.lower()

    return parse


@dataclass(frozen=True)
class _Whole:
    """A whole number of `unit` from `minimum` to `maximum`; unset gives the default (None:
    optional)."""

    minimum: int
    maximum: int
    unit: str

    @property
    def bounds(self) -> str:
        return f"{self.minimum:,} to {self.maximum:,}"

    def __call__(self, env: _Reader, name: str, default: int | None) -> int | None:
        value = env.text(name)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            number = None
        if number is None or not self.minimum <= number <= self.maximum:
            env.problems.append(
                f"{name}={value[:40]!r} is not a whole number of {self.unit} from "
                f"{self.bounds}: set it to one, or unset it"
            )
            return default
        return number


@dataclass(frozen=True)
class _Seconds:
    """A number of seconds above 0 and at most `maximum`."""

    maximum: float

    @property
    def bounds(self) -> str:
        return f"above 0 to {self.maximum:,g}"

    def __call__(self, env: _Reader, name: str, default: float) -> float:
        value = env.text(name)
        if value is None:
            return default
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        if not 0 < number <= self.maximum:
            env.problems.append(
                f"{name}={value[:40]!r} is not a number of seconds above 0 and at most "
                f"{self.maximum:g}: set it to one, e.g. {default:g}, or unset it for {default:g}"
            )
            return default
        return number


def _query(env: _Reader, name: str, default: str) -> str:
    value = _raw(env, name, default)
    if not value.strip():
        env.problems.append(
            f"{name} is blank: set it to an X search query, e.g. {default!r}, or unset it for "
            f"{default!r}"
        )
        return default
    return value


def is_loopback(host: str) -> bool:
    """Whether `host` names this machine (localhost, 127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def base_url_problem(url: str) -> str | None:
    """Why the bearer token must not be sent to `url`, or None. The URL is read by the parser
    that sends the request (urllib3's, under requests) and by the standard library's: a URL
    they read differently (a backslash, userinfo) could send the token to another host."""
    if "\\" in url:
        return "holds a backslash, which URL parsers read differently: remove it"
    try:
        sent = parse_url(url)
    except LocationParseError:
        return "is not a URL: give https://host/2"
    told = urlsplit(url)
    if sent.auth or "@" in told.netloc:
        return "holds a user name or password (userinfo): give https://host/2 alone"
    host = (sent.host or "").strip("[]").lower()
    if host != (told.hostname or "").lower():
        return f"names host {host!r} to one URL parser and {told.hostname!r} to another"
    if sent.scheme == "https" and host:
        return None
    if sent.scheme == "http" and is_loopback(host):
        return None
    return (
        "is not an https URL: the bearer token would travel in clear text; set it to an "
        "https:// URL (plain http is allowed only to a loopback address, for tests and local "
        "proxies)"
    )


def _base_url(env: _Reader, name: str, default: str) -> str:
    value = env.text(name) or default
    problem = base_url_problem(value)
    if problem:
        env.problems.append(f"{name}={value!r} {problem}")
        return default
    return value


def _username(env: _Reader, name: str, default: str) -> str | None:
    """An X username without its `@`; unset gives `default`, set but empty gives None."""
    raw = _raw(env, name, default).strip()
    value = raw.removeprefix("@")
    if not raw:
        return None
    if not USERNAME.fullmatch(value):
        env.problems.append(
            f"{name}={raw!r} is not an X username (1 to 15 letters, digits or "
            f"underscores): set it to the tracked account's username, e.g. {default!r}, or "
            "to an empty value to track no account"
        )
        return default
    return value


def _cron(env: _Reader, name: str, default: str) -> str:
    value = env.text(name)
    if value is None:
        return default
    # Dagster checks each field when it builds the schedule; the shape is checked here.
    if len(value.split()) != 5:
        env.problems.append(
            f"{name}={value!r} is not a cron expression: give five fields, read in UTC, "
            f"e.g. {default!r} (00:15 every day), or unset it"
        )
        return default
    return " ".join(value.split())


def _spark_conf(env: _Reader, name: str, default: dict[str, str]) -> dict[str, str]:
    text = env.text(name)
    if text is None:
        return default
    try:
        conf = json.loads(text)
    except json.JSONDecodeError as error:
        env.problems.append(
            f"{name} is not valid JSON ({error.msg} at character {error.pos}); set it "
            f"to a JSON object, e.g. {_CONF_EXAMPLE}"
        )
        return default
    if not isinstance(conf, dict):
        env.problems.append(
            f"{name} is a JSON {type(conf).__name__}, not an object; set it to a JSON "
            f"object, e.g. {_CONF_EXAMPLE}"
        )
        return default
    settings = {}
    for key, value in conf.items():
        if not key.startswith("spark.") or isinstance(value, dict | list) or value is None:
            env.problems.append(
                f"{name} sets {key!r} to {value!r}; every key must be a Spark setting "
                "(spark.*) and every value a string, number or boolean: remove it or set it "
                f"as one, e.g. {_CONF_EXAMPLE}"
            )
            continue
        text_value = str(value).lower() if isinstance(value, bool) else str(value)
        required = REQUIRED_SPARK_CONF.get(key)
        if required is not None and text_value.lower() != required.lower():
            env.problems.append(
                f"{name} sets {key}={text_value}; tweet-lake needs {required} to keep "
                f"the lake's days intact: remove {key} from {name}"
            )
            continue
        settings[key] = text_value
    return settings


def _running(env: _Reader, name: str, default: bool) -> bool:
    fix = (
        "'running' to start the schedule with Dagster, 'stopped' (the default) to turn it on "
        "by hand"
    )
    state = _choice(("stopped", "running"), fix)(env, name, "running" if default else "stopped")
    return state == "running"


@dataclass(frozen=True)
class Variable:
    """One environment variable: its name, parser, default and meaning, and how `describe`
    shows its value (`show`) and the configuration table its default (`documented`)."""

    name: str
    parse: Parse
    meaning: str
    documented: str
    show: Callable[[Any], str]

    @property
    def bounds(self) -> str:
        """The values a number may take, as the configuration table gives them."""
        return getattr(self.parse, "bounds", "")


def _shown(value: Any) -> str:
    return "unset" if value is None else str(value)


def _setting(
    name: str,
    parse: Parse,
    default: Any,
    meaning: str,
    documented: str | None = None,
    show: Callable[[Any], str] = _shown,
    factory: bool = False,
) -> Any:
    """A field of `Settings` read from the variable `name` (see `Variable`)."""
    variable = Variable(
        name,
        parse,
        meaning,
        documented if documented is not None else ("unset" if default is None else f"`{default}`"),
        show,
    )
    if factory:
        return dataclasses.field(
            default_factory=lambda: default.copy(), metadata={"variable": variable}
        )
    return dataclasses.field(default=default, metadata={"variable": variable})


@dataclass(frozen=True)
class Settings:
    """The parsed environment: one field per variable, in the configuration table's order."""

    token_set: bool = _setting(
        "TWITTER_BEARER_TOKEN",
        _is_set,
        False,
        "X API v2 app bearer token. Unset: the offline demo corpus serves. Passed to Dagster as "
        "an `EnvVar`, so run config and the event log only hold its name.",
        documented="unset",
        show=lambda token_set: "set" if token_set else "unset (the offline demo corpus serves)",
    )
    api_base_url: str = _setting(
        "TWITTER_API_BASE_URL",
        _base_url,
        "https://api.twitter.com/2",
        "API base; the client calls `{base}/tweets/search/recent`.",
    )
    endpoint: str = _setting(
        "TWITTER_SEARCH_ENDPOINT",
        _choice(("recent", "all"), "recent (last 7 days) or all (full archive)"),
        "recent",
        "`recent` (`/tweets/search/recent`, last 7 days, 100 a page) or `all` "
        "(`/tweets/search/all`, full archive, 500 a page, 1 request/s).",
    )
    query: str = _setting("TWEETS_QUERY", _query, "AluraOnline", "the search query.", show=repr)
    account: str | None = _setting(
        "TWEETS_ACCOUNT",
        _username,
        "AluraOnline",
        "the tracked account's username (a leading `@` is dropped): gold counts its posts, the "
        "replies to it and the posts in its conversations. Its id is looked up once a run "
        "(`GET /2/users/by/username/…`); an unknown username fails the run before any search. "
        "Empty (`TWEETS_ACCOUNT=`) turns the account numbers off (null), for a query that "
        "tracks a topic.",
        show=lambda account: account or "empty (no tracked account)",
    )
    max_tweets_per_day: int | None = _setting(
        "TWEETS_MAX_PER_DAY",
        _Whole(1, 10_000_000, "posts a day"),
        None,
        "cost guard: stop paging a day after this many posts (pay-per-use bills every post); "
        "the partition is marked `truncated` in metadata and a warning is logged.",
    )
    max_tries: int = _setting(
        "TWITTER_MAX_TRIES",
        _Whole(1, 100, "requests a page"),
        6,
        "requests per page before a transient failure (5xx, timeout, connection error, bad "
        "JSON) fails the step.",
    )
    max_retry_seconds: float = _setting(
        "TWITTER_MAX_RETRY_SECONDS",
        # a step's budget for backing off from one page's failures: an hour at most
        _Seconds(3600),
        300.0,
        "seconds per page spent backing off from transient failures.",
        documented="`300`",
        show=lambda seconds: f"{seconds:g}",
    )
    demo_tweets_per_day: int = _setting(
        "TWEETS_DEMO_PER_DAY",
        _Whole(0, 1_000_000, "posts"),
        300,
        "posts per day in the demo corpus (0 gives empty days; it streams up to 1,000,000 a day).",
    )
    lake_root: str = _setting(
        "DATALAKE_ROOT",
        _text,
        str(Path(__file__).resolve().parent.parent / "datalake"),
        "where the lake lives: a folder, or a URI (`file:///…`, `hdfs://…`, `s3a://…`); see "
        "[operations](operations.md#where-the-lake-lives).",
        documented="`./datalake`",
    )
    spark_master: str | None = _setting(
        "SPARK_MASTER",
        _text,
        None,
        "Spark master of the run's driver: `local[N]`, `spark://host:7077`, `yarn`, "
        "`k8s://https://host:443`.",
        documented=f"`{DEFAULT_SPARK_MASTER}`",
        show=lambda master: master or f"unset ({DEFAULT_SPARK_MASTER})",
    )
    spark_remote: str | None = _setting(
        "SPARK_REMOTE",
        _text,
        None,
        "`sc://host:15002`: run on a Spark Connect server instead of a driver in the run's "
        "process. Set this or `SPARK_MASTER`, not both; `SPARK_CONF` then takes `spark.sql.*` "
        "session settings only (the rest go on the server's command line).",
    )
    executor: str = _setting(
        "TWEETS_EXECUTOR",
        _choice(("in_process", "multiprocess"), "in_process (the default) or multiprocess"),
        "in_process",
        "`in_process`: a run's steps share one process and one Spark session. `multiprocess`: a "
        "process per step, allowed with `SPARK_REMOTE` only (otherwise each step would start "
        "its own JVM).",
    )
    # _setting gives a dataclasses.field with a default_factory here: no shared mutable default
    spark_conf: dict[str, str] = _setting(  # noqa: RUF009
        "SPARK_CONF",
        _spark_conf,
        {},
        "a JSON object of extra or overriding Spark settings, e.g. "
        '`{"spark.sql.shuffle.partitions": "16", "spark.driver.memory": "8g"}`. The settings '
        "the lake depends on (UTC session time zone, JSON partial results) cannot be "
        "changed: SPARK_CONF that tries is refused with an error.",
        documented="unset",
        show=lambda conf: json.dumps(conf) if conf else "unset",
        factory=True,
    )
    schedule_running: bool = _setting(
        "TWEETS_SCHEDULE",
        _running,
        False,
        "`running` starts `tweets_daily_schedule` with a fresh instance (`make dev "
        "SCHEDULE=running`). Once it is toggled in Dagit or with `dagster schedule "
        "start/stop`, the instance's state wins.",
        documented="`stopped`",
        show=lambda running: "running" if running else "stopped",
    )
    schedule_cron: str = _setting(
        "TWEETS_SCHEDULE_CRON",
        _cron,
        "15 0 * * *",
        "when the schedule ticks, in UTC. Each tick requests the latest complete day, once per "
        "day.",
    )
    refresh_days: int = _setting(
        "TWEETS_REFRESH_DAYS",
        _Whole(1, 31, "days"),
        1,
        "how many of the latest complete UTC days each schedule tick fetches again, as one run "
        "(one Spark session), so that engagement counts settle: `1` fetches only yesterday; "
        f"`3` refetches the two days before it too. At most {MAX_RECENT_REFRESH} on `recent`, "
        "whose 7 days are counted back from the tick. Every refresh re-reads (and on "
        "pay-per-use, pays for) every post of those days again.",
    )
    dagster_home: str | None = _setting(
        "DAGSTER_HOME",
        _text,
        None,
        "Dagster's instance folder: runs, event log, schedules. `tweet-lake report` records its "
        "report there when it is set.",
        documented="`.dagster_home` (make targets)",
    )


VARIABLES: tuple[Variable, ...] = tuple(
    field.metadata["variable"] for field in dataclasses.fields(Settings)
)
DEFAULTS = Settings()


def meaning(field: str) -> str:
    """What the variable behind the `Settings` field `field` means (docs' table text)."""
    [found] = [f for f in dataclasses.fields(Settings) if f.name == field]
    return found.metadata["variable"].meaning


_BY_FIELD = {field.name: field.metadata["variable"].name for field in dataclasses.fields(Settings)}
# Variable names the other modules quote in their messages.
TOKEN = _BY_FIELD["token_set"]
API_BASE_URL = _BY_FIELD["api_base_url"]
SEARCH_ENDPOINT = _BY_FIELD["endpoint"]
ACCOUNT = _BY_FIELD["account"]
MAX_PER_DAY = _BY_FIELD["max_tweets_per_day"]
DEMO_PER_DAY = _BY_FIELD["demo_tweets_per_day"]
LAKE_ROOT = _BY_FIELD["lake_root"]
SCHEDULE_CRON = _BY_FIELD["schedule_cron"]
SPARK_REMOTE = _BY_FIELD["spark_remote"]
SPARK_CONF = _BY_FIELD["spark_conf"]


@contextlib.contextmanager
def hidden(name: str) -> Iterator[None]:
    """This process's environment without variable `name` for the block: for code that reads
    the environment itself (pyspark's JVM launcher starts a Connect client under SPARK_REMOTE)."""
    value = os.environ.pop(name, None)
    try:
        yield
    finally:
        if value is not None:
            os.environ[name] = value


def load(environ: Mapping[str, str] | None = None) -> Settings:
    """The settings in `environ` (default: this process's environment); `SettingsError` lists
    every bad value at once."""
    env = _Reader(os.environ if environ is None else environ)
    settings = Settings(
        **{
            field.name: field.metadata["variable"].parse(
                env, field.metadata["variable"].name, getattr(DEFAULTS, field.name)
            )
            for field in dataclasses.fields(Settings)
        }
    )
    env.problems += _rules_between(settings)
    if env.problems:
        raise SettingsError("\n".join(env.problems))
    return settings


def _rules_between(settings: Settings) -> list[str]:
    """The rules between variables: SPARK_MASTER, SPARK_REMOTE, SPARK_CONF and TWEETS_EXECUTOR;
    the refresh window and the search endpoint."""
    name = _BY_FIELD
    problems = []
    master, remote = settings.spark_master, settings.spark_remote
    if master and remote:
        problems.append(
            f"{name['spark_master']}={master} and {name['spark_remote']}={remote} are both set; "
            f"set one: {name['spark_remote']} to run on a Spark Connect server (its own master "
            f"decides where tasks run), or {name['spark_master']} to drive a cluster from this "
            "process"
        )
    if remote and not remote.startswith("sc://"):
        problems.append(
            f"{name['spark_remote']}={remote} is not a Spark Connect URL; set it to sc://host:port"
            " (e.g. sc://localhost:15002), or unset it to run Spark in-process"
        )
    server_side = sorted(key for key in settings.spark_conf if not key.startswith("spark.sql."))
    if remote and server_side:
        problems.append(
            f"{name['spark_conf']} sets {', '.join(server_side)}, which a Spark Connect client "
            f"cannot set ({name['spark_remote']}={remote}); pass it to the server instead "
            f"(--conf {server_side[0]}=... where it starts) and keep only spark.sql.* session "
            f"settings in {name['spark_conf']}"
        )
    if settings.executor == "multiprocess" and not remote:
        problems.append(
            f"{name['executor']}=multiprocess would start a Spark driver (a JVM) in every step's "
            f"process; set {name['spark_remote']}=sc://host:15002 to share a Spark Connect "
            f"server, or unset {name['executor']} to run the steps in one process"
        )
    if settings.endpoint == "recent" and settings.refresh_days > MAX_RECENT_REFRESH:
        problems.append(
            f"{name['refresh_days']}={settings.refresh_days} reaches back further than recent "
            f"search (the last {RECENT_DAYS} days, counted from the tick, so its first day "
            f"would start outside them): set it to {MAX_RECENT_REFRESH} or fewer, or set "
            f"{name['endpoint']}=all"
        )
    return problems


def markdown_table() -> str:
    """docs/configuration.md's table, one row per variable."""
    rows = ["| variable | default | bounds | meaning |", "|---|---|---|---|"]
    rows += [f"| `{v.name}` | {v.documented} | {v.bounds} | {v.meaning} |" for v in VARIABLES]
    return "\n".join(rows)


def describe(config: Settings) -> str:
    """Each variable and the value in force, one a line (the token only as set or unset)."""
    width = max(len(variable.name) for variable in VARIABLES)
    return "\n".join(
        f"{field.metadata['variable'].name:<{width}}  "
        f"{field.metadata['variable'].show(getattr(config, field.name))}"
        for field in dataclasses.fields(Settings)
    )
