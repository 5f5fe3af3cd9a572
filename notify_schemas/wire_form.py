"""The wire form of a notification: the JSON value oslo.messaging would send for a Python value, or why there is none.

oslo.messaging's drivers write a notification with ``jsonutils.dumps``: ``json.dumps`` with oslo.serialization's
``to_primitive`` for what ``json`` cannot write itself. So a lazy ``Message`` (a ``str`` subclass) goes out as its
text, an ``IntEnum`` as its number, a tuple or a set as a list, a datetime as ``%Y-%m-%dT%H:%M:%S.%f``, a UUID, a
``Decimal`` or an IP address (netaddr's too) as its string, as its own ``strftime`` or ``__str__`` answers, bytes as
their UTF-8 text (a ``bytearray`` as the list of its byte values, as oslo iterates it), a mapping (or any object
with ``items()``) as an object (null for one inside three others that are not dicts, as ``to_primitive`` writes it),
the keys of a mapping that ``to_primitive`` writes (one that is not a dict, or any inside a value ``json`` cannot
write itself) converted as it converts them (a UUID or bytes key as its text), and a NaN or infinite key as ``NaN``,
``Infinity`` or ``-Infinity``, the text ``json`` writes for it. An ``Enum`` member that is neither a number nor
text, which oslo gives up on, is its value, as orjson and jsonschema-rs read it; the package sends that value. What
the specification governs is that JSON, so validation judges the wire form (D32 in DECISIONS.md).

What has no wire form is reported, never raised: a value of another type, a float that is NaN or infinite (``json``
would write a literal no JSON parser reads), a key that is not text, a number or None (nor converted to one by
``to_primitive``), text that is not valid Unicode (a lone surrogate), a value that contains itself, nesting deeper
than `MAX_DEPTH`, two keys that become the same text (``{1: ..., "1": ...}``), and an iterable of the producer's
that yields more than `MAX_ITEMS` values (it may never end). The walk is iterative: any depth, any size, no
recursion.
"""

from __future__ import annotations

import _thread
import datetime
import decimal
import enum
import io
import ipaddress
import itertools
import json
import math
import pickle
import sys
import threading
import types
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import orjson

from notify_schemas.fresh_stack import on_fresh_stack
from notify_schemas.redaction import given_text, mask_text, quoted, redact, type_name

__all__ = [
    "MAX_DEPTH",
    "MAX_ITEMS",
    "MAX_PROBLEMS",
    "NOT_EXACT",
    "NO_WIRE_FORM",
    "PLAIN",
    "Problem",
    "WireForm",
    "has_no_wire_form_number",
    "is_exact_json",
    "is_plain",
    "is_valid_text",
    "judged_form",
    "read_at_once",
    "redacted_json",
    "settled",
    "to_wire",
    "wire_view",
]

NO_WIRE_FORM = frozenset({"not-json", "depth", "unicode", "duplicate-key"})
"""The rules of a violation that says a value has no wire form: what no driver can send."""

MAX_DEPTH = 254
"""The deepest nesting of objects and arrays a notification may have: what orjson and jsonschema-rs both handle."""

MAX_ITEMS = 1_048_576
"""The most values read from one iterable of a producer's that is not an exact ``dict``, ``list`` or ``tuple`` (a
generator, a set, a mapping of its own, a subclass): ``itertools.count()``, ``itertools.repeat(x)`` or a generator
that never returns would otherwise be read until memory runs out. One that yields more has no wire form."""

_SIMPLE = (str, int, float, bool, type(None))
# What orjson refuses to write as it is: subclasses of str/int/dict/list, datetimes, dataclasses (and, by nature,
# bytes, sets, Decimals, non-text keys, lone surrogates, integers past 64 bits, nesting past 254 levels).
PLAIN = orjson.OPT_PASSTHROUGH_SUBCLASS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
_WIDTH = 80
_PERFECT_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%f"  # oslo_utils.timeutils.PERFECT_TIME_FORMAT


@dataclass(frozen=True)
class Problem:
    """Where a value has no wire form, and why."""

    pointer: str
    rule: str
    """``not-json``, ``depth``, ``unicode`` or ``duplicate-key``."""
    message: str
    shown: str
    """The value as it may be shown: escaped, masked and cut text, or the name of its type in angle brackets."""


@dataclass
class WireForm:
    """The JSON value, with ``None`` where a part had no wire form, and the problems found."""

    value: Any
    problems: list[Problem] = field(default_factory=list)
    size: int = -1
    """Bytes of its JSON text, when the text was written on the way (-1: not known)."""


def is_valid_text(text: str) -> bool:
    """Whether ``text`` is valid Unicode: no lone surrogate, which UTF-8 and so JSON on the wire cannot carry.
    `TypeError` for what is not text; a str subclass is read as the text it holds."""
    if type(text) is not str:
        text = given_text(text, "text")
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _shown(value: Any) -> str:
    if isinstance(value, str):
        text = json.encoder.encode_basestring_ascii(mask_text(str.__str__(value)))
        return text if len(text) <= _WIDTH else text[: _WIDTH - 3] + "..."
    if isinstance(value, float):
        return float.__repr__(value)  # a subclass's own __repr__ may show anything, or fail
    return f"<{_type_name(value)}>"


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _type_name(value: Any) -> str:
    return type_name(value, qualified=True)


def _key(key: Any) -> str | None:
    """A dict key as ``json.dumps`` writes it, or None when it refuses the key. A NaN or an infinity is text there
    (``{"NaN": 1}``, valid JSON), though as a value it is a literal no parser reads."""
    if isinstance(key, str):
        return str.__str__(key)
    if key is True or key is False:
        return "true" if key else "false"
    if key is None:
        return "null"
    if isinstance(key, int):
        return int.__repr__(key) if _writable(int(int.__index__(key))) else None
    if isinstance(key, float):
        number = float.__float__(key)
        if math.isfinite(number):
            return float.__repr__(number)
        return "NaN" if math.isnan(number) else "Infinity" if number > 0 else "-Infinity"
    return None


def _primitive_pairs(pairs: list[tuple[Any, Any]]) -> tuple[list[tuple[Any, Any]], list[Any]]:
    """The pairs of a mapping that oslo's ``to_primitive`` writes, as it hands them to ``json``: each key that is not
    text, a number or None converted as a value is (a UUID, a Decimal, a date, bytes as text), the keys that become
    equal made one with the last value, as its dict comprehension makes them; and the keys it cannot convert."""
    collapsed: dict[Any, Any] = {}
    refused: list[Any] = []
    for key, item in pairs:
        converted = key
        if not isinstance(key, str | int | float | type(None)):
            converted, rule = _scalar(key)
            if rule is not None:
                refused.append(key)
                continue
        collapsed[converted] = item
    return list(collapsed.items()), refused


def _scalar(value: Any) -> tuple[Any, str | None]:
    """The wire form of a value that is not a container, and the problem when there is none."""
    if value is None or value is True or value is False:
        return value, None
    if isinstance(value, str):
        text = str.__str__(value)
        if not is_valid_text(text):
            return None, "unicode"
        return text, None
    if isinstance(value, int):
        integer = int(int.__index__(value))
        return (integer, None) if _writable(integer) else (None, "not-json")
    if isinstance(value, float):
        number = float.__float__(value)  # as json.dumps writes a float subclass: its own __float__ is not asked
        return (number, None) if math.isfinite(number) else (None, "not-json")
    # What json.dumps cannot write goes through oslo's to_primitive.
    if isinstance(value, bytes):  # not a bytearray: to_primitive iterates that, a list of integers
        try:
            return _scalar(bytes(value).decode("utf-8"))
        except UnicodeDecodeError:
            return None, "unicode"
    if not _written_as_text(value):
        return None, "not-json"
    written = _text_of(value)
    # The producer's own strftime, __str__ or __repr__ answers: its text may be a subclass or hold a lone surrogate,
    # and what is no text json writes as it writes any value (a number), or not at all (an object).
    return _scalar(written) if isinstance(written, _SIMPLE) else (None, "not-json")


def _xmlrpc_time(value: Any) -> bool:
    """Whether ``value`` is an ``xmlrpc.client.DateTime``; a value of that module's means it is imported."""
    xmlrpc = sys.modules.get("xmlrpc.client")
    kind = getattr(xmlrpc, "DateTime", None)
    return isinstance(kind, type) and isinstance(value, kind)


def _netaddr(value: Any) -> bool:
    """Whether ``value`` is a netaddr ``IPAddress``, ``IPNetwork`` or ``IPRange``; likewise, netaddr is imported."""
    netaddr = sys.modules.get("netaddr")
    kinds = [getattr(netaddr, name, None) for name in ("IPAddress", "IPNetwork", "IPRange")]
    return isinstance(value, tuple(kind for kind in kinds if isinstance(kind, type)))


_TEXT_TYPES = (datetime.date, uuid.UUID, ipaddress.IPv4Address, ipaddress.IPv6Address, decimal.Decimal, Exception)


def _written_as_text(value: Any) -> bool:
    """Whether oslo's ``to_primitive`` writes ``value`` as text: a date, a UUID, an IP address of ``ipaddress`` or
    of netaddr (an ``IPNetwork`` too, not the list of its addresses), a ``Decimal``, an exception (as its ``repr``),
    an ``xmlrpc.client.DateTime``. It tests for these before any container, so one of them that also has
    ``__iter__`` or ``items`` is text all the same."""
    return isinstance(value, _TEXT_TYPES) or _netaddr(value) or _xmlrpc_time(value)


def _text_of(value: Any) -> Any:
    """What ``to_primitive`` makes of a value `_written_as_text`, as the value's own code answers."""
    if _xmlrpc_time(value):
        value = datetime.datetime(*tuple(value.timetuple())[:6])
    if isinstance(value, datetime.datetime):
        return value.strftime(_PERFECT_TIME_FORMAT)
    if isinstance(value, datetime.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, Exception):
        return repr(value)
    return str(value)


_PRIMITIVE_MAPPINGS = 3
"""The mappings other than dicts that oslo's ``to_primitive`` follows one inside another (its ``max_depth``): it
turns each into a dict one level further down, and writes the fourth as null, whatever it holds. ``json`` writes a
dict (a subclass too) itself, and it counts no level."""

_LONG = 2_000  # bits: about 600 digits, fewer than any limit Python lets a process set (640 digits, or none)


def _writable(number: int) -> bool:
    """Whether ``json.dumps`` can write an integer: not one of more digits than the process's limit for turning an
    integer into text (``sys.set_int_max_str_digits``, 4,300 by default), which it raises ``ValueError`` for."""
    if number.bit_length() <= _LONG:
        return True
    try:
        int.__repr__(number)
    except ValueError:
        return False
    return True


_WHY = {
    "unicode": "text that is not valid Unicode (a lone surrogate) cannot be sent as JSON",
    "depth": f"nested more than {MAX_DEPTH} levels deep",
    "endless": f"yields more than {MAX_ITEMS:,} values (it may never end)",
}


def _taken(iterable: Any) -> list[Any] | None:
    """The values of a producer's iterable, or None when it yields more than `MAX_ITEMS`: read no further."""
    taken = list(itertools.islice(iterable, MAX_ITEMS + 1))
    return None if len(taken) > MAX_ITEMS else taken


_Path = tuple[Any, Any] | None  # (the parent's path, this key or index), built as the walk goes down


def _render(path: _Path) -> str:
    tokens: list[str] = []
    while path is not None:
        path, token = path
        tokens.append("/" + _escape(str(token)))
    return "".join(reversed(tokens))


MAX_PROBLEMS = 1_001
"""The problems of one value kept at most: one more than the violations a message lists (`validation.MAX_VIOLATIONS`),
so that its report says there are more. A 16 MiB line holds millions of lone surrogates, each a problem."""


class _Kept(list):  # type: ignore[type-arg]
    """A list of problems that keeps the first `MAX_PROBLEMS` appended and lets the rest go."""

    def append(self, problem: Any) -> None:
        if len(self) < MAX_PROBLEMS:
            super().append(problem)


def to_wire(message: Any) -> WireForm:
    """The wire form of ``message``: plain JSON (dict, list, str, int, float, bool, None) and its problems."""
    try:  # the common case, in C: exact JSON types, which orjson writes as json.dumps would (NaN aside)
        text = orjson.dumps(message, None, PLAIN) if _only_exact_types(message) else None
    except Exception:  # TypeError; whatever a producer's Enum raises when orjson reads its value
        pass
    else:
        try:
            if text is not None:
                value = orjson.loads(text)
                # Equal: no NaN or infinity, which orjson writes as null (unequal, a tuple is checked the long way),
                # and no deeper than orjson allows dicts and lists; tuples it does not count (D98).
                if value == message or (not has_no_wire_form_number(message) and _within_depth(value)):
                    return WireForm(value, size=len(text))
        except RecursionError:  # compared from deep in a caller's stack (D96): the walk below follows no recursion
            pass
    problems: list[tuple[_Path, str, str, str]] = _Kept()
    root: list[Any] = [None]
    # Every container walked into, held until the walk ends: an id in `above` is then never that of an object freed
    # meanwhile, which a value made afresh could take (a generator that yields a new generator, a mapping whose
    # items() makes its values anew), and be taken for a value that contains itself.
    held: list[Any] = []
    # Each task: (value, container to fill, key or index in it, path, depth, ids of the containers above, mappings
    # other than dicts above, whether oslo's to_primitive writes it: a value inside one json cannot write itself).
    stack: list[tuple[Any, Any, Any, _Path, int, frozenset[int], int, bool]] = [
        (message, root, 0, None, 0, frozenset(), 0, False)
    ]
    pop, push = stack.pop, stack.append
    while stack:
        value, parent, slot, path, depth, above, mappings, primitive = pop()
        kind = type(value)
        if kind is str:  # the common cases first, without a call
            if value.isascii() or is_valid_text(value):
                parent[slot] = value
                continue
        elif (
            (kind is int and _writable(value))
            or kind is bool
            or value is None
            or (kind is float and math.isfinite(value))
        ):
            parent[slot] = value
            continue
        try:  # the producer's own code runs here (a __float__, __str__, items, __iter__...): it may raise anything
            if isinstance(value, enum.Enum) and not isinstance(value, int | str):  # a plain Enum member: its value
                push((value.value, parent, slot, path, depth, above, mappings, primitive))
                continue
            if (
                kind in _SIMPLE
                or isinstance(value, str | int | float | bytes)  # json and to_primitive ask no __iter__ of them
                or _written_as_text(value)
                or not (isinstance(value, dict | list | tuple | Mapping) or _iterable(value) or _has_items(value))
            ):
                converted, rule = _scalar(value)
                parent[slot] = converted
                if rule is not None:
                    why = _WHY.get(rule) or f"a value of type {_type_name(value)} cannot be sent as JSON"
                    if isinstance(value, float) and math.isinf(value):  # JSON text such as 1e400 reads as this
                        why = (f"{float.__repr__(value)} (a number beyond a double's range, such as 1e400 read from "
                               "JSON text) cannot be sent as JSON")  # fmt: skip
                    elif isinstance(value, float):
                        why = f"{float.__repr__(value)} cannot be sent as JSON"
                    elif isinstance(value, int) and not isinstance(value, bool):
                        why = "an integer of more digits than Python writes as text cannot be sent as JSON"
                    elif isinstance(value, bytes):  # oslo decodes them as UTF-8, and raises for any other bytes
                        why = "bytes that are not UTF-8 cannot be sent as JSON"
                    problems.append((path, rule, why, _shown(value)))
                continue
            if depth >= MAX_DEPTH:
                parent[slot] = None
                problems.append((path, "depth", _WHY["depth"], "[...]" if isinstance(value, list) else "{...}"))
                continue
            if id(value) in above:
                parent[slot] = None
                problems.append((path, "not-json", "the value contains itself", f"<{_type_name(value)}>"))
                continue
            inside = above | {id(value)}
            held.append(value)
            if isinstance(value, Mapping) or (not isinstance(value, list | tuple) and hasattr(value, "items")):
                if kind is dict:
                    pairs: list[Any] | None = list(value.items())
                elif not primitive and isinstance(value, dict) and not dict.__len__(value):
                    pairs = []  # json writes a dict subclass that holds nothing itself as {}, its items() unasked
                else:
                    pairs = _taken(value.items())
                if pairs is None:
                    parent[slot] = None
                    problems.append((path, "not-json", _WHY["endless"], f"<{_type_name(value)}>"))
                    continue
                nested = mappings + (not isinstance(value, dict))
                if nested > _PRIMITIVE_MAPPINGS:  # as oslo writes it: null, its items read and left
                    parent[slot] = None
                    continue
                converting = primitive or not isinstance(value, dict)  # to_primitive writes it, and its keys
                if converting:
                    pairs, refused = _primitive_pairs(pairs)
                    for key in refused:
                        why = f"a key of type {_type_name(key)} cannot be sent as JSON"
                        problems.append((path, "not-json", why, _shown(key)))
                out: dict[str, Any] = {}
                parent[slot] = out
                pending = []
                for key, item in pairs:
                    name = key if type(key) is str else _key(key)
                    if name is None:
                        why = f"a key of type {_type_name(key)} cannot be sent as JSON"
                        problems.append((path, "not-json", why, _shown(key)))
                        continue
                    if not (name.isascii() or is_valid_text(name)):
                        problems.append((path, "unicode", _WHY["unicode"] + " (a key)", _shown(name)))
                        continue
                    if name in out:
                        why = f"the key {_shown(name)} is written twice"
                        problems.append(((path, name), "duplicate-key", why, _shown(name)))
                    out[name] = None
                    pending.append((item, out, name, (path, name), depth + 1, inside, nested, converting))
                stack.extend(reversed(pending))
            else:
                converting = primitive or not isinstance(value, list | tuple)  # to_primitive writes what it holds
                items = list(value) if kind is list or kind is tuple else _taken(value)
                if items is None:
                    parent[slot] = None
                    problems.append((path, "not-json", _WHY["endless"], f"<{_type_name(value)}>"))
                    continue
                array: list[Any] = [None] * len(items)
                parent[slot] = array
                for index in range(len(items) - 1, -1, -1):
                    push((items[index], array, index, (path, index), depth + 1, inside, mappings, converting))
        except Exception as error:
            parent[slot] = None
            why = f"cannot be read: {type_name(error)}"
            problems.append((path, "not-json", why, f"<{_type_name(value)}>"))
    found = [Problem(_render(path), rule, why, shown) for path, rule, why, shown in problems]
    found.sort(key=lambda p: p.pointer)
    return WireForm(root[0], found)


def wire_view(message: Any) -> WireForm:
    """`to_wire`, for a caller that only reads the form: a message that is its own wire form (exact JSON types, and
    no tuple, NaN or infinity: what a JSON parser makes) is the form itself, not a copy of it. A copy of a message
    decoded from a large body takes many times the body, and reports on it (`iter_errors`, a listener's record,
    the value a violation shows) need none."""
    if not _only_exact_types(message):
        return to_wire(message)
    try:
        size = len(orjson.dumps(message, None, PLAIN))  # no bytes, lone surrogate, big integer, depth
    except Exception:  # TypeError
        return to_wire(message)
    try:
        own = _its_own_form(message)
    except RuntimeError:  # another thread changed a dict of it while it was walked: a copy is judged (`read_at_once`)
        own = False
    return WireForm(message, size=size) if own else to_wire(message)


def judged_form(message: Any) -> WireForm:
    """`wire_view`, for a caller that gives a verdict and then says why: where another thread of the producer runs,
    which may change the producer's own message between the two, a copy `to_wire` makes (each dict and list of it
    taken in one C call), so that the verdict and its violations are of one reading. A message changed between them
    was refused with no violation at all, or valid with violations."""
    wire = wire_view(message)
    return to_wire(message) if wire.value is message and _threads() else wire


_Read = TypeVar("_Read")


def read_at_once(read: Callable[[Any], _Read], value: Any) -> _Read:
    """``read(value)`` of plain JSON that may be a producer's own message (`wire_view` copies none); when Python code
    of ``read`` meets another thread's change of it (a dict that changed size while it was walked, a key gone between
    two lookups: RuntimeError, KeyError, IndexError), ``read`` of a copy `to_wire` made, each dict and list of it taken
    in one C call, which no other thread interrupts. So a producer that changes a message while it is judged gets a
    verdict on one reading of it, never those errors. `TypeError` naming ``read`` when it cannot be called."""
    if not callable(read):
        raise TypeError(f"read must be a function of one value, not {quoted(read)}")
    try:
        return read(value)
    except (RuntimeError, LookupError):
        return read(to_wire(value).value)


def _its_own_form(value: Any) -> bool:
    """Whether exact JSON types hold no tuple (written as a list), NaN or infinity (written as null by orjson, and
    by no JSON writer as JSON). One iterator per level: no list of the values is made."""
    stack = [iter((value,))]
    while stack:
        for node in stack[-1]:
            kind = type(node)
            if kind is dict or kind is list:
                stack.append(iter(node.values()) if kind is dict else iter(node))
                break
            if kind is tuple or (kind is float and not math.isfinite(node)):
                return False
        else:
            stack.pop()
    return True


def is_plain(message: Any) -> bool:
    """Whether orjson writes ``message`` as it is: dicts with text keys, lists and tuples, text, numbers.

    NaN and infinities aside, which orjson writes as null (`has_no_wire_form_number` finds them), and a UUID or an
    ``Enum`` member, which orjson writes itself and ``json.dumps`` refuses (`is_exact_json` refuses them too). A JSON
    parser's output is plain. A run of tuples nested in tuples deeper than `MAX_DEPTH` is not (`tuples_within`).
    """
    if not tuples_within(message):
        return False
    try:
        orjson.dumps(message, option=PLAIN)
    except Exception:  # orjson.JSONEncodeError; whatever a producer's Enum raises when orjson reads its value
        return False
    return True


class _OnlyExactTypes(pickle.Pickler):
    """A pickler that refuses every object pickle's C code does not write by itself.

    That code writes exact ``dict``, ``list``, ``tuple``, ``str``, ``int``, ``float``, ``bool``, ``None``, bytes and
    sets, and asks ``reducer_override`` about anything else: a subclass (a lazy ``Message``, an ``IntEnum``), an
    ``Enum`` member, a UUID, a datetime, a ``Decimal``. Here that answer is a refusal, so one C pass tells whether a
    value holds anything but those types, which orjson alone cannot (it writes a UUID and an ``Enum`` itself).
    """

    def reducer_override(self, obj: Any) -> Any:
        raise TypeError(type(obj).__name__)


class _Discard:
    @staticmethod
    def write(data: bytes) -> None:
        pass


class _Picklers(threading.local):
    def __init__(self) -> None:
        self.pickler = self.new()

    @staticmethod
    def new() -> _OnlyExactTypes:
        pickler = _OnlyExactTypes(_Discard(), protocol=pickle.HIGHEST_PROTOCOL)
        pickler.fast = True  # no memo: nothing is kept between calls
        return pickler


_picklers = _Picklers()  # one per thread: a pickler is not to be shared


def is_exact_json(message: Any) -> bool:
    """Whether ``message`` is plain JSON made of exact types: dicts with text keys, lists and tuples, valid text, 64-bit
    integers, floats, booleans and None, at most `MAX_DEPTH` deep. Then its wire form is itself, a tuple being
    written as a list by every JSON writer, and NaN or an infinity aside (`has_no_wire_form_number`).

    Two C passes, about the cost of ``orjson.loads`` of the message: the Notifier's hot path. Only the types are
    looked at, never a producer's own code (an ``__eq__`` that says any value equals it).
    """
    if not _only_exact_types(message):
        return False
    try:
        orjson.dumps(message, None, PLAIN)  # no bytes, set, lone surrogate, big integer, depth
    except Exception:  # TypeError
        return False
    return True


NOT_EXACT: Any = object()
"""What `settled` answers for a message that is not exact JSON: its wire form is to be made (`to_wire`)."""


def settled(message: Any) -> Any:
    """``message`` as a driver may be given it, when it is exact JSON (`is_exact_json`); else `NOT_EXACT`.

    A message of exact JSON types is its own wire form, judged and sent as it is, but it is the producer's: another
    thread of the producer may change it between the verdict and the drivers (a ``locations`` key put in, which
    strict mode would have refused). Where no other thread runs, nothing can: no producer's code runs on the way, and
    the message is itself. Where another does, it is a copy that orjson writes and reads in C, in one go, which no
    thread interrupts, and which is the message as it was then (equal to it: a NaN, which orjson writes as null, or a
    change made meanwhile, is no copy, and the wire form is made instead). The copy costs about as much again as
    this check; one Python thread pays nothing but a count of the threads.
    """
    if not _only_exact_types(message):
        return NOT_EXACT
    try:
        text = orjson.dumps(message, None, PLAIN)  # no bytes, set, lone surrogate, big integer, depth
    except Exception:  # TypeError
        return NOT_EXACT
    if not _threads():  # no thread runs but the main one, this one: none other can change the message
        return message
    copy = orjson.loads(text)
    try:
        same = copy == message  # exact types: compared in C, asking no producer's code
    except Exception:  # a producer's object another thread put in meanwhile
        return NOT_EXACT
    return copy if same else NOT_EXACT


def _threads() -> bool:
    """Whether another thread may run while a message is judged and handed to the drivers: a Python thread besides
    the main one, whatever started it (``threading`` or ``_thread``), or a green thread (greenlet's: eventlet's, as
    Glance runs, gevent's), which runs whenever a driver waits on a socket, and may change the message then for the
    drivers after it. Green threads are where this one is one of them, or where eventlet's hub runs in this thread."""
    if _thread._count():
        return True
    greenlet = sys.modules.get("greenlet")
    if greenlet is None:  # no green thread can run: only a program that imports greenlet has any
        return False
    if greenlet.getcurrent().parent is not None:  # a green thread (the main greenlet has no parent)
        return True
    # The hub of this thread, where eventlet keeps it; looked up in its __dict__, where a miss costs no exception.
    local = getattr(sys.modules.get("eventlet.hubs"), "_threadlocal", None)
    return local is not None and local.__dict__.get("hub") is not None


def _only_exact_types(message: Any) -> bool:
    """Whether ``message`` holds exact JSON types only (`_OnlyExactTypes`), no deeper than orjson can be given it.

    Asked before orjson writes a producer's value, never after: orjson bounds how deep dicts and lists nest (255), not
    a run of tuples nested in tuples, and on one of a few thousand its writer corrupts memory and the process dies
    (orjson 3.13; D98). pickle's C code counts every level against Python's recursion limit and raises
    RecursionError past it, so under the usual limit (1,000) no deeper run reaches orjson; where a program raised the
    limit past `_ORJSON_SAFE_LIMIT`, the runs are counted too (`tuples_within`), a walk in Python.
    """
    try:
        _picklers.pickler.dump(message)  # no Enum member, UUID or Fragment (orjson writes those itself)
    except Exception:  # TypeError from reducer_override; RecursionError; whatever else a producer's object raises
        _picklers.pickler = _picklers.new()  # a pickler stopped midway starts afresh
        return False
    return sys.getrecursionlimit() <= _ORJSON_SAFE_LIMIT or tuples_within(message)


_ORJSON_SAFE_LIMIT = 1_500
"""The recursion limit up to which pickle's own count keeps runs of tuples short enough for orjson (it writes runs of
2,000 whole; of 2,500, it has corrupted memory)."""


def _within_depth(value: Any) -> bool:
    """Whether plain JSON data (dicts and lists) nests no deeper than `MAX_DEPTH`: a walk that follows no recursion."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        kind = type(node)
        if kind is dict or kind is list:
            if depth >= MAX_DEPTH:
                return False
            stack.extend((item, depth + 1) for item in (node.values() if kind is dict else node))
    return True


def tuples_within(value: Any, most: int = MAX_DEPTH) -> bool:
    """Whether no run of exact tuples nested directly in one another in ``value`` is deeper than ``most``: what orjson,
    which bounds only dicts and lists, may be given (`_only_exact_types`). A walk of the dicts, lists and tuples, that
    follows no recursion and reads no producer's code; a deeper run has no wire form anyway (`MAX_DEPTH`). Each
    container is walked again only at a deeper run than before, so a value that holds itself (through a list) ends.
    A dict another thread changes while it is walked: False, as for a value that may not be written."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    walked: dict[int, int] = {}
    try:
        while stack:
            node, run = stack.pop()
            kind = type(node)
            if kind is not tuple and kind is not dict and kind is not list:
                continue
            if walked.get(id(node), -1) >= run:
                continue
            walked[id(node)] = run
            if kind is tuple:
                if run >= most:
                    return False
                stack.extend((item, run + 1) for item in node)
            else:
                stack.extend((item, 0) for item in (node.values() if kind is dict else node))
    except RuntimeError:
        return False
    return True


def redacted_json(message: Any) -> str:
    """A message as a log line or a report may show it: its wire form, redacted (`notify_schemas.redaction`). Written
    on a stack of its own where the caller's has too little left for its depth (`on_fresh_stack`): the form is read
    once, and the text made of it again."""
    return on_fresh_stack(_redacted_text, wire_view(message).value)


def _redacted_text(value: Any) -> str:
    return json.dumps(read_at_once(redact, value), ensure_ascii=False)


def has_no_wire_form_number(value: Any, *, tuples: bool = False) -> bool:
    """Whether plain JSON data holds a NaN or an infinity (a parser makes one of ``1e400``): a cheap walk. With
    ``tuples``, a tuple found says so too: data that holds one is no parser's, and its tuples may nest deeper than
    orjson can be given (D98)."""
    stack = [value]
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is dict:
            stack.extend(node.values())
        elif kind is list:
            stack.extend(node)
        elif kind is tuple:
            if tuples:
                return True
            stack.extend(node)
        elif kind is float and not math.isfinite(node):
            return True
    return False


def _has_items(value: Any) -> bool:
    """Whether oslo's ``to_primitive`` writes ``value`` as the dict of its ``items()``: any object that has them, an
    iterable or not (a record class of the producer's own), but a class or a module, which it writes as its name."""
    return hasattr(value, "items") and not isinstance(value, type | types.ModuleType)


def _iterable(value: Any) -> bool:
    """Sets, frozensets, deques, generators, bytearrays: what oslo's to_primitive turns into a list (text, bytes,
    files aside)."""
    return hasattr(value, "__iter__") and not isinstance(value, str | bytes | io.IOBase)
