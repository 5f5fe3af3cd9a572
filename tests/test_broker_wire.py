"""What oslo.messaging takes off a body before its listener sees the notification, judged against schemas/wire/ (D79):
the messagingv2 envelope, and the keys a 1.0 body adds. oslo's own functions say what it accepts and takes out."""

from __future__ import annotations

import bz2
import json
import lzma
import struct
import uuid
import zlib
from typing import Any

import amqp
import jsonschema
import pytest
from amqp import serialization
from amqp.spec import Basic
from hypothesis import given, settings
from hypothesis import strategies as st
from kombu.compression import decompress as kombu_decompress
from oslo_messaging._drivers import amqp as oslo_amqp
from oslo_messaging._drivers import common as oslo_common
from support import key_pointers, written_twice

from notify_schemas.broker.listener import _UNREAD, _inflated, _OverLimit, _properties_read_whatever_they_hold
from notify_schemas.broker.wire import envelope_faults
from notify_schemas.broker.wire import written_twice as written_twice_in
from notify_schemas.redaction import mask_pointer
from notify_schemas.registry import BASE_URI, registry
from notify_schemas.samples import samples

CANARY = "CANARY-d79"
NOTIFICATION = next(samples("image.update", "INFO", seed=79))


def _delivered(body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """What oslo decodes of ``body`` (deserialize_msg) and what its AMQP listener hands on of that (the keys it takes
    out gone), as oslo's own functions do it."""
    decoded = oslo_common.deserialize_msg(body)
    judged = dict(decoded)
    oslo_amqp.unpack_context(judged)
    oslo_amqp._MsgIdCache().check_duplicate_message(judged)
    return decoded, judged


def _faults(body: dict[str, Any]) -> list[Any]:
    decoded, judged = _delivered(body)
    return envelope_faults(body, decoded, judged)


def _wire_schema(name: str) -> jsonschema.Draft7Validator:
    schema = registry().contents(f"{BASE_URI}wire/{name}.json")
    return jsonschema.Draft7Validator(schema, registry=registry())


def _v1(**added: Any) -> dict[str, Any]:
    return {**NOTIFICATION, "_unique_id": uuid.uuid4().hex, **added}


def _v2(inner: dict[str, Any], **envelope: Any) -> dict[str, Any]:
    return {"oslo.version": "2.0", "oslo.message": json.dumps(inner), **envelope}


def test_what_oslo_sends_has_no_envelope_fault() -> None:
    body = oslo_common.serialize_msg(_v1(_context_user="u", _context_auth_token=CANARY))
    assert _faults(body) == []
    assert _faults(_v1(_context_request_id="req-1")) == []


@pytest.mark.parametrize(
    ("envelope", "pointer", "rule"),
    [
        ({"extra": 1}, "", "additionalProperties"),
        ({"oslo.version": "2.0.0"}, "/oslo.version", "const"),
        ({"oslo.version": " 2.0"}, "/oslo.version", "const"),
        ({"oslo.version": "2.-1"}, "/oslo.version", "const"),
        ({"oslo.version": "02.00.0.x"}, "/oslo.version", "const"),
        ({"oslo.version": "\u0662.\u0660"}, "/oslo.version", "const"),  # Arabic-Indic digits: int() reads them
    ],
)
def test_an_envelope_oslo_takes_but_its_schema_does_not_is_a_fault_at_its_place(
    envelope: dict[str, Any], pointer: str, rule: str
) -> None:
    body = _v2(_v1(), **envelope)
    oslo_common.deserialize_msg(body)  # oslo takes it, silently
    assert list(_wire_schema("messagingv2").iter_errors(body))  # the schema does not
    faults = _faults(body)
    assert [(f.pointer, f.rule) for f in faults] == [(pointer, rule)]
    assert "messagingv2 envelope" in faults[0].message
    assert "schemas/wire/messagingv2.json" in faults[0].message


@pytest.mark.parametrize("version", ["2", "3.0", "1.9.9"])
def test_an_envelope_version_oslo_refuses_never_reaches_the_envelope_judgment(version: str) -> None:
    with pytest.raises(Exception):  # noqa: B017, PT011  (IndexError for "2", UnsupportedRpcEnvelopeVersion for others)
        oslo_common.deserialize_msg(_v2(_v1(), **{"oslo.version": version}))


@pytest.mark.parametrize(
    ("added", "pointer", "rules"),
    [
        ({"_unique_id": None}, "/_unique_id", {"type"}),
        ({"_unique_id": "ABCDEF" * 5 + "AB"}, "/_unique_id", {"pattern"}),
        ({"_unique_id": "abc"}, "/_unique_id", {"minLength", "pattern"}),
        ({"_msg_id": "m"}, "", {"additionalProperties"}),
        ({"_reply_q": "q", "_timeout": 3}, "", {"additionalProperties"}),
    ],
)
@pytest.mark.parametrize("enveloped", [False, True])
def test_what_a_1_0_body_adds_is_judged_though_oslos_listener_takes_it_out(
    added: dict[str, Any], pointer: str, rules: set[str], enveloped: bool
) -> None:
    inner = _v1(**added)
    _, judged = _delivered(_v2(inner) if enveloped else inner)
    assert set(added) - set(judged) == set(added)  # oslo's listener hands none of it on
    faults = _faults(_v2(inner) if enveloped else inner)
    assert {f.rule for f in faults} == rules
    if enveloped:
        assert {f.pointer for f in faults} == {"/oslo.message"}
        assert all(f"oslo.message at {pointer or '/'} " in f.message for f in faults)
    else:
        assert {f.pointer for f in faults} == {pointer}
    assert all("schemas/wire/messaging.json" in f.message for f in faults)


def test_a_1_0_body_without_its_unique_id_is_a_fault() -> None:
    for body in (dict(NOTIFICATION), _v2(dict(NOTIFICATION))):
        faults = _faults(body)
        assert [f.rule for f in faults] == ["required"]
        assert "_unique_id" in faults[0].message


def test_an_inner_text_shorter_than_its_schema_allows_is_a_fault() -> None:
    # oslo cannot decode a text of fewer than two characters into an object: the listener counts such a body as
    # unreadable before this judgment, which still says the rule if asked.
    faults = envelope_faults({"oslo.version": "2.0", "oslo.message": "x"}, _v1(), NOTIFICATION)
    assert [(f.pointer, f.rule) for f in faults] == [("/oslo.message", "minLength")]


def test_the_notifications_own_keys_are_left_to_its_profile() -> None:
    # A seventh key or a bad priority stays in the notification, which the profile judges: not said twice.
    inner = _v1(extra="a seventh key", priority="bogus")
    assert _faults(inner) == []
    assert _faults(_v2(inner)) == []


def test_no_secret_of_the_added_keys_is_shown() -> None:
    inner = _v1(_msg_id=f"password={CANARY}", _context_auth_token=CANARY, _unique_id=f"swift://u:{CANARY}@h/c")
    faults = _faults(_v2(inner, **{f"password={CANARY}": CANARY}))
    assert faults
    assert CANARY not in json.dumps([f._asdict() for f in faults])


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
_OSLOS = st.sampled_from(["_unique_id", "_msg_id", "_reply_q", "_timeout", "_context_user", "_context_", "extra"])


@settings(max_examples=300, deadline=None)
@given(
    added=st.dictionaries(_OSLOS | st.text(max_size=8), _JSON, max_size=4),
    envelope=st.dictionaries(st.text(max_size=8), _JSON, max_size=2),
    version=st.sampled_from(["2.0", "2.0.0", "2.-1", " 2.0", "2.0\n"]),
    enveloped=st.booleans(),
)
def test_a_body_is_faulted_exactly_when_it_breaks_its_wire_schema(
    added: dict[str, Any], envelope: dict[str, Any], version: str, enveloped: bool
) -> None:
    # What the wire schema says of the body, python-jsonschema reading the schema as it is, against the listener's
    # judgment of what oslo took off (the notification's own keys are its profile's: kept valid here).
    inner = {**NOTIFICATION, **{k: v for k, v in added.items() if k not in NOTIFICATION}}
    body = (
        {**{k: v for k, v in envelope.items() if not k.startswith("oslo.")}, "oslo.version": version,
         "oslo.message": json.dumps(inner)}
        if enveloped else inner
    )  # fmt: skip
    _, judged = _delivered(body)
    unjudged = {k: v for k, v in inner.items() if k not in judged or k in NOTIFICATION}
    broken = bool(list(_wire_schema("messaging").iter_errors(unjudged)))
    if enveloped:
        broken = broken or bool(list(_wire_schema("messagingv2").iter_errors(body)))
    assert bool(_faults(body)) == broken


@settings(max_examples=200, deadline=None)
@given(
    key=st.text(st.characters(codec=None, categories=["Cs", "Cc", "Ll"]), min_size=1, max_size=6),
    value=_JSON,
    enveloped=st.booleans(),
)
def test_a_key_or_value_without_a_wire_form_is_a_fault_never_an_error(key: str, value: Any, enveloped: bool) -> None:
    # A JSON text may escape a lone surrogate, and kombu's and oslo's parsers take NaN: the body a listener gets may
    # hold either, in an envelope key more or in a key its listener takes out.
    without_a_form = any(0xD800 <= ord(c) <= 0xDFFF for c in key) or "nan" in repr(value) or "inf" in repr(value)
    for prefix in ("", "_context_", "_msg_"):
        inner = _v1(**{prefix + key: value})
        body = {"oslo.version": "2.0", "oslo.message": json.dumps(inner), key: value} if enveloped else inner
        decoded, judged = _delivered(body)
        faults = envelope_faults(body, decoded, judged)
        json.dumps([f._asdict() for f in faults], ensure_ascii=False).encode("utf-8")  # writable as a record
        taken = prefix + key not in judged  # by oslo's listener; a key it hands on is the profile's to judge
        assert bool(faults) == (enveloped or (taken and (prefix != "_context_" or without_a_form))), (prefix, faults)


_OBJECTS = st.dictionaries(st.text(max_size=6), _JSON, min_size=1, max_size=4)


@settings(max_examples=300, deadline=None)
@given(body=_OBJECTS, data=st.data(), enveloped=st.booleans(), as_bytes=st.booleans())
def test_each_key_a_bodys_text_writes_twice_is_found_at_its_pointer(
    body: dict[str, Any], data: st.DataObject, enveloped: bool, as_bytes: bool
) -> None:
    # kombu decodes a body keeping the last of two equal keys: a key written twice, at any depth, in a 1.0 body or in
    # a messagingv2 envelope, is found at its pointer in the body, and a body that writes each key once has none.
    # The body may hold NaN or Infinity, which kombu's reading takes.
    pointer = data.draw(st.sampled_from(list(key_pointers(body))))
    text = written_twice(body, pointer)
    shown = text.encode() if as_bytes else text
    repeated, envelope = written_twice_in(shown, enveloped)
    if enveloped:
        assert (repeated, [(v.pointer, v.rule) for v in envelope]) == ((), [(mask_pointer(pointer), "duplicate-key")])
        assert "messagingv2 envelope" in envelope[0].message
    else:
        assert (repeated, envelope) == ((pointer,), [])
    assert written_twice_in(json.dumps(body), enveloped) == ((), [])


@pytest.mark.parametrize(
    "text", ['{"a": 1, "a": 1', "", "\udcff", b"\xff{}", '{"a": 1} {"a": 1}', '{"a": NaX, "a": 1}']
)
def test_a_body_text_the_package_cannot_read_has_no_key_written_twice_and_raises_nothing(text: str | bytes) -> None:
    assert written_twice_in(text, False) == ((), [])
    assert written_twice_in(text, True) == ((), [])


@pytest.mark.parametrize("content_type", ["text/plain", "application/json; charset=utf-8", None])
@pytest.mark.parametrize("body", ['{"event_type": "image.create"}', "[1]", "7"])
def test_a_body_kombu_did_not_read_as_json_is_said_to_be_so_whatever_it_holds(content_type: Any, body: str) -> None:
    # Under another content type kombu hands the body over as it came, and the listener said the text of an object
    # was "a string, not a JSON object".
    import types

    from notify_schemas.broker.listener import _NoObject, _rabbit_message

    for payload in (body, body.encode()):
        delivered = types.SimpleNamespace(payload=payload, body=body.encode(), content_type=content_type)
        with pytest.raises(_NoObject) as refused:
            _rabbit_message(None, delivered)
        assert "not read as JSON" in str(refused.value)
        assert "'application/json'" in str(refused.value)
    as_json = types.SimpleNamespace(payload=json.loads(body), body=body.encode(), content_type="application/json")
    if not body.startswith("{"):
        with pytest.raises(_NoObject, match="not a JSON object"):
            _rabbit_message(None, as_json)


def _shortstrs(**fields: bytes) -> bytes:
    """The header frame's properties of a delivery (flags, then each field) with ``fields`` written as the bytes
    given, as any publisher may write them: content_type, message_id, app_id (AMQP 0-9-1's short strings)."""
    flags = {"content_type": 0x8000, "message_id": 0x0080, "app_id": 0x0008}
    out = struct.pack(">H", sum(flags[name] for name in fields))
    for name in flags:  # in the order of their flags, as AMQP writes them
        if name in fields:
            out += struct.pack(">B", len(fields[name])) + fields[name]
    return out


_SHORT = st.text(st.characters(blacklist_categories=["Cs"]), max_size=20).filter(lambda t: len(t.encode()) < 256)


@given(_SHORT, _SHORT, st.dictionaries(_SHORT, st.one_of(_SHORT, st.integers(-(2**31), 2**31 - 1)), max_size=3))
def test_the_listeners_reader_of_amqp_properties_reads_every_readable_one_as_py_amqp_does(
    kind: str, message_id: str, headers: dict[str, Any]
) -> None:
    _properties_read_whatever_they_hold()
    props = {"content_type": kind, "message_id": message_id, "application_headers": headers, "delivery_mode": 2}
    buf = amqp.Message(**props)._serialize_properties()
    assert serialization.PROPERTY_CLASSES[Basic.CLASS_ID](buf, 0) == serialization.decode_properties_basic(buf, 0)


@given(st.binary(max_size=20), st.binary(max_size=20))
def test_the_listeners_reader_of_amqp_properties_names_those_that_are_not_utf_8(kind: bytes, app: bytes) -> None:
    _properties_read_whatever_they_hold()
    buf = _shortstrs(content_type=kind, message_id=b"m-1", app_id=app)
    try:
        expected, _ = serialization.decode_properties_basic(buf, 0)
    except UnicodeDecodeError:
        expected = None
    read, end = serialization.PROPERTY_CLASSES[Basic.CLASS_ID](buf, 0)
    assert end == len(buf)
    if expected is not None:
        assert read == expected
        return
    rule, why = read.pop(_UNREAD)
    bad = [name for name, raw in (("content_type", kind), ("app_id", app)) if not _utf8(raw)]
    assert (rule, why) == ("unicode", f"whose AMQP properties ({', '.join(bad)}) are not UTF-8 text")
    assert read == {"content_type": kind.decode("utf-8", "surrogateescape"), "message_id": "m-1",
                    "app_id": app.decode("utf-8", "surrogateescape")}  # fmt: skip


def _utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8", "surrogatepass")  # as py-amqp reads a property
    except UnicodeDecodeError:
        return False
    return True


def test_the_listeners_reader_of_amqp_properties_leaves_a_reader_not_py_amqps_alone() -> None:
    # Another library's reader (a tracer's wrapper, say) was taken for py-amqp's own function and rebuilt with
    # py-amqp's module as its globals: what it named of its own module was not there, and a delivery that is not
    # UTF-8 was counted as unreadable with that NameError for its reason.
    own = serialization.PROPERTY_CLASSES[Basic.CLASS_ID]
    calls: list[int] = []

    def traced(buf: Any, offset: int) -> Any:
        calls.append(offset)
        return serialization.decode_properties_basic(buf, offset)

    serialization.PROPERTY_CLASSES[Basic.CLASS_ID] = traced
    try:
        _properties_read_whatever_they_hold.__wrapped__()  # as in a process where no listener has been made yet
        assert serialization.PROPERTY_CLASSES[Basic.CLASS_ID] is traced
    finally:
        serialization.PROPERTY_CLASSES[Basic.CLASS_ID] = own


# --- compressed bodies, inflated as kombu inflates them ----------------------------------------------------------

_COMPRESSORS = {
    "application/x-gzip": zlib.compress,
    "application/x-bz2": bz2.compress,
    "application/x-lzma": lzma.compress,
    "xz": lambda data: lzma.compress(data, format=lzma.FORMAT_ALONE),
}
_PART = st.one_of(
    st.tuples(st.just("stream"), st.binary(max_size=300)),
    st.tuples(st.just("cut"), st.binary(min_size=1, max_size=300)),
    st.tuples(st.just("raw"), st.sampled_from([b"", b"\0" * 4, b"\0" * 8, b"junk", b"BZh9", b"\xfd7zXZ\0", b"\x78"])),
)


def _body(compress: Any, parts: list[tuple[str, bytes]]) -> bytes:
    made = b""
    for kind, data in parts:
        if kind == "stream":
            made += compress(data)
        elif kind == "cut":
            made += compress(data)[: -1 - len(data) % 7]
        else:
            made += data
    return made


@settings(max_examples=300, deadline=None)
@given(content_type=st.sampled_from(sorted(_COMPRESSORS)), parts=st.lists(_PART, max_size=4),
       limit=st.sampled_from([10, 400, 10_000]))  # fmt: skip
def test_a_compressed_body_is_inflated_as_kombu_inflates_it(
    content_type: str, parts: list[tuple[str, bytes]], limit: int
) -> None:
    # Several streams one after another: the listener inflated the first alone, where kombu inflates every bz2 and
    # lzma stream, and an empty bz2 body, which kombu inflates to nothing, was cut short.
    body = _body(_COMPRESSORS[content_type], parts)
    kind = "application/x-lzma" if content_type == "xz" else content_type
    try:
        expected: bytes | None = kombu_decompress(body, kind)
    except Exception:
        expected = None
    try:
        found: bytes | None = _inflated(body, kind, limit)
    except _OverLimit:  # kombu would inflate it whole, past the limit, and then maybe fail
        assert expected is None or len(expected) > limit
        return
    except Exception:
        found = None
    assert found == expected
