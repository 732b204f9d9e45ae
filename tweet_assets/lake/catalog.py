"""The lake as SQL tables with lakehouse names: `bronze.tweets`, `silver.tweets`,
`silver.users`, `gold.daily_counts`, `gold.daily_hashtags`.

Each is an external Delta table over its lake folder, partitioned by `date`, in the catalog of
the session that registers it (Spark's in-memory one for `tweet-lake sql` and the SQL server):
no metastore to keep in step with the commits, and no embedded Derby, which admits one process
at a time. Each query reads the log's latest version (or the one `VERSION AS OF n` /
`TIMESTAMP AS OF t` names), so a day committed a moment ago by a run is in the next query.

Read-only by an allowlist (`statement_refusal`): a statement runs only if it is a query (a plan
with no command in it, which is all Spark runs eagerly), or one of the `SHOW`/`DESCRIBE`/`EXPLAIN`
statements of `READ_STATEMENTS` (and `USE`, which a JDBC connection sends as it opens); a query
that would start a program (`TRANSFORM … USING`) or call a Java method (`reflect`,
`java_method`) is refused too. Everything else (`DROP`, `ALTER`, `CREATE`, `SET`, `ADD JAR`,
`INSERT` in any form, `CACHE`, …) is refused with a message saying so, before it runs. Behind
that, a read-only session names Spark's abstract commit protocol as the one to write files with
(`READ_ONLY_CONF`), so a file write that got past the first check fails before it deletes or
writes a file.

In a catalog that already has a table of one of these names over another location (someone
else's, in a shared metastore), nothing is replaced: `TableNotOurs` names the table and the ways
out. A table over the lake's own location (an earlier start's) is made again.
"""

import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pyspark.sql import SparkSession

from tweet_assets.lake.layout import Table, local_folder
from tweet_assets.lake.reader import refuse_legacy_layout

# Where Spark keeps its databases' folders (empty: the tables are external): a folder of its
# own, not `spark-warehouse/` in whatever folder the command runs in.
WAREHOUSE = Path(tempfile.gettempdir()) / f"tweet-lake-spark-warehouse-{os.getuid()}"
# The catalog of tweet-lake's own sessions (a Delta table's query reads its log, so the days
# runs commit are in the next query). Fixed when the session starts.
CATALOG_CONF = {
    "spark.sql.catalogImplementation": "in-memory",
    "spark.sql.warehouse.dir": str(WAREHOUSE),
}
# Spark's abstract commit protocol: it cannot be made, so a write fails as it sets up, before
# it deletes (INSERT OVERWRITE) or writes a file.
READ_ONLY_CONF = {
    "spark.sql.sources.commitProtocolClass": "org.apache.spark.internal.io.FileCommitProtocol"
}
READ_ONLY = "the lake is read-only here"
# The statements besides queries that run: each reads the catalog or a plan and writes nothing
# (their plans' class names, parsed and analyzed). `USE` changes the session's current database.
READ_STATEMENTS = frozenset(
    {
        *("ShowTables", "ShowTablesCommand", "ShowTablesExtended", "ShowTableExtended"),
        *("ShowViews", "ShowViewsCommand", "ShowNamespaces", "ShowNamespacesCommand"),
        *("ShowColumns", "ShowColumnsCommand", "ShowPartitions", "ShowPartitionsCommand"),
        *("ShowTablePartition", "ShowCreateTable", "ShowCreateTableCommand"),
        *("ShowCreateTableAsSerdeCommand", "ShowTableProperties", "ShowTablePropertiesCommand"),
        *("ShowFunctions", "ShowFunctionsCommand", "ShowCatalogsCommand"),
        *("ShowCurrentNamespace", "ShowCurrentNamespaceCommand", "ShowCollationsCommand"),
        *("DescribeRelation", "DescribeTableCommand", "DescribeColumn", "DescribeColumnCommand"),
        *("DescribeTablePartition", "DescribeNamespace", "DescribeDatabaseCommand"),
        *("DescribeFunction", "DescribeFunctionCommand", "DescribeQueryCommand"),
        *("SetCatalogAndNamespace", "SetNamespaceCommand", "SetCatalogCommand"),
        # Delta's: a table's history (which run wrote each version) and its details
        *("DescribeDeltaHistory", "DescribeDeltaHistoryCommand", "DescribeDeltaDetailCommand"),
    }
)
_EXPLAIN = "ExplainCommand"
# Query operators that run code of the user's choosing: a program, a Java method.
_RUNS_CODE = frozenset({"ScriptTransformation"})
_CALLS_JAVA = re.compile(r"(?i)(?<![\w.])'?(try_reflect|reflect|java_method)\(")
# Plans that are statements, not queries, though not commands (they become commands when
# analyzed): `INSERT … ` and `INSERT OVERWRITE DIRECTORY` as parsed.
_STATEMENT_CLASSES = (
    "org.apache.spark.sql.catalyst.plans.logical.Command",
    "org.apache.spark.sql.catalyst.plans.logical.ParsedStatement",
    "org.apache.spark.sql.catalyst.plans.logical.InsertIntoDir",
)


class TableNotOurs(Exception):
    """A table of one of the lake's names is in the catalog, and tweet-lake did not make it."""


def statement_refusal(plan: Any, jvm: Any) -> str | None:
    """Why the statement whose plan (parsed or analyzed; a py4j object of the JVM `jvm`) is
    `plan` may not run here, or None when it is a query or one of `READ_STATEMENTS`."""
    name = plan.getClass().getSimpleName()
    if name == _EXPLAIN:  # EXPLAIN runs nothing; what it explains must pass too
        return statement_refusal(plan.logicalPlan(), jvm)
    if name in READ_STATEMENTS:
        return None
    statements = [jvm.java.lang.Class.forName(c) for c in _STATEMENT_CLASSES]
    for node in _nodes(plan):
        what = node.getClass().getSimpleName()
        if any(kind.isInstance(node) for kind in statements):
            return _refused(
                f"{what} is not a query, SHOW, DESCRIBE or EXPLAIN, the only statements run here"
            )
        if what in _RUNS_CODE:
            return _refused(f"{what} runs a program")
        called = _CALLS_JAVA.search(node.expressions().toString())
        if called:
            return _refused(f"{called.group(1)}() calls Java methods")
    return None


def _nodes(plan: Any) -> Iterator[Any]:
    """The plan's nodes: children, inner children (a WITH's definitions) and subqueries."""
    yield plan
    for seq in (plan.children(), plan.innerChildren(), plan.subqueries()):
        for i in range(seq.size()):
            child = seq.apply(i)
            if hasattr(child, "subqueries"):
                yield from _nodes(child)


def _refused(why: str) -> str:
    return (
        f"{READ_ONLY}: {why}. The runs alone write the lake, whole days at a time: materialize "
        "in Dagit or with `dagster asset materialize`; for tables of your own, use your own "
        "Spark session outside the lake."
    )


def sql_name(table: Table) -> str:
    """The table's lakehouse name: `{layer}.{table}`."""
    return f"{table.layer}.{table.name}"


def register_tables(spark: SparkSession, tables: list[Table]) -> list[str]:
    """Create (or re-create) each table the lake holds; their SQL names, sorted.

    Each is the Delta table itself (`USING DELTA LOCATION`): its schema and its versions for
    time travel come from the log. Bronze's pages are text (`value`): `from_json` reads them."""
    names = []
    for table in tables:
        if not refuse_legacy_layout(spark, table):
            continue
        name = sql_name(table)
        if not spark.catalog.databaseExists(table.layer):
            # in the warehouse, never the lake: dropping a database deletes its folder
            spark.sql(f"CREATE DATABASE {table.layer}")
        elif spark.catalog.tableExists(name):
            _drop_ours(spark, name, table)
        spark.sql(f"CREATE TABLE {name} USING DELTA LOCATION '{_quoted(table.path)}'")
        names.append(name)
    return sorted(names)


def _drop_ours(spark: SparkSession, name: str, table: Table) -> None:
    """Drop the table `name` if it is the lake's (an earlier start); else `TableNotOurs`."""
    location = _location(spark, name)
    if location is None or location != _location_of(table.path):
        raise TableNotOurs(
            f"{name} is already in the catalog over {location or 'no location'}, not the "
            f"lake's {table.path}, so tweet-lake did not make it: it stays as it is and the "
            f"SQL tables were not made. Fix: drop or rename {name} if it is yours to drop, or "
            "give tweet-lake a catalog of its own (leave spark.sql.catalogImplementation out "
            "of SPARK_CONF: the in-memory one, or point it at another metastore)."
        )
    spark.sql(f"DROP TABLE {name}")


def _location(spark: SparkSession, name: str) -> str | None:
    rows = spark.sql(f"DESCRIBE TABLE EXTENDED {name}").where("col_name = 'Location'").collect()
    return _location_of(rows[0]["data_type"]) if rows else None


def _location_of(path: str) -> str:
    """A location as the catalog writes it, for comparing: `file:` URIs as folders."""
    local = local_folder(path)
    return str(local).rstrip("/") if local else path.rstrip("/")


def _quoted(text: str) -> str:
    return text.replace("\\", "\\\\").replace("'", "\\'")
