import json
from datetime import UTC, datetime

import pytest

from tweet_assets.resources.x_api import XApiClient, XApiError
from tweet_assets_tests.conftest import TEST_TOKEN
from tweet_assets_tests.fake_x_api import FakeXApi, Scripted, make_tweet, make_user

DAY_START = datetime(2026, 11, 20, tzinfo=UTC)
DAY_END = datetime(2026, 11, 21, tzinfo=UTC)


def fetch(api: FakeXApi, token: str = TEST_TOKEN) -> list:
    client = XApiClient(api.base_url, token)
    return list(client.search_pages("AluraOnline", DAY_START, DAY_END))


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
        "tweet.fields": "author_id,conversation_id,created_at,in_reply_to_user_id,lang,"
        "public_metrics,referenced_tweets",
        "expansions": "author_id",
        "user.fields": "created_at,public_metrics,verified",
    }


def test_pages_are_followed_to_the_last_next_token(x_api: FakeXApi) -> None:
    for n in range(250):
        x_api.add(make_tweet(str(1000 + n), f"2026-11-20T10:{n // 60:02d}:{n % 60:02d}.000Z", "7"))

    pages = fetch(x_api)

    assert [page.result_count for page in pages] == [100, 100, 50]
    assert [r["params"].get("next_token") for r in x_api.requests] == [None, "tok-100", "tok-200"]
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


def test_a_200_that_is_not_a_search_response_fails_with_an_excerpt(x_api: FakeXApi) -> None:
    x_api.scripted.append(Scripted(200, '{"data":[{"id":"1"'))

    with pytest.raises(XApiError, match=r"not a search response.*\{\"data\""):
        fetch(x_api)
