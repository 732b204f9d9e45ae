"""What every medallion asset shares: UTC-day partitions, one run per range, owner, freshness."""

from collections.abc import Callable, Mapping
from typing import Any

import dagster as dg

from tweet_assets.partitions import daily_freshness, daily_partitions


def daily_asset(
    layer: str,
    kinds: set[str],
    tags: Mapping[str, str] | None = None,
    ins: Mapping[str, dg.AssetIn] | None = None,
    check_specs: list[dg.AssetCheckSpec] | None = None,
) -> Callable[[Callable[..., Any]], dg.AssetsDefinition]:
    """An asset of `layer` (its group and `layer` tag), partitioned by UTC day; a range of days
    is backfilled as one run, and the asset is due between 00:00 and 03:00 UTC."""
    return dg.asset(
        partitions_def=daily_partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        group_name=layer,
        kinds=kinds,
        owners=["team:data-engineering"],
        tags={"layer": layer, **(tags or {})},
        freshness_policy=daily_freshness,
        ins=ins,
        check_specs=check_specs,
    )
