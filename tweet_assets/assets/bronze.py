"""bronze_tweets: the search pages of each UTC day, exactly as the source sent them, and each
day's fetch record: what fetching it did, and how many posts the API itself counted."""

from collections.abc import Iterator
from datetime import UTC, date, datetime

import dagster as dg
import numpy as np

from tweet_assets.assets.daily import daily_asset
from tweet_assets.assets.verdicts import day_verdict, verdict_targets
from tweet_assets.lake import FetchRecord, RawPages
from tweet_assets.partitions import daily_partitions, day_bounds, days_in_window
from tweet_assets.settings import MAX_PER_DAY
from tweet_assets.source import SearchClient, SearchPage, TwitterResource, XApiError

ERROR_SAMPLES = 5
COMPLETE_CHECK = "bronze_tweets_complete"


def _distinct(ids: list[np.ndarray]) -> int:
    return int(np.unique(np.concatenate(ids)).size) if ids else 0


def _id_numbers(page: SearchPage) -> np.ndarray:
    """The page's post ids as numbers, for a cheap distinct count of a million-post day."""
    try:
        return np.array([int(post_id) for post_id in page.ids], dtype=np.uint64)
    except ValueError:  # ids that are not decimal: hashed, for counting within this run only
        return np.array([hash(post_id) & 0x7FFF_FFFF_FFFF_FFFF for post_id in page.ids], np.uint64)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _fetch_day(
    client: SearchClient,
    twitter: TwitterResource,
    day: date,
    pages: RawPages,
    account_id: str | None,
) -> tuple[FetchRecord, list[str]]:
    """Fetch one day into `pages`; its fetch record (not yet counted) and its errors."""
    requests_before = client.stats.requests
    posts, page_count, dropping, ids = 0, 0, 0, []
    errors: list[str] = []
    last_page = None
    for page in client.search_pages(
        twitter.query, *day_bounds(day), max_tweets=twitter.max_tweets_per_day
    ):
        pages.add(day, page.body)
        posts += page.result_count
        page_count += 1
        errors.extend(page.errors)
        dropping += page.dropping_errors
        ids.append(_id_numbers(page))
        last_page = page
    reached_end = last_page is None or not last_page.next_token
    record = FetchRecord(
        day=day.isoformat(),
        source=client.source,
        endpoint=client.endpoint,
        query=twitter.query,
        account=twitter.account,
        account_id=account_id,
        posts=posts,
        distinct_posts=_distinct(ids),
        pages=page_count,
        requests=client.stats.requests - requests_before,
        reached_last_page=reached_end,
        truncated=not reached_end and twitter.max_tweets_per_day is not None,
        api_errors=len(errors),
        dropping_errors=dropping,
        expected_tweets=None,
        fetched_at=_now(),
    )
    return record, errors


@daily_asset(
    "bronze",
    kinds={"python", "spark", "json"},
    tags={"source": "x-api-v2"},
    check_specs=[
        dg.AssetCheckSpec(
            COMPLETE_CHECK,
            asset="bronze_tweets",
            partitions_def=daily_partitions,
            description=(
                "The day's distinct posts reach 99% of the API's own count, paging reached the "
                "last page, no cap cut it and no partial error dropped posts. Warns."
            ),
        )
    ],
)
def bronze_tweets(
    context: dg.AssetExecutionContext, twitter: TwitterResource
) -> Iterator[dg.Output | dg.AssetCheckEvaluation]:
    """Raw X API v2 search pages per UTC day, each response a row byte for byte (`value`, in
    the order received: `seq`), and the day's fetch record (`fetch`): the tracked account and its
    id (looked up once a run, before any search), posts and distinct posts fetched,
    pages, requests, whether paging reached the last page, truncation by the cost cap, partial
    API errors (and how many dropped posts), the API's own count for the day
    (`expected_tweets`, null when the source cannot say) and `fetched_at` (UTC).

    Served by the live API when the bearer token is set, else by the offline demo corpus.
    Every day of the run is fetched before anything is written, so a failed fetch leaves the
    lake as it was.
    """
    client = twitter.client()
    days = days_in_window(context.partition_time_window)
    for day in days:
        client.check_window(day.isoformat(), *day_bounds(day))
    # Before any search: an unknown account fails the run having fetched nothing.
    account_id = client.user_id(twitter.account) if twitter.account else None
    context.log.info(
        f"Fetching {twitter.query!r} for {days[0]} to {days[-1]} from source {client.source}"
        f" (endpoint {client.endpoint}); "
        + (f"tracking @{twitter.account} (id {account_id})" if twitter.account else "no account")
    )
    pages = RawPages()
    api_errors: list[str] = []
    try:
        for day in days:
            record, errors = _fetch_day(client, twitter, day, pages, account_id)
            pages.records[day] = record
            api_errors.extend(errors)
            if record.truncated:
                context.log.warning(
                    f"{day}: stopped at the cost cap of {twitter.max_tweets_per_day} posts "
                    f"({MAX_PER_DAY}) with more pages left; the day is marked truncated"
                )
            context.log.info(f"{day}: {record.posts} posts in {record.pages} pages")
    except BaseException:
        pages.discard()
        raise
    # After the fetch: a post deleted meanwhile lowers the count rather than the share. Counting
    # that fails (a day now past the recent window, 5xx after retries) costs the pages nothing.
    counted = True
    try:
        counts = client.count_days(twitter.query, day_bounds(days[0])[0], day_bounds(days[-1])[1])
    except XApiError as error:
        counts, counted = None, False
        context.log.warning(
            f"Counting the days' posts failed after a good fetch ({error}): the days land with "
            "expected_tweets unknown and not complete; re-materialize them to count them"
        )
    except BaseException:
        pages.discard()
        raise
    for day in days:  # the verdict of each day, once: gold and the check read it
        expected = None if counts is None else counts.get(day)
        pages.records[day] = pages.records[day].counted(expected, known=counted)
    if counted and counts is None:
        context.log.warning(
            f"The source cannot count posts ({client.source}, {client.endpoint}): "
            "expected_tweets is unknown, and completeness rests on paging alone"
        )
    if api_errors:
        context.log.warning(f"The API reported {len(api_errors)} partial errors beside the data")
    records = {day.isoformat(): pages.records[day] for day in days}
    stats = client.stats
    truncated = [day for day, record in records.items() if record.truncated]
    incomplete = [day for day, record in records.items() if not record.complete]
    yield dg.Output(
        pages,
        metadata={
            "source": client.source,
            "endpoint": client.endpoint,
            "query": twitter.query,
            "account": twitter.account,
            "account_id": account_id,
            "requests": stats.requests,
            "pages": sum(pages.pages_by_day.values()),
            "tweets": sum(record.posts for record in records.values()),
            "tweets_by_day": {day: record.posts for day, record in records.items()},
            "expected_by_day": {day: record.expected_tweets for day, record in records.items()},
            "incomplete_days": incomplete,
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
    check = dg.AssetCheckKey(context.asset_key, COMPLETE_CHECK)
    targets = verdict_targets(context, context.asset_key)
    for label, record in records.items():
        expected = record.expected_tweets
        share = record.distinct_posts / expected if expected else None
        yield day_verdict(
            check,
            label,
            targets,
            passed=record.complete,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={
                "distinct_posts": record.distinct_posts,
                "expected_tweets": expected,
                "share": None if share is None else round(share, 4),
                "reached_last_page": record.reached_last_page,
                "truncated": record.truncated,
                "dropping_errors": record.dropping_errors,
            },
            description=(
                None
                if record.complete
                else f"{label}: fetched {record.distinct_posts} distinct posts of "
                f"{expected if expected is not None else 'an unknown number'} the API counts"
                f"{'; truncated by the cost cap' if record.truncated else ''}"
                f"{'' if record.reached_last_page else '; paging did not reach the last page'}"
            ),
        )
    # The check's own output; the verdicts above are its result, one per day.
    yield dg.Output(None, output_name=context.assets_def.get_output_name_for_asset_check_key(check))
