"""The lean form of a bundled schema: the same verdicts as the schema, with less for jsonschema-rs to check.

A variant's schema states some things twice, for its readers: the envelope asks ``event_type`` for a pattern
that the variant's ``const`` already fixes, and an event's state rules (D39) narrow fields that the record
definition constrains too (``status``, ``checksum``, ``size``). The hot path (`notify_schemas.validation`) only
needs the verdict, so it checks a lean copy in which each such redundant part is replaced by ``true``:

- under one instance, the schemas of a property stated by several conjuncts (the schema itself and its ``allOf``
  members, at any depth of ``allOf``): one that another admits no less than is dropped; a property that a conjunct
  forbids with ``additionalProperties: false`` needs no other schema at all;
- within one schema without a pattern, a keyword that the other keywords of that schema already imply (an
  ``enum`` beside a narrower ``const``), and an ``allOf`` member without schemas of its own that the rest implies;
- the guard ``"not": {"pattern": "\\n"}`` beside a pattern that cannot match a newline where jsonschema-rs
  reads it: its ``$`` is the end of the text, never the place before a final newline (as in Python's ``re``,
  for which the schemas carry the guard, D3), and every part of the pattern stands for characters other than a
  newline (`excludes_newline`); and a ``minLength`` or ``maxLength`` that such a pattern keeps to by itself
  (`length_range`: a UUID, an MD5 digest, a time).

Then each ``allOf`` member is joined to its schema's own keywords where the one schema plainly means what the two
did (`_joined`: no keyword with two values, and every ``additionalProperties`` still reads the names and patterns it
read): jsonschema-rs checks one object schema with all its properties faster than the same rules spread over
members. A variant's envelope, its payload's record and the event's state rules become one closed object each.

Each dropping step other than those read from a pattern is taken only when jsonschema-rs's own schema algebra
(``CanonicalSchema.covers``) proves it, so the lean copy admits exactly what the schema admits;
``tests/test_lean.py`` checks that on the corpus and on generated messages of every variant, and the joining on
every combination of the keywords that read each other and on generated schemas. Annotations (titles,
descriptions) are dropped. Error reports still come from the whole schema, so that they can cite its titles and
paths.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from typing import Any

import jsonschema_rs

__all__ = ["conjuncts", "excludes_newline", "lean", "lean_validator", "length_range"]

_ANNOTATIONS = frozenset({"title", "description", "$comment", "examples", "default", "readOnly", "writeOnly"})
_ONE = ("not", "if", "then", "else", "additionalProperties", "additionalItems", "items", "contains", "propertyNames")
_MANY = ("allOf", "anyOf", "oneOf")
_NAMED = ("properties", "patternProperties", "dependencies")
# Keywords that may be implied by the rest of their schema (the rest stays and keeps its meaning).
_DROPPABLE = ("minLength", "maxLength", "minimum", "maximum", "minItems", "maxItems", "enum", "not")


def lean(schema: Any) -> Any:
    """A copy of a dereferenced draft-07 schema without annotations and without redundant parts."""
    out = _strip(schema)  # a new dict for every schema: no part is shared, so each can change alone
    _Leaner().walk(out)
    return out


def lean_validator(schema: Any) -> Any:
    """jsonschema-rs's validator of the lean copy, on the ``regex`` crate: the patterns are in the portable subset
    (D3), without look-around or back-references, which fancy-regex would hand to that crate anyway."""
    return jsonschema_rs.validator_for(lean(schema), pattern_options=jsonschema_rs.RegexOptions())


_NEWLINE_GUARD = {"pattern": "\\n"}
# Escaped characters that stand for characters other than a newline, outside a class and inside one.
_SAFE_ESCAPES = frozenset("dw.-+*?()[]{}^$|/\\:@_ ")
_SAFE_CLASS_ESCAPES = frozenset("dw.-^]\\[/:@_ ")


@functools.lru_cache(maxsize=1024)
def excludes_newline(pattern: str) -> bool:
    """Whether a pattern matches no text with a newline in it, for jsonschema-rs: anchored at both ends by ``^``
    and ``$`` with no alternative outside a group, and made of literal characters, classes of them (not negated,
    no range across the control characters) and the escapes ``\\d``, ``\\w`` and escaped punctuation. Anything
    else (``.``, ``\\s``, ``\\x0a``, ``[^...]``) gets the answer no: the guard then stays."""
    if not (pattern.startswith("^") and pattern.endswith("$") and not pattern.endswith("\\$")):
        return False
    body = pattern[1:-1]
    depth, i, n = 0, 0, len(body)
    while i < n:
        c = body[i]
        if c == "\\":
            if i + 1 >= n or body[i + 1] not in _SAFE_ESCAPES:
                return False
            i += 2
            continue
        if c == "[":
            end = _class_end(body, i)
            if end is None:
                return False
            i = end + 1
            continue
        if c in ".^$" or ord(c) < 0x20:
            return False
        if c == "(":
            depth += 1
            if body.startswith("(?", i) and not body.startswith("(?:", i):
                return False
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            return False
        i += 1
    return depth == 0


@functools.lru_cache(maxsize=1024)
def length_range(pattern: str) -> tuple[int, int | None] | None:
    """The fewest and most characters a text matching an anchored pattern (``^...$``, as `excludes_newline` reads
    patterns) can have; None for no upper bound, and no answer at all for a pattern it does not read."""
    if not excludes_newline(pattern):
        return None
    body = pattern[1:-1]
    found, end = _sequence(body, 0)
    return found if end == len(body) else None


_Range = tuple[int, int | None]


def _sequence(body: str, i: int) -> tuple[_Range | None, int]:
    """The length range of the alternatives from ``i`` up to an unmatched ``)`` or the end, and where they stop."""
    alternatives: list[_Range] = []
    low, high = 0, 0
    high_known = True
    while True:
        if i >= len(body) or body[i] == ")":
            alternatives.append((low, high if high_known else None))
            break
        if body[i] == "|":
            alternatives.append((low, high if high_known else None))
            low, high, high_known = 0, 0, True
            i += 1
            continue
        atom: _Range | None
        if body[i] == "(":
            start = i + 3 if body.startswith("(?:", i) else i + 1
            atom, i = _sequence(body, start)
            if atom is None or i >= len(body):
                return None, i
            i += 1
        elif body[i] == "[":
            end = _class_end(body, i)
            if end is None:
                return None, i
            atom, i = (1, 1), end + 1
        elif body[i] == "\\":
            atom, i = (1, 1), i + 2
        else:
            atom, i = (1, 1), i + 1
        times, i = _quantifier(body, i)
        if times is None:
            return None, i
        a_low, a_high = atom
        low += a_low * times[0]
        if a_high is None or times[1] is None:
            high_known = high_known and (a_high == 0 or times[1] == 0)
        else:
            high += a_high * times[1]
    lows = min(a[0] for a in alternatives)
    highs = [a[1] for a in alternatives]
    return (lows, None if None in highs else max(h for h in highs if h is not None)), i


def _quantifier(body: str, i: int) -> tuple[_Range | None, int]:
    if i >= len(body):
        return (1, 1), i
    c = body[i]
    if c in "?*+":
        times = {"?": (0, 1), "*": (0, None), "+": (1, None)}[c]
        return times, i + 1 + (1 if body.startswith("?", i + 1) else 0)
    if c == "{":
        close = body.find("}", i)
        inside = body[i + 1 : close] if close > 0 else ""
        parts = inside.split(",")
        if close < 0 or len(parts) > 2 or not parts[0].isdigit() or not all(p.isdigit() for p in parts[1:] if p):
            return None, i
        low = int(parts[0])
        high = low if len(parts) == 1 else (int(parts[1]) if parts[1] else None)
        return (low, high), close + 1 + (1 if body.startswith("?", close + 1) else 0)
    return (1, 1), i


def _class_end(body: str, start: int) -> int | None:
    """Where the class opened at ``start`` closes, when every character it admits is printable; else None."""
    i = start + 1
    if i < len(body) and body[i] == "^":
        return None
    members: list[str] = []
    while i < len(body) and body[i] != "]":
        if body[i] == "\\":
            if i + 1 >= len(body) or body[i + 1] not in _SAFE_CLASS_ESCAPES:
                return None
            members.append("a" if body[i + 1] in "dw" else body[i + 1])
            i += 2
            continue
        if body[i] == "[":
            return None
        members.append(body[i])
        i += 1
    if i >= len(body) or not members:
        return None
    # A range's ends are its neighbours of "-"; a printable low end keeps every line break out of it.
    if any(ord(m) < 0x20 for m in members):
        return None
    return i


def _strip(schema: Any) -> Any:
    """The schema without annotation keywords (a property *named* ``title`` stays: only keywords go)."""
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _ANNOTATIONS:
            continue
        if key in _ONE:
            out[key] = [_strip(v) for v in value] if isinstance(value, list) else _strip(value)
        elif key in _MANY:
            out[key] = [_strip(v) for v in value]
        elif key in _NAMED and isinstance(value, dict):
            out[key] = {name: _strip(v) if isinstance(v, dict | bool) else v for name, v in value.items()}
        else:
            out[key] = value
    return out


# A schema's canonical form, by its text: the variants share most of their parts, so each is canonicalised once.
_CANONICAL: dict[str, Any] = {}
_COVERS: dict[tuple[str, str], bool] = {}


class _Leaner:
    def _covers(self, wide: Any, narrow: Any) -> bool:
        """Whether ``wide`` admits every value ``narrow`` admits, as jsonschema-rs proves it ("yes" only)."""
        if wide is True or wide == {}:  # admits everything
            return True
        if narrow is True or narrow == {}:  # only what admits everything covers it
            return False
        key = (repr(wide), repr(narrow))
        found = _COVERS.get(key)
        if found is None:
            try:
                answer = self._form(key[0], wide).covers(self._form(key[1], narrow))
            except (ValueError, TypeError):  # what the algebra cannot read is never dropped
                answer = "unknown"
            found = _COVERS[key] = str(answer).rsplit(".", 1)[-1].lower() == "yes"
        return found

    @staticmethod
    def _form(text: str, schema: Any) -> Any:
        found = _CANONICAL.get(text)
        if found is None:
            found = _CANONICAL[text] = jsonschema_rs.canonicalize(schema, draft=jsonschema_rs.Draft7)
        return found

    def walk(self, schema: Any) -> None:
        if not isinstance(schema, dict):
            return
        for key in _ONE:
            value = schema.get(key)
            for part in value if isinstance(value, list) else [value]:
                self.walk(part)
        for key in _MANY:
            for part in schema.get(key, ()):
                self.walk(part)
        for key in _NAMED:
            value = schema.get(key)
            if isinstance(value, dict):
                for part in value.values():
                    self.walk(part)
        self._merge_properties(schema)
        self._drop_implied_keywords(schema)
        self._drop_newline_guard(schema)
        self._drop_implied_conjuncts(schema)

    def _merge_properties(self, schema: dict[str, Any]) -> None:
        applying = list(conjuncts(schema))
        if len(applying) < 2:
            return
        names = {name for c in applying for name in c.get("properties", {})}
        for name in sorted(names):
            # What every conjunct asks of the value under `name`: explicit schemas, and `false` where a conjunct
            # forbids unlisted keys (additionalProperties: false without patternProperties) and does not list it.
            forbidden = any(
                c.get("additionalProperties") is False
                and not c.get("patternProperties")
                and name not in c.get("properties", {})
                for c in applying
            )
            holders = [c for c in applying if name in c.get("properties", {})]
            for holder in holders:
                mine = holder["properties"][name]
                if mine is True:
                    continue
                if forbidden:
                    holder["properties"][name] = True
                    continue
                others = [c["properties"][name] for c in holders if c is not holder]
                others = [other for other in others if other is not True]
                if any(self._covers(mine, other) for other in others):
                    holder["properties"][name] = True

    def _drop_implied_keywords(self, schema: dict[str, Any]) -> None:
        pattern = schema.get("pattern")
        lengths = length_range(pattern) if isinstance(pattern, str) else None
        if lengths is not None:  # lengths that the pattern alone keeps to
            low, high = lengths
            if isinstance(schema.get("minLength"), int) and low >= schema["minLength"]:
                del schema["minLength"]
            if isinstance(schema.get("maxLength"), int) and high is not None and high <= schema["maxLength"]:
                del schema["maxLength"]
        if "pattern" in schema:  # what a pattern implies is read from the pattern (above): the algebra is slow there
            return
        for keyword in _DROPPABLE:
            if keyword not in schema:
                continue
            rest = {k: v for k, v in schema.items() if k != keyword}
            if self._covers({keyword: schema[keyword]}, rest):
                del schema[keyword]

    @staticmethod
    def _drop_newline_guard(schema: dict[str, Any]) -> None:
        pattern = schema.get("pattern")
        if schema.get("not") == _NEWLINE_GUARD and isinstance(pattern, str) and excludes_newline(pattern):
            del schema["not"]

    def _drop_implied_conjuncts(self, schema: dict[str, Any]) -> None:
        """allOf members that the rest of the schema implies go; a lone member left beside nothing is inlined."""
        members = schema.get("allOf")
        if not isinstance(members, list):
            return
        for member in list(members):
            if member is True or (isinstance(member, dict) and not member):
                members.remove(member)
                continue
            if _has_subschemas(member):
                continue  # a member with schemas of its own is rarely implied, and costly to prove
            others = [m for m in members if m is not member]
            rest = {**{k: v for k, v in schema.items() if k != "allOf"}, **({"allOf": others} if others else {})}
            if any(k not in ("$id", "$schema") for k in rest) and self._covers(member, rest):
                members.remove(member)
        _merge_conjuncts(schema)


def _merge_conjuncts(schema: dict[str, Any]) -> None:
    """allOf members joined to their schema's own keywords where the one schema means what the two did.

    jsonschema-rs checks one object schema with all its properties faster than the same rules spread over
    ``allOf`` members (each member reads the instance again): a variant's envelope, its payload's record and the
    event's state rules become one ``properties`` each. A member's own ``allOf`` members apply to the same instance,
    so they join this one's first."""
    members = schema.get("allOf")
    if not isinstance(members, list):
        return
    spliced: list[Any] = []
    for member in members:
        if isinstance(member, dict) and isinstance(member.get("allOf"), list):
            spliced += member["allOf"]
            member = {k: v for k, v in member.items() if k != "allOf"}
        spliced.append(member)
    kept = []
    for member in spliced:
        if isinstance(member, dict) and not member:
            continue
        joined = _joined({k: v for k, v in schema.items() if k != "allOf"}, member)
        if joined is None:
            kept.append(member)
        else:
            schema.clear()
            schema.update(joined)
    if kept:
        schema["allOf"] = kept
    else:
        schema.pop("allOf", None)


def _not_open(schema: dict[str, Any]) -> bool:
    """Whether a schema's ``additionalProperties`` says anything of the keys its properties do not name."""
    return schema.get("additionalProperties", True) not in (True, {})


def _joined(schema: dict[str, Any], member: Any) -> dict[str, Any] | None:
    """One schema that admits exactly what both admit, or None where that is not plainly so.

    A keyword found in one of them stays as it is, one found in both with the same value once, and ``required``
    lists join. Keywords that read each other (`_TOGETHER`) come from one side only, or are the same in both, except
    properties: those of both join (one property's two schemas become its ``allOf``) as long as each
    ``additionalProperties`` that closes an object still reads the names and patterns it read before."""
    if not isinstance(member, dict) or any(k.startswith("$") for k in member) or "$ref" in schema:
        return None
    out = dict(schema)
    for key, value in member.items():
        if key in ("properties", "patternProperties", "additionalProperties", "required"):
            continue
        if key in out and out[key] != value:
            return None
        if any(
            key in group and any(k in schema and schema[k] != member.get(k) for k in group) for group in _TOGETHER[1:]
        ):
            return None
        out[key] = value
    if schema.get("patternProperties", member.get("patternProperties")) != member.get(
        "patternProperties", schema.get("patternProperties")
    ):
        return None
    if _not_open(schema) and _not_open(member) and schema["additionalProperties"] != member["additionalProperties"]:
        return None
    mine, theirs = schema.get("properties", {}), member.get("properties", {})
    if not isinstance(mine, dict) or not isinstance(theirs, dict):
        return None
    names = {*mine, *theirs}
    patterns = "patternProperties" in schema or "patternProperties" in member
    for side, own in ((schema, mine), (member, theirs)):
        # a closed side must still name every property and every pattern the joined schema has
        if _not_open(side) and (names != set(own) or patterns != ("patternProperties" in side)):
            return None
    if names:
        properties = dict(mine)
        for name, value in theirs.items():
            if properties.get(name, True) is True:
                properties[name] = value
            elif value is not True and value != properties[name]:
                both: dict[str, Any] = {"allOf": [properties[name], value]}
                _merge_conjuncts(both)
                properties[name] = both
        out["properties"] = properties
    if "patternProperties" in member:
        out["patternProperties"] = member["patternProperties"]
    if "additionalProperties" in member and not _not_open(schema):  # else the schema's closes it, as the member's
        out["additionalProperties"] = member["additionalProperties"]
    if "required" in member:
        if not isinstance(member["required"], list) or not isinstance(schema.get("required", []), list):
            return None
        out["required"] = list(dict.fromkeys([*schema.get("required", []), *member["required"]]))
    return out


# Keywords that read each other within one schema (additionalProperties looks at properties, else at if...).
_TOGETHER = (
    frozenset({"properties", "patternProperties", "additionalProperties"}),
    frozenset({"items", "additionalItems"}),
    frozenset({"if", "then", "else"}),
)


def _has_subschemas(schema: Any) -> bool:
    """Whether a schema holds schemas other than ``true`` and ``false``."""
    if not isinstance(schema, dict):
        return False
    for key, value in schema.items():
        parts = value.values() if key in _NAMED and isinstance(value, dict) else value if key in _MANY else [value]
        if (key in _ONE or key in _MANY or key in _NAMED) and any(isinstance(p, dict) for p in parts):
            return True
    return False


def conjuncts(schema: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """The schema and its allOf members, at any depth of allOf: all of them apply to the same instance."""
    yield schema
    for part in schema.get("allOf", ()):
        if isinstance(part, Mapping):
            yield from conjuncts(part)
