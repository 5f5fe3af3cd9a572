"""Read notifications from files or streams, one record at a time, in linear time and bounded memory.

A source is JSON Lines (one message per line) or JSON documents (one message, several one after another, or an
array of messages, pretty-printed or not); an array's items are read one by one, never the whole array at once.
Each record comes with its line number; a record that cannot be read comes as a `BadRecord` that says why, and
reading goes on after it. A key written twice in one object is kept as JSON parsers keep it (the last one wins) and
reported: `Record.duplicates` holds the JSON pointer of each repeated key. A UTF-8 byte-order mark at the very start
of a source is passed over (RFC 8259 8.1), and counts against no limit; a source in UTF-16 or UTF-32 is one
`BadRecord` that names its encoding, and one of gzip, bzip2 or xz data one that names its compression; neither is
read further (D109).

JSON Lines or documents: the first line that is not blank decides. One that starts an array, or an object that the
line does not hold whole, starts documents; anything else is JSON Lines. A document is only a document if it parses
whole within the size limit and no line of it after its first is a JSON object on its own (other than ``{}``); one
that is not is what a JSON Lines file whose first lines are broken looks like, so from its first line on the source
is read as JSON Lines. The parser held that document's text anyway (up to the limit), so going back to its start
costs no memory more: no line of a JSON Lines file is ever hidden in a document, each gets the verdict it gets on
its own. An array item that cannot be read (not JSON, nested too deeply, over the limit) is one bad record, and
reading goes on after the next comma at the array's own level, found by a scan that holds a chunk at a time; only an
array that never closes hides what follows, and says so.

Parsing is strict RFC 8259: no ``NaN``, ``Infinity`` or other extension. A line is parsed by jiter (which finds
repeated keys as it parses); what jiter refuses is parsed again by the standard library, which then says exactly
what is wrong, or finds the repeated keys' pointers, or reads the escape of a lone surrogate that validation then
reports as not valid Unicode. A byte that is not UTF-8 makes its record unreadable, in JSON Lines as in documents.
"""

from __future__ import annotations

import codecs
import io
import json
import re
import sys
import unicodedata
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO, NamedTuple, cast

import jiter
import orjson

from notify_schemas.redaction import given_count, quoted, unreadable

__all__ = [
    "DEFAULT_MAX_RECORD",
    "UTF8_BOM",
    "BadRecord",
    "Record",
    "count_records",
    "first_line",
    "parse",
    "parse_as_python_reads",
    "pass_bom",
    "read_records",
    "skip_rest_of_line",
]

DEFAULT_MAX_RECORD = 16 * 1024 * 1024
UTF8_BOM = codecs.BOM_UTF8
"""The byte-order mark that may start a UTF-8 input, and is then passed over."""
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
    """An object in which a key was written more than once: each such key once, in the order it came back."""

    repeated: list[str]


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    made = dict(pairs)
    if len(made) == len(pairs):
        return made
    seen: set[str] = set()
    repeated = _Repeated(made)
    # A key written three times is one key written more than once: one pointer, one violation.
    repeated.repeated = list(dict.fromkeys(k for k, _ in pairs if k in seen or seen.add(k)))  # type: ignore[func-returns-value]
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


# How the standard library starts its error for an integer of more digits than it turns into an int (4,300 by
# default, sys.get_int_max_str_digits); jiter calls the same number "out of range" and says where it is.
_TOO_LONG = "Exceeds the limit"
_OUT_OF_RANGE = re.compile(r"number out of range at line (\d+) column (\d+)$")
_NUMBER_CHARS = b"0123456789-"


def _too_long(error: BaseException) -> bool:
    return type(error) is ValueError and str(error).startswith(_TOO_LONG)


def _long_number() -> str:
    return f"not readable: a number of more than {sys.get_int_max_str_digits():,} digits"


def _long_number_at(raw: bytes) -> tuple[int, int] | None:
    """Where the number that Python cannot read in ``raw`` (a JSON value, and maybe text after it) starts: its line
    and its column in characters, from 1, as the standard library counts a fault's; None if jiter stops before it.
    jiter names the byte past the digits Python reads, not the number's start, and counts columns in bytes; repeated
    keys before the number are let be, as the standard library lets them be."""
    try:
        jiter.from_json(raw, allow_inf_nan=False)
    except ValueError as error:
        found = _OUT_OF_RANGE.search(str(error))
    else:
        return None
    if found is None:
        return None
    line = int(found[1])
    start = 0
    for _ in range(line - 1):
        start = raw.index(b"\n", start) + 1
    at = start + int(found[2]) - 1
    while at > start and raw[at - 1] in _NUMBER_CHARS:
        at -= 1
    return line, len(raw[start:at].decode(_UTF8, _ESCAPE)) + 1


def _unseen(text: str, pos: int) -> str:
    """What is at ``text[pos]``, where a fault is, if it is a character no one sees (a NUL, a form feed, a no-break
    space, a byte-order mark after the start, a line separator): " (U+00A0 NO-BREAK SPACE)", else nothing. A
    byte that is not UTF-8, which the reader holds as a lone surrogate, is named as a byte."""
    char = text[pos : pos + 1]
    if not char or char.isprintable():
        return ""
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:
        return f" (byte 0x{code - 0xDC00:02x}, not UTF-8)"
    if char == "\ufeff":
        return " (U+FEFF, a byte-order mark: only the start of an input may have one)"
    return f" (U+{code:04X}{' ' + unicodedata.name(char) if unicodedata.name(char, '') else ''})"


def _why(error: Exception) -> str:
    if _too_long(error):
        return _long_number()
    if isinstance(error, json.JSONDecodeError):
        # "Unterminated string starting at": the position follows the stdlib's own "at".
        where = f"at line {error.lineno} column {error.colno}{_unseen(error.doc, error.pos)}"
        return f"not JSON: {error.msg.removesuffix(' at')} {where}"
    if isinstance(error, RecursionError):
        return "not readable: nested too deeply"
    if isinstance(error, UnicodeDecodeError):
        before = error.object[: error.start]  # UTF-8 up to the first byte that is not
        line_start = before.rfind(b"\n") + 1
        column = len(before[line_start:].decode(_UTF8)) + 1
        reason = _not_utf8(error.object[error.start], before.count(b"\n") + 1, column)
        if column == 1 and error.object[error.start : error.start + 2] in _UTF16_BOMS:
            return f"{reason} (a byte-order mark of UTF-16 or UTF-32 text: JSON is read as UTF-8 only)"
        return reason
    return f"not JSON: {error}"


_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)  # what UTF-32's marks start with too


def _not_utf8(byte: int, line: int, column: int) -> str:
    """The reason of a record with a byte that UTF-8 has no character for, where it is as a JSON error says it."""
    return f"not UTF-8 text (binary data?): byte 0x{byte:02x} at line {line} column {column}"


def parse(raw: bytes | str) -> tuple[Any, tuple[str, ...]]:
    """One JSON text, strictly: the value and the pointers of its repeated keys; ``ValueError`` says what is wrong,
    `TypeError` that ``raw`` is neither text nor bytes."""
    return _parse(_given_json(raw))


def _given_json(raw: Any) -> bytes | str:
    """``raw``, an argument that must be JSON text, as plain ``bytes`` or ``str``: a subclass is read as what it
    holds, since its own methods (``encode``, ``decode``, ``strip``), which parsing asks, may raise or lie; anything
    else is a `TypeError` naming ``raw``."""
    if isinstance(raw, bytes):
        return bytes.__bytes__(raw)
    if isinstance(raw, str):
        return str.__str__(raw)
    raise TypeError(f"raw must be JSON text (bytes or str), not {quoted(raw)}")


def _parse(raw: bytes | str) -> tuple[Any, tuple[str, ...]]:
    """`parse` of plain bytes or text, as the reader's own lines are."""
    try:
        return jiter.from_json(raw.encode() if isinstance(raw, str) else raw, catch_duplicate_keys=True,
                               allow_inf_nan=False), ()  # fmt: skip
    except (ValueError, UnicodeEncodeError):
        pass
    try:
        text = raw if isinstance(raw, str) else raw.decode("utf-8")
        value, end = _DECODER.raw_decode(text, len(text) - len(text.lstrip(_TEXT_WHITESPACE)))
        if extra := text[end:].lstrip(_TEXT_WHITESPACE):  # named where it starts, past the blank space before it
            raise json.JSONDecodeError("Extra data", text, len(text) - len(extra))
        return _plain(value)
    except (ValueError, RecursionError) as error:
        if _too_long(error) and (where := _long_number_at(_encoded(raw))) is not None:
            raise ValueError(f"{_long_number()} at line {where[0]} column {where[1]}") from None
        raise ValueError(_why(error)) from None


def _encoded(raw: bytes | str) -> bytes:
    return raw if isinstance(raw, bytes) else raw.encode(_UTF8, "surrogatepass")


_AS_PYTHON_READS = json.JSONDecoder(object_pairs_hook=_pairs)  # NaN and Infinity taken, as json.loads takes them


def parse_as_python_reads(raw: bytes | str) -> tuple[Any, tuple[str, ...]]:
    """One JSON text read as Python's ``json.loads`` reads it (NaN and Infinity taken), with the pointers of its
    repeated keys: what kombu and oslo.messaging decode a body with, keeping the last of two equal keys. `parse`
    refuses such a text whole, and the keys it wrote twice went unseen; its value is judged elsewhere (NaN has no wire
    form). ``ValueError`` (or ``RecursionError``) for a text that is not one JSON value, `TypeError` for a ``raw``
    that is neither text nor bytes."""
    if type(raw) is not bytes and type(raw) is not str:
        raw = _given_json(raw)
    try:
        return jiter.from_json(raw.encode() if isinstance(raw, str) else raw, catch_duplicate_keys=True), ()
    except ValueError:  # a key written twice, a text that is not UTF-8, or no JSON: the standard library says
        text = raw if isinstance(raw, str) else raw.decode("utf-8")
        value, end = _AS_PYTHON_READS.raw_decode(text, len(text) - len(text.lstrip(_TEXT_WHITESPACE)))
        if text[end:].strip(_TEXT_WHITESPACE):
            raise ValueError("extra data after the JSON value") from None
        return _plain(value)


def skip_rest_of_line(stream: BinaryIO) -> int:
    """Read past the end of the current line (its newline included) in fixed chunks, never holding it whole; return
    the bytes skipped."""
    return _skip_line(_given_stream(stream))[0]


def _given_stream(stream: Any) -> BinaryIO:
    """``stream``, an argument that must be a binary stream (a file opened with ``"rb"``, ``sys.stdin.buffer``,
    ``io.BytesIO``), checked once where a public function is given it: what has no ``read`` and ``readline``, or a
    text stream, whose lines are no bytes, is a `TypeError` naming ``stream``, and so is an error of its own as they
    are looked up (a ``__getattr__`` that raises), its text masked. Unchecked, each failed deep inside, with
    AttributeError or "endswith first arg must be str"."""
    try:
        readable = callable(getattr(stream, "readline", None)) and callable(getattr(stream, "read", None))
    except Exception as error:
        raise unreadable("stream", error) from None
    if isinstance(stream, io.TextIOBase):
        raise TypeError("stream must be a binary stream (a file opened with 'rb'), not a text stream")
    if not readable:
        raise TypeError(f"stream must be a binary stream (a file opened with 'rb'), not {quoted(stream)}")
    return cast(BinaryIO, stream)


_MOST_LIMIT = sys.maxsize // 4
"""The largest limit a reading is given: a record longer than that fits in no memory, and ``readline`` refuses a
size past ``sys.maxsize`` (OverflowError)."""


def _given_limit(limit: Any, what: str) -> int:
    """``limit``, a size in bytes a public function is given, as a plain ``int`` (`given_count`): a whole number
    from 0, past `_MOST_LIMIT` read as `_MOST_LIMIT`."""
    return min(given_count(limit, what), _MOST_LIMIT)


def _skip_line(stream: BinaryIO, before: bytes = b"") -> tuple[int, bool, bool, int]:
    """`skip_rest_of_line`, whether all it skipped is blank space, whether the line ends in a newline (not the
    stream's end), and the bytes of its line end (LF, CRLF, or none); ``before`` is what the line started with, read
    already, whose last byte may be the CR of a CRLF."""
    skipped = 0
    blank = True
    last = before[-1:]
    while True:
        chunk = stream.readline(_CHUNK)
        skipped += len(chunk)
        blank = blank and not chunk.strip(_WHITESPACE)
        if not chunk or chunk.endswith(b"\n"):
            return skipped, blank, bool(chunk), _line_end(chunk, last)
        last = chunk[-1:]


def _line_end(chunk: bytes, before: bytes) -> int:
    """The bytes of the line end that ``chunk``, the end of a line, ends with; ``before`` is the byte before it."""
    if not chunk.endswith(b"\n"):
        return 0
    return 2 if (chunk[-2:-1] or before) == b"\r" else 1


def _past(start: bytes, stream: BinaryIO) -> bytes | int:
    """A line over the limit that starts with ``start``, read past in chunks: the size of its record (the line
    without its line end), or ``b""`` if it is blank. A line of blank space is no record whatever its length, as it
    is none within the limit."""
    skipped, blank, _, end = _skip_line(stream, start)
    return b"" if blank and not start.strip(_WHITESPACE) else len(start) + skipped - end


def _over(line: bytes, limit: int) -> bool:
    """Whether a line (without its newline) is longer than ``limit``. The carriage return of a CRLF line end is no
    part of the record, and counts against no limit: a record of the limit is read whatever its line ends."""
    return len(line) > limit and (len(line) > limit + 1 or not line.endswith(b"\r"))


def _kept(lines: list[bytes], limit: int) -> list[bytes | int]:
    """Lines as they are (each without its newline), or the size of the record of one over ``limit`` that is not
    blank: the line without the CR of a CRLF line end, as an array item's size is the item's own."""
    return [
        line
        if len(line) <= limit or not _over(line, limit) or not line.strip(_WHITESPACE)
        else len(line) - line.endswith(b"\r")
        for line in lines
    ]


def _line_batches(
    stream: BinaryIO, pending: list[bytes | int], limit: int, rest: bytes = b""
) -> Iterator[list[bytes | int]]:
    """The stream's lines, a megabyte's worth at a time; a line over ``limit`` comes as its size, never whole.

    ``pending`` holds the lines already read, each whole or already counted away as its size; ``rest`` the start of
    the line that the stream goes on with."""
    yield list(pending)
    if _over(rest, limit):
        yield [_past(rest, stream)]
        rest = b""
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            if rest:  # the last line, without a newline (never over the limit: see below)
                yield [rest]
            return
        text = rest + chunk if len(rest) < _CHUNK or b"\n" in chunk else _line_on(stream, rest, chunk, limit)
        lines = text.split(b"\n")
        rest = lines.pop()
        yield _kept(lines, limit) if len(text) > limit else lines  # type: ignore[misc]
        if _over(rest, limit):  # a line longer than the limit: count it away in chunks, never holding it
            yield [_past(rest, stream)]
            rest = b""


def _line_on(stream: BinaryIO, rest: bytes, chunk: bytes, limit: int) -> bytes:
    """A line of a megabyte or more (``rest``) that goes on through ``chunk``, a chunk without a newline: read on,
    chunk by chunk, up to its newline, the stream's end, or past the limit, and joined once. Joined to each chunk
    as it came, a line within a limit of a gigabyte was copied once a megabyte: a 100 MB record took 16 s, 4 to 5
    times what 25 MB took."""
    parts = [rest, chunk]
    size = len(rest) + len(chunk)
    while chunk and b"\n" not in chunk and size <= limit + 1:  # a CRLF line end and one byte more: `_over`
        chunk = stream.read(_CHUNK)
        parts.append(chunk)
        size += len(chunk)
    return b"".join(parts)


def _json_lines(
    stream: BinaryIO,
    pending: list[bytes | int],
    limit: int,
    line_no: int,
    accept: Callable[[Any], bool] | None,
    lines_read: list[int] | None = None,
    rest: bytes = b"",
) -> Iterator[Record | BadRecord | int]:
    from_json = jiter.from_json
    passed = 0  # records that ``accept`` took since the last item
    for lines in _line_batches(stream, pending, limit, rest):
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
                value, duplicates = _parse(raw)
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
# What the scan of a skipped item stops at: a bracket, a comma, or a quote (a whole string is one match).
_TOKEN = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+"|[\[\]{},"]')
_IN_STRING = re.compile(r'[^"\\]*+(?:\\.[^"\\]*+)*+')  # what a string holds: not a quote, or an escape
# A decoder's error this close to the end of the text read so far may be the text ending, not a fault in it.
_NEAR_END = 16
_WINDOW = 256  # the least text read_near parses an item in


def _goes_on(value: Any, text: str, end: int) -> bool:
    """Whether a number read at the end of the text read so far may go on in the text still to come: ``1.`` and
    ``1e`` are read as 1, and the rest of the chunk is where its fraction or exponent begins."""
    return type(value) in (int, float) and _NUMBER_TAIL.fullmatch(text, end) is not None


class _Text:
    """A stream's text, read in chunks as the parser needs it, with the line number of any position met in order."""

    def __init__(self, stream: BinaryIO, head: bytes, limit: int, line_no: int) -> None:
        self.stream = stream
        self.limit = limit
        # Bytes that are not UTF-8 become lone surrogates, so that the text can be read on and given back as bytes
        # (as_lines); a record that holds one is unreadable, as its line is in JSON Lines (not_utf8).
        self.decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
        self.text = self.decoder.decode(head)
        self.escaped = _escaped(head, self.text)  # whether a byte that is not UTF-8 was read (and made a surrogate)
        self.json, self.repeated = _decoder()
        self.scan = self.json.scan_once  # type: ignore[attr-defined]
        self.eof = False
        self.base_line = line_no  # the line of text[0]
        self.column = 0  # the column of text[0], from 0: text read before it may have been dropped
        self.counted = 0  # text[:counted] has had its newlines counted into line_at's cache
        self.line = line_no
        self.ends: tuple[int, int, int, bool] = (-1, 0, 0, False)  # may_end's scan so far: start, position, depth, ...
        self.window = _WINDOW  # the text read_near parses an item in, at first
        self.asked = (0, -1)  # the position column_at was last asked for, and the newline before it (-1: none held)

    def more(self, size: int | None = None) -> bool:
        """Read more text (a chunk, or ``size`` bytes); False at the end of the stream."""
        if self.eof:
            return False
        raw = self.stream.read(size or _CHUNK)
        self.eof = not raw
        text = self.decoder.decode(raw, final=self.eof)
        self.escaped = self.escaped or _escaped(raw, text)
        self.text += text
        return bool(raw)

    def not_utf8(self, start: int, end: int) -> str | None:
        """Why the record read from ``text[start:end]`` is not one, if it holds a byte that is not UTF-8: the reason
        its line gets in JSON Lines, not the lone surrogate that the decoder made of the byte."""
        found = _ESCAPED.search(self.text, start, end) if self.escaped else None
        if found is None:
            return None
        at = found.start()
        line = self.text.count("\n", start, at) + 1
        return _not_utf8(ord(self.text[at]) - 0xDC00, line, self.column_at(at))

    def line_at(self, pos: int) -> int:
        """The line of ``text[pos]``; positions must be asked in increasing order."""
        self.line += self.text.count("\n", self.counted, pos)
        self.counted = pos
        return self.line

    def column_at(self, pos: int) -> int:
        """The column of ``text[pos]``, from 1. The search for the line's start goes back no further than the
        position last asked, if that is before ``pos``: on a line a megabyte long, a column asked for each of its
        many bad items would otherwise cost a scan of the line each."""
        since, start = self.asked if self.asked[0] <= pos else (0, -1)
        found = self.text.rfind("\n", since, pos)
        start = found if found >= 0 else start
        self.asked = (pos, start)
        return pos - start if start >= 0 else self.column + pos + 1

    def drop(self, pos: int) -> int:
        """Forget the text before ``pos`` (already read); returns the position's new index, 0."""
        self.line_at(pos)
        start = self.text.rfind("\n", 0, pos)
        self.column = pos - start - 1 if start >= 0 else self.column + pos
        self.text = self.text[pos:]
        self.counted = 0
        self.ends = (-1, 0, 0, False)
        self.asked = (0, -1)
        return 0

    def skip_space(self, pos: int) -> int:
        while True:
            found = _NOT_SPACE.search(self.text, pos)
            if found is not None:
                return found.start()
            pos = self.drop(len(self.text))  # only space so far: forget it, so that a long run costs no memory
            if not self.more():
                return pos

    def read(self, pos: int) -> tuple[Any, int]:
        """The JSON value at ``pos`` and the position after it; ``ValueError`` or ``RecursionError`` if none."""
        try:
            value, end = self.scan(self.text, pos)  # the common case, without a Python frame around the C scanner
        except (StopIteration, ValueError, RecursionError):
            return self.value(pos)
        if end >= len(self.text) or _goes_on(value, self.text, end):  # it may go on in the text still to come
            return self.value(pos)
        return value, end

    def read_near(self, pos: int) -> tuple[Any, int]:
        """`read`, for an item after a bad one: the value is parsed in a window of the text from ``pos`` on, as
        long as the item needs (a few times the last one's size, growing fourfold while the window cuts it), and the
        text read so far only when the window cannot tell. The standard library's error counts the lines of the
        whole text before where it is found: parsed in the text read so far, each bad item cost a scan of up to a
        megabyte, and a megabyte of small bad items took a minute and a half."""
        size = self.window
        while pos + size < len(self.text):
            window = self.text[pos : pos + size]
            try:
                value, end = self.scan(window, 0)
            except StopIteration as stop:  # where no value starts, as the decoder says it (the window's end, too)
                if stop.value < size - _NEAR_END:
                    raise _Fault("Expecting value", pos + stop.value) from None
            except json.JSONDecodeError as error:
                if error.pos < size - _NEAR_END and not error.msg.startswith("Unterminated string"):
                    raise _Fault(error.msg, pos + error.pos) from None  # a fault in the item, where the text has it
            else:
                if end < size and not _goes_on(value, window, end):
                    self.window = max(_WINDOW, 4 * end)
                    return value, pos + end
            self.repeated[0] = 0  # the objects of a window cut short are made again
            size *= 4
        return self.read(pos)

    def value(self, pos: int) -> tuple[Any, int]:
        """The JSON value at ``pos`` and the position after it, reading more text while it may be incomplete."""
        while True:
            try:
                value, end = self.json.raw_decode(self.text, pos)
            except json.JSONDecodeError as error:
                if error.pos < len(self.text) - _NEAR_END and not error.msg.startswith("Unterminated string"):
                    raise  # a fault in the text, which more text cannot mend
                # Read on, and parse again only once the value may end in the text read: a value over the limit is
                # never parsed, so the objects of its first part are never made. The text held past ``pos`` may be
                # over the limit where the value is not (the items after it): a fault within the limit is read past
                # once, which tells whether it is one, as an item of the limit is read whatever follows it.
                read = False
                within = error.pos - pos <= self.limit and not error.msg.startswith("Unterminated string")
                while True:
                    if len(self.text) - pos > self.limit and (read or not within):
                        raise ValueError(f"a record over the limit of {self.limit:,} bytes") from None
                    held = len(self.text) - pos  # read as much again, but never much past the limit
                    if not self.more(max(_CHUNK, min(held, self.limit + 1 - held))):
                        if read:  # the fault as the whole text has it: ``error`` was found in the part read then
                            return self.json.raw_decode(self.text, pos)
                        raise
                    read = True
                    if self.may_end(pos):
                        break
                continue
            if (end < len(self.text) and not _goes_on(value, self.text, end)) or not self.more():
                return value, end

    def may_end(self, pos: int) -> bool:
        """Whether the value at ``pos`` may end in the text read so far: a string that closes, brackets that balance
        (any other value: always). The scan goes on from where the last call for the same value stopped."""
        text = self.text
        if text[pos] not in "[{":
            return text[pos] != '"' or _TOKEN.match(text, pos).end() > pos + 1  # type: ignore[union-attr]
        start, at, depth, in_string = self.ends if self.ends[0] == pos else (pos, pos, 0, False)
        while True:
            if in_string:
                at, in_string = _string_end(text, at)
                if in_string:
                    break
                continue
            found = _TOKEN.search(text, at)
            if found is None:
                at = len(text)
                break
            at = found.end()
            token = found.group()
            if token == '"':
                in_string = True
            elif token in "[{":
                depth += 1
            elif token in "]}":
                depth -= 1
                if not depth:
                    return True
        self.ends = (start, at, depth, in_string)
        return False

    def skip(self, pos: int) -> tuple[int, int]:
        """Pass over the text from ``pos`` to the first ``,`` or ``]`` outside strings and at the nesting level of
        ``pos``: the position of that character (-1 if the stream ends first) and the bytes passed over, blank space
        before it left out. What is passed over is dropped as the scan goes, so that an item of any size or depth is
        skipped in the memory of a chunk, and in linear time: a regular expression goes from one bracket, comma or
        string to the next. A stray ``}`` is passed over."""
        depth = 0
        in_string = False  # within a string that the text read so far does not end
        size = 0
        start = pos
        while True:
            text = self.text
            if in_string:
                pos, in_string = _string_end(text, pos)
                if not in_string:
                    continue
            else:
                found = _TOKEN.search(text, pos)
                if found is not None:
                    token = found.group()
                    if token == '"':
                        in_string = True
                    elif token[0] == '"':  # a whole string
                        pass
                    elif token == ",":
                        if not depth:
                            end = found.start()
                            return end, size + _size(text[start:end].rstrip(_TEXT_WHITESPACE))
                    elif token in "[{":
                        depth += 1
                    elif depth:
                        depth -= 1
                    elif token == "]":
                        end = found.start()
                        return end, size + _size(text[start:end].rstrip(_TEXT_WHITESPACE))
                    pos = found.end()
                    continue
                pos = len(text)
            size += _size(text[start:pos])
            pos = start = self.drop(pos)
            if not self.more():
                return -1, size

    def as_lines(
        self, pos: int, line: int, accept: Callable[[Any], bool] | None, reason: str | None
    ) -> Iterator[Record | BadRecord | int]:
        """The text from ``pos`` (on ``line``) and the rest of the stream, read as JSON Lines; ``reason``, if given,
        is what is wrong with the first line when it does not parse on its own."""
        offset = self.column_at(pos) - 1  # the first line may start after a document on the same line
        data = self.text[pos:].encode(_UTF8, _ESCAPE) + self.decoder.getstate()[0]
        self.text = ""  # the column is counted first: it looks back to the line's start in the text held
        *lines, rest = data.split(b"\n")
        if offset and not lines and not _over(rest, self.limit):  # the first line goes on in the stream: read it whole
            rest += self.stream.readline(self.limit + 2 - len(rest))  # a CRLF line end is no part of the limit
            if rest.endswith(b"\n") or not _over(rest, self.limit):  # whole, or the last line: a line of its own
                lines, rest = [rest.removesuffix(b"\n")], b""
        pending = _kept(lines, self.limit)
        if pending and type(pending[0]) is bytes and (reason is not None or offset):
            try:
                _parse(pending[0])
            except ValueError as error:
                yield BadRecord(line, reason if reason is not None else _shifted(str(error), offset))
                del pending[0]
                line += 1
        yield from _json_lines(self.stream, pending, self.limit, line - 1, accept, rest=rest)


class _Fault(ValueError):
    """What is wrong with the text at ``pos`` of the text held, found in a window of it: a `json.JSONDecodeError`
    would count the lines of all the text before it."""

    def __init__(self, msg: str, pos: int) -> None:
        super().__init__(msg)
        self.msg = msg
        self.pos = pos


def _item_fault(text: _Text, error: Exception, start: int) -> str:
    """Why the array item at ``start`` cannot be read, and where, as a line of JSON Lines says it: the line counted
    from the item's first, the column from the start of its line in the file."""
    if _too_long(error) and (found := _long_number_at(text.text[start:].encode(_UTF8, _ESCAPE))) is not None:
        line, column = found
        column += text.column_at(start) - 1 if line == 1 else 0
        return f"{_long_number()} at line {line} column {column}"
    if not isinstance(error, json.JSONDecodeError | _Fault):
        return _why(error)
    line = text.text.count("\n", start, error.pos) + 1
    where = f"at line {line} column {text.column_at(error.pos)}{_unseen(text.text, error.pos)}"
    return f"not JSON: {error.msg.removesuffix(' at')} {where}"


_UTF8 = "utf-8"
_ESCAPE = "surrogateescape"
_ESCAPED = re.compile("[\udc80-\udcff]")  # what a byte that is not UTF-8 is decoded to with _ESCAPE


def _escaped(raw: bytes, text: str) -> bool:
    """Whether ``text``, decoded from ``raw`` with _ESCAPE, holds a byte that is not UTF-8."""
    return not raw.isascii() and _ESCAPED.search(text) is not None


_FIRST_LINE_COLUMN = re.compile(r" at line 1 column (\d+)")


def _shifted(reason: str, offset: int) -> str:
    """The reason for a line read from its ``offset``-th character on, with its column counted from the line's start."""
    return _FIRST_LINE_COLUMN.sub(lambda m: f" at line 1 column {int(m[1]) + offset}", reason, count=1)


def _string_end(text: str, pos: int) -> tuple[int, bool]:
    """Where a string that goes on at ``pos`` ends, past its quote, and False; or where the text read so far stops
    being sure of it (its end, or a backslash at its end), and True: the string goes on in the text still to come."""
    end = _IN_STRING.match(text, pos).end()  # type: ignore[union-attr]
    if end < len(text) and text[end] == '"':
        return end + 1, False
    return end, True


def _size(text: str) -> int:
    """The bytes that ``text`` was read from."""
    return len(text) if text.isascii() else len(text.encode(_UTF8, _ESCAPE))


def _line_of_its_own(text: str, start: int, end: int) -> bool:
    """Whether a line of ``text[start:end]`` after its first is a whole JSON object on its own: a JSON Lines record."""
    first = text.find("\n", start, end)
    if first < 0:
        return False
    for line in text[first + 1 : end].split("\n"):
        line = line.strip(_TEXT_WHITESPACE)
        # An empty object is what a pretty-printer writes on a line of its own (json.dumps(indent=2) of [{}]); a
        # JSON Lines record is a message, never one.
        if line[:1] == "{" and line[-1:] == "}" and line[1:-1].strip(_TEXT_WHITESPACE):
            try:
                if isinstance(_parse(line)[0], dict):
                    return True
            except ValueError:
                continue
    return False


def _fault(text: _Text, error: Exception, line: int, start: int) -> str | None:
    """What is wrong with a document that starts on ``line`` at ``start``, when the decoder found it on a later line:
    the first line is then reported with it, since the line's own fault (a ``{`` alone) would not tell where to
    look. The fault's line is counted from the document's first, as every record's fault is named (a byte that is
    not UTF-8 in the document, a line of JSON Lines, an array item)."""
    if _too_long(error):  # the standard library does not say where the number is; jiter does
        found = _long_number_at(text.text[start:].encode(_UTF8, _ESCAPE))
        if found is None or found[0] == 1:
            return None
        where = f"at line {found[0]} column {found[1]}, in the document that starts here"
        return f"{_long_number()} {where}; read as JSON Lines"
    if not isinstance(error, json.JSONDecodeError):
        return None
    at = text.line_at(error.pos) - line + 1
    if at == 1:
        return None
    where = f"at line {at} column {text.column_at(error.pos)}{_unseen(text.text, error.pos)}"
    why = error.msg.removesuffix(" at")
    return f"not JSON: {why} {where}, in the document that starts here; read as JSON Lines"


def _documents(
    stream: BinaryIO, head: bytes, limit: int, line_no: int, accept: Callable[[Any], bool] | None
) -> Iterator[Record | BadRecord | int]:
    text = _Text(stream, head, limit, line_no + 1)
    scan = text.scan
    pos = text.skip_space(0)
    while pos < len(text.text):
        if pos > _CHUNK:
            pos = text.drop(pos)
        line = text.line_at(pos)
        start = pos
        if text.text[pos] != "[":
            # One document. One that does not parse whole within the limit, or that holds a line which is a JSON
            # object on its own, is not one: from its first line on, the stream is read as JSON Lines, so that no
            # line of a JSON Lines file whose first lines are broken is ever hidden in a document.
            try:
                value, pos = text.read(start)
            except (ValueError, RecursionError) as error:
                text.repeated[0] = 0
                yield from text.as_lines(start, line, accept, _fault(text, error, line, start))
                return
            if (pos - start > limit // 4 and _size(text.text[start:pos]) > limit) or (
                _line_of_its_own(text.text, start, pos)
            ):
                text.repeated[0] = 0
                yield from text.as_lines(start, line, accept, None)
                return
            reason = text.not_utf8(start, pos)
            if reason is not None:
                text.repeated[0] = 0
                yield BadRecord(line, reason)
            else:
                yield _record(text, value, line, "", accept)
            pos = text.skip_space(pos)
            continue
        # An array: its items are the records. An item that cannot be read is one bad record, and reading goes on
        # after the next comma at the array's own level; only an array that never closes ends the reading.
        pos = text.skip_space(pos + 1)
        index = 0
        comma_before = False
        near = False  # whether an item was bad: from then on each is parsed near where it is (read_near)
        while pos < len(text.text):
            if text.text[pos] == "]":
                if comma_before:  # "[1, ]": RFC 8259 has no comma before the end of an array
                    yield BadRecord(text.line_at(pos), f"not JSON: a comma before ']' in the array {_at(text, pos)}")
                pos = text.skip_space(pos + 1)
                break
            if pos > _CHUNK:
                pos = text.drop(pos)
            line = text.line_at(pos)
            start = pos
            try:
                if near:
                    value, pos = text.read_near(start)
                else:
                    try:  # the common case inline, without a Python frame around the C scanner
                        value, pos = scan(text.text, start)
                        if pos >= len(text.text) or _goes_on(value, text.text, pos):
                            raise ValueError
                    except (StopIteration, ValueError, RecursionError):
                        value, pos = text.value(start)
            except (ValueError, RecursionError) as error:
                near = True
                text.repeated[0] = 0
                reason = _item_fault(text, error, start)  # before the skip, which lets go of the text it passes
                pos, size = text.skip(start)
                if size > limit:
                    reason = f"record is {size:,} bytes, over the limit of {limit:,}; skipped"
                if pos < 0:
                    yield BadRecord(line, f"{reason}; the array is not closed, so the rest is not read")
                    return
                yield BadRecord(line, reason)
            else:
                # As in JSON Lines, a record over the limit is one line of its own, and reading goes on. A character
                # is at most 4 bytes: only a long record is measured.
                size = _size(text.text[start:pos]) if pos - start > limit // 4 else 0
                reason = text.not_utf8(start, pos)
                if size > limit:
                    text.repeated[0] = 0
                    yield BadRecord(line, f"record is {size:,} bytes, over the limit of {limit:,}; skipped")
                elif reason is not None:
                    text.repeated[0] = 0
                    yield BadRecord(line, reason)
                elif text.repeated[0] or accept is None or not (_writable(value) and accept(value)):
                    yield _record(text, value, line, f"/{index}", None)
                else:
                    yield 1
                # the common case: a comma, and the next item within the text already read
                comma = _COMMA.match(text.text, pos)
                if comma is not None and comma.end() < len(text.text):
                    pos = comma.end()
                    comma_before = True
                    index += 1
                    continue
            index += 1
            pos = text.skip_space(pos)
            if pos < len(text.text) and text.text[pos] not in ",]":  # "[1 2, 3]": "2" is one bad record
                line = text.line_at(pos)
                reason = f"not JSON: expected ',' or ']' in the array {_at(text, pos)}"
                pos, _ = text.skip(pos)
                if pos < 0:
                    yield BadRecord(line, f"{reason}; the array is not closed, so the rest is not read")
                    return
                yield BadRecord(line, reason)
            comma_before = pos < len(text.text) and text.text[pos] == ","
            if comma_before:
                pos = text.skip_space(pos + 1)
        else:
            yield BadRecord(text.line_at(pos), "not JSON: the array is not closed")
            return


def _at(text: _Text, pos: int) -> str:
    """Where in an array ``text[pos]`` is, the start of a record of its own, as every fault of a record is named: at
    line 1 and its column on the file's line, with the character there if no one sees it (a NUL, a byte that is not
    UTF-8)."""
    return f"at line 1 column {text.column_at(pos)}{_unseen(text.text, pos)}"


def _record(text: _Text, value: Any, line: int, pointer: str, accept: Callable[[Any], bool] | None) -> Record | int:
    """A value read as a record, or 1 if ``accept`` takes it."""
    duplicates: tuple[str, ...] = ()
    if text.repeated[0]:
        text.repeated[0] = 0
        value, duplicates = _plain(value)
    if accept is not None and not duplicates and _writable(value) and accept(value):
        return 1
    return Record(line, value, pointer, duplicates)


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
        _parse(raw)
    except ValueError:
        return False
    return True


def read_records(stream: BinaryIO, *, limit: int = DEFAULT_MAX_RECORD) -> Iterator[Record | BadRecord]:
    """Every record of ``stream``, parsed; an empty stream yields one `BadRecord`. How JSON Lines and JSON
    documents are told apart is in the module's docstring. ``limit`` is the most bytes a record may have, a whole
    number from 0; a `TypeError` or `ValueError` names a wrong argument when called, not once reading starts."""
    stream, limit = _given_stream(stream), _given_limit(limit, "limit")
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
    ``lines_read``. Each argument is checked when called, as `read_records` checks it."""
    stream, limit = _given_stream(stream), _given_limit(limit, "limit")
    if not callable(accept):
        raise TypeError(f"accept must be a function of one value, not {quoted(accept)}")
    if type(json_lines) is not bool:
        raise TypeError(f"json_lines must be True or False, not {quoted(json_lines)}")
    if lines_read is not None and type(lines_read) is not list:
        raise TypeError(f"lines_read must be a list or None, not {quoted(lines_read)}")
    if json_lines:
        return _json_lines(stream, [], limit, 0, accept, lines_read)
    return _records(stream, limit, accept)


def pass_bom(stream: BinaryIO) -> bytes:
    """Pass over a UTF-8 byte-order mark at the start of ``stream`` (RFC 8259 8.1: a parser may), so that it counts
    against no size limit: the bytes read that were not one (at most three, up to a newline), which start the text."""
    return _pass_bom(_given_stream(stream))


def _pass_bom(stream: BinaryIO) -> bytes:
    """`pass_bom` of a stream checked already. The first bytes read are checked once: a stream whose lines are no
    bytes (``readline`` gives text) is a `TypeError` naming ``stream``, not a failure deep inside."""
    start = stream.readline(len(UTF8_BOM))
    if type(start) is not bytes:
        if not isinstance(start, bytes):
            raise TypeError(f"stream must be a binary stream: its readline gave {quoted(start)}, not bytes")
        start = bytes.__bytes__(start)
    return b"" if start == UTF8_BOM else start


def first_line(stream: BinaryIO, size: int) -> bytes:
    """The first line of ``stream`` as ``readline(size)`` reads it, a byte-order mark before it passed over and not
    counted in ``size``, a whole number from 0."""
    return _first_line(_given_stream(stream), _given_limit(size, "size"))


def _first_line(stream: BinaryIO, size: int) -> bytes:
    start = _pass_bom(stream)
    if start.endswith(b"\n"):
        return start
    return start + stream.readline(max(0, size - len(start)))


def _records(stream: BinaryIO, limit: int, accept: Callable[[Any], bool] | None) -> Iterator[Record | BadRecord | int]:
    start = _peeked(stream)
    # Up to the limit, a CRLF line end and one byte more: readline stops short of a longer line only.
    head = _first_line(stream, limit + 2)
    start = start if len(start) >= 4 else head[:_LOOK]
    unread = _wide(start) or _packed(start)
    if unread is not None:
        yield BadRecord(1, unread)
        return
    skipped = 0
    while not head.strip(_WHITESPACE) and (head.endswith(b"\n") or len(head) > limit + 1):
        if not head.endswith(b"\n"):  # blank space longer than the limit: blank still, or a record over it
            size, blank, ended, end = _skip_line(stream, head)
            if not blank:
                yield from _json_lines(stream, [len(head) + size - end], limit, skipped, accept)
                return
            if not ended:  # the stream's last line: nothing but blank space
                yield BadRecord(skipped + 1, "empty input: no JSON value")
                return
        head = stream.readline(limit + 2)
        skipped += 1
    ended = head.endswith(b"\n") or len(head) <= limit + 1
    whole_line = ended and not _over(head.removesuffix(b"\n"), limit)
    stripped = head.lstrip(_WHITESPACE)
    if not stripped and whole_line:  # at the last line: the one read, or the last that ended in a newline
        yield BadRecord(skipped + 1 if head or not skipped else skipped, "empty input: no JSON value")
        return
    if stripped[:1] == b"[" or (whole_line and stripped[:1] == b"{" and not _parses(head)):
        # An array (even one on a line longer than the limit), or an object that goes on after its first line: a
        # pretty-printed document, or a JSON Lines file whose first line is broken, which _documents tells apart.
        yield from _documents(stream, head, limit, skipped, accept)
        return
    pending: list[bytes | int] = [head if whole_line else _over_size(head, ended, stream)]
    yield from _json_lines(stream, pending, limit, skipped, accept)


_LOOK = 4096  # the bytes at the start of an input that tell UTF-16 or UTF-32 text
# UTF-32LE's mark starts with UTF-16LE's: it is looked for first.
_WIDE_MARKS = ((codecs.BOM_UTF32_LE, "UTF-32LE"), (codecs.BOM_UTF32_BE, "UTF-32BE"),
               (codecs.BOM_UTF16_LE, "UTF-16LE"), (codecs.BOM_UTF16_BE, "UTF-16BE"))  # fmt: skip
# Without a mark, the NUL bytes of the first two characters of JSON text (RFC 4627 3), which are ASCII: 1 for a byte
# that is not NUL.
_WIDE_NULS: dict[tuple[int, ...], str] = {
    (0, 0, 0, 1): "UTF-32BE",
    (0, 1, 0, 1): "UTF-16BE",
    (1, 0, 0, 0): "UTF-32LE",
    (1, 0, 1, 0): "UTF-16LE",
}


def _peeked(stream: BinaryIO) -> bytes:
    """The first bytes of ``stream``, left to be read, where it can give them without reading them (a buffered file,
    stdin): at least 4 for a file, which a first line may be shorter than."""
    peek = getattr(stream, "peek", None)
    return peek(_LOOK)[:_LOOK] if callable(peek) else b""


def _wide(start: bytes) -> str | None:
    """Why an input that starts with ``start`` is not read, if it is UTF-16 or UTF-32 text: by its byte-order mark,
    or by the NUL bytes of its first characters (as RFC 4627 3 tells them). Read as UTF-8, its every line is broken,
    each named by the NULs or bytes at its start, and none by what the input is. The start must read in that
    encoding as JSON text does, a few characters at least, mostly ASCII and without NULs, else it is no such text: a
    broken first line in UTF-8 that happens to start with a mark or NULs hides none of the lines after it."""
    name = next((name for mark, name in _WIDE_MARKS if start.startswith(mark)), None)
    marked = name is not None
    if name is None:
        name = _WIDE_NULS.get(tuple(int(byte != 0) for byte in start[:4]))
        if name is None:
            return None
    try:
        text = codecs.getincrementaldecoder(name)().decode(start, final=False).removeprefix("\ufeff")
    except UnicodeDecodeError:
        return None
    if len(text) < 4 or "\0" in text or 2 * sum(char.isascii() for char in text) < len(text):
        return None
    if not marked and text.lstrip(_TEXT_WHITESPACE)[:1] not in ("{", "["):
        return None
    how = "as its byte-order mark says" if marked else "without a byte-order mark, as the NUL bytes of its start say"
    return (f"not UTF-8 text: {name} text, {how}; JSON is read as UTF-8 only (RFC 8259 8.1), so the input is not "
            f"read: convert it first (iconv -f {name} -t UTF-8)")  # fmt: skip


# Compressed data as its first bytes tell it, and the command that inflates it.
_PACKED = ((b"\x1f\x8b", "gzip", "zcat"), (b"BZh", "bzip2", "bzcat"), (b"\xfd7zXZ\x00", "xz", "xzcat"))
# What follows bzip2's "BZh" and its block size: the start of a block, or the end of the stream (an empty one).
_BZIP2_NEXT = re.compile(rb"BZh[1-9](1AY&SY|\x17rE8P\x90)")


def _packed(start: bytes) -> str | None:
    """Why an input that starts with ``start`` is not read, if it is gzip, bzip2 or xz data: read as text, it is a
    record for each of its newline bytes, each binary data, and perhaps a number that parses. Its first bytes must
    inflate, else it is no such data: a broken first line that starts like it hides none of the lines after it."""
    for magic, name, command in _PACKED:
        if start.startswith(magic) and _inflates(name, start):
            return (f"not text: {name}-compressed data, as its first bytes say; JSON is read as text only, so the "
                    f"input is not read: decompress it first ({command})")  # fmt: skip
    return None


def _inflates(name: str, start: bytes) -> bool:
    """Whether ``start`` inflates as ``name``'s data as far as it goes, and is plainly such data: it inflates to
    something, or to its end (bzip2 inflates nothing before a whole block, up to 900 kB: its block's own mark tells
    it). The module is imported only for an input that starts like it."""
    if name == "gzip":
        import zlib

        inflater: Any = zlib.decompressobj(31)
        errors: tuple[type[Exception], ...] = (zlib.error,)
    elif name == "bzip2":
        import bz2

        inflater, errors = bz2.BZ2Decompressor(), (OSError, EOFError)
    else:
        import lzma

        inflater, errors = lzma.LZMADecompressor(), (lzma.LZMAError, EOFError)
    try:
        inflated = inflater.decompress(start, _LOOK)
    except errors:
        return False
    return bool(inflated) or inflater.eof or (name == "bzip2" and _BZIP2_NEXT.match(start) is not None)


def _over_size(head: bytes, ended: bool, stream: BinaryIO) -> int:
    """The size of the record of a first line over the limit, which ``head`` starts (and holds whole if ``ended``),
    the rest of the line read past."""
    if ended:
        return len(head) - _line_end(head, b"")
    size = _past(head, stream)
    return size if isinstance(size, int) else len(head)
