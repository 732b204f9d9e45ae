"""Print a Parquet table of the lake as text: `tweet-lake-show gold_daily_counts`."""

import argparse
from datetime import date
from pathlib import Path

import dagster as dg
import pandas as pd

from tweet_assets.definitions import LAKE_ROOT
from tweet_assets.resources.lake_io_manager import RAW_LAYER, table_of


def read_days(root: Path, asset: str, first: date | None, last: date | None) -> pd.DataFrame:
    layer, table = table_of(dg.AssetKey(asset))
    if layer == RAW_LAYER:
        raise SystemExit(f"{asset} is raw JSON Lines, not a table; pick a silver or gold asset")
    path = root / layer / table
    if not path.is_dir():
        raise SystemExit(f"{asset} is not in the lake at {path}; materialize it first")
    frame = pd.read_parquet(path)
    frame["date"] = pd.to_datetime(frame["date"].astype(str)).dt.date
    if first:
        frame = frame[frame["date"] >= first]
    if last:
        frame = frame[frame["date"] <= last]
    columns = ["date", *[c for c in frame.columns if c != "date"]]
    return frame[columns].sort_values(columns[:2]).reset_index(drop=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("asset", help="a silver or gold asset, e.g. gold_daily_counts")
    parser.add_argument("--from", dest="first", type=date.fromisoformat, help="first day")
    parser.add_argument("--to", dest="last", type=date.fromisoformat, help="last day")
    parser.add_argument("--root", type=Path, default=Path(LAKE_ROOT), help="the lake's root")
    args = parser.parse_args(argv)
    frame = read_days(args.root, args.asset, args.first, args.last)
    print(frame.to_string(index=False) if len(frame) else f"{args.asset}: no rows")
    print(f"({len(frame)} rows)")


if __name__ == "__main__":
    main()
