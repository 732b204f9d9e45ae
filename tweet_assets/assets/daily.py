"""What every medallion asset shares: UTC-day partitions, one run per range, owner, freshness."""

import functools
import inspect
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import dagster as dg

from tweet_assets.lake import release_step
from tweet_assets.partitions import daily_freshness, daily_partitions


def releasing_days(compute: Callable[..., Any]) -> Callable[..., Any]:
    """`compute`, letting go of the lake days its step holds (`lake.locks`) when it fails: the
    step's output is never written, so its IO manager never releases them."""

    if inspect.isgeneratorfunction(compute):  # Dagster reads a generator's yields as events

        @functools.wraps(compute)
        def events(*args: Any, **kwargs: Any) -> Iterator[Any]:
            try:
                yield from compute(*args, **kwargs)
            except BaseException:
                release_step()
                raise

        return events

    @functools.wraps(compute)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return compute(*args, **kwargs)
        except BaseException:
            release_step()
            raise

    return run


def _spec(layer: str, kinds: set[str], tags: Mapping[str, str] | None) -> dict[str, Any]:
    """What every medallion asset of `layer` declares."""
    return {
        "group_name": layer,
        "kinds": kinds,
        "owners": ["team:data-engineering"],
        "tags": {"layer": layer, **(tags or {})},
        "freshness_policy": daily_freshness,
    }


def daily_asset(
    layer: str,
    kinds: set[str],
    tags: Mapping[str, str] | None = None,
    ins: Mapping[str, dg.AssetIn] | None = None,
    check_specs: list[dg.AssetCheckSpec] | None = None,
) -> Callable[[Callable[..., Any]], dg.AssetsDefinition]:
    """An asset of `layer` (its group and `layer` tag), partitioned by UTC day; a range of days
    is backfilled as one run, and the asset is due between 00:00 and 03:00 UTC."""
    asset = dg.asset(
        partitions_def=daily_partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        ins=ins,
        check_specs=check_specs,
        **_spec(layer, kinds, tags),
    )
    return lambda compute: asset(releasing_days(compute))


def daily_assets(
    name: str,
    layer: str,
    kinds: set[str],
    descriptions: Mapping[str, str],
    ins: Mapping[str, dg.AssetIn],
    check_specs: list[dg.AssetCheckSpec] | None = None,
) -> Callable[[Callable[..., Any]], dg.AssetsDefinition]:
    """Assets of `layer` (keys and descriptions: `descriptions`) made by one step, `name`,
    each as `daily_asset` makes one and each depending on every input. A selection of some of
    them runs the step for those alone (`context.selected_asset_keys`)."""
    outs = {
        key: dg.AssetOut(description=text, is_required=False, **_spec(layer, kinds, None))
        for key, text in descriptions.items()
    }
    assets = dg.multi_asset(
        name=name,
        outs=outs,
        ins=ins,
        check_specs=check_specs,
        partitions_def=daily_partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        can_subset=True,
    )
    return lambda compute: assets(releasing_days(compute))
