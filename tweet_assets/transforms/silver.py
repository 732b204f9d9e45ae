"""Bronze pages → typed, deduplicated silver tables.

Bronze is read schema-on-read with one explicit page schema, PAGE_SCHEMA: fields the API adds
later are ignored, fields it leaves out (old answers without `impression_count`, pages holding
only `id,text`) come through as nulls, and a day answered `{"meta":{"result_count":0}}` has no
rows. The functions here take those parsed pages (`date`, `data`, `includes`, `_corrupt_record`).

Bad records never fail silver's day and never take a good record with them; each is counted in
the materialization's `bad_records` (README "Reliability"):
- a line that is not JSON, or whose `data` is not a list, gives no posts (its users still
  count): an unreadable page. A field of the wrong type in one post becomes null in that post
  only (Spark's partial results), and its page counts as unreadable too;
- a post without an id cannot be deduplicated: it is skipped;
- a post without a readable `created_at`, or created on another day, is kept under the day the
  API filed it on; silver's blocking checks then hold gold back for that day;
- a post without `public_metrics` is kept with null counts, unknown fields are ignored, and a
  post seen twice is kept once: none of these is a bad record.

What the API says about each post is kept as arrays: `hashtags` (lower-cased, without `#`, each
once), `mentions` (usernames, each once), `urls` (expanded where the API expanded them), empty
when the post has none; and `referenced_type`, the type of its first reference (`replied_to`,
`quoted`, `retweeted`), null for a post that references none.
"""

from pyspark import StorageLevel
from pyspark.sql import Column, DataFrame, Observation, Window
from pyspark.sql import functions as F
from pyspark.sql.types import (
    ArrayType,
    BooleanType,
    LongType,
    StringType,
    StructField,
    StructType,
)

# The `public_metrics` counts of posts and users that silver reads, under every name the API
# has used for them.
METRIC_FIELDS = (
    "retweet_count",
    "repost_count",
    "reply_count",
    "like_count",
    "quote_count",
    "bookmark_count",
    "impression_count",
    "followers_count",
    "following_count",
    "tweet_count",
    "listed_count",
)
_METRICS = StructType([StructField(name, LongType()) for name in METRIC_FIELDS])
_REFERENCES = ArrayType(
    StructType([StructField("type", StringType()), StructField("id", StringType())])
)
_ENTITIES = StructType(
    [
        StructField("hashtags", ArrayType(StructType([StructField("tag", StringType())]))),
        # Mentions carried their username as `tag` in early versions of API v2.
        StructField(
            "mentions",
            ArrayType(
                StructType(
                    [StructField("username", StringType()), StructField("tag", StringType())]
                )
            ),
        ),
        StructField(
            "urls",
            ArrayType(
                StructType(
                    [StructField("url", StringType()), StructField("expanded_url", StringType())]
                )
            ),
        ),
    ]
)
_TWEET = StructType(
    [
        StructField("id", StringType()),
        StructField("text", StringType()),
        StructField("author_id", StringType()),
        StructField("conversation_id", StringType()),
        StructField("in_reply_to_user_id", StringType()),
        StructField("created_at", StringType()),
        StructField("lang", StringType()),
        StructField("public_metrics", _METRICS),
        StructField("edit_history_tweet_ids", ArrayType(StringType())),
        StructField("edit_history_post_ids", ArrayType(StringType())),
        StructField("entities", _ENTITIES),
        StructField("referenced_tweets", _REFERENCES),
        StructField("referenced_posts", _REFERENCES),
    ]
)
_USER = StructType(
    [
        StructField("id", StringType()),
        StructField("name", StringType()),
        StructField("username", StringType()),
        StructField("created_at", StringType()),
        StructField("verified", BooleanType()),
        StructField("public_metrics", _METRICS),
    ]
)
# Spark's JSON reader puts a line it cannot read whole here (and reads what it can of it).
CORRUPT_RECORD = "_corrupt_record"
PAGE_SCHEMA = StructType(
    [
        StructField("data", ArrayType(_TWEET)),
        StructField("includes", StructType([StructField("users", ArrayType(_USER))])),
        StructField(CORRUPT_RECORD, StringType()),
    ]
)
# The kinds of bad record silver counts, and what it does with each.
BAD_RECORD_REASONS = {
    "unreadable_pages": "a bronze line not JSON or with a field of the wrong type: read in part",
    "posts_without_id": "a post without an id: skipped",
    "posts_without_created_at": "a post without a readable created_at: kept, blocks gold",
    "posts_outside_their_day": "a post created on another UTC day: kept, blocks gold",
}

# Also observed with the bad records: posts read without `public_metrics` (copies included).
WITHOUT_METRICS = "posts_without_metrics"

TWEET_COLUMNS = [
    "id",
    "author_id",
    "conversation_id",
    "in_reply_to_user_id",
    "created_at",
    "lang",
    "text",
    "retweet_count",
    "reply_count",
    "like_count",
    "quote_count",
    "impression_count",
    "edit_history_tweet_ids",
    "hashtags",
    "mentions",
    "urls",
    "referenced_type",
]
USER_COLUMNS = [
    "id",
    "name",
    "username",
    "created_at",
    "verified",
    "followers_count",
    "following_count",
    "tweet_count",
    "listed_count",
]


def _timestamp(column: str) -> Column:
    # ISO 8601 with a zone (`...T23:59:59.999Z`, `+00:00`); anything else becomes null.
    return F.col(column).try_cast("timestamp")


def _each_once(values: Column) -> Column:
    """The array `values` without nulls, empty strings and repeats, in order; empty for none."""
    present = F.array_remove(F.array_compact(values), F.lit(""))
    return F.coalesce(F.array_distinct(present), F.array().cast(ArrayType(StringType())))


def _entity_columns() -> list[Column]:
    """`hashtags`, `mentions` and `urls` of the exploded post `t`.

    Built from whole arrays (a field of an array of structs is an array) rather than a lambda
    per entity: Spark interprets lambdas row by row, which cost silver about a second per
    million posts. A hashtag is letters, digits and underscores, so a space can join and split
    them; only the URLs' choice between two fields takes a lambda.
    """
    entities = F.col("t.entities")
    joined = F.lower(F.array_join(entities["hashtags"]["tag"], " "))
    tags = F.split(F.regexp_replace(joined, "(^| )#+", "$1"), " ")
    mentions = entities["mentions"]
    urls = entities["urls"]
    return [
        _each_once(tags).alias("hashtags"),
        # Each mention has one of the two spellings: the other's array is all nulls.
        _each_once(F.concat(mentions["username"], mentions["tag"])).alias("mentions"),
        _each_once(
            F.zip_with(
                urls["expanded_url"], urls["url"], lambda long, short: F.coalesce(long, short)
            )
        ).alias("urls"),
    ]


def _keep_latest_copy(rows: DataFrame, columns: list[str], freshest_first: list[str]) -> DataFrame:
    """One row per (`date`, `id`): the copy with the highest `freshest_first` values.

    The same post can come back on two pages of a day; counts only grow, so the copy with the
    larger counts is the later snapshot. Ties are broken by every other column, so the result
    never depends on the order the pages were read in. A window rather than an aggregate: one
    shuffle and one sort, with no pre-shuffle pass over rows that are nearly all unique.
    """
    ordered = freshest_first + [c for c in columns if c not in freshest_first and c != "id"]
    copies = Window.partitionBy("date", "id").orderBy(*[F.desc_nulls_last(c) for c in ordered])
    return (
        rows.withColumn("_copy", F.row_number().over(copies))
        .where(F.col("_copy") == 1)
        .select("date", *columns)
    )


def _referenced_type() -> Column:
    """The type of a post's first reference; newer API versions say posts and reposts."""
    first = F.get(F.coalesce("t.referenced_tweets", "t.referenced_posts"), 0)["type"]
    return F.when(first == "reposted", F.lit("retweeted")).otherwise(first)


def parsed_once(pages: DataFrame) -> DataFrame:
    """The columns of parsed `pages` that silver reads, kept in Spark's cache (in memory, on
    disk where memory runs short) until `unpersist()`: the first job that reads them parses
    the JSON, and every later one reads the parsed pages."""
    return pages.select("date", CORRUPT_RECORD, "data", "includes").persist(
        StorageLevel.MEMORY_AND_DISK
    )


def posts_from_pages(pages: DataFrame, bad_records: Observation | None = None) -> DataFrame:
    """Every post with an id, typed, under the day of its page; duplicates and all.

    With `bad_records`, the counts of BAD_RECORD_REASONS are observed while the posts are read
    (they cost no pass of their own): the observation's metrics hold one count per reason, and
    WITHOUT_METRICS.
    """
    # posexplode_outer keeps pages without posts for a moment, so unreadable ones are counted.
    exploded = pages.select("date", CORRUPT_RECORD, F.posexplode_outer("data").alias("pos", "t"))
    metrics = "t.public_metrics"
    typed = exploded.select(
        "date",
        (F.col(CORRUPT_RECORD).isNotNull() & (F.coalesce("pos", F.lit(0)) == 0)).alias(
            "_unreadable"
        ),
        F.col("t").isNotNull().alias("_post"),
        F.col("t.public_metrics").isNull().alias("_no_metrics"),
        F.col("t.id").alias("id"),
        F.col("t.author_id").alias("author_id"),
        F.col("t.conversation_id").alias("conversation_id"),
        F.col("t.in_reply_to_user_id").alias("in_reply_to_user_id"),
        _timestamp("t.created_at").alias("created_at"),
        F.col("t.lang").alias("lang"),
        F.col("t.text").alias("text"),
        # The API renamed retweets to reposts; accept either spelling.
        F.coalesce(f"{metrics}.retweet_count", f"{metrics}.repost_count").alias("retweet_count"),
        F.col(f"{metrics}.reply_count").alias("reply_count"),
        F.col(f"{metrics}.like_count").alias("like_count"),
        F.col(f"{metrics}.quote_count").alias("quote_count"),
        F.col(f"{metrics}.impression_count").alias("impression_count"),
        # Newer API versions say posts where older ones said tweets.
        F.coalesce("t.edit_history_tweet_ids", "t.edit_history_post_ids").alias(
            "edit_history_tweet_ids"
        ),
        *_entity_columns(),
        _referenced_type().alias("referenced_type"),
    )
    post, kept = F.col("_post"), F.col("_post") & F.col("id").isNotNull()
    created_on = F.to_date("created_at")
    if bad_records is not None:
        typed = typed.observe(
            bad_records,
            F.count_if("_unreadable").alias("unreadable_pages"),
            F.count_if(post & F.col("id").isNull()).alias("posts_without_id"),
            F.count_if(kept & created_on.isNull()).alias("posts_without_created_at"),
            F.count_if(kept & (created_on != F.col("date"))).alias("posts_outside_their_day"),
            # Not a bad record: kept with null counts, which gold sums as unknown, not zero.
            F.count_if(kept & F.col("_no_metrics")).alias(WITHOUT_METRICS),
        )
    return typed.where(kept).select("date", *TWEET_COLUMNS)


def tweets_from_pages(pages: DataFrame, bad_records: Observation | None = None) -> DataFrame:
    """Silver tweets: one row per post id and day, columns TWEET_COLUMNS plus `date`."""
    freshest = ["impression_count", "like_count", "retweet_count", "reply_count", "quote_count"]
    return _keep_latest_copy(posts_from_pages(pages, bad_records), TWEET_COLUMNS, freshest)


def users_from_pages(pages: DataFrame) -> DataFrame:
    """Silver users: one row per user id and day, columns USER_COLUMNS plus `date`."""
    users = pages.select("date", F.explode("includes.users").alias("u"))
    metrics = "u.public_metrics"
    typed = users.where(F.col("u.id").isNotNull()).select(
        "date",
        F.col("u.id").alias("id"),
        F.col("u.name").alias("name"),
        F.col("u.username").alias("username"),
        _timestamp("u.created_at").alias("created_at"),
        F.col("u.verified").alias("verified"),
        F.col(f"{metrics}.followers_count").alias("followers_count"),
        F.col(f"{metrics}.following_count").alias("following_count"),
        F.col(f"{metrics}.tweet_count").alias("tweet_count"),
        F.col(f"{metrics}.listed_count").alias("listed_count"),
    )
    freshest = ["tweet_count", "followers_count", "listed_count", "following_count"]
    return _keep_latest_copy(typed, USER_COLUMNS, freshest)
