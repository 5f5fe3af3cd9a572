"""Validate a notification against the schema of its own variant.

The message is dispatched on ``(event_type, priority)`` to that variant's validator, built once per process from
the variant's bundled schema and shared between threads. Two backends read the same schema: ``"rust"``
(jsonschema-rs, the default, at the speed of JSON parsing) and ``"python"`` (python-jsonschema, the reference).
"""

from __future__ import annotations

import functools
import json
import math
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Literal, Protocol, cast

import jsonschema_rs
import orjson

from notify_schemas.errors import InvalidNotificationError, UnknownVariantError
from notify_schemas.fresh_stack import on_fresh_stack, resumed_on_fresh_stack
from notify_schemas.lean import conjuncts, lean_validator
from notify_schemas.redaction import (
    MARK,
    NOTHING_TO_HIDE,
    given_text,
    listed,
    mask_pointer,
    mask_text,
    pointer_view,
    quoted,
    redact,
)
from notify_schemas.registry import bundled_schema, check_name, check_profile, definition_name, variant, variants
from notify_schemas.values import Variant, Violation, one_line
from notify_schemas.wire_form import (
    PLAIN,
    Problem,
    WireForm,
    has_no_wire_form_number,
    is_valid_text,
    judged_form,
    read_at_once,
    wire_view,
)

__all__ = [
    "Backend",
    "Violation",
    "capped",
    "check_arguments",
    "is_valid",
    "is_valid_plain",
    "iter_errors",
    "payload_verdicts",
    "publisher_id_is_valid",
    "register_payload_verdict",
    "repeated_key",
    "validate",
    "validity_table",
    "wire_errors",
]

Backend = Literal["rust", "python"]
_VALUE_WIDTH = 80
_MESSAGE_WIDTH = 240
_encode_string = json.encoder.encode_basestring  # the C encoder when present
_encode_ascii = json.encoder.encode_basestring_ascii


def _shorten(value: Any) -> str:
    """The value as JSON, redacted and cut to 80 characters; text that is not valid Unicode is shown escaped."""
    if isinstance(value, str):
        text = mask_text(value)
        text = _quoted(text)
    elif value is None or isinstance(value, bool):
        text = "null" if value is None else ("true" if value else "false")
    elif isinstance(value, int):
        text = str(value)
    elif type(value) is float:
        text = repr(value)
    else:
        # The wire form has no lone surrogate, no NaN and no object: what has none is null there.
        text = _on_one_line(json.dumps(redact(wire_view(value).value), ensure_ascii=False, separators=(",", ":")))
    return text if len(text) <= _VALUE_WIDTH else text[: _VALUE_WIDTH - 3] + "..."


_LINE_BREAKS = re.compile("[\x85\u2028\u2029]")
"""What ``str.splitlines`` breaks a line at and JSON leaves as it is (it escapes every control character below
U+0020, ``\\x1c`` to ``\\x1e`` among them): none is ASCII."""


def _quoted(text: str) -> str:
    """Text (masked already) as a JSON string on one line: quotes, backslashes and control characters escaped as
    JSON escapes them, the other line breaks of ``str.splitlines`` too, text that is not valid Unicode in ASCII."""
    return _on_one_line(_encode_string(text) if is_valid_text(text) else _encode_ascii(text))


def _on_one_line(written: str) -> str:
    """JSON text with the line breaks it leaves as they are (`_LINE_BREAKS`) escaped as ``\\uXXXX``."""
    if written.isascii() or not _LINE_BREAKS.search(written):
        return written
    return _LINE_BREAKS.sub(lambda m: f"\\u{ord(m.group()):04x}", written)


def _json(value: Any) -> str:
    """A value of the schema's own (a type's name, an enum's options, a bound, a regex) as compact JSON on one line."""
    if isinstance(value, str):
        return _quoted(value)
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError):
        return _quoted(str(value))
    return _on_one_line(text)


def _either(values: Any) -> str:
    """``"a"``, ``"a" or "b"``, ``"a", "b" or "c"``: the values a rule allows, each as JSON."""
    written = [_json(v) for v in (values if isinstance(values, list) else [values])]
    return written[0] if len(written) == 1 else ", ".join(written[:-1]) + " or " + written[-1]


def _counted(n: Any, one: str, many: str) -> str:
    return f"{_json(n)} {one if n == 1 else many}"


def _keys(keys: Iterable[Any]) -> str:
    """Keys of a message, each masked and quoted as JSON: a key holding a quote or a comma reads as one key."""
    return ", ".join(_quoted(mask_text(str.__str__(k))) if isinstance(k, str) else _json(k) for k in keys)


def _unexpected(instance: Any, schema: Any) -> list[Any]:
    """The keys of an object that its schema's ``properties`` and ``patternProperties`` do not name, in its order."""
    if not isinstance(instance, Mapping) or not isinstance(schema, Mapping):
        return []
    named = schema.get("properties", {})
    patterns = list(schema.get("patternProperties", {}))
    return [k for k in instance if k not in named and not any(re.search(p, k) for p in patterns)]


# Each rule's words around the value shown, from the schema's own value for the rule (`_words`). Both backends
# write a violation in these words, never in their own, which differ (D77).
_AROUND: dict[str, Callable[[Any], str]] = {
    "type": lambda v: f" is not of type {_either(v)}",
    "enum": lambda v: f" is not one of {_either(v)}",
    "pattern": lambda v: f" does not match {_json(v)}",
    "minLength": lambda v: f" is shorter than {_counted(v, 'character', 'characters')}",
    "maxLength": lambda v: f" is longer than {_counted(v, 'character', 'characters')}",
    "minimum": lambda v: f" is less than the minimum of {_json(v)}",
    "maximum": lambda v: f" is greater than the maximum of {_json(v)}",
    "exclusiveMinimum": lambda v: f" is less than or equal to the minimum of {_json(v)}",
    "exclusiveMaximum": lambda v: f" is greater than or equal to the maximum of {_json(v)}",
    "multipleOf": lambda v: f" is not a multiple of {_json(v)}",
    "minItems": lambda v: f" has fewer than {_counted(v, 'item', 'items')}",
    "maxItems": lambda v: f" has more than {_counted(v, 'item', 'items')}",
    "minProperties": lambda v: f" has fewer than {_counted(v, 'property', 'properties')}",
    "maxProperties": lambda v: f" has more than {_counted(v, 'property', 'properties')}",
    "uniqueItems": lambda v: " has non-unique elements",
    "not": lambda v: f" should not be valid under {_json(v)}",
    "anyOf": lambda v: " is not valid under any of the given schemas",
}


_written: dict[tuple[str, int], tuple[Any, str]] = {}
"""(rule, id of the schema that states it) -> (that schema, the words it gives): written once per place of a schema,
the schema held so that its id is not another's."""


def _schema_words(rule: str, schema: Mapping[str, Any]) -> str:
    """The words a rule's value in a schema gives, masked: `_AROUND`'s, or a ``const``'s."""
    key = (rule, id(schema))
    found = _written.get(key)
    if found is None:
        if len(_written) > 10_000:  # schemas built by a caller, not the bundled ones: let go of them
            _written.clear()
        expected = schema[rule]
        around = _AROUND.get(rule)
        words = mask_text(around(expected) if around is not None else f"{_json(expected)} was expected")
        found = _written[key] = (schema, words)
    return found[1]


_WORDED = frozenset({*_AROUND, "const", "required", "additionalProperties"})


def _words(rule: str, shown: str, schema: Mapping[str, Any], keys: list[Any] | None) -> str | None:
    """A violation in the package's words, the same whichever backend found it: the value as shown (redacted, cut),
    the schema's own values and a message's keys as JSON. None for a rule these words do not cover."""
    if rule in _AROUND:
        return shown + _schema_words(rule, schema)
    if rule == "const":
        return _schema_words(rule, schema)
    if rule == "required" and keys:
        return mask_text(f"{_keys(keys)} is a required property")
    if rule == "additionalProperties" and keys:
        verb = "was" if len(keys) == 1 else "were"
        return mask_text(f"Additional properties are not allowed ({_keys(keys)} {verb} unexpected)")
    return None


_ECHO_SUFFIX = ' is not of type "null"'


@functools.cache
def _echo() -> jsonschema_rs.Validator:
    """A validator that fails everything but null, so that its message starts with the value as jsonschema-rs
    writes it."""
    return jsonschema_rs.validator_for({"type": "null"})


def _as_rust_writes(value: Any) -> str:
    """The value as jsonschema-rs writes it in a message: compact JSON, with an object's keys sorted and its own way
    of writing floats, which ``json.dumps`` does not match (an object or an array is written by jsonschema-rs itself:
    a message in which its text were not found and replaced would show the value unredacted)."""
    kind = type(value)
    if kind is str:
        return _encode_string(value)
    if value is None or kind is bool:
        return "null" if value is None else ("true" if value else "false")
    if kind is int or (kind is float and math.isfinite(value)):
        return repr(value)  # as json.dumps writes them; a float jsonschema-rs writes otherwise (1e16) hides nothing
    for error in _echo().iter_errors(value):
        if error.message.endswith(_ECHO_SUFFIX):
            return error.message[: -len(_ECHO_SUFFIX)]
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _token(part: Any) -> str:
    text = str(part)
    return text.replace("~", "~0").replace("/", "~1") if "~" in text or "/" in text else text


def _pointer(path: Any) -> str:
    return "/" + "/".join(map(_token, path)) if path else ""


def instance_path(error: jsonschema_rs.ValidationError) -> list[str | int]:
    """Where a jsonschema-rs error is, empty keys included.

    jsonschema-rs leaves a key that is the empty string out of ``instance_path`` (``{"a": {"": 2}}`` fails at
    ``["a"]``), but names it in its verbose message (``On instance["a"][""]:``), where keys are written unescaped. The
    empty keys are put back where the verbose message has them between the keys it does give; a message with no
    ``[""]`` in it (nearly all) costs one search of the text.
    """
    path = error.instance_path
    verbose = error.verbose_message
    if '[""]' not in verbose:
        return path
    start = verbose.find(_ON_INSTANCE)
    while start != -1:
        found = _with_empty_keys(verbose, start + len(_ON_INSTANCE), path, 0)
        if found is not None:
            return found
        start = verbose.find(_ON_INSTANCE, start + 1)
    return path


_ON_INSTANCE = "\n\nOn instance"


def _with_empty_keys(text: str, at: int, path: list[str | int], i: int) -> list[str | int] | None:
    """``path[i:]`` with empty keys put where ``text[at:]`` writes them, if it writes that path and then ``:``."""
    found: list[str | int] = []
    while True:
        if i == len(path):
            while text.startswith('[""]', at):
                found.append("")
                at += 4
            return found if text.startswith(":\n", at) else None
        part = path[i]
        written = f"[{part}]" if type(part) is int else f'["{part}"]'
        if not text.startswith(written, at):
            if not text.startswith('[""]', at):
                return None
            found.append("")
            at += 4
            continue
        if text.startswith('[""]', at):  # a key that starts with '"]' is written as if an empty key came first
            rest = _with_empty_keys(text, at + 4, path, i)
            if rest is not None:
                return [*found, "", *rest]
        found.append(part)
        at += len(written)
        i += 1


class _Checker(Protocol):
    fast: Callable[[Any], bool]
    """The validator's own is_valid, with no Python frame in between: what the hot path calls."""

    def violations(self, message: Any) -> Iterator[Violation]: ...


def _message(
    rule: str, message: str, shown: str, instance_text: str | None, schema: Any, keys: list[Any] | None = None
) -> str:
    """The violation in the package's words (`_words`), with the value as it may be shown (redacted, cut); for a rule
    they do not cover, the validator's words, the value shown in place of the value itself. ``schema`` is the part of
    the schema that holds the rule, ``keys`` the keys a ``required`` or an ``additionalProperties`` names.

    For a pattern, the name of the value type reads better than the regex.
    """
    if rule == "pattern" and isinstance(schema, Mapping) and "title" in schema:
        return f"{shown} is not a valid {schema['title']}"
    if rule in _WORDED and (type(schema) is dict or isinstance(schema, Mapping)) and rule in schema:
        words = _words(rule, shown, schema, keys)
        if words is not None:
            return words if len(words) <= _MESSAGE_WIDTH else words[: _MESSAGE_WIDTH - 3] + "..."
    if instance_text and instance_text in message:
        # The words around the value masked, the value shown as it is: masked and cut already, and masked again
        # a value cut inside a mark would read as one that never ends (D73), the words after it withheld.
        before, _, after = message.partition(instance_text)
        message = mask_text(before) + shown + mask_text(after)
    else:
        message = mask_text(message)
    if not is_valid_text(message):
        message = message.encode("utf-8", "backslashreplace").decode("utf-8")
    message = one_line(message)
    return message if len(message) <= _MESSAGE_WIDTH else message[: _MESSAGE_WIDTH - 3] + "..."


def _forbidden(pointer: str, key: tuple[str, str] | None) -> Violation:
    return Violation(pointer, MARK, "forbidden", "this key must never be sent: it may hold credentials", key)


def _closed(schema: Mapping[str, Any]) -> bool:
    """Whether the schema type-checks every value a message can hold, and admits no number but integers.

    Then jsonschema-rs reads every value of a message, so a value it cannot read raises instead of passing, and a
    NaN or an infinity fails a type; a message that is plain JSON (`is_plain`) gets the verdict its wire form gets.
    A schema with a free value or a non-integer number (a task's result in the seed profile, a metadef property's
    bounds) is judged on the wire form of every message instead.
    """
    definitions = schema.get("definitions", {})

    def parts(node: Any) -> list[Any]:
        if not isinstance(node, dict):
            return [node]
        if "$ref" in node:
            return parts(definitions[definition_name(node["$ref"])])
        return [node] + [p for sub in node.get("allOf", []) for p in parts(sub)]

    busy: set[str] = set()

    def closed(nodes: list[Any]) -> bool:
        conjuncts = [p for n in nodes for p in parts(n)]
        if any(p is False for p in conjuncts):
            return True
        conjuncts = [p for p in conjuncts if isinstance(p, dict)]
        mark = json.dumps(conjuncts, sort_keys=True)
        if mark in busy:  # a recursive schema admits any depth: never closed, so orjson meets no deep run (D98)
            return False
        busy.add(mark)
        try:
            return judge(conjuncts)
        finally:
            busy.discard(mark)

    def judge(conjuncts: list[dict[str, Any]]) -> bool:
        if any("enum" in p or "const" in p for p in conjuncts):
            return True
        for p in conjuncts:
            for combinator in ("anyOf", "oneOf"):
                if combinator in p and all(closed([b]) for b in p[combinator]):
                    return True
        typed = [p["type"] for p in conjuncts if "type" in p]
        if not typed:
            return False
        types = set.intersection(*({t} if isinstance(t, str) else set(t) for t in typed))
        if "number" in types:
            return False
        if "object" in types:
            for name in {k for p in conjuncts for k in p.get("properties", {})}:
                if not any(closed([s]) for s in _key_schemas(conjuncts, name)) and not closed(
                    _key_schemas(conjuncts, name)
                ):
                    return False
            others = [
                all(closed([s]) for s in p.get("patternProperties", {}).values())
                and closed([p.get("additionalProperties", True)])
                for p in conjuncts
            ]
            if not any(others):
                return False
        return "array" not in types or any(closed([p["items"]]) for p in conjuncts if "items" in p)

    return closed([schema])


def _key_schemas(conjuncts: list[dict[str, Any]], name: str) -> list[Any]:
    """What each conjunct asks of the value under ``name``."""
    found: list[Any] = []
    for p in conjuncts:
        if name in p.get("properties", {}):
            found.append(p["properties"][name])
            continue
        matching = [s for pattern, s in p.get("patternProperties", {}).items() if re.search(pattern, name)]
        found += matching or [p.get("additionalProperties", True)]
    return found


_FALSE_SCHEMA = jsonschema_rs.ValidationErrorKind.FalseSchema


class _RustChecker:
    def __init__(self, schema: Mapping[str, Any], key: tuple[str, str] | None) -> None:
        # Every $ref inlined (the bundled schemas have no cycles): jsonschema-rs then follows no reference at run time.
        prepared = jsonschema_rs.dereference(dict(schema))
        prepared.pop("definitions", None)
        self.prepared = prepared
        """The schema with every reference inlined, as jsonschema-rs reads it."""
        self._subschemas: dict[tuple[Any, ...], Any] = {}
        self._key = key
        # The verdict comes from the lean copy (`notify_schemas.lean`): the same answers, less to check.
        self.fast: Callable[[Any], bool] = lean_validator(prepared).is_valid

    def _subschema(self, path: Any) -> Any:
        key = tuple(path)
        found = self._subschemas.get(key)
        if found is None:
            found = self.prepared
            for part in path:
                found = found[part] if isinstance(found, Mapping) else found[int(part)]
            self._subschemas[key] = found
        return found

    @functools.cached_property
    def _validator(self) -> jsonschema_rs.Validator:
        """The whole schema's validator, for reports: built when the first invalid message comes."""
        return jsonschema_rs.validator_for(self.prepared)

    def violations(self, message: Any) -> Iterator[Violation]:
        shown_at: dict[str, str] = {}  # several rules fail on one value: it is shown once
        for error in self._validator.iter_errors(message):
            pointer = _pointer(instance_path(error))
            kind: Any = error.kind  # a subclass per rule, each with its own attributes
            if type(kind) is _FALSE_SCHEMA:
                yield _forbidden(pointer, self._key)
                continue
            schema_path = error.schema_path
            rule = str(schema_path[-1]) if schema_path else "schema"
            schema = self._subschema(schema_path[:-1]) if schema_path else None
            if pointer not in shown_at:
                shown_at[pointer] = _shorten(error.instance)
            shown = shown_at[pointer]
            text = None if rule in _WORDED else _as_rust_writes(error.instance)  # the words of its own, else
            keys = None
            if rule == "required":
                keys = [kind.property]
            elif rule == "additionalProperties":
                keys = _in_order(kind.unexpected, error.instance)
            said = _message(rule, error.message, shown, text, schema, keys)
            yield Violation(pointer, shown, rule, said, self._key)


def _unique(items: Any) -> bool:
    """Whether no two of ``items`` are equal as JSON Schema counts it (``1`` and ``1.0`` equal, ``true`` and ``1``
    not, objects whatever the order of their keys), as python-jsonschema's ``uniqueItems`` answers, without recursion.

    python-jsonschema compares two items by recursing into both, three Python frames a level: two items nested 250
    levels deep, which a message may hold, raised RecursionError out of `validate`, `iter_errors` and the command line.
    Here each object and array, deepest first, gets the number of its contents' canonical form (its items' numbers,
    or its keys and their values' numbers), so that equal values get equal numbers; one pass, in linear time."""
    if all(type(item) is str for item in items):  # a list of texts (tags): the common case, at the cost of a set
        return len(set(items)) == len(items)
    numbers: dict[Any, int] = {}  # canonical form -> its number
    of: dict[int, int] = {}  # id of an object or array of ``items`` -> the number of its canonical form
    containers = []  # each after every container it holds: a container held in two places is numbered first
    stack: list[tuple[Any, bool]] = [(item, False) for item in items if isinstance(item, dict | list | tuple)]
    while stack:
        node, held_numbered = stack.pop()
        if held_numbered:  # what it holds is numbered: it comes next
            containers.append(node)
        elif isinstance(node, dict | list | tuple) and id(node) not in of:
            of[id(node)] = -1
            stack.append((node, True))
            stack.extend((held, False) for held in (node.values() if isinstance(node, dict) else node))

    def canonical(value: Any) -> Any:
        if isinstance(value, dict | list | tuple):
            return of[id(value)]
        if isinstance(value, str):
            return ("s", value)
        if value is True or value is False or value is None:
            return ("c", value)
        return ("n", value)  # a number: 1 == 1.0, and they hash alike

    for node in containers:
        if isinstance(node, dict):
            form: Any = ("o", frozenset((k, canonical(v)) for k, v in node.items()))
        else:
            form = ("a", tuple(canonical(v) for v in node))
        of[id(node)] = numbers.setdefault(form, len(numbers))
    seen = set()
    for item in items:
        form = canonical(item)
        if form in seen:
            return False
        seen.add(form)
    return True


def _unique_items(validator: Any, unique: Any, instance: Any, schema: Any) -> Iterator[Any]:
    """python-jsonschema's ``uniqueItems``, judged by `_unique`. Its words are the package's (`_AROUND`)."""
    from jsonschema import ValidationError

    if unique and validator.is_type(instance, "array") and not _unique(instance):
        yield ValidationError("the array has non-unique elements")


@functools.lru_cache(maxsize=1024)
def _end_of_text(pattern: str) -> re.Pattern[str]:
    """A pattern compiled with each ``$`` outside a character class read as the end of the text (``\\Z``), as
    ECMA-262, which JSON Schema's patterns follow, and jsonschema-rs read it: Python's ``$`` also matches before a
    final newline."""
    out: list[str] = []
    i, opened = 0, -1  # where the character class being read opened, -1 outside one
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if opened >= 0:  # a "]" first in its class ("[]", "[^]") is one of its characters, as in Python's re
            if c == "]" and i > opened + 1 + (pattern[opened + 1] == "^"):
                opened = -1
        elif c == "[":
            opened = i
        elif c == "$":
            c = "\\Z"
        out.append(c)
        i += 1
    return re.compile("".join(out))


def _pattern(validator: Any, pattern: Any, instance: Any, schema: Any) -> Iterator[Any]:
    """python-jsonschema's ``pattern``, with ``$`` the end of the text (`_end_of_text`), so that a value ending in a
    newline breaks the same rules for both backends (D104). Its words are the package's (`_AROUND`)."""
    from jsonschema import ValidationError

    if validator.is_type(instance, "string") and not _end_of_text(pattern).search(instance):
        yield ValidationError("the text does not match the pattern")


class _PythonChecker:
    def __init__(self, schema: Mapping[str, Any], key: tuple[str, str] | None) -> None:
        import jsonschema  # here, not at the top: the default backend never needs it

        draft7 = jsonschema.validators.extend(  # type: ignore[no-untyped-call]
            jsonschema.Draft7Validator, {"uniqueItems": _unique_items, "pattern": _pattern}
        )
        self._validator = draft7(schema)
        self._key = key
        # python-jsonschema walks the message in Python: another thread may change it meanwhile (`read_at_once`),
        # and each level of the walk counts against the caller's stack (D96, `on_fresh_stack`).
        self.fast: Callable[[Any], bool] = functools.partial(on_fresh_stack, read_at_once, self._validator.is_valid)

    def violations(self, message: Any) -> Iterator[Violation]:
        shown_at: dict[str, str] = {}  # several rules fail on one value: it is shown once
        refused: set[str] = set()
        for error in self._validator.iter_errors(message):
            if error.validator is None:  # a `false` schema: the key is not allowed at all
                pointer = _refused_at(message, self._validator.schema, error, refused)
                refused.add(pointer)
                yield _forbidden(pointer, self._key)
                continue
            pointer = _pointer(error.absolute_path)
            rule = str(error.validator)
            if pointer not in shown_at:
                shown_at[pointer] = _shorten(error.instance)
            shown = shown_at[pointer]
            text = None if rule in _WORDED else repr(error.instance)
            keys = None
            if rule == "required":
                keys = _missing(error)
            elif rule == "additionalProperties":
                keys = _unexpected(error.instance, error.schema)
            said = _message(rule, error.message, shown, text, error.schema, keys)
            yield Violation(pointer, shown, rule, said, self._key)


def _in_order(keys: list[Any], instance: Any) -> list[Any]:
    """The keys jsonschema-rs found not allowed, in the order of the object that holds them, as python-jsonschema
    names them."""
    order = {k: i for i, k in enumerate(instance)} if isinstance(instance, Mapping) else {}
    return sorted(keys, key=lambda k: order.get(k, len(order)))


def _missing(error: Any) -> list[Any] | None:
    """The key a python-jsonschema ``required`` error is about: the one of the schema's list its message quotes
    (it writes ``repr(key) + " is a required property"``, and holds the key nowhere else)."""
    for key in error.validator_value if isinstance(error.validator_value, list) else []:
        if error.message == f"{key!r} is a required property":
            return [key]
    return None


def _refused_at(message: Any, schema: Any, error: Any, taken: set[str]) -> str:
    """The pointer of the key a `false` schema refused, as jsonschema-rs gives it (``/payload/locations``).

    python-jsonschema's error for a `false` schema carries the path of the object that holds the key, not the key
    (its ``descend`` returns before adding it), and the path in the schema of the ``properties`` that hold the
    `false`. The key is one that those ``properties`` refuse and the object holds, not yet named, the one holding
    the very value refused first (several may); the object's pointer when no reading finds one."""
    path = list(error.absolute_path)
    try:
        node = message
        for part in path:
            node = node[part]
        refused = [key for key, sub in _schema_at(schema, list(error.absolute_schema_path)).items()
                   if sub is False and key in node]  # fmt: skip
    except (LookupError, TypeError, AttributeError):
        return _pointer(path)
    free = [key for key in refused if _pointer([*path, key]) not in taken]
    for key in free:
        if node[key] is error.instance:
            return _pointer([*path, key])
    return _pointer([*path, free[0]]) if free else _pointer(path)


def _schema_at(schema: Any, path: list[Any]) -> Any:
    """The part of ``schema`` at a python-jsonschema schema path, which steps through a ``$ref`` without naming it:
    where the next step is not in a part that refers to another (``#/definitions/...``), the one it refers to."""
    node = schema
    for part in path:
        while isinstance(node, dict) and part not in node and isinstance(node.get("$ref"), str):
            node = _local(schema, node["$ref"])
        node = node[part] if isinstance(node, dict) else node[int(part)]
    return node


def _local(schema: Any, reference: str) -> Any:
    """The part of ``schema`` a local reference (``#/definitions/image``) names."""
    if not reference.startswith("#"):
        raise LookupError(reference)
    node = schema
    for token in reference[1:].split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        node = node[token] if isinstance(node, dict) else node[int(token)]
    return node


_BACKENDS: dict[str, type[_RustChecker] | type[_PythonChecker]] = {"rust": _RustChecker, "python": _PythonChecker}


def check_arguments(profile: Any, backend: Any) -> None:
    """A known profile and backend, or an error that says what is known: `UnknownVariantError` or ``ValueError`` for
    an unknown name, ``TypeError`` for a value that is not text, never one from deep inside."""
    check_profile(profile)
    check_name(backend, _BACKENDS, "backend", ValueError)


_checkers: dict[tuple[str, str, str, str], _Checker] = {}
_lock = threading.Lock()


def _checker(profile: str, event_type: str, priority: str, backend: str) -> _Checker:
    """The validator of one variant, built on first use and then shared; never rebuilt."""
    key = (profile, event_type, priority, backend)
    found = _checkers.get(key)
    if found is None:
        with _lock:
            found = _checkers.get(key)
            if found is None:
                if event_type == "" and priority == "":
                    found = _BACKENDS[backend](_envelope(profile), None)
                else:
                    v = Variant(profile, event_type, priority)
                    found = _BACKENDS[backend](bundled_schema(v), (event_type, priority))
                _checkers[key] = found
    return found


def _envelope(profile: str) -> dict[str, Any]:
    """The envelope schema, standalone: as every bundled variant carries it, with the definitions it refers to. Read
    so, it needs no registry, which costs 40 ms to build (a producer's second notification checks its publisher id)."""
    bundled = bundled_schema(variants(profile)[0])
    return {"$schema": bundled["$schema"], **bundled["definitions"]["envelope"], "definitions": bundled["definitions"]}


@functools.cache
def _known(profile: str) -> frozenset[tuple[str, str]]:
    return frozenset((v.event_type, v.priority) for v in variants(profile))


@functools.cache
def _is_closed(profile: str, event_type: str, priority: str) -> bool:
    return _closed(bundled_schema(Variant(profile, event_type, priority)))


def _variant_key(message: Any) -> tuple[str, str]:
    """``(event_type, priority)`` when both are strings, else empty strings: values of any type must not crash."""
    if isinstance(message, dict):
        event_type, priority = message.get("event_type"), message.get("priority")
        if isinstance(event_type, str) and isinstance(priority, str):
            return event_type, priority
    return "", ""


def _valid_plain(checker: _Checker, profile: str, key: tuple[str, str], value: Any) -> bool:
    """The verdict on a plain JSON value; python-jsonschema answers for what jsonschema-rs cannot read."""
    try:
        return checker.fast(value)
    except (ValueError, OverflowError):  # jsonschema-rs: an integer past 64 bits, say
        return _checker(profile, key[0], key[1], "python").fast(value)


def _wire_verdict(message: Any, profile: str, backend: str) -> bool:
    """The exact verdict: the message's wire form, checked against its variant."""
    wire = wire_view(message)
    key = _variant_key(wire.value)
    if wire.problems or key not in _known(profile):
        return False
    return _valid_plain(_checker(profile, key[0], key[1], backend), profile, key, wire.value)


def _judges(profile: str, key: tuple[str, str], backend: str) -> tuple[Callable[[Any], bool], Callable[[Any], bool]]:
    """A variant's two verdict functions: for any message, and for a message known to be plain JSON."""
    checker = _checker(profile, key[0], key[1], backend)
    fast = checker.fast

    def on_wire(message: Any) -> bool:
        return _wire_verdict(message, profile, backend)

    def plain(message: Any) -> bool:
        # Plain JSON is its own wire form, but for a NaN or an infinity, which a schema with a free value or a
        # non-integer number would not see; a closed schema fails them on type. Nor does such a schema bound how deep
        # a free value's tuples nest, which orjson cannot be given past a few thousand (D98): a message holding a
        # tuple is not plain JSON, and is judged the long way (`is_valid`).
        try:
            return fast(message) and (closed or not has_no_wire_form_number(message, tuples=True))
        except (ValueError, OverflowError):  # an integer past 64 bits: the reference answers
            return _valid_plain(checker, profile, key, message)

    closed = _is_closed(profile, *key)
    if backend != "rust" or not closed:
        return on_wire, plain

    def exact(message: Any, dumps: Callable[..., bytes] = orjson.dumps, option: int = PLAIN) -> bool:
        # The schema first: a closed one bounds how deep a message it passes is, so orjson is never given a run of
        # tuples deeper than it can write (D98); a message it refuses is judged on its wire form.
        try:
            if not fast(message):
                return _wire_verdict(message, profile, backend)
            dumps(message, option=option)
            return True
        except Exception:  # not plain JSON, or a value jsonschema-rs cannot read or whose own code raises
            return _wire_verdict(message, profile, backend)

    return exact, plain


def _register(profile: str, key: tuple[str, str], backend: Backend) -> None:
    exact, plain = _judges(profile, key, backend)
    _exact.setdefault((profile, backend), {})[key] = exact
    validity_table(profile, backend)[key] = plain
    if backend == "rust" and _is_closed(profile, *key):
        _closed_fast.setdefault(profile, {})[key] = _checker(profile, key[0], key[1], backend).fast


def payload_verdicts(profile: str) -> dict[tuple[str, str], Callable[[Any], bool]]:
    """``(event_type, priority) -> is_valid`` of a payload alone, for variants whose schema type-checks every value,
    filled as variants are first used (`register_payload_verdict`).

    For a producer that builds the envelope itself (the Notifier): with a message id from `uuid4`, a timestamp from
    its clock, a publisher id checked once (`publisher_id_is_valid`) and a known variant's event type and priority,
    the message is valid exactly when its payload is. The payload must be plain JSON of exact types
    (`notify_schemas.wire_form.is_exact_json`); a miss means "not known yet", never "invalid". `TypeError` for a
    profile that is not text.
    """
    return _payload.setdefault(profile if type(profile) is str else given_text(profile, "profile"), {})


def register_payload_verdict(profile: str, event_type: str, priority: str) -> None:
    """Fill `payload_verdicts` for one variant, when it is known and its schema is closed. `TypeError` for a part
    that is not text; a str subclass is read as the text it holds."""
    if type(profile) is not str or type(event_type) is not str or type(priority) is not str:
        profile, event_type, priority = (given_text(profile, "profile"), given_text(event_type, "event_type"),
                                         given_text(priority, "priority"))  # fmt: skip
    key = (event_type, priority)
    if key not in _known(profile) or not _is_closed(profile, *key) or key in payload_verdicts(profile):
        return
    prepared = cast(_RustChecker, _checker(profile, event_type, priority, "rust")).prepared  # dereferenced already
    parts = [c["properties"]["payload"] for c in conjuncts(prepared) if "payload" in c.get("properties", {})]
    # Threads that race build one each; the first stays.
    payload_verdicts(profile).setdefault(key, lean_validator({"allOf": parts}).is_valid)


def publisher_id_is_valid(publisher_id: str) -> bool:
    """Whether a publisher id, of exact type ``str`` and valid Unicode, is what the envelope allows; false for
    anything else, which is not asked its hash (a list has none, a subclass's may raise)."""
    return type(publisher_id) is str and _publisher_id_is_valid(publisher_id)


@functools.lru_cache(maxsize=256)  # bounded: a server may prepare a publisher per host or worker
def _publisher_id_is_valid(publisher_id: str) -> bool:
    if not is_valid_text(publisher_id):  # jsonschema-rs raises on a lone surrogate
        return False
    probe = {
        "message_id": "00000000-0000-4000-8000-000000000000",
        "publisher_id": publisher_id,
        "event_type": "image.create",
        "priority": "INFO",
        "timestamp": "2026-01-01 00:00:00",
        "payload": {},
    }
    return bool(_checker("seed", "", "", "rust").fast(probe))


def is_valid_plain(value: Any, *, profile: str = "seed", backend: Backend = "rust") -> bool:
    """`is_valid` for what a JSON parser makes (objects, arrays, text, numbers, booleans and null), the wire form
    and its copy of the message skipped: the hot path of the CLI and the listener. Given anything else, the verdict
    may be wrong."""
    if type(value) is dict and _names(profile, backend):
        try:
            check = validity_table(profile, backend)[value["event_type"], value["priority"]]
            # A parser also makes what has no wire form: a lone surrogate from a "\ud800" escape, nesting past
            # MAX_DEPTH. orjson refuses both (TypeError), and `is_valid` below reports them. It is asked only of a
            # message the schema passed, which a tuple deeper than orjson can write does not (D98).
            if check(value):
                _dumps(value, None, PLAIN)
                return True
        except Exception:  # KeyError, TypeError; a producer's event type whose __hash__ raises
            pass
    return is_valid(value, profile=profile, backend=backend)


def iter_errors(message: Any, *, profile: str = "seed", backend: Backend = "rust") -> Iterator[Violation]:
    """Every violation of ``message`` against its variant in ``profile``; nothing when it is valid.

    What is checked is the message's wire form (`notify_schemas.wire_form`): a part that has none is a violation of
    its own (``not-json``, ``depth``, ``unicode``, ``duplicate-key``), and the rest is checked against the schema.
    A message whose ``(event_type, priority)`` is not in the profile yields one ``variant`` violation naming the
    known ones and the closest match, followed by whatever the envelope schema finds. Values and messages are
    redacted (`notify_schemas.redaction`) and cut, whatever the message holds.
    """
    check_arguments(profile, backend)
    yield from _reported(wire_view(message), str.__str__(profile), str.__str__(backend))


def wire_errors(wire: WireForm, *, profile: str = "seed", backend: Backend = "rust") -> Iterator[Violation]:
    """`iter_errors` of a message whose wire form was made already (`notify_schemas.wire_form.to_wire`).

    For a caller that judged a producer's value and must say why: the value is read once, since a second reading may
    answer otherwise (a generator is empty the second time, a mapping may hold other keys), and the violations would
    not be those of what was judged (none at all, for a message refused). ``wire`` that is no `WireForm` is a
    `TypeError` naming it.
    """
    check_arguments(profile, backend)
    _check_wire(wire)
    yield from _reported(wire, str.__str__(profile), str.__str__(backend))


def _check_wire(wire: Any) -> None:
    """A `TypeError` naming ``wire`` for what is no `WireForm` as `notify_schemas.wire_form.to_wire` makes one (a
    list of `Problem`, a size in bytes), which failed deep inside with AttributeError."""
    if not isinstance(wire, WireForm):
        raise TypeError(f"wire must be a WireForm (notify_schemas.wire_form.to_wire), not {quoted(wire)}")
    if type(wire.problems) is not list:
        raise TypeError(f"wire.problems must be a list of Problem, not {quoted(wire.problems)}")
    if type(wire.size) is not int:
        raise TypeError(f"wire.size must be a whole number, not {quoted(wire.size)}")
    for index, problem in enumerate(wire.problems):
        if not isinstance(problem, Problem):
            raise TypeError(f"wire.problems[{index}] must be a Problem, not {quoted(problem)}")


def _reported(wire: WireForm, profile: str, backend: str) -> Iterator[Violation]:
    """The violations of a wire form, found again on a stack of their own when the caller's has too little left for
    the message's depth (D96): python-jsonschema's walk and the JSON of a value shown count against it."""
    return resumed_on_fresh_stack(lambda: _capped(_wire_errors(wire, profile, backend)))


def capped(violations: Iterable[Violation]) -> Iterator[Violation]:
    """The first `MAX_VIOLATIONS` of one message's ``violations``, then one of rule ``too-many`` when there are more,
    whatever they come from (the parts that have no wire form, keys written twice, the schema): a 16 MiB line of
    lone surrogates or of one key written again and again is a thousand violations, not millions.

    What is no list is a `TypeError` naming ``violations`` when called; an item that is no `Violation`, or an error
    of the list's own as it is read, one naming it as the item is reached, its text masked (`listed`)."""
    if isinstance(violations, str | bytes) or not isinstance(violations, Iterable):
        raise TypeError(f"violations must be a list of Violation, not {quoted(violations)}")
    return _capped(_checked(violations))


def _checked(violations: Iterable[Any]) -> Iterator[Violation]:
    for index, v in listed(violations, "violations"):
        if not isinstance(v, Violation):
            raise TypeError(f"violations[{index}] must be a Violation, not {quoted(v)}")
        yield v


def _capped(violations: Iterable[Violation]) -> Iterator[Violation]:
    """`capped` of the violations the package found itself."""
    variant = None
    for n, v in enumerate(violations):
        if n == MAX_VIOLATIONS:
            yield _too_many(variant)
            return
        variant = variant or v.variant
        yield v


def _too_many(key: tuple[str, str] | None) -> Violation:
    why = f"more violations than the {MAX_VIOLATIONS:,} listed; the rest are not looked for"
    return Violation("", "", "too-many", why, key)


def _wire_errors(wire: WireForm, profile: str, backend: str) -> Iterator[Violation]:
    problems = [(p.pointer, p.rule, p.message) for p in wire.problems]
    value = wire.value
    event_type, priority = _variant_key(value)
    key = (event_type, priority) if (event_type, priority) in _known(profile) else None
    for problem in wire.problems:
        yield _as_written(Violation(problem.pointer, problem.shown, problem.rule, problem.message, key))

    def beneath_a_problem(v: Violation) -> bool:
        return any(v.pointer == p or v.pointer.startswith(p + "/") for p, _, _ in problems)

    if key is not None:
        found = _violations(_checker(profile, event_type, priority, backend), profile, key, value, wire.size)
        for v in found:  # a loop, not a generator expression: one frame less for each violation of a report
            if not problems or not beneath_a_problem(v):
                yield _as_written(v)
        return
    if event_type and priority:
        try:
            variant(event_type, priority, profile=profile)
        except UnknownVariantError as error:
            pointer = "/priority" if any(e == event_type for e, _ in _known(profile)) else "/event_type"
            shown = _shorten(priority if pointer == "/priority" else event_type)
            yield _as_written(
                Violation(pointer, shown, "variant", _message("variant", str(error), shown, None, None), None)
            )
    found = _violations(_checker(profile, "", "", backend), profile, None, value, wire.size)
    for v in found:
        if not problems or not beneath_a_problem(v):
            yield _as_written(v)


def repeated_key(pointer: str) -> Violation:
    """The violation of a key written twice in its object, at the pointer a reader of the JSON text found."""
    why = "this key is written twice in its object; readers disagree on which value counts"
    return Violation(mask_pointer(pointer), "", "duplicate-key", why, None)


def _as_written(v: Violation) -> Violation:
    """A violation as it may be written: its pointer's keys masked and cut, and the value under a key that names a
    secret not shown (`notify_schemas.redaction.pointer_view`)."""
    view = pointer_view(v.pointer)
    if view is NOTHING_TO_HIDE:
        return v
    pointer, hidden = view
    if hidden is not None and v.rule != "forbidden":
        shown = v.message.replace(v.value, hidden) if v.value else v.message
        v = v._replace(value=hidden, message=shown if hidden in shown else f"{hidden} breaks the rule")
    return v if pointer is None else v._replace(pointer=pointer)


# Rules that judge the value at the pointer itself: two of them of one kind at one place say the same thing.
_OF_THE_VALUE = frozenset({"type", "enum", "const", "minimum", "maximum", "minLength", "maxLength", "pattern"})


MAX_VIOLATIONS = 1_000
"""The violations listed for one message at most; a message that has more gets one last violation saying so."""
_LARGE = 64 * 1024
"""Bytes of wire form from which a message's violations come from python-jsonschema, which finds them one at a time:
jsonschema-rs builds every one before it hands over the first (1.7 GB and 12 s for a million, D47)."""


def _large(value: Any, size: int) -> bool:
    """Whether a wire form, of ``size`` bytes when known (else -1), is over `_LARGE`."""
    if size >= 0:
        return size > _LARGE
    try:
        return len(_dumps(value)) > _LARGE
    except Exception:  # an integer past 64 bits, say: the reference answers such a message anyway
        return False


def _violations(
    checker: _Checker, profile: str, key: tuple[str, str] | None, value: Any, size: int = -1
) -> Iterator[Violation]:
    event_type, priority = key or ("", "")
    if isinstance(checker, _RustChecker) and _large(value, size):
        checker = _checker(profile, event_type, priority, "python")
    try:  # the value's texts are shown and masked in Python, a producer's message as it is (`read_at_once`)
        found, more = read_at_once(functools.partial(_listed, checker), value)
    except (ValueError, OverflowError):  # jsonschema-rs cannot read a value (past 64 bits): the reference answers
        found, more = read_at_once(functools.partial(_listed, _checker(profile, event_type, priority, "python")), value)
    yield from found
    if more:
        yield _too_many(key)


def _listed(checker: _Checker, value: Any) -> tuple[Iterable[Violation], bool]:
    """The first `MAX_VIOLATIONS` violations, and whether there are more. A value that breaks a rule stated in two
    parts of a schema (a field's type and an event's state rule, say) is reported once, with the narrower reading
    (the shorter message: the fewer types or values allowed)."""
    found: dict[tuple[str, str, str], Violation] = {}
    for n, v in enumerate(checker.violations(value)):
        if n == MAX_VIOLATIONS:
            return found.values(), True
        place = (v.pointer, v.rule, "" if v.rule in _OF_THE_VALUE else v.message)
        kept = found.get(place)
        if kept is None or len(v.message) < len(kept.message):
            found[place] = v
    return found.values(), False


# (profile, backend) -> (event_type, priority) -> a variant's verdict: the hot paths are two lookups. _exact answers
# for any message; the validity table for plain JSON only (one orjson pass fewer).
_exact: dict[tuple[str, str], dict[tuple[str, str], Callable[[Any], bool]]] = {}
_plain: dict[tuple[str, str], dict[tuple[str, str], Callable[[Any], bool]]] = {}
# profile -> (event_type, priority) -> jsonschema-rs's verdict, for variants whose schema is closed (no NaN can pass).
_closed_fast: dict[str, dict[tuple[str, str], Callable[[Any], bool]]] = {}
_payload: dict[str, dict[tuple[str, str], Callable[[Any], bool]]] = {}
_dumps = orjson.dumps


def _names(profile: Any, backend: Any) -> bool:
    """Whether the profile and backend are text of exact type, which the hot paths' tables can be asked for: a ``str``
    subclass may hash and compare as another name (``"glance"`` found as ``"seed"``'s verdicts), so the slow path
    reads it as its own text."""
    return type(profile) is str and type(backend) is str


def validity_table(profile: str, backend: Backend) -> dict[tuple[str, str], Callable[[Any], bool]]:
    """The shared ``(event_type, priority) -> is_valid`` table of a profile for messages that are plain JSON
    (`is_plain`), filled as variants are first used.

    For callers on a hot path (the Notifier): a miss means "not checked yet", never "invalid"; ask `is_valid`.
    `TypeError` for a profile or a backend that is not text.
    """
    if not _names(profile, backend):
        profile, backend = given_text(profile, "profile"), given_text(backend, "backend")  # type: ignore[assignment]
    return _plain.setdefault((profile, backend), {})


def is_valid(message: Any, *, profile: str = "seed", backend: Backend = "rust") -> bool:
    """Whether ``message`` is valid against its variant in ``profile``: any value gets an answer, never an error."""
    if type(message) is dict and type(profile) is str and type(backend) is str:  # `_names`, inline: the hot path
        try:
            return _exact[profile, backend][message["event_type"], message["priority"]](message)
        except Exception:  # KeyError, TypeError; a producer's event type whose __hash__ raises
            pass
    check_arguments(profile, backend)
    # The form is read once; the verdict on it is given on a stack of its own where the caller's is too short (D96).
    return on_fresh_stack(_verdict, wire_view(message), str.__str__(profile), str.__str__(backend))


def _verdict(wire: WireForm, profile: str, backend: Backend) -> bool:
    """`is_valid` of a message's wire form."""
    key = _variant_key(wire.value)
    if wire.problems or key not in _known(profile):
        return False
    _register(profile, key, backend)
    return _valid_plain(_checker(profile, key[0], key[1], backend), profile, key, wire.value)


def validate(message: Any, *, profile: str = "seed", backend: Backend = "rust") -> None:
    """Raise `InvalidNotificationError`, carrying every violation, unless ``message`` is valid in ``profile``."""
    # The hot path, inline (`_names` too): plain JSON and a closed schema.
    if type(message) is dict and type(profile) is str and type(backend) is str:
        try:
            if backend == "rust":  # in the guard: an argument's own __eq__ may raise (is_valid then names it)
                fast = _closed_fast[profile][message["event_type"], message["priority"]]
                # The closed schema first: it bounds how deep a message it passes is, so orjson, which proves the
                # message plain JSON (TypeError: the wire form decides below), is never given a run of tuples deeper
                # than it can write (D98).
                if fast(message):
                    _dumps(message, None, PLAIN)
                    return
        except Exception:  # KeyError, TypeError, ValueError; a producer's value whose __hash__ raises
            pass
    check_arguments(profile, backend)
    wire = judged_form(message)  # read once: the violations are those of what was judged
    if not wire.problems and is_valid(wire.value, profile=profile, backend=backend):
        return
    violations = tuple(wire_errors(wire, profile=profile, backend=backend))
    raise InvalidNotificationError(message, violations, profile=profile)
