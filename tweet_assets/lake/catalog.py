"""The lake as SQL tables with lakehouse names: `bronze.tweets`, `silver.tweets`,
`silver.users`, `gold.daily_counts`, `gold.daily_hashtags`.

Each is an external table over its lake folder, partitioned by `date`, in the catalog of the
session that registers it (Spark's in-memory one for `tweet-lake sql` and the SQL server): no
metastore to keep in step with the commits, and no embedded Derby, which admits one process at a
time. The catalog tracks no partitions and, in a server, keeps no table's file listing between
queries (`CATALOG_CONF`): every query lists the table's day folders, so a day committed a moment
ago by a run is in the next query, with no `MSCK REPAIR`.

Read-only, twice over. A statement whose plan writes (`write_refusal`: INSERT, CREATE TABLE …
AS SELECT, INSERT OVERWRITE DIRECTORY, LOAD DATA, DELETE, UPDATE, MERGE, TRUNCATE) is refused
with a message saying so, before it runs. Behind that, a read-only session names Spark's
abstract commit protocol as the one to write files with (`READ_ONLY_CONF`), so any file write
that got past the first check fails before it deletes or writes a file. The tables are
external: `DROP TABLE` forgets one and deletes no file.
"""

import os
import re
import tempfile
from pathlib import Path

from pyspark.sql import SparkSession
from pyspark.sql.types import StructType

from tweet_assets.lake.layout import Table
from tweet_assets.lake.reader import days_in, read_days

# Where Spark keeps its databases' folders (empty: the tables are external): a folder of its
# own, not `spark-warehouse/` in whatever folder the command runs in.
WAREHOUSE = Path(tempfile.gettempdir()) / f"tweet-lake-spark-warehouse-{os.getuid()}"
_MANAGED_PARTITIONS = "spark.sql.hive.manageFilesourcePartitions"
# What a long-lived session (the SQL server) needs so each query sees the days committed since
# the last one: partitions are listed from the folders, not kept in the catalog, and no table's
# file listing is cached between queries. Fixed when the session starts.
CATALOG_CONF = {
    "spark.sql.catalogImplementation": "in-memory",
    "spark.sql.warehouse.dir": str(WAREHOUSE),
    _MANAGED_PARTITIONS: "false",
    "spark.sql.filesourceTableRelationCacheSize": "0",
}
# Spark's abstract commit protocol: it cannot be made, so a write fails as it sets up, before
# it deletes (INSERT OVERWRITE) or writes a file.
READ_ONLY_CONF = {
    "spark.sql.sources.commitProtocolClass": "org.apache.spark.internal.io.FileCommitProtocol"
}
READ_ONLY = "the lake is read-only here"
# The plans that write, parsed (InsertIntoStatement, CreateTableAsSelect, InsertIntoDir…) or
# analyzed (InsertIntoHadoopFsRelationCommand, CreateDataSourceTableAsSelectCommand…).
_WRITES = re.compile(
    r"Insert|AsSelect|AppendData|Overwrite|DeleteFrom|UpdateTable|MergeInto|LoadData|Truncate"
)


def write_refusal(plan: str) -> str | None:
    """Why a statement whose plan is of class `plan` (simple name) is refused, or None."""
    if not _WRITES.search(plan):
        return None
    return (
        f"{READ_ONLY}: {plan} writes, and only the runs write the lake, whole days at a time. "
        "Materialize in Dagit or with `dagster asset materialize`; to keep tables of your own, "
        "write them from your own Spark session outside the lake."
    )


def sql_name(table: Table) -> str:
    """The table's lakehouse name: `{layer}.{table}`."""
    return f"{table.layer}.{table.name}"


def register_tables(spark: SparkSession, tables: list[Table], raw_schema: StructType) -> list[str]:
    """Create (or re-create) each table that has a day in the lake, with the merged schema of
    its days (bronze: `raw_schema`, its pages parsed as JSON); their SQL names, sorted."""
    names = []
    for table in tables:
        if not days_in(spark, table):
            continue
        if table.raw:
            schema, source = raw_schema, "json"
        else:
            schema, source = (
                read_days(spark, table, merge_schema=True).drop("date").schema,
                "parquet",
            )
        columns = ", ".join(f"`{f.name}` {f.dataType.simpleString()}" for f in schema)
        name = sql_name(table)
        if not spark.catalog.databaseExists(table.layer):
            # in the warehouse, never the lake: dropping a database deletes its folder
            spark.sql(f"CREATE DATABASE {table.layer}")
        spark.sql(f"DROP TABLE IF EXISTS {name}")
        spark.sql(
            f"CREATE TABLE {name} ({columns}, `date` date) USING {source} "
            f"PARTITIONED BY (`date`) LOCATION '{_quoted(table.path)}'"
        )
        if spark.conf.get(_MANAGED_PARTITIONS, "true") == "true":
            # a session without CATALOG_CONF lists the partitions it has at this moment
            spark.sql(f"ALTER TABLE {name} RECOVER PARTITIONS")
        names.append(name)
    return sorted(names)


def _quoted(text: str) -> str:
    return text.replace("\\", "\\\\").replace("'", "\\'")
