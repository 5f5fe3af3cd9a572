"""The values of the keys that must never be written, where a text writes them (D73): in JSON, JSON escaped inside
JSON, a Python repr, ``key=value`` and ``key: value``, at any depth of escaping, in every output of the package."""

from __future__ import annotations

import copy
import json
import logging
import random
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import jsonschema
import jsonschema_rs
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from notify_schemas import Notifier, bundled_schema, iter_errors, variant, variants
from notify_schemas.cli import main
from notify_schemas.conformance.cli import main as conformance_main
from notify_schemas.conformance.intents import intents
from notify_schemas.conformance.reference import produce
from notify_schemas.drivers.log import dumps as log_dumps
from notify_schemas.drivers.memory import MemoryDriver
from notify_schemas.redaction import (
    FORBIDDEN_KEYS,
    MARK,
    SANITIZE_KEYS,
    closed,
    error_text,
    forbidden_texts,
    holds_secret_word,
    mark_forbidden,
    mask_dict_password,
    mask_text,
    redact,
    traceback_text,
)
from notify_schemas.samples import samples

CANARY = "CANARY-5e7d"
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), database=None)

# Text that can close a quote, open or close a bracket, escape, separate or break a line anywhere in a value: no
# letters that could spell a secret word of oslo's, and no "/", so no URL, which is masked on its own.
PIECE = st.text(alphabet="ab \"'\\[]{}():=,;&\n\t\u00e9\u2028x-_.<>", max_size=5)
SAID = st.sampled_from(["locations of things", "the location", "task_input", "direct_url", "locations"])


def _secret(depth: int = 0) -> st.SearchStrategy[Any]:
    held = st.tuples(PIECE, PIECE).map(lambda p: p[0] + CANARY + p[1])
    if depth > 1:
        return held
    inner = _secret(depth + 1)
    return st.one_of(held, st.lists(inner, min_size=1, max_size=3),
                     st.dictionaries(st.sampled_from(["url", "metadata", "k"]), inner, min_size=1, max_size=2),
                     st.just([{"url": f"file:///{CANARY}", "metadata": {"k": CANARY}}]))  # fmt: skip


PLAIN = st.recursive(
    st.one_of(PIECE, SAID, st.integers(-5, 5), st.none(), st.booleans(), st.just(1.5)),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.sampled_from(["name", "id", "k"]), inner, max_size=3)),
    max_leaves=6,
)  # fmt: skip


@st.composite
def _documents(draw: st.DrawFn) -> dict[str, Any]:
    """An object with at least one key that must never be written, holding the canary, at some depth."""
    keys = st.one_of(st.sampled_from(sorted(FORBIDDEN_KEYS)), st.sampled_from(["name", "id", "k"]))
    document = draw(st.dictionaries(keys, st.deferred(lambda: st.one_of(PLAIN, _secret())), min_size=1, max_size=4))
    document[draw(st.sampled_from(sorted(FORBIDDEN_KEYS)))] = draw(_secret())
    if draw(st.booleans()):
        document = {"outer": document, "name": draw(PLAIN)}
    return _only_forbidden_hold_the_canary(document)


def _only_forbidden_hold_the_canary(value: Any, under: bool = False) -> Any:
    """The canary where a key that must never be written holds it, and nowhere else."""
    if isinstance(value, dict):
        return {k: _only_forbidden_hold_the_canary(v, under or k in FORBIDDEN_KEYS) for k, v in value.items()}
    if isinstance(value, list):
        return [_only_forbidden_hold_the_canary(v, under) for v in value]
    return value if under or not isinstance(value, str) else value.replace(CANARY, "c")


# How a text writes an object: as JSON, as Python's repr or str, as key=value pairs, as "key: value" lines.
RENDERINGS: dict[str, Callable[[dict[str, Any]], str]] = {
    "json": json.dumps,
    "json, indented": lambda d: json.dumps(d, indent=2),
    "json, not ascii": lambda d: json.dumps(d, ensure_ascii=False),
    "repr": repr,
    "key=repr": lambda d: " ".join(f"{k}={v!r}" for k, v in d.items()),
    "key=json": lambda d: ", ".join(f"{k}={json.dumps(v)}" for k, v in d.items()),
    "key=str": lambda d: " ".join(f"{k}={v}" for k, v in d.items()),
    "key: str": lambda d: "\n".join(f"{k}: {v}" for k, v in d.items()),
    "call": lambda d: f"Image({', '.join(f'{k}={v!r}' for k, v in d.items())})",
    "error": lambda d: f"cannot store {d} (store 1)",
    "xml": lambda d: f"<image>{_xml(d)}</image>",
    "xml, attributes": lambda d: f"<image id='1'>{_xml(d, attributes=True)}</image>",
    # The shapes oslo's patterns read a secret word in besides these: an option and its value, a quoted word.
    "options": lambda d: " ".join(f"--{k} {v}" for k, v in d.items()),
    "options, =": lambda d: " ".join(f"--{k}={v}" for k, v in d.items()),
    "options, quoted": lambda d: " ".join(f"--{k} {json.dumps(str(v))}" for k, v in d.items()),
    "quoted words": lambda d: " and ".join(f"{k} {json.dumps(str(v))}" for k, v in d.items()),
    "argument list": lambda d: repr(["glance", *(w for k, v in d.items() for w in (f"--{k}", str(v)))]),
    "argument list, json": lambda d: json.dumps([w for k, v in d.items() for w in (f"--{k}", str(v))]),
    "quoted words, repr": lambda d: "; ".join(f"{k} {str(v)!r}" for k, v in d.items()),
}


def _xml(value: Any, attributes: bool = False) -> str:
    """A value as XML elements: an object's keys as elements, a list's items as ``<item>``, a text escaped; with
    ``attributes``, a text as its element's attribute and an element's tag with one more."""
    if isinstance(value, dict):
        more = ' n="1"' if attributes else ""
        return "".join(f"<{k} href={quoteattr(v)}/>" if attributes and isinstance(v, str)
                       else f"<{k}{more}>{_xml(v, attributes)}</{k}>" for k, v in value.items())  # fmt: skip
    if isinstance(value, list):
        return "".join(f"<item>{_xml(v, attributes)}</item>" for v in value)
    return escape(str(value))


# How a text is then quoted, at any depth: inside JSON, inside a repr, both.
WRAPPINGS: dict[str, Callable[[str], str]] = {
    "as it is": lambda t: t,
    "json": json.dumps,
    "json of json": lambda t: json.dumps(json.dumps(t)),
    "json of json of json": lambda t: json.dumps(json.dumps(json.dumps(t))),
    "repr": repr,
    "repr of json": lambda t: repr(json.dumps(t)),
    "json of repr": lambda t: json.dumps(repr(t)),
    "in a message": lambda t: json.dumps({"payload": t, "priority": "INFO"}),
    "in a dict's repr": lambda t: repr({"error": t, "n": 1}),
    "json, html-safe": lambda t: json.dumps(t).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"),
    "xml text": escape,
    # Quotes spelled as escapes, as an encoder may write them, at any depth.
    "json, quotes as \\u0022": lambda t: _quotes_escaped(t),
    "json of json, quotes as \\u0022": lambda t: _quotes_escaped(_quotes_escaped(t)),
    "python, quotes as \\x22 and \\u0027": lambda t: (
        "'" + t.replace("\\", "\\\\").replace('"', "\\x22").replace("'", "\\u0027").replace("\n", "\\n") + "'"
    ),
    "xml text, quotes as &quot;": lambda t: escape(t, {'"': "&quot;", "'": "&apos;"}),
    "xml text, quotes as &#34;": lambda t: escape(t, {'"': "&#34;", "'": "&#39;"}),
    "xml text of xml text, quotes as &quot;": lambda t: escape(escape(t, {'"': "&quot;"}), {'"': "&quot;"}),
    "json of xml text, quotes as &quot;": lambda t: json.dumps(escape(t, {'"': "&quot;"})),
}


def _quotes_escaped(text: str) -> str:
    """``text`` as a JSON text whose encoder writes each ``"`` in it as ``\\u0022``."""
    return re.sub(r"\\(u[0-9a-fA-F]{4}|.)", lambda e: "\\u0022" if e[1] == '"' else e[0], json.dumps(text))


# Keys the structure's marking does not take for these: other letters' case (it compares exactly), a longer word.
NEUTRAL = ["Locations", "LOCATION", "locat\u0130on", "Direct_URL", "task_Input", "image_location", "locations_x"]


# How a text may spell a key's letters before it is quoted: as they are, or escaped as JSON (any letters, hex of
# either case) or a Python literal writes them; a reader of the text decodes each to the key.
ESCAPES: dict[str, Callable[[str], str]] = {
    "json": lambda c: f"\\u{ord(c):04x}",
    "json, upper case": lambda c: f"\\u{ord(c):04X}",
    "python, x": lambda c: f"\\x{ord(c):02x}",
    "python, U": lambda c: f"\\U{ord(c):08X}",
}


def _escaped(text: str, words: list[str], spelling: str | None, chance: random.Random) -> str:
    """``text`` with each of ``words`` in it spelled with some of its letters escaped (`ESCAPES`), at least one."""
    if spelling is None:
        return text

    def spelled(found: re.Match[str]) -> str:
        word = found[0]
        chosen = {chance.randrange(len(word))} | {i for i in range(len(word)) if chance.random() < 0.3}
        return "".join(ESCAPES[spelling](c) if i in chosen else c for i, c in enumerate(word))

    return re.sub("|".join(map(re.escape, sorted(words, key=len, reverse=True))), spelled, text)


SPELLINGS = st.sampled_from([None, *sorted(ESCAPES)])


@pytest.mark.parametrize("path", ['On instance["location"][', "On instance['payload'][0]['x'][", "On instance[[["])
def test_many_paths_of_a_validator_that_end_nowhere_are_masked_in_linear_time(path: str) -> None:
    # The path of python-jsonschema's "On instance[...]" was read as runs up to any "]", which went past the next
    # "On instance[": 8,000 of them took 10 s to mask, 32,000 took 159 s.
    def seconds(n: int) -> float:
        text = "x" + path * n
        return _cpu_seconds(lambda: mask_text(text))

    seconds(100)
    assert seconds(4_000) < 20 * seconds(500) + 0.5  # 8x the paths: about 8x the time, never 64x


@pytest.mark.parametrize("key", ["a]", "a'b]", 'lo"c', "a\\b", "[x]", "a\nb", 7])
def test_a_validators_path_is_read_through_keys_that_hold_brackets_and_quotes(key: str | int) -> None:
    # Each index of the path is the repr of its key: one holding "]" ended the path there, and the value under a
    # forbidden key after it was shown.
    # As python-jsonschema writes an error's place (jsonschema._utils.format_as_index): each index's repr.
    text = f"On instance['payload'][{key!r}]['locations']:\n    [{{'url': '{CANARY}'}}]"
    assert CANARY not in mask_text(text)


@SETTINGS
@given(_documents(), st.sampled_from(sorted(RENDERINGS)), st.sampled_from(sorted(WRAPPINGS)), SPELLINGS,
       st.randoms(use_true_random=False))  # fmt: skip
@example(
    {"locations": [{"url": "file:///x", "metadata": {"k": CANARY}}], "task_input": f"{CANARY}2"},
    "json",
    "json",
    None,
    None,
)
@example({"location": f"C:\\{CANARY}\\", "name": "x"}, "json", "repr of json", None, None)  # ends in a backslash
@example({"task_input": f"\"]{CANARY}'"}, "repr", "repr", None, None)  # a repr escaping one kind of quote only
@example({"locations": [{"url": CANARY}]}, "json", "json of json", "json, upper case", random.Random(1))
@example({"location": {"location": CANARY}, "k": 1}, "xml, attributes", "json, html-safe", None, None)
@example({"direct_url": f"{CANARY}<"}, "xml, attributes", "as it is", None, None)  # an attribute holding &lt;
@example({"location": f"swift://u/{CANARY} x"}, "options", "as it is", None, None)
@example({"location": CANARY}, "quoted words", "as it is", None, None)
@example({"location": CANARY}, "quoted words, repr", "as it is", None, None)
@example({"task_input": CANARY}, "options, =", "as it is", None, None)
@example({"locations": CANARY}, "json", "json, quotes as \\u0022", None, None)
@example({"locations": CANARY}, "repr", "python, quotes as \\x22 and \\u0027", None, None)
@example({"locations": CANARY}, "json", "xml text, quotes as &#34;", None, None)
@example({"locations": CANARY}, "json", "json of json, quotes as \\u0022", None, None)
@example({"direct_url": CANARY}, "xml", "xml text of xml text, quotes as &quot;", None, None)
@example({"outer": {"location": f"{CANARY}'", "k": 1}}, "quoted words, repr", "xml text, quotes as &#34;", None, None)
@example({"location": [f"{CANARY}'", "a);", CANARY]}, "call", "json of json, quotes as \\u0022", None, None)
@example({"location": f"swift://u/{CANARY}", "name": "x"}, "argument list", "repr", None, None)
@example({"direct_url": CANARY}, "argument list, json", "json of json, quotes as \\u0022", None, None)
@example({"direct_url": [{"url": CANARY}]}, "argument list", "json of json, quotes as \\u0022", None, None)
def test_a_text_never_shows_the_value_of_a_key_that_must_never_be_written(
    document: dict[str, Any], rendering: str, wrapping: str, spelling: str | None, chance: Any
) -> None:
    text = WRAPPINGS[wrapping](_escaped(RENDERINGS[rendering](document), sorted(FORBIDDEN_KEYS), spelling, chance))
    assert CANARY in text
    masked = mask_text(text)
    assert CANARY not in masked
    assert mark_forbidden(masked) == masked  # what is written again (a report masked as a whole) stays as it is


def _cpu_seconds(run: Callable[[], Any]) -> float:
    """The least processor time of three runs: what the work costs, without what other processes take."""
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        run()
        best = min(best, time.process_time() - start)
    return best


@pytest.mark.parametrize("opened", ["", "<location>", "&lt;location&gt;"])
@pytest.mark.parametrize("tag", ["<location x", "&lt;location x", "\\u003clocation x", "&amp;lt;direct_url x"])
def test_many_opening_tags_that_no_bracket_closes_are_masked_in_linear_time(tag: str, opened: str) -> None:
    # Each opening tag was read by a regex that ran its attributes lazily up to a closing bracket, to the end of the
    # text when none came: 8,000 of them, 112 kB of text, took 55 s to mask, in a value shown or logged.
    def seconds(n: int) -> float:
        text = opened + tag * n
        return _cpu_seconds(lambda: mask_text(text))

    seconds(100)
    assert seconds(2_000) < 20 * seconds(250) + 0.5  # 8x the tags: about 8x the time, never 64x


@SETTINGS
@given(_documents(), st.sampled_from(sorted(RENDERINGS)), st.sampled_from(sorted(WRAPPINGS)), SPELLINGS,
       st.randoms(use_true_random=False), st.booleans())  # fmt: skip
@example({"task_input": CANARY}, "key=str", "as it is", "json", random.Random(1), False)  # task\u005finput=...
@example({"direct_url": CANARY}, "key: str", "as it is", "python, x", random.Random(2), False)
@example({"locations": [{"url": CANARY}]}, "json", "as it is", None, None, True)  # a validator's words, no key
def test_a_pointer_or_a_logged_message_never_shows_what_the_masking_withholds(
    document: dict[str, Any], rendering: str, wrapping: str, spelling: str | None, chance: Any, refused: bool
) -> None:
    # mask_pointer and the log driver skip the masking of what holds nothing to mask, and asked less than the
    # masking: a key or a text spelling a key with an escaped letter (task\u005finput=...), or quoting a value as a
    # schema validator does (False schema does not allow ...), was shown in clear in a violation's pointer and in
    # the log driver's line.
    text = WRAPPINGS[wrapping](_escaped(RENDERINGS[rendering](document), sorted(FORBIDDEN_KEYS), spelling, chance))
    if refused:
        text = f"False schema does not allow {document!r}"
    assert CANARY in text
    message = _message(5, "size")  # a wrong size: a violation beside the key
    message["payload"]["properties"] = {text: 5, "note": text}
    for backend in ("rust", "python"):
        violations = list(iter_errors(message, backend=backend))  # type: ignore[arg-type]
        assert any(v.pointer.startswith("/payload/properties/") for v in violations)
        assert CANARY not in repr(violations)
    assert CANARY not in log_dumps(message)


@SETTINGS
@given(_documents(), st.sampled_from(sorted(RENDERINGS)), st.sampled_from(sorted(WRAPPINGS)), SPELLINGS,
       st.randoms(use_true_random=False), st.data())  # fmt: skip
def test_a_text_without_those_keys_comes_out_unchanged(
    document: dict[str, Any], rendering: str, wrapping: str, spelling: str | None, chance: Any, data: st.DataObject
) -> None:
    def renamed(value: Any) -> Any:
        if isinstance(value, dict):
            return {(data.draw(st.sampled_from(NEUTRAL)) + str(i) if k in FORBIDDEN_KEYS else k): renamed(v)
                    for i, (k, v) in enumerate(value.items())}  # fmt: skip
        return [renamed(v) for v in value] if isinstance(value, list) else value

    twin = renamed(document)
    assert MARK not in json.dumps(redact(twin))  # the structure's marking leaves these keys too
    text = WRAPPINGS[wrapping](_escaped(RENDERINGS[rendering](twin), NEUTRAL, spelling, chance))
    assert mask_text(text) == text


@pytest.mark.parametrize(
    "text",
    [
        'an image named "locations of things"',
        "the location of the file is unknown",
        "KeyError: 'location'",
        "image_location=store1 locations_count: 2",
        "/payload/locations: this key must never be sent: it may hold credentials [forbidden]",
        "Additional properties are not allowed ('task_input' was unexpected)",
        'Additional properties are not allowed ("task_input", "locations" were unexpected)',
        "payload carries ['locations', 'direct_url']",
    ],
)
def test_text_that_merely_names_such_a_key_is_not_masked(text: str) -> None:
    assert mask_text(text) == text


def test_what_follows_a_text_ending_in_such_a_key_is_kept_apart_from_it() -> None:
    # A text that the package writes before ": reason", masked again as a whole: the reason is not its value.
    name = closed("image location")
    assert mask_text(f"{name}: no such file") == f"{name}: no such file"


# The payload of a message as text: JSON, a repr, an error's words quoting a dict, key=value.
TEXT_PAYLOADS = [
    json.dumps({"locations": [{"url": "file:///x", "metadata": {"k": CANARY}}], "task_input": f"{CANARY}2"}),
    repr({"direct_url": f"rbd://{CANARY}/i", "name": "x"}),
    f"upload failed: {{'location': 'swift://h/{CANARY}', 'size': 5}}",
    f"task_input={CANARY} retrying",
]


def _message(payload: Any, field: str | None = None) -> dict[str, Any]:
    message = next(samples("image.upload", "INFO", profile="seed", seed=3))
    if field is None:
        return {**message, "payload": payload}
    return {**message, "payload": {**message["payload"], field: payload}}


@pytest.mark.parametrize("payload", TEXT_PAYLOADS)
@pytest.mark.parametrize("field", [None, "checksum", "name"])
def test_validate_and_iter_errors_never_show_them(
    payload: str, field: str | None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    message = _message(payload, field)
    if field == "name":  # a valid name: the value is judged valid, so a wrong disk_format carries the report
        message["payload"]["disk_format"] = {"note": payload}
    for backend in ("rust", "python"):
        violations = list(iter_errors(message, backend=backend))  # type: ignore[arg-type]
        assert violations
        assert CANARY not in "\n".join(map(str, violations)) + repr(violations)
        assert all(v.pointer and v.rule for v in violations)  # the pointer and the rule of each stay
    path = tmp_path / "m.jsonl"
    path.write_text(json.dumps(message) + "\n", encoding="utf-8")
    for fmt in ("text", "json"):
        assert main(["validate", "--format", fmt, str(path)]) == 1
        out, err = capsys.readouterr()
        assert CANARY not in out + err
        assert "/payload" in out


@pytest.mark.parametrize("payload", TEXT_PAYLOADS)
def test_the_notifier_logs_them_marked_in_warn_mode_and_from_a_failing_driver(
    payload: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    class Failing:
        def notify(self, message: Any, priority: str) -> None:
            raise RuntimeError(f"store refused {payload!r} and {json.dumps({'payload': payload})}")

    memory = MemoryDriver()
    notifier = Notifier("image.test", drivers=[memory, "log", Failing()], validation="warn")  # type: ignore[list-item]
    notifier.info({}, "image.upload", payload)
    assert memory.messages  # sent: warn mode
    assert "sending an invalid notification" in caplog.text
    assert CANARY not in caplog.text


def test_a_driver_error_quoting_a_dict_that_holds_them_is_marked() -> None:
    error = ValueError(f"bad record {{'locations': [{{'url': 'file:///{CANARY}'}}], 'id': 7}}")
    shown = error_text(error)
    assert CANARY not in shown
    assert "'id': 7" in shown  # what follows the value, once its brackets close, is kept


@pytest.mark.parametrize("written", [None, "--report", "--junit"])
def test_the_conformance_report_never_shows_them(
    written: str | None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    message = produce(next(intents("image.upload", "INFO", examples=1)))
    lines = [json.dumps({**message, "payload": payload}) for payload in TEXT_PAYLOADS]
    lines.append(json.dumps({**message, "publisher_id": TEXT_PAYLOADS[0], "event_type": TEXT_PAYLOADS[2]}))
    stream = tmp_path / "stream.jsonl"
    stream.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = tmp_path / "report"
    assert conformance_main(["--stream", str(stream), *([written, str(report)] if written else [])]) == 1
    out, err = capsys.readouterr()
    assert CANARY not in out + err + (report.read_text(encoding="utf-8") if written else "")
    assert "schema.valid" in out


# A schema of a producer's own, as its validation may hold: the four keys refused, or their values typed.
REFUSING = {"properties": dict.fromkeys(FORBIDDEN_KEYS, False), "additionalProperties": {"$ref": "#"},
            "items": {"$ref": "#"}}  # fmt: skip
TYPING = {"properties": {key: {"type": "integer"} for key in FORBIDDEN_KEYS}, "additionalProperties": {"$ref": "#"},
          "items": {"$ref": "#"}}  # fmt: skip


def _validator_errors(document: dict[str, Any], schema: dict[str, Any]) -> list[BaseException]:
    """The errors python-jsonschema and jsonschema-rs give ``document`` against ``schema``: each listed, and each
    raised as its ``validate`` raises it."""
    errors: list[BaseException] = [*jsonschema.Draft7Validator(schema).iter_errors(document)]
    errors += jsonschema_rs.validator_for(schema).iter_errors(document)
    for validate in (jsonschema.validate, lambda d, s: jsonschema_rs.validate(s, d)):
        try:
            validate(document, schema)
        except Exception as error:
            errors.append(error)
    return errors


@SETTINGS
@given(_documents(), st.sampled_from([REFUSING, TYPING]))
@example({"locations": [{"url": CANARY}]}, REFUSING)
def test_a_schema_validators_error_quoting_such_a_value_without_its_key_never_shows_it(
    document: dict[str, Any], schema: dict[str, Any]
) -> None:
    # python-jsonschema's "False schema does not allow [{'url': ...}]", "'...' is not of type 'integer'" and the
    # "On instance[...]" of its str(), jsonschema-rs's in JSON: a producer's own validation may raise them.
    errors = _validator_errors(document, schema)
    assert errors
    for error in errors:
        shown = error_text(error) + traceback_text(error)
        assert CANARY not in shown
        assert mark_forbidden(error_text(error)) == error_text(error)


def test_the_python_backend_gives_its_own_reason_for_such_a_key_never_python_jsonschemas_words() -> None:
    # python-jsonschema quotes a refused value without its key ("False schema does not allow ..."): the package
    # never shows those words, on either backend, but its own reason with the mark.
    message = _message({"url": f"swift://h/{CANARY}"}, "locations")
    message["payload"]["properties"] = {"direct_url": f"rbd://{CANARY}", "location": [CANARY]}
    schema = bundled_schema(variant("image.upload", "INFO", profile="seed"))
    said = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(message) if e.validator is None]
    assert said
    assert all(m.startswith("False schema does not allow") and CANARY in m for m in said)
    for backend in ("rust", "python"):
        forbidden = [v for v in iter_errors(message, backend=backend) if v.rule == "forbidden"]  # type: ignore[arg-type]
        assert forbidden
        for v in forbidden:
            assert (v.value, v.message) == (MARK, "this key must never be sent: it may hold credentials")


def _refusing_variants() -> list[Any]:
    """The variants whose schema gives one of the keys a `false` schema somewhere."""
    return [v for profile in ("seed", "glance") for v in variants(profile)
            if any(f'"{key}": false' in json.dumps(bundled_schema(v)) for key in FORBIDDEN_KEYS)]  # fmt: skip


@SETTINGS
@given(st.sampled_from(_refusing_variants()), st.lists(st.sampled_from(sorted(FORBIDDEN_KEYS)), max_size=4),
       st.lists(st.sampled_from(sorted(FORBIDDEN_KEYS)), max_size=4), st.sampled_from([CANARY, None, [CANARY], {}]),
       st.booleans())  # fmt: skip
def test_both_backends_name_each_refused_key_at_its_own_pointer(
    v: Any, at_payload: list[str], in_properties: list[str], value: Any, one_object: bool
) -> None:
    # python-jsonschema's error for a `false` schema carries the path of the object, not of the key: the python
    # backend (and the rust one for a large message, which it judges) named /payload for /payload/locations, and
    # two such keys of one object as one violation.
    message = next(samples(v.event_type, v.priority, profile=v.profile, seed=1))
    payload = message["payload"]
    for n, key in enumerate(at_payload):
        payload[key] = value if one_object else copy.deepcopy(value) if n % 2 else [value]
    if isinstance(payload.get("properties"), dict):
        for key in in_properties:
            payload["properties"][key] = value
    found = {backend: sorted(x.pointer for x in iter_errors(message, backend=backend) if x.rule == "forbidden")
             for backend in ("rust", "python")}  # fmt: skip
    assert found["python"] == found["rust"]
    assert all(pointer.rsplit("/", 1)[-1] in FORBIDDEN_KEYS for pointer in found["python"])


# --- D97: keys that read alike once masked ---------------------------------------------------------------------------

_ALIKE_KEYS = st.one_of(
    st.builds(lambda s: f"password={s}", st.text("ab*", max_size=3)),  # each reads password=***
    st.builds(lambda s: f"swift://u:{s}@h", st.text("ab", min_size=1, max_size=3)),  # each reads swift://u:***@h
    st.sampled_from(["password=***", "password=*** (2)", "swift://u:***@h (2)", "x", "token", "password"]),
)
_ALIKE_VALUES = st.recursive(
    st.one_of(st.integers(), st.text("ab", max_size=2), st.none()),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_ALIKE_KEYS, inner, max_size=5),
    max_leaves=20,
)


def _lost(before: Any, after: Any) -> list[str]:
    """Where an object of ``after``, the redacted copy of ``before``, holds fewer or more entries than its original
    (a value masked whole, as oslo masks what a secret key holds, is not looked into)."""
    lost, stack = [], [(before, after, "")]
    while stack:
        old, new, pointer = stack.pop()
        if isinstance(old, dict) and isinstance(new, dict):
            if len(old) != len(new):
                lost.append(pointer)
            stack.extend((o, n, f"{pointer}/{k}") for (k, o), n in zip(old.items(), new.values(), strict=False))
        elif isinstance(old, list) and isinstance(new, list):
            stack.extend((o, n, f"{pointer}/{i}") for i, (o, n) in enumerate(zip(old, new, strict=True)))
    return lost


@SETTINGS
@given(st.dictionaries(_ALIKE_KEYS, _ALIKE_VALUES, min_size=1, max_size=6))
@example({"password=a": 1, "password=b": 2})
@example({"password=b": 1, "password=***": 2, "password=*** (2)": 3})  # a key that reads as a told-apart one
def test_keys_that_read_alike_once_masked_keep_every_entry(value: dict[str, Any]) -> None:
    # Before, {"password=a": 1, "password=b": 2} was written {"password=***": "***"}: one entry lost in every log
    # line, report and violation that shows a redacted message.
    from notify_schemas.conformance.runner import _unleaked_value
    from notify_schemas.wire_form import redacted_json

    assert _lost(value, redact(value)) == []
    assert _lost(value, json.loads(redacted_json(value))) == []
    assert _lost(value, json.loads(log_dumps(value))) == []
    assert _lost(value, _unleaked_value(redact(value))) == []
    text = json.dumps(redact(value))
    assert not any(secret in text for secret in ("password=a", "password=b", "u:a@", "u:b@"))


# Texts near oslo's secret words: pieces of them (``ecre``, ``ken``, ``_ps``) and whole ones, with other letters, at
# lengths on both sides of the one past which every word is tested.
_NEAR_WORDS = st.lists(
    st.one_of(
        st.sampled_from(SANITIZE_KEYS).flatmap(
            lambda w: st.tuples(st.integers(0, len(w)), st.integers(0, len(w))).map(lambda ij: w[min(ij) : max(ij)])
        ),
        st.text("abcdefghijklmnopqrstuvwxyz_-:=0123456789 ", max_size=40),
    ),
    max_size=8,
).map("".join)


@given(_NEAR_WORDS)
@example("x" * 60 + "token")
@example("x" * 61 + "token")
@example("secre" + "t")
def test_a_text_holds_a_secret_word_exactly_when_one_of_the_words_is_in_it(text: str) -> None:
    assert holds_secret_word(text) == any(word in text for word in SANITIZE_KEYS)


@given(st.lists(st.sampled_from(["failed", "password = s3cret", "  at store.py:12", "\r", "\x0b", "\u2028", " "]),
                min_size=1, max_size=6).map("\n".join))  # fmt: skip
def test_an_errors_text_is_one_line_whatever_breaks_it_holds(text: str) -> None:
    # A driver's RuntimeError("failed\npassword = x\n") made its log line span several, each read as a line of its own.
    shown = error_text(RuntimeError(text))
    assert len(shown.splitlines()) == 1
    assert "s3cret" not in shown


def test_a_failing_drivers_log_line_is_one_line(caplog: pytest.LogCaptureFixture) -> None:
    class Failing:
        def notify(self, message: Any, priority: str) -> None:
            raise RuntimeError("failed\npassword = s3cret\nretry later\n")

    caplog.set_level(logging.ERROR)
    Notifier("image.test", drivers=[Failing()]).error({}, "image.upload", "x")  # type: ignore[list-item]
    (line,) = [r.getMessage() for r in caplog.records]
    assert len(line.splitlines()) == 1, line
    assert "RuntimeError: failed password = *** retry later" in line


_JSON_KEYS = st.sampled_from(["a", "password", "name", "x/y~z", "password=s3cr3t", "rabbit://u:s3cr3t@h/"])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.booleans(), _JSON_KEYS), min_size=0, max_size=6), st.data())
def test_redact_refuses_a_value_that_holds_itself_naming_where(path: list[tuple[bool, str]], data: Any) -> None:
    """A dict or a list that holds itself, at any depth, is no JSON: redact says so in one masked line naming where,
    never walks it for ever (its walk has no recursion to stop it, and would grow without end)."""
    root: Any = {} if data.draw(st.booleans()) else []
    node = root
    for as_dict, key in path:
        child: Any = {} if as_dict else []
        if isinstance(node, dict):
            node[key if as_dict else "items"] = child  # a list under a secret word is masked whole, not walked
        else:
            node.extend([1, child])
        node = child
    target = data.draw(st.sampled_from([root, node]))
    if isinstance(node, dict):
        node["again"] = target
    else:
        node.append(target)
    with pytest.raises(ValueError, match="holds itself") as raised:
        redact(root)
    message = str(raised.value)
    assert "\n" not in message
    assert "s3cr3t" not in message
    assert message.startswith("redact takes plain JSON")


def test_redact_keeps_a_value_met_twice_that_does_not_hold_itself() -> None:
    """The same list under two keys, or twice in a list, is no cycle: each is redacted as it is."""
    shared = ["password=s3cr3t"]
    assert redact({"a": shared, "b": [shared, shared]}) == {"a": ["password=***"], "b": [["password=***"]] * 2}


@settings(max_examples=100, deadline=None)
@given(st.one_of(st.none(), st.integers(), st.binary(), st.lists(st.text()), st.dictionaries(st.text(), st.text())))
def test_mask_text_refuses_what_is_not_text_naming_its_type(value: Any) -> None:
    """Asked whether it held a word, a list answered for its items (and was written as its repr) and None failed
    deep inside; an endless generator was read for ever."""
    with pytest.raises(TypeError, match=r"^mask_text takes text, not a value of type \w+$"):
        mask_text(value)


def test_mask_text_refuses_an_endless_generator_at_once() -> None:
    with pytest.raises(TypeError, match=r"generator$"):
        mask_text(word for word in iter(lambda: "location", None))  # type: ignore[arg-type]


class _TooDeep(dict):  # type: ignore[type-arg]
    """A mapping read where the caller's stack runs out, as a deep value is read with few frames left."""

    def items(self) -> Any:
        raise RecursionError("maximum recursion depth exceeded")

    def __iter__(self) -> Any:
        raise RecursionError("maximum recursion depth exceeded")


@pytest.mark.parametrize("read", [lambda v: mask_dict_password(v), lambda v: redact([v]), lambda v: forbidden_texts(v)])
def test_a_recursion_error_met_while_an_argument_is_read_stays_one(read: Callable[[Any], Any]) -> None:
    # It is no fault of the argument but of the stack it was read on: made a TypeError ("cannot be read"), it stopped
    # the verdict's second run on a stack of its own (D96), and Notifier.send with 30 frames left raised where the
    # same call at the top of the stack logged and sent.
    with pytest.raises(RecursionError):
        read(_TooDeep(password="x"))
