"""HTTP client for X API v2 search (recent, or full archive): requests, paging, rate limits.

- explicit connect/read timeouts on every request; https only (http to loopback alone), and a
  token checked and stripped before any request (see `guards`);
- 429: wait until `x-rate-limit-reset` (+1 s) and ask for the same page again; without the
  header, or with one further ahead than the API's 15-minute window (not believed), back off
  exponentially within the retry budget. A page that says `x-rate-limit-remaining: 0` makes the next
  request wait for the reset instead of provoking a 429;
- 5xx, connection errors, timeouts and a 200 whose body is not JSON: retried (see `retry`);
- other 4xx, 402 `CreditsDepleted` and 429 `UsageCapExceeded`: raised at once, since waiting
  will not help, naming the API's `title`, `detail` and `errors[].message`;
- pagination as a generator of raw pages (`meta.next_token` until absent), stopped with an
  error at a repeated token, endless empty pages or a day's page ceiling (`guards`);
- the tracked account's id (`/users/by/username/{username}`), once a run, before any search:
  an unknown username (a 200 with only a "Not Found Error") fails at once, naming the variable;
- the API's own count of matching posts per UTC day (`/tweets/counts/{recent|all}`,
  `granularity=day`), for bronze's completeness record: one request per run (per 31 days on
  `all`), and a plan without the endpoint (403) only leaves the count unknown.
The bearer token only ever travels in the Authorization header: no message, log line or page
carries it, and any exception text that leaves the client is redacted.
"""

import functools
import json
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar
from urllib.parse import quote

import requests

from tweet_assets.settings import ACCOUNT, SEARCH_ENDPOINT, TOKEN
from tweet_assets.source.guards import (
    WINDOWS_A_DAY,
    PagingGuard,
    believed_reset,
    checked_base_url,
    checked_token,
    redact,
    to_this_machine,
)
from tweet_assets.source.pages import FetchStats, SearchPage
from tweet_assets.source.retry import Retryable, RetryPolicy, XApiError
from tweet_assets.source.x_wire import (
    COUNTS_UNAVAILABLE,
    ENDPOINTS,
    MIN_RESULTS,
    RECENT_WINDOW,
    TWEET_FIELDS,
    USER_FIELDS,
    describe_error_body,
    parse_counts,
    parse_page,
    parse_user,
    problem_title,
    rfc3339,
)

T = TypeVar("T")


class XApiClient:
    """Pages of `GET {base_url}/tweets/search/{recent|all}` for one query and time interval."""

    source = "api"

    def __init__(
        self,
        base_url: str,
        bearer_token: str,
        *,
        endpoint: str = "recent",
        policy: RetryPolicy | None = None,
        session: requests.Session | None = None,
    ):
        if endpoint not in ENDPOINTS:
            raise ValueError(
                f"search endpoint {endpoint!r} is not one of {sorted(ENDPOINTS)}; set "
                f"{SEARCH_ENDPOINT}=recent (last 7 days) or =all (full archive)"
            )
        base_url = checked_base_url(base_url)
        self._token = checked_token(bearer_token)
        self.endpoint = endpoint
        self._endpoint = ENDPOINTS[endpoint]
        self._url = base_url.rstrip("/") + self._endpoint.path
        self._counts_url = base_url.rstrip("/") + self._endpoint.counts_path
        self._users_url = base_url.rstrip("/") + "/users/by/username/"
        self._policy = policy or RetryPolicy()
        self._session = session or requests.Session()
        if to_this_machine(base_url):  # no proxy from the environment sees the token
            self._session.trust_env = False
        self._session.headers["Authorization"] = f"Bearer {self._token}"
        self._session.headers["User-Agent"] = "tweet-lake"
        self._not_before = 0.0  # epoch seconds before which no request may be sent
        self._reset_problem: str | None = None  # why the last reset header was not believed
        self.stats = FetchStats()

    def check_window(
        self, label: str, start: datetime, end: datetime, now: datetime | None = None
    ) -> None:
        """Refuse, before any request, a window the endpoint cannot serve (the API would 400)
        at `now` (default: this moment)."""
        now = now or datetime.now(UTC)
        if end > now - timedelta(seconds=10):
            raise XApiError(
                f"partition {label} has not ended yet: its window ends {rfc3339(end)} and the API "
                f"serves only up to 10 s before now ({rfc3339(now)}); materialize it after "
                f"{rfc3339(end + timedelta(seconds=10))}"
            )
        if self.endpoint == "recent" and start < now - RECENT_WINDOW:
            raise XApiError(
                f"partition {label} starts {rfc3339(start)}, more than 7 days before now "
                f"({rfc3339(now)}), outside the recent-search window; set "
                f"{SEARCH_ENDPOINT}=all for full-archive access (needs a plan that includes it)"
            )

    def user_id(self, username: str) -> str:
        """The id of the account `username` (one request); XApiError naming ACCOUNT when the
        API knows no such account."""
        url = self._users_url + quote(username, safe="")
        # The lookup's rate limit is its own (300 requests per 15 minutes): its spent window
        # must not hold back the searches that follow.
        held = self._not_before
        try:
            document = self._get(url, {}, parse_user, f"GET {url}")
        finally:
            self._not_before = held
        user = document.get("data")
        if isinstance(user, dict) and user.get("id"):
            return str(user["id"])
        errors = [e for e in document.get("errors") or [] if isinstance(e, dict)]
        said = redact(
            "; ".join(describe_error_body(json.dumps(error)) for error in errors), self._token
        )
        raise XApiError(
            f"{ACCOUNT}={username!r}: the X API has no such account ({said or 'no data'}); set "
            f"{ACCOUNT} to the username of the account to track, or to an empty value to track "
            "none",
            status=200,
        )

    def search_pages(
        self, query: str, start: datetime, end: datetime, max_tweets: int | None = None
    ) -> Iterator[SearchPage]:
        params = {
            "query": query,
            "start_time": rfc3339(start),
            "end_time": rfc3339(end),
            "max_results": str(self._endpoint.max_results),
            "tweet.fields": TWEET_FIELDS,
            "expansions": "author_id",
            "user.fields": USER_FIELDS,
        }
        fetched = pages = 0
        guard = PagingGuard(
            f"{params['start_time']} to {params['end_time']}",
            self._endpoint.requests_per_window * WINDOWS_A_DAY,
        )
        # With a cost cap, the pages the cap needs at the API's minimum of 10 a page, and one
        # more: a day of shorter pages is cut there, and marked truncated like any capped day.
        budget = None if max_tweets is None else -(-max_tweets // MIN_RESULTS) + 1
        while True:
            if max_tweets is not None:
                # Ask for no more than the cost cap leaves (the API's minimum is 10 a page).
                wanted = max(MIN_RESULTS, min(self._endpoint.max_results, max_tweets - fetched))
                params["max_results"] = str(wanted)
            page = self._get_page(params)
            fetched, pages = fetched + page.result_count, pages + 1
            yield page
            if not page.next_token or (max_tweets is not None and fetched >= max_tweets):
                return
            if budget is not None and pages >= budget:
                return
            guard.check(page.next_token, page.result_count)
            params["next_token"] = page.next_token

    def count_days(self, query: str, start: datetime, end: datetime) -> dict[date, int] | None:
        """Posts matching `query` per UTC day of [start, end), as the API counts them."""
        params = {
            "query": query,
            "start_time": rfc3339(start),
            "end_time": rfc3339(end),
            "granularity": "day",
        }
        counts: dict[date, int] = {}
        # The same guards as search: a repeated token or endless empty pages stop it.
        guard = PagingGuard(
            f"counts {params['start_time']} to {params['end_time']}",
            self._endpoint.requests_per_window * WINDOWS_A_DAY,
            items="counts",
        )
        while True:
            try:
                document = self._get(
                    self._counts_url, params, parse_counts, _search_where(self._counts_url, params)
                )
            except XApiError as error:
                if error.status in COUNTS_UNAVAILABLE:
                    return None
                raise
            buckets = document.get("data") or []
            for bucket in buckets:
                day = datetime.fromisoformat(bucket["start"].replace("Z", "+00:00"))
                counts[day.astimezone(UTC).date()] = int(bucket["tweet_count"])
            next_token = (document.get("meta") or {}).get("next_token")
            if not next_token:
                return counts
            guard.check(next_token, len(buckets))
            params["next_token"] = next_token

    def _get_page(self, params: dict[str, str]) -> SearchPage:
        return self._get(self._url, params, parse_page, _search_where(self._url, params))

    def _get(self, url: str, params: dict[str, str], parse: Callable[[str], T], where: str) -> T:
        """The parsed body of a 200 to `GET url` (`where` in messages), retried and paced by the
        policy; a 200 that `parse` cannot read is retried like a 5xx."""
        try:
            return self._policy.run(
                functools.partial(self._try_once, url, params, where, parse), where, self._wait
            )
        except XApiError as error:  # its text may quote an answer's body, which may echo headers
            raise XApiError(redact(str(error), self._token), status=error.status) from None

    def _wait(self, seconds: float, status: int | None) -> None:
        self.stats.retries += 1
        if status == 429:
            self._wait_rate_limit(seconds)
        else:
            time.sleep(seconds)

    def _try_once(
        self, url: str, params: dict[str, str], where: str, parse: Callable[[str], T]
    ) -> T:
        self._pace()
        self.stats.requests += 1
        deadline = time.monotonic() + self._policy.request_seconds
        try:
            response = self._session.get(
                url,
                params=params,
                timeout=(self._policy.connect_timeout, self._policy.read_timeout),
                stream=True,
            )
            content = self._whole_body(response, deadline)
        except Retryable:
            raise
        except (requests.ConnectionError, requests.Timeout) as error:
            raise Retryable(self._said(error), None) from None
        except Exception as error:  # any other failure to send: its text may quote the header
            raise XApiError(f"{where} failed: {self._said(error)}") from None
        finally:
            # Counted from the answer, so the server never sees two requests closer than this.
            self._not_before = max(
                self._not_before, time.time() + self._endpoint.min_interval_seconds
            )
        status = response.status_code
        self.stats.statuses[status] += 1
        reset_wait = self._note_rate_limit(response.headers)
        body = content.decode("utf-8", errors="replace")
        if status == 200:
            return parse(body)
        title = problem_title(body)
        summary = f"{status} {response.reason}: {describe_error_body(body)}"
        if status == 429 and title != "UsageCapExceeded":
            if self._reset_problem:
                summary += f" ({self._reset_problem})"
            raise Retryable(summary, status, wait=reset_wait)
        if status >= 500:
            raise Retryable(summary, status)
        hint = ""
        if status in (401, 403):
            hint = f" Check that {TOKEN} holds a valid bearer token for this app."
        elif status in (402, 429):
            hint = " Waiting will not help: the account's credits or monthly cap are spent."
        raise XApiError(f"X API answered {summary} to {where}.{hint}", status=status)

    def _whole_body(self, response: requests.Response, deadline: float) -> bytes:
        """The answer's body, read before `deadline` (monotonic seconds); a Retryable once it
        passes: a watchdog shuts the socket, which ends a read blocked on a trickle."""
        watchdog = threading.Timer(max(0.0, deadline - time.monotonic()), response.raw.shutdown)
        watchdog.start()
        try:
            return response.content
        except (requests.RequestException, OSError) as error:
            if time.monotonic() >= deadline:
                raise Retryable(
                    f"no whole answer within {self._policy.request_seconds:g}s (the request "
                    "deadline)",
                    None,
                ) from None
            raise Retryable(self._said(error), None) from None
        finally:
            watchdog.cancel()
            response.close()

    def _said(self, error: BaseException) -> str:
        """An exception's type and text, redacted: it may quote the request's headers."""
        return redact(f"{type(error).__name__}: {error}", self._token)

    def _note_rate_limit(self, headers: requests.structures.CaseInsensitiveDict) -> float | None:
        """Seconds until the window resets (+1 s); at 0 remaining, hold the next request. None
        when there is no reset header, or one that is not believed (`guards.believed_reset`)."""
        now = time.time()
        reset, self._reset_problem = believed_reset(headers.get("x-rate-limit-reset"), now)
        if reset is None:
            return None
        reset_at = reset + 1.0
        if reset_at <= now:  # a clock ahead of X's, or a proxy's 0: back off instead
            self._reset_problem = (
                f"x-rate-limit-reset={headers.get('x-rate-limit-reset')!r} has passed: backing "
                "off instead"
            )
            return None
        if headers.get("x-rate-limit-remaining") == "0":
            self._not_before = max(self._not_before, reset_at)
        return reset_at - now

    def _pace(self) -> None:
        wait = self._not_before - time.time()
        if wait > 0:
            self._wait_rate_limit(wait)

    def _wait_rate_limit(self, seconds: float) -> None:
        self.stats.rate_limit_waits += 1
        self.stats.rate_limit_wait_seconds += seconds
        time.sleep(seconds)


def _search_where(url: str, params: dict[str, str]) -> str:
    window = f"{params['start_time']} to {params['end_time']}"
    return f"GET {url} (query {params['query']!r}, {window})"
