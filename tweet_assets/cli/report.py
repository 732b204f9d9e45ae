"""`tweet-lake report`: gold's tweets, authors and likes per day as one HTML page of line charts,
the tracked account's engagement, and the period's top hashtags (from gold_daily_hashtags).

Writes `{lake}/reports/gold_daily_counts.html` (self-contained: inline SVG, no scripts) and,
when a Dagster instance is configured (DAGSTER_HOME), records it on `gold_daily_counts` as an
observation, so Dagit shows the report's path on the asset's page.
"""

import html
from pathlib import Path

import dagster as dg
import pandas as pd

from tweet_assets import settings
from tweet_assets.cli.tables import read_table, read_table_if_any
from tweet_assets.lake import local_folder
from tweet_assets.transforms.gold import ACCOUNT_COLUMNS

SERIES = {"tweets": "tweets", "authors": "authors", "like_count": "likes"}
ENGAGEMENT = dict(
    zip(ACCOUNT_COLUMNS, ["its posts", "replies to it", "posts in its conversations"], strict=True)
)
COLORS = ["#1d9bf0", "#f4212e", "#00ba7c"]
WIDTH, HEIGHT, MARGIN = 720, 180, 40
TOP_HASHTAGS = 20


def _values(column: pd.Series) -> list[int | None]:
    return [None if pd.isna(value) else int(value) for value in column]


def _chart(days: list[str], series: dict[str, list[int | None]], title: str) -> str:
    """Each series a line of one SVG chart (with a legend when there are several), the first
    and last day and the maximum; a day whose value is unknown (null) has no point."""
    known = [value for values in series.values() for value in values if value is not None]
    top = max([*known, 1])
    step = (WIDTH - 2 * MARGIN) / max(len(days) - 1, 1)
    lines, legend = [], []
    for color, (label, values) in zip(COLORS, series.items(), strict=False):
        points = " ".join(
            f"{MARGIN + n * step:.1f},{HEIGHT - MARGIN - value / top * (HEIGHT - 2 * MARGIN):.1f}"
            for n, value in enumerate(values)
            if value is not None
        )
        lines.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{points}"/>')
        legend.append(f'<span style="color:{color}">━ {html.escape(label)}</span>')
    return (
        f"<h2>{html.escape(title)} per day</h2>\n"
        + (f"<p>{' '.join(legend)}</p>\n" if len(series) > 1 else "")
        + f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" role="img" '
        f'aria-label="{html.escape(title)}">{"".join(lines)}'
        f'<text x="{MARGIN}" y="{HEIGHT - 10}">{days[0]}</text>'
        f'<text x="{WIDTH - MARGIN}" y="{HEIGHT - 10}" text-anchor="end">{days[-1]}</text>'
        f'<text x="4" y="{MARGIN - 8}">max {top:,}</text></svg>'
    )


def _engagement(gold: pd.DataFrame, days: list[str]) -> str:
    """The tracked account's numbers as one chart, or why there are none."""
    if gold[ACCOUNT_COLUMNS].isna().all().all():
        return "<p>No day tracks an account: set TWEETS_ACCOUNT and materialize.</p>"
    series = {label: _values(gold[column]) for column, label in ENGAGEMENT.items()}
    return _chart(days, series, "Engagement with the tracked account")


def _top_hashtags(hashtags: pd.DataFrame | None) -> str:
    """The period's most used hashtags: posts and likes summed over its days."""
    if hashtags is None or hashtags.empty:
        return "<h2>Top hashtags</h2>\n<p>No hashtags in gold_daily_hashtags for these days.</p>"
    top = (
        hashtags.groupby("hashtag")
        .agg(
            posts=("tweets", "sum"),
            days=("date", "nunique"),
            likes=("like_count", lambda likes: likes.sum(min_count=1)),
        )
        .sort_values(["posts", "likes"], ascending=False)
        .head(TOP_HASHTAGS)
        .reset_index()
    )
    rows = "".join(
        f"<tr><td>#{html.escape(str(tag))}</td><td>{posts:,}</td><td>{days}</td>"
        f"<td>{'' if likes is None else f'{likes:,}'}</td></tr>"
        for tag, posts, days, likes in zip(
            top["hashtag"],
            _values(top["posts"]),
            _values(top["days"]),
            _values(top["likes"]),
            strict=True,
        )
    )
    return (
        f"<h2>Top hashtags</h2>\n<table><thead><tr><th>hashtag</th><th>posts</th><th>days</th>"
        f"<th>likes</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _incomplete(gold: pd.DataFrame) -> str:
    """A section naming the days gold does not call complete, with both counts."""
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


def render(gold: pd.DataFrame, hashtags: pd.DataFrame | None = None) -> str:
    """The HTML page for gold rows (`date` plus the SERIES columns), oldest day first, and
    gold_daily_hashtags' rows of those days."""
    days = [str(day) for day in gold["date"]]
    charts = "\n".join(
        _chart(days, {title: _values(gold[column])}, title) for column, title in SERIES.items()
    )
    return (
        "<!doctype html>\n<html><head><meta charset='utf-8'><title>tweet-lake: gold</title>"
        "</head><body style='font-family:sans-serif'>\n"
        f"<h1>gold_daily_counts, {days[0]} to {days[-1]} ({len(days)} days)</h1>\n"
        f"{_incomplete(gold)}\n{charts}\n{_engagement(gold, days)}\n{_top_hashtags(hashtags)}\n"
        f"{gold.to_html(index=False)}\n</body></html>\n"
    )


def write_report(gold: pd.DataFrame, hashtags: pd.DataFrame | None, path: Path) -> Path:
    """The page for `gold` at `path`, written whole: readers never see half a page."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".html.partial")
    partial.write_text(render(gold, hashtags), encoding="utf-8")
    partial.replace(path)
    return path


def main(config: settings.Settings, root: str, out: str | None) -> None:
    folder = local_folder(root)
    if out is None and folder is None:
        raise SystemExit(
            f"the lake at {root} is not a folder of this machine: give the page's path with --out"
        )
    path = Path(out) if out else Path(folder or ".") / "reports" / "gold_daily_counts.html"
    gold = read_table(root, "gold_daily_counts", None, None)
    first, last = gold["date"].min(), gold["date"].max()
    hashtags = read_table_if_any(root, "gold_daily_hashtags", first, last)
    path = write_report(gold, hashtags, path.absolute())
    print(f"wrote {path}")
    if config.dagster_home:
        with dg.DagsterInstance.get() as instance:
            instance.report_runless_asset_event(
                dg.AssetObservation(
                    asset_key="gold_daily_counts",
                    metadata={"report": dg.MetadataValue.path(str(path))},
                )
            )
