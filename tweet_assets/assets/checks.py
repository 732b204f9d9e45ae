"""Asset checks: is each day of silver and gold right? Evaluated after every materialization.

A run covers one day or a range of days; each check gives every day of the run its own verdict
(`verdicts.day_verdict`), with what is wrong on that day in its metadata. The two row-level
checks of silver_tweets are blocking: when one fails, gold is not computed in that run, and gold
refuses such a day in any other run too (transforms.rules).
"""

from collections.abc import Iterable

import dagster as dg
from pyspark.sql import DataFrame, Row
from pyspark.sql import functions as F

from tweet_assets.assets.gold import gold_daily_counts, gold_daily_hashtags
from tweet_assets.assets.silver import BRONZE_PAGES, silver_tweets, silver_users
from tweet_assets.assets.verdicts import Verdicts, daily_check, day_verdict, verdict_targets
from tweet_assets.partitions import days_in_window
from tweet_assets.transforms.gold import SUMMED_METRICS
from tweet_assets.transforms.rules import DAY_RULES, KEY_RULES, rule_breaks
from tweet_assets.transforms.silver import posts_from_pages


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


@daily_check(silver_tweets, blocking=True)
def silver_tweets_keys_unique_and_present(
    context: dg.AssetCheckExecutionContext, silver_tweets: DataFrame
) -> Verdicts:
    """Each post once a day, and every post has an id, an author_id and a created_at.
    Blocking: gold is not computed from a day that fails."""
    yield from _rule_verdicts(context, silver_tweets, KEY_RULES)


@daily_check(silver_tweets, blocking=True)
def silver_tweets_created_inside_their_day(
    context: dg.AssetCheckExecutionContext, silver_tweets: DataFrame
) -> Verdicts:
    """Every post's created_at (UTC) falls on its partition's day. Blocking: a post filed under
    the wrong day would be counted on the wrong day in gold."""
    yield from _rule_verdicts(context, silver_tweets, DAY_RULES)


@daily_check(silver_tweets, additional_ins={"bronze_tweets": BRONZE_PAGES})
def silver_tweets_match_bronze_ids(
    context: dg.AssetCheckExecutionContext, silver_tweets: DataFrame, bronze_tweets: DataFrame
) -> Verdicts:
    """Silver holds exactly one row per distinct post id of the day's bronze pages (of the posts
    that can be placed on the day: see BAD_RECORD_REASONS)."""
    bronze_ids = (
        posts_from_pages(bronze_tweets)
        .groupBy("date")
        .agg(F.count_distinct("id").alias("bronze_ids"))
    )
    rows = silver_tweets.groupBy("date").agg(F.count("*").alias("rows"))
    per_day = bronze_ids.join(rows, "date", "full").select(
        "date",
        (F.coalesce("rows", F.lit(0)) != F.coalesce("bronze_ids", F.lit(0))).alias("mismatch"),
    )
    yield from _verdicts(
        context, per_day.collect(), {"mismatch": "silver rows differ from bronze's post ids"}
    )


@daily_check(silver_users)
def silver_users_ids_unique(
    context: dg.AssetCheckExecutionContext, silver_users: DataFrame
) -> Verdicts:
    """Each author once a day."""
    per_day = silver_users.groupBy("date").agg(
        (F.count("*") != F.count_distinct("id")).alias("duplicate")
    )
    yield from _verdicts(
        context, per_day.collect(), {"duplicate": "a user id is null or appears twice"}
    )


@daily_check(gold_daily_counts, additional_ins={"silver_tweets": dg.AssetIn()})
def gold_counts_match_silver(
    context: dg.AssetCheckExecutionContext, gold_daily_counts: DataFrame, silver_tweets: DataFrame
) -> Verdicts:
    """Each day's `tweets` equals silver's distinct post ids that day, and no sum is negative."""
    silver_ids = silver_tweets.groupBy("date").agg(F.count_distinct("id").alias("silver_ids"))
    per_day = gold_daily_counts.join(silver_ids, "date", "left").select(
        "date",
        (F.col("tweets") != F.coalesce("silver_ids", F.lit(0))).alias("mismatch"),
        F.coalesce(
            F.greatest(*[F.col(metric) < 0 for metric in SUMMED_METRICS]), F.lit(False)
        ).alias("negative"),
    )
    yield from _verdicts(
        context,
        per_day.collect(),
        {"mismatch": "tweets differ from silver's post ids", "negative": "a sum is negative"},
    )


@daily_check(gold_daily_hashtags, additional_ins={"silver_tweets": dg.AssetIn()})
def gold_hashtags_match_silver(
    context: dg.AssetCheckExecutionContext,
    gold_daily_hashtags: DataFrame,
    silver_tweets: DataFrame,
) -> Verdicts:
    """Each day's hashtags are lower-case and listed once, no hashtag has more authors than
    posts, and the day's posts per hashtag add up to silver's hashtag uses that day."""
    uses = silver_tweets.groupBy("date").agg(F.sum(F.size("hashtags")).alias("uses"))
    tag = F.col("hashtag")
    per_day = (
        gold_daily_hashtags.groupBy("date")
        .agg(
            (F.count("*") != F.count_distinct(tag)).alias("repeated"),
            F.max((tag != F.lower(tag)) | (tag == "") | tag.startswith("#")).alias("not_lower"),
            F.max((F.col("authors") > F.col("tweets")) | (F.col("tweets") < 1)).alias("authors"),
            F.sum("tweets").alias("tweets"),
        )
        .join(uses, "date", "full")
        .select(
            "date",
            F.coalesce("repeated", F.lit(False)).alias("repeated"),
            F.coalesce("not_lower", F.lit(False)).alias("not_lower"),
            F.coalesce("authors", F.lit(False)).alias("authors"),
            (F.coalesce("tweets", F.lit(0)) != F.coalesce("uses", F.lit(0))).alias("mismatch"),
        )
    )
    yield from _verdicts(
        context,
        per_day.collect(),
        {
            "repeated": "a hashtag is listed twice",
            "not_lower": "a hashtag is not lower-case, is empty or starts with #",
            "authors": "a hashtag has more authors than posts, or no posts",
            "mismatch": "posts per hashtag differ from silver's hashtag uses",
        },
    )


ASSET_CHECKS = [
    silver_tweets_keys_unique_and_present,
    silver_tweets_created_inside_their_day,
    silver_tweets_match_bronze_ids,
    silver_users_ids_unique,
    gold_counts_match_silver,
    gold_hashtags_match_silver,
]
