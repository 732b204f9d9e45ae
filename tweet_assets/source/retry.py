"""How the X API client survives failures: what is retried, how long it waits, when it gives up.

- `Retryable`: a transient failure (5xx, connection error, timeout, an answer not whole within
  the request deadline, 429, a 200 that is not a search response). Retried with exponential
  backoff and jitter, or after the wait the API named (a 429's `x-rate-limit-reset`), at most
  `max_tries` requests per page and, for all but the waits the API names (a believed reset: up
  to 15 minutes), `max_seconds`.
- `XApiError`: a refusal that waiting will not fix, or the last failure once the limits are
  spent. Its message says what the API answered; it never holds the bearer token.

X answers 429 with `x-rate-limit-reset`, which urllib3's `Retry` ignores: hence this small
hand-written loop.
"""

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


class XApiError(RuntimeError):
    """The X API refused or failed a request; the message says what it answered and why."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


class Retryable(Exception):
    """A transient failure: `reason` says what happened, `wait` overrides the backoff."""

    def __init__(self, reason: str, status: int | None, wait: float | None = None):
        super().__init__(reason)
        self.reason, self.status, self.wait = reason, status, wait


@dataclass
class RetryPolicy:
    """How hard to try one page: at most `max_tries` requests within `max_seconds`."""

    max_tries: int = 6
    max_seconds: float = 300.0
    backoff_seconds: float = 1.0
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    # A whole request, connect to the body's last byte: an answer that trickles a byte every
    # few seconds (each within the read timeout) fails the try once this is spent.
    request_seconds: float = 120.0

    def backoff(self, failures: int) -> float:
        """Exponential backoff with jitter: about base·2^(n-1), between half and all of it."""
        return min(self.backoff_seconds * 2 ** (failures - 1), 60.0) * random.uniform(0.5, 1.0)

    def run(
        self, attempt: Callable[[], T], where: str, wait: Callable[[float, int | None], None]
    ) -> T:
        """`attempt()` until it returns, retrying each `Retryable` within the limits; `wait`
        (seconds, the failure's status) sleeps between tries. Raises `XApiError` when spent."""
        started = time.monotonic()
        failures = 0
        while True:
            try:
                return attempt()
            except Retryable as retry:
                failures += 1
                pause = retry.wait if retry.wait is not None else self.backoff(failures)
                elapsed = time.monotonic() - started
                # Only a wait the API named (a believed rate-limit reset) may outlast the budget.
                out_of_time = retry.wait is None and elapsed + pause > self.max_seconds
                if failures >= self.max_tries or out_of_time:
                    status = f"status {retry.status}" if retry.status else "no answer"
                    raise XApiError(
                        f"{where} failed {failures} times in {elapsed:.0f}s, giving up (limits: "
                        f"{self.max_tries} tries, {self.max_seconds:.0f}s); "
                        f"last: {status}: {retry.reason}",
                        status=retry.status,
                    ) from None
                wait(pause, retry.status)
