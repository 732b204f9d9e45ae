"""tweet-lake: X API v2 posts landed in a bronze/silver/gold lake by Dagster and PySpark.

tweet-lake knowingly uses Dagster features that 1.13 still labels beta or preview. It says so
here, once, rather than on the stderr of every command that loads it (pyproject.toml lists the
same for the tests):
- `BackfillPolicy.single_run()`: a range backfill is one run with one Spark session, and there
  is no non-beta way to ask for that;
- a `partitions_def` on asset checks: a range run's check then loads only the run's days
  (without it, every partition since the start);
- `AssetSelection.all(include_sources=...)`, which Dagster's own command line calls for the
  selection `*` (`make demo`, `dg launch --assets '*'`).
"""

import warnings

from dagster import BetaWarning, PreviewWarning

for _message, _category in [
    ("Parameter `backfill_policy` of function `asset` is currently in beta", BetaWarning),
    ("Specifying a partitions_def on an AssetCheckSpec is currently in preview", PreviewWarning),
    (
        "Parameter `include_sources` of function `AssetSelection.all` is currently in beta",
        BetaWarning,
    ),
]:
    warnings.filterwarnings("ignore", _message, _category)
