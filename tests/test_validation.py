"""validate(), iter_errors() and is_valid(): dispatch per variant, every violation reported, both backends alike."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import threading
import tracemalloc
from collections.abc import Callable
from typing import Any

import jsonschema
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import ALL_VARIANTS, CORPUS, JSON_VALUES, _paths, corpus_cases, valid_or_broken_messages

import notify_schemas.validation as validation
from notify_schemas import Variant
from notify_schemas.errors import InvalidNotificationError, NotifySchemasError
from notify_schemas.redaction import redact
from notify_schemas.registry import variants
from notify_schemas.samples import samples
from notify_schemas.validation import is_valid, iter_errors, validate

VALID = CORPUS["seed"][0]["tests"][0]["data"]


def _message(event_type: str, priority: str, profile: str = "seed") -> dict[str, Any]:
    group = next(g for g in CORPUS[profile] if g["description"] == f"{profile} {event_type} {priority}")
    return copy.deepcopy(group["tests"][0]["data"])


@pytest.mark.parametrize(("group", "test"), corpus_cases())
@pytest.mark.parametrize("backend", ["rust", "python"])
def test_verdicts_match_the_golden_corpus(group: dict[str, Any], test: dict[str, Any], backend: str) -> None:
    profile, event_type, priority = group["description"].split()
    data = test["data"]
    expected = test["valid"]
    if (data.get("event_type"), data.get("priority")) != (event_type, priority):
        # A message moved to another variant is judged by that variant's schema (an unknown one: invalid).
        other = next(
            (
                g
                for g in CORPUS[profile]
                if g["description"] == f"{profile} {data.get('event_type')} {data.get('priority')}"
            ),
            None,
        )
        expected = other is not None and jsonschema.Draft7Validator(other["schema"]).is_valid(data)
    assert is_valid(data, profile=profile, backend=backend) is expected  # type: ignore[arg-type]
    errors = list(iter_errors(data, profile=profile, backend=backend))  # type: ignore[arg-type]
    assert (not errors) is expected


def test_valid_message_passes_silently() -> None:
    assert validate(VALID) is None


def test_error_carries_every_violation_with_pointer_value_rule_and_variant() -> None:
    bad = _message("image.upload", "INFO")
    bad["payload"]["size"] = -1
    bad["payload"]["id"] = "1234"
    bad["payload"]["locations"] = [{"url": "swift://user:secret@host/c/o"}]
    with pytest.raises(InvalidNotificationError) as info:
        validate(bad)
    error = info.value
    assert isinstance(error, NotifySchemasError)
    found = {(v.pointer, v.rule) for v in error.violations}
    assert ("/payload/size", "minimum") in found
    assert ("/payload/id", "pattern") in found
    assert ("/payload", "additionalProperties") in found
    assert ("/payload/locations", "forbidden") in found  # the security rule, named as such
    assert all(v.variant == ("image.upload", "INFO") for v in error.violations)
    assert next(v for v in error.violations if v.pointer == "/payload/size").value == "-1"
    assert str(error).splitlines()[0] == f"image.upload INFO is invalid in profile 'seed': {len(found)} violations"


def test_long_values_are_shortened_in_violations() -> None:
    bad = _message("image.upload", "ERROR")
    bad["payload"] = ["x" * 1000]
    violation = next(iter_errors(bad))
    assert len(violation.value) == 80
    assert violation.value.endswith("...")


def test_unknown_event_type_is_one_violation_naming_the_closest_known_one() -> None:
    message = dict(VALID, event_type="image.uplaod")
    violations = list(iter_errors(message))
    assert [(v.pointer, v.rule) for v in violations] == [("/event_type", "variant")]
    assert "did you mean 'image.upload'" in violations[0].message
    assert "known event types: image.activate" in violations[0].message


@pytest.mark.parametrize("backend", ["rust", "python"])
@pytest.mark.parametrize(("asked", "owner"), [("seed", "glance"), ("glance", "seed")])
def test_a_message_of_another_profiles_variant_names_that_profile(asked: str, owner: str, backend: str) -> None:
    # A glance image.member.create judged in seed said "did you mean 'image.create'?": another event, not the fix.
    mine = {(v.event_type, v.priority) for v in variants(asked)}
    for v in variants(owner):
        if (v.event_type, v.priority) in mine:
            continue
        message = next(samples(v.event_type, v.priority, profile=owner))
        [violation] = iter_errors(message, profile=asked, backend=backend)
        assert violation.rule == "variant"
        assert f"(profile {owner!r} has it);" in violation.message, violation.message
        assert "did you mean" not in violation.message


def test_lower_case_priority_points_at_the_priority() -> None:
    message = dict(VALID, priority="info")
    violations = list(iter_errors(message))
    assert violations[0].pointer == "/priority"
    assert "priorities are upper case" in violations[0].message
    assert ("/priority", "enum") in {(v.pointer, v.rule) for v in violations}


def test_a_message_that_is_not_an_object_is_one_clear_violation() -> None:
    assert [(v.pointer, v.rule) for v in iter_errors([1, 2])] == [("", "type")]
    assert not is_valid("text")


def test_the_glance_profile_knows_events_the_seed_does_not() -> None:
    member = _message("image.member.create", "INFO", "glance")
    assert is_valid(member, profile="glance")
    assert not is_valid(member, profile="seed")


def test_validators_are_built_once_even_when_threads_race(monkeypatch: pytest.MonkeyPatch) -> None:
    built = []
    original = validation._RustChecker

    class Counting(original):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any) -> None:
            built.append(args[1])
            super().__init__(*args)

    monkeypatch.setattr(validation, "_checkers", {})
    monkeypatch.setattr(validation, "_exact", {})
    monkeypatch.setattr(validation, "_plain", {})
    monkeypatch.setitem(validation._BACKENDS, "rust", Counting)
    barrier = threading.Barrier(8)
    failures = []

    def work() -> None:
        barrier.wait()
        for _ in range(200):
            if not is_valid(VALID):
                failures.append("invalid")

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures
    assert built == [(VALID["event_type"], VALID["priority"])]


def test_unknown_backend_is_refused() -> None:
    with pytest.raises(ValueError, match="known backends: rust, python"):
        validate(VALID, backend="java")  # type: ignore[arg-type]


# Both backends must agree, on valid messages of every variant and on the same broken at a random place.
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_or_broken_messages())
def test_rust_and_python_backends_agree(case: tuple[Variant, Any]) -> None:
    v, message = case
    profile = v.profile
    rust = is_valid(message, profile=profile, backend="rust")
    python = is_valid(message, profile=profile, backend="python")
    assert rust == python
    rust_errors = {(v.pointer, v.rule) for v in iter_errors(message, profile=profile, backend="rust")}
    python_errors = {(v.pointer, v.rule) for v in iter_errors(message, profile=profile, backend="python")}
    assert bool(rust_errors) == bool(python_errors) == (not rust)
    assert {p for p, _ in rust_errors} == {p for p, _ in python_errors}


# A key a producer may write: quotes, a backslash, a comma, non-ASCII, control and line-break characters, a secret's.
ODD_KEYS = st.lists(
    st.sampled_from(["a", "'", '"', "\\", ",", " ", "é", "\n", "\t", "\x00", "\u2028", "\x85", "password="]),
    min_size=1,
    max_size=6,
).map("".join)


def _triples(violations: Any) -> list[tuple[str, str, str]]:
    return sorted((v.pointer, v.rule, v.message) for v in violations)


def _one_line(text: str) -> bool:
    return text.splitlines() == [text]


# What a user reads is the same whichever backend found it: the pointer, the rule and the words, values and keys
# quoted as JSON on one line (D77).
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    valid_or_broken_messages(), st.lists(st.tuples(st.sampled_from(["", "payload"]), ODD_KEYS), max_size=3), st.data()
)
def test_both_backends_word_every_violation_of_a_variant_alike(
    case: tuple[Variant, Any], extra: list[tuple[str, str]], data: st.DataObject
) -> None:
    v, message = case
    for where, key in extra:
        target = message.get(where) if where else message
        if isinstance(target, dict):
            target[key] = data.draw(JSON_VALUES)
    rust = _triples(iter_errors(message, profile=v.profile, backend="rust"))
    assert rust == _triples(iter_errors(message, profile=v.profile, backend="python"))
    assert all(_one_line(said) for _, _, said in rust)


# Each rule a schema may state, with the schema's own values holding quotes, line breaks and non-ASCII.
RULES = [
    {"type": "string"},
    {"type": ["null", "integer"]},
    {"enum": ["a", 'it\'s "q"', 2, None]},
    {"const": "é\n"},
    {"required": ["a", "it's", 'q"k', "\u2028"]},
    {"properties": {"a": {}}, "patternProperties": {"^x": {}}, "additionalProperties": False},
    {"pattern": "^a\\d\n"},
    {"minLength": 1},
    {"maxLength": 1},
    {"minimum": 0},
    {"maximum": 5},
    {"exclusiveMinimum": 0},
    {"exclusiveMaximum": 0},
    {"minItems": 1},
    {"maxItems": 1},
    {"minProperties": 1},
    {"maxProperties": 1},
    {"uniqueItems": True},
    {"not": {"pattern": "\n"}},
    {"anyOf": [{"type": "string"}, {"type": "null"}]},
    {"if": {"type": "string"}, "then": {"minLength": 2}, "else": {"type": "object"}},
    {"items": {"type": "string"}},
    {"properties": {"a": {"type": "integer"}, "it's": {"const": 1}}},
]
INSTANCES = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.text(st.sampled_from("a1'\"\\é\n\u2028 "), max_size=4),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.one_of(ODD_KEYS, st.sampled_from(["a", "xa"])), inner, max_size=3)
    ),
    max_leaves=6,
)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(RULES), min_size=1, max_size=3), st.booleans(), INSTANCES)
def test_both_backends_word_each_rule_alike(rules: list[dict[str, Any]], nested: bool, instance: Any) -> None:
    schema: dict[str, Any] = {"allOf": rules}
    if nested:  # the same one level down, under a key that itself needs escaping
        schema, instance = {"properties": {'k"\n': schema}}, {'k"\n': instance}
    rust = _triples(validation._RustChecker(schema, None).violations(instance))
    assert rust == _triples(validation._PythonChecker(schema, None).violations(instance))
    assert all(_one_line(said) for _, _, said in rust)


# jsonschema-rs leaves empty keys out of the paths it gives; both backends must still say the same place.
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(ALL_VARIANTS), st.integers(0, 10**6), st.data())
def test_both_backends_say_where_a_violation_under_an_empty_key_is(v: Variant, seed: int, data: st.DataObject) -> None:
    message = next(samples(v.event_type, v.priority, profile=v.profile, seed=seed))
    path = data.draw(st.sampled_from([p for p in _paths(message) if len(p) > 1] or [("payload",)]))
    parent = message
    for part in path[:-1]:
        parent = parent[part]
    for _ in range(data.draw(st.integers(1, 3))):  # the value, one to three empty keys down, beside a key or not
        keys = st.dictionaries(st.sampled_from(["a", '"]', '"]["', "~/"]), JSON_VALUES, max_size=1)
        parent[path[-1]] = {"": parent[path[-1]], **data.draw(keys)}
    rust = {e.pointer for e in iter_errors(message, profile=v.profile, backend="rust")}
    python = {e.pointer for e in iter_errors(message, profile=v.profile, backend="python")}
    assert rust == python


def test_a_variant_once_judged_is_one_lookup_away_on_every_hot_path() -> None:
    message = _message("image.update", "INFO")
    assert is_valid(message)
    key = ("image.update", "INFO")
    # The verdicts the command line, the listener and validate() use, each jsonschema-rs's own is_valid.
    assert validation.validity_table("seed", "rust")[key](message) is True
    fast = validation._closed_fast["seed"][key]
    assert type(fast).__name__ == "builtin_function_or_method"
    assert fast(message) is True
    # The Notifier's: the payload alone, once the variant has been sent.
    validation.register_payload_verdict("seed", *key)
    judge = validation.payload_verdicts("seed")[key]
    assert judge(message["payload"]) is True
    assert judge({**message["payload"], "status": "bogus"}) is False


def _passing_for(name: str) -> str:
    """A profile's or a backend's name in a ``str`` subclass that hashes as ``name`` and says it equals anything."""

    class Impostor(str):
        def __hash__(self) -> int:
            return hash(name)

        def __eq__(self, other: object) -> bool:
            return True

        def __ne__(self, other: object) -> bool:
            return False

    return Impostor


@pytest.mark.parametrize("backend", ["rust", "python"])
def test_a_profile_named_by_a_str_subclass_is_the_profile_its_text_names(backend: str) -> None:
    # Valid in the glance profile, invalid in the seed one (D13 vs D23); the seed's verdicts are in the tables.
    message = next(samples("image.delete", "INFO", profile="glance", seed=1))
    assert not is_valid(message, backend=backend)  # type: ignore[arg-type]
    glance = _passing_for("seed")("glance")
    assert is_valid(message, profile=glance, backend=backend) is True  # type: ignore[arg-type]
    assert validation.is_valid_plain(message, profile=glance, backend=backend) is True  # type: ignore[arg-type]
    assert list(iter_errors(message, profile=glance, backend=backend)) == []  # type: ignore[arg-type]
    validate(message, profile=glance, backend=backend)  # type: ignore[arg-type]
    seed = _passing_for("glance")("seed")
    assert is_valid(message, profile="glance", backend=backend)  # type: ignore[arg-type]
    assert is_valid(message, profile=seed, backend=backend) is False  # type: ignore[arg-type]
    assert validation.is_valid_plain(message, profile=seed, backend=backend) is False  # type: ignore[arg-type]
    with pytest.raises(InvalidNotificationError) as raised:
        validate(message, profile=seed, backend=backend)  # type: ignore[arg-type]
    assert raised.value.violations


PUBLISHER_IDS = st.one_of(
    st.text(max_size=8),
    st.text(alphabet="abcXYZ019._:@-", min_size=250, max_size=260),  # both sides of the 255 limit
    st.text(alphabet="abcXYZ019._:@- \n\t/é", max_size=12),
)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(PUBLISHER_IDS, st.sampled_from(sorted(validation.variants("glance"))))
def test_the_publisher_id_check_agrees_with_the_whole_envelope(publisher_id: str, v: Variant) -> None:
    from notify_schemas.samples import samples

    message = dict(next(samples(v.event_type, v.priority, profile=v.profile, seed=0)), publisher_id=publisher_id)
    assert validation.publisher_id_is_valid(publisher_id) == is_valid(message, profile=v.profile)


def _many_wrong_tags(count: int) -> dict[str, Any]:
    message = next(samples("image.upload", "INFO", seed=1))
    message["payload"]["tags"] = list(range(count))  # each item breaks the items' type
    return message


@pytest.mark.parametrize("backend", ["rust", "python"])
def test_a_message_with_more_violations_than_listed_gets_the_first_and_one_saying_so(backend: str) -> None:
    found = list(iter_errors(_many_wrong_tags(validation.MAX_VIOLATIONS + 5), backend=backend))  # type: ignore[arg-type]
    assert len(found) == validation.MAX_VIOLATIONS + 1
    assert [v.rule for v in found[:-1]] == ["type"] * validation.MAX_VIOLATIONS
    assert found[-1].rule == "too-many"
    assert found[-1].variant == ("image.upload", "INFO")
    with pytest.raises(InvalidNotificationError, match=r": 1001 violations"):
        validate(_many_wrong_tags(5_000), backend=backend)  # type: ignore[arg-type]


def test_a_message_with_exactly_as_many_violations_as_listed_gets_no_more() -> None:
    found = list(iter_errors(_many_wrong_tags(validation.MAX_VIOLATIONS)))
    assert len(found) == validation.MAX_VIOLATIONS
    assert "too-many" not in {v.rule for v in found}


def _many_without_a_wire_form(count: int, kind: str) -> Any:
    if kind == "mixed":  # some without a wire form, and more breaking the schema
        message = _many_wrong_tags(count)
        message["payload"]["name"] = [object()] * 10
        return message
    message = next(samples("task.success", "INFO", seed=1))
    message["payload"]["result"] = {"many": ["\ud800"] * count if kind == "surrogates" else [object()] * count}
    return message


@pytest.mark.parametrize("kind", ["surrogates", "objects", "mixed"])
@pytest.mark.parametrize("backend", ["rust", "python"])
def test_a_message_with_more_parts_without_a_wire_form_than_listed_gets_the_first_and_one_saying_so(
    kind: str, backend: str
) -> None:
    # The parts that have no wire form were listed in full, before the schema's own thousand: a 16 MiB line of lone
    # surrogates was millions of violations, and as many lines of the command line's output.
    from notify_schemas import Notifier

    message = _many_without_a_wire_form(validation.MAX_VIOLATIONS * 3, kind)
    found = list(iter_errors(message, backend=backend))  # type: ignore[arg-type]
    assert len(found) == validation.MAX_VIOLATIONS + 1
    assert found[-1].rule == "too-many"
    assert "too-many" not in {v.rule for v in found[:-1]}
    assert found[-1].variant == found[0].variant
    for judge in (
        lambda: validate(message, backend=backend),  # type: ignore[arg-type]
        lambda: Notifier("image.test", backend=backend).send(message),  # type: ignore[arg-type]
    ):
        with pytest.raises(InvalidNotificationError) as info:
            judge()
        assert len(info.value.violations) == validation.MAX_VIOLATIONS + 1


def test_a_million_violations_cost_what_the_listed_ones_do() -> None:
    # jsonschema-rs builds every violation before handing over the first: 1.7 GB for these. Measured in a process
    # of its own, by its memory's own high-water mark (VmHWM): getrusage's maxrss there would start at the size of
    # the test process that started it (Linux keeps it across exec).
    code = (
        "import re\n"
        "from notify_schemas import iter_errors\n"
        "from notify_schemas.samples import samples\n"
        "message = next(samples('image.upload', 'INFO', seed=1))\n"
        "message['payload']['tags'] = list(range(1_000_000))\n"
        "found = list(iter_errors(message))\n"
        "peak = int(re.search(r'VmHWM:\\s+(\\d+) kB', open('/proc/self/status').read())[1]) // 1024\n"
        "print(len(found), found[-1].rule, peak)\n"
    )
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True)
    count, rule, peak_mb = shown.stdout.split()
    assert (int(count), rule) == (validation.MAX_VIOLATIONS + 1, "too-many")
    assert int(peak_mb) < 400


def _traced_peak(work: Callable[[], Any]) -> int:
    """The most memory Python's allocator held for ``work`` at once, in bytes."""
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_violations_of_a_large_message_are_read_from_it_not_from_a_copy() -> None:
    # A message decoded from a large body (a listener's, a file's record of up to 16 MiB) takes many times its text:
    # a copy of it for its wire form, and another two of each container a violation shows 80 characters of, took
    # twice what the message itself takes. Now reporting costs what writing the message as text once does (orjson
    # sets aside many times the text while it writes), and a little more.
    message = next(iter(samples("image.update", "INFO", n=1, seed=1)))
    message["payload"]["tags"] = [[[[i]]] for i in range(300_000)]
    text = json.dumps(message)
    decoded = _traced_peak(lambda: json.loads(text))
    message = json.loads(text)
    written = _traced_peak(lambda: orjson.dumps(message))
    list(iter_errors(message))  # once first: python-jsonschema's validator is imported and built on first use
    found: list[Any] = []
    peak = _traced_peak(lambda: found.extend(iter_errors(message)))
    assert len(found) == 1001  # a thousand, and the one that says there are more
    assert found[0].pointer == "/payload/tags/0"
    assert peak < written + decoded / 10, f"{peak:,} bytes to report on a message of {decoded:,}"


def test_redacting_copies_nothing_that_holds_no_secret() -> None:
    # A list of numbers was copied, and the walk held an entry per number (some 70 bytes each).
    tags = list(range(300_000))
    value = {"payload": {"tags": tags, "name": "swift://u:CANARY@h/c"}, "other": [{"a": 1}]}
    peak = _traced_peak(lambda: redact(value))
    shown = redact(value)
    assert shown["payload"]["tags"] is tags
    assert shown["other"] is value["other"]
    assert shown["payload"]["name"] == "swift://u:***@h/c"
    assert value["payload"]["name"] == "swift://u:CANARY@h/c"
    assert peak < 100_000


# Values that are often equal as JSON Schema counts equality but not alike in Python, or alike but not equal: 1 and
# 1.0, 0 and -0.0, true and 1, objects with their keys in another order.
_CLOSE = st.recursive(
    st.sampled_from([None, True, False, 0, -0.0, 0.0, 1, 1.0, "1", "", "a"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["a", "b", "1"]), inner, max_size=3).map(lambda d: dict(reversed(d.items())))
    ),
    max_leaves=6,
)


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(st.lists(_CLOSE | JSON_VALUES, max_size=6).flatmap(lambda pool: st.lists(st.sampled_from(pool or [1]))))
def test_unique_items_is_judged_as_python_jsonschema_judges_it(items: list[Any]) -> None:
    from jsonschema._utils import uniq

    assert validation._unique(items) is uniq(items)


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(
    st.lists(_CLOSE.filter(lambda v: isinstance(v, list | dict)), min_size=1, max_size=4).flatmap(
        lambda pool: st.lists(st.sampled_from(pool) | st.lists(st.sampled_from(pool), max_size=2), max_size=6)
    )
)
def test_unique_items_is_judged_alike_where_items_share_a_container(items: list[Any]) -> None:
    # A producer's message may hold one list in two places: as an item and inside another item. Numbered before the
    # containers that hold it, wherever it is met first: [[a], [b], a, b] was judged to repeat an item.
    from jsonschema._utils import uniq

    assert validation._unique(items) is uniq(items)


def test_tags_sharing_a_list_get_the_same_violations_from_both_backends() -> None:
    message = _message("image.upload", "INFO")
    a, b = ["x"], ["y"]
    message["payload"]["tags"] = [[a], [b], a, b]
    found = {backend: sorted(iter_errors(message, backend=backend)) for backend in ("rust", "python")}  # type: ignore[arg-type]
    assert found["rust"] == found["python"]


def _nested(depth: int) -> Any:
    value: Any = None
    for i in range(depth):
        value = [value] if i % 2 else {"k": value}
    return value


@pytest.mark.parametrize("padding", [0, 70_000])  # over 64 KiB, the violations come from python-jsonschema (D47)
@pytest.mark.parametrize("depth", [100, 250])
def test_items_nested_deep_get_a_verdict_and_the_same_violations_from_both_backends(padding: int, depth: int) -> None:
    message = _message("image.upload", "INFO")
    message["payload"]["tags"] = [_nested(depth), _nested(depth), "x" * padding]
    found = {}
    for backend in ("rust", "python"):
        assert not is_valid(message, backend=backend)  # type: ignore[arg-type]
        with pytest.raises(InvalidNotificationError):
            validate(message, backend=backend)  # type: ignore[arg-type]
        found[backend] = sorted(iter_errors(message, backend=backend))  # type: ignore[arg-type]
    assert found["rust"] == found["python"]
    assert "uniqueItems" in {v.rule for v in found["rust"]}
