"""A check's verdict on one day: what Dagit shows in each partition of the check.

A run covers one day or a range of days. Dagster 1.13 gives an `AssetCheckResult` the run's
partition only when the run has one, so a range run's results would belong to no day (Dagit:
"0 / N passed" after a backfill where everything passed). Each check therefore yields one
`AssetCheckEvaluation` per day of its run, carrying that day, tied to that day's latest
materialization of the checked asset.
"""

import functools
from collections.abc import Callable, Iterator, Mapping
from typing import Any, cast

import dagster as dg
from dagster._core.definitions.asset_checks.asset_check_evaluation import (
    AssetCheckEvaluationTargetMaterializationData,
)

from tweet_assets.lake import release_step
from tweet_assets.partitions import daily_partitions, days_in_window

Verdicts = Iterator[dg.AssetCheckEvaluation | dg.Output]
Targets = dict[str, AssetCheckEvaluationTargetMaterializationData]
# Materialization records a lookup reads at a time, at least.
PAGE = 100


def verdict_targets(
    context: dg.AssetExecutionContext | dg.AssetCheckExecutionContext, asset_key: dg.AssetKey
) -> Targets:
    """Each day of the run's latest materialization of `asset_key`: what its verdict is about."""
    days = days_in_window(context.partition_time_window)
    return latest_materializations(context.instance, asset_key, [day.isoformat() for day in days])


def latest_materializations(
    instance: dg.DagsterInstance, asset_key: dg.AssetKey, days: list[str]
) -> Targets:
    """The latest materialization of each of `days` of `asset_key` that has one."""
    return {
        day: AssetCheckEvaluationTargetMaterializationData(
            storage_id=record.storage_id, run_id=record.run_id, timestamp=record.timestamp
        )
        for day, record in latest_records(instance, asset_key, days).items()
    }


def latest_records(
    instance: dg.DagsterInstance, asset_key: dg.AssetKey, days: list[str]
) -> dict[str, dg.EventLogRecord]:
    """The record of the latest materialization of each of `days` of `asset_key` that has one.

    One query for a whole run as a rule (newest first, so a run's own materializations come
    first); more, a PAGE at a time, when days were last materialized by other runs.
    """
    records: dict[str, dg.EventLogRecord] = {}
    cursor = None
    while True:
        found = instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=asset_key, asset_partitions=days),
            limit=max(len(days), PAGE),
            cursor=cursor,
        )
        for record in found.records:
            if record.partition_key and record.partition_key not in records:
                records[record.partition_key] = record
        if len(records) == len(days) or not found.has_more:
            return records
        cursor = found.cursor


def day_verdict(
    check: dg.AssetCheckKey,
    day: str,
    targets: Targets,
    *,
    passed: bool,
    metadata: dict[str, Any],
    description: str | None = None,
    severity: dg.AssetCheckSeverity = dg.AssetCheckSeverity.ERROR,
    blocking: bool = False,
) -> dg.AssetCheckEvaluation:
    """The evaluation of `check` for `day`, about its target in `targets` (`verdict_targets`);
    a failed blocking one stops downstream steps."""
    return dg.AssetCheckEvaluation(
        asset_key=check.asset_key,
        check_name=check.name,
        passed=passed,
        metadata=metadata,
        target_materialization_data=targets.get(day),
        severity=severity,
        description=description,
        blocking=blocking,
        partition=day,
    )


def daily_check(
    asset: dg.AssetsDefinition | dg.AssetKey,
    *,
    blocking: bool = False,
    additional_ins: Mapping[str, dg.AssetIn] | None = None,
) -> Callable[[Callable[..., Verdicts]], dg.AssetChecksDefinition]:
    """An asset check on `asset` per UTC day, whose function yields `day_verdict`s (one per day
    of the run) and then `dg.Output(None)`, the check's own output."""

    def decorate(check: Callable[..., Verdicts]) -> dg.AssetChecksDefinition:
        @functools.wraps(check)
        def run(*args: Any, **kwargs: Any) -> Verdicts:
            try:
                yield from check(*args, **kwargs)
            finally:
                release_step()  # the days its inputs held: a check writes no output

        # Dagster types a check as returning one result; it runs a generator of events too.
        as_result = cast(Callable[..., dg.AssetCheckResult], run)
        return dg.asset_check(
            asset=asset,
            blocking=blocking,
            additional_ins=additional_ins,
            partitions_def=daily_partitions,
        )(as_result)

    return decorate
