import json
import socket
import time
from datetime import UTC, datetime, timedelta

import pytest

from tweet_assets.source import RetryPolicy, XApiClient, XApiError
from tweet_assets_tests.support.fake_x_api import (
    TEST_TOKEN,
    FakeXApi,
    Scripted,
    make_tweet,
    make_user,
    partial_error_page,
)

DAY_START = datetime(2026, 11, 20, tzinfo=UTC)
DAY_END = datetime(2026, 11, 21, tzinfo=UTC)


QUICK = RetryPolicy(max_tries=6, max_seconds=20, backoff_seconds=0.05)


def client_for(api: FakeXApi, token: str = TEST_TOKEN, **kwargs: object) -> XApiClient:
    return XApiClient(api.base_url, token, policy=kwargs.pop("policy", QUICK), **kwargs)


def fetch(api: FakeXApi, token: str = TEST_TOKEN, **kwargs: object) -> list:
    client = client_for(api, token, **kwargs)
    return list(client.search_pages("AluraOnline", DAY_START, DAY_END))


def add_posts(api: FakeXApi, count: int) -> None:
    for n in range(count):
        api.add(make_tweet(str(1000 + n), f"2026-11-20T10:{n // 60:02d}:{n % 60:02d}.000Z", "7"))


def fetched_ids(pages: list) -> list[str]:
    return sorted(t["id"] for page in pages for t in json.loads(page.body).get("data", []))


def test_request_carries_the_projects_params_and_bearer_header(x_api: FakeXApi) -> None:
    fetch(x_api)

    [request] = x_api.requests
    assert request["path"] == "/2/tweets/search/recent"
    assert request["headers"]["Authorization"] == f"Bearer {TEST_TOKEN}"
    assert request["params"] == {
        "query": "AluraOnline",
        "start_time": "2026-11-20T00:00:00Z",
        "end_time": "2026-11-21T00:00:00Z",
        "max_results": "100",
        "tweet.fields": "author_id,conversation_id,created_at,entities,in_reply_to_user_id,lang,"
        "public_metrics,referenced_tweets",
        "expansions": "author_id",
        "user.fields": "created_at,public_metrics,verified",
    }


def test_pages_are_followed_to_the_last_next_token(x_api: FakeXApi) -> None:
    for n in range(250):
        x_api.add(make_tweet(str(1000 + n), f"2026-11-20T10:{n // 60:02d}:{n % 60:02d}.000Z", "7"))

    pages = fetch(x_api)

    assert [page.result_count for page in pages] == [100, 100, 50]
    assert [r["params"].get("next_token") for r in x_api.requests] == [
        None,
        "tok-1-100",
        "tok-1-200",
    ]
    ids = [t["id"] for page in pages for t in json.loads(page.body)["data"]]
    assert sorted(ids) == sorted(str(1000 + n) for n in range(250))


def test_pages_are_yielded_exactly_as_received(x_api: FakeXApi) -> None:
    x_api.add(
        make_tweet("1", "2026-11-20T01:00:00.000Z", "7", "ção 🎉\nlinha"), make_user("7", "ana")
    )

    [page] = fetch(x_api)

    assert page.body == (
        '{"data":['
        + json.dumps(x_api.tweets[0], ensure_ascii=False, separators=(",", ":"))
        + '],"meta":{"newest_id":"1","oldest_id":"1","result_count":1},"includes":{"users":['
        + json.dumps(x_api.users["7"], ensure_ascii=False, separators=(",", ":"))
        + "]}}"
    )


def test_zero_result_day_is_one_page_with_count_zero(x_api: FakeXApi) -> None:
    [page] = fetch(x_api)

    assert page.body == '{"meta":{"result_count":0}}'
    assert page.result_count == 0


def test_unauthorized_fails_at_once_naming_the_variable_not_the_token(x_api: FakeXApi) -> None:
    with pytest.raises(XApiError) as raised:
        fetch(x_api, token="wrong-token-8842")

    message = str(raised.value)
    assert raised.value.status == 401
    assert "401" in message and "Unauthorized" in message
    assert "TWITTER_BEARER_TOKEN" in message
    assert "wrong-token-8842" not in message
    assert len(x_api.requests) == 1


def test_invalid_request_reports_title_detail_and_error_messages(x_api: FakeXApi) -> None:
    problem = {
        "errors": [
            {
                "parameters": {"start_time": ["2020-06-21T01:00Z"]},
                "message": "Invalid 'start_time'. 'start_time' must be before 'end_time'",
            }
        ],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": "https://api.twitter.com/2/problems/invalid-request",
    }
    x_api.scripted.append(Scripted(400, json.dumps(problem)))

    with pytest.raises(XApiError) as raised:
        fetch(x_api)

    message = str(raised.value)
    assert "400" in message
    assert "Invalid Request: One or more parameters to your request was invalid." in message
    assert "'start_time' must be before 'end_time'" in message


def test_a_truncated_json_body_is_retried(x_api: FakeXApi) -> None:
    add_posts(x_api, 3)
    x_api.scripted.append(Scripted(200, '{"data":[{"id":"1"'))

    pages = fetch(x_api)

    assert fetched_ids(pages) == ["1000", "1001", "1002"]
    assert x_api.statuses() == [200, 200]


def test_rate_limited_page_waits_until_reset_then_all_pages_arrive(x_api: FakeXApi) -> None:
    add_posts(x_api, 150)
    reset = int(time.time()) + 2
    x_api.scripted.append(
        Scripted(
            429,
            '{"title":"Too Many Requests","status":429}',
            {"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)},
        )
    )
    client = client_for(x_api)

    expected_wait = reset + 1 - time.time()
    pages = list(client.search_pages("AluraOnline", DAY_START, DAY_END))

    waited = x_api.requests[1]["time"] - x_api.requests[0]["time"]
    assert expected_wait - 0.5 <= waited <= expected_wait + 1.0
    assert fetched_ids(pages) == sorted(str(1000 + n) for n in range(150))
    assert x_api.statuses() == [429, 200, 200]
    assert client.stats.rate_limit_waits == 1 and client.stats.retries == 1


def test_spent_window_holds_the_next_request_so_no_429_is_received(x_api: FakeXApi) -> None:
    add_posts(x_api, 350)
    x_api.rate_limit = (2, 2.0)
    client = client_for(x_api)

    pages = list(client.search_pages("AluraOnline", DAY_START, DAY_END))

    assert fetched_ids(pages) == sorted(str(1000 + n) for n in range(350))
    assert x_api.statuses() == [200, 200, 200, 200]
    assert x_api.requests[2]["time"] - x_api.requests[1]["time"] > 0.5
    assert client.stats.rate_limit_waits >= 1


def test_429_without_rate_limit_headers_backs_off_and_retries(x_api: FakeXApi) -> None:
    add_posts(x_api, 2)
    x_api.scripted += [Scripted(429, '{"title":"Too Many Requests"}')] * 2
    client = client_for(x_api)

    pages = list(client.search_pages("AluraOnline", DAY_START, DAY_END))

    assert fetched_ids(pages) == ["1000", "1001"]
    assert x_api.statuses() == [429, 429, 200]
    assert client.stats.rate_limit_waits == 2


def test_a_read_timeout_is_retried(x_api: FakeXApi) -> None:
    add_posts(x_api, 2)
    x_api.scripted.append(Scripted(200, '{"meta":{"result_count":0}}', delay_seconds=1.5))
    policy = RetryPolicy(max_tries=3, backoff_seconds=0.05, read_timeout=0.3)
    client = client_for(x_api, policy=policy)

    pages = list(client.search_pages("AluraOnline", DAY_START, DAY_END))

    assert fetched_ids(pages) == ["1000", "1001"]
    assert client.stats.retries == 1 and client.stats.requests == 2


def test_three_503s_then_200_succeeds(x_api: FakeXApi) -> None:
    add_posts(x_api, 5)
    x_api.scripted += [Scripted(503, '{"title":"Service Unavailable"}')] * 3
    client = client_for(x_api)

    pages = list(client.search_pages("AluraOnline", DAY_START, DAY_END))

    assert fetched_ids(pages) == [str(1000 + n) for n in range(5)]
    assert x_api.statuses() == [503, 503, 503, 200]
    assert client.stats.retries == 3


def test_503_forever_gives_up_within_the_bound_with_the_last_status(x_api: FakeXApi) -> None:
    x_api.scripted += [Scripted(503, '{"title":"Service Unavailable","detail":"overloaded"}')] * 50
    policy = RetryPolicy(max_tries=4, max_seconds=10, backoff_seconds=0.05)

    started = time.monotonic()
    with pytest.raises(XApiError) as raised:
        fetch(x_api, policy=policy)

    assert time.monotonic() - started < 5
    assert len(x_api.requests) == 4
    assert "failed 4 times" in str(raised.value)
    assert "status 503" in str(raised.value) and "overloaded" in str(raised.value)


def test_retries_stop_when_the_time_budget_is_spent(x_api: FakeXApi) -> None:
    x_api.scripted += [Scripted(500, "oops")] * 50
    policy = RetryPolicy(max_tries=50, max_seconds=1.0, backoff_seconds=0.3)

    started = time.monotonic()
    with pytest.raises(XApiError, match="giving up"):
        fetch(x_api, policy=policy)

    # well under 50 tries' backoffs (minutes): the budget stopped it, not the tries
    assert time.monotonic() - started < 10
    assert 2 <= len(x_api.requests) < 10


def test_connection_refused_is_retried_then_reported(x_api: FakeXApi) -> None:
    # a port this test holds without listening: a connection to it is refused, and no other
    # process can take it meanwhile
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        client = XApiClient(
            f"http://127.0.0.1:{closed.getsockname()[1]}/2",
            TEST_TOKEN,
            policy=RetryPolicy(max_tries=3, backoff_seconds=0.05),
        )

        with pytest.raises(XApiError, match=r"failed 3 times.*no answer.*ConnectionError"):
            list(client.search_pages("AluraOnline", DAY_START, DAY_END))
    assert client.stats.requests == 3


@pytest.mark.parametrize(("status", "title"), [(429, "UsageCapExceeded"), (402, "CreditsDepleted")])
def test_spent_cap_or_credits_fail_at_once_saying_waiting_will_not_help(
    x_api: FakeXApi, status: int, title: str
) -> None:
    x_api.scripted.append(Scripted(status, json.dumps({"title": title, "detail": "spent"})))

    with pytest.raises(XApiError, match=f"{status}.*{title}.*Waiting will not help"):
        fetch(x_api)
    assert len(x_api.requests) == 1


def test_partial_errors_beside_data_are_kept_and_counted(x_api: FakeXApi) -> None:
    x_api.scripted.append(Scripted(200, partial_error_page("2026-11-20T01:00:00.000Z")))

    [page] = fetch(x_api)

    assert fetched_ids([page]) == ["1"]
    assert page.errors == ("Not Found Error: Could not find user with id: [99].",)


def test_cost_cap_asks_only_for_what_is_left(x_api: FakeXApi) -> None:
    add_posts(x_api, 300)

    pages = list(client_for(x_api).search_pages("AluraOnline", DAY_START, DAY_END, max_tweets=150))

    assert sum(page.result_count for page in pages) == 150
    assert [r["params"]["max_results"] for r in x_api.requests] == ["100", "50"]
    assert pages[-1].next_token


def test_full_archive_endpoint_pages_500_at_one_request_a_second(x_api: FakeXApi) -> None:
    add_posts(x_api, 1200)

    pages = fetch(x_api, endpoint="all")

    assert {r["path"] for r in x_api.requests} == {"/2/tweets/search/all"}
    assert [page.result_count for page in pages] == [500, 500, 200]
    gaps = [b["time"] - a["time"] for a, b in zip(x_api.requests, x_api.requests[1:], strict=False)]
    assert min(gaps) >= 0.95


def test_old_and_unfinished_windows_are_refused_before_any_request(x_api: FakeXApi) -> None:
    client = client_for(x_api)
    now = datetime.now(UTC)
    old = now.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=10)
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)

    with pytest.raises(XApiError, match=r"partition P1 .* 7-day|more than 7 days") as old_error:
        client.check_window("P1", old, old + timedelta(days=1))
    with pytest.raises(XApiError, match="has not ended yet"):
        client.check_window("P2", today, today + timedelta(days=1))

    assert "TWITTER_SEARCH_ENDPOINT=all" in str(old_error.value)
    client_for(x_api, endpoint="all").check_window("P1", old, old + timedelta(days=1))
    assert x_api.requests == []


def test_the_apis_count_is_one_request_per_run_with_a_bucket_per_day(x_api: FakeXApi) -> None:
    add_posts(x_api, 12)
    x_api.unserved["2026-11-21"] = 5
    client = client_for(x_api)

    counts = client.count_days("AluraOnline", DAY_START, DAY_END + timedelta(days=2))

    assert counts == {
        DAY_START.date(): 12,
        DAY_END.date(): 5,
        (DAY_END + timedelta(days=1)).date(): 0,
    }
    [request] = x_api.requests
    assert request["path"] == "/2/tweets/counts/recent"
    assert request["params"] == {
        "query": "AluraOnline",
        "start_time": "2026-11-20T00:00:00Z",
        "end_time": "2026-11-23T00:00:00Z",
        "granularity": "day",
    }
    assert request["headers"]["Authorization"] == f"Bearer {TEST_TOKEN}"


def test_counts_follow_next_token_pages(x_api: FakeXApi) -> None:
    first = {
        "data": [
            {
                "start": "2026-11-20T00:00:00.000Z",
                "end": "2026-11-21T00:00:00.000Z",
                "tweet_count": 7,
            }
        ],
        "meta": {"total_tweet_count": 7, "next_token": "more"},
    }
    second = {
        "data": [
            {
                "start": "2026-11-21T00:00:00.000Z",
                "end": "2026-11-22T00:00:00.000Z",
                "tweet_count": 9,
            }
        ],
        "meta": {"total_tweet_count": 9},
    }
    x_api.scripted += [Scripted(200, json.dumps(first)), Scripted(200, json.dumps(second))]

    counts = client_for(x_api, endpoint="all").count_days("q", DAY_START, DAY_END + timedelta(1))

    assert counts == {DAY_START.date(): 7, DAY_END.date(): 9}
    assert [r["path"] for r in x_api.requests] == ["/2/tweets/counts/all"] * 2
    assert x_api.requests[1]["params"]["next_token"] == "more"


def test_a_plan_without_the_counts_endpoint_leaves_the_count_unknown(x_api: FakeXApi) -> None:
    forbidden = {"title": "Forbidden", "detail": "not available on your plan", "status": 403}
    x_api.scripted.append(Scripted(403, json.dumps(forbidden)))

    assert client_for(x_api).count_days("AluraOnline", DAY_START, DAY_END) is None


def test_a_counts_answer_that_is_not_one_is_retried(x_api: FakeXApi) -> None:
    x_api.scripted.append(Scripted(200, '{"data": [{"start": "yesterday"}]}'))
    add_posts(x_api, 3)

    assert client_for(x_api).count_days("AluraOnline", DAY_START, DAY_END) == {DAY_START.date(): 3}
    assert x_api.statuses() == [200, 200]


def test_partial_errors_about_expansions_drop_no_post_others_do(x_api: FakeXApi) -> None:
    errors = [
        {"title": "Not Found Error", "resource_type": "user", "parameter": "author_id"},
        {"title": "Not Found Error", "resource_type": "tweet", "parameter": "referenced_tweets.id"},
        {"title": "Authorization Error", "resource_type": "tweet", "section": "includes"},
        {"title": "Authorization Error", "resource_type": "tweet", "parameter": "ids"},
    ]
    page = {
        "data": [make_tweet("1", "2026-11-20T01:00:00.000Z", "7")],
        "errors": errors,
        "meta": {"result_count": 1},
    }
    x_api.scripted.append(Scripted(200, json.dumps(page)))

    [fetched] = fetch(x_api)

    assert (len(fetched.errors), fetched.dropping_errors, fetched.ids) == (4, 1, ("1",))


def test_the_accounts_id_is_looked_up_by_username_in_one_request(x_api: FakeXApi) -> None:
    x_api.users["42"] = make_user("42", "Dagster_IO")

    # usernames are case-insensitive on X
    assert client_for(x_api).user_id("dagster_io") == "42"

    [request] = x_api.requests
    assert request["path"] == "/2/users/by/username/dagster_io"
    assert request["headers"]["Authorization"] == f"Bearer {TEST_TOKEN}"


def test_an_unknown_username_fails_at_once_naming_the_variable(x_api: FakeXApi) -> None:
    with pytest.raises(XApiError) as failed:
        client_for(x_api).user_id("nobody_here_1")

    message = str(failed.value)
    assert "TWEETS_ACCOUNT='nobody_here_1'" in message and "no such account" in message
    assert "Could not find user with username: [nobody_here_1]" in message
    assert len(x_api.requests) == 1  # not retried: waiting will not make the account exist


def test_a_failing_user_lookup_is_retried_like_any_request(x_api: FakeXApi) -> None:
    x_api.users["42"] = make_user("42", "dagster_io")
    x_api.scripted_lookups = [
        Scripted(503, '{"title":"Service Unavailable"}'),
        Scripted(200, "<html>"),
    ]

    assert client_for(x_api).user_id("dagster_io") == "42"
    assert x_api.statuses() == [503, 200, 200]


def test_a_spent_lookup_window_does_not_hold_back_the_search(x_api: FakeXApi) -> None:
    add_posts(x_api, 3)
    spent = {"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(int(time.time()) + 600)}
    x_api.scripted_lookups = [Scripted(200, '{"data":{"id":"4242"}}', spent)]
    client = client_for(x_api)

    started = time.monotonic()
    assert client.user_id("AluraOnline") == "4242"
    pages = list(client.search_pages("AluraOnline", DAY_START, DAY_END))

    assert time.monotonic() - started < 5
    assert len(fetched_ids(pages)) == 3 and client.stats.rate_limit_waits == 0
