"""`tweet-lake show|sql|sql-server|report|demo|migrate|optimize|settings`: the lake from the shell.

`show`, `report` and `demo`'s table read silver and gold with delta-rs (`lake.read_delta`): no
JVM, any version of a table. `sql`, `sql-server`, `migrate` and `optimize` run Spark on the
settings the runs use (`SPARK_MASTER` or `SPARK_REMOTE`, `SPARK_CONF`, `DATALAKE_ROOT`), on any
root a run can write.
"""

import argparse
import sys
from datetime import date

from tweet_assets import settings
from tweet_assets.cli import migrate, optimize, report, show, sql, sql_server
from tweet_assets.lake import MIN_RETAIN_DAYS


def _parser(config: settings.Settings) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tweet-lake", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        command = commands.add_parser(name, help=help_text, description=help_text)
        command.set_defaults(command=name)
        return command

    shown = add("show", "print a silver or gold table, oldest day first")
    shown.add_argument("asset", help="a silver or gold asset, e.g. gold_daily_counts")
    shown.add_argument("--from", dest="first", type=date.fromisoformat, help="first day")
    shown.add_argument("--to", dest="last", type=date.fromisoformat, help="last day")
    shown.add_argument(
        "--as-of",
        metavar="VERSION|TIME",
        help="the table as it was at a version (e.g. 3) or a UTC time (e.g. 2026-11-20T12:00)",
    )
    queried = add("sql", "run one SQL statement over the lake's tables, or open a prompt")
    queried.add_argument("query", nargs="?", help="one SQL statement; omit it for a prompt")
    served = add("sql-server", "serve the lake's tables over JDBC on 127.0.0.1 (read-only)")
    served.add_argument(
        "--port", type=int, default=sql_server.DEFAULT_PORT, help="the port (default 10000)"
    )
    reported = add("report", "draw gold's tweets, authors and likes per day as an HTML page")
    reported.add_argument("--out", help="the page to write (default {lake}/reports/…html)")
    demo = add("demo", "materialize the last N complete UTC days as one run, then print gold")
    demo.add_argument("--days", type=int, default=7, help="how many days (default 7)")
    migrated = add("migrate", "convert silver and gold of the earlier layout to Delta tables")
    optimized = add("optimize", "compact the Delta tables' small files and vacuum old ones")
    optimized.add_argument(
        "--retain-days",
        type=int,
        default=MIN_RETAIN_DAYS,
        help=f"keep every file a version of the last N days reads (default and least: "
        f"{MIN_RETAIN_DAYS})",
    )
    described = add("settings", "print the configuration variables and their values")
    described.add_argument(
        "--markdown",
        action="store_true",
        help="print docs/configuration.md's table of them instead",
    )
    for command in (shown, queried, served, reported, migrated, optimized):
        command.add_argument(
            "--root",
            default=config.lake_root,
            help=f"the lake: a folder or a URI ({config.lake_root})",
        )
    return parser


def main(argv: list[str] | None = None) -> None:
    try:
        config = settings.load()
    except settings.SettingsError as error:
        raise SystemExit(f"tweet-lake: {error}") from None
    args = _parser(config).parse_args(argv)
    if args.command == "settings":
        print(settings.markdown_table() if args.markdown else settings.describe(config))
    elif args.command == "show":
        show.main(args.root, args.asset, args.first, args.last, args.as_of)
    elif args.command == "sql":
        sql.main(config, args.root, args.query)
    elif args.command == "demo":
        from tweet_assets.cli import demo  # loads the definitions: only this command needs them

        demo.main(config, args.days)
    elif args.command == "sql-server":
        sql_server.main(config, args.root, args.port)
    elif args.command == "migrate":
        migrate.main(config, args.root)
    elif args.command == "optimize":
        optimize.main(config, args.root, args.retain_days)
    else:
        report.main(config, args.root, args.out)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
