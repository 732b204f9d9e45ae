"""bronze_tweets: the search pages of each UTC day, exactly as the source sent them."""

import dagster as dg

from tweet_assets.assets.daily import daily_asset
from tweet_assets.lake import RawPages
from tweet_assets.partitions import day_bounds, days_in_window
from tweet_assets.settings import MAX_PER_DAY
from tweet_assets.source import TwitterResource

ERROR_SAMPLES = 5


@daily_asset("bronze", kinds={"python", "spark", "json"}, tags={"source": "x-api-v2"})
def bronze_tweets(context: dg.AssetExecutionContext, twitter: TwitterResource) -> dg.Output:
    """Raw X API v2 search pages per UTC day, one JSON response per line (JSON Lines).

    Served by the live API when the bearer token is set, else by the offline demo corpus.
    Every day of the run is fetched before anything is written, so a failed fetch leaves the
    lake as it was.
    """
    client = twitter.client()
    days = days_in_window(context.partition_time_window)
    for day in days:
        client.check_window(day.isoformat(), *day_bounds(day))
    context.log.info(
        f"Fetching {twitter.query!r} for {days[0]} to {days[-1]} from source {client.source}"
        f" (endpoint {client.endpoint})"
    )
    cap = twitter.max_tweets_per_day
    pages = RawPages()
    tweets_by_day: dict[str, int] = {}
    truncated: list[str] = []
    api_errors: list[str] = []
    try:
        for day in days:
            tweets, last_page = 0, None
            for page in client.search_pages(twitter.query, *day_bounds(day), max_tweets=cap):
                pages.add(day, page.body)
                tweets += page.result_count
                api_errors.extend(page.errors)
                last_page = page
            tweets_by_day[day.isoformat()] = tweets
            if cap is not None and tweets >= cap and last_page and last_page.next_token:
                truncated.append(day.isoformat())
                context.log.warning(
                    f"{day}: stopped at the cost cap of {cap} posts ({MAX_PER_DAY}) with "
                    "more pages left; the partition is marked truncated"
                )
            context.log.info(f"{day}: {tweets} posts in {pages.pages_by_day[day]} pages")
    except BaseException:
        pages.discard()
        raise
    if api_errors:
        context.log.warning(f"The API reported {len(api_errors)} partial errors beside the data")
    stats = client.stats
    return dg.Output(
        pages,
        metadata={
            "source": client.source,
            "endpoint": client.endpoint,
            "query": twitter.query,
            "requests": stats.requests,
            "pages": sum(pages.pages_by_day.values()),
            "tweets": sum(tweets_by_day.values()),
            "tweets_by_day": tweets_by_day,
            "retries": stats.retries,
            "rate_limit_waits": stats.rate_limit_waits,
            "rate_limit_wait_seconds": round(stats.rate_limit_wait_seconds, 1),
            "http_statuses": {str(code): n for code, n in sorted(stats.statuses.items())},
            "truncated": bool(truncated),
            "truncated_days": truncated,
            "api_errors": len(api_errors),
            "api_error_samples": api_errors[:ERROR_SAMPLES],
        },
    )
