"""The silver transformation in DuckDB, for comparison with Spark on the same bronze.

Bronze's pages are first exported from its Delta table (delta-rs) as JSON Lines by day, untimed.
The same work as tweet_assets.transforms.silver: bronze pages read schema-on-read with an
explicit type, posts and users unnested and typed (the posts' hashtags, mentions, links and
first reference's type too), one copy per (day, id) kept (the one with the highest counts),
written as Parquet partitioned by day. Prints the seconds as JSON.
Usage: python bench/duckdb_silver.py BRONZE_TABLE OUT_DIR
"""

import json
import sys
import time
from pathlib import Path

import duckdb
from deltalake import DeltaTable

from tweet_assets.transforms.silver import METRIC_FIELDS

METRICS = "STRUCT({})".format(", ".join(f"{name} BIGINT" for name in METRIC_FIELDS))
TWEET = (
    "STRUCT(id VARCHAR, text VARCHAR, author_id VARCHAR, conversation_id VARCHAR, "
    "in_reply_to_user_id VARCHAR, created_at VARCHAR, lang VARCHAR, "
    f"public_metrics {METRICS}, edit_history_tweet_ids VARCHAR[], "
    "edit_history_post_ids VARCHAR[], "
    "entities STRUCT(hashtags STRUCT(tag VARCHAR)[], "
    "mentions STRUCT(username VARCHAR, tag VARCHAR)[], "
    "urls STRUCT(url VARCHAR, expanded_url VARCHAR)[]), "
    "referenced_tweets STRUCT(type VARCHAR, id VARCHAR)[], "
    "referenced_posts STRUCT(type VARCHAR, id VARCHAR)[])"
)
USER = (
    "STRUCT(id VARCHAR, name VARCHAR, username VARCHAR, created_at VARCHAR, verified BOOLEAN, "
    f"public_metrics {METRICS})"
)

TWEETS = """
SELECT date, t.id, t.author_id, t.conversation_id, t.in_reply_to_user_id,
       TRY_CAST(t.created_at AS TIMESTAMPTZ) AS created_at, t.lang, t.text,
       coalesce(t.public_metrics.retweet_count, t.public_metrics.repost_count) AS retweet_count,
       t.public_metrics.reply_count, t.public_metrics.like_count, t.public_metrics.quote_count,
       t.public_metrics.impression_count,
       coalesce(t.edit_history_tweet_ids, t.edit_history_post_ids) AS edit_history_tweet_ids,
       coalesce(list_distinct(list_filter(
           [lower(regexp_replace(h.tag, '^#', '')) FOR h IN t.entities.hashtags], lambda x: x <> ''
       )), []) AS hashtags,
       coalesce(list_distinct(list_filter(
           [coalesce(m.username, m.tag) FOR m IN t.entities.mentions], lambda x: x <> ''
       )), []) AS mentions,
       coalesce(list_distinct(list_filter(
           [coalesce(u.expanded_url, u.url) FOR u IN t.entities.urls], lambda x: x <> ''
       )), []) AS urls,
       CASE coalesce(t.referenced_tweets, t.referenced_posts)[1].type
           WHEN 'reposted' THEN 'retweeted'
           ELSE coalesce(t.referenced_tweets, t.referenced_posts)[1].type
       END AS referenced_type
FROM (SELECT date, unnest(data) AS t FROM pages)
WHERE t.id IS NOT NULL
QUALIFY row_number() OVER (
    PARTITION BY date, t.id
    ORDER BY t.public_metrics.impression_count DESC NULLS LAST,
             t.public_metrics.like_count DESC NULLS LAST,
             retweet_count DESC NULLS LAST,
             t.public_metrics.reply_count DESC NULLS LAST,
             t.public_metrics.quote_count DESC NULLS LAST
) = 1
"""
USERS = """
SELECT date, u.id, u.name, u.username, TRY_CAST(u.created_at AS TIMESTAMPTZ) AS created_at,
       u.verified, u.public_metrics.followers_count, u.public_metrics.following_count,
       u.public_metrics.tweet_count, u.public_metrics.listed_count
FROM (SELECT date, unnest(includes.users) AS u FROM pages)
WHERE u.id IS NOT NULL
QUALIFY row_number() OVER (
    PARTITION BY date, u.id
    ORDER BY u.public_metrics.tweet_count DESC NULLS LAST,
             u.public_metrics.followers_count DESC NULLS LAST,
             u.public_metrics.listed_count DESC NULLS LAST,
             u.public_metrics.following_count DESC NULLS LAST
) = 1
"""


def export_pages(bronze: str, folder: Path) -> str:
    """Bronze's Delta table as day folders of JSON Lines pages (read by delta-rs), the input
    DuckDB's JSON reader takes; a glob of them."""
    frame = DeltaTable(bronze).to_pandas(columns=["value", "seq", "date"])
    frame = frame.dropna(subset=["value"]).sort_values(["date", "seq"])
    for day, pages in frame.groupby("date"):
        day_folder = folder / f"date={day}"
        day_folder.mkdir(parents=True, exist_ok=True)  # the median's runs share `folder`
        (day_folder / "pages.txt").write_text("".join(f"{page}\n" for page in pages["value"]))
    return f"{folder}/date=*/*.txt"


def main(bronze: str, out: str) -> dict[str, float]:
    files = export_pages(bronze, Path(out) / "bronze-pages").replace("'", "''")
    started = time.perf_counter()
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    columns = {"data": f"{TWEET}[]", "includes": f"STRUCT(users {USER}[])"}
    con.execute(
        f"CREATE VIEW pages AS SELECT * FROM read_json('{files}', format = 'newline_delimited', "
        f"hive_partitioning = true, hive_types = {{'date': 'DATE'}}, columns = {columns!r})"
    )
    for table, query in (("tweets", TWEETS), ("users", USERS)):
        con.execute(
            f"COPY ({query}) TO '{out}/silver/{table}' "
            "(FORMAT parquet, PARTITION_BY (date), OVERWRITE_OR_IGNORE)"
        )
    return {"silver": time.perf_counter() - started}


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:3])))
