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

A page is computed with numpy, a hundred posts at a time, and written straight to compact JSON
(`demo_day`, in the words of `demo_text`).
"""

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import numpy as np

from tweet_assets.settings import DEFAULTS, DEMO_PER_DAY
from tweet_assets.source.demo_day import DemoDay, demo_user_id
from tweet_assets.source.pages import FetchStats, SearchPage

PAGE_SIZE = 100


class DemoCorpus:
    """Search pages for the offline demo: `tweets_per_day` posts in every UTC day, a share of
    them by `account` (none when None)."""

    source = "demo"
    endpoint = "demo"

    def __init__(self, tweets_per_day: int, account: str | None = DEFAULTS.account):
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
        day = DemoDay(query, day_start, self.tweets_per_day, self.account)
        # With a cost cap, exactly the cap: the last page holds only what the cap leaves.
        limit = self.tweets_per_day if max_tweets is None else min(self.tweets_per_day, max_tweets)
        newest, page_number = self.tweets_per_day - 1, 0
        while newest >= self.tweets_per_day - limit:
            oldest = max(self.tweets_per_day - limit, newest - PAGE_SIZE + 1)
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
            newest, page_number = oldest - 1, page_number + 1

    def count_days(self, query: str, start: datetime, end: datetime) -> dict[date, int]:
        """Every whole UTC day of [start, end) holds `tweets_per_day` posts, whatever the query."""
        self._count_request()
        first = start.astimezone(UTC).date()
        return {first + timedelta(days=n): self.tweets_per_day for n in range((end - start).days)}

    def _count_request(self) -> None:
        self.stats.requests += 1
        self.stats.statuses[200] += 1
