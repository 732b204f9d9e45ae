"""Reading Spark's event log (`spark.eventLog.enabled`, uncompressed): which SQL executions
actually scanned a column of a table's files, for the tests and the benchmarks.

A plan that reads a cached DataFrame names the cached plan's scan too (Spark prints the cached
plan under its `InMemoryTableScan`), so naming a scan proves nothing. What does: the scan's
`number of output rows` growing in a task. Each task belongs to a stage, each stage to a job,
and each job to the SQL execution in its `spark.sql.execution.id` property.
"""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

SCAN_ROWS = "number of output rows"


def _events(log_dir: Path) -> Iterator[dict[str, Any]]:
    # Spark 4 rolls each application's log into a folder of `events_N_<app>` files.
    for path in sorted(log_dir.rglob("*")):
        if path.is_file() and not path.name.startswith((".", "appstatus")):
            with path.open() as lines:
                yield from (json.loads(line) for line in lines if line.strip())


def _scan_rows(plan: dict[str, Any], location: str, column: str) -> Iterator[int]:
    """The accumulator ids of `number of output rows` of each scan of a path holding
    `location` that reads `column`, in `plan` (a `sparkPlanInfo` tree)."""
    name = plan.get("nodeName", "").lower()
    metadata = plan.get("metadata", {})
    scanned, columns = metadata.get("Location", ""), metadata.get("ReadSchema", "")
    if name.startswith("scan ") and location in scanned and f"{column}:" in columns:
        yield from (m["accumulatorId"] for m in plan.get("metrics", []) if m["name"] == SCAN_ROWS)
    for child in plan.get("children", []):
        yield from _scan_rows(child, location, column)


def executions_scanning(log_dir: Path, location: str, column: str) -> list[int]:
    """The SQL executions, in the event logs under `log_dir`, whose tasks read rows of
    `column` from files under a path containing `location`."""
    scan_rows: set[int] = set()
    execution_of_job: dict[int, int] = {}
    job_of_stage: dict[int, int] = {}
    rows_by_stage: dict[int, int] = {}
    for event in _events(log_dir):
        kind = event["Event"].rsplit(".", 1)[-1]
        if kind in ("SparkListenerSQLExecutionStart", "SparkListenerSQLAdaptiveExecutionUpdate"):
            scan_rows.update(_scan_rows(event["sparkPlanInfo"], location, column))
        elif kind == "SparkListenerJobStart":
            execution = (event.get("Properties") or {}).get("spark.sql.execution.id")
            if execution is not None:
                execution_of_job[event["Job ID"]] = int(execution)
                job_of_stage.update({stage: event["Job ID"] for stage in event["Stage IDs"]})
        elif kind == "SparkListenerTaskEnd":
            updates = event.get("Task Info", {}).get("Accumulables", [])
            rows = sum(int(a.get("Update") or 0) for a in updates if a["ID"] in scan_rows)
            stage = event["Stage ID"]
            rows_by_stage[stage] = rows_by_stage.get(stage, 0) + rows
    return sorted(
        {
            execution_of_job[job_of_stage[stage]]
            for stage, rows in rows_by_stage.items()
            if rows and job_of_stage.get(stage) in execution_of_job
        }
    )
