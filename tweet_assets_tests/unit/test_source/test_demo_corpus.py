import json
from datetime import UTC, datetime, timedelta
from itertools import islice

import pytest

from tweet_assets.source import DemoCorpus

DAY = datetime(2026, 11, 20, tzinfo=UTC)
NEXT = timedelta(days=1)


def day_pages(per_day: int, query: str = "AluraOnline", day: datetime = DAY) -> list[dict]:
    corpus = DemoCorpus(per_day)
    return [json.loads(p.body) for p in corpus.search_pages(query, day, day + timedelta(days=1))]


def test_same_query_and_day_give_the_same_bytes() -> None:
    one = DemoCorpus(250).search_pages("AluraOnline", DAY, DAY + timedelta(days=1))
    two = DemoCorpus(250).search_pages("AluraOnline", DAY, DAY + timedelta(days=1))
    other_day = DemoCorpus(250).search_pages(
        "AluraOnline", DAY + timedelta(days=1), DAY + timedelta(days=2)
    )

    bodies = [p.body for p in one]
    assert bodies == [p.body for p in two]
    assert bodies != [p.body for p in other_day]


def test_pages_have_the_api_shape_newest_first() -> None:
    pages = day_pages(250)

    assert [len(p["data"]) for p in pages] == [100, 100, 50]
    assert [p["meta"]["result_count"] for p in pages] == [100, 100, 50]
    assert ["next_token" in p["meta"] for p in pages] == [True, True, False]
    times = [t["created_at"] for p in pages for t in p["data"]]
    assert times == sorted(times, reverse=True)
    for page in pages:
        authors = {t["author_id"] for t in page["data"]}
        assert {u["id"] for u in page["includes"]["users"]} == authors
        assert page["meta"]["newest_id"] == page["data"][0]["id"]


def test_day_spans_from_midnight_to_the_last_millisecond() -> None:
    tweets = [t for p in day_pages(300) for t in p["data"]]

    assert tweets[0]["created_at"] == "2026-11-20T23:59:59.999Z"
    assert tweets[-1]["created_at"] == "2026-11-20T00:00:00.000Z"
    assert len({t["id"] for t in tweets}) == 300


def test_day_is_realistic_replies_repeat_authors_and_unicode() -> None:
    tweets = [t for p in day_pages(300) for t in p["data"]]
    by_id = {t["id"]: t for t in tweets}
    replies = [t for t in tweets if "in_reply_to_user_id" in t]

    assert 0.15 < len(replies) / len(tweets) < 0.45
    for reply in replies:
        parent = by_id[reply["referenced_tweets"][0]["id"]]
        assert reply["in_reply_to_user_id"] == parent["author_id"]
        assert reply["conversation_id"] == parent["conversation_id"]
    assert len({t["author_id"] for t in tweets}) < len(tweets) / 3
    texts = "".join(t["text"] for t in tweets)
    assert "ç" in texts and "🎉" in texts and "\n" in texts


def test_zero_per_day_answers_like_the_api_does_for_an_empty_day() -> None:
    assert day_pages(0) == [{"meta": {"result_count": 0}}]


def test_a_million_posts_a_day_stream_page_by_page() -> None:
    pages = DemoCorpus(1_000_000).search_pages("AluraOnline", DAY, DAY + timedelta(days=1))

    first_three = [json.loads(p.body) for p in islice(pages, 3)]

    assert [len(p["data"]) for p in first_three] == [100, 100, 100]
    assert first_three[0]["data"][0]["created_at"] == "2026-11-20T23:59:59.999Z"


def test_partial_day_windows_are_refused() -> None:
    with pytest.raises(ValueError, match="whole UTC days"):
        list(DemoCorpus(10).search_pages("q", DAY, DAY + timedelta(hours=3)))


def test_the_corpus_counts_its_days_as_it_serves_them() -> None:
    corpus = DemoCorpus(250)
    start = datetime(2026, 11, 20, tzinfo=UTC)

    counts = corpus.count_days("AluraOnline", start, start + timedelta(days=2))
    pages = list(corpus.search_pages("AluraOnline", start, start + timedelta(days=1)))

    assert counts == {start.date(): 250, (start + timedelta(days=1)).date(): 250}
    ids = [post["id"] for page in pages for post in json.loads(page.body)["data"]]
    assert [i for page in pages for i in page.ids] == ids
    assert len(set(ids)) == counts[start.date()]


def test_the_account_posts_is_replied_to_and_takes_part_in_conversations() -> None:
    corpus = DemoCorpus(1000, account="AluraOnline")
    account = corpus.user_id("AluraOnline")
    pages = [json.loads(p.body) for p in corpus.search_pages("AluraOnline", DAY, DAY + NEXT)]
    tweets = [t for p in pages for t in p["data"]]

    own = [t for t in tweets if t["author_id"] == account]
    replies = [t for t in tweets if t.get("in_reply_to_user_id") == account]
    conversations = {t["conversation_id"] for t in own}
    others_in_them = [t for t in tweets if t["conversation_id"] in conversations and t not in own]
    assert 10 < len(own) < 60 and replies and len(others_in_them) > len(replies) / 2
    users = {u["id"]: u for p in pages for u in p["includes"]["users"]}
    assert users[account]["username"] == "AluraOnline"
    # no account: nobody posts as it
    other = DemoCorpus(1000, account=None).search_pages("AluraOnline", DAY, DAY + NEXT)
    assert not any(t["author_id"] == account for p in other for t in json.loads(p.body)["data"])


def test_entities_point_at_what_the_text_says() -> None:
    tweets = [t for p in day_pages(500) for t in p["data"]]

    kinds = {"hashtags": "tag", "mentions": "username", "urls": "url"}
    found = {kind: 0 for kind in kinds}
    for tweet in tweets:
        for kind, field in kinds.items():
            for entity in tweet.get("entities", {}).get(kind, []):
                found[kind] += 1
                marker = {"hashtags": "#", "mentions": "@", "urls": ""}[kind]
                assert tweet["text"][entity["start"] : entity["end"]] == marker + entity[field]
    assert all(found.values()), found
    tags = [h["tag"] for t in tweets for h in t.get("entities", {}).get("hashtags", [])]
    # the same hashtag in several cases, and twice in one post
    assert len({tag.lower() for tag in tags}) < len(set(tags))
    assert any(
        len(hashtags) > len({h["tag"].lower() for h in hashtags})
        for hashtags in (t.get("entities", {}).get("hashtags", []) for t in tweets)
    )


@pytest.mark.parametrize(("cap", "posts"), [(1, 1), (150, 150), (300, 300), (1_000, 300)])
def test_a_cost_cap_serves_exactly_the_cap_the_newest_posts_first(cap: int, posts: int) -> None:
    corpus = DemoCorpus(300)
    whole = [
        post["id"]
        for page in corpus.search_pages("AluraOnline", DAY, DAY + timedelta(days=1))
        for post in json.loads(page.body)["data"]
    ]

    pages = list(corpus.search_pages("AluraOnline", DAY, DAY + timedelta(days=1), max_tweets=cap))

    served = [post["id"] for page in pages for post in json.loads(page.body)["data"]]
    assert served == whole[:posts]
    assert sum(page.result_count for page in pages) == posts
    # a day cut by the cap says more pages were left, as the API's next_token does
    assert bool(pages[-1].next_token) is (posts < 300)
