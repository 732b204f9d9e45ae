"""`tweet-lake show gold_daily_counts --from D --to D [--as-of V]`: a silver or gold table as
text, read with delta-rs (no JVM)."""

from datetime import date

from tweet_assets.cli.tables import read_table


def main(root: str, asset: str, first: date | None, last: date | None, as_of: str | None) -> None:
    print_table(root, asset, first, last, as_of)


def print_table(
    root: str, asset: str, first: date | None, last: date | None, as_of: str | None = None
) -> None:
    """Print `asset`'s rows from `first` to `last` (of its version `as_of`), and how many."""
    frame = read_table(root, asset, first, last, as_of)
    print(frame.to_string(index=False) if len(frame) else f"{asset}: no rows")
    print(f"({len(frame)} rows)")
