"""Intents: what a producer is asked to announce, generated per variant from valid example messages.

Each intent's record holds everything the expected payload holds, plus what a real Glance object would hold and must
never be sent (``locations`` and ``direct_url`` on an image, ``task_input`` on a task). The boundary phase comes
first (empty and null names, zero and huge sizes, Unicode, empty and long tag lists, many properties), then seeded
random examples.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from notify_schemas import Variant, variant, variants
from notify_schemas.message import build_message
from notify_schemas.samples import samples
from notify_schemas.validation import is_valid

__all__ = ["SECRET_URL", "Intent", "expected_payload", "intents"]

Intent = dict[str, Any]
SECRET_URL = "swift://admin:s3cr3t-conformance@swift.example/v1/images/c0ffee"
SECRETS: dict[str, Any] = {
    "image": {"locations": [{"url": SECRET_URL, "metadata": {}}], "direct_url": SECRET_URL},
    "task": {"task_input": {"import_from": SECRET_URL, "import_from_format": "qcow2"}},
}


def _kind(payload: Any) -> str:
    if not isinstance(payload, dict):
        return "text"
    if "disk_format" in payload:
        return "image"
    if {"owner", "status", "expires_at"} <= payload.keys():
        return "task"
    return "record"


def _record(v: Variant, payload: Any) -> dict[str, Any]:
    if v.profile == "seed" and v.event_type == "image.delete" and v.priority == "INFO":
        return {"id": payload, **copy.deepcopy(SECRETS["image"])}
    kind = _kind(payload)
    if kind == "text":
        return {"text": payload}
    return {**copy.deepcopy(payload), **copy.deepcopy(SECRETS.get(kind, {}))}


def expected_payload(intent: Intent) -> Any:
    """The payload the specification requires for ``intent``: the record, without what must never be sent."""
    record = intent["record"]
    if set(record) == {"text"}:
        return record["text"]
    if intent["profile"] == "seed" and intent["event_type"] == "image.delete" and intent["priority"] == "INFO":
        return record["id"]
    secret = {k for values in SECRETS.values() for k in values}
    return {k: v for k, v in record.items() if k not in secret}


_BOUNDARY_IMAGE = [
    {"name": ""},
    {"name": None},
    {"name": "\u00e9t\u00e9 \u2014 \u65e5\u672c\u8a9e \U0001f680"},
    {"size": 0, "virtual_size": 0, "min_disk": 0, "min_ram": 0},
    {"size": 2**53, "virtual_size": 2**53},
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
        message = build_message(v.event_type, v.priority, expected_payload(candidate), "image.conformance")
        if is_valid(message, profile=v.profile):
            yield candidate


def intents(
    event_type: str, priority: str, *, profile: str = "seed", examples: int = 10, seed: int = 0
) -> Iterator[Intent]:
    """The boundary intents of a variant, then ``examples`` seeded random ones; the same seed gives the same list."""
    v = variant(event_type, priority, profile=profile)
    generated = [
        {"event_type": v.event_type, "priority": v.priority, "profile": profile, "record": _record(v, m["payload"])}
        for m in samples(v.event_type, v.priority, profile=profile, n=max(examples, 1), seed=seed)
    ]
    yield from _boundary(v, generated[0])
    yield from generated[:examples]


def all_variants(profile: str) -> tuple[Variant, ...]:
    return variants(profile)


class _HypothesisRandom:
    """The few ``random.Random`` methods the sample generator uses, answered by Hypothesis draws.

    Every choice behind an intent then belongs to Hypothesis, which can shrink a failing intent to a minimal one.
    """

    def __init__(self, draw: Any) -> None:
        from hypothesis import strategies as st

        self._draw = draw
        self._st = st

    def random(self) -> float:
        return float(self._draw(self._st.floats(0, 1, exclude_max=True)))

    def randrange(self, start: int, stop: int | None = None) -> int:
        low, high = (0, start) if stop is None else (start, stop)
        return int(self._draw(self._st.integers(low, high - 1)))

    def choice(self, options: Any) -> Any:
        return self._draw(self._st.sampled_from(list(options)))

    def getrandbits(self, bits: int) -> int:
        return int(self._draw(self._st.integers(0, 2**bits - 1)))


def intent_strategy(event_type: str, priority: str, *, profile: str = "seed") -> Any:
    """A Hypothesis strategy of the variant's intents, built by the same generator as `intents`, shrinkable."""
    from hypothesis import assume
    from hypothesis import strategies as st

    from notify_schemas import bundled_schema
    from notify_schemas.samples import _Draw, _sample

    v = variant(event_type, priority, profile=profile)
    definitions = bundled_schema(v)["definitions"]

    @st.composite
    def build(draw: Any) -> Intent:
        message = _sample(v, _Draw(_HypothesisRandom(draw), definitions))  # type: ignore[arg-type]
        assume(is_valid(message, profile=profile))
        return {"event_type": v.event_type, "priority": v.priority, "profile": profile,
                "record": _record(v, message["payload"])}  # fmt: skip

    return build()
