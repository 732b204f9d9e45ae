"""A check's verdict on one day: what Dagit shows in each partition of the check.

A run covers one day or a range of days. Dagster 1.13 gives an `AssetCheckResult` the run's
partition only when the run has one, so a range run's results would belong to no day (Dagit:
"0 / N passed" after a backfill where everything passed). Each check therefore yields one
`AssetCheckEvaluation` per day of its run, carrying that day, tied to that day's latest
materialization of the checked asset.
"""

from collections.abc import Callable, Iterator, Mapping
from typing import Any, cast

import dagster as dg
from dagster._core.definitions.asset_checks.asset_check_evaluation import (
    AssetCheckEvaluationTargetMaterializationData,
)

from tweet_assets.partitions import daily_partitions

Verdicts = Iterator[dg.AssetCheckEvaluation | dg.Output]


def _target(
    instance: dg.DagsterInstance, asset_key: dg.AssetKey, day: str
) -> AssetCheckEvaluationTargetMaterializationData | None:
    """The day's latest materialization of `asset_key`: the one the verdict is about."""
    found = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=asset_key, asset_partitions=[day]), limit=1
    ).records
    if not found:
        return None
    return AssetCheckEvaluationTargetMaterializationData(
        storage_id=found[0].storage_id, run_id=found[0].run_id, timestamp=found[0].timestamp
    )


def day_verdict(
    context: dg.AssetExecutionContext | dg.AssetCheckExecutionContext,
    check: dg.AssetCheckKey,
    day: str,
    *,
    passed: bool,
    metadata: dict[str, Any],
    description: str | None = None,
    severity: dg.AssetCheckSeverity = dg.AssetCheckSeverity.ERROR,
    blocking: bool = False,
) -> dg.AssetCheckEvaluation:
    """The evaluation of `check` for `day`; a failed blocking one stops downstream steps."""
    return dg.AssetCheckEvaluation(
        asset_key=check.asset_key,
        check_name=check.name,
        passed=passed,
        metadata=metadata,
        target_materialization_data=_target(context.instance, check.asset_key, day),
        severity=severity,
        description=description,
        blocking=blocking,
        partition=day,
    )


def daily_check(
    asset: dg.AssetsDefinition,
    *,
    blocking: bool = False,
    additional_ins: Mapping[str, dg.AssetIn] | None = None,
) -> Callable[[Callable[..., Verdicts]], dg.AssetChecksDefinition]:
    """An asset check on `asset` per UTC day, whose function yields `day_verdict`s (one per day
    of the run) and then `dg.Output(None)`, the check's own output."""

    def decorate(check: Callable[..., Verdicts]) -> dg.AssetChecksDefinition:
        # Dagster types a check as returning one result; it runs a generator of events too.
        as_result = cast(Callable[..., dg.AssetCheckResult], check)
        return dg.asset_check(
            asset=asset,
            blocking=blocking,
            additional_ins=additional_ins,
            partitions_def=daily_partitions,
        )(as_result)

    return decorate
