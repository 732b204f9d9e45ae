import tempfile
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest

from tweet_assets.lake.raw_pages import CHUNK_SCHEMA, SPOOL_PREFIX, RawPages

FRI, SAT = date(2026, 11, 20), date(2026, 11, 21)


def test_chunks_are_bounded_and_keep_each_days_pages_in_order() -> None:
    pages = RawPages()
    for n in range(5):
        pages.add(SAT, f'{{"meta":{{"sat":{n}}}}}')
        pages.add(FRI, f'{{"meta":{{"fri":{n}}}}}')

    chunks = list(pages.chunks(max_bytes=40))
    pages.discard()

    assert [chunk.num_rows for chunk in chunks] == [3, 3, 3, 1]
    assert all(chunk.schema == CHUNK_SCHEMA for chunk in chunks)
    rows = pa.concat_tables(chunks).to_pylist()
    assert [(r["date"], r["seq"]) for r in rows] == [(FRI, n) for n in range(5)] + [
        (SAT, n) for n in range(5)
    ]
    assert rows[0]["value"] == '{"meta":{"fri":0}}'
    assert pages.pages_by_day == {SAT: 5, FRI: 5}


def test_a_body_with_line_breaks_stays_one_line() -> None:
    pages = RawPages()
    pages.add(FRI, '{"data":[],\n "meta":{"result_count":0}}\r\n')

    [chunk] = list(pages.chunks())
    pages.discard()

    assert chunk.column("value").to_pylist() == ['{"data":[],  "meta":{"result_count":0}}  ']


def test_a_new_spool_removes_the_spools_of_dead_processes_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    # what a run killed with -9 leaves: its pages, and a lock nobody holds
    dead = tmp_path / f"{SPOOL_PREFIX}killed"
    dead.mkdir()
    (dead / "2026-11-20.jsonl").write_text('{"meta":{"result_count":0}}\n')
    (dead / ".lock").touch()
    live = RawPages()
    live.add(date(2026, 11, 20), '{"meta":{"result_count":0}}')

    newer = RawPages()

    assert not dead.exists()
    assert len(list(tmp_path.glob(f"{SPOOL_PREFIX}*"))) == 2  # the live one and the new one
    assert list(live.chunks())  # the live spool is whole
    live.discard()
    newer.discard()
    assert list(tmp_path.iterdir()) == []
