"""Materialize one asset for one day in this process and SIGKILL the process at a chosen moment.

    python -m tweet_assets_tests.integration.reliability.kill_run LAKE ASSET DAY POSTS MOMENT

MOMENT is where the run dies while it writes ASSET's day into the lake (see lake/commit.py):
- `before-commit`: the stage is written, nothing is swapped in yet;
- `mid-swap`: on the two-rename path, the old day is moved aside and the new one not yet in;
- `after-swap`: the day is exchanged, the stage (now holding the old day) not yet deleted.
"""

import os
import signal
import sys
from pathlib import Path

from tweet_assets.lake import commit as lake_commit
from tweet_assets.source import TwitterResource
from tweet_assets_tests.support.pipeline import materialize


def die(*_: object) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def main(lake: str, asset: str, day: str, posts: str, moment: str) -> None:
    if moment == "before-commit":
        lake_commit.Stage.commit = die
    elif moment == "mid-swap":

        def move_old_aside_then_die(new: Path, final: Path, replaced: Path) -> None:
            final.rename(replaced / final.name)
            die()

        lake_commit._swap_in = move_old_aside_then_die
    elif moment == "after-swap":
        swap_in = lake_commit._swap_in

        def swap_then_die(new: Path, final: Path, replaced: Path) -> None:
            swap_in(new, final, replaced)
            die()

        lake_commit._swap_in = swap_then_die
    else:
        raise SystemExit(f"unknown moment {moment!r}")
    materialize(Path(lake), TwitterResource(demo_tweets_per_day=int(posts)), day, selection=asset)
    raise SystemExit(f"{asset} {day} was written without reaching {moment}")


if __name__ == "__main__":
    main(*sys.argv[1:])
