"""The lake's tables through delta-rs (`deltalake`): no JVM, as pandas and DuckDB users read them.

A Delta table is read through its log, of its latest version or of one `as_of` names (a version
number, or a UTC time: the version current then), never by listing its folder, which holds the
files of older versions too. A run whose driver shares the lake's folder also asks delta-rs,
not Spark, whether a table exists, which days it holds and which files a version names, and
commits with it the files Spark wrote (`commit_days`): each a read or a write of the log, where
Spark would replay the log in jobs.
"""

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from deltalake import CommitProperties, DeltaTable, Schema
from deltalake.exceptions import CommitFailedError, DeltaError, TableNotFoundError
from deltalake.transaction import AddAction, RemoveAction

from tweet_assets.lake.layout import LegacyLayoutError, Table, legacy_layout_message, local_folder

# A checkpoint of the log every 10 versions, as Spark's Delta makes them by default; delta-rs,
# which commits a local lake's writes, makes one every 100 unless the table says otherwise.
CHECKPOINTS = {"delta.checkpointInterval": "10"}


class AsOfError(ValueError):
    """An `--as-of` that is neither a version of the table nor a time it has a version at."""


def open_delta(table: Table, as_of: str | None = None) -> DeltaTable | None:
    """The table's log at `as_of` (latest when None); None when the table was never written.

    `LegacyLayoutError` for a folder of the earlier layout (days of Parquet, no log)."""
    try:
        delta = DeltaTable(_uri(table))
    except TableNotFoundError:
        folder = local_folder(table.path)
        if folder is not None and any(p.is_file() for p in folder.rglob("*.parquet")):
            raise LegacyLayoutError(legacy_layout_message(table)) from None
        return None
    if as_of is not None:
        version = _version_at(delta, _version_or_time(as_of))
        if version is not None:
            try:
                delta.load_as_version(version)
            except DeltaError:  # a version the log does not hold
                version = None
        if version is None:
            newest = delta.version()
            raise AsOfError(
                f"{table.asset_name} has no version as of {as_of!r}; its versions are 0 to "
                f"{newest}. Fix: give a version number from 0 to {newest}, or a UTC time such "
                "as 2026-11-20T12:00:00 at or after the table was made (tweet-lake sql "
                "'DESCRIBE HISTORY …' lists them)."
            ) from None
    return delta


def read_delta(
    table: Table, first: date | None, last: date | None, as_of: str | None = None
) -> pd.DataFrame | None:
    """The table's rows from `first` to `last` (open when None) at `as_of`, `date` first and
    sorted by it and the next column; None when the table holds no such day."""
    delta = open_delta(table, as_of)
    if delta is None:
        return None
    bounds = [("date", ">=", first)] if first else []
    bounds += [("date", "<=", last)] if last else []
    frame = delta.to_pandas(filters=bounds or None)
    if frame.empty:
        return None
    columns = ["date", *[c for c in frame.columns if c != "date"]]
    return frame[columns].sort_values(columns[:2], kind="stable").reset_index(drop=True)


def exists(table: Table) -> bool:
    """Whether the table's folder holds a Delta log with a version."""
    return DeltaTable.is_deltatable(_uri(table))


def create(table: Table, spark_schema: dict[str, Any], user_metadata: str) -> None:
    """Make the Delta table (version 0, no rows) with the columns of `spark_schema` (a Spark
    `StructType.jsonValue()`, which is Delta's own schema format), all nullable as Spark's
    `CREATE TABLE` makes them, partitioned by `date`; its commit carries `user_metadata`.
    A table another run made meanwhile is left as it is."""
    try:
        DeltaTable.create(
            _uri(table),
            Schema.from_json(json.dumps(_nullable(spark_schema))),
            mode="ignore",
            partition_by=["date"],
            configuration=CHECKPOINTS,
            commit_properties=CommitProperties(custom_metadata={"userMetadata": user_metadata}),
        )
    except DeltaError:
        if not exists(table):  # not a race another run's version 0 won
            raise


class SchemaMismatch(ValueError):
    """A run's rows give a column of the table another type."""


def merged_schema(table: Table, spark_schema: dict[str, Any]) -> dict[str, Any]:
    """The table's schema with the columns (and struct fields) `spark_schema` (a Spark
    `StructType.jsonValue()`) adds, appended and nullable, so older days read them as null, as
    Delta's `mergeSchema` does; `SchemaMismatch`, naming the column, when a column the table
    has would change type."""
    return _merged_into(DeltaTable(_uri(table)), table, spark_schema)


def _merged_into(delta: DeltaTable, table: Table, spark_schema: dict[str, Any]) -> dict[str, Any]:
    return _merged(table, "", json.loads(delta.schema().to_json()), _nullable(spark_schema))


def _merged(table: Table, name: str, old: Any, new: Any) -> Any:
    kind = old.get("type") if isinstance(old, dict) else old
    if isinstance(old, dict) and isinstance(new, dict) and kind == new.get("type"):
        if kind == "struct":
            fields = {field["name"]: field for field in old["fields"]}
            merged = [
                {**field, "type": _merged(table, _dotted(name, field["name"]), field["type"], t)}
                if (t := _field_type(new, field["name"])) is not None
                else field
                for field in old["fields"]
            ]
            added = [field for field in new["fields"] if field["name"] not in fields]
            return {**old, "fields": merged + added}
        if kind == "array":
            return {
                **old,
                "elementType": _merged(table, name, old["elementType"], new["elementType"]),
            }
        if kind == "map":
            return {
                **old,
                "keyType": _merged(table, name, old["keyType"], new["keyType"]),
                "valueType": _merged(table, name, old["valueType"], new["valueType"]),
            }
    if _nullable(old) == new:
        return old
    raise SchemaMismatch(
        f"{table.asset_name}: the run's column {name!r} is {json.dumps(new)}, the table's is "
        f"{json.dumps(old)}. Nothing was written. Fix: give the column its type again, or "
        "write the new type under a new column name."
    )


def _dotted(parent: str, name: str) -> str:
    return f"{parent}.{name}" if parent else name


def _field_type(struct: dict[str, Any], name: str) -> Any:
    return next((field["type"] for field in struct["fields"] if field["name"] == name), None)


class CommitConflict(RuntimeError):
    """Other writers' commits kept winning over a run's."""


# Commits of other writers a run's commit is retried on top of, before it gives up.
_COMMIT_ATTEMPTS = 10


def commit_days(
    table: Table,
    files: dict[date, list[Path]],
    days: list[date],
    spark_schema: dict[str, Any],
    user_metadata: str,
) -> None:
    """One commit making `files` (data files in the table's folder, by day) the rows of `days`,
    each other day untouched: the files of `days` the latest version names are removed, these
    added, with their row counts as statistics; the columns of `spark_schema` the table lacks
    join its schema (`merged_schema`). The commit carries `user_metadata`.

    delta-rs treats an overwrite of some days as a read of the whole table, so another run's
    commit of other days in the meantime fails it: it is made again on the newest version (the
    run's days are its own under the day locks, so no other writer replaced them), up to
    _COMMIT_ATTEMPTS times, then `CommitConflict`."""
    folder = local_folder(table.path)
    assert folder is not None, table.path
    adds: list[AddAction | RemoveAction] = []
    for day, paths in files.items():
        for path in paths:
            stat = path.stat()
            adds.append(
                AddAction(
                    path=path.relative_to(folder).as_posix(),
                    size=stat.st_size,
                    partition_values={"date": day.isoformat()},
                    modification_time=stat.st_mtime_ns // 1_000_000,
                    data_change=True,
                    stats=json.dumps({"numRecords": pq.read_metadata(path).num_rows}),
                )
            )
    for _ in range(_COMMIT_ATTEMPTS):
        delta = DeltaTable(str(folder))
        try:
            delta.create_write_transaction(
                adds,
                "overwrite",
                Schema.from_json(json.dumps(_merged_into(delta, table, spark_schema))),
                partition_by=["date"],
                partition_filters=[("date", "in", [day.isoformat() for day in days])],
                commit_properties=CommitProperties(custom_metadata={"userMetadata": user_metadata}),
            )
            return
        except CommitFailedError:
            continue
    raise CommitConflict(
        f"{table.asset_name}: other writers committed to {table.path} before each of "
        f"{_COMMIT_ATTEMPTS} tries of this run's commit; nothing of the run was committed. "
        "Fix: materialize the run's days again once the other writers are done."
    )


def files_of(table: Table, days: list[date] | None) -> tuple[list[str], str, dict[str, Any]]:
    """The data files the latest version names for `days` (all when None), the table's
    location they are under (its folder's real path: a root reached through a symbolic link
    resolves), and its schema (Delta's schema JSON, which is Spark's)."""
    delta = DeltaTable(_uri(table))
    # exact on the partition column: the files of those days, no other
    filters = [("date", "in", [day.isoformat() for day in days])] if days is not None else None
    files = delta.file_uris(file_pruning_predicate=filters)
    return files, delta.table_uri, json.loads(delta.schema().to_json())


def _nullable(schema: Any) -> Any:
    """`schema` with every field, element and value nullable."""
    if isinstance(schema, list):
        return [_nullable(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    nullable = {key: _nullable(value) for key, value in schema.items()}
    for flag in ("nullable", "containsNull", "valueContainsNull"):
        if flag in nullable:
            nullable[flag] = True
    return nullable


def days_held(table: Table) -> set[date] | None:
    """The days the table's latest version holds files of; None when it was never written."""
    try:
        delta = DeltaTable(_uri(table))
    except TableNotFoundError:
        return None
    return {date.fromisoformat(values["date"]) for values in delta.partitions()}


def read_columns(table: Table, columns: list[str], days: list[date]) -> pa.Table:
    """`columns` of the rows of `days` of the table's latest version (no rows when it was
    never written)."""
    try:
        dataset = DeltaTable(_uri(table)).to_pyarrow_dataset()
    except TableNotFoundError:
        return pa.table({column: pa.array([], pa.null()) for column in columns})
    return dataset.to_table(columns=columns, filter=pc.field("date").isin(days))


def first_rows(table: Table, days: list[date], count: int) -> list[dict]:
    """Up to `count` rows of `days` of the table's newest version (a run's preview)."""
    dataset = DeltaTable(_uri(table)).to_pyarrow_dataset()
    return dataset.head(count, filter=pc.field("date").isin(days)).to_pylist()


def history(table: Table, limit: int | None = None) -> list[dict]:
    """The table's newest `limit` commits (all when None), newest first (`version`,
    `timestamp`, `userMetadata`, `operationMetrics`, …), as `DESCRIBE HISTORY` lists them."""
    return _history(DeltaTable(_uri(table)), limit)


def _history(delta: DeltaTable, limit: int | None) -> list[dict]:
    """A table converted by Spark's `CONVERT TO DELTA` (`tweet-lake migrate`) begins with a
    commit delta-rs 1.6 cannot read (its `readVersion` is -1): the list then stops before it."""
    try:
        return delta.history(limit)
    except DeltaError:
        newest = delta.version()
        if limit is not None and limit <= newest:
            raise
        return delta.history(newest) if newest else []


def _version_at(delta: DeltaTable, when: int | datetime) -> int | None:
    """The version `when` names: itself when a number; for a time, the newest version
    committed at or before it, None when the table was made later (delta-rs would load
    version 0 for such a time; Spark refuses it, and so do we)."""
    if isinstance(when, int):
        return when
    commits = _history(delta, None)
    made = {c["version"]: c["timestamp"] for c in commits}
    if len(made) == delta.version():  # all but a converted table's first: dated by its metadata
        made[0] = DeltaTable(delta.table_uri, version=0).metadata().created_time
    moment = when.timestamp() * 1000
    versions = [version for version, stamp in made.items() if stamp <= moment]
    return max(versions) if versions else None


def _uri(table: Table) -> str:
    folder = local_folder(table.path)
    return str(folder) if folder is not None else table.path


def _version_or_time(as_of: str) -> int | datetime:
    if as_of.isdigit():
        return int(as_of)
    try:
        moment = datetime.fromisoformat(as_of)
    except ValueError:
        raise AsOfError(
            f"--as-of {as_of!r} is neither a version number nor a time. Fix: give a version "
            "such as 3, or a UTC time such as 2026-11-20T12:00:00."
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
