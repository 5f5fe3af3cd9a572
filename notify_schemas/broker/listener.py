"""Consume notifications from a broker with oslo.messaging's notification listener and validate each as it arrives.

Messages of both formats (``messaging`` 1.0 and ``messagingv2``) are decoded by oslo; the listener takes each
notification as it was sent (D48), validates it against a profile, counts valid and invalid ones per event type, and
writes each invalid one, whole but redacted, with its violations, to a JSON Lines file. A message whose body is over
the size limit is counted as invalid without being judged, and written as its envelope fields, cut (D51); one whose
body oslo cannot decode at all, as invalid with the reason (D48); one whose envelope, which oslo takes off, breaks
``schemas/wire/``, as invalid with the envelope's violations beside the notification's own (D79). Nothing a broker
delivers makes it raise. Needs the ``oslo`` extra.
"""

from __future__ import annotations

import array
import bz2
import errno
import fcntl
import functools
import hashlib
import itertools
import json
import logging
import lzma
import os
import select
import stat
import termios
import threading
import time
import types
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from notify_schemas.arguments import named_error, open_output
from notify_schemas.broker.messaging import _oslo, transport
from notify_schemas.broker.repeated import digest, forget, taken, watch
from notify_schemas.broker.wire import envelope_faults, written_twice
from notify_schemas.config import NotifierConfig
from notify_schemas.errors import NotifySchemasError
from notify_schemas.message import Notification
from notify_schemas.reader import DEFAULT_MAX_RECORD
from notify_schemas.redaction import (
    closed,
    error_text,
    mask_text,
    mask_transport_text,
    mask_url,
    quoted,
    redact,
    shown,
    type_name,
)
from notify_schemas.termination import raise_if_terminated
from notify_schemas.validation import capped, is_valid_plain, iter_errors, repeated_key
from notify_schemas.values import Delivered, Unreadable, Violation, one_line
from notify_schemas.wire_form import is_valid_text, wire_view

__all__ = ["GRACE", "AppendedLines", "Listener", "Tally", "into_pipe"]

_PRIORITIES = ("audit", "critical", "debug", "info", "error", "sample", "warn")


_LABEL = 100  # characters of an event type shown
_PIECE = 1024 * 1024  # characters of a text body encoded at a time
_ENVELOPE = ("message_id", "publisher_id", "event_type", "priority", "timestamp")  # what identifies a message
_LOOK = 0.05  # seconds between two looks at the count of a waiting listener
_PIPE_LOOK = 0.01  # seconds between two looks at a pipe whose reader has not made room for a line
GRACE = 5.0
"""Seconds a stopped listener waits for the reader of a pipe (``--invalid-out`` on a FIFO) to make room for the line
it is writing, before that line is given up and its message left on the queue (D107)."""
_UNREADABLE = "<unreadable>"  # what a tally counts a body that oslo cannot decode under


def _label(event_type: Any) -> str:
    """An event type as a tally counts and shows it: masked (a producer's event type may carry a credential), and
    with control characters escaped, so that none reaches a terminal. The same for a label already made. Masked
    whole, then cut: a credential whose end (a URL's "@", a closing quote) lay past the cut was left in clear. Text
    that is not valid Unicode is shown quoted, masked before: ``repr`` escapes the quotes of a text that holds both
    kinds, and ``'password': '...'`` would no longer read as a secret."""
    if not isinstance(event_type, str):
        return _type_of(event_type)
    text = mask_text(str.__str__(event_type))  # a subclass's own methods not asked
    if not is_valid_text(text):
        text = str.__repr__(text)
    shown = one_line(text[: 40 * _LABEL])
    return shown[:_LABEL]


@dataclass
class Tally:
    """Counts of valid and invalid notifications per event type, and of deliveries of a message id already seen.

    Delivery is at least once: a broker that loses a node, or a listener that dies before it acknowledges, delivers
    a message again. A message id seen before is counted under ``duplicates`` and nowhere else. Tallies of listeners
    that share a queue (``--pool``) add up with `add`, which knows each message by its id (``seen``), so a message
    that two listeners each received once counts once, and once as a duplicate.
    """

    valid: Counter[str] = field(default_factory=Counter)
    invalid: Counter[str] = field(default_factory=Counter)
    duplicates: int = 0
    seen: dict[str, tuple[bool, str]] = field(default_factory=dict)
    """Per message (its id, masked, and a digest of its content): whether it was valid, and its event type as
    counted."""

    @property
    def total(self) -> int:
        return sum(self.valid.values()) + sum(self.invalid.values())

    @property
    def message_ids(self) -> set[str]:
        """The message ids counted (a copy of the keys first: consumer threads may be adding to them)."""
        return {key.rpartition("#")[0] for key in list(self.seen)}

    def knows(self, message_id: Any, content: str = "") -> bool:
        """Whether the same message, its id and ``content`` (a digest), was counted before."""
        return isinstance(message_id, str) and _key(message_id, content) in self.seen

    def count(self, message_id: Any, valid: bool, label: str, content: str = "") -> bool:
        """Count one delivery; False when the same message, its id and ``content`` (a digest), was seen before: a
        duplicate, counted as such only. A message id reused for other content counts as a message of its own."""
        key = _key(message_id, content) if isinstance(message_id, str) else None
        if key is not None and key in self.seen:
            self.duplicates += 1
            return False
        if key is not None:
            self.seen[key] = (valid, label)
        (self.valid if valid else self.invalid)[label] += 1
        return True

    def line(self) -> str:
        """One line: total, valid, invalid, duplicates, and the event types seen."""
        events = sorted(set(self.valid) | set(self.invalid))
        per_event = ", ".join(f"{_label(e)} {self.valid[e]}/{self.invalid[e]}" for e in events)
        again = f", {self.duplicates:,} delivered again" if self.duplicates else ""
        return (
            f"{self.total:,} received: {sum(self.valid.values()):,} valid, {sum(self.invalid.values()):,} "
            f"invalid{again}{' (' + per_event + ' valid/invalid)' if events else ''}"
        )

    def as_json(self) -> dict[str, Any]:
        """The tally as ``listen --summary FILE`` writes it."""
        return {"received": self.total, "valid": dict(self.valid), "invalid": dict(self.invalid),
                "duplicates": self.duplicates, "seen": {k: list(v) for k, v in self.seen.items()}}  # fmt: skip

    @classmethod
    def from_json(cls, data: Any) -> Tally:
        """A tally as ``as_json`` writes it; ValueError naming the JSON pointer of the first value that cannot be one
        (a count that is not an integer of 0 or more, a label that is not text, a message counted nowhere, ...)."""
        if not isinstance(data, dict) or not {"valid", "invalid", "duplicates", "seen"} <= data.keys():
            raise ValueError("not a listen summary: an object with valid, invalid, duplicates and seen")
        valid, invalid = _counts(data["valid"], "/valid"), _counts(data["invalid"], "/invalid")
        duplicates = _count(data["duplicates"], "/duplicates")
        if not isinstance(data["seen"], dict):
            raise ValueError(f"/seen: {_shown(data['seen'])} is not an object of message ids")
        seen: dict[str, tuple[bool, str]] = {}
        for key, value in data["seen"].items():
            if not (isinstance(value, list) and len(value) == 2 and type(value[0]) is bool
                    and isinstance(value[1], str)):  # fmt: skip
                raise ValueError(f"/seen/{_token(key)}: {_shown(value, key)} is not [valid, event type]")
            message_id, digest, content = key.rpartition("#")
            seen[_key(message_id, content) if digest else mask_text(key)] = (value[0], _label(value[1]))
        for (is_valid, label), n in Counter(seen.values()).items():
            counted = (valid if is_valid else invalid)[label]
            if n > counted:  # each message listed under seen is counted
                where = f"/{'valid' if is_valid else 'invalid'}/{_token(label)}"
                raise ValueError(f"{where}: {counted:,} counted, fewer than the {n:,} listed under /seen")
        if "received" in data and _count(data["received"], "/received") != sum(valid.values()) + sum(invalid.values()):
            raise ValueError(f"/received: {data['received']:,} is not the sum of the valid and invalid counts")
        return cls(valid, invalid, duplicates, seen)

    def add(self, other: Tally) -> Tally:
        """The sum of two listeners' tallies: a message both received counts once, the other time as a duplicate."""
        total = Tally(self.valid.copy(), self.invalid.copy(), self.duplicates, dict(self.seen))
        total.take(other)
        return total

    def take(self, other: Tally) -> None:
        """Add ``other`` to this tally, as `add` does, in the time of ``other`` alone: `tally` adds thousands of
        summaries one by one, and copying the sum so far for each made that time grow with the square of their
        number."""
        self.valid.update(other.valid)
        self.invalid.update(other.invalid)
        self.duplicates += other.duplicates
        for key, (valid, label) in other.seen.items():
            if key in self.seen:  # a message both received: counted once, the other time as a duplicate
                (self.valid if valid else self.invalid)[label] -= 1
                self.duplicates += 1
            else:
                self.seen[key] = (valid, label)
        for mine, theirs in ((self.valid, other.valid), (self.invalid, other.invalid)):
            for label in theirs:  # no event type shown with nothing counted under it (the others were dropped before)
                if mine[label] <= 0:
                    del mine[label]


def _key(message_id: str, content: str) -> str:
    """How a tally knows a message, and ``--summary`` writes it: its id masked (a producer's id may be a URL with its
    password, or ``password=...``), then the digest of its content, which tells apart two messages whose ids mask
    alike (the content holds the id)."""
    return f"{mask_text(str.__str__(message_id))}#{content}"


def _shown(value: Any, key: Any = None) -> str:
    """A value a summary holds, as its error shows it: masked whole, then cut. Shown by its pointer, without its key
    around it, a value under a key that names a secret (``"password": "..."``) or that must never be written is
    shown as `redact` shows it there (``***``, the mark, a mapping masked key by key), as a message's would be."""
    if isinstance(key, str):
        value = next(iter(redact({key: value}).values()))
    return _label(json.dumps(value, ensure_ascii=False))


def _token(key: str) -> str:
    """A key as a JSON pointer token, shown as a label is: masked before it is escaped, since ``swift:~1~1u:p@h``
    no longer reads as a URL."""
    return _label(key).replace("~", "~0").replace("/", "~1")


_MOST = 2**63 - 1
"""The largest count a summary holds: more than any listener counts, and small enough that the sum of the counts of
any number of summaries can be written (Python writes no integer of more than 4,300 digits)."""


def _count(value: Any, pointer: str, key: Any = None) -> int:
    """A count of a summary; ``key``, when given, is its own key, which ``pointer`` shows masked."""
    if type(value) is not int or not 0 <= value <= _MOST:
        raise ValueError(f"{pointer}: {_shown(value, key)} is not a count (an integer from 0 to 2**63 - 1)")
    return value


def _counts(value: Any, pointer: str) -> Counter[str]:
    """An object of event type to count, as a tally counts it; labels are shown as a listener's own are."""
    if not isinstance(value, dict):
        raise ValueError(f"{pointer}: {_shown(value)} is not an object of event type to count")
    counts: Counter[str] = Counter()
    for label, n in value.items():
        counts[_label(label)] += _count(n, f"{pointer}/{_token(label)}", label)
    return counts


def _type_of(value: Any) -> str:
    """What is shown of a label that is not text: JSON's name for its type, or "other" (a producer's object, which
    the embedded broker passes as it is, may fail when asked to show itself)."""
    names = {type(None): "null", bool: "boolean", int: "number", float: "number", list: "array", dict: "object"}
    return f"<{names.get(type(value), 'other')}>"


def _too_large(size: int, limit: int) -> Violation:
    """The violation of a message whose body is over the listener's limit: said at the whole message, not judged."""
    why = f"the message's body is {size:,} bytes, over the limit of {limit:,}; not validated"
    return Violation("", "", "too-large", why, None)


def _envelope(fields: dict[Any, Any]) -> dict[str, str]:
    """What the record of a message too large to judge shows of it: the envelope fields it has, each as a tally's
    label shows a value (masked, escaped, cut to 100 characters; a value that is not text by its type's name), so
    that the record identifies the message in a few hundred bytes, whatever the message holds."""
    return {key: _label(fields[key]) for key in _ENVELOPE if key in fields}


class LineSink(Protocol):
    def write(self, text: str, /) -> Any: ...
    def flush(self) -> Any: ...


class AppendedLines:
    """A file that several processes append whole lines to: each line is one write(2) to a file opened O_APPEND, so
    lines of the listeners of a pool never interleave (on a local file system).

    A FIFO (or ``/dev/stdout`` on a pipe) is written without blocking: a line starts only once the pipe has room for
    all of it, so that a listener whose reader stops reading can give the line up (`give_up`, which `Listener.stop`
    calls) without leaving part of it in the pipe, where it would be glued to whatever the next writer sends."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._fd = open_output(path, append=True, mode=0o644)  # a FIFO no process reads: an error, not a wait
        self._pipe = stat.S_ISFIFO(os.fstat(self._fd).st_mode)
        self._given_up_at: float | None = None  # when a line still waiting for the pipe's reader is given up
        if self._pipe:
            os.set_blocking(self._fd, False)

    def give_up(self, at: float) -> None:
        """From ``at`` (``time.monotonic()``) on, a line that waits for a pipe's reader to make room for it is given
        up (OSError, nothing of it written); a file's writes never wait."""
        self._given_up_at = at

    def write(self, text: str) -> int:
        """Write one line; OSError naming the file if it is not written whole (a full disk, a reader gone away, a
        pipe whose reader took nothing until the line was given up).

        A line written in part (the disk filled, or the file reached its size limit, in the middle of it) is taken
        back: left there, it would be a record no reader can parse, and the next line appended to the file, by the
        listener run again, would be glued to it and lost with it."""
        data = text.encode("utf-8")
        try:
            written = into_pipe(self._fd, data, self._past) if self._pipe else os.write(self._fd, data)
        except OSError as error:
            raise named_error(error, self.path) from None
        if written < len(data):
            kept = "taken back" if self._take_back(written) else "the file ends with that part"
            raise OSError(errno.EIO, f"a record was written in part ({written:,} of {len(data):,} bytes), {kept}",
                          self.path)  # fmt: skip
        return written

    def _past(self) -> bool:
        return self._given_up_at is not None and time.monotonic() >= self._given_up_at

    def _take_back(self, written: int) -> bool:
        """Cut the last ``written`` bytes off the file, if they are still its end: not where another listener of the
        pool has appended since, nor on a pipe, which cannot be cut."""
        try:
            end = os.lseek(self._fd, 0, os.SEEK_CUR)  # where this write ended, the file being opened for appending
            if end < written or os.fstat(self._fd).st_size != end:
                return False
            os.ftruncate(self._fd, end - written)
        except OSError:
            return False
        return True

    def flush(self) -> None:
        return None

    def close(self) -> None:
        os.close(self._fd)


def into_pipe(fd: int, data: bytes, given_up: Callable[[], bool]) -> int:
    """Write ``data`` to a pipe opened without blocking, once the pipe has room for all of it, and say how many bytes
    were written: all of them, unless ``given_up()`` turned true after the write began, which only data longer than
    the pipe can hold (or a second writer taking the room first) allows; OSError, none of it written, if it turned
    true before.

    At most PIPE_BUF bytes go in whole or not at all. More wait for the pipe to be empty, whose capacity is first
    grown to hold them where the system allows (``/proc/sys/fs/pipe-max-size``, 1 MiB, for a process without
    CAP_SYS_RESOURCE): how much room a pipe that holds anything has left is not known."""
    if len(data) > select.PIPE_BUF:
        _grow_pipe(fd, len(data))
        while _pipe_held(fd):
            _wait_for_reader(fd, given_up)
    done = 0
    while done < len(data):
        try:
            done += os.write(fd, data[done:])
        except BlockingIOError:
            if done and given_up():  # a part is in: the rest is given up only then
                return done
            _wait_for_reader(fd, given_up)
    return done


def _wait_for_reader(fd: int, given_up: Callable[[], bool]) -> None:
    """Wait a moment for a pipe's reader; OSError once the data is given up, or when no process reads the pipe any
    more (a write would say so, but a long line waits for the pipe to be empty without writing)."""
    if given_up():
        raise TimeoutError(errno.ETIMEDOUT, "its reader stopped reading: given up, none of it written")
    watching = select.poll()
    watching.register(fd, select.POLLOUT)
    if any(happened & select.POLLERR for _, happened in watching.poll(0)):
        raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))
    time.sleep(_PIPE_LOOK)


def _grow_pipe(fd: int, size: int) -> None:
    """Grow a pipe's capacity to hold ``size`` bytes, if the system allows it; nothing otherwise."""
    setting = getattr(fcntl, "F_SETPIPE_SZ", None)
    try:
        if setting is not None and fcntl.fcntl(fd, fcntl.F_GETPIPE_SZ) < size:
            fcntl.fcntl(fd, setting, size)
    except OSError:  # over the limit, or a pipe holding more than the new size: written as it takes it
        pass


def _pipe_held(fd: int) -> bool:
    """Whether a pipe holds bytes its reader has not read; False where the system does not say."""
    held = array.array("i", [0])
    try:
        fcntl.ioctl(fd, termios.FIONREAD, held)
    except OSError:
        return False
    return held[0] > 0


class _Priorities:
    """An endpoint of every priority: oslo.messaging's server then listens on each ``<topic>.<priority>`` queue."""

    def __getattr__(self, name: str) -> Callable[..., None]:
        if name not in _PRIORITIES:
            raise AttributeError(name)
        return lambda *_: None


class _DeliveriesWhileClosing(logging.Filter):
    """py-amqp logs a warning for each delivery that arrives on a channel it has begun to close ("Received method
    (60, 60) during closing channel 1. This method will be ignored"): one line for each message the broker had sent
    ahead, thousands when a busy listener stops or its connection drops. Each such delivery is neither counted nor
    acknowledged, and the broker puts it back on the queue when the channel closes: nothing is lost, and the lines
    buried the listener's own."""

    def filter(self, record: logging.LogRecord) -> bool:
        from amqp.abstract_channel import IGNORED_METHOD_DURING_CHANNEL_CLOSE

        args = record.args
        method = args[0] if isinstance(args, tuple) and args else None
        return not (record.msg == IGNORED_METHOD_DURING_CHANNEL_CLOSE and method == (60, 60))  # basic.deliver


@functools.cache
def _quiet_deliveries_while_closing() -> None:
    """Have py-amqp's logger, in this process, leave out the deliveries that come as a channel closes."""
    logging.getLogger("amqp").addFilter(_DeliveriesWhileClosing())


_UNREAD = "notify_schemas.unread"
"""Where a delivery's properties say why they could not be read (`_properties_read_whatever_they_hold`)."""


@functools.cache
def _properties_read_whatever_they_hold() -> None:
    """Have py-amqp, in this process, hand over a delivery whose properties it cannot read, with the reason under
    `_UNREAD`, where it raised: text that is not UTF-8 read with each such byte kept as Python's surrogateescape keeps
    it, and the properties that hold one named; for any other failure (a timestamp in a header past the years Python
    counts), the reason alone.

    py-amqp reads the properties (content type and encoding, message id, type, app id, headers, ...) as soon as a
    delivery's header arrives, before any consumer sees it, and a publisher may write any bytes there. Its error
    dropped the connection, oslo.messaging connected again, and the broker handed the same delivery over again, without
    end: the listener counted nothing more, that message nor any queued after it. A delivery handed over so is counted
    as unreadable (`_decoded`) and acknowledged (D99). The properties of every other delivery are read as before."""
    try:
        from amqp import serialization
        from amqp.spec import Basic
    except ImportError:  # no py-amqp: no RabbitMQ delivery either
        return
    strict = getattr(serialization, "PROPERTY_CLASSES", {}).get(Basic.CLASS_ID)
    # Only py-amqp's own function, in its own module, is rebuilt: another's (a tracer's wrapper, this one, a compiled
    # py-amqp's) would run with globals not its own, and is left as it is.
    own = getattr(serialization, "decode_properties_basic", None)
    if strict is not own or not isinstance(strict, types.FunctionType) or strict.__globals__ is not vars(serialization):
        return
    # The same function, with its one way of reading text as UTF-8 made one that cannot fail.
    escaped = {**vars(serialization), "pstr_t": lambda s: bytes(s).decode("utf-8", "surrogateescape")}
    tolerant = types.FunctionType(strict.__code__, escaped, strict.__name__, strict.__defaults__, strict.__closure__)

    def decode_properties_basic(buf: Any, offset: int) -> tuple[dict[str, Any], int]:
        try:
            return strict(buf, offset)  # type: ignore[no-any-return]
        except UnicodeDecodeError:
            pass
        except Exception as error:  # the reader of the delivery's header, whatever it holds, must not raise
            return {_UNREAD: ("json", f"whose AMQP properties cannot be read ({error_text(error)})")}, offset
        try:
            properties, end = tolerant(buf, offset)
        except Exception as error:  # text that is not UTF-8, and something else besides
            return {_UNREAD: ("json", f"whose AMQP properties cannot be read ({error_text(error)})")}, offset
        named = ", ".join(k for k, v in properties.items() if isinstance(v, str) and _escaped(v))
        properties[_UNREAD] = ("unicode", f"whose AMQP properties ({named}) are not UTF-8 text")
        return properties, end

    serialization.PROPERTY_CLASSES[Basic.CLASS_ID] = decode_properties_basic


def _escaped(text: str) -> bool:
    """Whether a text holds a byte that was not UTF-8, as surrogateescape keeps one."""
    return any("\udc80" <= c <= "\udcff" for c in text)


def _server(
    transport: Any,
    targets: list[Any],
    handle: Callable[[Any, bytes | str | None], bool],
    unreadable: Callable[[Any, BaseException], bool],
    pool: str | None,
    limit: int,
) -> Any:
    """oslo.messaging's notification server (what ``get_notification_listener`` makes), whose dispatcher hands
    ``handle`` each message as it was sent, with the body the broker delivered it in (`_body`), and acknowledges it
    once handled, or hands it back to the queue when ``handle`` returns False (it could not be counted and written).
    A RabbitMQ delivery whose body oslo cannot decode, or that inflates past ``limit``, goes to ``unreadable``
    instead (`_every_body`).

    oslo's own dispatcher gives its endpoints the message taken apart: the priority in lower case, the keys other
    than the six dropped, a message whose priority is missing or unknown dropped with a warning. A notification
    with ``"priority": "info"`` or a seventh key, both invalid, would be put together again as a valid one; one
    without a priority would not be seen at all."""
    from oslo_messaging.notify import dispatcher, listener

    class Counting(listener.NotificationServer):  # type: ignore[misc]
        def _create_listener(self) -> Any:
            made = super()._create_listener()
            _every_delivery(getattr(made, "_poll_style_listener", None))
            _every_body(getattr(made, "_poll_style_listener", None), unreadable, limit)
            return made

    class Judging(dispatcher.NotificationDispatcher):  # type: ignore[misc]
        def dispatch(self, incoming: Any) -> str:
            try:
                kept = handle(incoming.message, _body(incoming.message))
            except Exception:  # a callback's own failure, the message counted: acknowledged, logged as oslo logs it
                logging.getLogger(__name__).exception("Exception during message handling.")
                kept = True
            result = dispatcher.NotificationResult
            return result.HANDLED if kept else result.REQUEUE  # type: ignore[no-any-return]

    return Counting(transport, targets, Judging([_Priorities()], None), "threading", True, pool)


def _every_body(driver_listener: Any, unreadable: Callable[[Any, BaseException], bool], limit: int) -> None:
    """Have each RabbitMQ consumer of a driver's listener hand ``unreadable`` every delivery whose body oslo cannot
    decode, with the reason, and acknowledge it once ``unreadable`` has counted it (True) or requeue it (False).

    oslo.messaging's consumer decodes a body (kombu by its content type, then oslo's ``deserialize_msg``) before any
    listener or dispatcher sees it, and one it cannot decode (not JSON, JSON that is no object, a ``messagingv2``
    text that is not JSON, an envelope version it does not know, a content type kombu refuses) it logs ("Failed to
    process message ... skipping it") and rejects: a listener would have ended with every message valid while such
    bodies went by uncounted. Set before the consumers start (a consumer registers its callback with kombu when it
    starts consuming, and again on each reconnection), on this listener's consumers only. A compressed body is
    inflated no further than ``limit`` bytes (`_inflated`)."""
    connection = getattr(getattr(driver_listener, "conn", None), "connection", None)
    consumers = getattr(connection, "_consumers", None)
    if not isinstance(consumers, dict):
        return  # a driver without oslo's RabbitMQ consumers (kafka, fake://)
    from oslo_messaging._drivers import impl_rabbit

    for consumer in consumers:
        if consumer.callback is driver_listener and not getattr(consumer, "rabbit_stream_fanout", False):
            consumer._callback = functools.partial(_decoded, consumer, impl_rabbit, unreadable, limit)


def _decoded(
    consumer: Any, impl_rabbit: Any, unreadable: Callable[[Any, BaseException], bool], limit: int, raw: Any
) -> None:
    """oslo's ``Consumer._callback`` for a notification queue, with a body it cannot decode handed to
    ``unreadable`` rather than rejected unsaid, and a compressed body inflated here, within ``limit``, before kombu
    sees it."""
    failure: BaseException | None = None
    properties = getattr(raw, "properties", None)
    properties = properties if isinstance(properties, dict) else {}
    unread = properties.pop(_UNREAD, None)
    headers = properties.get("application_headers")
    compression = headers.get("compression") if isinstance(headers, dict) else None
    if unread is not None:  # what oslo's consumer would never have got past
        rule, why = unread
        failure = _PropertiesUnread(f"in a delivery {why}, which oslo.messaging's consumer cannot read (it drops "
                                    "its connection and is handed the delivery again, without end)", rule)  # fmt: skip
    elif isinstance(headers, dict) and compression:  # kombu would inflate it whole; a header unset (empty, 0) it skips
        del headers["compression"]
        try:
            raw.body = _inflated(raw.body, compression, limit)
        except Exception as error:  # over the limit, cut short, or compressed in a way not read: unreadable
            failure = error
    to_python = getattr(consumer.queue.channel, "message_to_python", None)
    delivered = to_python(raw) if to_python else raw
    try:
        if failure is not None:
            raise failure
        message = _rabbit_message(impl_rabbit, delivered)
    except Exception as error:  # whatever kombu or oslo raise decoding a body is the reason it is unreadable
        if unreadable(delivered, error):
            delivered.ack()
        else:
            delivered.requeue()
        return
    try:
        consumer.callback(message)
    except Exception:  # as oslo's own callback: logged, and the delivery rejected
        impl_rabbit.LOG.exception("Failed to process message ... skipping it.")
        delivered.reject()


def _rabbit_message(impl_rabbit: Any, delivered: Any) -> Any:
    """oslo's message of a delivery, made as oslo makes it; `_NoObject` for a body that holds no JSON object
    (`_not_an_object`), which oslo would have made one of. oslo's own reason stands where it has one (a version it
    does not know, an inner text that is not JSON); the muddle of ``dict()`` over what is no object does not."""
    payload = delivered.payload  # kombu's decoding, kept: oslo reads the same
    body = getattr(delivered, "body", None)
    reason = _not_an_object(payload, len(body) if isinstance(body, bytes | str) else 1,
                            getattr(delivered, "content_type", None))  # fmt: skip
    if reason is not None and not isinstance(payload, dict):
        raise _NoObject(reason)
    try:
        message = impl_rabbit.RabbitMessage(delivered)
    except (TypeError, ValueError) as error:
        if reason is None or isinstance(error, json.JSONDecodeError):
            raise
        raise _NoObject(reason) from None
    if reason is not None:
        raise _NoObject(reason)
    message._notify_schemas_decoded = dict.copy(message)  # the keys only: oslo's listener takes some out (D79)
    return message


def _delivery(message: Any) -> Any:
    """oslo's RabbitMQ message, or None for a message of a transport that keeps no delivery (``fake://`` hands over
    the producer's values, kafka its own records). Only oslo's own message class is asked: a producer's object over
    ``fake://`` may answer any attribute."""
    try:
        from oslo_messaging._drivers.impl_rabbit import RabbitMessage
    except ImportError:  # no kombu: no RabbitMQ delivery either
        return None
    return message if type(message) is RabbitMessage else None


def _body(message: Any) -> bytes | str | None:
    """The body a RabbitMQ delivery came in, as kombu received it (the size limit is checked on it, D51): bytes, or
    text when the message names its encoding (py-amqp then decodes it, as it does oslo's own); None for a message of
    a transport that keeps none."""
    body = getattr(getattr(_delivery(message), "_raw_message", None), "body", None)
    return body if isinstance(body, bytes | str) else None


def _payload(message: Any) -> Any:
    """The body of a RabbitMQ delivery as kombu decoded it: a ``messagingv2`` envelope, or the 1.0 body itself."""
    return getattr(getattr(_delivery(message), "_raw_message", None), "payload", None)


def _enveloped(payload: Any) -> bool:
    """Whether a body kombu decoded to ``payload`` is a ``messagingv2`` envelope, as oslo tells one."""
    return isinstance(payload, dict) and "oslo.version" in payload and "oslo.message" in payload


def _decoded_whole(message: Any) -> dict[str, Any] | None:
    """The 1.0 body of a RabbitMQ delivery as oslo decoded it, before its listener took ``_unique_id``, the
    ``_context_`` keys, ``_msg_id``, ``_reply_q`` and ``_timeout`` out (`_rabbit_message` keeps it); None for a
    message of a transport that keeps no delivery, or one this listener's consumers did not decode."""
    decoded = getattr(_delivery(message), "_notify_schemas_decoded", None)
    return decoded if isinstance(decoded, dict) else None


def _showing(content: str, repeated: tuple[str, ...], wire: list[Violation]) -> str:
    """The digest a tally knows a delivery by when its body showed more than the notification it decodes to (keys
    written twice, an envelope broken, D35, D79): ``content``, the decoded notification's, with what was found. The
    same body delivered again shows the same; the same notification in another body is another message: by the
    notification's digest alone, a body that wrote a key twice, after the same message sent well (or before it),
    was counted as that message delivered again, and hidden."""
    found = json.dumps([content, list(repeated), [[v.pointer, v.rule, v.message] for v in wire]], ensure_ascii=False)
    return hashlib.blake2b(found.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def _pieces(body: bytes | str) -> Iterator[bytes]:
    """A body as bytes, a megabyte of it at a time: a text as UTF-8, never encoded whole."""
    if isinstance(body, bytes):
        yield body
        return
    for start in range(0, len(body), _PIECE):  # code points: a slice never splits a character's bytes
        yield body[start : start + _PIECE].encode("utf-8", "surrogatepass")


def _size(body: bytes | str) -> int:
    """Bytes of a body: a text's counted as UTF-8."""
    return len(body) if isinstance(body, bytes) or body.isascii() else sum(map(len, _pieces(body)))


def _body_digest(body: bytes | str) -> str:
    """A short digest of a body, for a message too large to digest decoded (`_digest`): the same for a delivery
    again."""
    digest = hashlib.blake2b(digest_size=8)
    for piece in _pieces(body):
        digest.update(piece)
    return digest.hexdigest()


def _every_delivery(driver_listener: Any) -> None:
    """Have an AMQP driver's listener hand over every delivery, its ``_unique_id`` taken out as before.

    oslo.messaging drops a delivery whose ``_unique_id`` is among the last 16 it acknowledged, with an error logged
    and unacknowledged, before any dispatcher sees it: a producer that reuses one (another language's, writing the
    1.0 format by hand) would hide an invalid message behind a valid one for as long as the listener runs. The
    listener knows a delivery again by its message id and content itself (`Tally`), as D40 says."""
    if driver_listener is None or not hasattr(driver_listener, "msg_id_cache"):
        return  # a driver without the cache (kafka, fake://)
    from oslo_messaging._drivers import amqp

    class Unremembered(amqp._MsgIdCache):  # type: ignore[misc]
        def add(self, msg_id: Any) -> None:
            """Nothing is remembered, so no delivery is a duplicate to oslo."""

    driver_listener.msg_id_cache = Unremembered()


class _OverLimit(ValueError):
    """A compressed body that inflates past the listener's limit."""


class _PropertiesUnread(ValueError):
    """A delivery whose AMQP properties could not be read (`_properties_read_whatever_they_hold`): ``rule`` is
    ``unicode`` for text that is not UTF-8, ``json`` otherwise."""

    def __init__(self, why: str, rule: str) -> None:
        super().__init__(why)
        self.rule = rule


class _NoObject(ValueError):
    """A body, or the text inside a ``messagingv2`` envelope, that is no JSON object: oslo would make one of it."""


_JSON_KINDS = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", int: "a number",
               float: "a number", type(None): "null", bytes: "bytes kombu did not decode"}  # fmt: skip
_JSON_SPACE = " \t\n\r"  # what JSON allows before a value


def _what(value: Any) -> str:
    """What a decoded value is, in JSON's words."""
    return _JSON_KINDS.get(type(value), type_name(value))


def _not_an_object(payload: Any, size: int, content_type: Any = "application/json") -> str | None:
    """Why a body kombu decoded to ``payload`` holds no JSON object, or None when it may.

    oslo.messaging makes a dict of whatever it decoded (``dict(...)``): an empty body is ``{}``, a JSON array of
    pairs (``[["message_id", "..."], ...]``), as a body or as a ``messagingv2`` body's inner text, a whole
    notification, which the listener judged as if sent as an object: valid. The inner text is known to hold an
    object by its first character, ``{``, once oslo has read it as JSON."""
    if size == 0:
        return "empty, not a JSON object"
    if isinstance(payload, str | bytes) and content_type != "application/json":
        # kombu hands over the body as it came: what it holds was never read as JSON, an object's text included.
        return ("not read as JSON, whatever it holds: kombu reads a body as JSON only when its content type is "
                "'application/json'")  # fmt: skip
    if not isinstance(payload, dict):
        return f"{_what(payload)}, not a JSON object"
    if "oslo.version" not in payload or "oslo.message" not in payload:  # no envelope: the notification itself
        return None
    inner = payload["oslo.message"]
    if not isinstance(inner, str):
        return f"a messagingv2 envelope whose oslo.message is {_what(inner)}, not the JSON text of an object"
    if not inner.lstrip(_JSON_SPACE).startswith("{"):
        return "a messagingv2 envelope whose oslo.message is not the JSON text of an object"
    return None


_INFLATERS: dict[str, Callable[[], Any]] = {
    "application/x-gzip": zlib.decompressobj,
    "application/x-bz2": bz2.BZ2Decompressor,
    "application/x-lzma": lzma.LZMADecompressor,
}
_INFLATER_NAMES = {"gzip": "application/x-gzip", "zlib": "application/x-gzip", "bzip2": "application/x-bz2",
                   "bzip": "application/x-bz2", "lzma": "application/x-lzma", "xz": "application/x-lzma"}  # fmt: skip


def _inflated(body: Any, compression: Any, limit: int) -> bytes:
    """A body compressed as kombu compresses it (its ``compression`` header: the content types and names kombu
    knows without an extra library), inflated to at most ``limit`` bytes: `_OverLimit` past them, ValueError for data
    cut short or a compression not read here. kombu inflates a body whole before any dispatcher could measure it,
    and 200 KB of zlib inflates to 200 MB. Streams written one after another are inflated as kombu inflates them:
    zlib's first alone, every one of bz2's and lzma's, up to data that starts none."""
    kind = _INFLATER_NAMES.get(compression, compression) if isinstance(compression, str) else None
    make = _INFLATERS.get(kind) if kind is not None else None
    if make is None or not isinstance(body, bytes):
        raise ValueError(f"a body compressed as {quoted(compression)} is not read (gzip, bzip2 and lzma are)")
    parts: list[bytes] = []
    size = 0
    data = body
    while data or (not parts and kind != "application/x-bz2"):  # bz2.decompress gives b"" for b"", the others fail
        inflater = make()
        try:
            inflated = inflater.decompress(data, limit + 1 - size)
        except (OSError, lzma.LZMAError):
            if parts:
                break  # what follows the last stream starts none: let be, as bz2's and lzma's decompress let it be
            raise
        size += len(inflated)
        if size > limit and parts and _breaks(inflater):
            break  # a stream after the first that breaks further on: let be, with what it inflated to
        if size > limit:
            raise _OverLimit(f"over the limit of {limit:,} bytes once inflated ({kind}); not validated")
        if not inflater.eof:
            raise ValueError(f"the {kind} data is cut short")
        parts.append(inflated)
        if kind == "application/x-gzip":  # zlib.decompress inflates one stream, and lets what follows it be
            break
        data = inflater.unused_data
    return b"".join(parts)


def _breaks(inflater: Any) -> bool:
    """Whether a bz2 or lzma stream, inflated up to a limit, breaks further on (data that is no stream of its kind):
    bz2's and lzma's decompress then let the whole stream be. Inflated on a megabyte at a time, what it makes let
    go, as a stream kombu would hold whole."""
    try:
        while not inflater.eof and not inflater.needs_input:
            inflater.decompress(b"", 1 << 20)
    except (OSError, lzma.LZMAError):
        return True
    return False


class Listener:
    """Listens on ``<topic>.<priority>`` queues of the control exchange until stopped, a count, or a timeout.

    With ``pool``, it shares those queues with every listener of the same pool name (oslo.messaging's listener pool):
    each notification is validated by one of them, and their tallies add up (`Tally.add`).
    """

    def __init__(
        self,
        config: NotifierConfig,
        *,
        profile: str = "seed",
        invalid_out: LineSink | None = None,
        on_message: Callable[[Notification, bool], None] | None = None,
        keep_received: bool = True,
        pool: str | None = None,
        validate: bool = True,
        max_record_bytes: int = DEFAULT_MAX_RECORD,
        limit: int | None = None,
    ) -> None:
        self.config = config
        self.profile = profile
        self.invalid_out = invalid_out
        self.on_message = on_message
        self.tally = Tally()
        self.keep_received = keep_received
        self.validate = validate
        """False: count without validating (what a tap costs without its checks, for measuring)."""
        self.max_record_bytes = max_record_bytes
        """The longest body judged: a longer one is invalid, its content neither judged nor copied (D51)."""
        self.received: list[Notification] = []  # every message, unless keep_received is False (a long listen)
        self.limit = limit
        """The most notifications counted (``listen --count``): every delivery after them goes back to the queue, for
        the next listener, uncounted, however long stopping takes."""
        self._started = False  # start() reached the broker: stop() stops oslo's server too
        # Which of stop() and a start() still connecting stops oslo's server: the one that comes second, decided under
        # _start_lock; a start that ends after stop() has returned (the broker came late) finds it _abandoned.
        self._start_lock = threading.Lock()
        self._abandoned = False
        self._stopped = False  # nothing is counted after stop() began: the tally is final, whatever stops the stop
        self.failure: OSError | None = None
        """Why ``invalid_out`` could not take a record: from then on nothing is counted, and every message goes back
        to the queue."""
        self._lock = threading.Lock()  # what the consumer threads count under; stop() waits on it, for GRACE at most
        self._counted = 0  # tally.total, as the waiting main thread reads it without the lock
        oslo_messaging, _ = _oslo()
        _quiet_deliveries_while_closing()  # they go back to the queue; said once each, they buried every other line
        _properties_read_whatever_they_hold()  # one that is not UTF-8 stopped the listener, handed over without end
        watch(max_record_bytes)  # the keys written twice in a messagingv2 body's text, which oslo decodes first
        try:
            self.conf, self.transport = transport(config)
            targets = [oslo_messaging.Target(topic=t, exchange=config.control_exchange) for t in config.topics]
            # Listeners with the same pool share one queue per topic and priority: each message goes to one of them.
            self._listener = _server(self.transport, targets, self._handle, self._unreadable, pool, max_record_bytes)
        except oslo_messaging.MessagingException as error:
            raise NotifySchemasError(
                mask_transport_text(f"cannot listen on {closed(mask_url(config.transport_url or ''))}: {error}")
            ) from None

    def _handle(self, received: Any, body: bytes | str | None = None) -> bool:
        # Each message is counted, and an invalid one written, redacted, to --invalid-out; False when it cannot be
        # (the file failed), and it goes back to the queue, uncounted. Raises only where on_message raises.
        # The embedded broker (fake://) hands over a producer's objects as they are: a str subclass's own methods
        # are not asked (its __format__, __hash__ or __str__ may raise). A broker's message is oslo's dict subclass,
        # judged as the plain object it was sent as; one that is no object at all is judged too (it is invalid).
        if self._full():  # not judged in vain: it goes back to the queue (`_count` asks again, under the lock)
            return False
        message: Any = dict.copy(received) if isinstance(received, dict) else received
        fields = message if isinstance(message, dict) else {}
        message_id = fields.get("message_id")
        message_id = str.__str__(message_id) if isinstance(message_id, str) else None
        size = 0 if body is None else _size(body)
        if body is not None and size > self.max_record_bytes:  # neither judged nor copied: its envelope shown
            forget(message_id)  # what a listener of a larger limit in this process read of it, if any
            violations = [_too_large(size, self.max_record_bytes)]
            content = _body_digest(body)
            return self._count(message, _label(fields.get("event_type")), message_id, violations, content,
                               lambda: _envelope(fields))  # fmt: skip
        content = digest(message)
        try:
            repeated: tuple[str, ...] = ()
            wire: list[Violation] = []
            if self.validate:
                decoded = _decoded_whole(received)  # before oslo's listener took _unique_id and _context_* out
                # keys its text wrote twice, kept under a digest of what oslo decoded
                repeated = taken(message_id, lambda: content if decoded is None else digest(decoded))
                wire = [] if decoded is None else envelope_faults(_payload(received), decoded, fields)
                if body is not None:  # the body's own text: a 1.0 body's keys, or the messagingv2 envelope's
                    outer, envelope = written_twice(body, _enveloped(_payload(received)))
                    repeated, wire = repeated + outer, wire + envelope
            valid = not self.validate or (not repeated and not wire and is_valid_plain(message, profile=self.profile))
            violations = []
            if not valid:  # at most a thousand, whatever a body of 16 MiB holds (`capped`)
                repeats = (repeated_key(p) for p in repeated)
                violations = list(capped(itertools.chain(wire, repeats, iter_errors(message, profile=self.profile))))
            if repeated or wire:  # what the body showed, kept with the notification (the conformance checks read it)
                message = Delivered(message, repeated, tuple(wire))
                content = _showing(content, repeated, wire)
        except Exception as error:  # a failure of the package's own: counted as invalid, with the reason
            violations = [Violation("", "", "internal", f"not validated: {type_name(error)}", None)]
        return self._count(message, _label(fields.get("event_type")), message_id, violations, content,
                           lambda: redact(wire_view(message).value))  # fmt: skip

    def _unreadable(self, delivered: Any, error: BaseException) -> bool:
        """Count a delivery whose body oslo could not decode (`_every_body`) as invalid, under ``<unreadable>``, rule
        ``json``, with the reason (rule ``too-large`` for a compressed body that inflates past the limit, D51;
        a delivery whose properties cannot be read, ``unicode`` where they are not UTF-8 text, D99): False
        when it cannot be written, and it goes back to the queue. Its record shows no notification (the body's text,
        which no parser could read, is not masked as a message is: a location in it would be written in clear), and
        ``received`` gets the text that says why, an `Unreadable`, as a recorded stream's unreadable line is handed to
        the conformance checks."""
        if self._full():
            return False
        body = getattr(delivered, "body", None)
        body = body if isinstance(body, bytes | str) else b""
        kind = getattr(delivered, "content_type", None)
        kind = f", content type {quoted(kind)}" if isinstance(kind, str) and kind else ""
        if isinstance(error, _OverLimit):  # its own words, no type: it is the package's
            rule, said = "too-large", f"is {error}"
        elif isinstance(error, _NoObject):
            rule, said = "json", f"is {error}"
        elif isinstance(error, _PropertiesUnread):
            rule, said = error.rule, f"came {error}"
        else:
            rule, said = "json", f"is not a notification oslo can decode: {error_text(error)}"
        why = shown(f"the body ({_size(body):,} bytes{kind}) {said}", 500)
        violations = [Violation("", "", rule, why, None)]
        unreadable = Unreadable(f"unreadable body: {why}", why)  # which the conformance checks judge as such
        return self._count(unreadable, _UNREADABLE, None, violations, _body_digest(body), lambda: None)

    def _count(
        self,
        message: Any,
        label: str,
        message_id: str | None,
        violations: list[Violation],
        content: str,
        shown: Callable[[], Any],
    ) -> bool:
        """Count a judged message and write it, as ``shown()`` shows it, with its violations if it has any; False
        when it cannot be written (the file failed) or the listener is stopping: it goes back to the queue."""
        with self._lock:
            if self._full():
                return False
            if violations and self.invalid_out is not None and not self.tally.knows(message_id, content):
                record = {"notification": shown(), "violations": [v._asdict() for v in violations]}
                try:  # One write of one whole line: with the file opened for appending, a pool's listeners share it.
                    self.invalid_out.write(json.dumps(record, ensure_ascii=False) + "\n")
                    self.invalid_out.flush()
                except OSError as error:  # written nowhere, so neither counted nor acknowledged
                    self.failure = error
                    return False
            first = self.tally.count(message_id, not violations, label, content)
            if self.keep_received and first:
                self.received.append(message)
            self._counted += int(first)
        if self.on_message is not None:
            self.on_message(message, not violations)
        return True

    def _full(self) -> bool:
        """Whether nothing more is counted: the listener is stopping, its file failed, or it has its ``limit``."""
        return self.failure is not None or self._stopped or (self.limit is not None and self._counted >= self.limit)

    def summary(self) -> str:
        """The tally's line, read under the lock the consumer threads write under."""
        with self._lock:
            return self.tally.line()

    def start(self, timeout: float | None = None) -> None:
        """Connect and start consuming; raise NotifySchemasError if the broker is not reached within ``timeout``.

        With a ``timeout``, the connecting is done on a thread of its own: a stop signal, raised in the main thread,
        ends the wait at once (oslo.messaging retries a broker not there without end), and `stop` then ends the
        listener without waiting for a connection that may never come."""
        if timeout is None:
            self._listener.start()
            with self._start_lock:
                self._started = True
            return
        started = threading.Event()
        failure: list[BaseException] = []

        def connect() -> None:
            try:
                self._listener.start()
                with self._start_lock:
                    self._started = True
                    abandoned = self._abandoned
                if abandoned:  # stopped while it connected: no one else stops oslo's server, which now consumes
                    self._stop_server()
            except Exception as error:  # reported to the caller below, with the broker's URL
                failure.append(error)
            finally:
                started.set()

        threading.Thread(target=connect, daemon=True).start()
        deadline = time.monotonic() + timeout
        while not started.wait(max(0.0, min(_LOOK, deadline - time.monotonic()))) and time.monotonic() < deadline:
            raise_if_terminated()  # a stop whose exception a library dropped while it loaded (D107)
        if not started.is_set() or failure:
            reason = failure[0] if failure else f"no connection within {timeout:g} s"
            raise NotifySchemasError(
                mask_transport_text(f"cannot listen on {closed(mask_url(self.config.transport_url or ''))}: {reason}")
            )

    @property
    def started(self) -> bool:
        """Whether the listener reached its broker and consumes: never one stopped before it did."""
        return self._started and not self._abandoned

    def wait_for(self, count: int | None = None, timeout: float | None = None) -> bool:
        """Block until ``count`` notifications have arrived (True), or ``timeout`` seconds pass or ``invalid_out``
        fails (`failure`) (False).

        It looks every 50 ms rather than waiting on a condition of the consumers' lock: Ctrl-C or SIGTERM, raised in
        the main thread wherever it is, could land inside the condition's wait between its release and its
        re-acquiring of the lock, and the wait's end then released the lock a consumer thread held (two threads
        counting at once, the consumer's release failing) or failed itself, which ended listen without its tally."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while count is None or self._counted < count:
            raise_if_terminated()  # a stop whose exception a library dropped (the handler raised it in a callback)
            if self.failure is not None:
                return False
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return False
            time.sleep(_LOOK if left is None else min(left, _LOOK))
        return True

    def stop(self, grace: float = GRACE) -> None:
        """Stop consuming. From the first moment no further message is counted or acknowledged (what still comes goes
        back to the queue); the one being counted, if any, is finished first, so the tally is what was acknowledged
        even if a second Ctrl-C cuts the stop short.

        A record being written when the stop comes is given ``grace`` seconds to be taken by ``invalid_out`` (a FIFO
        whose reader stopped reading), and then given up: its message is neither counted nor acknowledged, and
        `failure` says so (D107). The stop waits for it, never longer: the thread that writes holds the lock. A
        listener that never reached its broker is stopped without waiting for it: oslo.messaging's stop would wait
        for the connection first. Should the connection come after all, the thread that made it stops oslo's server
        there, and the listener is never `started`."""
        self._stopped = True  # read by the consumer threads without the lock, which one of them may hold
        give_up = getattr(self.invalid_out, "give_up", None)
        if callable(give_up):
            give_up(time.monotonic() + grace)
        with self._lock:  # a record being written is written or given up by then
            pass
        with self._start_lock:
            started = self._started
            self._abandoned = not started
        if started:
            self._stop_server()

    def _stop_server(self) -> None:
        """Stop oslo.messaging's server, once it has started, and let go of the transport."""
        self._listener.stop()
        self._listener.wait()
        if self.config.transport_url:
            self.transport.cleanup()
