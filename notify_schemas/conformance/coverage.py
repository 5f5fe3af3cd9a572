"""Schema coverage: what each variant's payload schema lets a producer be asked, and which of it a run asked.

A *target* is one thing a payload schema distinguishes at one place (a JSON pointer, ``*`` for any item of a list,
``+`` for any additional property): each value of an enum; the null and the non-null branch of a nullable value; each
branch of an ``anyOf``; each length bound of a free string (its minimum, one more, its maximum) and of a list; each
bound of an integer; an empty and a non-empty free-form object. The envelope is the producer's own and is not
counted: coverage is of what the intents ask.

The coverage phase of the generation (`cover`) asks for each target the sampled and drawn intents missed: it walks
the variant's schema as the sample generator does, with the value at the target's place forced, until an intent
that holds together (`notify_schemas.samples.cohere`) and is valid hits it. The style phase (`styled`) asks for the
texts that break naive producers: tens of KiB, non-NFC, astral and right-to-left, padded with whitespace, mixed case,
URL-like and credential-like, in every free text of the variant at once.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from notify_schemas.conformance.records import LOCATIONS, Intent, expected_payload, record_for
from notify_schemas.registry import bundled_schema, variant
from notify_schemas.samples import STORE_KEYS, _Draw, _sample
from notify_schemas.validation import is_valid
from notify_schemas.values import Variant

__all__ = ["KINDS", "Coverage", "Target", "cover", "styled", "targets"]

KINDS = ("enum", "nullable", "bound", "branch")
_ANY = object()  # a target whose value is drawn, not forced (a non-null branch, say)
_ITEMS = "*"
_EXTRA = "+"


class Target(NamedTuple):
    kind: str
    path: tuple[str, ...]
    label: str
    """What is asked at the place, as the report shows it: ``= "active"``, ``null``, ``length 255``, ..."""
    witness: Any = _ANY
    """The value that hits the target (``_ANY``: hit by a predicate only)."""
    test: str = ""
    """How a value is judged: equal, null, non-null, length, members, branch:<n>."""

    @property
    def pointer(self) -> str:
        return "/payload" + "".join(f"/{part}" for part in self.path)

    def __str__(self) -> str:
        return f"{self.pointer} {self.label}"


def _resolver(definitions: Mapping[str, Any]) -> _Draw:
    return _Draw(random.Random(0), definitions)


def targets(v: Variant) -> list[Target]:
    """Every target of the variant's payload schema, in schema order."""
    schema = bundled_schema(v)
    walker = _resolver(schema["definitions"])
    found: list[Target] = []
    _walk(walker, schema["properties"]["payload"], (), found, 0)
    return list(dict.fromkeys(found))


def _json_type(value: Any) -> str:
    return "null" if value is None else "boolean" if isinstance(value, bool) else type(value).__name__


def _walk(walker: _Draw, schema: Any, path: tuple[str, ...], out: list[Target], depth: int) -> None:
    if not isinstance(schema, Mapping) or depth > 12:
        return
    _, s = walker.resolve(schema)
    if "const" in s or s.get("type") == "null":
        return
    if "enum" in s:
        out += [Target("enum", path, f"= {json.dumps(value)}", value, "equal") for value in s["enum"]]
        return
    for combinator in ("anyOf", "oneOf"):
        if combinator in s:
            base = {k: v for k, v in s.items() if k != combinator}
            options = [walker.resolve(o)[1] for o in s[combinator]]
            if any(o.get("type") == "null" for o in options):
                out += [Target("nullable", path, "null", None, "null"), Target("nullable", path, "non-null", _ANY,
                                                                                 "non-null")]  # fmt: skip
            real = [o for o in options if o.get("type") != "null"]
            if len(real) > 1:
                out += [Target("branch", path, f"{combinator} branch {n}", _ANY, f"branch:{n}") for n in
                        range(len(real))]  # fmt: skip
            for option in real:
                _walk(walker, {**base, **option}, path, out, depth + 1)
            return
    kinds = s.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds] if kinds else []
    if not kinds and "properties" not in s:
        # Any value at all, such as a metadef property's default: null and something else.
        out += [Target("nullable", path, "null", None, "null"), Target("nullable", path, "non-null", _ANY, "non-null")]
        return
    if "null" in kinds and len(kinds) > 1:
        out += [Target("nullable", path, "null", None, "null"), Target("nullable", path, "non-null", _ANY, "non-null")]
    if "string" in kinds and "pattern" not in s and "format" not in s:
        low, high = s.get("minLength", 0), s.get("maxLength")
        for n in sorted({low, low + 1, *([high] if high is not None else [])}):
            if high is None or n <= high:
                out.append(Target("bound", path, f"length {n}", _ANY, f"length:{n}"))
    if "integer" in kinds:
        for key in ("minimum", "maximum"):
            if key in s:
                out.append(Target("bound", path, f"{key} {s[key]}", s[key], "equal"))
    if "array" in kinds:
        low, high = s.get("minItems", 0), s.get("maxItems")
        for n in sorted({low, low + 1, *([high] if high is not None else [])}):
            out.append(Target("bound", path, f"{n} item{'s' if n != 1 else ''}", _ANY, f"length:{n}"))
        _walk(walker, s.get("items", {}), (*path, _ITEMS), out, depth + 1)
    if "object" in kinds or "properties" in s:
        named = s.get("properties", {})
        for key, sub in named.items():
            if sub is not False:
                _walk(walker, sub, (*path, key), out, depth + 1)
        extra = s.get("additionalProperties", True)
        if isinstance(extra, Mapping):
            _walk(walker, extra, (*path, _EXTRA), out, depth + 1)
        elif extra is True and not named:
            out += [Target("bound", path, "no members", _ANY, "members:0"),
                    Target("bound", path, "some members", _ANY, "members:1")]  # fmt: skip


def _values_at(value: Any, path: tuple[str, ...], named: Mapping[tuple[str, ...], frozenset[str]]) -> Iterator[Any]:
    """The values at ``path`` in a payload (``*`` any list item, ``+`` any property a schema does not name)."""
    nodes = [value]
    for depth, part in enumerate(path):
        following: list[Any] = []
        for node in nodes:
            if part == _ITEMS and isinstance(node, list):
                following += node
            elif part == _EXTRA and isinstance(node, dict):
                known = named.get(path[:depth], frozenset())
                following += [v for k, v in node.items() if k not in known]
            elif isinstance(node, dict) and part in node:
                following.append(node[part])
        nodes = following
    return iter(nodes)


def _named(v: Variant) -> dict[tuple[str, ...], frozenset[str]]:
    """The names each object of the schema gives its properties, by path: ``+`` means the others."""
    schema = bundled_schema(v)
    walker = _resolver(schema["definitions"])
    out: dict[tuple[str, ...], frozenset[str]] = {}

    def visit(sub: Any, path: tuple[str, ...], depth: int) -> None:
        if not isinstance(sub, Mapping) or depth > 12:
            return
        _, s = walker.resolve(sub)
        for combinator in ("anyOf", "oneOf"):
            for option in s.get(combinator, []):
                visit({**{k: v for k, v in s.items() if k != combinator}, **walker.resolve(option)[1]}, path, depth + 1)
        if "properties" in s:
            out[path] = out.get(path, frozenset()) | frozenset(s["properties"])
            for key, value in s["properties"].items():
                visit(value, (*path, key), depth + 1)
        if isinstance(s.get("additionalProperties"), Mapping):
            visit(s["additionalProperties"], (*path, _EXTRA), depth + 1)
        if "items" in s:
            visit(s["items"], (*path, _ITEMS), depth + 1)

    visit(schema["properties"]["payload"], (), 0)
    return out


class _Branches:
    """Which branch of an anyOf a value takes, judged by the schema's own validator."""

    def __init__(self, v: Variant) -> None:
        self.v = v
        self._checkers: dict[tuple[str, ...], list[Any]] = {}

    def index(self, path: tuple[str, ...], value: Any) -> set[int]:
        import jsonschema

        if path not in self._checkers:
            schema = bundled_schema(self.v)
            walker = _resolver(schema["definitions"])
            options: list[Any] = []
            self._find(walker, schema["properties"]["payload"], (), path, options, 0)
            self._checkers[path] = [jsonschema.Draft7Validator({"definitions": schema["definitions"], **o})
                                    for o in options]  # fmt: skip
        return {n for n, checker in enumerate(self._checkers[path]) if checker.is_valid(value)}

    def _find(self, walker: _Draw, sub: Any, at: tuple[str, ...], path: tuple[str, ...], out: list[Any],
              depth: int) -> None:  # fmt: skip
        if not isinstance(sub, Mapping) or depth > 12 or out:
            return
        _, s = walker.resolve(sub)
        for combinator in ("anyOf", "oneOf"):
            if combinator in s:
                real = [o for o in s[combinator] if walker.resolve(o)[1].get("type") != "null"]
                if at == path:
                    out += real
                    return
                for option in real:
                    self._find(walker, {**{k: v for k, v in s.items() if k != combinator}, **walker.resolve(option)[1]},
                               at, path, out, depth + 1)  # fmt: skip
                return
        if at == path or len(at) >= len(path):
            return
        part = path[len(at)]
        if part == _ITEMS:
            self._find(walker, s.get("items", {}), (*at, part), path, out, depth + 1)
        elif part == _EXTRA:
            self._find(walker, s.get("additionalProperties", {}), (*at, part), path, out, depth + 1)
        else:
            self._find(walker, s.get("properties", {}).get(part, {}), (*at, part), path, out, depth + 1)


def _hit(target: Target, value: Any, branches: _Branches) -> bool:
    test = target.test
    if test == "equal":
        return bool(value == target.witness and _json_type(value) == _json_type(target.witness))
    if test == "null":
        return value is None
    if test == "non-null":
        return value is not None
    if test.startswith("length:"):
        return isinstance(value, str | list) and len(value) == int(test[7:])
    if test.startswith("members:"):
        return isinstance(value, dict) and (len(value) > 0) == (test == "members:1")
    if test.startswith("branch:"):
        return int(test[7:]) in branches.index(target.path, value)
    return False


@dataclass
class _VariantCoverage:
    targets: list[Target]
    named: dict[tuple[str, ...], frozenset[str]]
    branches: _Branches
    hit: set[Target] = field(default_factory=set)


class Coverage:
    """The targets of each variant and which of them the intents asked so far."""

    def __init__(self) -> None:
        self._variants: dict[str, _VariantCoverage] = {}

    def _of(self, v: Variant) -> _VariantCoverage:
        if v.name not in self._variants:
            self._variants[v.name] = _VariantCoverage(targets(v), _named(v), _Branches(v))
        return self._variants[v.name]

    def unasked(self) -> Coverage:
        """The same variants and targets, none of them asked: where a run that stopped counts what it did ask. The
        intents are drawn and counted before the first is asked, and a variant never reached is still counted, its
        targets as not asked, rather than left out of the total."""
        fresh = Coverage()
        fresh._variants = {name: _VariantCoverage(state.targets, state.named, state.branches)
                           for name, state in self._variants.items()}  # fmt: skip
        return fresh

    def add(self, intent: Intent) -> list[Target]:
        """Count what ``intent`` asks; the targets it hit for the first time."""
        v = variant(intent["event_type"], intent["priority"], profile=intent["profile"])
        state = self._of(v)
        payload = expected_payload(intent)
        new = []
        for target in state.targets:
            if target in state.hit:
                continue
            if any(_hit(target, value, state.branches) for value in _values_at(payload, target.path, state.named)):
                state.hit.add(target)
                new.append(target)
        return new

    def asks(self, intent: Intent, target: Target) -> bool:
        """Whether ``intent`` asks for ``target``, without counting it."""
        state = self._of(variant(intent["event_type"], intent["priority"], profile=intent["profile"]))
        values = _values_at(expected_payload(intent), target.path, state.named)
        return any(_hit(target, value, state.branches) for value in values)

    def missed(self, v: Variant) -> list[Target]:
        state = self._of(v)
        return [t for t in state.targets if t not in state.hit]

    def totals(self) -> dict[str, tuple[int, int]]:
        """Per kind: (targets hit, targets), over every variant counted."""
        out = dict.fromkeys(KINDS, (0, 0))
        for state in self._variants.values():
            for target in state.targets:
                hit, total = out[target.kind]
                out[target.kind] = (hit + (target in state.hit), total + 1)
        return out

    def summary(self, limit: int = 5) -> str:
        """One line per kind, then the first targets missed."""
        parts = []
        for kind, (hit, total) in self.totals().items():
            share = f"{100 * hit / total:.0f}%" if total else "n/a"
            parts.append(f"{kind} {hit}/{total} ({share})")
        lines = [f"schema coverage over {len(self._variants)} variant(s): " + ", ".join(parts)]
        missed = [(name, t) for name, state in self._variants.items() for t in state.targets if t not in state.hit]
        lines += [f"  not asked: {name} {t}" for name, t in missed[:limit]]
        if len(missed) > limit:
            lines.append(f"  and {len(missed) - limit} more targets not asked (see --report)")
        return "\n".join(lines)

    def as_json(self) -> dict[str, Any]:
        return {
            "totals": {kind: {"hit": hit, "targets": total} for kind, (hit, total) in self.totals().items()},
            "variants": {
                name: {kind: {"hit": [f"{t.pointer} {t.label}" for t in state.targets if t.kind == kind and t in
                                      state.hit],
                              "missed": [f"{t.pointer} {t.label}" for t in state.targets if t.kind == kind and t not in
                                         state.hit]}
                       for kind in KINDS}
                for name, state in self._variants.items()
            },
        }  # fmt: skip


class _Forcing(_Draw):
    """The sample generator's walk, with one place's value forced and the lists and maps on the way to it filled."""

    def __init__(self, rng: random.Random, definitions: Mapping[str, Any], target: Target) -> None:
        super().__init__(rng, definitions)
        self.target = target
        self.path: tuple[str, ...] = ()

    def _at(self, part: str, key: str, schema: Mapping[str, Any]) -> Any:
        outer = self.path
        self.path = (*outer, part)
        try:
            return self.value(key, schema)
        finally:
            self.path = outer

    def _toward(self, part: str) -> bool:
        path = (*self.path, part)
        return self.target.path[: len(path)] == path

    def value(self, key: str, schema: Mapping[str, Any]) -> Any:
        if self.path == self.target.path:
            test = self.target.test
            if self.target.witness is not _ANY:
                return copy.deepcopy(self.target.witness)
            if test.startswith("length:") and self.resolve(schema)[1].get("type") != "array":
                kinds = self.resolve(schema)[1].get("type")
                if kinds == "string" or (isinstance(kinds, list) and "string" in kinds):
                    return "b" * int(test[7:])
            if test == "members:1":
                return {"image_id": self.uuid(), "message": "converted", "attempts": 3, "ok": True}
            if test == "non-null":
                _, s = self.resolve(schema)
                if not s.get("type") and "properties" not in s and not any(c in s for c in ("anyOf", "oneOf")):
                    return self.rng.choice(["qcow2", 42, 2.5, True, ["a", "b"], {"nested": "default"}])
        return super().value(key, schema)

    def array(self, key: str, s: Mapping[str, Any]) -> list[Any]:
        items = s.get("items", {})
        if self.path == self.target.path and self.target.test.startswith("length:"):
            count = int(self.target.test[7:])
            drawn = [self._at(_ITEMS, key, items) for _ in range(count)]
            if s.get("uniqueItems"):
                drawn = [f"{v}-{n}" if isinstance(v, str) else v for n, v in enumerate(drawn)]
            return drawn
        count = self.rng.randrange(1 if self._toward(_ITEMS) else 0, 4)
        unique = {repr(v): v for v in (self._at(_ITEMS, key, items) for _ in range(count))}
        return list(unique.values())

    def record(self, s: Mapping[str, Any]) -> dict[str, Any]:
        named = s.get("properties", {})
        out = {key: self._at(key, key, sub) for key, sub in named.items() if sub is not False}
        extra = s.get("additionalProperties")
        if isinstance(extra, Mapping) and (not named or self._toward(_EXTRA)):
            for i in range(2 if not named else 1):
                out[f"coverage_{i}"] = self._at(_EXTRA, "property", extra)
        return out


def _intent(v: Variant, payload: Any, location: int) -> Intent:
    return {"event_type": v.event_type, "priority": v.priority, "profile": v.profile,
            "record": record_for(v, payload, location)}  # fmt: skip


def cover(v: Variant, coverage: Coverage, *, seed: int = 0, attempts: int = 12) -> Iterator[Intent]:
    """Intents that ask for the targets of ``v`` not yet asked, each counted in ``coverage`` as it is yielded."""
    definitions = bundled_schema(v)["definitions"]
    for n, target in enumerate(coverage.missed(v)):
        if target not in coverage.missed(v):  # an earlier intent of this phase hit it on the way
            continue
        for attempt in range(attempts):
            draw = _Forcing(random.Random(f"{seed}:{v.path}:{target}:{attempt}"), definitions, target)
            message = _sample(v, draw)
            if not is_valid(message, profile=v.profile):
                continue
            intent = _intent(v, message["payload"], n + attempt)
            if coverage.asks(intent, target):
                coverage.add(intent)
                yield intent
                break


# Texts that a producer built on naive assumptions changes: each is clipped to, or padded to, a field's bounds.
STYLES: dict[str, str] = {
    "long text": "Lorem ipsum dolor sit amet, \u00e9t\u00e9 \u2014 " * 1200,  # about 46 KiB
    "non-NFC": "Cafe\u0301 A\u030angstro\u0308m \u212b \u2126 e\u0301te\u0301 \u1e9b\u0323",
    "astral and right-to-left": "\U0001f680 \U0001d11e \u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627 "
    "\u202eevil\u202c \U00020000",
    "whitespace at both ends": " \t\u00a0 padded name \u2003\n ",
    "mixed case": "MiXeD-Case Ubuntu NAME",
    "URL-like": "https://mirror:hunter2@mirror.example/images/x.qcow2?sig=abc#frag",
    "credential-like": "password=hunter2 token=0123abcd Authorization: Bearer eyJhbGciOi",
}


class _Styled(_Draw):
    """The sample generator's walk with every free text in one style, and ids in mixed case where that is allowed."""

    def __init__(self, rng: random.Random, definitions: Mapping[str, Any], style: str) -> None:
        super().__init__(rng, definitions)
        self.style = style

    def free(self, key: str, title: str, s: Mapping[str, Any]) -> str:
        if key in STORE_KEYS:
            return super().free(key, title, s)
        text = STYLES[self.style]
        low, high = int(s.get("minLength", 0)), s.get("maxLength")
        if high is not None:
            text = text[: int(high)]
        return text + "x" * max(0, low - len(text))

    def text(self, key: str, name: str, title: str, s: Mapping[str, Any]) -> str:
        value = str(super().text(key, name, title, s))
        if self.style == "mixed case" and ("Tenant" in title or key in {"owner", "member_id"}):
            return "".join(c.upper() if i % 3 == 0 else c for i, c in enumerate(value))
        return value

    def record(self, s: Mapping[str, Any]) -> dict[str, Any]:
        out = super().record(s)
        extra = s.get("additionalProperties")
        if isinstance(extra, Mapping) and s.get("properties"):
            out[f"styled {self.style}"] = self.value("property", extra)
        return out


def styled(v: Variant, coverage: Coverage, *, seed: int = 0) -> Iterator[Intent]:
    """One intent per style whose texts differ from the simplest record's, each stored at another location."""
    definitions = bundled_schema(v)["definitions"]
    seen: set[str] = set()
    for n, style in enumerate(STYLES):
        for attempt in range(4):
            message = _sample(v, _Styled(random.Random(f"{seed}:{v.path}:{style}:{attempt}"), definitions, style))
            if is_valid(message, profile=v.profile):
                break
        else:
            continue
        key = json.dumps(message["payload"], sort_keys=True)
        if key in seen or (style != "long text" and not _holds_free_text(message["payload"])):
            continue
        seen.add(key)
        intent = _intent(v, message["payload"], (n + 1) % len(LOCATIONS))
        coverage.add(intent)
        yield intent


def _holds_free_text(payload: Any) -> bool:
    texts: Iterable[Any] = [payload] if not isinstance(payload, dict) else payload.values()
    return any(isinstance(t, str | dict | list) for t in texts)
