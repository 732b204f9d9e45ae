"""The offline demo corpus: recent-search pages made up on the spot, no network, no token.

Every post is a pure function of (query, day, index), so a day is reproducible page by page
without holding the day in memory (1,000,000 posts a day stream as 10,000 pages). The pages have
the shape the live API sends with this project's fields and expansions: newest first, up to 100
posts, `includes.users` for the page's authors, `meta` with `next_token` until the last page, and
`{"meta":{"result_count":0}}` for a day without posts. The day holds replies and conversations,
repeat authors, accents, emoji and newlines, and posts at exactly 00:00:00.000 and 23:59:59.999.
"""

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from tweet_assets.resources.fetch_stats import FetchStats
from tweet_assets.resources.search_page import SearchPage

PAGE_SIZE = 100
_TWITTER_EPOCH_MS = 1_288_834_974_657
_DAY_MS = 86_400_000
_MASK64 = (1 << 64) - 1

_OPENINGS = [
    "Começando hoje o curso de {topic} na {query} 🚀",
    "Alguém mais estudando {topic}? A aula de ontem foi ótima 👏",
    "Dica rápida de {topic}:\nleia a documentação antes de tudo 📚",
    "Just finished the {topic} module from {query}. Worth it! ✅",
    "Pergunta sincera: {topic} ou dados em tempo real? 🤔",
    "Meu primeiro pipeline com {topic} rodou sem erro 🎉\n\n#{query}",
    "¿Alguien tiene apuntes de {topic}? Gracias 🙏",
    "Três coisas sobre {topic} esta semana:\n1. partições\n2. esquemas\n3. paciência ☕",
]
_REPLIES = [
    "@{username} concordo demais! 💯",
    "@{username} obrigado pela dica, vou testar amanhã 🙌",
    "@{username} great point — saved it.",
    "@{username} você usou qual versão? Aqui deu erro 😅",
    "@{username} ¡excelente! 👍",
]
_TOPICS = ["Spark", "Airflow", "Dagster", "Python", "SQL", "engenharia de dados", "Parquet"]
_FIRST_NAMES = [
    "João",
    "Maria",
    "Zoë",
    "Ana",
    "Chloé",
    "Luís",
    "Bruno",
    "Beatriz",
    "Renée",
    "Iñaki",
]
_LAST_NAMES = ["Silva", "Gonçalves", "Müller", "Araújo", "Souza", "Peña", "Lima", "Ørsted"]
_LANGS = ["pt", "pt", "pt", "en", "es", "pt", "en", "pt"]


def _mix(value: int) -> int:
    """splitmix64: a fast, well-spread hash of an integer."""
    value = (value + 0x9E3779B97F4A7C15) & _MASK64
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & _MASK64
    return value ^ (value >> 31)


def _draws(seed: int, count: int) -> list[float]:
    """`count` uniform numbers in [0, 1) determined by `seed`."""
    return [_mix(seed + n) / 2.0**64 for n in range(count)]


class DemoCorpus:
    """Search pages for the offline demo: `tweets_per_day` posts in every UTC day."""

    source = "demo"
    endpoint = "demo"

    def __init__(self, tweets_per_day: int):
        if tweets_per_day < 0:
            raise ValueError(
                f"demo tweets per day is {tweets_per_day}; set TWEETS_DEMO_PER_DAY to 0 or more"
            )
        self.tweets_per_day = tweets_per_day
        self.stats = FetchStats()

    def check_window(self, label: str, start: datetime, end: datetime) -> None:
        """The demo corpus serves any whole day, past or future."""

    def search_pages(
        self, query: str, start: datetime, end: datetime, max_tweets: int | None = None
    ) -> Iterator[SearchPage]:
        day_start = start.astimezone(UTC)
        if (day_start.hour, day_start.minute, day_start.second, day_start.microsecond) != (
            0,
            0,
            0,
            0,
        ) or end - start != timedelta(days=1):
            raise ValueError(
                f"the demo corpus serves whole UTC days; got [{start.isoformat()}, "
                f"{end.isoformat()})"
            )
        day = _Day(query, day_start, self.tweets_per_day)
        if self.tweets_per_day == 0:
            self._count_request()
            yield SearchPage('{"meta":{"result_count":0}}', 0)
            return
        page_count = -(-self.tweets_per_day // PAGE_SIZE)
        if max_tweets is not None:
            page_count = min(page_count, max(1, -(-max_tweets // PAGE_SIZE)))
        for page_number in range(page_count):
            newest = self.tweets_per_day - 1 - page_number * PAGE_SIZE
            oldest = max(0, newest - PAGE_SIZE + 1)
            indexes = range(newest, oldest - 1, -1)
            tweets = [day.tweet(index) for index in indexes]
            authors = dict.fromkeys(day.author_index(index) for index in indexes)
            users = [day.user(author) for author in authors]
            meta: dict = {
                "newest_id": tweets[0]["id"],
                "oldest_id": tweets[-1]["id"],
                "result_count": len(tweets),
            }
            next_token = None
            if oldest > 0:
                next_token = meta["next_token"] = day.next_token(page_number + 1)
            document = {"data": tweets, "includes": {"users": users}, "meta": meta}
            self._count_request()
            yield SearchPage(
                json.dumps(document, ensure_ascii=False, separators=(",", ":")),
                len(tweets),
                next_token=next_token,
            )

    def _count_request(self) -> None:
        self.stats.requests += 1
        self.stats.statuses[200] += 1


class _Day:
    """The posts of one (query, day); post `index` 0 is the day's first, at 00:00:00.000."""

    def __init__(self, query: str, day_start: datetime, count: int):
        digest = hashlib.sha256(f"{query}|{day_start.date().isoformat()}".encode()).digest()
        self.seed = int.from_bytes(digest[:8], "big")
        self.query_seed = int.from_bytes(hashlib.sha256(query.encode()).digest()[:8], "big")
        self.query = query
        self.start_ms = int(day_start.timestamp() * 1000)
        self.count = count
        self.user_pool = max(20, count // 8)

    def offset_ms(self, index: int) -> int:
        if self.count == 1 or index == 0:
            return 0
        if index == self.count - 1:
            return _DAY_MS - 1
        gap = (_DAY_MS - 1) / (self.count - 1)
        jitter = _draws(self.seed ^ (index << 20), 1)[0] * gap / 2
        return int(index * gap + jitter)

    def tweet_id(self, index: int) -> str:
        timestamp_ms = self.start_ms + self.offset_ms(index)
        worker = self.query_seed % 1024
        return str(((timestamp_ms - _TWITTER_EPOCH_MS) << 22) | (worker << 12) | (index % 4096))

    def author_index(self, index: int) -> int:
        # Cubing a uniform draw skews authorship toward low indices: a few prolific users.
        return int(self.user_pool * _draws(self.seed + 7 * index + 1, 1)[0] ** 3)

    def user_id(self, user_index: int) -> str:
        return str(1_400_000_000_000 + user_index * 7919 + self.query_seed % 7919)

    def parent_of(self, index: int) -> int | None:
        """The post that post `index` replies to, or None for a post that starts a conversation."""
        is_reply, distance = _draws(self.seed + 7 * index + 3, 2)
        if index == 0 or is_reply >= 0.3:
            return None
        return index - 1 - int(distance**2 * min(index - 1, 300))

    def conversation_root(self, index: int) -> int:
        parent = self.parent_of(index)
        while parent is not None:
            index, parent = parent, self.parent_of(parent)
        return index

    def tweet(self, index: int) -> dict:
        created_ms = self.start_ms + self.offset_ms(index)
        created = datetime.fromtimestamp(created_ms / 1000, UTC)
        tweet_id = self.tweet_id(index)
        author_id = self.user_id(self.author_index(index))
        topic_draw, text_draw, lang_draw, likes, reposts, replies, quotes, views = _draws(
            self.seed + 7 * index + 5, 8
        )
        parent = self.parent_of(index)
        topic = _TOPICS[int(topic_draw * len(_TOPICS))]
        if parent is None:
            text = _OPENINGS[int(text_draw * len(_OPENINGS))].format(topic=topic, query=self.query)
        else:
            parent_user = self.user(self.author_index(parent))
            text = _REPLIES[int(text_draw * len(_REPLIES))].format(username=parent_user["username"])
        impressions = int(50 + views**3 * 20_000)
        tweet: dict = {
            "author_id": author_id,
            "conversation_id": self.tweet_id(self.conversation_root(index)),
            "created_at": created.strftime("%Y-%m-%dT%H:%M:%S.") + f"{created_ms % 1000:03d}Z",
            "edit_history_tweet_ids": [tweet_id],
            "id": tweet_id,
            "lang": _LANGS[int(lang_draw * len(_LANGS))],
            "public_metrics": {
                "retweet_count": int(reposts**4 * 40),
                "reply_count": int(replies**4 * 12),
                "like_count": int(likes**3 * impressions / 20),
                "quote_count": int(quotes**6 * 5),
                "bookmark_count": int(likes**4 * 8),
                "impression_count": impressions,
            },
            "text": text,
        }
        if parent is not None:
            tweet["in_reply_to_user_id"] = self.user_id(self.author_index(parent))
            tweet["referenced_tweets"] = [{"type": "replied_to", "id": self.tweet_id(parent)}]
        return tweet

    def user(self, user_index: int) -> dict:
        first, last, year, followers, following, posts, listed, verified = _draws(
            self.query_seed + 11 * user_index, 8
        )
        first_name = _FIRST_NAMES[int(first * len(_FIRST_NAMES))]
        last_name = _LAST_NAMES[int(last * len(_LAST_NAMES))]
        joined = datetime(
            2008 + int(year * 17), 1 + user_index % 12, 1 + user_index % 28, tzinfo=UTC
        )
        return {
            "created_at": joined.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "id": self.user_id(user_index),
            "name": f"{first_name} {last_name}",
            "public_metrics": {
                "followers_count": int(followers**3 * 50_000),
                "following_count": int(following * 2_000),
                "tweet_count": int(posts**2 * 30_000),
                "listed_count": int(listed**4 * 300),
            },
            "username": f"{first_name.lower()}_{user_index}".encode("ascii", "ignore").decode(),
            "verified": verified > 0.93,
        }

    def next_token(self, page_number: int) -> str:
        return hashlib.sha256(f"{self.seed}|{page_number}".encode()).hexdigest()[:32]
