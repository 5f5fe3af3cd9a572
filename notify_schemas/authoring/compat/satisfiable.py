"""Can a schema be met at all? The places a message must fill whose conjuncts contradict each other.

A shared definition edited into a contradiction (``minLength`` above ``maxLength``, an ``enum`` none of whose values
has the type ``allOf`` asks for, a required key whose schema is ``false``) leaves its variants with no valid message,
and generation would look for one until its time ran out: hypothesis-jsonschema draws strings of a pattern and
filters them by length for ever. The contradiction is found here, without generating, from the keywords alone:
each place the message must hold (the message, a required key, an item of an array that must have one) is checked,
type by type, for bounds that exclude each other. What this does not find (a pattern no string of its length
matches in other ways, ``oneOf`` branches that always overlap, ``if``/``then``) is left to generation's time limit.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction
from re import _constants as sre_constants
from re import _parser as sre_parse
from typing import Any

import jsonschema_rs

from notify_schemas.authoring.compat.paths import MessagePath, Seg, canonical, show
from notify_schemas.authoring.compat.structure import MAX_DEPTH, conjuncts

__all__ = ["Contradiction", "contradiction"]

_MOST_STEPS = 5_000  # places and branches looked at before the search gives up (and says nothing)


@dataclass(frozen=True)
class Contradiction:
    """A place every valid message must fill, and why no value can fill it."""

    path: MessagePath
    why: str

    def __str__(self) -> str:
        return f"{show(self.path)} can never be satisfied: {self.why}"


class _GiveUp(Exception):
    """The search took too many steps: the schema is left to generation."""


def contradiction(schema: Any) -> Contradiction | None:
    """Why no value meets the bundled ``schema``, or None when this cannot tell (it may still be unsatisfiable)."""
    if not isinstance(schema, dict | bool):
        return None
    root = schema if isinstance(schema, dict) else {}
    search = _Search(root)
    try:
        return search.place(conjuncts(schema, root), (), 0)
    except (_GiveUp, LookupError, TypeError, ValueError, ArithmeticError, RecursionError):
        return None  # a $ref that leads nowhere, a keyword of the wrong type: the metaschema's checks say so


class _Search:
    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root
        self.steps = 0

    def step(self) -> None:
        self.steps += 1
        if self.steps > _MOST_STEPS:
            raise _GiveUp

    def place(self, parts: list[Any], path: MessagePath, depth: int) -> Contradiction | None:
        """Why no value meets all of ``parts`` at ``path``, or None."""
        self.step()
        if depth > MAX_DEPTH:
            raise _GiveUp
        if False in parts:
            return Contradiction(path, "its schema is false")
        for part in parts:
            if part.get("not") in ({}, True):
                return Contradiction(path, "its schema is not {} (nothing)")
        for index, part in enumerate(parts):
            for keyword in ("anyOf", "oneOf"):
                if isinstance(part.get(keyword), list):
                    return self.branches(parts, index, keyword, path, depth)
        listed = self.values(parts, path)
        if listed is not _UNLISTED:
            return listed if isinstance(listed, Contradiction) else None
        types = self.types(parts)
        if not types:
            listed = " and ".join(canonical(p["type"]) for p in parts if "type" in p)
            return Contradiction(path, f"no type is in all of {listed}")
        found = [self.of_type(kind, parts, path, depth) for kind in types]
        if all(found):
            return found[0]
        return None

    def branches(
        self, parts: list[Any], index: int, keyword: str, path: MessagePath, depth: int
    ) -> Contradiction | None:
        rest = {k: v for k, v in parts[index].items() if k != keyword}
        others = [*parts[:index], *([rest] if rest else []), *parts[index + 1 :]]
        reasons = []
        for branch in parts[index][keyword]:
            found = self.place(others + conjuncts(branch, self.root), path, depth + 1)
            if found is None:
                return None
            reasons.append(found)
        if not reasons:
            return Contradiction(path, f"its {keyword} has no branch")
        first = reasons[0]
        return Contradiction(first.path, f"no branch of its {keyword} can be met ({first.why})")

    def values(self, parts: list[Any], path: MessagePath) -> Any:
        """When ``const`` or ``enum`` list the values: a contradiction if each fails the rest (or none is in every
        list), None if one passes. ``_UNLISTED`` when no values are listed."""
        listed: list[Any] | None = None
        for part in parts:
            if "const" in part:
                listed = _meet(listed, [part["const"]])
            if isinstance(part.get("enum"), list):
                listed = _meet(listed, part["enum"])
        if listed is None:
            return _UNLISTED
        if not listed:
            return Contradiction(path, "no value is in every enum (or const) it must meet")
        schema: dict[str, Any] = {"allOf": parts}
        if "definitions" in self.root:
            schema["definitions"] = self.root["definitions"]
        valid = jsonschema_rs.validator_for(schema).is_valid
        if any(valid(v) for v in listed):
            return None
        shown = ", ".join(canonical(v) for v in listed[:3]) + (", ..." if len(listed) > 3 else "")
        return Contradiction(path, f"none of the values it may take ({shown}) meets the rest of its schema")

    def types(self, parts: list[Any]) -> list[str]:
        kinds = {"null", "boolean", "integer", "number", "string", "array", "object"}
        for part in parts:
            named = part.get("type")
            if named is not None:
                given = {named} if isinstance(named, str) else set(named)
                if "number" in given:
                    given.add("integer")
                kinds &= given
        return sorted(kinds)

    def of_type(self, kind: str, parts: list[Any], path: MessagePath, depth: int) -> Contradiction | None:
        if kind in ("integer", "number"):
            return _numbers(parts, path, integer=kind == "integer")
        if kind == "string":
            return _strings(parts, path)
        if kind == "array":
            return self.arrays(parts, path, depth)
        if kind == "object":
            return self.objects(parts, path, depth)
        return None

    def arrays(self, parts: list[Any], path: MessagePath, depth: int) -> Contradiction | None:
        low, high = _most(parts, "minItems", max, 0), _most(parts, "maxItems", min, math.inf)
        if low > high:
            return Contradiction(path, f"minItems {_n(low)} is more than maxItems {_n(high)}")
        for part in parts:
            contains = part.get("contains")
            if isinstance(contains, dict | bool):
                found = self.place(conjuncts(contains, self.root), (*path, Seg.ITEM), depth + 1)
                if found is not None:
                    return Contradiction(path, f"it must contain an item, and {found}")
        if low <= 0:
            return None
        items = [p["items"] for p in parts if isinstance(p.get("items"), dict | bool)]
        if items:
            item_parts = [x for i in items for x in conjuncts(i, self.root)]
            found = self.place(item_parts, (*path, Seg.ITEM), depth + 1)
            if found is not None:
                return Contradiction(found.path, f"{found.why} (it must have {_n(low)} or more items)")
        return None

    def objects(self, parts: list[Any], path: MessagePath, depth: int) -> Contradiction | None:
        low, high = _most(parts, "minProperties", max, 0), _most(parts, "maxProperties", min, math.inf)
        required = sorted({k for p in parts if isinstance(p.get("required"), list) for k in p["required"]}, key=str)
        if max(low, len(required)) > high:
            if low >= len(required):
                return Contradiction(path, f"minProperties {_n(low)} is more than maxProperties {_n(high)}")
            return Contradiction(path, f"its {len(required)} required keys are more than maxProperties {_n(high)}")
        for key in required:
            if not isinstance(key, str):
                continue
            if not self.named(parts, key):
                return Contradiction(path, f"its required key {key!r} does not meet its propertyNames")
            found = self.place(self.key_parts(parts, key), (*path, key), depth + 1)
            if found is not None:
                return found
        return None

    def named(self, parts: list[Any], key: str) -> bool:
        """Whether ``key`` meets every ``propertyNames`` of ``parts``."""
        for part in parts:
            names = part.get("propertyNames")
            if isinstance(names, dict):
                names = {**names, "definitions": self.root.get("definitions", {})}
            if isinstance(names, dict | bool) and not jsonschema_rs.validator_for(names).is_valid(key):
                return False
        return True

    def key_parts(self, parts: list[Any], key: str) -> list[Any]:
        out: list[Any] = []
        for part in parts:
            matched = False
            if isinstance(part.get("properties"), dict) and key in part["properties"]:
                out += conjuncts(part["properties"][key], self.root)
                matched = True
            for pattern, sub in (part.get("patternProperties") or {}).items():
                try:
                    hit = re.search(pattern, key) is not None
                except re.error:
                    raise _GiveUp from None  # an ECMA 262 pattern Python does not read: this cannot tell
                if hit:
                    out += conjuncts(sub, self.root)
                    matched = True
            if not matched and "additionalProperties" in part:
                out += conjuncts(part["additionalProperties"], self.root)
        return out


_UNLISTED = object()


def _meet(left: list[Any] | None, right: list[Any]) -> list[Any]:
    if left is None:
        return list({canonical(v): v for v in right}.values())
    keys = {canonical(v) for v in right}
    return [v for v in left if canonical(v) in keys]


def _n(value: Any) -> str:
    """A bound as the schema writes it; an integer of more than 30 digits by its first ones and its length."""
    if isinstance(value, int) and not isinstance(value, bool) and len(digits := str(abs(value))) > 30:
        return f"{'-' if value < 0 else ''}{digits[:6]}... ({len(digits)} digits)"
    return canonical(value)


def _numeric(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _most(parts: list[Any], keyword: str, pick: Any, default: Any) -> Any:
    found = [p[keyword] for p in parts if _numeric(p.get(keyword))]
    return pick(found) if found else default


def _numbers(parts: list[Any], path: MessagePath, *, integer: bool) -> Contradiction | None:
    """Whether some number (or integer) lies within every bound and is a multiple of each ``multipleOf``."""
    try:
        low = _bound(parts, ("minimum", "exclusiveMinimum"), max)
        high = _bound(parts, ("maximum", "exclusiveMaximum"), min)
    except (OverflowError, ValueError):
        return None
    if low is None or high is None:
        return None
    (lo, lo_open, lo_word, lo_given), (hi, hi_open, hi_word, hi_given) = low, high
    between = f"between its {lo_word} {_n(lo_given)} and its {hi_word} {_n(hi_given)}"
    if lo > hi or (lo == hi and (lo_open or hi_open)):
        return Contradiction(path, f"no number lies {between}")
    steps = [p["multipleOf"] for p in parts if _numeric(p.get("multipleOf")) and p["multipleOf"] > 0]
    for given, whole in [*((g, False) for g in steps), *([(1, True)] if integer else [])]:
        step = Fraction(given)
        first = math.ceil(lo / step) * step
        if first == lo and lo_open:
            first += step
        if first > hi or (first == hi and hi_open):
            what = "integer" if whole else f"multiple of {_n(given)}"
            return Contradiction(path, f"no {what} lies {between}")
    return None


def _bound(parts: list[Any], keywords: tuple[str, str], pick: Any) -> tuple[Fraction, bool, str, Any] | None:
    """The tightest of an inclusive and an exclusive bound: its value, whether it is exclusive, its keyword, the value
    as written."""
    found = [
        (Fraction(p[k]), k.startswith("exclusive"), k, p[k])
        for p in parts
        for k in keywords
        if _numeric(p.get(k)) and (isinstance(p[k], int) or math.isfinite(p[k]))
    ]
    if not found:
        return None
    best = pick(f[0] for f in found)
    at_best = [f for f in found if f[0] == best]
    return next((f for f in at_best if f[1]), at_best[0])


def _strings(parts: list[Any], path: MessagePath) -> Contradiction | None:
    """Whether a length lies within ``minLength``, ``maxLength`` and the lengths each pattern can match."""
    low, high = _most(parts, "minLength", max, 0), _most(parts, "maxLength", min, math.inf)
    if low > high:
        return Contradiction(path, f"minLength {_n(low)} is more than maxLength {_n(high)}")
    for part in parts:
        pattern = part.get("pattern")
        if not isinstance(pattern, str):
            continue
        widths = _widths(pattern)
        if widths is None:
            continue
        shortest, longest = widths
        if shortest > high:
            return Contradiction(path, f"its pattern {pattern!r} matches {shortest} characters or more, and its "
                                       f"maxLength is {_n(high)}")  # fmt: skip
        if longest < low:
            return Contradiction(path, f"its pattern {pattern!r} matches whole strings of {longest} characters or "
                                       f"fewer, and its minLength is {_n(low)}")  # fmt: skip
    return None


def _widths(pattern: str) -> tuple[int, float] | None:
    """The fewest characters a string matching ``pattern`` holds, and the most when the pattern is anchored at both
    ends (``^...$``: ``$`` also takes a final newline); None when Python's ``re`` does not read the pattern."""
    try:
        parsed = sre_parse.parse(pattern)
    except (re.error, OverflowError, RecursionError):
        return None
    shortest, longest = parsed.getwidth()
    items = list(parsed)
    starts = {(sre_constants.AT, sre_constants.AT_BEGINNING), (sre_constants.AT, sre_constants.AT_BEGINNING_STRING)}
    anchored = bool(items) and items[0] in starts
    end = items[-1] if items else None
    if anchored and end == (sre_constants.AT, sre_constants.AT_END_STRING):
        return shortest, longest
    if anchored and end == (sre_constants.AT, sre_constants.AT_END):
        return shortest, longest + 1
    return shortest, math.inf
