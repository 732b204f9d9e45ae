"""`make report`: gold's tweets, authors and likes per day as one HTML page of line charts.

Writes `{lake}/reports/gold_daily_counts.html` (self-contained: inline SVG, no scripts) and,
when a Dagster instance is configured, records it on `gold_daily_counts` as an observation, so
Dagit shows the report's path on the asset's page.
"""

import argparse
import html
import os
from pathlib import Path

import dagster as dg
import pandas as pd

from tweet_assets.definitions import LAKE_ROOT
from tweet_assets.show_table import read_days

SERIES = {"tweets": "tweets", "authors": "authors", "like_count": "likes"}
WIDTH, HEIGHT, MARGIN = 720, 180, 40


def _chart(days: list[str], values: list[int], title: str) -> str:
    """One series as an SVG line chart with its first and last day and its maximum."""
    top = max(max(values), 1)
    step = (WIDTH - 2 * MARGIN) / max(len(values) - 1, 1)
    points = " ".join(
        f"{MARGIN + n * step:.1f},{HEIGHT - MARGIN - value / top * (HEIGHT - 2 * MARGIN):.1f}"
        for n, value in enumerate(values)
    )
    return (
        f'<h2>{html.escape(title)} per day</h2>\n<svg xmlns="http://www.w3.org/2000/svg" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{html.escape(title)}">'
        f'<polyline fill="none" stroke="#1d9bf0" stroke-width="2" points="{points}"/>'
        f'<text x="{MARGIN}" y="{HEIGHT - 10}">{days[0]}</text>'
        f'<text x="{WIDTH - MARGIN}" y="{HEIGHT - 10}" text-anchor="end">{days[-1]}</text>'
        f'<text x="4" y="{MARGIN - 8}">max {top:,}</text></svg>'
    )


def render(gold: pd.DataFrame) -> str:
    """The HTML page for gold rows (`date` plus the SERIES columns), oldest day first."""
    days = [str(day) for day in gold["date"]]
    charts = "\n".join(
        _chart(days, [int(v) for v in gold[column]], title) for column, title in SERIES.items()
    )
    return (
        "<!doctype html>\n<html><head><meta charset='utf-8'><title>tweet-lake: gold</title>"
        "</head><body style='font-family:sans-serif'>\n"
        f"<h1>gold_daily_counts, {days[0]} to {days[-1]} ({len(days)} days)</h1>\n"
        f"{charts}\n{gold.to_html(index=False)}\n</body></html>\n"
    )


def write_report(root: Path) -> Path:
    if not any((root / "gold" / "daily_counts").glob("date=*/*.parquet")):
        raise SystemExit(f"gold_daily_counts has no rows in {root}; run make demo first")
    gold = read_days(root, "gold_daily_counts", None, None)
    path = root / "reports" / "gold_daily_counts.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".html.partial")
    partial.write_text(render(gold), encoding="utf-8")
    partial.replace(path)  # readers never see half a page
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--root", type=Path, default=Path(LAKE_ROOT), help="the lake's root")
    args = parser.parse_args(argv)
    path = write_report(args.root)
    print(f"wrote {path}")
    if os.environ.get("DAGSTER_HOME"):
        with dg.DagsterInstance.get() as instance:
            instance.report_runless_asset_event(
                dg.AssetObservation(
                    asset_key="gold_daily_counts",
                    metadata={"report": dg.MetadataValue.path(str(path.absolute()))},
                )
            )


if __name__ == "__main__":
    main()
