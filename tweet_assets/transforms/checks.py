"""What the asset checks compute, per day, as Spark frames of `date` and one boolean per problem
(each `*_PROBLEMS` says what a true flag means). The checks (assets.checks) turn the rows into
verdicts; bench/bare_spark.py runs the same frames without Dagster."""

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from tweet_assets.transforms.gold import SUMMED_METRICS
from tweet_assets.transforms.silver import posts_from_pages

USER_PROBLEMS = {"duplicate": "a user id is null or appears twice"}
COUNT_PROBLEMS = {
    "mismatch": "tweets differ from silver's post ids",
    "negative": "a sum is negative",
}
HASHTAG_PROBLEMS = {
    "repeated": "a hashtag is listed twice",
    "not_lower": "a hashtag is not lower-case, is empty or starts with #",
    "authors": "a hashtag has more authors than posts, or no posts",
    "mismatch": "posts per hashtag differ from silver's hashtag uses",
}


def bronze_post_ids(pages: DataFrame) -> DataFrame:
    """Per day of parsed bronze pages: `date` and `ids`, its distinct post ids (of the posts
    silver can place on the day)."""
    return posts_from_pages(pages).groupBy("date").agg(F.count_distinct("id").alias("ids"))


def user_problems(silver_users: DataFrame) -> DataFrame:
    """USER_PROBLEMS per day of silver users."""
    return silver_users.groupBy("date").agg(
        (F.count("*") != F.count_distinct("id")).alias("duplicate")
    )


def count_problems(gold_daily_counts: DataFrame, silver_tweets: DataFrame) -> DataFrame:
    """COUNT_PROBLEMS per day of gold_daily_counts, against silver tweets."""
    silver_ids = silver_tweets.groupBy("date").agg(F.count_distinct("id").alias("silver_ids"))
    return gold_daily_counts.join(silver_ids, "date", "left").select(
        "date",
        (F.col("tweets") != F.coalesce("silver_ids", F.lit(0))).alias("mismatch"),
        F.coalesce(
            F.greatest(*[F.col(metric) < 0 for metric in SUMMED_METRICS]), F.lit(False)
        ).alias("negative"),
    )


def hashtag_problems(gold_daily_hashtags: DataFrame, silver_tweets: DataFrame) -> DataFrame:
    """HASHTAG_PROBLEMS per day of gold_daily_hashtags or silver tweets."""
    uses = silver_tweets.groupBy("date").agg(F.sum(F.size("hashtags")).alias("uses"))
    tag = F.col("hashtag")
    return (
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
