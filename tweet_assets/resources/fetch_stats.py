"""What fetching a partition cost, counted by the client, shown in bronze's metadata."""

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class FetchStats:
    requests: int = 0
    retries: int = 0
    rate_limit_waits: int = 0
    rate_limit_wait_seconds: float = 0.0
    statuses: Counter = field(default_factory=Counter)
