"""Free loopback ports and what is left of a process group, for tests that start servers."""

import contextlib
import socket
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def free_ports(count: int) -> list[int]:
    """`count` distinct free loopback ports."""
    ports: set[int] = set()
    while len(ports) < count:
        ports.add(free_port())
    return list(ports)


def alive_in_group(pgid: int) -> list[str]:
    """The processes of a group that still run (zombies have ended), as 'pid command'."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            # pid (comm) state ppid pgrp ...; comm may hold spaces, so split after its ')'
            text = stat.read_text()
            state, _ppid, pgrp = text[text.rindex(")") + 2 :].split()[:3]
            if int(pgrp) == pgid and state not in "ZX":
                alive.append(f"{stat.parent.name} {text[text.index('(') : text.rindex(')') + 1]}")
    return alive
