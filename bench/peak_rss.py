"""Run a console script (e.g. `dagster`) inside this process, then print this process's peak RSS.

`ru_maxrss` of RUSAGE_SELF counts this Python process alone, not the Spark JVM it starts, which
is exactly the memory the bronze spool has to keep bounded.
Usage: python bench/peak_rss.py dagster asset materialize ...
"""

import resource
import runpy
import shutil
import sys


def main() -> int:
    script = shutil.which(sys.argv[1])
    if script is None:
        raise SystemExit(f"peak_rss: no command {sys.argv[1]!r} on PATH")
    sys.argv = sys.argv[1:]
    code: int | str | None = 0
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as exit_:
        code = exit_.code
    print(f"PEAK_RSS_KIB={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}", file=sys.stderr)
    return code if isinstance(code, int) else 1


if __name__ == "__main__":
    sys.exit(main())
