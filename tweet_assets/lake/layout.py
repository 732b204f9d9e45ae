"""Where the lake keeps each table: `{root}/{layer}/{table}/date=YYYY-MM-DD/`.

Every caller asks a `Table` for its paths instead of building strings: the root (a folder or a
URI), the table's folder and a day's folder (the `date` partition Delta writes).
"""

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import unquote, urlparse

import dagster as dg

RAW_LAYER = "bronze"


def local_folder(root: str) -> Path | None:
    """`root` as a folder of this machine (a path or a `file:` URI), or None for another
    file system's URI (`hdfs://...`, `s3a://...`)."""
    location = urlparse(root)
    if location.scheme == "file":
        return Path(unquote(location.path)).absolute()
    return Path(root).absolute() if not location.scheme else None


@dataclass(frozen=True)
class Table:
    """The lake table of one asset: `bronze_tweets` is `bronze/tweets` under `root`."""

    root: str
    layer: str
    name: str

    @classmethod
    def of(cls, root: str, asset: dg.AssetKey | str) -> "Table":
        """The table of an asset named `{layer}_{table}`."""
        asset_name = asset.path[-1] if isinstance(asset, dg.AssetKey) else asset
        layer, _, name = asset_name.partition("_")
        if not name:
            raise ValueError(
                f"asset {asset_name} has no lake table: name lake assets {{layer}}_{{table}}, "
                "e.g. silver_tweets"
            )
        return cls(root, layer, name)

    @property
    def asset_name(self) -> str:
        return f"{self.layer}_{self.name}"

    @property
    def raw(self) -> bool:
        """Bronze holds raw pages as JSON Lines text; the other layers hold Parquet."""
        return self.layer == RAW_LAYER

    @property
    def root_folder(self) -> Path | None:
        """The lake's folder on this machine, or None when the root is another file system."""
        return local_folder(self.root)

    @property
    def path(self) -> str:
        """The table's folder: a path, or a URI under a URI root."""
        folder = self.root_folder
        return f"{folder if folder else self.root.rstrip('/')}/{self.layer}/{self.name}"

    def day_path(self, day: date) -> str:
        return f"{self.path}/date={day.isoformat()}"


class LegacyLayoutError(Exception):
    """A silver or gold table's folder holds days without a Delta log: the lake's earlier
    layout, which `tweet-lake migrate` converts in place."""


def legacy_layout_message(table: Table) -> str:
    return (
        f"{table.asset_name} at {table.path} holds days without a Delta log: a lake of "
        "tweet-lake's earlier layout (folders of Parquet), which the runs no longer write or "
        "read. Fix: convert the lake in place, losing nothing, with "
        "`tweet-lake migrate`, then materialize again."
    )
