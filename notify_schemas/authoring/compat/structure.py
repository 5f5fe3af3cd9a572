"""The structural comparison: walk two bundled schemas side by side and name each way the second is narrower.

Each finding says where (a path into the message), what (a removed enum value, a new required key, a narrower type,
a tighter bound, an added pattern, a key that became ``false``, ...) and how to build a witness (candidate values to
put there). The walk also records where the two schemas differ at all, for generation to search there.
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from notify_schemas.authoring import json_type
from notify_schemas.authoring.compat.paths import MessagePath, Seg, Sentinel, canonical, show
from notify_schemas.authoring.compat.verdicts import CompatError
from notify_schemas.reader import DEFAULT_MAX_RECORD

__all__ = ["MAX_DEPTH", "Finding", "Walk", "WalkError", "conjuncts", "inline_refs", "meaning"]

_ANNOTATIONS = frozenset({"title", "description", "default", "examples", "$comment", "$schema", "$id", "definitions"})
_ALL_TYPES = frozenset({"null", "boolean", "integer", "fraction", "string", "array", "object"})
_TYPE_NAMES = {"fraction": "non-integer number"}
MAX_DEPTH = 64  # $ref and allOf nesting followed before the walk stops
_LONGEST = DEFAULT_MAX_RECORD
"""The most characters, or items, a candidate value is built with: a message that holds more is no record validate
reads by default, and a bound such as ``minLength: 100000000000`` is no size to build (it took the memory). Past it,
the finding is left to generation, or noted as unconfirmed."""


class WalkError(CompatError):
    """The walk of a bundled schema cannot go on (a ``$ref`` cycle, a ``$ref`` that is not local); it knows no file,
    which the comparison of the variant names."""


def _deref(ref: str, root: dict[str, Any]) -> Any:
    if not ref.startswith("#"):
        raise WalkError(f"a bundled schema has a non-local $ref: {ref}")
    node: Any = root
    for token in filter(None, ref[1:].split("/")):
        node = node[token.replace("~1", "/").replace("~0", "~")]
    return node


_DATA_KEYWORDS = frozenset({"enum", "const", "default", "examples"})


def inline_refs(schema: Any, root: dict[str, Any], depth: int = 0) -> Any:
    """The schema with every ``$ref`` replaced by its target, so that equal text means equal meaning.

    Past ``MAX_DEPTH`` (a recursive schema) a ``$ref`` stays, resolved against ``root`` later when it is met.
    """
    if isinstance(schema, list):
        return [inline_refs(item, root, depth) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema and depth < MAX_DEPTH:
        return inline_refs(_deref(schema["$ref"], root), root, depth + 1)
    return {
        k: v if k in _DATA_KEYWORDS or (depth == 0 and k == "definitions") else inline_refs(v, root, depth)
        for k, v in schema.items()
    }


_SETS = frozenset({"enum", "required", "type"})  # lists whose order says nothing
_NAMES = frozenset({"properties", "patternProperties", "dependencies"})  # maps whose keys are names, not keywords


def meaning(schema: Any) -> str:
    """What a schema (or a list of conjuncts) with its ``$ref``s inlined says of values, as text: equal text, equal
    verdicts. Annotations (a title, a description, examples, a default, the definitions once inlined) say nothing of
    values, nor does the order of an enum, of the required keys or of the types: two schemas that differ in these
    alone (a definition renamed or moved, a description edited) are the same contract, and comparing them by
    generation would take seconds a variant to find nothing. While a ``$ref`` is left (a recursive schema), the text
    is compared whole."""
    text = canonical(_bare(schema))
    return canonical(schema) if '"$ref"' in text else text


def _bare(schema: Any) -> Any:
    """A schema without its annotations, each list of `_SETS` in one order; ``enum`` and ``const`` values as they
    are, and the names of `_NAMES` maps kept (a property may be called ``description``)."""
    if isinstance(schema, list):
        return [_bare(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    bare: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _ANNOTATIONS:
            continue
        if key in _SETS and isinstance(value, list):
            bare[key] = sorted({canonical(v): v for v in value}.values(), key=canonical)
        elif key in _NAMES and isinstance(value, dict):
            bare[key] = {name: _bare(sub) for name, sub in value.items()}
        else:
            bare[key] = value if key in _DATA_KEYWORDS else _bare(value)
    return bare


def conjuncts(schema: Any, root: dict[str, Any], depth: int = 0) -> list[Any]:
    """The conjuncts of a schema: ``$ref`` followed, ``allOf`` flattened, annotations dropped; ``False`` kept."""
    if depth > MAX_DEPTH:
        raise WalkError("a bundled schema nests $ref or allOf too deeply")
    if schema is False:
        return [False]
    if not isinstance(schema, dict):
        return []
    if "$ref" in schema:
        return conjuncts(_deref(schema["$ref"], root), root, depth + 1)
    body = {k: v for k, v in schema.items() if k != "allOf" and k not in _ANNOTATIONS}
    out = [body] if body else []
    for sub in schema.get("allOf", []):
        out += conjuncts(sub, root, depth + 1)
    return out


def _type_set(kind: Any) -> frozenset[str]:
    names = {kind} if isinstance(kind, str) else set(kind)
    if "number" in names:
        names |= {"integer", "fraction"}
    return frozenset(names & _ALL_TYPES)


def _value_type(value: Any) -> str:
    """A value's type as `json_type` names it, a float told apart as JSON Schema tells it: ``1.0`` an integer."""
    if isinstance(value, float):
        return "integer" if value.is_integer() else "fraction"
    return json_type(value)


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
                result &= frozenset().union(*(_types(conjuncts(b, root), root) for b in part[combinator]))
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
                values = _values(conjuncts(branch, root), root)
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
    keys = {canonical(v) for v in right}
    return [v for v in left if canonical(v) in keys]


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
    unique = {canonical(v): v for v in result}
    return list(unique.values())


def _bound(parts: list[Any], keyword: str, pick: Callable[[Iterable[Any]], Any]) -> Any:
    found = [p[keyword] for p in parts if p is not False and isinstance(p.get(keyword), int | float)]
    return pick(found) if found else None


def _keyword(parts: list[Any], keyword: str) -> list[Any]:
    return [p[keyword] for p in parts if p is not False and keyword in p]


@dataclass
class Finding:
    path: MessagePath
    reason: str
    candidates: Callable[[Any], list[Any]]
    """New values to put at ``path``, given the value there now (or ``MISSING``)."""
    sub_schema: Any = None
    """A schema for values at ``path`` under the wider side, for a generated witness when no candidate works."""


@dataclass
class Walk:
    """One direction of the structural comparison: what does ``b`` reject that ``a`` accepts?"""

    a_root: dict[str, Any]
    b_root: dict[str, Any]
    fresh: str
    findings: list[Finding] = field(default_factory=list)
    differ: dict[MessagePath, list[Any]] = field(default_factory=dict)
    """Every place where the two schemas differ, with the wider side's conjuncts there (the first met)."""

    def sub_schema(self, a_parts: list[Any]) -> Any:
        """A schema for values at a place: its conjuncts, with the definitions only when a ``$ref`` is left in them.

        Without the definitions the same place in many variants has the same schema, and one generator serves all.
        """
        if False in a_parts:
            return None
        schema: dict[str, Any] = {"allOf": a_parts}
        if '"$ref"' in canonical(a_parts):
            schema["definitions"] = self.a_root.get("definitions", {})
        return schema

    def places(self) -> list[tuple[MessagePath, Any]]:
        """The innermost places where the schemas differ, each with its sub-schema: where generation searches."""
        paths = list(self.differ)
        inner = [p for p in paths if not any(len(q) > len(p) and q[: len(p)] == p for q in paths)]
        return [(p, self.sub_schema(self.differ[p])) for p in inner]

    def add(self, path: MessagePath, reason: str, a_parts: list[Any], candidates: Callable[[Any], list[Any]]) -> None:
        reason = f"{show(path)}: {reason}"
        if all(f.reason != reason for f in self.findings):
            self.findings.append(Finding(path, reason, candidates, self.sub_schema(a_parts)))

    def vary(self, a_parts: list[Any]) -> Callable[[Any], list[Any]]:
        """Candidates for a finding with no simpler witness: the current value, altered, and plain values."""
        types = sorted(_types(a_parts, self.a_root))

        def candidates(now: Any) -> list[Any]:
            return _keep(now) + _variations(now, a_parts, types)

        return candidates

    def walk(self, a_parts: list[Any], b_parts: list[Any], path: MessagePath = (), depth: int = 0) -> None:
        if depth > MAX_DEPTH or meaning(a_parts) == meaning(b_parts) or False in a_parts:
            return
        self.differ.setdefault(path, a_parts)
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

    def values(self, a_parts: list[Any], b_parts: list[Any], path: MessagePath) -> None:
        a_values, b_values = _values(a_parts, self.a_root), _values(b_parts, self.b_root)
        if b_values is None:
            return
        if a_values is None:
            shown = ", ".join(canonical(v) for v in b_values[:5]) + (", ..." if len(b_values) > 5 else "")
            reason = f"now must be {shown}" if len(b_values) == 1 else f"now restricted to {shown}"
            self.add(path, reason, a_parts, self.vary(a_parts))
            return
        b_keys = {canonical(v) for v in b_values}
        removed = [v for v in a_values if canonical(v) not in b_keys]
        if removed:
            shown = ", ".join(canonical(v) for v in removed[:5]) + (", ..." if len(removed) > 5 else "")
            noun = "value" if len(removed) == 1 else "values"
            self.add(path, f"{noun} {shown} no longer allowed", a_parts, _these(removed))

    def numbers(self, a_parts: list[Any], b_parts: list[Any], path: MessagePath) -> None:
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
            options = [*_plus(b_bound, step), b_bound, *_plus(b_bound, sign * 0.5), *_plus(b_bound, sign * 2**32)]
            if a_bound is not None:
                options.append(a_bound)
            self.add(path, reason, a_parts, _these(options, keep=True))

    def strings(self, a_parts: list[Any], b_parts: list[Any], path: MessagePath) -> None:
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

    def arrays(self, a_parts: list[Any], b_parts: list[Any], path: MessagePath, depth: int) -> None:
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
            a_sub = [p for i in a_items for p in conjuncts(i, self.a_root)]
            b_sub = [p for i in b_items for p in conjuncts(i, self.b_root)]
            self.walk(a_sub, b_sub, (*path, Seg.ITEM), depth + 1)
        elif canonical(a_items) != canonical(b_items):
            self.add(path, "items changed", a_parts, self.vary(a_parts))

    def objects(self, a_parts: list[Any], b_parts: list[Any], path: MessagePath, depth: int) -> None:
        a_required = {k for r in _keyword(a_parts, "required") for k in r}
        for key in sorted({k for r in _keyword(b_parts, "required") for k in r} - a_required):
            self.add(path, f"new required key {json.dumps(key)}", a_parts, _without(key))
        names = sorted({k for p in a_parts + b_parts if p is not False for k in p.get("properties", {})}, key=str)
        keys: list[str | Seg] = [*names, Seg.OTHER]
        for key in keys:
            a_key = self.key_parts(a_parts, key, self.a_root)
            b_key = self.key_parts(b_parts, key, self.b_root)
            if False in a_key:
                continue
            sub = (*path, key)
            if False in b_key:
                reason = "additional properties no longer allowed" if key is Seg.OTHER else "key no longer allowed"
                types = sorted(_types(a_key, self.a_root))
                self.add(sub, reason, a_key, _these(_typed_samples(types, a_key), keep=True))
            else:
                self.walk(a_key, b_key, sub, depth + 1)
        a_names, b_names = _keyword(a_parts, "propertyNames"), _keyword(b_parts, "propertyNames")
        if canonical(b_names) != canonical(a_names) and b_names:
            self.add(path, "propertyNames changed", a_parts, _these([]))

    def key_parts(self, parts: list[Any], key: str | Seg, root: dict[str, Any]) -> list[Any]:
        """The conjuncts a value under ``key`` must meet (``Seg.OTHER``: a key no schema names)."""
        name = key if isinstance(key, str) else self.fresh
        out: list[Any] = []
        for part in parts:
            if part is False:
                continue
            matched = False
            if isinstance(key, str) and key in part.get("properties", {}):
                out += conjuncts(part["properties"][key], root)
                matched = True
            for pattern, sub in part.get("patternProperties", {}).items():
                if re.search(pattern, name):
                    out += conjuncts(sub, root)
                    matched = True
            if not matched and "additionalProperties" in part:
                out += conjuncts(part["additionalProperties"], root)
        return out

    def combinators(self, a_parts: list[Any], b_parts: list[Any], path: MessagePath, depth: int) -> None:
        for keyword in ("anyOf", "oneOf"):
            a_lists, b_lists = _keyword(a_parts, keyword), _keyword(b_parts, keyword)
            if canonical(a_lists) == canonical(b_lists) or not b_lists:
                continue
            if [len(x) for x in a_lists] == [len(x) for x in b_lists]:
                # Same shape: compare branch by branch, each with the rest of its node. A narrower branch may still
                # be covered by another one; the witness check sorts that out.
                a_at = [i for i, p in enumerate(a_parts) if p is not False and keyword in p]
                b_at = [i for i, p in enumerate(b_parts) if p is not False and keyword in p]
                for i, j in zip(a_at, b_at, strict=True):
                    for a_branch, b_branch in zip(a_parts[i][keyword], b_parts[j][keyword], strict=True):
                        self.walk(
                            _without_keyword(a_parts, i, keyword) + conjuncts(a_branch, self.a_root),
                            _without_keyword(b_parts, j, keyword) + conjuncts(b_branch, self.b_root),
                            path,
                            depth + 1,
                        )
            else:
                self.add(path, f"{keyword} changed", a_parts, self.vary(a_parts))
        handled = {"type", "enum", "const", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength"}
        handled |= {"maxLength", "pattern", "minItems", "maxItems", "uniqueItems", "items", "required", "properties"}
        handled |= {"additionalProperties", "patternProperties", "propertyNames", "anyOf", "oneOf"}
        for keyword in sorted({k for p in b_parts if p is not False for k in p} - handled):
            a_values = {canonical(v) for v in _keyword(a_parts, keyword)}
            if any(canonical(v) not in a_values for v in _keyword(b_parts, keyword)):
                self.add(path, f"{keyword} changed", a_parts, self.vary(a_parts))


def _without_keyword(parts: list[Any], index: int, keyword: str) -> list[Any]:
    """The conjuncts with ``keyword`` taken out of the one at ``index``."""
    rest = {k: v for k, v in parts[index].items() if k != keyword}
    return [*parts[:index], *([rest] if rest else []), *parts[index + 1 :]]


def _keep(now: Any, types: Iterable[str] | None = None) -> list[Any]:
    if isinstance(now, Sentinel) or (types is not None and _value_type(now) not in types):
        return []
    return [now]


def _these(values: Sequence[Any], *, keep: bool | Iterable[str] = False) -> Callable[[Any], list[Any]]:
    """Candidates: the current value when ``keep`` says so (True: any type; else those types), then ``values``."""
    types = None if keep is True else frozenset(keep or ())

    def candidates(now: Any) -> list[Any]:
        return (_keep(now, types) if keep else []) + list(values)

    return candidates


def _string_of(size: float) -> Callable[[Any], list[Any]]:
    """Candidates: the current string cut or padded to ``size`` characters, or ``size`` x's."""

    def candidates(now: Any) -> list[Any]:
        return _resized(now, size)

    return candidates


def _list_of(size: float) -> Callable[[Any], list[Any]]:
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
        sizes = [max(low, 1), 0, high if high is not None else low]
        return ["x" * int(size) for size in sizes if size <= _LONGEST]
    samples: dict[str, list[Any]] = {
        "null": [None],
        "boolean": [False, True],
        "integer": [0, 1, -1, 2**31],
        "fraction": [0.5, -0.5],
        "array": [[]],
        "object": [{}],
    }
    low = _bound(a_parts, "minimum", max)
    if kind in ("integer", "fraction") and low is not None and math.isfinite(low):
        return [low, low + 1, *_plus(low, 0.5)] if kind == "fraction" else [int(low), int(low) + 1]
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
        out += [now + 1, now - 1, *_plus(now, 0.5)]
    return out + [v for t in sorted(a_types) for v in _samples(t, a_parts)]


def _plus(number: Any, step: float) -> list[Any]:
    """``number + step``, or nothing where the sum is no JSON number: an integer past a double (``10**400``) plus a
    fraction raises OverflowError, and an infinity stays one."""
    try:
        total = number + step
    except OverflowError:
        return []
    return [total] if not isinstance(total, float) or math.isfinite(total) else []


def _resized(now: Any, size: float) -> list[Any]:
    """The current string cut or padded to ``size`` characters, and ``size`` x's; a size may be written ``3.0``,
    which draft-07 takes for the integer 3."""
    if not 0 <= size <= _LONGEST:
        return []
    size = int(size)
    out = ["x" * size]
    if isinstance(now, str) and now:
        out.insert(0, now[:size] if len(now) >= size else now + now[-1] * (size - len(now)))
    return out


def _list_resized(now: Any, size: float) -> list[Any]:
    if not 0 <= size <= _LONGEST or not isinstance(now, list):
        return []
    size = int(size)
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
