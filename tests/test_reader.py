"""The record reader: JSON Lines told from documents without hiding a line, array items read past a bad one, a
byte-order mark passed over; each against an oracle that parses every line or item on its own."""

from __future__ import annotations

import bz2
import gc
import gzip
import io
import json
import lzma
import re
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notify_schemas import reader
from notify_schemas.samples import samples

MESSAGE = next(iter(samples("image.create", "INFO", n=1, seed=1)))
GOOD = json.dumps(MESSAGE)
INVALID = json.dumps(dict(MESSAGE, payload=dict(MESSAGE["payload"], min_ram=-1)))
TRAILING_COMMA = GOOD[:-1] + ",}"
BOM = b"\xef\xbb\xbf"
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck), database=None)


def _no_constant(name: str) -> Any:
    raise ValueError(name)


def oracle(text: str) -> Any:
    """What a strict parser makes of one line or item on its own: its value, or "bad"."""
    try:
        return json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        return "bad"


def read(data: bytes, *, limit: int = reader.DEFAULT_MAX_RECORD, chunk: int | None = None) -> list[tuple[int, Any]]:
    """(line, value) of each record, (line, "bad") of each bad one."""
    with pytest.MonkeyPatch.context() as patch:
        if chunk is not None:
            patch.setattr(reader, "_CHUNK", chunk)
        found = list(reader.read_records(io.BytesIO(data), limit=limit))
    return [(r.line, r.value) if type(r) is reader.Record else (r.line, "bad") for r in found]


def per_line(lines: list[str]) -> list[tuple[int, Any]]:
    """The JSON Lines verdicts: every line that is not blank, on its own."""
    return [(n, oracle(line)) for n, line in enumerate(lines, 1) if line.strip(" \t\r\n")]


# --- JSON Lines whose first lines are broken -------------------------------------------------------------------

# Lines of a JSON Lines file gone wrong: cut short anywhere, a comma too many, NaN, junk; and whole records.
BROKEN_FIRST = st.one_of(
    st.just(TRAILING_COMMA),
    st.sampled_from([GOOD, INVALID]).flatmap(lambda line: st.integers(1, len(line) - 1).map(lambda n: line[:n])),
    st.just(GOOD.replace('"min_ram": ', '"min_ram": NaN, "x": ')),
    st.sampled_from(['{"a": [', '{"a":', "{", '{"a": {"b": 1}', '{"a": "b"']),
)
LINE = st.one_of(
    st.sampled_from(["", "   ", "\t", GOOD, INVALID, "{}", "[1, 2]", "7", '"text"', "garbage", "\x00"]),
    BROKEN_FIRST,
)


@SETTINGS
@given(first=BROKEN_FIRST, middle=st.lists(LINE, max_size=8), last=st.lists(st.sampled_from([GOOD, INVALID]),
       min_size=1, max_size=5), chunk=st.sampled_from([1, 7, 100, 1024 * 1024]))  # fmt: skip
def test_every_line_after_a_broken_first_line_gets_the_verdict_it_gets_on_its_own(
    first: str, middle: list[str], last: list[str], chunk: int
) -> None:
    lines = [first, *middle, *last]
    found = read("\n".join(lines).encode(), chunk=chunk)
    assert found[0] == (1, "bad")
    assert [r for r in found if r[0] > 1] == [r for r in per_line(lines) if r[0] > 1]


def test_a_broken_first_line_then_blank_lines_hides_none_of_the_thousand_lines_after_it() -> None:
    lines = [TRAILING_COMMA, "", "", "", *[INVALID] * 1_000]
    assert read("\n".join(lines).encode()) == per_line(lines)


def test_four_broken_lines_hide_none_of_the_lines_after_them() -> None:
    lines = [TRAILING_COMMA, TRAILING_COMMA, GOOD[:-5], '{"x": ', *[GOOD] * 5]
    assert read("\n".join(lines).encode()) == per_line(lines)


def test_a_line_that_is_an_object_on_its_own_is_never_read_into_a_document() -> None:
    lines = ['{"a": [', GOOD, "]}"]  # a whole document, but its second line is a JSON Lines record
    assert read("\n".join(lines).encode()) == per_line(lines)


def test_pretty_printed_documents_one_after_another_are_each_one_record() -> None:
    pretty = json.dumps(MESSAGE, indent=2)
    text = "\n".join([pretty, GOOD, pretty, ""])
    second = pretty.count("\n") + 2
    assert read(text.encode()) == [(1, MESSAGE), (second, MESSAGE), (second + 1, MESSAGE)]


def test_a_broken_pretty_printed_document_names_its_fault_and_hides_no_line() -> None:
    lines = json.dumps(MESSAGE, indent=2).splitlines()
    at = next(n for n, line in enumerate(lines) if '"min_ram"' in line)
    lines[at] = lines[at].replace(": ", ": ,")  # a comma where a value should be
    records = list(reader.read_records(io.BytesIO("\n".join(lines).encode())))
    assert records[0] == reader.BadRecord(1, records[0].reason)
    assert f"at line {at + 1} column" in records[0].reason
    assert [(r.line, r.value if type(r) is reader.Record else "bad") for r in records[1:]] == per_line(lines)[1:]


def test_a_document_that_never_ends_is_read_as_lines_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    line = '"' + "x" * 1_000 + '",'  # each line goes on with the document opened by the first
    with path.open("w") as f:
        f.write('{"a": [\n')
        f.writelines(line + "\n" for _ in range(20_000))  # 20 MB
        f.write(GOOD + "\n")
    tracemalloc.start()
    try:
        with path.open("rb") as f:
            found = [(r.line, type(r) is reader.Record) for r in reader.read_records(f, limit=1024 * 1024)]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert found == [*((n, False) for n in range(1, 20_002)), (20_002, True)]
    assert peak < 16 * 1024 * 1024  # the limit's worth, twice at most, never the file


# --- arrays with items that cannot be read ---------------------------------------------------------------------

BAD_ITEMS = {
    "NaN": GOOD.replace('"min_ram": ', '"min_ram": NaN, "x": '),
    "not JSON": '{"a": x, "b": [1, 2]}',
    "nested 10,000 deep, which the standard library does not follow": "[" * 10_000 + "]" * 10_000,
    "a comma too many inside": '{"a": [1, 2,], "b": 3}',
    "a literal cut short": "tru",
    "a string with brackets, commas, escapes and a tab": '"a, ] } \\" [\t"',
    "over the limit": json.dumps({"name": "x" * 3_000}),
}


@pytest.mark.parametrize("case", BAD_ITEMS)
@pytest.mark.parametrize("one_line", [False, True])
def test_a_bad_array_item_is_one_bad_record_and_the_items_after_it_are_read(case: str, one_line: bool) -> None:
    items = [GOOD, BAD_ITEMS[case], *[INVALID] * 100, GOOD]
    text = ("[" if one_line else "[\n") + (", " if one_line else ",\n").join(items) + "]"
    found = read(text.encode(), limit=2_000)
    line = [1] * len(items) if one_line else list(range(2, len(items) + 2))
    expected = [
        (line[0], MESSAGE),
        (line[1], "bad"),
        *((n, json.loads(INVALID)) for n in line[2:-1]),
        (line[-1], MESSAGE),
    ]
    assert found == expected


def test_an_item_over_the_limit_is_reported_alike_on_one_line_and_on_its_own_line() -> None:
    big = json.dumps(dict(MESSAGE, payload=dict(MESSAGE["payload"], name="x" * 3_000_000)))
    reasons = []
    for separator in (",", ",\n"):
        text = "[" + separator.join([GOOD, big, GOOD]) + "]"
        records = list(reader.read_records(io.BytesIO(text.encode()), limit=2_000_000))
        assert [type(r) for r in records] == [reader.Record, reader.BadRecord, reader.Record]
        assert records[2].pointer == "/2"
        reasons.append(records[1].reason)
    assert reasons[0] == reasons[1] == f"record is {len(big):,} bytes, over the limit of 2,000,000; skipped"


def test_an_item_over_the_limit_is_skipped_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "in.json"
    with path.open("w") as f:
        f.write("[\n" + GOOD + ',\n{"payload": ["')
        f.writelines('[{,\\"' * 256 * 1024 + '", "' for _ in range(40))  # 40 MB of strings with brackets, commas
        f.write('"]},\n' + GOOD + "\n]\n")
    tracemalloc.start()
    try:
        with path.open("rb") as f:
            found = [(r.line, r.pointer if type(r) is reader.Record else r.reason) for r in reader.read_records(f)]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    size = path.stat().st_size - len("[\n" + GOOD + ",\n") - len(",\n" + GOOD + "\n]\n")
    assert found == [(2, "/0"), (3, f"record is {size:,} bytes, over the limit of 16,777,216; skipped"), (4, "/2")]
    assert peak < 48 * 1024 * 1024  # the limit's worth of text, never the item


def _cpu_seconds(run: Callable[[], list[Any]], records: int) -> float:
    """The least processor time of this process, of three runs, that reading takes: what a quadratic reader would
    multiply, without the time other processes of a busy machine take from it (wall time) or a collection of garbage
    left by the run before."""
    best = float("inf")
    for _ in range(3):
        gc.collect()
        start = time.process_time()
        assert len(run()) == records
        best = min(best, time.process_time() - start)
    return best


def test_skipping_bad_items_takes_linear_time() -> None:
    def seconds(n: int) -> float:
        text = ("[" + ",\n".join(["[" + "[" * 300 + "]" * 300 + ", NaN]"] * n) + "]").encode()  # NaN at the end
        return _cpu_seconds(lambda: read(text), n)

    seconds(100)
    assert seconds(8_000) < 20 * seconds(1_000) + 0.5  # 8x the items: about 8x the time, never 64x


@pytest.mark.parametrize("item", ["x", '{"a": x}', '"\xff"'])
def test_many_small_bad_items_take_linear_time(item: str) -> None:
    # The standard library's error counts the lines of all the text before where it is found, and a column was
    # looked for back to its line's start: each small bad item cost a scan of the megabyte held, and a megabyte of
    # them (500,000 "x" items) took 87 s.
    def seconds(n: int) -> float:
        text = ("[" + ",".join([item] * n) + ", 1]").encode("utf-8", "surrogateescape").replace(b"\xc3\xbf", b"\xff")
        return _cpu_seconds(lambda: read(text), n + 1)

    seconds(100)
    assert seconds(80_000) < 20 * seconds(10_000) + 0.5  # 8x the items: about 8x the time, never 64x


@pytest.mark.parametrize("after", [f"\n{GOOD}\n", f"\r\n{GOOD}", ""])  # the last line: no newline after it
def test_a_long_line_within_the_limit_takes_linear_time(after: str) -> None:
    # A line longer than a chunk was joined to each chunk as it came: copied once a chunk, so that a 100 MB record
    # under a limit of a gigabyte took 16 s where 25 MB took 1.5 s.
    def seconds(size: int) -> float:
        line = '{"payload": "' + "a" * size + '"}'
        text = f"{GOOD}\n{line}{after}".encode()
        return _cpu_seconds(lambda: read(text, limit=2**30, chunk=16 * 1024), 3 if after else 2)

    seconds(1024 * 1024)
    assert seconds(16 * 1024 * 1024) < 20 * seconds(2 * 1024 * 1024) + 0.2  # 8x the line: about 8x, never 64x
    line = '{"payload": "' + "a" * 100_000 + '"}'
    data = f"{GOOD}\n{line}{after}".encode()
    for limit in (len(line) - 1, len(line), len(line) + 1):  # around the limit, as read a chunk at a time
        assert read(data, limit=limit, chunk=1024) == read(data, limit=limit), limit


ITEM = st.one_of(
    st.sampled_from([GOOD, INVALID, "1", '"a,]"', "[]", "{}", "null"]),
    st.sampled_from(list(BAD_ITEMS.values())[:-1]),  # all but "over the limit": the oracle has no limit
)


@SETTINGS
@given(items=st.lists(ITEM, min_size=1, max_size=12), separator=st.sampled_from([",", ",\n", " ,\n\n  "]),
       chunk=st.sampled_from([1, 5, 64, 1024 * 1024]))  # fmt: skip
def test_every_array_item_gets_the_verdict_it_gets_on_its_own(items: list[str], separator: str, chunk: int) -> None:
    text = "[\n" + separator.join(items) + "\n]\n"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reader, "_CHUNK", chunk)
        records = list(reader.read_records(io.BytesIO(text.encode())))
    expected = []
    line = 2
    for index, item in enumerate(items):
        value = oracle(item)
        expected.append((line, "bad") if value == "bad" else (line, value, f"/{index}"))
        line += separator.count("\n") + item.count("\n")
    assert [(r.line, r.value, r.pointer) if type(r) is reader.Record else (r.line, "bad") for r in records] == expected


@SETTINGS
@given(items=st.lists(ITEM, min_size=1, max_size=8), separator=st.sampled_from([",", ", ", ",\n", " ,\n\n  "]),
       chunk=st.sampled_from([1, 5, 64, 1024 * 1024]))  # fmt: skip
def test_a_bad_array_item_says_where_its_fault_is_as_its_line_does_in_json_lines(
    items: list[str], separator: str, chunk: int
) -> None:
    # An item's reason lost where its fault is ("not JSON: Expecting ',' delimiter"), which the same text as a line
    # of JSON Lines says ("... at line 1 column 351"): in an item of a megabyte, nothing said where to look.
    text = "[\n" + separator.join(items) + "\n]\n"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reader, "_CHUNK", chunk)
        found = [r.reason for r in reader.read_records(io.BytesIO(text.encode())) if type(r) is reader.BadRecord]
    expected = []
    offset = 0  # the columns before the item on its line
    for item in items:
        alone = next(reader.count_records(io.BytesIO(item.encode()), lambda value: False, json_lines=True))
        if type(alone) is reader.BadRecord:
            expected.append(re.sub(r"column (\d+)", lambda m, by=offset: f"column {int(m[1]) + by}", alone.reason))
        last = separator.rsplit("\n", 1)
        offset = len(last[1]) if len(last) > 1 else offset + len(item) + len(separator)
    assert found == expected


FAULT_NEAR_ITS_END = st.builds(
    lambda item, at, fault: item[: len(item) - at] + fault + item[len(item) - at :],
    st.sampled_from([GOOD, '{"a": [1, 2, 3], "b": "text"}']),
    st.integers(1, 12),
    st.sampled_from(["\x00", "x", ",", "]", "\t"]),  # none that makes the item take in what follows it
)


@SETTINGS
@given(items=st.lists(st.one_of(st.sampled_from([GOOD, "1"]), FAULT_NEAR_ITS_END), min_size=1, max_size=5),
       separator=st.sampled_from([",", ",\n"]), end=st.sampled_from(["]", "\n]\n", " ,1, 2, 3, 4, 5, 6]"]),
       more=st.integers(0, 24), chunk=st.sampled_from([64, 1024 * 1024]))  # fmt: skip
def test_a_bad_array_item_within_the_limit_is_named_by_its_fault_whatever_follows_it(
    items: list[str], separator: str, end: str, more: int, chunk: int
) -> None:
    # An item of about the limit whose fault lay near the end of the text read (the array's end, a chunk's) was "a
    # record over the limit of 719 bytes" when the text after the item's start was over it: a record of 717 bytes,
    # with a NUL in it, which its line in JSON Lines names.
    limit = max(len(item) for item in items) + more
    text = "[" + separator.join(items) + end
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reader, "_CHUNK", chunk)
        found = list(reader.read_records(io.BytesIO(text.encode()), limit=limit))
    reasons = [r.reason for r in found if type(r) is reader.BadRecord]
    assert not [r for r in reasons if "over the limit" in r]
    for item in items:
        alone = next(reader.count_records(io.BytesIO(item.encode()), lambda value: False, limit=limit, json_lines=True))
        if type(alone) is reader.BadRecord:
            fault = re.sub(r" at line 1 column \d+.*", "", alone.reason)
            assert any(r.startswith(fault) for r in reasons)


@SETTINGS
@given(items=st.lists(st.sampled_from([GOOD, "1", '"a, ]"', "x"]), min_size=1, max_size=5),
       junk=st.lists(st.sampled_from(["", "2", ".", "}", "\x00", "\xff", "\u00a0"]), min_size=5, max_size=5),
       separator=st.sampled_from([",", ", ", ",\n", " ,\n  "]), comma_last=st.booleans(),
       chunk=st.sampled_from([1, 5, 64, 1024 * 1024]))  # fmt: skip
def test_what_follows_an_array_item_that_is_no_comma_is_named_where_it_is(
    items: list[str], junk: list[str], separator: str, comma_last: bool, chunk: int
) -> None:
    # "[1 2, 3]" and "[1, ]" said "not JSON: expected ',' or ']' in the array" and "a comma before ']' in the array"
    # and no more, where every other fault of a record says its column and the character there no one sees: in an
    # array on one line of a megabyte, nothing said where to look, and a NUL or a byte that is not UTF-8 was not named.
    parts = ["[\n"]
    for item, after in zip(items, junk, strict=False):
        parts += [item, f" {after}" if after else "", separator]
    parts[-1] = separator if comma_last else ""
    text = "".join([*parts, "\n]\n"])
    data = text.encode().replace("\xff".encode(), b"\xff")  # the byte 0xff, which is not UTF-8
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reader, "_CHUNK", chunk)
        found = list(reader.read_records(io.BytesIO(data)))
    said = [r for r in found if type(r) is reader.BadRecord and "in the array" in r.reason]
    expected_junk = [after for item, after in zip(items, junk, strict=False) if after and item != "x"]  # x: all bad
    assert len(said) == len(expected_junk) + comma_last
    lines = text.split("\n")
    for record in said:
        where = re.search(r" in the array at line 1 column (\d+)", record.reason)
        assert where is not None
        at = lines[record.line - 1][int(where[1]) - 1]
        assert at in ("]" if "comma before" in record.reason else "2.}\x00\xff\u00a0")
        if at in "\x00\xff\u00a0":
            assert re.search(r"\((U\+00|byte 0x)", record.reason)


def test_an_array_that_never_closes_says_the_rest_is_not_read() -> None:
    records = list(reader.read_records(io.BytesIO(b'[\n{"a": 1},\n{"b": NaN, "c": [\n' + GOOD.encode() + b"\n")))
    assert type(records[0]) is reader.Record
    assert records[1] == reader.BadRecord(
        3, "not JSON: NaN is not JSON; the array is not closed, so the rest is not read"
    )


# --- bytes that are not UTF-8 ----------------------------------------------------------------------------------

NOT_UTF8 = {  # a byte in a string that UTF-8 has no character for: overlong, a surrogate, a 5-byte form, cut short
    "overlong": b"\xc0\xaf",
    "a surrogate": b"\xed\xa0\x80",
    "five bytes": b"\xf8\x88\x80\x80\x80",
    "cut short": b"\xe2\x82",
    "0xff": b"\xff",
}


@pytest.mark.parametrize("chunk", [1, 7, None])
@pytest.mark.parametrize("case", NOT_UTF8)
def test_a_record_that_is_not_utf8_gets_the_same_verdict_wherever_it_is(case: str, chunk: int | None) -> None:
    # A first line that was not UTF-8 made the input read as documents, in which such bytes became lone surrogates:
    # the same line was an invalid message ("not valid Unicode (a lone surrogate)") there and unreadable ("not
    # UTF-8") in JSON Lines, and so in an array or a pretty-printed document.
    bad = GOOD.encode().replace(b'"name": "', b'"name": "' + NOT_UTF8[case], 1)
    column = len(bad.split(NOT_UTF8[case])[0].decode()) + 1
    reason = f"not UTF-8 text (binary data?): byte 0x{NOT_UTF8[case][0]:02x} at line 1 column {column}"
    good = GOOD.encode()
    pretty = json.dumps(MESSAGE, indent=2).encode().replace(b'"name": "', b'"name": "' + NOT_UTF8[case], 1)
    *before, line = pretty.split(NOT_UTF8[case])[0].split(b"\n")
    in_pretty = f"byte 0x{NOT_UTF8[case][0]:02x} at line {len(before) + 1} column {len(line.decode()) + 1}"
    inputs = {
        b"\n".join([good, bad, good]): [(1, MESSAGE), (2, reason), (3, MESSAGE)],
        b"\n".join([bad, good, bad]): [(1, reason), (2, MESSAGE), (3, reason)],
        b"[\n" + b",\n".join([good, bad, good]) + b"\n]": [(2, MESSAGE), (3, reason), (4, MESSAGE)],
        pretty + b"\n" + good: [(1, f"not UTF-8 text (binary data?): {in_pretty}"), (pretty.count(b"\n") + 2, MESSAGE)],
    }
    for data, expected in inputs.items():
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(reader, "_CHUNK", chunk or reader._CHUNK)
            found = list(reader.read_records(io.BytesIO(data)))
        assert [(r.line, r.value if type(r) is reader.Record else r.reason) for r in found] == expected


# --- a byte-order mark -----------------------------------------------------------------------------------------

BOM_CASES = {
    "JSON Lines": f"{GOOD}\n{INVALID}\n",
    "JSON Lines with a broken first line": f"{TRAILING_COMMA}\n{INVALID}\n",
    "an array": f"[\n{GOOD},\n{INVALID}\n]\n",
    "a pretty-printed document": json.dumps(MESSAGE, indent=2),
    "blank lines first": f"\n\n{GOOD}\n",
}


@pytest.mark.parametrize("case", BOM_CASES)
def test_a_byte_order_mark_at_the_start_is_passed_over(case: str) -> None:
    data = BOM_CASES[case].encode()
    expected = read(data)
    assert all(value != "bad" for line, value in expected if line > 1)
    assert read(BOM + data) == expected
    assert read(BOM + data, chunk=1) == expected


LONGER = GOOD[:-1] + " }"  # a byte more than GOOD


@pytest.mark.parametrize("end", ["\n", "\r\n"])
@pytest.mark.parametrize("chunk", [1, 7, 1024, None])
@pytest.mark.parametrize(
    ("lines", "expected"),
    [([GOOD, GOOD, GOOD], [(1, MESSAGE), (2, MESSAGE), (3, MESSAGE)]),
     ([LONGER, GOOD, LONGER, GOOD], [(1, "bad"), (2, MESSAGE), (3, "bad"), (4, MESSAGE)]),
     (["", GOOD, ""], [(2, MESSAGE)]),
     ([" " * (len(GOOD) + 1), GOOD], [(2, MESSAGE)]),
     (["{", GOOD, LONGER, GOOD], [(1, "bad"), (2, MESSAGE), (3, "bad"), (4, MESSAGE)])],
)  # fmt: skip
def test_a_record_of_exactly_the_limit_is_read_whatever_its_line_ends(
    lines: list[str], expected: list[tuple[int, Any]], end: str, chunk: int | None
) -> None:
    # The carriage return of a CRLF line end counted against the limit: a record of exactly the limit was skipped
    # as over it, and one byte under it read, when its line ended in CRLF.
    limit = len(GOOD.encode())
    for last in ("", end):
        data = (end.join(lines) + last).encode()
        assert read(data, limit=limit, chunk=chunk) == expected
        with pytest.MonkeyPatch.context() as patch:  # a piece of a file that --jobs shares
            patch.setattr(reader, "_CHUNK", chunk or reader._CHUNK)
            pieces = reader.count_records(io.BytesIO(data), lambda value: False, limit=limit, json_lines=True)
            found = [(r.line, r.value) if type(r) is reader.Record else (r.line, "bad") for r in pieces]  # type: ignore[union-attr]
        assert found == expected


@SETTINGS
@given(lines=st.lists(st.one_of(st.sampled_from([GOOD, INVALID, "garbage"]), st.text(" \t\r", max_size=40)),
                      min_size=1, max_size=8),
       limit=st.integers(1, 40), chunk=st.sampled_from([1, 7, 1024 * 1024]))  # fmt: skip
def test_a_blank_line_is_no_record_whatever_its_length(lines: list[str], limit: int, chunk: int) -> None:
    # A line of blank space longer than --max-record-bytes was an unreadable record ("record is 51 bytes, over the
    # limit of 40"), and none within it: the count, and the exit status, depended on the limit.
    data = "\n".join(lines).encode()
    over = [(n, "bad") for n, line in enumerate(lines, 1) if line.strip(" \t\r\n")]  # every record is over the limit
    expected = over or [(_last_line(data), "bad")]  # nothing but blank lines: empty input
    assert read(data, limit=limit, chunk=chunk) == expected
    with pytest.MonkeyPatch.context() as patch:  # a piece of a file that --jobs shares
        patch.setattr(reader, "_CHUNK", chunk)
        pieces = reader.count_records(io.BytesIO(data), lambda value: False, limit=limit, json_lines=True)
        assert [(r.line, "bad") for r in pieces] == over  # type: ignore[union-attr]


@SETTINGS
@given(lines=st.lists(st.sampled_from([GOOD, LONGER, INVALID, "garbage", "{", " " * 30]), min_size=1, max_size=6),
       end=st.sampled_from(["\n", "\r\n"]), last=st.booleans(), limit=st.integers(1, len(GOOD) + 1),
       chunk=st.sampled_from([1, 2, 7, 1024 * 1024]))  # fmt: skip
def test_a_record_over_the_limit_is_named_by_its_own_size_whatever_its_line_end(
    lines: list[str], end: str, last: bool, limit: int, chunk: int
) -> None:
    # The size said was the line's with its line end: one record was "716 bytes" as the last line, "717" with LF
    # and "718" with CRLF, while an array item of the same text was 716 and a record of the limit is read whatever
    # its line end.
    data = (end.join(lines) + (end if last else "")).encode()
    expected = [
        (n, f"record is {len(line):,} bytes, over the limit of {limit:,}; skipped")
        for n, line in enumerate(lines, 1)
        if line.strip() and len(line) > limit
    ]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reader, "_CHUNK", chunk)
        for records in (
            reader.read_records(io.BytesIO(data), limit=limit),
            reader.count_records(io.BytesIO(data), lambda value: False, limit=limit, json_lines=True),
        ):
            found = [(r.line, r.reason) for r in records if type(r) is reader.BadRecord]  # type: ignore[union-attr]
            assert [f for f in found if "over the limit" in f[1]] == expected


@pytest.mark.parametrize("limit", [0, 1, 2, 3])
def test_a_byte_order_mark_counts_against_no_limit(limit: int) -> None:
    line = GOOD.encode()
    for data in (line + b"\n" + line + b"\n", line + b"\n\n" + line, line):
        expected = read(data, limit=len(line) + limit)
        assert expected[0] == (1, MESSAGE)
        assert read(BOM + data, limit=len(line) + limit) == expected


def test_a_byte_order_mark_after_the_start_is_not_passed_over() -> None:
    assert read(f"{GOOD}\n".encode() + BOM + f"{GOOD}\n".encode()) == [(1, MESSAGE), (2, "bad")]


HUGE = "9" * 5000  # past the 4,300 digits Python turns into an int by default


@pytest.mark.parametrize(
    "data",
    [pytest.param(f'{{"a": {HUGE}}}\n{GOOD}\n', id="JSON Lines"),
     pytest.param(f'{{"a": -{HUGE}}}\n{GOOD}\n', id="JSON Lines, negative"),
     pytest.param(f'[\n{{"a": {HUGE}}},\n{GOOD}\n]\n', id="an array item"),
     pytest.param(f'{{"a": [{GOOD},\n{HUGE}]}}\n{GOOD}\n', id="a document, read as JSON Lines (D46)")],
)  # fmt: skip
def test_a_number_too_long_for_python_is_one_bad_record_that_says_where(data: str) -> None:
    found = list(reader.read_records(io.BytesIO(data.encode())))
    bad = [r for r in found if isinstance(r, reader.BadRecord)]
    assert bad
    for record in bad:  # one, or the broken document's two lines: each names the number, and where it is
        assert record.reason.startswith("not readable: a number of more than 4,300 digits")
        assert record.line == 2 or "at line 2 column" in record.reason or "at line 1 column" in record.reason
    assert [r.value for r in found if isinstance(r, reader.Record)][-1:] == [MESSAGE]


@SETTINGS
@given(
    before=st.lists(st.sampled_from([GOOD, "[1, 2]", "{,}", '{"é€": "x"}']), max_size=3),
    key=st.sampled_from(["a", "é", "€𝄞", "a\"a"]),
    lead=st.sampled_from(["", '"a": 1, "a": 2, ', '"s": "999,]\\\"", ', '"l": [1, {"x": []}], ']),
    sign=st.sampled_from(["", "-"]),
    form=st.sampled_from(["JSON Lines", "array", "array, one line", "array, pretty"]),
    chunk=st.sampled_from([64, 1000, reader._CHUNK]),
)  # fmt: skip
def test_a_number_too_long_for_python_is_named_where_it_starts(
    before: list[str], key: str, lead: str, sign: str, form: str, chunk: int
) -> None:
    # An array item's was named without any place; a line's at jiter's place, past the digits Python reads and
    # counted in bytes: each is now where the number starts, counted as every other fault is (line from the record's
    # first, column in characters on the file's line).
    number = sign + HUGE
    inner = "\n" if form == "array, pretty" else ""
    record = f"{{{lead}{json.dumps(key)}:{inner} [1, {inner}{number}]}}"
    records = [*before, record, GOOD]
    if form == "JSON Lines":
        data = "\n".join(records) + "\n"
    else:
        data = "[" + (", " if form == "array, one line" else ",\n ").join(records) + "]\n"
    found = [r for r in read_all(data.encode(), chunk) if isinstance(r, reader.BadRecord) and "digits" in r.reason]
    assert len(found) == 1
    at = data.index(number)
    line = data.count("\n", 0, at) + 1 - found[0].line + 1
    column = at - data.rfind("\n", 0, at)
    assert found[0].reason == f"not readable: a number of more than 4,300 digits at line {line} column {column}"


def read_all(data: bytes, chunk: int) -> list[reader.Record | reader.BadRecord]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reader, "_CHUNK", chunk)
        return list(reader.read_records(io.BytesIO(data)))


@SETTINGS
@given(
    before=st.lists(st.sampled_from(["[]", "{}", f"[{GOOD}]", GOOD, f"[{GOOD}, {GOOD}]", "[1, 2]"]), min_size=1,
                    max_size=6),
    space=st.sampled_from(["", " ", "  \t"]),
    junk=st.sampled_from(["x", "]", ",", "}", "@@", "nul"]),
    lines_before=st.integers(0, 2),
    chunk=st.sampled_from([7, 64, 1000, reader._CHUNK]),
    last=st.booleans(),
)  # fmt: skip
def test_junk_after_documents_on_their_line_is_named_at_its_own_column(
    before: list[str], space: str, junk: str, lines_before: int, chunk: int, last: bool
) -> None:
    prefix = space.join(before) + space
    data = "\n" * lines_before + prefix + junk + ("" if last else "\n" + GOOD + "\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reader, "_CHUNK", chunk)  # what is read before the junk is dropped as the reading goes
        found = list(reader.read_records(io.BytesIO(data.encode()), limit=1 << 20))
    bad = [r for r in found if isinstance(r, reader.BadRecord)]
    assert len(bad) == 1
    assert bad[0].line == lines_before + 1
    assert f"at line 1 column {len(prefix) + 1}" in bad[0].reason, bad[0].reason
    if not last:
        assert isinstance(found[-1], reader.Record)
        assert found[-1].value == MESSAGE


@SETTINGS
@given(
    earlier=st.lists(st.sampled_from([json.dumps(MESSAGE, indent=2), '{\n"a": 1\n}', "[\n1\n]"]), min_size=1,
                     max_size=3),
    prefix=st.sampled_from(["", "{} ", "[1]  "]),
    broken=st.sampled_from(['{"b": 1,}', '{"b": ' + "[" * 5000 + "]" * 5000 + "}", "nul"]),
    chunk=st.sampled_from([7, 64, reader._CHUNK]),
)  # fmt: skip
def test_a_broken_document_after_documents_on_earlier_lines_is_named_at_its_own_column(
    earlier: list[str], prefix: str, broken: str, chunk: int
) -> None:
    # The column of the line read as JSON Lines was counted once the text was let go: it came out as the position in
    # the text held, not on the line ("column 20" for "column 9").
    data = "\n".join(earlier) + "\n" + prefix + broken + "\n" + GOOD + "\n"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reader, "_CHUNK", chunk)
        found = list(reader.read_records(io.BytesIO(data.encode())))
    line = data.count("\n") - 1
    alone = next(iter(reader.read_records(io.BytesIO(broken.encode())))).reason  # type: ignore[union-attr]
    expected = re.sub(r"column (\d+)", lambda m: f"column {int(m[1]) + len(prefix)}", alone)
    assert [(r.line, r.reason) for r in found if isinstance(r, reader.BadRecord)] == [(line, expected)]
    assert found[-1] == reader.Record(line + 1, MESSAGE)


@pytest.mark.parametrize("before", [0, 1, 40])
@pytest.mark.parametrize(
    "fault",
    [pytest.param(('"min_ram": 0', '"min_ram": 0 x'), id="not JSON"),
     pytest.param(('"name": "', '"name": "\xff'), id="not UTF-8"),
     pytest.param(('"min_ram": 0', '"min_ram": ' + "9" * 5000), id="a number too long")],
)  # fmt: skip
def test_a_fault_in_a_document_is_named_at_the_same_line_of_it_wherever_the_document_starts(
    before: int, fault: tuple[str, str]
) -> None:
    # The line of a fault in a document was counted from the file's start when the document was then read as JSON
    # Lines ("at line 74, in the document that starts here" on line 63), and from the document's first line when it
    # held a byte that is not UTF-8 ("at line 8" on line 63), as everywhere else a record's fault is named.
    pretty = json.dumps(dict(MESSAGE, payload=dict(MESSAGE["payload"], min_ram=0)), indent=2)
    data = ("\n".join([pretty] * before + [pretty.replace(*fault)]) + "\n").encode("utf-8", "surrogateescape")
    data = data.replace("\xff".encode(), b"\xff")
    start = (pretty.count("\n") + 1) * before + 1
    found = [r for r in reader.read_records(io.BytesIO(data)) if type(r) is reader.BadRecord]
    at = next(n for n, line in enumerate(pretty.splitlines(), 1) if fault[0] in line)
    assert found[0].line == start
    assert f" at line {at} column " in found[0].reason


PARTS = ['{"a": 1}', '{\n  "a": [1,\n 2]\n}', '[\n{"b": 2},\n{"c": [3]}\n]', "{", "}", "[1 2]", "nul", "", "  ",
         '{"a": 1,}', '{"a":\n1}', '{"s": "a\\"b,]{"}', '{"d": ' + "[" * 1200 + "]" * 1200 + "}"]  # fmt: skip


@SETTINGS
@given(parts=st.lists(st.sampled_from(PARTS), min_size=1, max_size=6), end=st.sampled_from(["\n", "\r\n"]),
       chunk=st.sampled_from([1, 2, 3, 5, 64]))  # fmt: skip
def test_what_is_wrong_with_a_document_does_not_depend_on_where_the_chunks_end(
    parts: list[str], end: str, chunk: int
) -> None:
    # A document read on past the end of a chunk was reported with the fault found in the part read first: "line 1
    # column 3" of its first line with one chunk size, "line 3 column 1, in the document that starts here" with
    # another.
    data = (end.join(parts) + end).encode()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reader, "_CHUNK", chunk)
        found = list(reader.read_records(io.BytesIO(data)))
    assert found == list(reader.read_records(io.BytesIO(data)))


def test_an_empty_object_on_a_line_of_its_own_keeps_a_pretty_printed_document_whole() -> None:
    message = dict(MESSAGE, payload=dict(MESSAGE["payload"], properties={}, tags=[{}, {}]))
    text = json.dumps(message, indent=2)
    assert "\n      {}\n" in text  # json.dumps writes each empty object of the array on a line of its own
    data = (text + "\n" + GOOD + "\n").encode()
    assert read(data) == [(1, message), (text.count("\n") + 2, MESSAGE)]


# --- keys written twice ----------------------------------------------------------------------------------------

KEYS = ["a", "b", "a/b", "~0", "é", ""]


def _written(key: str, escaped: bool) -> str:
    """A key as JSON text, its characters escaped as \\uXXXX or not: "a" and "\\u0061" are one key."""
    return '"' + "".join(f"\\u{ord(c):04x}" for c in key) + '"' if escaped else json.dumps(key)


TREE = st.recursive(
    st.sampled_from(["1", "null", '"x"']),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda items: ("list", items)),
        st.lists(st.tuples(st.sampled_from(KEYS), st.booleans(), inner), max_size=5).map(lambda p: ("dict", p)),
    ),
    max_leaves=12,
)


def _text(tree: Any, pretty: bool) -> str:
    if isinstance(tree, str):
        return tree
    kind, items = tree
    sep = ",\n" if pretty else ", "
    if kind == "list":
        return "[" + sep.join(_text(item, pretty) for item in items) + "]"
    return "{" + sep.join(f"{_written(k, e)}: {_text(v, pretty)}" for k, e, v in items) + "}"


def _repeated(tree: Any, pointer: str = "") -> set[str]:
    """The pointers of the keys written more than once, in the values a parser keeps (the last of each key)."""
    if isinstance(tree, str):
        return set()
    kind, items = tree
    if kind == "list":
        return set().union(*(_repeated(item, f"{pointer}/{i}") for i, item in enumerate(items)))
    kept = {k: v for k, _, v in items}
    escaped = {k: f"{pointer}/{k.replace('~', '~0').replace('/', '~1')}" for k in kept}
    twice = {escaped[k] for k in kept if sum(1 for key, _, _ in items if key == k) > 1}
    return twice.union(*(_repeated(v, escaped[k]) for k, v in kept.items()))


@SETTINGS
@given(trees=st.lists(TREE.filter(lambda t: isinstance(t, tuple) and t[0] == "dict"), min_size=1, max_size=4),
       form=st.sampled_from(["lines", "array", "pretty-printed array"]))  # fmt: skip
def test_each_key_written_more_than_once_is_named_once_at_its_pointer(trees: list[Any], form: str) -> None:
    # A key written three times was named twice, by two equal pointers: two violations for one repeated key.
    texts = [_text(tree, pretty=form.startswith("pretty")) for tree in trees]
    data = "\n".join(texts) if form == "lines" else "[\n" + ",\n".join(texts) + "\n]"
    records = list(reader.read_records(io.BytesIO(data.encode())))
    assert [r.duplicates for r in records] == [tuple(sorted(_repeated(tree))) for tree in trees]  # type: ignore[union-attr]


@pytest.mark.parametrize("space", ["", " ", " \t ", "\r"])
@pytest.mark.parametrize("extra", ["x", "{}", "1", "\x00"])
def test_what_follows_a_value_on_its_line_is_named_at_its_own_column(space: str, extra: str) -> None:
    # "Extra data" was placed where the value ended, at the blank space before what follows it.
    line = f"{GOOD}{space}{extra}"
    found = list(reader.read_records(io.BytesIO(f"{GOOD}\n{line}\n{GOOD}\n".encode())))
    assert [type(r) for r in found] == [reader.Record, reader.BadRecord, reader.Record]
    assert re.search(rf"at line 1 column {len(GOOD) + len(space) + 1}\b", found[1].reason)  # type: ignore[union-attr]


# --- characters that cannot be seen ----------------------------------------------------------------------------

UNSEEN = ["\x00", "\f", "\v", "\x7f", "\u00a0", "\u0085", "\u2028", "\u200b", "\ufeff", "\u3000"]


@pytest.mark.parametrize("char", UNSEEN)
def test_a_fault_at_a_character_that_cannot_be_seen_names_the_character(char: str) -> None:
    # "Expecting value at line 1 column 1" for a line that looks whole in an editor: a byte-order mark at the start
    # of the second of two files put together, a no-break space, a NUL of UTF-16 text. The reason names what is
    # there, as a character the eye can see is seen at its column.
    line = char + GOOD
    inside = GOOD.replace('"payload": ', '"payload": ' + char)
    pretty = json.dumps(MESSAGE, indent=2).replace('"payload": ', '"payload": ' + char)
    inputs = {  # each input, and the faults that are at the character
        f"{GOOD}\n{line}\n{inside}\n{GOOD}\n": 2,  # JSON Lines
        f"[\n{GOOD},\n{line},\n{inside},\n{GOOD}\n]\n": 2,  # an array's items
        f"[{GOOD}, {line}, {inside}, {GOOD}]\n": 2,  # ... on one line
        f"{pretty}\n{GOOD}\n": 1,  # a document, then read as JSON Lines: its line '  "payload": {' is no JSON
    }
    for data, faults in inputs.items():
        found = list(reader.read_records(io.BytesIO(data.encode())))
        assert isinstance(found[-1], reader.Record)
        reasons = [r.reason for r in found if isinstance(r, reader.BadRecord)]
        assert sum(f"(U+{ord(char):04X}" in reason for reason in reasons) == faults, reasons


def test_a_fault_at_a_character_anyone_can_see_is_named_by_its_column_alone() -> None:
    found = list(reader.read_records(io.BytesIO(f"{GOOD}\nx{GOOD}\n{GOOD} é\n".encode())))
    assert [r.reason for r in found if isinstance(r, reader.BadRecord)] == [
        "not JSON: Expecting value at line 1 column 1",
        f"not JSON: Extra data at line 1 column {len(GOOD) + 2}",
    ]


WIDE = {"utf-16": "UTF-16LE", "utf-16-le": "UTF-16LE", "utf-16-be": "UTF-16BE", "utf-32": "UTF-32LE",
        "utf-32-le": "UTF-32LE", "utf-32-be": "UTF-32BE"}  # fmt: skip


@SETTINGS
@given(encoding=st.sampled_from(sorted(WIDE)), blank=st.sampled_from(["", "\n", " \r\n", "\n\n  "]),
       form=st.sampled_from(["JSON Lines", "array", "pretty"]), count=st.integers(1, 40),
       buffered=st.booleans())  # fmt: skip
def test_utf_16_and_utf_32_text_is_one_unreadable_record_that_names_its_encoding(
    encoding: str, blank: str, form: str, count: int, buffered: bool
) -> None:
    # RFC 8259 8.1: JSON text exchanged is UTF-8. Text in UTF-16 or UTF-32 was "not UTF-8 text (binary data?): byte
    # 0xff" with its byte-order mark, and without one "Expecting value ... (U+0000)", a record for every line of it
    # and none saying what the input is.
    messages = [dict(MESSAGE, payload=dict(MESSAGE["payload"], name=f"é€{n}")) for n in range(count)]
    if not buffered:  # a stream that cannot be peeked at (no file, no stdin) is told by its first line alone
        blank, form = "", "JSON Lines"
    if form == "JSON Lines":
        text = "".join(json.dumps(m, ensure_ascii=False) + "\n" for m in messages)
    else:
        text = json.dumps(messages, indent=2 if form == "pretty" else None, ensure_ascii=False)
    data = (blank + text).encode(encoding)
    stream = io.BufferedReader(io.BytesIO(data)) if buffered else io.BytesIO(data)  # type: ignore[arg-type]
    found = list(reader.read_records(stream))
    name = WIDE[encoding]
    marked = encoding in ("utf-16", "utf-32")  # Python writes a mark where the name says no byte order
    how = "as its byte-order mark says" if marked else "without a byte-order mark"
    assert len(found) == 1
    assert found[0].line == 1
    assert f"not UTF-8 text: {name} text, {how}" in found[0].reason  # type: ignore[union-attr]
    assert f"iconv -f {name} -t UTF-8" in found[0].reason  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "start", [b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00", b"a\x00b\x00", b"\x00\x00\x00{", b"{\x00\x00\x00",
              b"\x00{\x00", b"{\x00\x00\x00\n\x00\x00\x00"],
)  # fmt: skip
def test_a_first_line_that_looks_like_utf_16_hides_no_line_of_utf_8_after_it(start: bytes) -> None:
    # A mark or NUL bytes at the start name the input UTF-16 or UTF-32 only if what follows reads as such text.
    data = start + GOOD.encode() + b"\n" + GOOD.encode() + b"\n" + GOOD.encode() + b"\n"
    for stream in (io.BytesIO(data), io.BufferedReader(io.BytesIO(data))):  # type: ignore[arg-type]
        found = list(reader.read_records(stream))
        assert [type(r) for r in found[-2:]] == [reader.Record, reader.Record]
        assert not any(
            "text, as its" in getattr(r, "reason", "") or "text, without" in getattr(r, "reason", "") for r in found
        )


PACKERS = {"gzip": ("zcat", lambda data: gzip.compress(data)), "bzip2": ("bzcat", lambda data: bz2.compress(data)),
           "xz": ("xzcat", lambda data: lzma.compress(data))}  # fmt: skip


@SETTINGS
@given(name=st.sampled_from(sorted(PACKERS)), count=st.integers(0, 400))
def test_compressed_data_is_one_unreadable_record_that_names_its_compression(name: str, count: int) -> None:
    # A log rotated and compressed (app.jsonl.gz) was read as text: a record for each of its newline bytes, "not UTF-8
    # text (binary data?)", and now and then one that parsed as a number and was invalid.
    command, pack = PACKERS[name]
    data = pack(f"{GOOD}\n".encode() * count)
    found = list(reader.read_records(io.BufferedReader(io.BytesIO(data))))  # type: ignore[arg-type]
    assert len(found) == 1
    assert found[0].line == 1
    assert found[0].reason.startswith(f"not text: {name}-compressed data")  # type: ignore[union-attr]
    assert f"({command})" in found[0].reason  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "start", [b"\x1f\x8b", b"\x1f\x8b\x08\x00xx", b"BZh9", b"BZh9 1AY", b"\xfd7zXZ\x00", b"\xfd7zXZ\x00xy"]
)
def test_a_first_line_that_starts_like_compressed_data_hides_no_line_after_it(start: bytes) -> None:
    data = start + b"\n" + GOOD.encode() + b"\n" + GOOD.encode() + b"\n"
    for stream in (io.BytesIO(data), io.BufferedReader(io.BytesIO(data))):  # type: ignore[arg-type]
        found = list(reader.read_records(stream))
        assert [type(r) for r in found] == [reader.BadRecord, reader.Record, reader.Record]


@pytest.mark.parametrize("data", [b"", b"\n", b"  \n\n \t \r\n", b"\n\n  ", BOM, BOM + b"\n\n"])
def test_an_input_of_blank_lines_is_empty_at_its_last_line(data: bytes) -> None:
    # A file of three blank lines, each ending in a newline, was "empty input" at line 4, which it does not have.
    expected = [reader.BadRecord(_last_line(data), "empty input: no JSON value")]
    assert list(reader.read_records(io.BytesIO(data))) == expected


def _last_line(data: bytes) -> int:
    """The number of the last line of ``data``, as an editor counts them: a newline ends a line, it starts none."""
    return max(1, data.count(b"\n") + (not data.endswith(b"\n")))
