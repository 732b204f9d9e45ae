"""Asset checks: is each day of silver and gold right? Evaluated after every materialization.

A run covers one day or a range of days; each check gives every day of the run its own verdict
(`verdicts.day_verdict`), with what is wrong on that day in its metadata. The two row-level
checks of silver_tweets are blocking: when one fails, gold is not computed in that run, and gold
refuses such a day in any other run too (transforms.rules).
"""

from collections.abc import Iterable

import dagster as dg
from pyspark.sql import DataFrame, Row

from tweet_assets.assets.gold import gold_daily_counts, gold_daily_hashtags
from tweet_assets.assets.silver import TWEETS, USERS
from tweet_assets.assets.verdicts import Verdicts, daily_check, day_verdict, verdict_targets
from tweet_assets.partitions import days_in_window
from tweet_assets.transforms.checks import (
    COUNT_PROBLEMS,
    HASHTAG_PROBLEMS,
    USER_PROBLEMS,
    count_problems,
    hashtag_problems,
    user_problems,
)
from tweet_assets.transforms.rules import DAY_RULES, KEY_RULES, rule_breaks


def _verdicts(
    context: dg.AssetCheckExecutionContext,
    rows: Iterable[Row],
    problem_of: dict[str, str],
    blocking: bool = False,
) -> Verdicts:
    """One verdict per day of the run: it fails when the day's row has a true `problem_of`
    column. `rows` hold at most one row per day: `date` and a boolean column per problem; a
    day without a row has nothing wrong."""
    [spec] = context.check_specs
    by_day = {row["date"].isoformat(): row for row in rows}
    targets = verdict_targets(context, spec.asset_key)
    for day in (day.isoformat() for day in days_in_window(context.partition_time_window)):
        row = by_day.get(day)
        problems = [text for column, text in problem_of.items() if row and row[column]]
        yield day_verdict(
            spec.key,
            day,
            targets,
            passed=not problems,
            metadata={"problems": problems},
            description=f"{day}: {'; '.join(problems)}" if problems else None,
            blocking=blocking,
        )
    # The check's own output, which downstream steps wait on; the verdicts above are its result.
    yield dg.Output(None)


def _rule_verdicts(
    context: dg.AssetCheckExecutionContext, silver_tweets: DataFrame, rules: dict[str, str]
) -> Verdicts:
    """Blocking verdicts on the days of silver tweets that break one of `rules`."""
    yield from _verdicts(context, rule_breaks(silver_tweets, rules).collect(), rules, blocking=True)


@daily_check(TWEETS, blocking=True)
def silver_tweets_keys_unique_and_present(
    context: dg.AssetCheckExecutionContext, silver_tweets: DataFrame
) -> Verdicts:
    """Each post once a day, and every post has an id, an author_id and a created_at.
    Blocking: gold is not computed from a day that fails."""
    yield from _rule_verdicts(context, silver_tweets, KEY_RULES)


@daily_check(TWEETS, blocking=True)
def silver_tweets_created_inside_their_day(
    context: dg.AssetCheckExecutionContext, silver_tweets: DataFrame
) -> Verdicts:
    """Every post's created_at (UTC) falls on its partition's day. Blocking: a post filed under
    the wrong day would be counted on the wrong day in gold."""
    yield from _rule_verdicts(context, silver_tweets, DAY_RULES)


@daily_check(USERS)
def silver_users_ids_unique(
    context: dg.AssetCheckExecutionContext, silver_users: DataFrame
) -> Verdicts:
    """Each author once a day."""
    yield from _verdicts(context, user_problems(silver_users).collect(), USER_PROBLEMS)


@daily_check(gold_daily_counts, additional_ins={"silver_tweets": dg.AssetIn()})
def gold_counts_match_silver(
    context: dg.AssetCheckExecutionContext, gold_daily_counts: DataFrame, silver_tweets: DataFrame
) -> Verdicts:
    """Each day's `tweets` equals silver's distinct post ids that day, and no sum is negative."""
    rows = count_problems(gold_daily_counts, silver_tweets).collect()
    yield from _verdicts(context, rows, COUNT_PROBLEMS)


@daily_check(gold_daily_hashtags, additional_ins={"silver_tweets": dg.AssetIn()})
def gold_hashtags_match_silver(
    context: dg.AssetCheckExecutionContext,
    gold_daily_hashtags: DataFrame,
    silver_tweets: DataFrame,
) -> Verdicts:
    """Each day's hashtags are lower-case and listed once, no hashtag has more authors than
    posts, and the day's posts per hashtag add up to silver's hashtag uses that day."""
    rows = hashtag_problems(gold_daily_hashtags, silver_tweets).collect()
    yield from _verdicts(context, rows, HASHTAG_PROBLEMS)


ASSET_CHECKS = [
    silver_tweets_keys_unique_and_present,
    silver_tweets_created_inside_their_day,
    silver_users_ids_unique,
    gold_counts_match_silver,
    gold_hashtags_match_silver,
]
