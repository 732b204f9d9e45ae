"""What the client does not trust, against the fake API on 127.0.0.1: endless paging, rate-limit
resets beyond the API's window, a token with stray characters, clear-text http, leaky errors."""

import json
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
import requests

from tweet_assets.source import RetryPolicy, XApiClient, XApiError, guards
from tweet_assets.source import x_api as x_api_module
from tweet_assets_tests.support.fake_x_api import TEST_TOKEN, FakeXApi, Scripted, make_tweet

START, END = datetime(2026, 11, 20, tzinfo=UTC), datetime(2026, 11, 21, tzinfo=UTC)
QUICK = RetryPolicy(max_tries=20, max_seconds=2, backoff_seconds=0.05)


def client_for(api: FakeXApi, token: str = TEST_TOKEN, **kwargs: object) -> XApiClient:
    return XApiClient(api.base_url, token, policy=kwargs.pop("policy", QUICK), **kwargs)


def page(token: str | None, posts: int = 1, first_id: int = 1) -> Scripted:
    data = [make_tweet(str(first_id + n), "2026-11-20T10:00:00.000Z", "7") for n in range(posts)]
    meta: dict = {"result_count": posts}
    if token:
        meta["next_token"] = token
    return Scripted(200, json.dumps({"data": data, "meta": meta} if posts else {"meta": meta}))


def fetch(client: XApiClient, max_tweets: int | None = None) -> list:
    return list(client.search_pages("q", START, END, max_tweets=max_tweets))


def test_a_repeated_next_token_stops_paging_naming_the_day_the_pages_and_the_token(
    x_api: FakeXApi,
) -> None:
    x_api.scripted = [
        page("tok-a", first_id=1),
        page("tok-b", first_id=2),
        page("tok-a", first_id=3),
    ]
    x_api.scripted += [page("tok-a", first_id=9)] * 5

    started = time.monotonic()
    with pytest.raises(XApiError) as stopped:
        fetch(client_for(x_api))

    assert time.monotonic() - started < 10
    message = str(stopped.value)
    assert "2026-11-20T00:00:00Z to 2026-11-21T00:00:00Z after 3 pages" in message
    assert "page 3 carries next_token 'tok-a', as page 1 did" in message
    assert len(x_api.requests) == 3


def test_empty_pages_that_keep_a_token_stop(
    x_api: FakeXApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(guards, "MAX_EMPTY_PAGES", 4)
    x_api.scripted = [page(f"tok-{n}", posts=0) for n in range(10)]

    with pytest.raises(XApiError, match="4 pages in a row hold no posts yet carry a next_token"):
        fetch(client_for(x_api))
    assert len(x_api.requests) == 4


def test_a_capped_day_of_short_pages_is_cut_at_the_caps_page_budget_not_failed(
    x_api: FakeXApi,
) -> None:
    # a cap of 20 posts needs at most 3 pages of the minimum 10; one post a page never gets
    # there: the day is cut after 3 pages, with pages left (bronze marks it truncated)
    x_api.scripted = [page(f"tok-{n}", first_id=n) for n in range(10)]

    pages = fetch(client_for(x_api), max_tweets=20)

    assert len(pages) == 3 and len(x_api.requests) == 3
    assert pages[-1].next_token == "tok-2"


def test_a_day_stops_at_the_endpoints_page_ceiling(
    x_api: FakeXApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(x_api_module, "WINDOWS_A_DAY", 1)  # 450 pages; a smaller day to serve
    x_api.scripted = [page(f"tok-{n}", first_id=n) for n in range(460)]

    with pytest.raises(XApiError, match="450 pages reach the ceiling of 450 a day"):
        fetch(client_for(x_api))


@pytest.mark.parametrize(
    "reset",
    [
        lambda: str(int(time.time()) + 10 * 86_400),  # 10 days ahead
        lambda: str(int(time.time() * 1000)),  # milliseconds
        lambda: "inf",
        lambda: "soon",
    ],
    ids=["ten-days", "milliseconds", "inf", "not-a-number"],
)
def test_a_429_whose_reset_is_not_believed_backs_off_within_the_budget(
    x_api: FakeXApi, reset: object
) -> None:
    value = reset()  # type: ignore[operator]
    headers = {"x-rate-limit-remaining": "0", "x-rate-limit-reset": value}
    x_api.scripted = [Scripted(429, '{"title":"Too Many Requests"}', headers)] * 200

    started = time.monotonic()
    with pytest.raises(XApiError) as failed:
        fetch(client_for(x_api))

    assert time.monotonic() - started < QUICK.max_seconds + 3
    assert f"x-rate-limit-reset={value!r}" in str(failed.value)
    assert "not believed" in str(failed.value)


def test_a_spent_window_reset_far_ahead_does_not_hold_the_next_page(x_api: FakeXApi) -> None:
    far = {"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(int(time.time()) + 86_400)}
    x_api.scripted = [Scripted(200, page("tok-1").body, far), page(None, first_id=5)]

    started = time.monotonic()
    pages = fetch(client_for(x_api))

    assert len(pages) == 2 and time.monotonic() - started < 5


def test_a_token_from_a_secrets_file_loses_its_newline(x_api: FakeXApi) -> None:
    x_api.add(make_tweet("1", "2026-11-20T10:00:00.000Z", "7"))

    pages = fetch(client_for(x_api, f"  {TEST_TOKEN}\n"))

    assert len(pages) == 1
    assert x_api.requests[0]["headers"]["Authorization"] == f"Bearer {TEST_TOKEN}"


@pytest.mark.parametrize(
    "token", [f"{TEST_TOKEN[:8]} {TEST_TOKEN[8:]}", f"{TEST_TOKEN}\x00x", "é" + TEST_TOKEN, "\n"]
)
def test_a_token_with_stray_characters_inside_is_refused_without_showing_it(
    x_api: FakeXApi, token: str
) -> None:
    with pytest.raises(XApiError) as refused:
        client_for(x_api, token)

    assert "TWITTER_BEARER_TOKEN holds whitespace" in str(refused.value)
    assert TEST_TOKEN[:8] not in str(refused.value)
    assert not x_api.requests


@pytest.mark.parametrize(
    ("base_url", "allowed"),
    [
        ("http://api.twitter.example/2", False),
        ("http://10.0.0.5:8080/2", False),
        ("ftp://api.twitter.com/2", False),
        ("https://api.twitter.com/2", True),
        ("http://127.0.0.1:9/2", True),
        ("http://localhost:9/2", True),
        ("http://[::1]:9/2", True),
    ],
)
def test_plain_http_is_refused_except_to_loopback(base_url: str, allowed: bool) -> None:
    if allowed:
        XApiClient(base_url, TEST_TOKEN)
        return
    with pytest.raises(XApiError) as refused:
        XApiClient(base_url, TEST_TOKEN)
    assert "set it to an https:// URL" in str(refused.value)
    assert TEST_TOKEN not in str(refused.value)


@pytest.mark.parametrize(
    ("base_url", "problem"),
    [
        # requests (urllib3) ends the host at the backslash: the token would go to evil.example
        ("http://evil.example\\@127.0.0.1/2", "holds a backslash"),
        ("https://evil.example\\@api.twitter.com/2", "holds a backslash"),
        ("http://user:pw@127.0.0.1:9/2", "holds a user name or password"),
        ("https://api.twitter.com@evil.example/2", "holds a user name or password"),
    ],
)
def test_a_base_url_that_parsers_read_differently_is_refused(base_url: str, problem: str) -> None:
    with pytest.raises(XApiError) as refused:
        XApiClient(base_url, TEST_TOKEN)

    assert problem in str(refused.value) and TEST_TOKEN not in str(refused.value)


class _Proxy(BaseHTTPRequestHandler):
    """A forward proxy that only notes what reached it."""

    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.seen.append(f"{self.path} {self.headers.get('Authorization')}")
        self.send_error(502)

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_plain_http_to_loopback_never_goes_through_a_proxy(
    x_api: FakeXApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    x_api.add(make_tweet("1", "2026-11-20T10:00:00.000Z", "7"))
    proxy = ThreadingHTTPServer(("127.0.0.1", 0), _Proxy)
    threading.Thread(target=proxy.serve_forever, kwargs={"poll_interval": 0.01}).start()
    try:
        for variable in ("HTTP_PROXY", "http_proxy", "ALL_PROXY"):
            monkeypatch.setenv(variable, f"http://127.0.0.1:{proxy.server_address[1]}")
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)

        pages = fetch(client_for(x_api))
    finally:
        proxy.shutdown()
        proxy.server_close()

    assert _Proxy.seen == []
    assert len(pages) == 1 and x_api.requests


class _LeakySession(requests.Session):
    """A transport whose failure quotes the request's headers, as requests' InvalidHeader does."""

    def get(self, url: str | bytes, **kwargs: object) -> requests.Response:  # type: ignore[override]
        raise requests.exceptions.InvalidHeader(
            f"Invalid leading whitespace in header value: {self.headers['Authorization']!r}"
        )


def test_an_error_quoting_the_header_leaves_the_client_redacted() -> None:
    client = XApiClient("http://127.0.0.1:9/2", TEST_TOKEN, session=_LeakySession())

    with pytest.raises(XApiError) as failed:
        fetch(client)

    assert TEST_TOKEN not in str(failed.value) and "Bearer [redacted]" in str(failed.value)
    assert failed.value.__cause__ is None and failed.value.__suppress_context__


def test_a_repeated_counts_token_stops_counting_at_once(x_api: FakeXApi) -> None:
    """The counts endpoint gets the search's paging guards: before, a repeated next_token asked
    for the same page hundreds of times a second, forever."""
    bucket = {"start": "2026-11-20T00:00:00.000Z", "end": "2026-11-21T00:00:00.000Z"}
    looping = {"data": [{**bucket, "tweet_count": 7}], "meta": {"next_token": "again"}}
    x_api.scripted = [Scripted(200, json.dumps(looping))] * 5

    started = time.monotonic()
    with pytest.raises(XApiError, match="carries next_token 'again', as page 1 did"):
        client_for(x_api).count_days("q", START, END)

    assert len(x_api.requests) == 2 and time.monotonic() - started < 10


def test_an_answer_echoing_the_request_headers_leaves_the_client_redacted(
    x_api: FakeXApi,
) -> None:
    """A proxy's or firewall's page that quotes the request's headers, in a refusal and in a
    failure retried until the budget is spent: no error text leaving the client holds the
    token."""
    echo = json.dumps({"title": "Blocked", "detail": f"Authorization: Bearer {TEST_TOKEN}"})
    x_api.scripted = [Scripted(403, echo)]
    with pytest.raises(XApiError) as refused:
        fetch(client_for(x_api))
    x_api.scripted = [Scripted(503, f"upstream saw {TEST_TOKEN}")] * 10
    with pytest.raises(XApiError) as spent:
        fetch(client_for(x_api, policy=RetryPolicy(max_tries=2, backoff_seconds=0.01)))

    for error in (refused.value, spent.value):
        assert TEST_TOKEN not in str(error) and "[redacted]" in str(error), str(error)


def test_a_429_whose_reset_has_passed_backs_off_instead_of_storming(x_api: FakeXApi) -> None:
    """A reset already in the past (a clock ahead of X's, a proxy sending 0) is no wait: the
    tries back off exponentially within the budget instead of going out at once."""
    past = {"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(int(time.time()) - 120)}
    x_api.scripted = [Scripted(429, '{"title":"Too Many Requests"}', past)] * 10
    policy = RetryPolicy(max_tries=4, max_seconds=30, backoff_seconds=0.2)

    started = time.monotonic()
    with pytest.raises(XApiError) as failed:
        fetch(client_for(x_api, policy=policy))

    # three backoffs of at least 0.1, 0.2 and 0.4 s (jitter keeps half or more of each)
    assert time.monotonic() - started >= 0.7
    assert len(x_api.requests) == 4
    assert "has passed: backing off instead" in str(failed.value)


def test_an_answer_that_trickles_fails_the_try_at_the_request_deadline(x_api: FakeXApi) -> None:
    """requests' timeout is per read: a byte every 0.2 s never trips it. The request deadline
    ends the try; with the tries spent the fetch fails, long before the body would end."""
    trickle = json.dumps({"meta": {"result_count": 0}, "padding": "x" * 60})
    x_api.scripted = [Scripted(200, trickle, trickle_seconds=0.2)] * 3
    policy = RetryPolicy(max_tries=2, backoff_seconds=0.05, request_seconds=1.0)

    started = time.monotonic()
    with pytest.raises(XApiError, match=r"no whole answer within 1s \(the request deadline\)"):
        fetch(client_for(x_api, policy=policy))

    # two tries of a second each, not two bodies of about 20 s
    assert time.monotonic() - started < 8
    assert len(x_api.requests) == 2
