"""The posts and users of one demo day, computed with numpy a page at a time.

Every post is a pure function of (query, day, index): creation time, snowflake id, author (a
few prolific users, and the tracked account for a share), the post it replies to and its
conversation, text, language and metrics each come from an independent random stream.
"""

import hashlib
import json
from datetime import datetime

import numpy as np

from tweet_assets.source.demo_text import (
    ACCOUNT_USER,
    ENDINGS,
    FIRST_NAMES,
    HANDLES,
    LANGS,
    LAST_NAMES,
    MENTIONS,
    OPENINGS,
    REPLIES,
    REPLY_FIELDS,
    TOPICS,
    TWEET,
    USER,
    entities_of,
)

_TWITTER_EPOCH_MS = 1_288_834_974_657
_DAY_MS = 86_400_000
_REPLY_SHARE = 0.3
_MAX_REPLY_DISTANCE = 300
# The share of posts the tracked account writes.
_ACCOUNT_SHARE = 0.03
_ACCOUNT = -1  # the account's user index

# Independent random streams per post (or per user): draw(stream, index).
_JITTER, _AUTHOR, _IS_REPLY, _DISTANCE, _TOPIC, _TEXT, _LANG = range(7)
_LIKES, _REPOSTS, _REPLY_COUNT, _QUOTES, _VIEWS, _BY_ACCOUNT, _ENDING = range(7, 14)
_FIRST, _LAST, _JOINED, _FOLLOWERS, _FOLLOWING, _POSTS, _LISTED, _VERIFIED = range(8)
_STREAMS = 16


def _mix(values: np.ndarray) -> np.ndarray:
    """splitmix64 over a uint64 array: a fast, well-spread hash (wrapping arithmetic)."""
    z = values + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _draw(seed: int, stream: int, indexes: np.ndarray) -> np.ndarray:
    """Uniform numbers in [0, 1), one per index, fixed by (seed, stream, index)."""
    keys = indexes.astype(np.uint64) * np.uint64(_STREAMS) + np.uint64((seed + stream) % 2**64)
    return (_mix(keys) >> np.uint64(11)).astype(np.float64) * 2.0**-53


def _seed(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def demo_user_id(username: str) -> str:
    """The id the demo corpus gives an account (usernames are case-insensitive)."""
    return str(1_300_000_000_000 + _seed(username.lower()) % 100_000_000_000)


class DemoDay:
    """The posts of one (query, day); post `index` 0 is the day's first, at 00:00:00.000."""

    def __init__(self, query: str, day_start: datetime, count: int, account: str | None):
        self.account = account
        self.account_id = int(demo_user_id(account)) if account else 0
        # An opening's text and entities by (opening, topic, ending): a handful, each made once.
        self.openings: dict[tuple[int, int, int], tuple[str, str]] = {}
        self.seed = _seed(f"{query}|{day_start.date().isoformat()}")
        self.query_seed = _seed(query)
        self.query = query
        self.start_ms = int(day_start.timestamp() * 1000)
        self.count = count
        self.user_pool = max(20, count // 8)
        self.worker = self.query_seed % 1024

    def created_ms(self, indexes: np.ndarray) -> np.ndarray:
        """Evenly spread over the day with jitter, first at 00:00:00.000, last at 23:59:59.999."""
        if self.count == 1:
            return np.full(len(indexes), self.start_ms, dtype=np.int64)
        gap = (_DAY_MS - 1) / (self.count - 1)
        jitter = _draw(self.seed, _JITTER, indexes) * gap / 2
        offsets = (indexes * gap + jitter).astype(np.int64)
        offsets[indexes == 0] = 0
        offsets[indexes == self.count - 1] = _DAY_MS - 1
        return self.start_ms + offsets

    def tweet_ids(self, indexes: np.ndarray) -> np.ndarray:
        """Snowflake ids: creation time, a per-query worker and a sequence number."""
        return (
            ((self.created_ms(indexes) - _TWITTER_EPOCH_MS) << 22)
            | (self.worker << 12)
            | (indexes % 4096)
        )

    def authors(self, indexes: np.ndarray) -> np.ndarray:
        # Cubing a uniform draw skews authorship toward low indices: a few prolific users.
        users = (self.user_pool * _draw(self.seed, _AUTHOR, indexes) ** 3).astype(np.int64)
        if self.account:
            users[_draw(self.seed, _BY_ACCOUNT, indexes) < _ACCOUNT_SHARE] = _ACCOUNT
        return users

    def user_ids(self, user_indexes: np.ndarray) -> np.ndarray:
        ids = 1_400_000_000_000 + user_indexes * 7919 + self.query_seed % 7919
        return np.where(user_indexes == _ACCOUNT, self.account_id, ids)

    def parents(self, indexes: np.ndarray) -> np.ndarray:
        """The post each post replies to, or -1 for a post that starts a conversation."""
        is_reply = (_draw(self.seed, _IS_REPLY, indexes) < _REPLY_SHARE) & (indexes > 0)
        reach = np.minimum(indexes - 1, _MAX_REPLY_DISTANCE)
        distance = (_draw(self.seed, _DISTANCE, indexes) ** 2 * reach).astype(np.int64)
        return np.where(is_reply, indexes - 1 - distance, -1)

    def conversation_roots(self, indexes: np.ndarray) -> np.ndarray:
        roots = indexes.copy()
        parents = self.parents(roots)
        while (replying := parents >= 0).any():
            roots[replying] = parents[replying]
            parents[replying] = self.parents(roots[replying])
        return roots

    def user_draw(self, stream: int, user_indexes: np.ndarray) -> np.ndarray:
        return _draw(self.query_seed, stream, user_indexes)

    def handles(self, user_indexes: np.ndarray) -> list[str]:
        first = (self.user_draw(_FIRST, user_indexes) * len(FIRST_NAMES)).astype(np.int64)
        pairs = zip(first.tolist(), user_indexes.tolist(), strict=True)
        return [
            f"{HANDLES[name]}_{user}" if user != _ACCOUNT else str(self.account)
            for name, user in pairs
        ]

    def opening(self, opening: int, topic: int, ending: int) -> tuple[str, str]:
        """The JSON text of an opening post and its `,"entities":{...}`."""
        key = (opening, topic, ending)
        if key not in self.openings:
            name = TOPICS[topic]
            tag = "".join(word.capitalize() for word in name.split())
            words = OPENINGS[opening].format(topic=name, query=self.query)
            code = hashlib.sha256(f"{self.query}|{name}".encode()).hexdigest()[:10]
            words += ENDINGS[ending].format(
                tag=tag, lower=tag.lower(), upper=tag.upper(), code=code
            )
            self.openings[key] = (json.dumps(words, ensure_ascii=False), entities_of(words))
        return self.openings[key]

    def page(self, indexes: np.ndarray) -> tuple[str, list[int]]:
        """`{"data":[...],"includes":{...}` for the posts `indexes` (unclosed), and their ids."""
        ids = self.tweet_ids(indexes).tolist()
        created = np.datetime_as_string(self.created_ms(indexes).astype("datetime64[ms]"))
        authors = self.authors(indexes)
        author_ids = self.user_ids(authors).tolist()
        conversations = self.tweet_ids(self.conversation_roots(indexes)).tolist()
        parents = self.parents(indexes)
        parent_ids = self.tweet_ids(np.maximum(parents, 0)).tolist()
        parent_authors = self.authors(np.maximum(parents, 0))
        parent_author_ids = self.user_ids(parent_authors).tolist()
        parent_handles = self.handles(parent_authors)
        topic, text, lang, likes, reposts, replies, quotes, views, ending = (
            _draw(self.seed, stream, indexes)
            for stream in (
                _TOPIC,
                _TEXT,
                _LANG,
                _LIKES,
                _REPOSTS,
                _REPLY_COUNT,
                _QUOTES,
                _VIEWS,
                _ENDING,
            )
        )
        impressions = (50 + views**3 * 20_000).astype(np.int64)
        metrics = (
            np.stack(
                [
                    reposts**4 * 40,
                    replies**4 * 12,
                    likes**3 * impressions / 20,
                    quotes**6 * 5,
                    likes**4 * 8,
                    impressions,
                ],
                axis=1,
            )
            .astype(np.int64)
            .tolist()
        )
        topics = (topic * len(TOPICS)).astype(np.int64).tolist()
        langs = (lang * len(LANGS)).astype(np.int64).tolist()
        openings = (text * len(OPENINGS)).astype(np.int64).tolist()
        endings = (ending * len(ENDINGS)).astype(np.int64).tolist()
        tweets = []
        for n, parent in enumerate(parents.tolist()):
            if parent < 0:
                words, entities = self.opening(openings[n], topics[n], endings[n])
                reply_fields = ""
            else:
                handle = parent_handles[n]
                words = json.dumps(
                    REPLIES[int(text[n] * len(REPLIES))].format(username=handle),
                    ensure_ascii=False,
                )
                entities = MENTIONS % (len(handle) + 1, handle, parent_author_ids[n])
                reply_fields = REPLY_FIELDS % (parent_author_ids[n], parent_ids[n])
            tweets.append(
                TWEET
                % (
                    author_ids[n],
                    conversations[n],
                    created[n],
                    ids[n],
                    ids[n],
                    LANGS[langs[n]],
                    *metrics[n],
                    words,
                    entities,
                    reply_fields,
                )
            )
        page_authors = np.array(list(dict.fromkeys(authors.tolist())), dtype=np.int64)
        body = f'{{"data":[{",".join(tweets)}],"includes":{{"users":[{self.users(page_authors)}]}}'
        return body, ids

    def users(self, user_indexes: np.ndarray) -> str:
        """The `includes.users` objects of `user_indexes`, comma-separated."""
        first, last, joined, followers, following, posts, listed, verified = (
            self.user_draw(stream, user_indexes).tolist()
            for stream in (
                _FIRST,
                _LAST,
                _JOINED,
                _FOLLOWERS,
                _FOLLOWING,
                _POSTS,
                _LISTED,
                _VERIFIED,
            )
        )
        user_ids = self.user_ids(user_indexes).tolist()
        users = []
        for n, user in enumerate(user_indexes.tolist()):
            if user == _ACCOUNT:
                users.append(ACCOUNT_USER % (self.account_id, self.account, self.account))
                continue
            first_name = int(first[n] * len(FIRST_NAMES))
            users.append(
                USER
                % (
                    2008 + int(joined[n] * 17),
                    1 + user % 12,
                    1 + user % 28,
                    user_ids[n],
                    f"{FIRST_NAMES[first_name]} {LAST_NAMES[int(last[n] * len(LAST_NAMES))]}",
                    int(followers[n] ** 3 * 50_000),
                    int(following[n] * 2_000),
                    int(posts[n] ** 2 * 30_000),
                    int(listed[n] ** 4 * 300),
                    HANDLES[first_name],
                    user,
                    "true" if verified[n] > 0.93 else "false",
                )
            )
        return ",".join(users)

    def next_token(self, page_number: int) -> str:
        return hashlib.sha256(f"{self.seed}|{page_number}".encode()).hexdigest()[:32]
