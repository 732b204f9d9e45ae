"""What the X API client does not trust: its own token's shape, a clear-text base URL, a rate-limit
reset beyond the API's window, and paging that would never end.

- The bearer token loses surrounding whitespace (a secrets file's newline) and is refused with
  whitespace or control characters inside; no message ever holds its value, and `redact` takes
  it (and any `Bearer …`) out of text that leaves the client.
- `http://` is allowed only to a loopback address, never through a proxy: anywhere else the token
  would travel in clear. A URL that URL parsers read differently (userinfo, a backslash) is
  refused: the request could go to another host than the one checked.
- An `x-rate-limit-reset` more than RESET_HORIZON ahead (the API's windows are 15 minutes), or
  not a finite number, is not believed: the client backs off within its retry budget instead.
- `PagingGuard` stops paging (a day's search, a run's counts) at a repeated `next_token`, at a
  run of empty pages that still carry one, and at a page ceiling derived from the endpoint's
  rate limit.
"""

import math
import re
from urllib.parse import urlsplit

from tweet_assets.settings import API_BASE_URL, TOKEN, base_url_problem, is_loopback
from tweet_assets.source.retry import XApiError

# The API's rate-limit windows are 15 minutes; a reset further ahead than this is not believed.
RESET_HORIZON = 16 * 60.0
WINDOWS_A_DAY = 24 * 4
# Pages in a row without posts that still carry a next_token, before paging is called endless.
MAX_EMPTY_PAGES = 50
_BEARER = re.compile(r"Bearer\s+\S+", re.IGNORECASE)


def checked_token(token: str) -> str:
    """The token without surrounding whitespace; XApiError, naming only the variable, for a token
    with whitespace, control or non-ASCII characters inside."""
    token = token.strip()
    if not token or not all(" " < char < "\x7f" for char in token):
        raise XApiError(
            f"{TOKEN} holds whitespace, control or non-ASCII characters inside the token (its "
            "value is not shown): set it to the app's bearer token alone, on one line"
        )
    return token


def checked_base_url(base_url: str) -> str:
    """`base_url` if it is https, or http to a loopback address, and every URL parser reads the
    same host in it (`settings.base_url_problem`, also checked at start); else XApiError."""
    problem = base_url_problem(base_url)
    if problem:
        raise XApiError(f"{API_BASE_URL}={base_url!r} {problem}")
    return base_url


def to_this_machine(base_url: str) -> bool:
    """Whether `base_url` names a loopback host: no proxy may stand between (plain http there
    would hand the proxy the token)."""
    return is_loopback((urlsplit(base_url).hostname or "").lower())


def redact(text: str, token: str) -> str:
    """`text` with the token and any `Bearer …` credential taken out."""
    if token:
        text = text.replace(token, "[redacted]")
    return _BEARER.sub("Bearer [redacted]", text)


def believed_reset(value: str | None, now: float) -> tuple[float | None, str | None]:
    """The epoch seconds of an `x-rate-limit-reset` header value, or None; and, for a value that
    is not believed, why (naming the header and the value)."""
    if value is None:
        return None, None
    try:
        reset = float(value)
    except ValueError:
        reset = math.nan
    if not math.isfinite(reset) or reset - now > RESET_HORIZON:
        ahead = f"{reset - now:,.0f} s ahead" if math.isfinite(reset) else "not a finite time"
        return None, (
            f"x-rate-limit-reset={value!r} is {ahead}, beyond the API's 15-minute window: not "
            "believed, backing off instead"
        )
    return reset, None


class PagingGuard:
    """Raises XApiError when a day's paging would never end (see the module's docstring)."""

    def __init__(self, window: str, ceiling: int, items: str = "posts"):
        self._window, self._ceiling, self._items = window, ceiling, items
        self._seen: dict[str, int] = {}
        self._pages = self._empty = 0

    def check(self, next_token: str, items: int) -> None:
        """Call with each page that carries a next_token (and how many posts or count buckets
        it holds), before asking for the next page."""
        self._pages += 1
        self._empty = 0 if items else self._empty + 1
        token = next_token
        problem = None
        if token in self._seen:
            problem = (
                f"page {self._pages} carries next_token {token!r}, as page "
                f"{self._seen[token]} did: paging would repeat forever"
            )
        elif self._empty >= MAX_EMPTY_PAGES:
            problem = f"{self._empty} pages in a row hold no {self._items} yet carry a next_token"
        elif self._pages >= self._ceiling:
            problem = (
                f"{self._pages} pages reach the ceiling of {self._ceiling} a day (more requests "
                "than the endpoint's rate limit allows in a day)"
            )
        if problem:
            raise XApiError(
                f"stopped paging {self._window} after {self._pages} pages: {problem}. Nothing was "
                "written; this is the API's (or a proxy's) fault: try again later, or report it"
            )
        self._seen[token] = self._pages
