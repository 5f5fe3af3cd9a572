"""Read notifications from files or streams, one record at a time, in bounded memory, never raising on bad input.

A source is JSON Lines (one message per line) or JSON documents (one message, several messages one after another,
or an array of messages, pretty-printed or not). Each record comes with its line number; a record that cannot be
read comes as a `BadRecord` that says why, and reading goes on with the next one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

__all__ = ["DEFAULT_MAX_RECORD", "BadRecord", "Record", "read_records"]

DEFAULT_MAX_RECORD = 16 * 1024 * 1024
_CHUNK = 1024 * 1024
_WHITESPACE = b" \t\r\n"


@dataclass(frozen=True)
class Record:
    """One parsed JSON value; ``pointer`` locates it inside a document holding an array ("" otherwise)."""

    line: int
    value: Any
    pointer: str = ""


@dataclass(frozen=True)
class BadRecord:
    """A record that is not a JSON value, with the reason in one line."""

    line: int
    reason: str


def _decode(raw: bytes) -> str | BadRecord:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return BadRecord(0, f"not UTF-8 text (binary data?): byte {error.start} is 0x{raw[error.start]:02x}")


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _parse(text: str) -> Any:
    return json.loads(text, parse_constant=_no_constant)


def _why(error: Exception) -> str:
    if isinstance(error, json.JSONDecodeError):
        return f"not JSON: {error.msg} at column {error.colno}"
    if isinstance(error, RecursionError):
        return "not readable: nested too deeply"
    return f"not readable: {error}"


def _skip_rest_of_line(stream: BinaryIO) -> int:
    """Read past the end of an over-long line in fixed chunks; return the bytes skipped."""
    skipped = 0
    while True:
        chunk = stream.readline(_CHUNK)
        skipped += len(chunk)
        if not chunk or chunk.endswith(b"\n"):
            return skipped


def _json_lines(stream: BinaryIO, first: bytes, limit: int, skipped: int) -> Iterator[Record | BadRecord]:
    line_no = skipped
    pending = first
    while True:
        if pending.endswith(b"\n") or len(pending) > limit:
            raw = pending
        else:
            raw = pending + stream.readline(limit + 1 - len(pending))
        pending = b""
        if not raw:
            return
        line_no += 1
        if len(raw) > limit and not raw.endswith(b"\n"):
            size = len(raw) + _skip_rest_of_line(stream)
            yield BadRecord(line_no, f"record is {size:,} bytes, over the limit of {limit:,}; skipped")
            continue
        if not raw.strip(_WHITESPACE):
            continue
        text = _decode(raw)
        if isinstance(text, BadRecord):
            yield BadRecord(line_no, text.reason)
            continue
        try:
            yield Record(line_no, _parse(text))
        except (ValueError, RecursionError) as error:
            yield BadRecord(line_no, _why(error))


def _documents(stream: BinaryIO, first: bytes, limit: int, skipped: int) -> Iterator[Record | BadRecord]:
    raw = first + stream.read(limit + 1 - len(first))
    if len(raw) > limit:
        yield BadRecord(
            skipped + 1, f"JSON document is over the limit of {limit:,} bytes; not read (JSON Lines has no limit)"
        )
        return
    text = _decode(raw)
    if isinstance(text, BadRecord):
        yield BadRecord(skipped + 1, text.reason)
        return
    decoder = json.JSONDecoder(parse_constant=_no_constant)
    pos, end = 0, len(text)

    def skip(p: int) -> int:
        while p < end and text[p] in " \t\r\n":
            p += 1
        return p

    def line(p: int) -> int:
        return skipped + text.count("\n", 0, p) + 1

    pos = skip(pos)
    while pos < end:
        if text[pos] == "[":
            # An array of messages: each element is a record of its own, with its own line and pointer.
            index, pos = 0, skip(pos + 1)
            while pos < end and text[pos] != "]":
                try:
                    value, after = decoder.raw_decode(text, pos)
                except (ValueError, RecursionError) as error:
                    yield BadRecord(line(pos), _why(error))
                    return
                yield Record(line(pos), value, f"/{index}")
                index, pos = index + 1, skip(after)
                if pos < end and text[pos] == ",":
                    pos = skip(pos + 1)
                elif pos < end and text[pos] != "]":
                    yield BadRecord(
                        line(pos), f"not JSON: expected ',' or ']' at column {pos - text.rfind(chr(10), 0, pos)}"
                    )
                    return
            if pos >= end:
                yield BadRecord(line(pos), "not JSON: the array is not closed")
                return
            pos = skip(pos + 1)
            continue
        try:
            value, after = decoder.raw_decode(text, pos)
        except (ValueError, RecursionError) as error:
            yield BadRecord(line(pos), _why(error))
            return
        yield Record(line(pos), value)
        pos = skip(after)


def read_records(stream: BinaryIO, *, limit: int = DEFAULT_MAX_RECORD) -> Iterator[Record | BadRecord]:
    """Every record of ``stream``, parsed; an empty stream yields one `BadRecord`."""
    head, skipped = stream.readline(limit + 1), 0
    while head and not head.strip(_WHITESPACE) and head.endswith(b"\n"):
        head, skipped = stream.readline(limit + 1), skipped + 1
    stripped = head.lstrip(_WHITESPACE)
    if not stripped:
        yield BadRecord(skipped + 1, "empty input: no JSON value")
        return
    whole_line = len(head) <= limit or head.endswith(b"\n")
    if whole_line and (stripped[:1] == b"[" or (stripped[:1] == b"{" and not _parses(head))):
        yield from _documents(stream, head, limit, skipped)
    else:
        yield from _json_lines(stream, head, limit, skipped)


def _parses(raw: bytes) -> bool:
    try:
        json.loads(raw)
    except (ValueError, RecursionError):
        return False
    return True
