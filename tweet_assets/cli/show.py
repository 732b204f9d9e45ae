"""`tweet-lake show gold_daily_counts --from D --to D`: a silver or gold table as text."""

from datetime import date

from tweet_assets import settings
from tweet_assets.cli.tables import cli_session, read_table


def main(
    config: settings.Settings, root: str, asset: str, first: date | None, last: date | None
) -> None:
    frame = read_table(cli_session(config), root, asset, first, last)
    print(frame.to_string(index=False) if len(frame) else f"{asset}: no rows")
    print(f"({len(frame)} rows)")
