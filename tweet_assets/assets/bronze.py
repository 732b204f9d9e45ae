"""bronze_tweets: the search pages of each UTC day, exactly as the source sent them."""

import dagster as dg

from tweet_assets.partitions import daily_partitions, day_bounds, days_in_window
from tweet_assets.raw_pages import RawPages
from tweet_assets.resources.twitter import TwitterResource


@dg.asset(
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name="bronze",
    kinds={"python", "json"},
)
def bronze_tweets(context: dg.AssetExecutionContext, twitter: TwitterResource) -> dg.Output:
    """Raw X API v2 recent-search pages per UTC day, one JSON response per line (JSON Lines).

    Served by the live API when TWITTER_BEARER_TOKEN is set, else by the offline demo corpus.
    """
    client = twitter.client()
    days = days_in_window(context.partition_time_window)
    context.log.info(
        f"Fetching {twitter.query!r} for {days[0]} to {days[-1]} from source {client.source}"
    )
    pages = RawPages()
    tweets_by_day = {}
    try:
        for day in days:
            tweets_by_day[day] = 0
            start, end = day_bounds(day)
            for page in client.search_pages(twitter.query, start, end):
                pages.add(day, page.body)
                tweets_by_day[day] += page.result_count
            context.log.info(
                f"{day}: {tweets_by_day[day]} posts in {pages.pages_by_day[day]} pages"
            )
    except BaseException:
        pages.discard()
        raise
    return dg.Output(
        pages,
        metadata={
            "source": client.source,
            "query": twitter.query,
            "pages": sum(pages.pages_by_day.values()),
            "tweets": sum(tweets_by_day.values()),
            "tweets_by_day": {day.isoformat(): count for day, count in tweets_by_day.items()},
        },
    )
