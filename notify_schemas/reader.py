"""Read notifications from files or streams, one record at a time, in linear time and bounded memory.

A source is JSON Lines (one message per line) or JSON documents (one message, several one after another, or an
array of messages, pretty-printed or not); an array's items are read one by one, never the whole array at once.
Each record comes with its line number; a record that cannot be read comes as a `BadRecord` that says why, and in
JSON Lines reading goes on with the next line. A key written twice in one object is kept as JSON parsers keep it
(the last one wins) and reported: `Record.duplicates` holds the JSON pointer of each repeated key.

Parsing is strict RFC 8259: no ``NaN``, ``Infinity`` or other extension. A line is parsed by jiter (which finds
repeated keys as it parses); what jiter refuses is parsed again by the standard library, which then says exactly
what is wrong, or finds the repeated keys' pointers, or reads the escape of a lone surrogate that validation then
reports as not valid Unicode.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO, NamedTuple, cast

import jiter
import orjson

__all__ = ["DEFAULT_MAX_RECORD", "BadRecord", "Record", "count_records", "parse", "read_records", "skip_rest_of_line"]

DEFAULT_MAX_RECORD = 16 * 1024 * 1024
_CHUNK = 1024 * 1024
_WHITESPACE = b" \t\r\n"
_TEXT_WHITESPACE = " \t\r\n"
_NOT_SPACE = re.compile(r"[^ \t\r\n]")
_COMMA = re.compile(r"[ \t\r\n]*,[ \t\r\n]*")


class Record(NamedTuple):
    """One parsed JSON value; ``pointer`` locates it inside a document holding an array ("" otherwise)."""

    line: int
    value: Any
    pointer: str = ""
    duplicates: tuple[str, ...] = ()
    """The JSON pointer of each key written a second time in the same object."""


class BadRecord(NamedTuple):
    """A record that is not a JSON value, with the reason in one line."""

    line: int
    reason: str


class _Repeated(dict[str, Any]):
    """An object in which a key was written more than once: the keys, in the order they came back."""

    repeated: list[str]


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    made = dict(pairs)
    if len(made) == len(pairs):
        return made
    seen: set[str] = set()
    repeated = _Repeated(made)
    repeated.repeated = [k for k, _ in pairs if k in seen or seen.add(k)]  # type: ignore[func-returns-value]
    return repeated


def _decoder() -> tuple[json.JSONDecoder, list[int]]:
    """A strict decoder, and a counter of the objects in which it met a repeated key (so that only those values
    are walked for the pointers)."""
    met = [0]

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        made = dict(items)
        if len(made) == len(items):  # called for every object: the common case first, and one call only
            return made
        met[0] += 1
        return _pairs(items)

    return json.JSONDecoder(object_pairs_hook=pairs, parse_constant=_no_constant), met


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_DECODER = json.JSONDecoder(object_pairs_hook=_pairs, parse_constant=_no_constant)


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _plain(value: Any) -> tuple[Any, tuple[str, ...]]:
    """The value with every `_Repeated` object made a plain dict, and the pointers of the repeated keys."""
    found: list[str] = []
    root = [value]
    stack: list[tuple[Any, Any, str]] = [(root, 0, "")]
    while stack:
        parent, slot, pointer = stack.pop()
        node = parent[slot]
        if isinstance(node, dict):
            if isinstance(node, _Repeated):
                found += [f"{pointer}/{_escape(k)}" for k in node.repeated]
                node = parent[slot] = dict(node)
            stack.extend((node, k, f"{pointer}/{_escape(k)}") for k in node)
        elif isinstance(node, list):
            stack.extend((node, i, f"{pointer}/{i}") for i in range(len(node)))
    return root[0], tuple(sorted(found))


def _why(error: Exception) -> str:
    if isinstance(error, json.JSONDecodeError):
        return f"not JSON: {error.msg} at line {error.lineno} column {error.colno}"
    if isinstance(error, RecursionError):
        return "not readable: nested too deeply"
    if isinstance(error, UnicodeDecodeError):
        return f"not UTF-8 text (binary data?): byte {error.start} is 0x{error.object[error.start]:02x}"
    return f"not JSON: {error}"


def parse(raw: bytes | str) -> tuple[Any, tuple[str, ...]]:
    """One JSON text, strictly: the value and the pointers of its repeated keys; ``ValueError`` says what is wrong."""
    try:
        return jiter.from_json(raw.encode() if isinstance(raw, str) else raw, catch_duplicate_keys=True,
                               allow_inf_nan=False), ()  # fmt: skip
    except (ValueError, UnicodeEncodeError):
        pass
    try:
        text = raw if isinstance(raw, str) else raw.decode("utf-8")
        value, end = _DECODER.raw_decode(text, len(text) - len(text.lstrip(_TEXT_WHITESPACE)))
        if text[end:].strip(_TEXT_WHITESPACE):
            raise json.JSONDecodeError("Extra data", text, end)
        return _plain(value)
    except (ValueError, RecursionError) as error:
        raise ValueError(_why(error)) from None


def skip_rest_of_line(stream: BinaryIO) -> int:
    """Read past the end of the current line (its newline included) in fixed chunks, never holding it whole; return
    the bytes skipped."""
    skipped = 0
    while True:
        chunk = stream.readline(_CHUNK)
        skipped += len(chunk)
        if not chunk or chunk.endswith(b"\n"):
            return skipped


def _kept(lines: list[bytes], limit: int) -> list[bytes | int]:
    """Lines as they are, or the size (with its newline) of one over ``limit``."""
    return [line if len(line) <= limit else len(line) + 1 for line in lines]


def _line_batches(stream: BinaryIO, pending: list[bytes | int], limit: int) -> Iterator[list[bytes | int]]:
    """The stream's lines, a megabyte's worth at a time; a line over ``limit`` comes as its size, never whole.

    ``pending`` holds the lines already read, each whole or already counted away as its size."""
    yield list(pending)
    rest = b""
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            if rest:  # the last line, without a newline (never over the limit: see below)
                yield [rest]
            return
        text = rest + chunk
        lines = text.split(b"\n")
        rest = lines.pop()
        yield _kept(lines, limit) if len(text) > limit else lines  # type: ignore[misc]
        if len(rest) > limit:  # a line longer than the limit: count it away in chunks, never holding it
            yield [len(rest) + skip_rest_of_line(stream)]
            rest = b""


def _json_lines(
    stream: BinaryIO,
    pending: list[bytes | int],
    limit: int,
    line_no: int,
    accept: Callable[[Any], bool] | None,
    lines_read: list[int] | None = None,
) -> Iterator[Record | BadRecord | int]:
    from_json = jiter.from_json
    passed = 0  # records that ``accept`` took since the last item
    for lines in _line_batches(stream, pending, limit):
        for raw in lines:
            line_no += 1
            if type(raw) is bytes:
                try:
                    value = from_json(raw, catch_duplicate_keys=True, allow_inf_nan=False)
                except ValueError:
                    pass
                else:
                    if accept is not None and accept(value):
                        passed += 1
                        continue
                    if passed:
                        yield passed
                        passed = 0
                    yield Record(line_no, value)
                    continue
            if passed:
                yield passed
                passed = 0
            if isinstance(raw, int):
                yield BadRecord(line_no, f"record is {raw:,} bytes, over the limit of {limit:,}; skipped")
                continue
            if not raw.strip(_WHITESPACE):
                continue
            try:
                value, duplicates = parse(raw)
            except ValueError as error:
                yield BadRecord(line_no, str(error))
                continue
            yield Record(line_no, value, "", duplicates)
        if passed:  # once a megabyte at least, for a progress line
            yield passed
            passed = 0
    if lines_read is not None:
        lines_read.append(line_no)


_NUMBER_TAIL = re.compile(r"[0-9.eE+\-]+")


def _goes_on(value: Any, text: str, end: int) -> bool:
    """Whether a number read at the end of the text read so far may go on in the text still to come: ``1.`` and
    ``1e`` are read as 1, and the rest of the chunk is where its fraction or exponent begins."""
    return type(value) in (int, float) and _NUMBER_TAIL.fullmatch(text, end) is not None


class _Text:
    """A stream's text, read in chunks as the parser needs it, with the line number of any position met in order."""

    def __init__(self, stream: BinaryIO, head: bytes, limit: int, line_no: int) -> None:
        self.stream = stream
        self.limit = limit
        # Bytes that are not UTF-8 become lone surrogates: inside a string they are reported where they are.
        self.decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
        self.text = self.decoder.decode(head)
        self.json, self.repeated = _decoder()
        self.eof = False
        self.base_line = line_no  # the line of text[0]
        self.counted = 0  # text[:counted] has had its newlines counted into line_at's cache
        self.line = line_no

    def more(self, size: int | None = None) -> bool:
        """Read more text (a chunk, or ``size`` bytes); False at the end of the stream."""
        if self.eof:
            return False
        raw = self.stream.read(size or _CHUNK)
        self.eof = not raw
        self.text += self.decoder.decode(raw, final=self.eof)
        return bool(raw)

    def line_at(self, pos: int) -> int:
        """The line of ``text[pos]``; positions must be asked in increasing order."""
        self.line += self.text.count("\n", self.counted, pos)
        self.counted = pos
        return self.line

    def drop(self, pos: int) -> int:
        """Forget the text before ``pos`` (already read); returns the position's new index, 0."""
        self.line_at(pos)
        self.text = self.text[pos:]
        self.counted = 0
        return 0

    def skip_space(self, pos: int) -> int:
        while True:
            found = _NOT_SPACE.search(self.text, pos)
            if found is not None:
                return found.start()
            pos = self.drop(len(self.text))  # only space so far: forget it, so that a long run costs no memory
            if not self.more():
                return pos

    def value(self, pos: int) -> tuple[Any, int]:
        """The JSON value at ``pos`` and the position after it, reading more text while it may be incomplete."""
        while True:
            try:
                value, end = self.json.raw_decode(self.text, pos)
            except json.JSONDecodeError:
                if len(self.text) - pos > self.limit:
                    raise ValueError(f"a record over the limit of {self.limit:,} bytes") from None
                if not self.more(max(_CHUNK, len(self.text) - pos)):
                    raise
                continue
            if (end < len(self.text) and not _goes_on(value, self.text, end)) or not self.more():
                return value, end


def _documents(
    stream: BinaryIO, head: bytes, limit: int, line_no: int, accept: Callable[[Any], bool] | None
) -> Iterator[Record | BadRecord | int]:
    text = _Text(stream, head, limit, line_no + 1)
    scan = text.json.scan_once  # type: ignore[attr-defined]
    pos = text.skip_space(0)
    while pos < len(text.text):
        if pos > _CHUNK:
            pos = text.drop(pos)
        in_array = text.text[pos] == "["
        index = 0
        comma_before = False
        if in_array:
            pos = text.skip_space(pos + 1)
        while pos < len(text.text):
            if in_array and text.text[pos] == "]":
                if comma_before:  # "[1, ]": RFC 8259 has no comma before the end of an array
                    yield BadRecord(text.line_at(pos), "not JSON: a comma before ']' in the array")
                pos = text.skip_space(pos + 1)
                break
            if pos > _CHUNK:
                pos = text.drop(pos)
            line = text.line_at(pos)
            start = pos
            try:
                value, pos = scan(text.text, pos)  # the common case, without a Python frame around the C scanner
                if pos >= len(text.text) or _goes_on(value, text.text, pos):  # read more text below
                    raise ValueError
            except (StopIteration, ValueError, RecursionError):
                try:
                    value, pos = text.value(start)
                except (ValueError, RecursionError) as error:
                    yield BadRecord(line, f"{_why(error).split(' at line')[0]}; the rest of the document is not read")
                    return
            duplicates: tuple[str, ...] = ()
            if text.repeated[0]:
                text.repeated[0] = 0
                value, duplicates = _plain(value)
            # As in JSON Lines, a record over the limit is one line of its own, and reading goes on. A character is
            # at most 4 bytes: only a long record is measured.
            size = len(text.text[start:pos].encode("utf-8", "surrogateescape")) if pos - start > limit // 4 else 0
            if size > limit:
                yield BadRecord(line, f"record is {size:,} bytes, over the limit of {limit:,}; skipped")
            elif accept is not None and not duplicates and _writable(value) and accept(value):
                yield 1
            else:
                yield Record(line, value, f"/{index}" if in_array else "", duplicates)
            index += 1
            if in_array:  # the common case: a comma, and the next item within the text already read
                comma = _COMMA.match(text.text, pos)
                if comma is not None and comma.end() < len(text.text):
                    pos = comma.end()
                    comma_before = True
                    continue
            comma_before = False
            pos = text.skip_space(pos)
            if not in_array:
                break
            if pos < len(text.text) and text.text[pos] == ",":
                pos = text.skip_space(pos + 1)
                comma_before = True
            elif pos < len(text.text) and text.text[pos] != "]":
                yield BadRecord(text.line_at(pos), "not JSON: expected ',' or ']' in the array; the rest is not read")
                return
        else:
            if in_array:
                yield BadRecord(text.line_at(pos), "not JSON: the array is not closed")
                return


def _writable(value: Any) -> bool:
    """Whether a value read by the standard library is as jiter would have read it: valid Unicode (no lone surrogate
    from an escape or a byte that is not UTF-8) and nested within orjson's limit (`wire_form.MAX_DEPTH`). What is not
    goes to validation as a record, which reports it."""
    try:
        orjson.dumps(value)
    except TypeError:  # orjson.JSONEncodeError
        return False
    return True


def _parses(raw: bytes) -> bool:
    try:
        parse(raw)
    except ValueError:
        return False
    return True


def read_records(stream: BinaryIO, *, limit: int = DEFAULT_MAX_RECORD) -> Iterator[Record | BadRecord]:
    """Every record of ``stream``, parsed; an empty stream yields one `BadRecord`.

    JSON Lines or JSON documents is decided by the start: an array, or an object that its first line does not hold
    whole while the next lines are not objects either, is read as documents; anything else as JSON Lines, so a
    broken first line is one bad record and the lines after it are still read.
    """
    return cast(Iterator[Record | BadRecord], _records(stream, limit, None))


def count_records(
    stream: BinaryIO,
    accept: Callable[[Any], bool],
    *,
    limit: int = DEFAULT_MAX_RECORD,
    json_lines: bool = False,
    lines_read: list[int] | None = None,
) -> Iterator[Record | BadRecord | int]:
    """`read_records`, but a record without repeated keys whose value ``accept`` takes is counted, not yielded: an
    ``int`` says how many were taken since the last item, at least once a megabyte. For a hot loop (the CLI's
    ``validate``) in which most records need nothing more than a verdict. ``accept`` must not raise; it is given only
    values that have a wire form (valid Unicode, nested at most `wire_form.MAX_DEPTH` deep), so it may skip that
    check.

    With ``json_lines``, the stream is read as JSON Lines whatever its start: a piece of a file already known to be
    JSON Lines, which may start with a broken line; once all is read, the number of lines is appended to
    ``lines_read``."""
    if json_lines:
        return _json_lines(stream, [], limit, 0, accept, lines_read)
    return _records(stream, limit, accept)


def _records(stream: BinaryIO, limit: int, accept: Callable[[Any], bool] | None) -> Iterator[Record | BadRecord | int]:
    head, skipped = stream.readline(limit + 1), 0
    while head.endswith(b"\n") and not head.strip(_WHITESPACE):
        head, skipped = stream.readline(limit + 1), skipped + 1
    whole_line = len(head) <= limit or head.endswith(b"\n")  # readline(limit + 1) stops short of a longer line
    stripped = head.lstrip(_WHITESPACE)
    if not stripped and whole_line:
        yield BadRecord(skipped + 1, "empty input: no JSON value")
        return
    if stripped[:1] == b"[":  # an array, even one on a line longer than the limit: its items are the records
        yield from _documents(stream, head, limit, skipped, accept)
        return
    pending: list[bytes | int] = [head if whole_line else len(head) + skip_rest_of_line(stream)]
    if whole_line and stripped[:1] == b"{" and not _parses(head):
        # A pretty-printed document, or a JSON Lines file whose first record is broken: the next lines tell.
        while len(pending) < 4:
            line = stream.readline(limit + 1)
            if not line:
                break
            if len(line) > limit and not line.endswith(b"\n"):  # counted away now: reading goes on after it
                pending.append(len(line) + skip_rest_of_line(stream))
                continue
            pending.append(line)
        lines = [line for line in pending if isinstance(line, bytes)]
        if len(lines) == len(pending) and not any(
            line.lstrip(_WHITESPACE)[:1] == b"{" and _parses(line) for line in lines[1:]
        ):
            yield from _documents(stream, b"".join(lines), limit, skipped, accept)
            return
    yield from _json_lines(stream, pending, limit, skipped, accept)
