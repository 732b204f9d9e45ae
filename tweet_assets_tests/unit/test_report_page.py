"""The report's page, drawn from gold rows: no Spark needed."""

import pandas as pd

from tweet_assets.cli.report import render
from tweet_assets.transforms.gold import ACCOUNT_COLUMNS


def test_the_report_names_incomplete_days_and_plots_no_point_for_unknown_likes() -> None:
    gold = pd.DataFrame(
        {
            "date": ["2026-11-20", "2026-11-21", "2026-11-22"],
            "tweets": [10, 4, 6],
            "authors": [3, 2, 2],
            "like_count": [None, 7, 9],
            "expected_tweets": [10, 40, None],
            "complete": [True, False, False],
            **{column: [None] * 3 for column in ACCOUNT_COLUMNS},
        }
    )

    page = render(gold)

    assert "2 of 3 days are not complete" in page
    assert "<li>2026-11-21: 4 posts fetched of 40 the API counts</li>" in page
    assert "<li>2026-11-22: 6 posts fetched of an unknown number the API counts</li>" in page
    likes = page.split("likes per day")[1].split("</svg>")[0]
    points = likes.split('points="')[1].split('"')[0].split()
    assert len(points) == 2  # the day without known likes has no point


def test_the_report_sums_hashtags_over_its_days_and_says_when_no_account_is_tracked() -> None:
    gold = pd.DataFrame(
        {
            "date": ["2026-11-20", "2026-11-21"],
            "tweets": [10, 4],
            "authors": [3, 2],
            "like_count": [5, 7],
            "expected_tweets": [10, 4],
            "complete": [True, True],
            "account_posts": [None, None],
            "account_replies": [None, None],
            "account_conversation_posts": [None, None],
        }
    )
    hashtags = pd.DataFrame(
        {
            "date": ["2026-11-20", "2026-11-20", "2026-11-21"],
            "hashtag": ["spark", "sql", "spark"],
            "tweets": [3, 4, 2],
            "authors": [2, 1, 2],
            "like_count": [10, None, 1],
        }
    )

    page = render(gold, hashtags)

    assert "No day tracks an account" in page
    top = page.split("<h2>Top hashtags</h2>")[1].split("</table>")[0]
    rows = top.split("<tbody>")[1].split("</tr>")
    assert rows[0] == "<tr><td>#spark</td><td>5</td><td>2</td><td>11</td>"
    assert rows[1] == "<tr><td>#sql</td><td>4</td><td>1</td><td></td>"
