"""HTTP client for X API v2 recent search.

Policy in one place: explicit connect/read timeouts on every request, pagination as a generator
of raw pages (`meta.next_token` until absent), and any non-2xx answer raised as `XApiError`
naming the status and the API's own `title`, `detail` and `errors[].message`. The bearer token
only ever travels in the Authorization header: no message, log line or page carries it.
"""

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import requests

from tweet_assets.resources.search_page import SearchPage

DEFAULT_API_BASE_URL = "https://api.twitter.com/2"
RECENT_SEARCH_PATH = "/tweets/search/recent"
TWEET_FIELDS = (
    "author_id,conversation_id,created_at,in_reply_to_user_id,lang,public_metrics,referenced_tweets"
)
USER_FIELDS = "created_at,public_metrics,verified"
MAX_RESULTS = 100
TOKEN_VARIABLE = "TWITTER_BEARER_TOKEN"


class XApiError(RuntimeError):
    """The X API refused or failed a request; the message says what it answered and why."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


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


class XApiClient:
    """Pages of `GET {base_url}/tweets/search/recent` for one query and time interval."""

    source = "api"

    def __init__(
        self,
        base_url: str,
        bearer_token: str,
        *,
        timeout: tuple[float, float] = (10.0, 60.0),
        session: requests.Session | None = None,
    ):
        self._url = base_url.rstrip("/") + RECENT_SEARCH_PATH
        self._timeout = timeout
        self._session = session or requests.Session()
        self._session.headers["Authorization"] = f"Bearer {bearer_token}"
        self._session.headers["User-Agent"] = "tweet-lake"

    def search_pages(self, query: str, start: datetime, end: datetime) -> Iterator[SearchPage]:
        params = {
            "query": query,
            "start_time": rfc3339(start),
            "end_time": rfc3339(end),
            "max_results": str(MAX_RESULTS),
            "tweet.fields": TWEET_FIELDS,
            "expansions": "author_id",
            "user.fields": USER_FIELDS,
        }
        while True:
            page, next_token = self._get_page(params)
            yield page
            if not next_token:
                return
            params["next_token"] = next_token

    def _get_page(self, params: dict[str, str]) -> tuple[SearchPage, str | None]:
        window = f"{params['start_time']} to {params['end_time']}"
        where = f"GET {self._url} (query {params['query']!r}, {window})"
        try:
            response = self._session.get(self._url, params=params, timeout=self._timeout)
        except requests.RequestException as error:
            raise XApiError(f"{where} failed: {type(error).__name__}: {error}") from None
        body = response.content.decode("utf-8", errors="replace")
        if not response.ok:
            hint = ""
            if response.status_code in (401, 403):
                hint = f" Check that {TOKEN_VARIABLE} holds a valid bearer token for this app."
            raise XApiError(
                f"X API answered {response.status_code} {response.reason} to {where}: "
                f"{describe_error_body(body)}.{hint}",
                status=response.status_code,
            )
        try:
            document = json.loads(body)
            meta = document.get("meta") or {}
            return SearchPage(body, int(meta.get("result_count", 0))), meta.get("next_token")
        except (ValueError, AttributeError, TypeError) as error:
            raise XApiError(
                f"X API answered {response.status_code} to {where} with a body that is not a "
                f"search response ({error}): {describe_error_body(body)}",
                status=response.status_code,
            ) from None
