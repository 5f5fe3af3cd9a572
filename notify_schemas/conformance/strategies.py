"""Hypothesis strategies of intents: every choice behind an intent is a Hypothesis draw, so failing ones shrink.

The choices follow the same schema walk as the sample generator (`notify_schemas.samples`), with Hypothesis's own
strategies where a schema leaves a value free: any Unicode text within the bounds for names, descriptions and error
texts, any integer from the minimum to 2**53 (the largest any JSON reader keeps exactly), lists of any length up to
eight, additional properties under names of Hypothesis's choosing, any JSON value where a schema takes any (a metadef
property's default) or any object (a task's result), and the store that holds the record's data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hypothesis import assume
from hypothesis import strategies as st

from notify_schemas import bundled_schema, variant
from notify_schemas.conformance.records import LOCATIONS, Intent, record_for
from notify_schemas.samples import STORE_KEYS, _Draw, _sample
from notify_schemas.validation import is_valid

__all__ = ["intent_strategy"]

# Any character but surrogates, which UTF-8 (and so a JSON text on the wire) cannot carry.
_CHARACTERS = st.characters(exclude_categories=["Cs"])
# A store name is a key of Glance's enabled_backends option: an identifier, never holding the comma that joins
# the store lists Glance keeps in an image's properties.
_STORE_NAMES = st.from_regex(r"[A-Za-z0-9_-]{1,20}", fullmatch=True)
_LONGEST_FREE_TEXT = 80
_LARGEST_INTEGER = 2**53
_SCALARS = (
    st.none() | st.booleans() | st.integers(-_LARGEST_INTEGER, _LARGEST_INTEGER) | st.text(_CHARACTERS, max_size=20)
)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(_CHARACTERS, max_size=10), inner, max_size=3),
    max_leaves=6,
)


class _HypothesisRandom:
    """The few ``random.Random`` methods the sample generator uses, answered by Hypothesis draws."""

    def __init__(self, draw: Any) -> None:
        self._draw = draw

    def random(self) -> float:
        return float(self._draw(st.floats(0, 1, exclude_max=True)))

    def randrange(self, start: int, stop: int | None = None) -> int:
        low, high = (0, start) if stop is None else (start, stop)
        return int(self._draw(st.integers(low, high - 1)))

    def choice(self, options: Any) -> Any:
        return self._draw(st.sampled_from(list(options)))

    def getrandbits(self, bits: int) -> int:
        return int(self._draw(st.integers(0, 2**bits - 1)))


class _HypothesisDraw(_Draw):
    """The sample generator's schema walk, with Hypothesis choosing the values the schemas leave free."""

    def __init__(self, draw: Any, definitions: Mapping[str, Any]) -> None:
        super().__init__(_HypothesisRandom(draw), definitions)  # type: ignore[arg-type]
        self._draw = draw

    def free(self, key: str, title: str, s: Mapping[str, Any]) -> str:
        if key in STORE_KEYS:
            return str(self._draw(_STORE_NAMES))
        low = s.get("minLength", 0)
        high = max(low, min(s.get("maxLength", _LONGEST_FREE_TEXT), _LONGEST_FREE_TEXT))
        return str(self._draw(st.text(_CHARACTERS, min_size=low, max_size=high)))

    def value(self, key: str, schema: Mapping[str, Any]) -> Any:
        _, s = self.resolve(schema)
        if not {"type", "enum", "const", "anyOf", "oneOf", "properties", "pattern"} & s.keys():
            return self._draw(_JSON)  # a schema that takes any value
        return super().value(key, schema)

    def integer(self, s: Mapping[str, Any]) -> int:
        return int(self._draw(st.integers(s.get("minimum", 0), s.get("maximum", _LARGEST_INTEGER))))

    def array(self, key: str, s: Mapping[str, Any]) -> list[Any]:
        items = [self.value(key, s.get("items", {})) for _ in range(self._draw(st.integers(0, 8)))]
        if s.get("uniqueItems"):
            items = list({repr(v): v for v in items}.values())
        return items

    def record(self, s: Mapping[str, Any]) -> dict[str, Any]:
        named = s.get("properties", {})
        if not named and s.get("additionalProperties", True) is True:
            return dict(self._draw(st.dictionaries(st.text(_CHARACTERS, max_size=10), _JSON, max_size=4)))
        out = {key: self.value(key, sub) for key, sub in named.items() if sub is not False}
        extra = s.get("additionalProperties")
        if isinstance(extra, Mapping):
            names = st.text(_CHARACTERS, min_size=1, max_size=40).filter(lambda k: k not in named)
            for key in self._draw(st.lists(names, max_size=6, unique=True)):
                out[key] = self.value("property", extra)
        return out


def intent_strategy(event_type: str, priority: str, *, profile: str = "seed") -> st.SearchStrategy[Intent]:
    """The variant's intents: records valid under the variant, with the secrets a real record holds."""
    v = variant(event_type, priority, profile=profile)
    definitions = bundled_schema(v)["definitions"]

    @st.composite
    def build(draw: Any) -> Intent:
        message = _sample(v, _HypothesisDraw(draw, definitions))
        assume(is_valid(message, profile=profile))
        location = draw(st.integers(0, len(LOCATIONS) - 1))
        return {"event_type": v.event_type, "priority": v.priority, "profile": profile,
                "record": record_for(v, message["payload"], location)}  # fmt: skip

    return build()
