"""`tweet-lake migrate`: convert a lake of the earlier layout (day folders without a Delta log)
into Delta tables, in place (`lake.convert_legacy_table`).

Tables already Delta, and tables not in the lake, are left alone: running it twice does nothing
the second time.
"""

from tweet_assets import settings
from tweet_assets.assets import ASSETS
from tweet_assets.cli.tables import cli_session
from tweet_assets.lake import Table, convert_legacy_table


def main(config: settings.Settings, root: str) -> None:
    spark = cli_session(config)
    for key in (key for asset in ASSETS for key in asset.keys):
        table = Table.of(root, key)
        if convert_legacy_table(spark, table):
            print(f"{table.asset_name}: converted to a Delta table in place ({table.path})")
        else:
            print(f"{table.asset_name}: nothing to convert")
