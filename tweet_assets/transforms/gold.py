"""Silver tweets → gold: one row of counts per day (with the tracked account's engagement) and
whether the day is complete; and one row per hashtag used each day."""

from datetime import date

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from tweet_assets.transforms.rules import BLOCKING_RULES, rule_flags

SUMMED_METRICS = ["retweet_count", "reply_count", "like_count", "quote_count"]
COMPLETENESS_COLUMNS = ["expected_tweets", "fetched_at", "complete"]
# The course's question: how much do people talk with the tracked account?
ACCOUNT_COLUMNS = ["account_posts", "account_replies", "account_conversation_posts"]
GOLD_COLUMNS = [
    "date",
    "weekday",
    "tweets",
    "authors",
    "conversations",
    "replies",
    *SUMMED_METRICS,
    *COMPLETENESS_COLUMNS,
    *ACCOUNT_COLUMNS,
]
HASHTAG_COLUMNS = ["date", "hashtag", "tweets", "authors", "like_count"]


def daily_counts(tweets: DataFrame, days: list[date], fetches: DataFrame) -> DataFrame:
    """Per day in `days`: tweets, distinct authors and conversations, replies, metric sums,
    and the day's completeness from its fetch record (`fetches`, lake.read_fetch_records).

    `tweets` is silver tweets, which holds one row per (`date`, `id`): posts are counted by
    rows, and only authors and conversations need distinct counts. Every day gets a row, a day
    without tweets a row of zeros; `weekday` is Mon..Sun. A metric sum is null when every post
    of the day lacks that metric (unknown is not zero), else the sum over the posts that have it.

    `complete` is the verdict bronze stored in the day's fetch record (lake.FetchRecord), the
    one bronze_tweets_complete gives; a day without a fetch record is not complete.

    The tracked account's numbers, for the account (and its id) in the day's fetch record:
    `account_posts`, its posts; `account_replies`, posts by others replying to it;
    `account_conversation_posts`, posts by others in a conversation the account posted in that
    day. Null on a day whose record tracks no account.
    """
    return daily_rows(tweets, days, fetches).select(*GOLD_COLUMNS)


def daily_rows(tweets: DataFrame, days: list[date], fetches: DataFrame) -> DataFrame:
    """`daily_counts`, then one boolean per BLOCKING_RULES flag (false on a day without posts):
    gold's numbers and the rules it enforces, in one pass over silver (and a pass over the
    account's own posts of the days)."""
    # Each post beside its day's account id, and whether the account posted in its
    # conversation that day: both sides are a handful of rows, broadcast to every task.
    accounts = F.broadcast(
        fetches.select("date", "account_id").where(F.col("account_id").isNotNull())
    )
    with_account = tweets.join(accounts, "date", "left")
    by_account = F.col("author_id") == F.col("account_id")
    conversations = (
        with_account.where(by_account)
        .select("date", "conversation_id", F.lit(True).alias("_in_account_conversation"))
        .distinct()
    )
    posts = with_account.join(F.broadcast(conversations), ["date", "conversation_id"], "left")
    by_others = ~by_account
    counts = posts.groupBy("date").agg(
        F.count("*").alias("tweets"),
        F.count_distinct("author_id").alias("authors"),
        F.count_distinct("conversation_id").alias("conversations"),
        F.count("in_reply_to_user_id").alias("replies"),
        *[F.sum(metric).cast("long").alias(metric) for metric in SUMMED_METRICS],
        F.count_if(by_account).alias("account_posts"),
        F.count_if(by_others & (F.col("in_reply_to_user_id") == F.col("account_id"))).alias(
            "account_replies"
        ),
        F.count_if(by_others & F.col("_in_account_conversation")).alias(
            "account_conversation_posts"
        ),
        *rule_flags(BLOCKING_RULES),
    )
    calendar = tweets.sparkSession.range(1).select(
        F.explode(F.array(*[F.lit(day) for day in days])).alias("date")
    )
    fetched = fetches.select("date", "account_id", "expected_tweets", "fetched_at", "complete")
    # A day without posts sums to zero; a day whose posts all lack a metric sums to null.
    filled: dict[str, Column] = {
        metric: F.when(F.col("tweets") == 0, F.lit(0).cast("long"))
        .otherwise(F.col(metric))
        .alias(metric)
        for metric in SUMMED_METRICS
    }
    filled["complete"] = F.coalesce(F.col("complete"), F.lit(False)).alias("complete")
    # Zero on a day the account was tracked; null (unknown) on a day it was not.
    for name in ACCOUNT_COLUMNS:
        filled[name] = (
            F.when(F.col("account_id").isNotNull(), F.coalesce(F.col(name), F.lit(0)))
            .cast("long")
            .alias(name)
        )
    return (
        calendar.join(counts, "date", "left")
        .join(fetched, "date", "left")
        .na.fill(0, ["tweets", "authors", "conversations", "replies"])
        .na.fill(False, list(BLOCKING_RULES))
        .withColumn("weekday", F.date_format("date", "EEE"))
        .select(*[filled.get(name, name) for name in [*GOLD_COLUMNS, *BLOCKING_RULES]])
    )


def daily_hashtags(tweets: DataFrame) -> DataFrame:
    """One row per (day, hashtag) of silver tweets (HASHTAG_COLUMNS): the distinct posts and
    authors using the hashtag that day, and the sum of those posts' likes (null when none had
    metrics). Silver's `hashtags` are lower-cased and hold each tag once, and silver holds one
    row per post and day, so a post counts once per hashtag."""
    used = tweets.select("date", "author_id", "like_count", F.explode("hashtags").alias("hashtag"))
    return used.groupBy("date", "hashtag").agg(
        F.count("*").alias("tweets"),
        F.count_distinct("author_id").alias("authors"),
        F.sum("like_count").cast("long").alias("like_count"),
    )


def hashtag_leaders(hashtags: DataFrame, top: int) -> DataFrame:
    """The `top` hashtags of each day of `hashtags` (daily_hashtags), most posts first (ties by
    name): `date`, `hashtag`, `tweets` and `used`, how many hashtags the day used."""
    ranked = Window.partitionBy("date").orderBy(F.desc("tweets"), "hashtag")
    return (
        hashtags.withColumn("_rank", F.row_number().over(ranked))
        .withColumn("used", F.count("*").over(Window.partitionBy("date")))
        .where(F.col("_rank") <= top)
        .orderBy("date", "_rank")
        .select("date", "hashtag", "tweets", "used")
    )
