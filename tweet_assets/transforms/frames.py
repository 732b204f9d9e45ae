"""DataFrames of a few rows the driver holds (a run's days, their fetch records, gold's rows).

`spark.createDataFrame` ships local rows through a Python RDD, which starts Spark's Python
workers: seconds on a small machine, for a handful of rows. Rows given as literals stay in the
query plan, and no Python worker starts.
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
