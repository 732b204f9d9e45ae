"""`tweet-lake report`: gold's tweets, authors and likes per day as one HTML page of line charts.

Writes `{lake}/reports/gold_daily_counts.html` (self-contained: inline SVG, no scripts) and,
when a Dagster instance is configured (DAGSTER_HOME), records it on `gold_daily_counts` as an
observation, so Dagit shows the report's path on the asset's page.
"""

import html
from pathlib import Path

import dagster as dg
import pandas as pd

from tweet_assets import settings
from tweet_assets.cli.tables import cli_session, read_table
from tweet_assets.lake import local_folder

SERIES = {"tweets": "tweets", "authors": "authors", "like_count": "likes"}
WIDTH, HEIGHT, MARGIN = 720, 180, 40


def _chart(days: list[str], values: list[int | None], title: str) -> str:
    """One series as an SVG line chart with its first and last day and its maximum; a day
    whose value is unknown (null) has no point."""
    top = max([value for value in values if value is not None] + [1])
    step = (WIDTH - 2 * MARGIN) / max(len(values) - 1, 1)
    points = " ".join(
        f"{MARGIN + n * step:.1f},{HEIGHT - MARGIN - value / top * (HEIGHT - 2 * MARGIN):.1f}"
        for n, value in enumerate(values)
        if value is not None
    )
    return (
        f'<h2>{html.escape(title)} per day</h2>\n<svg xmlns="http://www.w3.org/2000/svg" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{html.escape(title)}">'
        f'<polyline fill="none" stroke="#1d9bf0" stroke-width="2" points="{points}"/>'
        f'<text x="{MARGIN}" y="{HEIGHT - 10}">{days[0]}</text>'
        f'<text x="{WIDTH - MARGIN}" y="{HEIGHT - 10}" text-anchor="end">{days[-1]}</text>'
        f'<text x="4" y="{MARGIN - 8}">max {top:,}</text></svg>'
    )


def _incomplete(gold: pd.DataFrame) -> str:
    """A section naming the days gold does not call complete, with both counts."""
    if "complete" not in gold.columns:  # gold written before completeness was recorded
        return "<p>This gold table predates completeness records: rebuild it to see them.</p>"
    rows = gold[~gold["complete"].fillna(False).astype(bool)]
    if rows.empty:
        return f"<p>All {len(gold)} days are complete.</p>"
    items = "".join(
        f"<li>{html.escape(str(row['date']))}: {int(row['tweets']):,} posts fetched of "
        + (
            f"{int(row['expected_tweets']):,}"
            if pd.notna(row["expected_tweets"])
            else "an unknown number"
        )
        + " the API counts</li>"
        for _, row in rows.iterrows()
    )
    return (
        f"<h2>Incomplete days</h2>\n<p><strong>{len(rows)} of {len(gold)} days are not "
        "complete</strong> (capped, cut short, or short of the API's own count): read their "
        f"numbers as lower bounds.</p>\n<ul>{items}</ul>"
    )


def render(gold: pd.DataFrame) -> str:
    """The HTML page for gold rows (`date` plus the SERIES columns), oldest day first."""
    days = [str(day) for day in gold["date"]]
    charts = "\n".join(
        _chart(days, [None if pd.isna(v) else int(v) for v in gold[column]], title)
        for column, title in SERIES.items()
    )
    return (
        "<!doctype html>\n<html><head><meta charset='utf-8'><title>tweet-lake: gold</title>"
        "</head><body style='font-family:sans-serif'>\n"
        f"<h1>gold_daily_counts, {days[0]} to {days[-1]} ({len(days)} days)</h1>\n"
        f"{_incomplete(gold)}\n{charts}\n{gold.to_html(index=False)}\n</body></html>\n"
    )


def write_report(gold: pd.DataFrame, path: Path) -> Path:
    """The page for `gold` at `path`, written whole: readers never see half a page."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".html.partial")
    partial.write_text(render(gold), encoding="utf-8")
    partial.replace(path)
    return path


def main(config: settings.Settings, root: str, out: str | None) -> None:
    folder = local_folder(root)
    if out is None and folder is None:
        raise SystemExit(
            f"the lake at {root} is not a folder of this machine: give the page's path with --out"
        )
    path = Path(out) if out else Path(folder or ".") / "reports" / "gold_daily_counts.html"
    gold = read_table(cli_session(config), root, "gold_daily_counts", None, None)
    path = write_report(gold, path.absolute())
    print(f"wrote {path}")
    if config.dagster_home:
        with dg.DagsterInstance.get() as instance:
            instance.report_runless_asset_event(
                dg.AssetObservation(
                    asset_key="gold_daily_counts",
                    metadata={"report": dg.MetadataValue.path(str(path))},
                )
            )
