"""The evolution guard: is a new schema directory backward and forward compatible with an old one?

For every variant of both profiles, NEW is *backward compatible* with OLD when every message valid under OLD is valid
under NEW (consumers on NEW still read what producers on OLD send), and *forward compatible* when every message valid
under NEW is valid under OLD. Each break comes with a witness: a concrete message valid under one and invalid under
the other, checked with jsonschema-rs on the two bundled schemas.

Two methods are combined. A structural comparison walks both bundled schemas side by side (removed enum values, new
required keys, narrower types, tighter bounds, added patterns, keys that become ``false``, ...) and builds each
finding's witness by mutating a valid message, from the directory's corpus or generated. A property-based comparison
generates messages from one schema with hypothesis-jsonschema and validates them under the other; it runs in each
direction the structural comparison has not already shown broken. A finding for which no witness can be built is
reported as unconfirmed and does not change the verdict.

``python -m notify_schemas.compat OLD_DIR NEW_DIR`` runs the command; exit status 0 when no variant breaks backward
compatibility, 1 when one does, 2 on a usage or input/output error. Generation needs the ``test`` extra (hypothesis
and hypothesis-jsonschema).
"""

from __future__ import annotations

import argparse
import copy
import enum
import functools
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from random import Random
from typing import TYPE_CHECKING, Any, Literal

import jsonschema_rs
import referencing.exceptions

from notify_schemas.bundle import bundle
from notify_schemas.errors import NotifySchemasError
from notify_schemas.registry import PROFILES, Variant, load_registry

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

__all__ = ["Break", "CompatError", "VariantReport", "compare", "main"]

Direction = Literal["backward", "forward"]
Status = Literal["compatible", "backward compatible", "forward compatible", "breaking"]

_ANNOTATIONS = frozenset({"title", "description", "default", "examples", "$comment", "$schema", "$id", "definitions"})
_ALL_TYPES = frozenset({"null", "boolean", "integer", "fraction", "string", "array", "object"})
_TYPE_NAMES = {"fraction": "non-integer number"}
_MAX_BASES = 40  # valid messages kept as starting points for witnesses
_MAX_DEPTH = 64


class CompatError(NotifySchemasError):
    """A directory cannot be compared: missing, not a schema directory, or unreadable."""


@dataclass(frozen=True)
class Break:
    """One way compatibility breaks in one direction, with its witness message."""

    direction: Direction
    """``backward``: the witness is valid under OLD and invalid under NEW; ``forward``: the reverse."""
    reason: str
    witness: Any
    source: Literal["structural", "property", "variant"]
    """What found it: the structural comparison, generation, or a variant added or removed."""

    def to_json(self) -> dict[str, Any]:
        """The break as a JSON object."""
        return {"direction": self.direction, "reason": self.reason, "witness": self.witness, "source": self.source}


@dataclass(frozen=True)
class VariantReport:
    """How one variant changed from OLD to NEW."""

    profile: str
    event_type: str
    priority: str
    change: Literal["unchanged", "changed", "added", "removed"]
    backward: bool
    """Every message valid under OLD is valid under NEW (as far as the comparison could tell)."""
    forward: bool
    """Every message valid under NEW is valid under OLD (as far as the comparison could tell)."""
    breaks: tuple[Break, ...] = ()
    notes: tuple[str, ...] = ()
    """Unconfirmed structural findings and generation problems: reported, not counted."""

    @property
    def name(self) -> str:
        """``seed image.create INFO``."""
        return f"{self.profile} {self.event_type} {self.priority}"

    @property
    def status(self) -> Status:
        """``compatible`` (both ways), ``backward compatible``, ``forward compatible`` or ``breaking``.

        A removed variant is breaking, although no NEW message can contradict OLD there.
        """
        if self.change == "removed" or not (self.backward or self.forward):
            return "breaking"
        if self.backward and self.forward:
            return "compatible"
        return "backward compatible" if self.backward else "forward compatible"

    def to_json(self) -> dict[str, Any]:
        """The report as a JSON object."""
        return {
            "profile": self.profile,
            "event_type": self.event_type,
            "priority": self.priority,
            "change": self.change,
            "status": self.status,
            "backward": self.backward,
            "forward": self.forward,
            "breaks": [b.to_json() for b in self.breaks],
            "notes": list(self.notes),
        }


# --- schema directories -------------------------------------------------------------------------------------------


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class _SchemaDir:
    """The variants of one schema directory, bundled on demand from its source files."""

    def __init__(self, path: Path) -> None:
        if not path.exists():
            raise CompatError(f"{path}: no such directory")
        if not path.is_dir():
            raise CompatError(f"{path}: not a directory")
        if not (path / "envelope.json").is_file() or not any((path / p).is_dir() for p in PROFILES):
            raise CompatError(f"{path}: not a schema directory (no envelope.json and {'/'.join(PROFILES)} folders)")
        self.path = path
        try:
            self.registry = load_registry(path)
        except (OSError, ValueError, referencing.exceptions.Unresolvable) as error:
            raise CompatError(f"{path}: cannot load the schemas: {' '.join(str(error).split())}") from error
        self.variants: set[Variant] = set()
        for profile in PROFILES:
            for file in (path / profile).glob("*.json"):
                if file.name.count(".") >= 2:
                    event_type, priority = file.name.removesuffix(".json").rsplit(".", 1)
                    self.variants.add(Variant(profile, event_type, priority))
        self._bundles: dict[Variant, dict[str, Any]] = {}
        self._corpus: dict[str, list[Any]] = {}

    def schema(self, v: Variant) -> dict[str, Any]:
        """The variant's standalone schema, made from the directory's sources."""
        if v not in self._bundles:
            try:
                self._bundles[v] = bundle(self.registry, v.uri, new_id=v.bundled_uri)
            except (LookupError, ValueError, referencing.exceptions.Unresolvable) as error:
                raise CompatError(f"{self.path / v.path}: cannot bundle: {' '.join(str(error).split())}") from error
        return self._bundles[v]

    def corpus(self, v: Variant) -> list[Any]:
        """The messages the directory's corpus has for the variant (valid or not: the caller filters)."""
        if v.profile not in self._corpus:
            found: list[Any] = []
            try:
                groups = json.loads((self.path / "corpus" / f"{v.profile}.json").read_text(encoding="utf-8"))
                found = [t["data"] for g in groups for t in g["tests"] if isinstance(t, dict) and "data" in t]
            except (OSError, ValueError, TypeError, KeyError):
                pass
            self._corpus[v.profile] = found
        return [
            m
            for m in self._corpus[v.profile]
            if isinstance(m, dict) and m.get("event_type") == v.event_type and m.get("priority") == v.priority
        ]


# --- generation ---------------------------------------------------------------------------------------------------


def _hypothesis() -> Any:
    try:
        import hypothesis
        import hypothesis.errors
        import hypothesis.strategies
        import hypothesis_jsonschema
    except ImportError as error:
        raise CompatError(
            f"generation needs hypothesis and hypothesis-jsonschema ({error}); install notify-schemas[test]"
        ) from error
    return hypothesis, hypothesis_jsonschema


@functools.lru_cache(maxsize=256)
def _strategy(canonical_schema: str) -> SearchStrategy[Any]:
    """hypothesis-jsonschema's strategy for a schema, built once; it gets a fresh copy, as it rewrites the schema."""
    _, hypothesis_jsonschema = _hypothesis()
    strategy: SearchStrategy[Any] = hypothesis_jsonschema.from_schema(json.loads(canonical_schema))
    return strategy


def _find(strategy: SearchStrategy[Any], condition: Callable[[Any], bool], examples: int, seed: int) -> Any:
    """The first value of ``strategy`` that meets ``condition`` in ``examples`` tries, or ``_NONE``."""
    hypothesis, _ = _hypothesis()
    settings = hypothesis.settings(
        max_examples=examples,
        database=None,
        derandomize=True,
        deadline=None,
        # No shrinking: on these schemas it costs minutes; `_toward` simplifies a witness in milliseconds instead.
        phases=(hypothesis.Phase.explicit, hypothesis.Phase.generate),
    )
    try:
        return hypothesis.find(strategy, condition, settings=settings, random=Random(seed))
    except hypothesis.errors.NoSuchExample:
        return _NONE


class _Sentinel(enum.Enum):
    NONE = "none"  # no value found
    MISSING = "missing"  # the key is absent where the path ends
    NO_PARENT = "no parent"  # the path does not reach into this message
    DELETE = "delete"  # as a new value: remove the key


_NONE = _Sentinel.NONE
_MISSING = _Sentinel.MISSING
_NO_PARENT = _Sentinel.NO_PARENT
_DELETE = _Sentinel.DELETE


# --- paths into messages ------------------------------------------------------------------------------------------


class _Seg(enum.Enum):
    ITEM = "[]"  # the first item of an array
    OTHER = "*"  # a key that no `properties` names


_Path = tuple["str | _Seg", ...]


def _show(path: _Path) -> str:
    out = ""
    for seg in path:
        if seg is _Seg.ITEM:
            out += "[]"
        else:
            out += ("." if out else "") + (seg.value if isinstance(seg, _Seg) else seg)
    return out or "message"


def _get(message: Any, path: _Path, fresh: str) -> Any:
    node = message
    for i, seg in enumerate(path):
        last = i == len(path) - 1
        if seg is _Seg.ITEM:
            if not isinstance(node, list):
                return _NO_PARENT
            if not node:
                return _MISSING if last else _NO_PARENT
            node = node[0]
        else:
            key = fresh if seg is _Seg.OTHER else seg
            if not isinstance(node, dict):
                return _NO_PARENT
            if key not in node:
                return _MISSING if last else _NO_PARENT
            node = node[key]
    return node


def _put(message: Any, path: _Path, fresh: str, value: Any) -> Any:
    """A copy of ``message`` with ``value`` at ``path`` (or the key removed for ``_DELETE``)."""
    if not path:
        return message if value is _DELETE else copy.deepcopy(value)
    out = copy.deepcopy(message)
    node = out
    for seg in path[:-1]:
        node = node[0] if seg is _Seg.ITEM else node[fresh if seg is _Seg.OTHER else seg]
    seg = path[-1]
    if seg is _Seg.ITEM:
        if value is _DELETE:
            del node[:1]
        elif node:
            node[0] = copy.deepcopy(value)
        else:
            node.append(copy.deepcopy(value))
    else:
        key = fresh if seg is _Seg.OTHER else seg
        if value is _DELETE:
            node.pop(key, None)
        else:
            node[key] = copy.deepcopy(value)
    return out


# --- the structural comparison ------------------------------------------------------------------------------------


def _deref(ref: str, root: dict[str, Any]) -> Any:
    if not ref.startswith("#"):
        raise CompatError(f"a bundled schema has a non-local $ref: {ref}")
    node: Any = root
    for token in filter(None, ref[1:].split("/")):
        node = node[token.replace("~1", "/").replace("~0", "~")]
    return node


_DATA_KEYWORDS = frozenset({"enum", "const", "default", "examples"})


def _inline(schema: Any, root: dict[str, Any], depth: int = 0) -> Any:
    """The schema with every ``$ref`` replaced by its target, so that equal text means equal meaning.

    Past ``_MAX_DEPTH`` (a recursive schema) a ``$ref`` stays, resolved against ``root`` later when it is met.
    """
    if isinstance(schema, list):
        return [_inline(item, root, depth) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema and depth < _MAX_DEPTH:
        return _inline(_deref(schema["$ref"], root), root, depth + 1)
    return {
        k: v if k in _DATA_KEYWORDS or (depth == 0 and k == "definitions") else _inline(v, root, depth)
        for k, v in schema.items()
    }


def _parts(schema: Any, root: dict[str, Any], depth: int = 0) -> list[Any]:
    """The conjuncts of a schema: ``$ref`` followed, ``allOf`` flattened, annotations dropped; ``False`` kept."""
    if depth > _MAX_DEPTH:
        raise CompatError("a bundled schema nests $ref or allOf too deeply")
    if schema is False:
        return [False]
    if not isinstance(schema, dict):
        return []
    if "$ref" in schema:
        return _parts(_deref(schema["$ref"], root), root, depth + 1)
    body = {k: v for k, v in schema.items() if k != "allOf" and k not in _ANNOTATIONS}
    out = [body] if body else []
    for sub in schema.get("allOf", []):
        out += _parts(sub, root, depth + 1)
    return out


def _type_set(kind: Any) -> frozenset[str]:
    names = {kind} if isinstance(kind, str) else set(kind)
    if "number" in names:
        names |= {"integer", "fraction"}
    return frozenset(names & _ALL_TYPES)


def _value_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "fraction"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _types(parts: list[Any], root: dict[str, Any]) -> frozenset[str]:
    result = _ALL_TYPES
    for part in parts:
        if part is False:
            return frozenset()
        if "type" in part:
            result &= _type_set(part["type"])
        values = _part_values(part, root)
        if values is not None:
            result &= {_value_type(v) for v in values}
        for combinator in ("anyOf", "oneOf"):
            if combinator in part:
                result &= frozenset().union(*(_types(_parts(b, root), root) for b in part[combinator]))
    return result


def _part_values(part: dict[str, Any], root: dict[str, Any]) -> list[Any] | None:
    """The values one conjunct allows when it lists them (const, enum, or a union of such), else None."""
    found: list[Any] | None = None
    if "const" in part:
        found = [part["const"]]
    if "enum" in part:
        found = _intersect(found, list(part["enum"]))
    for combinator in ("anyOf", "oneOf"):
        if combinator in part:
            union: list[Any] = []
            for branch in part[combinator]:
                values = _values(_parts(branch, root), root)
                if values is None:
                    break
                union += values
            else:
                found = _intersect(found, union)
    if found is None and part.get("type") == "null":
        found = [None]
    return found


def _intersect(left: list[Any] | None, right: list[Any]) -> list[Any]:
    if left is None:
        return right
    keys = {_canonical(v) for v in right}
    return [v for v in left if _canonical(v) in keys]


def _values(parts: list[Any], root: dict[str, Any]) -> list[Any] | None:
    result: list[Any] | None = None
    for part in parts:
        if part is False:
            return []
        values = _part_values(part, root)
        if values is not None:
            result = _intersect(result, values)
    if result is None:
        return None
    unique = {_canonical(v): v for v in result}
    return list(unique.values())


def _bound(parts: list[Any], keyword: str, pick: Callable[[Iterable[Any]], Any]) -> Any:
    found = [p[keyword] for p in parts if p is not False and isinstance(p.get(keyword), int | float)]
    return pick(found) if found else None


def _keyword(parts: list[Any], keyword: str) -> list[Any]:
    return [p[keyword] for p in parts if p is not False and keyword in p]


@dataclass
class _Finding:
    path: _Path
    reason: str
    candidates: Callable[[Any], list[Any]]
    """New values to put at ``path``, given the value there now (or ``_MISSING``)."""
    sub_schema: Any = None
    """A schema for values at ``path`` under the wider side, for a generated witness when no candidate works."""


@dataclass
class _Walk:
    """One direction of the structural comparison: what does ``b`` reject that ``a`` accepts?"""

    a_root: dict[str, Any]
    b_root: dict[str, Any]
    fresh: str
    findings: list[_Finding] = field(default_factory=list)

    def sub_schema(self, a_parts: list[Any]) -> Any:
        if False in a_parts:
            return None
        return {"allOf": a_parts, "definitions": self.a_root.get("definitions", {})}

    def add(self, path: _Path, reason: str, a_parts: list[Any], candidates: Callable[[Any], list[Any]]) -> None:
        reason = f"{_show(path)}: {reason}"
        if all(f.reason != reason for f in self.findings):
            self.findings.append(_Finding(path, reason, candidates, self.sub_schema(a_parts)))

    def vary(self, a_parts: list[Any]) -> Callable[[Any], list[Any]]:
        """Candidates for a finding with no simpler witness: the current value, altered, and plain values."""
        types = sorted(_types(a_parts, self.a_root))

        def candidates(now: Any) -> list[Any]:
            return _keep(now) + _variations(now, a_parts, types)

        return candidates

    def walk(self, a_parts: list[Any], b_parts: list[Any], path: _Path = (), depth: int = 0) -> None:
        if depth > _MAX_DEPTH or _canonical(a_parts) == _canonical(b_parts) or False in a_parts:
            return
        a_types, b_types = _types(a_parts, self.a_root), _types(b_parts, self.b_root)
        if not a_types:
            return
        if not b_types or False in b_parts:
            self.add(path, "no value is allowed any more", a_parts, _these([], keep=True))
            return
        lost = a_types - b_types
        if lost:
            names = ", ".join(_TYPE_NAMES.get(t, t) for t in sorted(lost))
            kept = " or ".join(_TYPE_NAMES.get(t, t) for t in sorted(b_types))
            self.add(
                path,
                f"type narrowed to {kept}" + (f": {names} no longer accepted" if len(lost) <= 2 else ""),
                a_parts,
                _these(_typed_samples(sorted(lost), a_parts), keep=lost),
            )
        self.values(a_parts, b_parts, path)
        if a_types & {"integer", "fraction"}:
            self.numbers(a_parts, b_parts, path)
        if "string" in a_types:
            self.strings(a_parts, b_parts, path)
        if "array" in a_types:
            self.arrays(a_parts, b_parts, path, depth)
        if "object" in a_types:
            self.objects(a_parts, b_parts, path, depth)
        self.combinators(a_parts, b_parts, path, depth)

    def values(self, a_parts: list[Any], b_parts: list[Any], path: _Path) -> None:
        a_values, b_values = _values(a_parts, self.a_root), _values(b_parts, self.b_root)
        if b_values is None:
            return
        if a_values is None:
            shown = ", ".join(_canonical(v) for v in b_values[:5]) + (", ..." if len(b_values) > 5 else "")
            reason = f"now must be {shown}" if len(b_values) == 1 else f"now restricted to {shown}"
            self.add(path, reason, a_parts, self.vary(a_parts))
            return
        b_keys = {_canonical(v) for v in b_values}
        removed = [v for v in a_values if _canonical(v) not in b_keys]
        if removed:
            shown = ", ".join(_canonical(v) for v in removed[:5]) + (", ..." if len(removed) > 5 else "")
            noun = "value" if len(removed) == 1 else "values"
            self.add(path, f"{noun} {shown} no longer allowed", a_parts, _these(removed))

    def numbers(self, a_parts: list[Any], b_parts: list[Any], path: _Path) -> None:
        for keyword, pick, step in (
            ("minimum", max, -1),
            ("exclusiveMinimum", max, 0),
            ("maximum", min, 1),
            ("exclusiveMaximum", min, 0),
        ):
            a_bound, b_bound = _bound(a_parts, keyword, pick), _bound(b_parts, keyword, pick)
            if b_bound is None or (a_bound is not None and pick(a_bound, b_bound) == a_bound):
                continue
            sign = -1 if keyword.endswith("inimum") else 1
            verb = "raised" if sign < 0 else "lowered"
            reason = (
                f"{keyword} {b_bound} added" if a_bound is None else f"{keyword} {verb} from {a_bound} to {b_bound}"
            )
            options = [b_bound + step, b_bound, b_bound + sign * 0.5, b_bound + sign * 2**32]
            if a_bound is not None:
                options.append(a_bound)
            self.add(path, reason, a_parts, _these(options, keep=True))

    def strings(self, a_parts: list[Any], b_parts: list[Any], path: _Path) -> None:
        a_min, b_min = _bound(a_parts, "minLength", max), _bound(b_parts, "minLength", max)
        if b_min is not None and (a_min is None or b_min > a_min):
            reason = f"minLength {b_min} added" if a_min is None else f"minLength raised from {a_min} to {b_min}"
            self.add(path, reason, a_parts, _string_of(b_min - 1))
        a_max, b_max = _bound(a_parts, "maxLength", min), _bound(b_parts, "maxLength", min)
        if b_max is not None and (a_max is None or b_max < a_max):
            reason = f"maxLength {b_max} added" if a_max is None else f"maxLength lowered from {a_max} to {b_max}"
            self.add(path, reason, a_parts, _string_of(b_max + 1))
        a_patterns = set(_keyword(a_parts, "pattern"))
        added = [p for p in _keyword(b_parts, "pattern") if p not in a_patterns]
        if added:
            verb = "changed to" if a_patterns else "added:"
            self.add(
                path,
                f"pattern {verb} {added[0]!r}",
                a_parts,
                self.vary(a_parts),
            )

    def arrays(self, a_parts: list[Any], b_parts: list[Any], path: _Path, depth: int) -> None:
        for keyword, pick, grow in (("minItems", max, False), ("maxItems", min, True)):
            a_bound, b_bound = _bound(a_parts, keyword, pick), _bound(b_parts, keyword, pick)
            if b_bound is None or (a_bound is not None and pick(a_bound, b_bound) == a_bound):
                continue
            verb = "lowered" if grow else "raised"
            reason = (
                f"{keyword} {b_bound} added" if a_bound is None else f"{keyword} {verb} from {a_bound} to {b_bound}"
            )
            size = b_bound + 1 if grow else b_bound - 1
            self.add(path, reason, a_parts, _list_of(size))
        if any(_keyword(b_parts, "uniqueItems")) and not any(_keyword(a_parts, "uniqueItems")):
            self.add(path, "uniqueItems added", a_parts, _duplicated)
        a_items, b_items = _keyword(a_parts, "items"), _keyword(b_parts, "items")
        if all(isinstance(i, dict | bool) for i in a_items + b_items):
            a_sub = [p for i in a_items for p in _parts(i, self.a_root)]
            b_sub = [p for i in b_items for p in _parts(i, self.b_root)]
            self.walk(a_sub, b_sub, (*path, _Seg.ITEM), depth + 1)
        elif _canonical(a_items) != _canonical(b_items):
            self.add(path, "items changed", a_parts, self.vary(a_parts))

    def objects(self, a_parts: list[Any], b_parts: list[Any], path: _Path, depth: int) -> None:
        a_required = {k for r in _keyword(a_parts, "required") for k in r}
        for key in sorted({k for r in _keyword(b_parts, "required") for k in r} - a_required):
            self.add(path, f"new required key {json.dumps(key)}", a_parts, _without(key))
        names = sorted({k for p in a_parts + b_parts if p is not False for k in p.get("properties", {})}, key=str)
        keys: list[str | _Seg] = [*names, _Seg.OTHER]
        for key in keys:
            a_key = self.key_parts(a_parts, key, self.a_root)
            b_key = self.key_parts(b_parts, key, self.b_root)
            if False in a_key:
                continue
            sub = (*path, key)
            if False in b_key:
                reason = "additional properties no longer allowed" if key is _Seg.OTHER else "key no longer allowed"
                types = sorted(_types(a_key, self.a_root))
                self.add(sub, reason, a_key, _these(_typed_samples(types, a_key), keep=True))
            else:
                self.walk(a_key, b_key, sub, depth + 1)
        a_names, b_names = _keyword(a_parts, "propertyNames"), _keyword(b_parts, "propertyNames")
        if _canonical(b_names) != _canonical(a_names) and b_names:
            self.add(path, "propertyNames changed", a_parts, _these([]))

    def key_parts(self, parts: list[Any], key: str | _Seg, root: dict[str, Any]) -> list[Any]:
        """The conjuncts a value under ``key`` must meet (``_Seg.OTHER``: a key no schema names)."""
        name = key if isinstance(key, str) else self.fresh
        out: list[Any] = []
        for part in parts:
            if part is False:
                continue
            matched = False
            if isinstance(key, str) and key in part.get("properties", {}):
                out += _parts(part["properties"][key], root)
                matched = True
            for pattern, sub in part.get("patternProperties", {}).items():
                if re.search(pattern, name):
                    out += _parts(sub, root)
                    matched = True
            if not matched and "additionalProperties" in part:
                out += _parts(part["additionalProperties"], root)
        return out

    def combinators(self, a_parts: list[Any], b_parts: list[Any], path: _Path, depth: int) -> None:
        for keyword in ("anyOf", "oneOf"):
            a_lists, b_lists = _keyword(a_parts, keyword), _keyword(b_parts, keyword)
            if _canonical(a_lists) == _canonical(b_lists) or not b_lists:
                continue
            if [len(x) for x in a_lists] == [len(x) for x in b_lists]:
                # Same shape: compare branch by branch, each with the rest of its node. A narrower branch may still
                # be covered by another one; the witness check sorts that out.
                a_at = [i for i, p in enumerate(a_parts) if p is not False and keyword in p]
                b_at = [i for i, p in enumerate(b_parts) if p is not False and keyword in p]
                for i, j in zip(a_at, b_at, strict=True):
                    for a_branch, b_branch in zip(a_parts[i][keyword], b_parts[j][keyword], strict=True):
                        self.walk(
                            _without_keyword(a_parts, i, keyword) + _parts(a_branch, self.a_root),
                            _without_keyword(b_parts, j, keyword) + _parts(b_branch, self.b_root),
                            path,
                            depth + 1,
                        )
            else:
                self.add(path, f"{keyword} changed", a_parts, self.vary(a_parts))
        handled = {"type", "enum", "const", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength"}
        handled |= {"maxLength", "pattern", "minItems", "maxItems", "uniqueItems", "items", "required", "properties"}
        handled |= {"additionalProperties", "patternProperties", "propertyNames", "anyOf", "oneOf"}
        for keyword in sorted({k for p in b_parts if p is not False for k in p} - handled):
            a_values = {_canonical(v) for v in _keyword(a_parts, keyword)}
            if any(_canonical(v) not in a_values for v in _keyword(b_parts, keyword)):
                self.add(path, f"{keyword} changed", a_parts, self.vary(a_parts))


def _without_keyword(parts: list[Any], index: int, keyword: str) -> list[Any]:
    """The conjuncts with ``keyword`` taken out of the one at ``index``."""
    rest = {k: v for k, v in parts[index].items() if k != keyword}
    return [*parts[:index], *([rest] if rest else []), *parts[index + 1 :]]


def _keep(now: Any, types: Iterable[str] | None = None) -> list[Any]:
    if isinstance(now, _Sentinel) or (types is not None and _value_type(now) not in types):
        return []
    return [now]


def _these(values: Sequence[Any], *, keep: bool | Iterable[str] = False) -> Callable[[Any], list[Any]]:
    """Candidates: the current value when ``keep`` says so (True: any type; else those types), then ``values``."""
    types = None if keep is True else frozenset(keep or ())

    def candidates(now: Any) -> list[Any]:
        return (_keep(now, types) if keep else []) + list(values)

    return candidates


def _string_of(size: int) -> Callable[[Any], list[Any]]:
    """Candidates: the current string cut or padded to ``size`` characters, or ``size`` x's."""

    def candidates(now: Any) -> list[Any]:
        return _resized(now, size)

    return candidates


def _list_of(size: int) -> Callable[[Any], list[Any]]:
    """Candidates: the current list cut or grown (with its own items) to ``size`` items."""

    def candidates(now: Any) -> list[Any]:
        return _list_resized(now, size)

    return candidates


def _duplicated(now: Any) -> list[Any]:
    return [[*now, now[0]]] if isinstance(now, list) and now else []


def _samples(kind: str, a_parts: list[Any]) -> list[Any]:
    """Plain values of one type, shaped by the wider side's bounds where that is easy."""
    if kind == "string":
        low = _bound(a_parts, "minLength", max) or 0
        high = _bound(a_parts, "maxLength", min)
        return ["x" * max(low, 1), "", "x" * (high if high is not None else low)]
    samples: dict[str, list[Any]] = {
        "null": [None],
        "boolean": [False, True],
        "integer": [0, 1, -1, 2**31],
        "fraction": [0.5, -0.5],
        "array": [[]],
        "object": [{}],
    }
    low = _bound(a_parts, "minimum", max)
    if kind in ("integer", "fraction") and low is not None:
        return [low, low + 1, low + 0.5] if kind == "fraction" else [int(low), int(low) + 1]
    return samples.get(kind, [])


def _typed_samples(types: Iterable[str], a_parts: list[Any]) -> list[Any]:
    return [v for t in types for v in _samples(t, a_parts)]


def _variations(now: Any, a_parts: list[Any], a_types: Iterable[str]) -> list[Any]:
    out: list[Any] = []
    if isinstance(now, str):
        out += [now + "\n", now + "x", now[:-1], now.upper(), now.lower(), "x" + now]
    elif isinstance(now, bool):
        out.append(not now)
    elif isinstance(now, int | float):
        out += [now + 1, now - 1, now + 0.5]
    return out + [v for t in sorted(a_types) for v in _samples(t, a_parts)]


def _resized(now: Any, size: int) -> list[Any]:
    if size < 0:
        return []
    out = ["x" * size]
    if isinstance(now, str) and now:
        out.insert(0, now[:size] if len(now) >= size else now + now[-1] * (size - len(now)))
    return out


def _list_resized(now: Any, size: int) -> list[Any]:
    if size < 0 or not isinstance(now, list):
        return []
    if len(now) >= size:
        return [now[:size]]
    if not now:
        return []
    return [now + [_altered(now[i % len(now)], i) for i in range(size - len(now))]]


def _altered(item: Any, i: int) -> Any:
    """A copy of a list item made different from it, so that uniqueItems still holds."""
    if isinstance(item, str):
        return f"{item}{i}"
    if isinstance(item, int | float) and not isinstance(item, bool):
        return item + i + 1
    return copy.deepcopy(item)


def _without(key: str) -> Callable[[Any], list[Any]]:
    def candidates(now: Any) -> list[Any]:
        if not isinstance(now, dict):
            return []
        return [{k: v for k, v in now.items() if k != key}]

    return candidates


# --- one variant --------------------------------------------------------------------------------------------------


@dataclass
class _Side:
    """One schema of a variant with its validator and the valid messages known for it."""

    schema: dict[str, Any]
    valid: Callable[[Any], bool]
    bases: list[Any]
    """Valid messages: the corpus's first, then generated ones."""
    known: int = 0
    """How many of ``bases`` come from the corpus."""


def _side(d: _SchemaDir, v: Variant) -> _Side:
    schema = d.schema(v)
    validator = jsonschema_rs.validator_for(schema)
    bases = [m for m in d.corpus(v) if validator.is_valid(m)]
    return _Side(schema, validator.is_valid, bases, len(bases))


def _first_error(schema: dict[str, Any], message: Any) -> str:
    error = next(iter(jsonschema_rs.validator_for(schema).iter_errors(message)), None)
    if error is None:
        return "valid"
    where = ".".join(str(p) for p in error.instance_path) or "message"
    return f"{where}: {error.message}"


def _witness(finding: _Finding, a: _Side, b: _Side, fresh: str, examples: int, seed: int, notes: list[str]) -> Any:
    """A message valid under ``a`` and invalid under ``b`` that shows ``finding``, or ``_NONE``."""
    # Start from messages valid on both sides, so the witness differs from a valid message in the finding only.
    bases = sorted(a.bases, key=lambda m: not b.valid(m))
    reachable = []
    for base in bases:
        now = _get(base, finding.path, fresh)
        if now is _NO_PARENT:
            continue
        reachable.append(base)
        for value in finding.candidates(now):
            message = _put(base, finding.path, fresh, value)
            if a.valid(message) and not b.valid(message):
                return message
    if finding.sub_schema is None or not reachable or examples <= 0:
        return _NONE
    hypothesis, _ = _hypothesis()
    try:
        strategy = hypothesis.strategies.tuples(
            hypothesis.strategies.sampled_from(reachable[:_MAX_BASES]), _strategy(_canonical(finding.sub_schema))
        )
        found = _find(
            strategy,
            lambda pair: _shows(_put(pair[0], finding.path, fresh, pair[1]), a, b),
            examples,
            seed,
        )
    except CompatError:
        raise
    except Exception as error:  # hypothesis-jsonschema rejects some schemas; the finding stays unconfirmed
        notes.append(f"generation failed for {_show(finding.path)}: {' '.join(str(error).split())[:200]}")
        return _NONE
    if found is _NONE:
        return _NONE
    return _toward(_put(found[0], finding.path, fresh, found[1]), a, b, _concrete(finding.path, fresh))


def _shows(message: Any, a: _Side, b: _Side) -> bool:
    return a.valid(message) and not b.valid(message)


def _concrete(path: _Path, fresh: str) -> tuple[str | int, ...]:
    return tuple(0 if seg is _Seg.ITEM else fresh if seg is _Seg.OTHER else seg for seg in path)


def _toward(witness: Any, a: _Side, b: _Side, keep: tuple[str | int, ...] | None = None) -> Any:
    """The witness moved as close as it stays a witness to a known message valid on both sides (or on ``a``).

    Greedy: each value that differs from the known message's is replaced by it, or removed, when the result is still
    valid under ``a`` and invalid under ``b``; so a generated witness reads as a realistic message with one change.
    The value at ``keep`` (the finding's path) is left as it is.
    """
    # A corpus message reads best, valid on both sides if there is one; else a generated one.
    corpus, generated = a.bases[: a.known], a.bases[a.known :]
    ranked = [m for m in corpus if b.valid(m)] + corpus + [m for m in generated if b.valid(m)] + generated
    base = ranked[0] if ranked else None
    if base is None:
        return witness
    best = witness

    def visit(path: tuple[str | int, ...]) -> None:
        nonlocal best
        now, then = _at(best, path), _at(base, path)
        if keep is not None and path[: len(keep)] == keep:
            return
        if _canonical(now) == _canonical(then):
            return
        holds_keep = keep is not None and keep[: len(path)] == path  # replacing it whole would undo the finding
        if not holds_keep and then is not _MISSING and _try(best, path, then):
            return
        if isinstance(now, dict) and isinstance(then, dict):
            for key in list(now):
                if key not in then and (keep is None or keep[: len(path) + 1] != (*path, key)):
                    _try(best, (*path, key), _DELETE)
                else:
                    visit((*path, key))
        elif isinstance(now, list) and isinstance(then, list) and len(now) == len(then):
            for index in range(len(now)):
                visit((*path, index))

    def _try(message: Any, path: tuple[str | int, ...], value: Any) -> bool:
        nonlocal best
        candidate = _set(message, path, value)
        if _shows(candidate, a, b):
            best = candidate
            return True
        return False

    visit(())
    return best


def _at(message: Any, path: tuple[str | int, ...]) -> Any:
    node = message
    for key in path:
        in_dict = isinstance(node, dict) and isinstance(key, str) and key in node
        if not (in_dict or (isinstance(node, list) and isinstance(key, int) and key < len(node))):
            return _MISSING
        node = node[key]
    return node


def _set(message: Any, path: tuple[str | int, ...], value: Any) -> Any:
    if not path:
        return copy.deepcopy(value)
    out = copy.deepcopy(message)
    node = out
    for key in path[:-1]:
        node = node[key]
    if value is _DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = copy.deepcopy(value)
    return out


def _generate(a: _Side, b: _Side, examples: int, seed: int, notes: list[str]) -> Any:
    """Property-based search: the first message generated from ``a`` that ``b`` rejects, or ``_NONE``.

    Every message tried is kept as a base for witnesses.
    """
    if examples <= 0:
        return _NONE

    def condition(message: Any) -> bool:
        if not a.valid(message):
            return False
        if len(a.bases) < _MAX_BASES:
            a.bases.append(copy.deepcopy(message))
        return not b.valid(message)

    try:
        return _find(_strategy(_canonical(a.schema)), condition, examples, seed)
    except CompatError:
        raise
    except Exception as error:  # an unsatisfiable or unsupported schema: no counterexample from generation
        notes.append(f"generation failed: {' '.join(str(error).split())[:200]}")
        return _NONE


def _direction(direction: Direction, a: _Side, b: _Side, examples: int, seed: int, notes: list[str]) -> list[Break]:
    """Every break found where ``b`` rejects what ``a`` accepts."""
    fresh = "compat_witness"
    names = re.findall(r'"([^"]*)"', _canonical(a.schema) + _canonical(b.schema))
    while fresh in names:
        fresh += "_"
    a_schema, b_schema = _inline(a.schema, a.schema), _inline(b.schema, b.schema)
    walk = _Walk(a_schema, b_schema, fresh)
    walk.walk(_parts(a_schema, a_schema), _parts(b_schema, b_schema))
    breaks: list[Break] = []
    pending: list[_Finding] = []
    for finding in walk.findings:
        witness = _witness(finding, a, b, fresh, 0, seed, notes)  # mutations of the known messages only
        if witness is _NONE:
            pending.append(finding)
        else:
            breaks.append(Break(direction, finding.reason, witness, "structural"))
    if pending or not breaks:
        generated = _generate(a, b, examples, seed, notes)  # also adds the messages it tries to the bases
        for finding in pending:
            witness = _witness(finding, a, b, fresh, examples, seed, notes)
            if witness is _NONE:
                notes.append(f"unconfirmed ({direction}): {finding.reason}; no witness found")
            else:
                breaks.append(Break(direction, finding.reason, witness, "structural"))
        if generated is not _NONE and not breaks:
            generated = _toward(generated, a, b)
            reason = f"{_first_error(b.schema, generated)} (found by generation)"
            breaks.append(Break(direction, reason, generated, "property"))
    return breaks


def _one_message(side: _Side, examples: int, seed: int, notes: list[str]) -> Any:
    """A valid message of one side: from the corpus, else the simplest one generation finds (None if none)."""
    if side.bases:
        return side.bases[0]
    found = _generate(side, _Side({}, lambda _: False, []), max(examples, 1), seed, notes)
    return None if found is _NONE else found


def _compare_variant(v: Variant, old: _SchemaDir, new: _SchemaDir, examples: int, seed: int) -> VariantReport:
    notes: list[str] = []
    if v not in new.variants:
        witness = _one_message(_side(old, v), examples, seed, notes)
        gone = Break("backward", f"variant removed: {v.path} is not in NEW", witness, "variant")
        return VariantReport(v.profile, v.event_type, v.priority, "removed", False, True, (gone,), tuple(notes))
    if v not in old.variants:
        witness = _one_message(_side(new, v), examples, seed, notes)
        added = Break("forward", f"variant added: {v.path} is not in OLD", witness, "variant")
        return VariantReport(v.profile, v.event_type, v.priority, "added", True, False, (added,), tuple(notes))
    if _canonical(old.schema(v)) == _canonical(new.schema(v)):
        return VariantReport(v.profile, v.event_type, v.priority, "unchanged", True, True)
    a, b = _side(old, v), _side(new, v)
    breaks = _direction("backward", a, b, examples, seed, notes)
    breaks += _direction("forward", b, a, examples, seed, notes)
    backward = not any(x.direction == "backward" for x in breaks)
    forward = not any(x.direction == "forward" for x in breaks)
    return VariantReport(v.profile, v.event_type, v.priority, "changed", backward, forward, tuple(breaks), tuple(notes))


def compare(old_dir: Path, new_dir: Path, *, examples: int = 50, seed: int = 0) -> list[VariantReport]:
    """Compare every variant of both profiles in two schema directories; one report per variant, sorted.

    ``examples`` bounds each generation run (0 turns generation off); the same ``seed`` gives the same witnesses.
    """
    old, new = _SchemaDir(Path(old_dir)), _SchemaDir(Path(new_dir))
    return [_compare_variant(v, old, new, examples, seed) for v in sorted(old.variants | new.variants)]


# --- the command --------------------------------------------------------------------------------------------------


def _dump(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # generated text can hold lone surrogates: keep them as JSON escapes
        return json.dumps(value)
    return text


def _detail(b: Break) -> str:
    return f"{b.reason}; witness: {_dump(b.witness)}"


def _text_lines(report: VariantReport) -> Iterator[str]:
    back = [b for b in report.breaks if b.direction == "backward"]
    fwd = [b for b in report.breaks if b.direction == "forward"]
    status = report.status
    tag = f" ({report.change})" if report.change != "changed" else ""
    if status == "compatible":
        yield f"{report.name}: backward and forward compatible{tag}"
    elif status == "backward compatible":
        yield f"{report.name}: backward compatible{tag}; not forward: {_detail(fwd[0])}"
        fwd = fwd[1:]
    elif status == "forward compatible":
        yield f"{report.name}: forward compatible{tag}; breaking: {_detail(back[0])}"
        back = back[1:]
    else:
        yield f"{report.name}: breaking{tag}: {_detail(back[0])}"
        back = back[1:]
    yield from (f"  breaking: {_detail(b)}" for b in back)
    yield from (f"  not forward: {_detail(b)}" for b in fwd)
    yield from (f"  note: {n}" for n in report.notes)


def _summary(reports: Sequence[VariantReport]) -> dict[str, Any]:
    counts = {s: sum(r.status == s for r in reports) for s in ("compatible", "backward compatible")}
    counts |= {s: sum(r.status == s for r in reports) for s in ("forward compatible", "breaking")}
    return {"variants": len(reports), **counts, "backward_compatible": all(r.backward for r in reports)}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:
        raise CompatError(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="notify-schemas compat",
        description="Is NEW_DIR backward (and forward) compatible with OLD_DIR? Each break comes with a witness.",
    )
    parser.add_argument("old_dir", metavar="OLD_DIR", type=Path, help="the schema directory before the change")
    parser.add_argument("new_dir", metavar="NEW_DIR", type=Path, help="the schema directory after the change")
    parser.add_argument("--examples", type=int, default=50, help="messages generated per search (default 50; 0: none)")
    parser.add_argument("--seed", type=int, default=0, help="the same seed gives the same witnesses (default 0)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """``notify-schemas compat OLD_DIR NEW_DIR``: 0 when backward compatible, 1 when not, 2 on a usage or I/O error."""
    try:
        args = _parser().parse_args(argv)
        if args.examples < 0:
            raise CompatError(f"--examples must be 0 or more, not {args.examples}")
        reports = compare(args.old_dir, args.new_dir, examples=args.examples, seed=args.seed)
    except SystemExit as done:  # --help
        return int(done.code or 0)
    except (NotifySchemasError, OSError) as error:
        print(f"notify-schemas compat: error: {' '.join(str(error).split())}", file=sys.stderr)
        return 2
    try:
        _report(args, reports)
    except BrokenPipeError:  # the reader went away (| head)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0 if all(r.backward for r in reports) else 1


def _report(args: argparse.Namespace, reports: Sequence[VariantReport]) -> None:
    summary = _summary(reports)
    if args.format == "json":
        document = {"old": str(args.old_dir), "new": str(args.new_dir), "summary": summary}
        print(_dump({**document, "variants": [r.to_json() for r in reports]}))
    else:
        for report in reports:
            for line in _text_lines(report):
                print(line)
        verdict = "NEW is " + ("" if summary["backward_compatible"] else "not ") + "backward compatible with OLD"
        print(
            f"{summary['variants']} variants: {summary['compatible']} compatible, "
            f"{summary['backward compatible']} backward compatible, {summary['forward compatible']} forward "
            f"compatible, {summary['breaking']} breaking; {verdict}"
        )


if __name__ == "__main__":
    sys.exit(main())
