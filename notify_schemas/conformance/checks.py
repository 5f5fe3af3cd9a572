"""The named checks: each has an id, a level (MUST or SHOULD), and the sentence of the specification or of
DECISIONS.md that it enforces. A check looks at one notification, the intent that asked for it, and what the run
has seen so far; stream checks look at the whole sequence.
"""

from __future__ import annotations

import datetime
import json
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from notify_schemas.conformance.producers import Opaque
from notify_schemas.conformance.records import Intent, credential_forms, expected_payload, unleaked
from notify_schemas.redaction import closed, mask_pointer, pointer_view, shown, type_name
from notify_schemas.validation import iter_errors
from notify_schemas.values import Delivered, Unreadable, one_line
from notify_schemas.wire_form import is_valid_text, redacted_json, to_wire

__all__ = ["CHECKS", "STREAM_CHECKS", "Check", "Failure", "RunState", "json_shown", "received", "same_json"]

ENVELOPE = ("message_id", "publisher_id", "event_type", "priority", "timestamp", "payload")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_OSLO_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{6})?")  # ASCII digits alone
_FORBIDDEN = ("locations", "location", "direct_url", "task_input")
# Values a producer sets itself at the time of the event rather than copies from the record, per profile and event:
# when a record was deleted, when a finished task expires (DECISIONS D29). payload.faithful does not compare them on
# those events, and only on those; the schema still types them.
_DELETES = (
    "image.delete",
    "image.member.delete",
    "task.delete",
    "metadef_namespace.delete",
    "metadef_object.delete",
    "metadef_property.delete",
    "metadef_resource_type.delete",
    "metadef_tag.delete",
)
_TASKS = ("task.create", "task.run", "task.processing", "task.success", "task.failure", "task.delete")
SET_BY_PRODUCER: dict[tuple[str, str], frozenset[str]] = {
    **{("seed", event): frozenset({"expires_at"}) for event in ("task.success", "task.failure")},
    **{("glance", event): frozenset({"deleted_at"}) for event in _DELETES},
    **{("glance", event): frozenset({"expires_at"}) for event in _TASKS},
    ("glance", "task.delete"): frozenset({"deleted_at", "expires_at"}),
}  # fmt: skip
UNORDERED = frozenset({"tags"})


@dataclass
class RunState:
    """What the run has seen: ids, the last publisher, and when the current call started and ended (UTC, naive)."""

    ids: set[str] = field(default_factory=set)
    publisher: str | None = None
    """The publisher_id of the last message that named one: the next is compared with it."""
    call_started: datetime.datetime | None = None
    call_ended: datetime.datetime | None = None


@dataclass(frozen=True)
class Failure:
    check: str
    reason: str


@dataclass(frozen=True)
class Check:
    id: str
    level: str
    sentence: str
    test: Callable[[Intent, Any, RunState], str | None]


def json_shown(value: Any, limit: int = 200) -> str:
    """A producer's value as a reason or a variant's name quotes it: its JSON text (``null``, ``true``, ``"text"``,
    ``{"a": 1}``), never Python's (``None``, ``True``, ``'text'``), for the producer wrote JSON, in any language.
    Shown as the report shows the notification (`received`): redacted, a part that JSON has no form for as what it
    was (``"<a set> {1, 2}"``), the intents' credentials hidden (`unleaked`) and masked, on one line, then cut to
    ``limit`` characters: hidden after the cut, a credential cut in two would show all but its last characters.
    Redacted first, since the values of ``locations``, ``direct_url`` or ``task_input`` are no secret to masking (a
    message_id that is ``{"task_input": ...}``)."""
    return shown(unleaked(redacted_json(received(value))), limit)


def _field_shown(message: dict[Any, Any], key: str, limit: int = 200) -> str:
    """The value of ``key`` in ``message`` as a reason names it: its JSON text, or ``missing`` when the key is not
    there, which a ``null`` the producer wrote is not."""
    return json_shown(message[key], limit) if key in message else "missing"


_SHOWN_OBJECT = 200
"""Characters of a producer's object's ``repr`` shown in place of it, masked, then cut."""


def received(notification: Any) -> Any:
    """A notification as a report shows it: its wire form (`to_wire`: a datetime as oslo writes it, a tuple as a
    list), where each part that has none is shown as what it was rather than as the null of the wire form, which
    reads as a null the producer sent: a producer's object (a set, a generator, a coroutine, an object of its own
    class) as ``<a set> {1, 2}``, its ``repr`` masked and cut; NaN or an infinity as ``<a float: nan>``; text that
    is not valid Unicode with each lone surrogate as its escape; a key that is no text as the text of what it was."""
    form = to_wire(notification)
    return form.value if not form.problems else to_wire(_marked(notification)).value


def _marked(value: Any) -> Any:
    """A detached answer or a parsed message with each part that has no wire form replaced by text saying what it
    was (`received`); one walk, no recursion (a message may be nested 254 levels deep)."""
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any]] = [(value, root, 0)]
    while stack:
        node, parent, slot = stack.pop()
        if isinstance(node, dict):
            copy: dict[Any, Any] = {}
            parent[slot] = copy
            for key, item in node.items():
                key = _marked_scalar(key) if isinstance(key, str | Opaque) else key
                copy[key] = None
                stack.append((item, copy, key))
        elif isinstance(node, list | tuple):
            items: list[Any] = [None] * len(node)
            parent[slot] = items
            stack.extend((item, items, index) for index, item in enumerate(node))
        else:
            parent[slot] = _marked_scalar(node)
    return root[0]


def _marked_scalar(value: Any) -> Any:
    if isinstance(value, Opaque):
        return value.shown(_SHOWN_OBJECT)
    if isinstance(value, float) and not math.isfinite(value):
        return f"<a float: {float.__repr__(value)}>"
    if isinstance(value, str) and not is_valid_text(value):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value


def _integral_floats(value: Any, pointer: str = "") -> list[tuple[str, list[Any], Any]]:
    """(pointer, container, key) of every float with an integral value, such as 10.0."""
    found: list[tuple[str, list[Any], Any]] = []
    stack: list[tuple[Any, str]] = [(value, pointer)]
    while stack:
        node, at = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, item in items:
            where = f"{at}/{str(key).replace('~', '~0').replace('/', '~1')}"
            if isinstance(item, float) and item.is_integer():
                found.append((where, node, key))
            elif isinstance(item, dict | list):
                stack.append((item, where))
    return found


def _integers(intent: Intent, message: Any, state: RunState) -> str | None:
    """Integral floats where the schema wants an integer. What is no object, or holds a value JSON cannot carry, has
    no fields the schema can type: it fails as unjudged, as `schema.valid` fails it, rather than passes unlooked at
    (a datetime beside a min_ram of 64.0 would hide the 64.0)."""
    if not isinstance(message, dict):
        return f"not an object: {what_it_is(message)}, so no field of it can be judged"
    if not _json_only(message):
        return "holds a value JSON cannot carry, so no schema can say which of its numbers are integers"
    floats = _integral_floats(message)
    # Where the schema wants an integer, a value with a fraction breaks it; where it takes any number, it does not.
    # Each float is given one on its own, the message judged each time; past a few, all are given one at once and
    # the message judged once: judged once per float, an answer of 8,000 floats took seconds, one of a million
    # (a 4 MB line) hours.
    groups = [[found] for found in floats] if len(floats) <= _ONE_AT_A_TIME else [floats]
    written: list[str] = []
    for group in groups:
        originals = [container[key] for _, container, key in group]
        for _, container, key in group:
            container[key] += 0.5
        try:
            pointers = {v.pointer for v in iter_errors(message, profile=intent["profile"])}
        finally:
            for (_, container, key), original in zip(group, originals, strict=True):
                container[key] = original
        for (where, _, _), original in zip(group, originals, strict=True):
            shown = pointer_view(where)[0] or where  # violations carry their pointers as they may be written
            if shown in pointers and len(written) < 3:
                written.append(f"{closed(shown)}: {json_shown(original)}")
    return f"integers written with a fraction ({', '.join(written)})" if written else None


_ONE_AT_A_TIME = 32
"""The integral floats of a message `json.integers` judges one at a time; a message holding more has them judged
together, in one pass of the validator."""


def _unique_keys(intent: Intent, message: Any, state: RunState) -> str | None:
    """Keys written twice: found by the parser in a line, or (a callable's answer) keys that json.dumps writes as the
    same text (``1`` and ``"1"``). A key that JSON cannot carry at all (an object of the producer's) has no text to
    compare: it fails as unjudged, never passes."""
    duplicates = getattr(message, "duplicates", ())
    if not duplicates and not _json_only(message):
        if _odd_key(message):
            return "holds a key JSON cannot carry, so which keys its text would repeat cannot be judged"
        duplicates = tuple(p.pointer for p in to_wire(message).problems if p.rule == "duplicate-key")
    if duplicates:
        shown = ", ".join(closed(mask_pointer(p)) for p in duplicates)
        return f"writes a key twice ({shown}): consumers disagree on which value counts [duplicate-key]"
    return None


_KEY_TYPES = (str, int, float, bool, type(None))
"""The keys json.dumps writes as text of its own: any other is refused."""


def _odd_key(value: Any) -> bool:
    """Whether a dict of ``value``, at any depth, has a key that json.dumps cannot write (an `Opaque`, a tuple)."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if not all(isinstance(k, _KEY_TYPES) for k in node):
                return True
            stack.extend(node.values())
        elif isinstance(node, list | tuple):
            stack.extend(node)
    return False


def _valid(intent: Intent, message: Any, state: RunState) -> str | None:
    """The notification against its variant's schema; one a broker delivered, its body against oslo's wire format
    too, where the listener found it broken (`Delivered.wire`: an envelope key more, an ``oslo.version`` other than
    2.0, a ``_unique_id`` missing, D79), as ``listen`` judges it."""
    if not _json_only(message):
        return "holds a value JSON cannot carry, so no schema can judge it"
    wire = message.wire if isinstance(message, Delivered) else ()
    errors = [*wire, *iter_errors(message, profile=intent["profile"])]
    # Each pointer closed: a reason is masked again as it is written, and a pointer ending in a masked value
    # (/payload/properties/password=***) would take the colon after it for the rest of the value.
    shown = [one_line(f"{closed(e.pointer or '/')}: {e.message} [{e.rule}]") for e in errors[:3]]
    return "; ".join(shown) if errors else None


_JSON_NAMES = {dict: "an object", list: "an array", str: "a string", int: "a number", float: "a number",
               bool: "a boolean", type(None): "null"}  # fmt: skip


def what_it_is(value: Any) -> str:
    """What a value is, as a message about it says: its JSON type, or what a producer's object was (`Opaque.kind`:
    a set, a generator, a coroutine, a class of its own), never the name of a class of the suite's."""
    if isinstance(value, Opaque):
        return value.described()
    return _JSON_NAMES.get(type(value)) or f"a {closed(type_name(value))}"


def _six_keys(intent: Intent, message: Any, state: RunState) -> str | None:
    if not isinstance(message, dict):
        return f"not an object: {what_it_is(message)}"
    extra = sorted(json_shown(key, 100) for key in message if key not in ENVELOPE)  # keys of any type: sorted as text
    missing = [json_shown(key) for key in ENVELOPE if key not in message]
    parts = [f"{name} keys [{', '.join(keys)}]" for name, keys in (("extra", extra), ("missing", missing)) if keys]
    return "; ".join(parts) or None


def _as_asked(intent: Intent, message: Any, state: RunState) -> str | None:
    if not isinstance(message, dict):
        return f"not an object: {what_it_is(message)}"
    wrong = [f"{key} {_field_shown(message, key)}, asked for {json_shown(intent[key])}"
             for key in ("event_type", "priority") if key not in message or message[key] != intent[key]]  # fmt: skip
    return "; ".join(wrong) or None


def _unique_uuid(intent: Intent, message: Any, state: RunState) -> str | None:
    if not isinstance(message, dict):  # "message_id None" would read as a null the producer sent
        return f"not an object: {what_it_is(message)}"
    message_id = message.get("message_id")
    if not isinstance(message_id, str) or not _UUID.fullmatch(message_id):
        return _not_as_required(message, "message_id", "a UUID in canonical form")
    if message_id in state.ids:
        return f"message_id {message_id} was already used in this run"
    state.ids.add(message_id)
    return None


def _not_as_required(message: dict[Any, Any], key: str, required: str) -> str:
    """Why the value of ``key`` is not the ``required`` one: it is missing, or it is another (named as JSON)."""
    if key not in message:
        return f"{key} missing: it is {required}"
    return f"{key} {json_shown(message[key])} is not {required}"


def _timestamp(intent: Intent, message: Any, state: RunState) -> str | None:
    if not isinstance(message, dict):
        return f"not an object: {what_it_is(message)}"
    stamp = message.get("timestamp")
    if not isinstance(stamp, str) or not _OSLO_TIME.fullmatch(stamp):
        return _not_as_required(message, "timestamp", "oslo's UTC form YYYY-MM-DD HH:MM:SS[.ffffff]")
    try:
        when = datetime.datetime.fromisoformat(stamp)
    except ValueError as error:  # the form, but no time there is: February 30th, hour 24, year 0
        return f"timestamp {stamp} is in oslo's form but is no time: {error}"
    slack = datetime.timedelta(seconds=2)
    if state.call_started and state.call_ended and not (state.call_started - slack <= when <= state.call_ended + slack):
        return f"timestamp {stamp} is not the time of the call (UTC {state.call_started:%H:%M:%S}); local time?"
    return None


def _faithful(intent: Intent, message: Any, state: RunState) -> str | None:
    if not isinstance(message, dict):
        return f"not an object: {what_it_is(message)}"
    if "payload" not in message:
        return "payload missing"
    payload = message["payload"]
    expected = expected_payload(intent)
    if isinstance(expected, str) and isinstance(payload, str):
        # A text payload carries the text that went in; a producer may say more around it, as Glance does.
        return None if expected in payload else f"payload {json_shown(payload)} does not carry {json_shown(expected)}"
    if not isinstance(expected, dict):
        return None if same_json(payload, expected) else f"payload {json_shown(payload)} is not {json_shown(expected)}"
    if not isinstance(payload, dict):
        return f"payload is {what_it_is(payload)}, expected the record's fields"
    lossy = intent["profile"] == "glance" and intent["event_type"].startswith("metadef_object.")
    own = SET_BY_PRODUCER.get((intent["profile"], intent["event_type"]), frozenset())
    wrong = [k for k, v in expected.items()
             if k in payload and k not in own and not _same(k, payload[k], v, falsy_as_null=lossy)]  # fmt: skip
    missing = [k for k in expected if k not in payload]
    parts = [f"{how} {json_shown(keys[:5])}" for how, keys in (("changed", wrong), ("dropped", missing)) if keys]
    return f"fields not as the intent gave them: {', '.join(parts)}" if parts else None


def _same(key: str, sent: Any, given: Any, *, falsy_as_null: bool = False) -> bool:
    """Equal as JSON values (`same_json`), except that tags are a set (Glance keeps an image's tags in a set and
    sends them in its order), and that with ``falsy_as_null`` a metadef object's property may carry null for a falsy
    attribute (DECISIONS D29)."""
    if key in UNORDERED and isinstance(sent, list) and isinstance(given, list):
        if len(sent) != len(given):
            return False
        left = list(sent)  # each tag given matched with one sent, once: a multiset, in any order
        for tag in given:
            match = next((n for n, item in enumerate(left) if same_json(item, tag)), None)
            if match is None:
                return False
            del left[match]
        return True
    if falsy_as_null and key == "properties" and isinstance(sent, list) and isinstance(given, list):
        return len(sent) == len(given) and all(_same_property(s, g) for s, g in zip(sent, given, strict=True))
    return same_json(sent, given)


def _same_property(sent: Any, given: Any) -> bool:
    if not isinstance(sent, dict) or not isinstance(given, dict) or sent.keys() != given.keys():
        return same_json(sent, given)
    return all(same_json(sent[k], v) or (sent[k] is None and not v and k != "name") for k, v in given.items())


def same_json(sent: Any, given: Any) -> bool:
    """Whether two values are one JSON value (DECISIONS D100): a boolean only the same boolean, never the number
    Python takes it for (``true`` is not ``1``, ``false`` not ``0``); numbers by their value, as JSON Schema
    compares them (``1.0`` is ``1``: `json.integers` judges how an integer is written); text, null, arrays and
    objects item by item. A tuple is the array of a tuple only (`json.round_trip` judges it); anything else (a
    producer's object, read as an `Opaque`) is no JSON value and equals nothing. One walk, no recursion."""
    stack = [(sent, given)]
    while stack:
        a, b = stack.pop()
        if isinstance(a, bool) or isinstance(b, bool):
            if not (type(a) is bool and type(b) is bool and a == b):
                return False
        elif isinstance(a, int | float) and isinstance(b, int | float):
            if a != b:
                return False
        elif isinstance(a, dict) and isinstance(b, dict):
            if a.keys() != b.keys():
                return False
            stack.extend((a[k], b[k]) for k in b)
        elif (isinstance(a, list) and isinstance(b, list)) or (isinstance(a, tuple) and isinstance(b, tuple)):
            if len(a) != len(b):
                return False
            stack.extend(zip(a, b, strict=True))
        elif not (isinstance(a, str | type(None)) and type(a) is type(b) and a == b):
            return False
    return True


def _json_only(value: Any) -> bool:
    if value is None or isinstance(value, str | bool | int):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(_json_only(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _json_only(v) for k, v in value.items())
    return False


def _round_trip(intent: Intent, message: Any, state: RunState) -> str | None:
    """A message that JSON carries as it is. Python's json module writes a lone surrogate as ``\ud800`` and reads it
    back, but that is no Unicode text: UTF-8 cannot encode it, strict parsers (orjson, serde_json) refuse the
    message, and Go's encoding/json reads it as U+FFFD, another text."""
    if not _json_only(message):
        return "holds a value JSON cannot carry (a non-string key, NaN, a date object, ...)"
    unicode = next((p for p in to_wire(message).problems if p.rule == "unicode"), None)
    if unicode is not None:
        return (f"holds text that is not valid Unicode at {closed(mask_pointer(unicode.pointer) or '/')}: a strict "
                "JSON parser refuses the message, and others read another text")  # fmt: skip
    return None if json.loads(json.dumps(message)) == message else "changes in a JSON round trip"


# The intents' credentials in the forms a producer may write them once its JSON is parsed (parsing undoes one level
# of JSON escapes; a JSON text inside a string keeps its own).
_SECRET_FORMS = credential_forms()


def _strings(value: Any) -> Iterator[tuple[str | Opaque, str, bool]]:
    """Every string of a parsed notification with its JSON pointer and whether it is a key (a key is named by the
    object that holds it: its own pointer would quote it), each `Opaque` as it is (its credentials were found when
    it was read), and the repr of anything else; one walk, no recursion."""
    stack: list[tuple[Any, str]] = [(value, "")]
    while stack:
        node, pointer = stack.pop()
        if isinstance(node, str):
            yield node, pointer, False
        elif isinstance(node, dict):
            for key, item in node.items():
                yield key if isinstance(key, Opaque) else str(key), pointer, True
                stack.append((item, f"{pointer}/{_token(key)}"))
        elif isinstance(node, list | tuple):
            stack.extend((item, f"{pointer}/{index}") for index, item in enumerate(node))
        elif isinstance(node, Opaque):
            yield node, pointer, False
        elif node is not None and not isinstance(node, bool | int | float):
            yield repr(node), pointer, False


def _token(key: Any) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


def _no_leak(intent: Intent, message: Any, state: RunState) -> str | None:
    """The forbidden keys in the payload, and the intent's credentials anywhere, named by where they are (a key by
    the object that holds it, never by its own text). A part of a callable's answer that was not read (an `Opaque`:
    a generator, a set, a mapping of its own, what contains itself, nests too deep or holds too many values) is
    judged by its ``repr``, which need not show what oslo would send of it (to_primitive writes a generator's or a
    mapping's content): with no credential in sight, it fails as unjudged, never passes."""
    payload = message.get("payload") if isinstance(message, dict) else None
    if isinstance(payload, dict):
        leaked = [k for k in _FORBIDDEN if k in payload]
        if leaked:
            return f"payload carries {json_shown(leaked)}"
    # Anywhere in the notification, free text and keys included.
    found: dict[tuple[str, bool], set[str]] = {}
    for text, pointer, key in _strings(message):
        held = text.credentials if isinstance(text, Opaque) else _held(text)
        for form in held:
            found.setdefault((pointer, key), set()).add(form)
    if found:
        places = [f"{'a key of ' if key else ''}{closed(mask_pointer(pointer) or '/')}" for pointer, key in found]
        more = f" and {len(places) - 3} more place(s)" if len(places) > 3 else ""
        forms = len(set().union(*found.values()))
        return f"the intent's credentials appear in the notification at {', '.join(places[:3])}{more} ({forms} form(s))"
    unread = _first_opaque(message)
    if unread is not None:
        return (f"holds {unread.described()}, whose content was not read, so whether it carries the intent's "
                "credentials cannot be judged")  # fmt: skip
    return None


def _held(text: str) -> list[str]:
    """The forms of the intents' credentials that ``text`` holds, in any case."""
    lowered = text.lower()
    return [form for form in _SECRET_FORMS if form in lowered]


def _first_opaque(value: Any) -> Opaque | None:
    """The first part of a callable's answer, key or value, at any depth, that was not read (`Opaque`)."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, Opaque):
            return node
        if isinstance(node, dict):
            stack.extend(node.values())
            stack.extend(node)
        elif isinstance(node, list | tuple):
            stack.extend(node)
    return None


def _stable_publisher(intent: Intent, message: Any, state: RunState) -> str | None:
    """A message fails when its publisher_id is not the one its intent asks for, or (none asked) not that of the
    last message that named one: each change fails once, where it happens. A message that names none (no object, no
    text) fails itself and changes nothing: it neither becomes the run's publisher nor makes every later message a
    change."""
    publisher = message.get("publisher_id") if isinstance(message, dict) else None
    if not isinstance(publisher, str):
        what = f"not an object: {what_it_is(message)}" if not isinstance(message, dict) else \
            "missing" if "publisher_id" not in message else f"{json_shown(publisher, 100)} is not a string"  # fmt: skip
        return f"no publisher_id to judge ({what})"
    publisher = str.__str__(publisher)  # the text itself, whatever a producer's subclass does when compared
    last, state.publisher = state.publisher, publisher
    if "publisher_id" in intent:  # the one asked for, whatever came before
        asked = intent["publisher_id"]
        if publisher != asked:
            return f"publisher_id {json_shown(publisher, 100)}, asked for {json_shown(asked, 100)}"
        return None
    if last is None or last == publisher:
        return None
    return f"publisher_id changed during the run: {json_shown(last, 100)}, then {json_shown(publisher, 100)}"


CHECKS: tuple[Check, ...] = (
    Check("schema.valid", "MUST", "The notification validates against its variant's schema (the profile's contract); "
          "from a broker, its body against oslo's wire format too (DECISIONS D79).", _valid),
    Check("envelope.keys", "MUST", "Every message contains a handful of attributes: message_id, publisher_id, "
          "event_type, priority, timestamp, payload - and nothing else (DECISIONS D6).", _six_keys),
    Check("envelope.as_asked", "MUST", "event_type is the event that generated the message; priority is the one "
          "the event was raised with - and the event asked for is sent.", _as_asked),
    Check("envelope.message_id", "MUST", "message_id: UUID identifying the message - unique over the run, the same "
          "intent asked twice included.", _unique_uuid),
    Check("envelope.once", "MUST", "An event is announced once: each intent yields one notification of the event "
          "asked for, not two (consumers such as billing and audit would count it twice).", lambda i, m, s: None),
    Check("envelope.timestamp", "MUST", "timestamp: UTC timestamp of when event was generated, in oslo's form "
          "(DECISIONS D7), within the time of the call.", _timestamp),
    Check("payload.faithful", "MUST", "The payload carries the record that went in: the image id, size, owner, ... "
          "come out unchanged.", _faithful),
    Check("json.round_trip", "MUST", "The notification survives a JSON round trip unchanged.", _round_trip),
    Check("json.integers", "SHOULD", "An integer field is written as an integer (10, not 10.0): typed consumers in "
          "Go, Java or TypeScript read 10.0 as a float.", _integers),
    Check("json.unique_keys", "MUST", "Each object of the notification's JSON text names each key once: parsers "
          "disagree on which of two values counts (DECISIONS D35).", _unique_keys),
    Check("security.no_leak", "MUST", "Payloads never carry image locations or task input: they may hold "
          "credentials (DECISIONS D18, D21).", _no_leak),
    Check("publisher.stable", "SHOULD", "publisher_id names the producing instance and stays the same over a run.",
          _stable_publisher),
)  # fmt: skip

_IMAGE_ORDER = {"image.prepare": 0, "image.upload": 1, "image.activate": 2}
_TASK_ORDER = {"task.run": 0, "task.processing": 1, "task.success": 2, "task.failure": 2}


class _Lifecycle:
    """The orders the specification's events imply, per image and per task id, judged a message at a time."""

    def __init__(self) -> None:
        self.progress: dict[str, int] = {}
        self.deleted: set[str] = set()

    def __call__(self, m: Any) -> list[str]:
        """What is wrong with the order of ``m``, the next message of the stream (any record; the runner says where
        it stands). One that names no event type or subject as text (no object, an event type of 5 or [1]) has no
        place in a lifecycle: the other checks fail it. A record that could not be read may be any event (an
        image.delete, say), so the order around it cannot be judged: it fails, as every other check fails it, and a
        stream of such records alone passes no check."""
        if isinstance(m, Unreadable):
            return ["unreadable, so where it stands in a lifecycle cannot be judged"]
        if not isinstance(m, dict):
            return []
        payload = m.get("payload")
        event = m.get("event_type")
        subject = payload if isinstance(payload, str) else payload.get("id") or payload.get("image_id") or \
            payload.get("task_id") if isinstance(payload, dict) else None  # fmt: skip
        if not isinstance(subject, str) or not isinstance(event, str) or m.get("priority") != "INFO":
            return []  # an event type that is no text (a list, an object) names no step of a lifecycle
        subject, event = str.__str__(subject), str.__str__(event)  # the text, whatever a subclass hashes as
        problems = []
        if subject in self.deleted and event.startswith("image."):
            problems.append(f"{event} for image {subject} after its image.delete")
        if event == "image.delete":
            self.deleted.add(subject)
        order = _IMAGE_ORDER if event in _IMAGE_ORDER else _TASK_ORDER if event in _TASK_ORDER else None
        if order is not None:
            key = f"{subject}:{'image' if order is _IMAGE_ORDER else 'task'}"
            if order[event] < self.progress.get(key, -1):
                problems.append(f"{event} for {subject} after a later step of its lifecycle")
            self.progress[key] = max(self.progress.get(key, -1), order[event])
        return problems


# Each stream check with the maker of a fresh judge, which is handed the stream's records one by one, in order.
STREAM_CHECKS: tuple[tuple[Check, Callable[[], Callable[[Any], list[str]]]], ...] = (
    (Check("stream.lifecycle", "SHOULD", "Lifecycles keep their order: prepare, upload, activate; run, processing, "
           "success or failure; nothing for an image after its delete.", lambda i, m, s: None), _Lifecycle),
)  # fmt: skip
