"""A new table's version 0, made by delta-rs (no JVM) as Spark's `CREATE TABLE` would make it."""

import json
from datetime import date

import pyarrow as pa
from deltalake import DeltaTable, write_deltalake

from tweet_assets.lake import Table, delta_rs

# A Spark schema (`StructType.jsonValue()`) as an aggregate makes one: fields Spark knows are
# never null, nested ones too.
SPARK_SCHEMA = {
    "type": "struct",
    "fields": [
        {"name": "tweets", "type": "long", "nullable": False, "metadata": {}},
        {
            "name": "tags",
            "type": {"type": "array", "elementType": "string", "containsNull": False},
            "nullable": False,
            "metadata": {},
        },
        {
            "name": "fetch",
            "type": {
                "type": "struct",
                "fields": [{"name": "source", "type": "string", "nullable": False, "metadata": {}}],
            },
            "nullable": True,
            "metadata": {},
        },
        {"name": "date", "type": "date", "nullable": False, "metadata": {}},
    ],
}


def test_a_new_table_has_every_column_nullable_is_partitioned_by_day_and_names_its_run(tmp_path):
    table = Table(str(tmp_path), "gold", "daily_counts")
    assert not delta_rs.exists(table)
    assert delta_rs.days_held(table) is None  # never written

    delta_rs.create(table, SPARK_SCHEMA, json.dumps({"dagster_run_id": "r1"}))

    delta = DeltaTable(table.path)
    assert delta.version() == 0 and delta.metadata().partition_columns == ["date"]
    schema = json.loads(delta.schema().to_json())
    assert [f["name"] for f in schema["fields"]] == ["tweets", "tags", "fetch", "date"]
    assert all(f["nullable"] for f in schema["fields"] + schema["fields"][2]["type"]["fields"])
    assert schema["fields"][1]["type"]["containsNull"] is True
    assert json.loads(delta_rs.history(table)[0]["userMetadata"]) == {"dagster_run_id": "r1"}
    assert delta_rs.exists(table) and delta_rs.days_held(table) == set()


def test_making_a_table_another_run_made_meanwhile_leaves_it_as_it_is(tmp_path):
    table = Table(str(tmp_path), "gold", "daily_counts")
    delta_rs.create(table, SPARK_SCHEMA, json.dumps({"dagster_run_id": "r1"}))
    rows = pa.table(
        {
            "tweets": [None, 3],
            "tags": [None, ["a"]],
            "fetch": pa.array([None, None], pa.struct([("source", pa.string())])),
            "date": [date(2026, 9, 1), date(2026, 9, 2)],
        }
    )
    write_deltalake(table.path, rows, mode="append")

    delta_rs.create(table, SPARK_SCHEMA, json.dumps({"dagster_run_id": "r2"}))

    assert DeltaTable(table.path).version() == 1
    assert delta_rs.days_held(table) == {date(2026, 9, 1), date(2026, 9, 2)}
    read = delta_rs.read_columns(table, ["tweets", "date"], [date(2026, 9, 2)])
    assert read.to_pylist() == [{"tweets": 3, "date": date(2026, 9, 2)}]
