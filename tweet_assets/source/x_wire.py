"""The X API v2's wire format: the search endpoints and their limits, the fields asked for,
timestamps, and reading its answers (search pages, day counts, user lookups, error bodies).

A 200 whose body is not what the endpoint answers raises `Retryable` (a proxy's error page, a
truncated body): the client asks again.
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tweet_assets.source.pages import SearchPage, drops_posts
from tweet_assets.source.retry import Retryable

TWEET_FIELDS = (
    "author_id,conversation_id,created_at,entities,in_reply_to_user_id,lang,public_metrics,"
    "referenced_tweets"
)
USER_FIELDS = "created_at,public_metrics,verified"
MIN_RESULTS = 10
RECENT_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class Endpoint:
    path: str
    counts_path: str
    max_results: int
    min_interval_seconds: float
    # The app's search requests per 15-minute window (the highest tier): a day's page ceiling.
    requests_per_window: int


ENDPOINTS = {
    "recent": Endpoint(
        "/tweets/search/recent",
        "/tweets/counts/recent",
        max_results=100,
        min_interval_seconds=0.0,
        requests_per_window=450,
    ),
    # Full-archive search allows one request per second and 500 posts a page.
    "all": Endpoint(
        "/tweets/search/all",
        "/tweets/counts/all",
        max_results=500,
        min_interval_seconds=1.0,
        requests_per_window=300,
    ),
}
# Statuses of the counts endpoint that mean "this plan or app cannot count": not a failure.
COUNTS_UNAVAILABLE = (403, 404)


def rfc3339(moment: datetime) -> str:
    """The API's timestamp form: UTC, second precision, `Z` suffix."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def describe_error_body(body: str) -> str:
    """`title: detail (errors[].message; ...)` from an API error body, or a short excerpt."""
    try:
        problem = json.loads(body)
    except ValueError:
        problem = None
    if not isinstance(problem, dict):
        excerpt = " ".join(body.split())[:300]
        return f"non-JSON body: {excerpt!r}" if excerpt else "empty body"
    parts = [str(problem[key]) for key in ("title", "detail") if problem.get(key)]
    messages = [
        str(error["message"])
        for error in problem.get("errors") or []
        if isinstance(error, dict) and error.get("message")
    ]
    summary = ": ".join(parts) if parts else "no title or detail"
    return f"{summary} ({'; '.join(messages)})" if messages else summary


def problem_title(body: str) -> str:
    try:
        problem = json.loads(body)
    except ValueError:
        return ""
    return str(problem.get("title", "")) if isinstance(problem, dict) else ""


def parse_user(body: str) -> dict:
    """A user lookup's answer: `data`, or only `errors` for an unknown username."""
    try:
        document = json.loads(body)
    except ValueError:
        document = None
    if isinstance(document, dict) and (
        isinstance(document.get("data"), dict) or document.get("errors")
    ):
        return document
    raise Retryable(f"200 with a body that is not a user lookup: {describe_error_body(body)}", 200)


def parse_page(body: str) -> SearchPage:
    try:
        document = json.loads(body)
        meta = document.get("meta") or {}
        errors = [e for e in document.get("errors") or [] if isinstance(e, dict)]
        return SearchPage(
            body,
            int(meta.get("result_count", 0)),
            next_token=meta.get("next_token"),
            errors=tuple(describe_error_body(json.dumps(e)) for e in errors),
            dropping_errors=sum(map(drops_posts, errors)),
            ids=tuple(str(post["id"]) for post in document.get("data") or [] if "id" in post),
        )
    except (ValueError, AttributeError, TypeError) as error:
        raise Retryable(
            f"200 with a body that is not a search response ({error}): {describe_error_body(body)}",
            200,
        ) from None


def parse_counts(body: str) -> dict:
    try:
        document = json.loads(body)
        if isinstance(document, dict) and isinstance(document.get("data") or [], list):
            for bucket in document.get("data") or []:
                datetime.fromisoformat(bucket["start"].replace("Z", "+00:00"))
                int(bucket["tweet_count"])
            return document
        problem = "not an object with a `data` list"
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        problem = f"{type(error).__name__}: {error}"
    raise Retryable(
        f"200 with a body that is not a counts response ({problem}): {describe_error_body(body)}",
        200,
    )
