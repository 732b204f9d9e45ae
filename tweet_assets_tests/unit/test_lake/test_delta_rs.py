"""delta-rs (no JVM): a new table's version 0, made as Spark's `CREATE TABLE` would make it, and
the commits of the files Spark writes in a local lake."""

import json
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
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


def _day_file(table: Table, day: date, ids: list[str], name: str):
    """A data file of `day` in the table's folder, as Spark writes it (no `date` column)."""
    folder = Path(table.path) / f"date={day.isoformat()}"
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.parquet"
    pq.write_table(pa.table({"id": ids}), path)
    return path


IDS = {
    "type": "struct",
    "fields": [
        {"name": "date", "type": "date", "nullable": True, "metadata": {}},
        {"name": "id", "type": "string", "nullable": True, "metadata": {}},
    ],
}


def test_a_commit_of_some_days_is_made_again_on_top_of_another_runs_commit_of_other_days(
    tmp_path, monkeypatch
):
    table = Table(str(tmp_path), "silver", "things")
    first, second = date(2026, 9, 1), date(2026, 9, 2)
    delta_rs.create(table, IDS, "{}")
    delta_rs.commit_days(
        table,
        {
            first: [_day_file(table, first, ["a"], "a")],
            second: [_day_file(table, second, ["b"], "b")],
        },
        [first, second],
        IDS,
        '{"run": "r1"}',
    )
    # this run read version 1; another run commits the first day (version 2) before it commits
    ours = _day_file(table, second, ["d"], "d")
    theirs = {first: [_day_file(table, first, ["c"], "c")]}
    opened = []

    class FirstAtVersionOne(DeltaTable):
        def __init__(self, uri: str) -> None:
            super().__init__(uri, version=1 if not opened else None)
            opened.append(self.version())

    delta_rs.commit_days(table, theirs, [first], IDS, '{"run": "r2"}')
    monkeypatch.setattr(delta_rs, "DeltaTable", FirstAtVersionOne)
    delta_rs.commit_days(table, {second: [ours]}, [second], IDS, '{"run": "r3"}')

    assert opened == [1, 2], "made again on the newest version"
    monkeypatch.undo()
    rows = DeltaTable(table.path).to_pandas().sort_values("date")
    assert list(zip(rows["date"].astype(str), rows["id"], strict=True)) == [
        ("2026-09-01", "c"),
        ("2026-09-02", "d"),
    ]
    runs = [json.loads(c["userMetadata"]).get("run") for c in delta_rs.history(table, 3)]
    assert runs == ["r3", "r2", "r1"]


def test_the_log_is_checkpointed_every_ten_versions_as_sparks_delta_does(tmp_path):
    table = Table(str(tmp_path), "silver", "things")
    delta_rs.create(table, IDS, "{}")
    day = date(2026, 9, 1)
    for run in range(10):
        delta_rs.commit_days(
            table, {day: [_day_file(table, day, [str(run)], str(run))]}, [day], IDS, "{}"
        )

    log = Path(table.path) / "_delta_log"
    assert [p.name for p in log.glob("*.checkpoint.parquet")] == [
        "00000000000000000009.checkpoint.parquet"
    ]
    assert DeltaTable(table.path).to_pandas()["id"].tolist() == ["9"]


def test_a_run_adding_a_column_merges_it_and_one_changing_a_type_is_refused(tmp_path):
    table = Table(str(tmp_path), "silver", "things")
    delta_rs.create(table, IDS, "{}")
    lang = {"name": "lang", "type": "string", "nullable": False, "metadata": {}}
    fetch = {
        "type": "struct",
        "fields": [{"name": "source", "type": "string", "nullable": True, "metadata": {}}],
    }
    wider = {
        **IDS,
        "fields": [
            *IDS["fields"],
            lang,
            {"name": "fetch", "type": fetch, "nullable": True, "metadata": {}},
        ],
    }
    merged = delta_rs.merged_schema(table, wider)
    assert [f["name"] for f in merged["fields"]] == ["date", "id", "lang", "fetch"]
    assert merged["fields"][2]["nullable"] is True

    retyped = {**IDS, "fields": [IDS["fields"][0], {**IDS["fields"][1], "type": "long"}]}
    with pytest.raises(
        delta_rs.SchemaMismatch, match=r"silver_things: the run's column 'id' is \"long\""
    ):
        delta_rs.merged_schema(table, retyped)
