"""Intents: what a producer is asked to announce, generated per variant in four phases.

Each intent's record holds everything the expected payload holds, plus what a real Glance object would hold and must
never be sent (``locations`` and ``direct_url`` on an image, at one of several stores, ``task_input`` on a task).
The boundary phase comes first (empty and null names, zero and huge sizes, Unicode, empty and long tag lists, many
properties); then examples drawn by Hypothesis (`notify_schemas.conformance.strategies`), which also shrinks a
failing one; then the style phase (long, non-NFC, astral, right-to-left, padded, mixed-case, URL-like and
credential-like texts); last the coverage phase, which asks for every enum value, nullable branch, anyOf branch and
bound of the schema that the others missed (`notify_schemas.conformance.coverage`).
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Iterator
from typing import Any

from notify_schemas.conformance.checks import RunState, _faithful
from notify_schemas.conformance.coverage import Coverage, cover, styled
from notify_schemas.conformance.records import Intent, expected_payload, record_for
from notify_schemas.conformance.reference import PUBLISHER, produce
from notify_schemas.errors import UnknownVariantError
from notify_schemas.message import build_message
from notify_schemas.redaction import quoted
from notify_schemas.registry import BASE_URI, bundle, registry, variant
from notify_schemas.samples import cohere, samples
from notify_schemas.termination import raise_if_terminated
from notify_schemas.validation import _RustChecker, is_valid, iter_errors
from notify_schemas.values import Variant
from notify_schemas.wire_form import to_wire

__all__ = ["checked_intent", "intents"]

_BOUNDARY_IMAGE = [
    {"name": ""},
    {"name": None},
    {"name": "\u00e9t\u00e9 \u2014 \u65e5\u672c\u8a9e \U0001f680"},
    {"size": 0, "virtual_size": 0, "min_disk": 0, "min_ram": 0},
    {"size": 2**53 - 1, "virtual_size": 2**53 - 1},
    {"tags": []},
    {"tags": [f"tag-{i}" for i in range(100)]},
    {"properties": {f"prop_{i}": "x" * (i % 17) for i in range(200)}},
]


def _boundary(v: Variant, intent: Intent) -> Iterator[Intent]:
    record = intent["record"]
    if "disk_format" not in record:
        return
    for change in _BOUNDARY_IMAGE:
        candidate = copy.deepcopy(intent)
        candidate["record"].update(copy.deepcopy(change))
        cohere(v.event_type, candidate["record"])
        message = build_message(v.event_type, v.priority, expected_payload(candidate), "image.conformance")
        if is_valid(message, profile=v.profile):
            yield candidate


def intents(
    event_type: str,
    priority: str,
    *,
    profile: str = "seed",
    examples: int = 10,
    seed: int = 0,
    coverage: Coverage | None = None,
) -> Iterator[Intent]:
    """The boundary intents of a variant, then ``examples`` distinct ones drawn by Hypothesis, then the styled ones,
    then those that cover what the others missed; the same seed gives the same list. ``coverage``, when given, counts
    what each intent asks.

    The boundary cases vary one realistic record (the seeded sample generator's first) at its edges. The random phase
    is Hypothesis's generate phase over `intent_strategy`, seeded with ``seed`` so that a run can be repeated; its
    first intent is always the simplest one, whatever the seed. Hypothesis may draw an intent twice: repeats are
    dropped and drawn again, in up to four rounds, so a variant with few possible records may get fewer.
    """
    from hypothesis import HealthCheck, Phase, Verbosity, given, settings
    from hypothesis import seed as seeded

    from notify_schemas.conformance.strategies import intent_strategy

    v = variant(event_type, priority, profile=profile)
    counted = Coverage() if coverage is None else coverage
    first = next(samples(v.event_type, v.priority, profile=profile, seed=seed))
    for intent in _boundary(v, {"event_type": v.event_type, "priority": v.priority, "profile": profile,
                                "record": record_for(v, first["payload"])}):  # fmt: skip
        counted.add(intent)
        yield intent
    strategy = intent_strategy(v.event_type, v.priority, profile=profile)
    drawn: dict[str, Intent] = {}
    for round_ in range(4):
        wanted = examples - len(drawn)
        if wanted < 1:
            break
        # A later round starts again from the simplest intent and favours small ones: it draws more than it lacks.
        asked = wanted if round_ == 0 else 2 * wanted + 10

        @seeded(seed + round_ * 1_000_003)
        @settings(max_examples=asked, database=None, deadline=None, phases=[Phase.generate],
                  verbosity=Verbosity.quiet, suppress_health_check=list(HealthCheck))  # fmt: skip
        @given(strategy)
        def collect(intent: Intent) -> None:
            raise_if_terminated()  # SIGTERM, if its exception was dropped where it was raised
            if len(drawn) < examples:
                drawn.setdefault(json.dumps(intent, sort_keys=True), intent)

        collect()
    for intent in drawn.values():
        counted.add(intent)
        yield intent
    yield from styled(v, counted, seed=seed)
    yield from cover(v, counted, seed=seed)


def checked_intent(intent: Any, name: str) -> Intent:
    """``intent`` as the suite itself would have asked it, or ``ValueError`` starting with ``name`` (``--intent``,
    ``only[0]``) that says what is wrong: a value JSON carries as it is (no NaN, nor infinity, which would make the
    JSON report no JSON; no lone surrogate), meeting schemas/intent.json, for a variant of its profile, with a record
    that a notification can carry (`_unmet`). A malformed intent is the caller's mistake: handed over, what the
    producer did with it would be reported as the producer's failure, or raise out of the run."""
    unsent = next(iter(to_wire(intent).problems), None)
    if unsent is not None:
        raise ValueError(f"{name}: {unsent.pointer or '/'}: {unsent.message}")
    violation = next(iter(_intent_checker().violations(intent)), None)
    if violation is not None:
        raise ValueError(f"{name} is not an intent of schemas/intent.json: {violation}")
    try:
        variant(intent["event_type"], intent["priority"], profile=intent["profile"])
    except UnknownVariantError as error:
        raise ValueError(f"{name} asks for what no schema describes: {error}") from None
    unmet = _unmet(intent)
    if unmet is not None:
        asked = f"{intent['event_type']} {intent['priority']} in profile {quoted(intent['profile'])}"
        raise ValueError(f"{name}: {unmet}: no notification of {asked} can carry it, so no producer could pass")
    return intent  # type: ignore[no-any-return]


def _unmet(intent: Intent) -> str | None:
    """Why no notification meets ``intent`` (``/record/size: -1 is less than the minimum of 0``, named in the
    intent), or None: the notification the specification requires for it (its record without what must never be
    sent) must be valid, and so must the reference producer's, which must also carry the record faithfully. The
    suite asks nothing else: an intent that fails here would fail every producer, the reference among them
    (DECISIONS D105)."""
    try:
        payload = expected_payload(intent)
    except KeyError as error:  # image.delete's payload is the record's id
        return f"/record: no {quoted(str(error.args[0]))}, which is the payload of this event"
    expected = build_message(intent["event_type"], intent["priority"], payload, intent.get("publisher_id", PUBLISHER))
    made = produce(copy.deepcopy(intent))
    profile = intent["profile"]
    for message in (expected, made):
        violation = next(iter(iter_errors(message, profile=profile)), None)
        if violation is not None:
            return f"{_in_intent(intent, violation.pointer)}: {violation.message} [{violation.rule}]"
    unfaithful = _faithful(intent, made, RunState())
    return None if unfaithful is None else f"/record: {unfaithful}"


def _in_intent(intent: Intent, pointer: str) -> str:
    """The place in ``intent`` of what made ``pointer`` of its notification: ``/payload/size`` is ``/record/size``,
    a text payload is ``/record/text`` and image.delete's id ``/record/id``; the publisher id is the intent's own."""
    head, _, rest = pointer.removeprefix("/").partition("/")
    if head == "publisher_id":
        return "/publisher_id"
    if head != "payload":
        return pointer or "/"
    record = intent["record"]
    whole = "text" if set(record) == {"text"} else "id" if not isinstance(expected_payload(intent), dict) else ""
    return "/".join(part for part in ("/record", whole, rest) if part)


@functools.cache
def _intent_checker() -> _RustChecker:
    """schemas/intent.json, as the package checks a notification against its schema."""
    uri = f"{BASE_URI}intent.json"
    return _RustChecker(bundle(registry(), uri, new_id=uri), None)
