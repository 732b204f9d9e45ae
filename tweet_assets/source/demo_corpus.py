"""The offline demo corpus: recent-search pages made up on the spot, no network, no token.

Every post is a pure function of (query, day, index), so a day is reproducible page by page
without holding the day in memory (1,000,000 posts a day stream as 10,000 pages, about 8 s).
The pages have the shape the live API sends with this project's fields and expansions: newest
first, up to 100 posts, `includes.users` for the page's authors, `meta` with `next_token` until
the last page, and `{"meta":{"result_count":0}}` for a day without posts. The day holds replies
and conversations, repeat authors, accents, emoji and newlines, posts at exactly 00:00:00.000
and 23:59:59.999, and `entities`: hashtags (some twice in one post, in another case), the
mention a reply opens with, and links. The tracked account (`account`) writes a share of the
posts, so the day holds its posts, replies to it and conversations it takes part in.

A page is computed with numpy, a hundred posts at a time, and written straight to compact JSON.
"""

import hashlib
import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import numpy as np

from tweet_assets.settings import DEFAULT_ACCOUNT, DEMO_PER_DAY
from tweet_assets.source.pages import FetchStats, SearchPage

PAGE_SIZE = 100
_TWITTER_EPOCH_MS = 1_288_834_974_657
_DAY_MS = 86_400_000
_REPLY_SHARE = 0.3
_MAX_REPLY_DISTANCE = 300
# The share of posts the tracked account writes.
_ACCOUNT_SHARE = 0.03
_ACCOUNT = -1  # the account's user index

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
_FIRST_NAMES = ["João", "Maria", "Zoë", "Ana", "Chloé", "Luís", "Bruno", "Beatriz", "Renée"]
_HANDLES = [name.lower().encode("ascii", "ignore").decode() for name in _FIRST_NAMES]
_LAST_NAMES = ["Silva", "Gonçalves", "Müller", "Araújo", "Souza", "Peña", "Lima", "Ørsted"]
_LANGS = ["pt", "pt", "pt", "en", "es", "pt", "en", "pt"]
# What follows a post's opening: hashtags ({tag} is the topic's, in three cases) and a link.
_ENDINGS = [
    "",
    "",
    "",
    " #{tag}",
    " #{tag}",
    " #{lower}",
    " #{tag} #dados",
    " #{tag} #{upper}",
    " #Dados #{tag} https://t.co/{code}",
    " https://t.co/{code}",
]
_LINK = "https://www.alura.com.br/cursos/{slug}"
_HASHTAG, _MENTION, _URL = re.compile(r"#(\w+)"), re.compile(r"@(\w+)"), re.compile(r"https://\S+")

# Independent random streams per post (or per user): draw(stream, index).
_JITTER, _AUTHOR, _IS_REPLY, _DISTANCE, _TOPIC, _TEXT, _LANG = range(7)
_LIKES, _REPOSTS, _REPLY_COUNT, _QUOTES, _VIEWS, _BY_ACCOUNT, _ENDING = range(7, 14)
_FIRST, _LAST, _JOINED, _FOLLOWERS, _FOLLOWING, _POSTS, _LISTED, _VERIFIED = range(8)
_STREAMS = 16

_TWEET = (
    '{"author_id":"%s","conversation_id":"%s","created_at":"%sZ","edit_history_tweet_ids":["%s"],'
    '"id":"%s","lang":"%s","public_metrics":{"retweet_count":%d,"reply_count":%d,'
    '"like_count":%d,"quote_count":%d,"bookmark_count":%d,"impression_count":%d},"text":%s%s%s}'
)
_MENTIONS = ',"entities":{"mentions":[{"start":0,"end":%d,"username":"%s","id":"%s"}]}'
_REPLY_FIELDS = ',"in_reply_to_user_id":"%s","referenced_tweets":[{"type":"replied_to","id":"%s"}]'
_USER = (
    '{"created_at":"%04d-%02d-%02dT00:00:00.000Z","id":"%s","name":"%s","public_metrics":'
    '{"followers_count":%d,"following_count":%d,"tweet_count":%d,"listed_count":%d},'
    '"username":"%s_%d","verified":%s}'
)


def _entities(text: str) -> str:
    """`,"entities":{...}` for the hashtags, mentions and links of a demo text (or nothing)."""
    found: dict[str, list[dict]] = {}
    for match in _HASHTAG.finditer(text):
        found.setdefault("hashtags", []).append(
            {"start": match.start(), "end": match.end(), "tag": match.group(1)}
        )
    for match in _MENTION.finditer(text):
        found.setdefault("mentions", []).append(
            {"start": match.start(), "end": match.end(), "username": match.group(1)}
        )
    for match in _URL.finditer(text):
        slug = hashlib.sha256(match.group().encode()).hexdigest()[:6]
        expanded = _LINK.format(slug=slug)
        found.setdefault("urls", []).append(
            {
                "start": match.start(),
                "end": match.end(),
                "url": match.group(),
                "expanded_url": expanded,
                "display_url": expanded.removeprefix("https://"),
            }
        )
    if not found:
        return ""
    return ',"entities":' + json.dumps(found, ensure_ascii=False, separators=(",", ":"))


_ACCOUNT_USER = (
    '{"created_at":"2011-05-04T00:00:00.000Z","id":"%s","name":"%s","public_metrics":'
    '{"followers_count":250000,"following_count":300,"tweet_count":40000,"listed_count":900},'
    '"username":"%s","verified":true}'
)


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


class DemoCorpus:
    """Search pages for the offline demo: `tweets_per_day` posts in every UTC day, a share of
    them by `account` (none when None)."""

    source = "demo"
    endpoint = "demo"

    def __init__(self, tweets_per_day: int, account: str | None = DEFAULT_ACCOUNT):
        if tweets_per_day < 0:
            raise ValueError(
                f"demo tweets per day is {tweets_per_day}; set {DEMO_PER_DAY} to 0 or more"
            )
        self.tweets_per_day = tweets_per_day
        self.account = account
        self.stats = FetchStats()

    def user_id(self, username: str) -> str:
        """Every username is an account of the demo corpus."""
        self._count_request()
        return demo_user_id(username)

    def check_window(self, label: str, start: datetime, end: datetime) -> None:
        """The demo corpus serves any whole day, past or future."""

    def search_pages(
        self, query: str, start: datetime, end: datetime, max_tweets: int | None = None
    ) -> Iterator[SearchPage]:
        day_start = start.astimezone(UTC)
        midnight = day_start.replace(hour=0, minute=0, second=0, microsecond=0)
        if day_start != midnight or end - start != timedelta(days=1):
            raise ValueError(
                f"the demo corpus serves whole UTC days; got [{start.isoformat()}, "
                f"{end.isoformat()})"
            )
        if self.tweets_per_day == 0:
            self._count_request()
            yield SearchPage('{"meta":{"result_count":0}}', 0)
            return
        day = _Day(query, day_start, self.tweets_per_day, self.account)
        page_count = -(-self.tweets_per_day // PAGE_SIZE)
        if max_tweets is not None:
            page_count = min(page_count, max(1, -(-max_tweets // PAGE_SIZE)))
        for page_number in range(page_count):
            newest = self.tweets_per_day - 1 - page_number * PAGE_SIZE
            oldest = max(0, newest - PAGE_SIZE + 1)
            body, ids = day.page(np.arange(newest, oldest - 1, -1, dtype=np.int64))
            meta = f'"newest_id":"{ids[0]}","oldest_id":"{ids[-1]}","result_count":{len(ids)}'
            next_token = day.next_token(page_number + 1) if oldest > 0 else None
            if next_token:
                meta += f',"next_token":"{next_token}"'
            self._count_request()
            yield SearchPage(
                f'{body},"meta":{{{meta}}}}}',
                len(ids),
                next_token=next_token,
                ids=tuple(map(str, ids)),
            )

    def count_days(self, query: str, start: datetime, end: datetime) -> dict[date, int]:
        """Every whole UTC day of [start, end) holds `tweets_per_day` posts, whatever the query."""
        self._count_request()
        first = start.astimezone(UTC).date()
        return {first + timedelta(days=n): self.tweets_per_day for n in range((end - start).days)}

    def _count_request(self) -> None:
        self.stats.requests += 1
        self.stats.statuses[200] += 1


class _Day:
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
        first = (self.user_draw(_FIRST, user_indexes) * len(_FIRST_NAMES)).astype(np.int64)
        pairs = zip(first.tolist(), user_indexes.tolist(), strict=True)
        return [
            f"{_HANDLES[name]}_{user}" if user != _ACCOUNT else str(self.account)
            for name, user in pairs
        ]

    def opening(self, opening: int, topic: int, ending: int) -> tuple[str, str]:
        """The JSON text of an opening post and its `,"entities":{...}`."""
        key = (opening, topic, ending)
        if key not in self.openings:
            name = _TOPICS[topic]
            tag = "".join(word.capitalize() for word in name.split())
            words = _OPENINGS[opening].format(topic=name, query=self.query)
            code = hashlib.sha256(f"{self.query}|{name}".encode()).hexdigest()[:10]
            words += _ENDINGS[ending].format(
                tag=tag, lower=tag.lower(), upper=tag.upper(), code=code
            )
            self.openings[key] = (json.dumps(words, ensure_ascii=False), _entities(words))
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
        topics = (topic * len(_TOPICS)).astype(np.int64).tolist()
        langs = (lang * len(_LANGS)).astype(np.int64).tolist()
        openings = (text * len(_OPENINGS)).astype(np.int64).tolist()
        endings = (ending * len(_ENDINGS)).astype(np.int64).tolist()
        tweets = []
        for n, parent in enumerate(parents.tolist()):
            if parent < 0:
                words, entities = self.opening(openings[n], topics[n], endings[n])
                reply_fields = ""
            else:
                handle = parent_handles[n]
                words = json.dumps(
                    _REPLIES[int(text[n] * len(_REPLIES))].format(username=handle),
                    ensure_ascii=False,
                )
                entities = _MENTIONS % (len(handle) + 1, handle, parent_author_ids[n])
                reply_fields = _REPLY_FIELDS % (parent_author_ids[n], parent_ids[n])
            tweets.append(
                _TWEET
                % (
                    author_ids[n],
                    conversations[n],
                    created[n],
                    ids[n],
                    ids[n],
                    _LANGS[langs[n]],
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
                users.append(_ACCOUNT_USER % (self.account_id, self.account, self.account))
                continue
            first_name = int(first[n] * len(_FIRST_NAMES))
            users.append(
                _USER
                % (
                    2008 + int(joined[n] * 17),
                    1 + user % 12,
                    1 + user % 28,
                    user_ids[n],
                    f"{_FIRST_NAMES[first_name]} {_LAST_NAMES[int(last[n] * len(_LAST_NAMES))]}",
                    int(followers[n] ** 3 * 50_000),
                    int(following[n] * 2_000),
                    int(posts[n] ** 2 * 30_000),
                    int(listed[n] ** 4 * 300),
                    _HANDLES[first_name],
                    user,
                    "true" if verified[n] > 0.93 else "false",
                )
            )
        return ",".join(users)

    def next_token(self, page_number: int) -> str:
        return hashlib.sha256(f"{self.seed}|{page_number}".encode()).hexdigest()[:32]
