"""A stand-in X API v2 on 127.0.0.1 that behaves like recent search, for the tests.

It holds posts and users, answers `GET /2/tweets/search/recent` as the real API does (bearer
check with a problem+json 401, `start_time` inclusive and `end_time` exclusive, newest first,
`max_results` per page, `includes.users` for the page's authors, opaque `next_token`s,
`{"meta":{"result_count":0}}` for an empty window, rate-limit headers) and records every request.
It answers `GET /2/tweets/counts/recent` with `granularity=day` too: one bucket per UTC day of
the window, counting the posts it holds plus `unserved[day]`, posts the search never returns.
It answers `GET /2/users/by/username/{username}` from the users it holds (case-insensitive), and
an unknown username as the real API does: a 200 with only an `errors[]` "Not Found Error".
It can enforce a rate limit (`rate_limit`: requests per window, then 429 until the reset) and
fail every n-th request with a 503 (`fail_every`). Tests can queue scripted answers that are
served before the normal behaviour.
"""

import json
import math
import random
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

# The bearer token the fake API accepts in the tests: distinctive, so a leak is easy to find.
TEST_TOKEN = "test-token-Zq9-NOT-A-REAL-SECRET"
# The tracked account every fake API knows (TWEETS_ACCOUNT's default).
ACCOUNT_ID, ACCOUNT = "4242", "AluraOnline"
SEARCH_PATHS = ("/2/tweets/search/recent", "/2/tweets/search/all")
COUNTS_PATHS = ("/2/tweets/counts/recent", "/2/tweets/counts/all")
USERS_PATH = "/2/users/by/username/"


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def make_tweet(
    tweet_id: str,
    created_at: str,
    author_id: str,
    text: str = "olá 👋",
    *,
    reply_to: tuple[str, str] | None = None,
    conversation_id: str | None = None,
    metrics: dict | None = None,
) -> dict:
    """A post shaped like the API's answer to this project's `tweet.fields`."""
    tweet = {
        "author_id": author_id,
        "conversation_id": conversation_id or tweet_id,
        "created_at": created_at,
        "edit_history_tweet_ids": [tweet_id],
        "id": tweet_id,
        "lang": "pt",
        "public_metrics": metrics
        or {
            "retweet_count": 1,
            "reply_count": 2,
            "like_count": 3,
            "quote_count": 4,
            "bookmark_count": 0,
            "impression_count": 50,
        },
        "text": text,
    }
    if reply_to:
        tweet["in_reply_to_user_id"], parent_id = reply_to
        tweet["referenced_tweets"] = [{"type": "replied_to", "id": parent_id}]
    return tweet


def make_user(user_id: str, username: str) -> dict:
    return {
        "created_at": "2015-03-04T05:06:07.000Z",
        "id": user_id,
        "name": username.title(),
        "public_metrics": {
            "followers_count": 10,
            "following_count": 20,
            "tweet_count": 30,
            "listed_count": 1,
        },
        "username": username,
        "verified": False,
    }


def partial_error_page(created_at: str) -> str:
    """A 200 whose post's author could not be expanded: data beside a partial `errors[]`."""
    body = {
        "data": [make_tweet("1", created_at, "99")],
        "errors": [
            {
                "value": "99",
                "detail": "Could not find user with id: [99].",
                "title": "Not Found Error",
                "resource_type": "user",
            }
        ],
        "meta": {"result_count": 1},
    }
    return json.dumps(body)


@dataclass
class Scripted:
    status: int
    body: str
    headers: dict[str, str] = field(default_factory=dict)
    delay_seconds: float = 0.0
    # seconds between the body's bytes: an answer that trickles
    trickle_seconds: float = 0.0


@dataclass
class FakeXApi:
    token: str
    tweets: list[dict] = field(default_factory=list)
    users: dict[str, dict] = field(default_factory=dict)
    requests: list[dict] = field(default_factory=list)
    # Answers served, in order, before the normal behaviour: to search and counts requests,
    # and to user lookups.
    scripted: list[Scripted] = field(default_factory=list)
    scripted_lookups: list[Scripted] = field(default_factory=list)
    base_url: str = ""
    rate_limit: tuple[int, float] | None = None
    fail_every: int = 0
    # day (YYYY-MM-DD) -> posts the counts endpoint counts that search never serves
    unserved: dict[str, int] = field(default_factory=dict)
    # a status the counts endpoint answers with instead of counting (0: it counts)
    counts_status: int = 0
    # Each search from its first page on is a fetch, numbered from 1; with `vary_by_fetch`,
    # fetch N serves every post but the N - 1 newest, each with N likes, and its users listed
    # N times, so a day's rows tell which fetch they came from. With `together` set, the first
    # page of each of the first `together` fetches waits until all of them have begun (at most
    # a minute).
    vary_by_fetch: bool = False
    together: int = 0
    fetches: int = 0
    _window: tuple[float, int] = (0.0, 0)  # (reset epoch seconds, requests used)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _barrier: threading.Barrier | None = None

    def __post_init__(self) -> None:
        self.users.setdefault(ACCOUNT_ID, make_user(ACCOUNT_ID, ACCOUNT))

    def add(self, tweet: dict, user: dict | None = None) -> dict:
        self.tweets.append(tweet)
        if user:
            self.users[user["id"]] = user
        return tweet

    def statuses(self) -> list[int]:
        return [request["status"] for request in self.requests]

    def _rate_limit_headers(self) -> tuple[dict[str, str], bool]:
        """Headers for this request and whether it is over the limit."""
        if self.rate_limit is None:
            reset = str(int(time.time()) + 900)
            return {
                "x-rate-limit-limit": "450",
                "x-rate-limit-remaining": "449",
                "x-rate-limit-reset": reset,
            }, False
        limit, seconds = self.rate_limit
        reset, used = self._window
        if time.time() >= reset:
            reset, used = math.ceil(time.time() + seconds), 0
        used += 1
        self._window = (reset, used)
        headers = {
            "x-rate-limit-limit": str(limit),
            "x-rate-limit-remaining": str(max(0, limit - used)),
            "x-rate-limit-reset": str(reset),
        }
        return headers, used > limit

    def answer(self, path: str, params: dict[str, str], authorization: str | None) -> Scripted:
        lookup = path.startswith(USERS_PATH)
        queue = self.scripted_lookups if lookup else self.scripted
        if queue:
            return queue.pop(0)
        limit_headers, over_limit = self._rate_limit_headers()
        if over_limit:
            problem = {
                "title": "Too Many Requests",
                "type": "about:blank",
                "status": 429,
                "detail": "Too Many Requests",
            }
            return Scripted(429, json.dumps(problem), limit_headers)
        if self.fail_every and len(self.requests) % self.fail_every == 0:
            return Scripted(503, '{"title":"Service Unavailable"}', limit_headers)
        if lookup:
            answer = self.user(path.removeprefix(USERS_PATH), authorization)
        elif path in COUNTS_PATHS:
            answer = self.counts(params, authorization)
        else:
            answer = self.search(params, authorization)
        answer.headers = {**limit_headers, **answer.headers}
        return answer

    def user(self, username: str, authorization: str | None) -> Scripted:
        if authorization != f"Bearer {self.token}":
            return _unauthorized()
        for user in self.users.values():
            if user["username"].lower() == username.lower():
                fields = {key: user[key] for key in ("id", "name", "username")}
                return Scripted(200, json.dumps({"data": fields}))
        missing = {
            "value": username,
            "detail": f"Could not find user with username: [{username}].",
            "title": "Not Found Error",
            "resource_type": "user",
            "parameter": "username",
            "resource_id": username,
            "type": "https://api.twitter.com/2/problems/resource-not-found",
        }
        return Scripted(200, json.dumps({"errors": [missing]}))

    def counts(self, params: dict[str, str], authorization: str | None) -> Scripted:
        if authorization != f"Bearer {self.token}":
            return _unauthorized()
        if self.counts_status:
            problem = {"title": "Invalid Request", "detail": "start_time is too old"}
            return Scripted(self.counts_status, json.dumps(problem))
        start, end = parse_time(params["start_time"]), parse_time(params["end_time"])
        assert params.get("granularity") == "day", params
        buckets = []
        day = start
        while day < end:
            following = min(end, day + timedelta(days=1))
            held = sum(1 for t in self.tweets if day <= parse_time(t["created_at"]) < following)
            buckets.append(
                {
                    "end": following.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                    "start": day.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                    "tweet_count": held + self.unserved.get(day.date().isoformat(), 0),
                }
            )
            day = following
        total = sum(bucket["tweet_count"] for bucket in buckets)
        return Scripted(200, json.dumps({"data": buckets, "meta": {"total_tweet_count": total}}))

    def search(self, params: dict[str, str], authorization: str | None) -> Scripted:
        if authorization != f"Bearer {self.token}":
            return _unauthorized()
        start, end = parse_time(params["start_time"]), parse_time(params["end_time"])
        matching = sorted(
            (t for t in self.tweets if start <= parse_time(t["created_at"]) < end),
            key=lambda t: (parse_time(t["created_at"]), int(t["id"])),
            reverse=True,
        )
        fetch, offset = self._page_of(params.get("next_token"))
        if self.vary_by_fetch:
            matching = [_metric(t, "like_count", fetch) for t in matching[fetch - 1 :]]
        page = matching[offset : offset + int(params.get("max_results", "10"))]
        if not page:
            return Scripted(200, '{"meta":{"result_count":0}}')
        meta = {"newest_id": page[0]["id"], "oldest_id": page[-1]["id"], "result_count": len(page)}
        if offset + len(page) < len(matching):
            meta["next_token"] = f"tok-{fetch}-{offset + len(page)}"
        authors = dict.fromkeys(t["author_id"] for t in page if t.get("author_id") in self.users)
        body = {"data": page, "meta": meta}
        if authors:
            users = [self.users[a] for a in authors]
            if self.vary_by_fetch:
                users = [_metric(user, "listed_count", fetch) for user in users]
            body["includes"] = {"users": users}
        return Scripted(200, json.dumps(body, ensure_ascii=False, separators=(",", ":")))

    def _page_of(self, token: str | None) -> tuple[int, int]:
        """The fetch and offset a page's `next_token` continues; a new fetch for none."""
        if token is not None:
            fetch, offset = token.removeprefix("tok-").split("-")
            return int(fetch), int(offset)
        with self._lock:
            self.fetches += 1
            fetch = self.fetches
            if self.together and self._barrier is None:
                self._barrier = threading.Barrier(self.together)
        if self._barrier is not None and fetch <= self.together:
            self._barrier.wait(timeout=60)
        return fetch, 0


def _metric(item: dict, name: str, value: int) -> dict:
    """A post or user with one of its public metrics set to `value`."""
    return {**item, "public_metrics": {**item.get("public_metrics", {}), name: value}}


HASHTAGS = ["Spark", "spark", "SPARK", "Dados", "dagster", "Python", "AluraOnline"]


def engaged_day(api: FakeXApi, day: str, count: int, seed: int = 15) -> list[dict]:
    """`count` posts on `day` by 40 users and the tracked account (about one post in 20): a
    third reply to an earlier post of the day, so the account is replied to and has
    conversations; posts carry 0 to 3 hashtags (the same one in several cases, or twice), the
    mention a reply opens with, sometimes a link, and a few lack metrics. Added to `api` and
    returned, oldest first."""
    draw = random.Random(seed)
    users = [ACCOUNT_ID, *(str(10 + n) for n in range(40))]
    for user_id in users[1:]:
        api.users[user_id] = make_user(user_id, f"user_{user_id}")
    posts: list[dict] = []
    for n in range(count):
        author = ACCOUNT_ID if draw.random() < 0.05 else draw.choice(users[1:])
        seconds = n * 86_400 // count
        created = f"{day}T{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}.000Z"
        tags = [draw.choice(HASHTAGS) for _ in range(draw.choice([0, 0, 1, 2, 3]))]
        text = " ".join(f"#{tag}" for tag in tags) or "sem hashtag"
        metrics = {
            "retweet_count": draw.randrange(5),
            "reply_count": draw.randrange(5),
            "like_count": draw.randrange(100),
            "quote_count": 0,
            "impression_count": draw.randrange(1000),
        }
        post_id = str(10_000 + n)
        if posts and draw.random() < 0.35:
            parent = draw.choice(posts[-50:])
            tweet = make_tweet(
                post_id,
                created,
                author,
                text,
                reply_to=(parent["author_id"], parent["id"]),
                conversation_id=parent["conversation_id"],
                metrics=metrics,
            )
        else:
            tweet = make_tweet(post_id, created, author, text, metrics=metrics)
        entities: dict[str, list] = {}
        start = 0
        for tag in tags:
            entities.setdefault("hashtags", []).append(
                {"start": start, "end": start + len(tag) + 1, "tag": tag}
            )
            start += len(tag) + 2
        if "in_reply_to_user_id" in tweet:
            username = api.users[tweet["in_reply_to_user_id"]]["username"]
            entities["mentions"] = [{"start": 0, "end": 1, "username": username}]
        if draw.random() < 0.1:
            entities["urls"] = [
                {
                    "start": 0,
                    "end": 1,
                    "url": "https://t.co/x",
                    "expanded_url": f"https://x.org/{n}",
                }
            ]
        if entities:
            tweet["entities"] = entities
        if draw.random() < 0.02:
            del tweet["public_metrics"]
        posts.append(api.add(tweet))
    return posts


def _unauthorized() -> Scripted:
    problem = {
        "title": "Unauthorized",
        "type": "about:blank",
        "status": 401,
        "detail": "Unauthorized",
    }
    return Scripted(401, json.dumps(problem), {"content-type": "application/problem+json"})


class _Handler(BaseHTTPRequestHandler):
    api: FakeXApi

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        params = {key: values[-1] for key, values in parse_qs(url.query).items()}
        request = {
            "path": url.path,
            "params": params,
            "headers": dict(self.headers.items()),
            "time": time.monotonic(),
        }
        self.api.requests.append(request)
        known = url.path in SEARCH_PATHS + COUNTS_PATHS or url.path.startswith(USERS_PATH)
        if not known:
            answer = Scripted(404, json.dumps({"title": "Not Found Error", "detail": url.path}))
        else:
            answer = self.api.answer(url.path, params, self.headers.get("Authorization"))
        request["status"] = answer.status
        time.sleep(answer.delay_seconds)
        payload = answer.body.encode("utf-8")
        self.send_response(answer.status)
        headers = {"content-type": "application/json; charset=utf-8", **answer.headers}
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        if not answer.trickle_seconds:
            self.wfile.write(payload)
            return
        try:
            for byte in payload:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(answer.trickle_seconds)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up on it

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        pass


class FakeXApiServer:
    """Runs a FakeXApi on a free port of 127.0.0.1 in a background thread."""

    def __init__(self, api: FakeXApi):
        handler = type("Handler", (_Handler,), {"api": api})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        # shutdown() waits for the loop's next poll: a short one ends each test at once.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        api.base_url = f"http://127.0.0.1:{self._server.server_address[1]}/2"
        self.api = api

    def __enter__(self) -> FakeXApi:
        self._thread.start()
        return self.api

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
