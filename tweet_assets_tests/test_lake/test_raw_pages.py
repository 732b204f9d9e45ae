from datetime import date

import pyarrow as pa

from tweet_assets.lake.raw_pages import CHUNK_SCHEMA, RawPages

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
