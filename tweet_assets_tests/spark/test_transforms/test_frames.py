from datetime import date, datetime
from pathlib import Path

import pyarrow.parquet as pq
from pyspark.sql import SparkSession
from pyspark.sql.types import (
    BooleanType,
    DateType,
    LongType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

from tweet_assets.transforms.frames import literal_frame

SCHEMA = StructType(
    [
        StructField("date", DateType(), nullable=False),
        StructField("name", StringType()),
        StructField("count", LongType(), nullable=False),
        StructField("at", TimestampType()),
        StructField("ok", BooleanType()),
    ]
)
ROWS = [
    (date(2026, 11, 20), 'it\'s "quoted"', 3, datetime(2026, 11, 21, 0, 15, 3, 125000), True),
    (date(2026, 11, 21), None, 0, None, None),
]


def test_rows_come_back_as_given_with_the_schemas_types(spark: SparkSession) -> None:
    frame = literal_frame(spark, ROWS, SCHEMA)

    assert frame.dtypes == [(field.name, field.dataType.simpleString()) for field in SCHEMA]
    assert [tuple(row) for row in frame.collect()] == ROWS


def test_every_column_is_nullable_so_every_days_file_has_one_schema(
    spark: SparkSession, tmp_path: Path
) -> None:
    # one day without nulls, one with: their Parquet files must not differ in optional/required
    literal_frame(spark, ROWS, SCHEMA).write.partitionBy("date").parquet(str(tmp_path / "t"))

    schemas = {
        str(pq.read_schema(path)).split("-- schema metadata --")[0]
        for path in (tmp_path / "t").glob("date=*/*.parquet")
    }
    assert len(schemas) == 1
    assert all(field.nullable for field in literal_frame(spark, ROWS[:1], SCHEMA).schema)


def test_no_rows_give_an_empty_frame_of_the_schema(spark: SparkSession) -> None:
    frame = literal_frame(spark, [], SCHEMA)

    assert frame.dtypes == [(field.name, field.dataType.simpleString()) for field in SCHEMA]
    assert frame.collect() == []
