"""Parsing one bronze day's pages: Spark's JSON reader against pyarrow's, each in a fresh process.

Both read the day's JSON Lines with silver's page schema (transforms.silver.PAGE_SCHEMA) and
unnest the pages' posts; Spark's parse is the one silver pays (the parsed pages' cache filled),
pyarrow's is what parsing the pages in our Python process would cost before Spark saw a row.
Prints the seconds as JSON: `session` (Spark's start), `spark` and `pyarrow`.
Usage: python bench/parse_json.py BRONZE_DAY_FOLDER
"""

import json
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj
from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from tweet_assets.spark import default_conf
from tweet_assets.transforms.silver import CORRUPT_RECORD, PAGE_SCHEMA, parsed_once

_TYPES = {T.StringType: pa.string(), T.LongType: pa.int64(), T.BooleanType: pa.bool_()}


def arrow_type(spark_type: T.DataType) -> pa.DataType:
    if isinstance(spark_type, T.StructType):
        return pa.struct([pa.field(f.name, arrow_type(f.dataType)) for f in spark_type])
    if isinstance(spark_type, T.ArrayType):
        return pa.list_(arrow_type(spark_type.elementType))
    return _TYPES[type(spark_type)]


def with_pyarrow(files: list[Path]) -> int:
    schema = arrow_type(T.StructType([f for f in PAGE_SCHEMA if f.name != CORRUPT_RECORD]))
    options = pj.ParseOptions(
        explicit_schema=pa.schema(list(schema)), unexpected_field_behavior="ignore"
    )
    posts = 0
    for file in files:
        pages = pj.read_json(file, parse_options=options)
        posts += len(pc.list_flatten(pages.column("data")))
    return posts


def with_spark(spark: SparkSession, folder: Path) -> int:
    table = spark.read.option("basePath", str(folder.parent))
    pages = parsed_once(table.schema(PAGE_SCHEMA).json(str(folder)))
    [row] = pages.select(F.sum(F.size("data")).alias("posts")).collect()
    pages.unpersist()
    return row["posts"]


def main(folder: str) -> dict[str, float]:
    day = Path(folder)
    files = sorted(path for path in day.iterdir() if path.is_file() and path.name[0] not in "._")
    mark = time.perf_counter()
    arrow_posts = with_pyarrow(files)
    seconds = {"pyarrow": time.perf_counter() - mark}
    mark = time.perf_counter()
    builder = SparkSession.builder
    for key, value in default_conf("local[*]").items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    seconds["session"] = time.perf_counter() - mark
    mark = time.perf_counter()
    spark_posts = with_spark(spark, day)
    seconds["spark"] = time.perf_counter() - mark
    spark.stop()
    if arrow_posts != spark_posts:
        sys.exit(f"parse_json: pyarrow read {arrow_posts} posts, Spark {spark_posts}")
    return seconds


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))
