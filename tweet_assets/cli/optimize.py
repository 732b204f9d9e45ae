"""`tweet-lake optimize [--retain-days N]`: compact each silver and gold Delta table's small
files and vacuum the files no version of the last N days (7 or more) reads
(`lake.optimize_table`); the weekly job `lake_optimize_job` does the same."""

from tweet_assets import settings
from tweet_assets.assets import ASSETS
from tweet_assets.cli.tables import cli_session
from tweet_assets.lake import RetentionTooShort, Table, optimize_table


def main(config: settings.Settings, root: str, retain_days: int) -> None:
    spark = cli_session(config)
    for key in (key for asset in ASSETS for key in asset.keys):
        table = Table.of(root, key)
        if table.raw:
            continue
        try:
            print(optimize_table(spark, table, retain_days))
        except RetentionTooShort as error:
            raise SystemExit(f"tweet-lake optimize: {error}") from None
