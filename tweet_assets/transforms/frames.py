"""DataFrames of a handful of values the driver holds (a fetch record's line, an empty table).

`spark.createDataFrame` ships local rows through a Python RDD, which starts Spark's Python
workers: seconds on a small machine, for one row. Rows given as literals stay in the query plan,
and no Python worker starts. Each value is one call into the JVM, though: for more than a few
dozen values, compute the rows in Spark or checkpoint them instead.
"""

from collections.abc import Sequence
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import ArrayType, StructField, StructType


def literal_frame(
    spark: SparkSession, rows: Sequence[Sequence[Any]], schema: StructType
) -> DataFrame:
    """`rows` (values in the order of `schema`'s fields) as a DataFrame of `schema`'s columns
    and types, every column nullable (as Spark reads any file): a table written from it has the
    same Parquet schema whichever of its values are null."""
    if not rows:
        return spark.range(0).select(
            *[F.lit(None).cast(field.dataType).alias(field.name) for field in schema]
        )
    structs = [
        F.struct(
            *[
                F.lit(value).cast(field.dataType).alias(field.name)
                for field, value in zip(schema, row, strict=True)
            ]
        )
        for row in rows
    ]
    nullable = StructType([StructField(field.name, field.dataType) for field in schema])
    return spark.range(1).select(F.inline(F.array(*structs).cast(ArrayType(nullable, False))))
