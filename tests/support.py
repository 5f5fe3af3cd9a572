"""Shared test data: the installed schemas, the golden corpus, the variants, and the reference validator."""

from __future__ import annotations

import collections.abc
import copy
import functools
import json
import signal
import time
import unicodedata
from collections.abc import Iterator
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import strategies as st

import notify_schemas
from notify_schemas.registry import schema_root


def walk(folder: Traversable, prefix: str = "") -> Iterator[tuple[str, Traversable]]:
    """Every JSON file under ``folder``, with its path relative to it."""
    for child in sorted(folder.iterdir(), key=lambda c: c.name):
        if child.is_dir():
            yield from walk(child, f"{prefix}{child.name}/")
        elif child.name.endswith(".json"):
            yield f"{prefix}{child.name}", child


SCHEMA_FILES = {
    path: json.loads(file.read_text(encoding="utf-8"))
    for path, file in walk(schema_root())
    if not path.startswith(("corpus/", "asyncapi/"))  # test data, and AsyncAPI documents (not JSON Schemas)
}
CORPUS = {
    profile: json.loads((schema_root() / "corpus" / f"{profile}.json").read_text(encoding="utf-8"))
    for profile in notify_schemas.PROFILES
}
ALL_VARIANTS = [v for profile in notify_schemas.PROFILES for v in notify_schemas.variants(profile)]


def corpus_cases() -> list[Any]:
    """Every (group, test) of the corpus, as pytest parameters with readable ids."""
    return [
        pytest.param(group, test, id=f"{group['description']}: {test['description']}")
        for groups in CORPUS.values()
        for group in groups
        for test in group["tests"]
    ]


def reference_validator(v: notify_schemas.Variant) -> jsonschema.Draft7Validator:
    """python-jsonschema, the reference implementation, on the variant's source schema and the shared registry."""
    return jsonschema.Draft7Validator(notify_schemas.registry().contents(v.uri), registry=notify_schemas.registry())


# Messages for property tests: valid ones of every variant, and the same broken at a random place (a key removed,
# or a value replaced by arbitrary JSON).
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=5,
)  # fmt: skip


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for k, item in value.items():
            found += _paths(item, (*path, k))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _paths(item, (*path, i))
    return found


@st.composite
def valid_or_broken_messages(draw: st.DrawFn) -> tuple[notify_schemas.Variant, Any]:
    """A variant and a message of it: valid, or broken at one random place."""
    from notify_schemas.samples import samples

    v = draw(st.sampled_from(ALL_VARIANTS))
    message = next(samples(v.event_type, v.priority, profile=v.profile, seed=draw(st.integers(0, 10**6))))
    if draw(st.booleans()):
        path = draw(st.sampled_from(_paths(message)[1:]))
        parent = message
        for part in path[:-1]:
            parent = parent[part]
        if isinstance(parent, dict) and draw(st.booleans()):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(JSON_VALUES)
    return v, message


class Changing(collections.abc.Mapping):  # type: ignore[type-arg]
    """A producer's mapping that answers otherwise each time it is read: its content the first time, then the same
    with a credential that must never be sent."""

    def __init__(self, content: dict[str, Any], canary: str) -> None:
        self.content, self.reads, self.canary = content, 0, canary

    def _now(self) -> dict[str, Any]:
        self.reads += 1
        if self.reads == 1:
            return self.content
        return {**self.content, "locations": [{"url": f"swift://glance:{self.canary}@swift.example/c/o"}]}

    def __getitem__(self, key: str) -> Any:
        return self._now()[key]

    def __iter__(self) -> Any:
        return iter(self._now())

    def __len__(self) -> int:
        return len(self.content)

    def items(self) -> Any:  # type: ignore[override]
        return self._now().items()


def running_its_main(pid: int, timeout: float = 60) -> None:
    """Wait until the process has its SIGTERM handler: its imports are done and the suite's main is running. A fixed
    pause is not enough on a loaded machine, where the imports alone can take longer than it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = Path(f"/proc/{pid}/status").read_text()
        caught = int(next(line.split()[1] for line in status.splitlines() if line.startswith("SigCgt:")), 16)
        if caught & (1 << (signal.SIGTERM - 1)):
            return
        time.sleep(0.05)
    raise AssertionError(f"no SIGTERM handler within {timeout} s")


def key_pointers(value: Any, at: str = "") -> Iterator[str]:
    """The pointer of every key of ``value``'s objects, at any depth."""
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, inner in items:
        pointer = f"{at}/{str(key).replace('~', '~0').replace('/', '~1')}"
        if isinstance(value, dict):
            yield pointer
        yield from key_pointers(inner, pointer)


def written_twice(value: Any, pointer: str) -> str:
    """``value``'s JSON text with the key at ``pointer`` written twice, the second time with the same value."""
    if not pointer:
        return json.dumps(value)
    head, deeper, rest = pointer[1:].partition("/")
    key: Any = head.replace("~1", "/").replace("~0", "~")
    inner = f"/{rest}" if deeper else ""
    if isinstance(value, list):
        return f"[{', '.join(written_twice(v, inner if i == int(key) else '') for i, v in enumerate(value))}]"
    parts = [f"{json.dumps(k)}: {written_twice(v, inner if k == key else '')}" for k, v in value.items()]
    if not deeper:
        parts.append(f"{json.dumps(key)}: {json.dumps(value[key])}")
    return f"{{{', '.join(parts)}}}"


# Messages at the edges of the schemas' rules, for differential tests: a valid message of a variant with one or two
# values replaced by a neighbour of a bound, a length, an enum or const value, or a pattern's edge characters.
@functools.cache
def _constants() -> tuple[frozenset[Any], frozenset[int], tuple[Any, ...]]:
    """Every bound, every length and every enum or const value that isn't a container, of every bundled schema."""
    bounds: set[Any] = set()
    lengths: set[int] = set()
    values: list[Any] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, inner in node.items():
                if key in ("minimum", "maximum"):
                    bounds.add(inner)
                elif key in ("minLength", "maxLength"):
                    lengths.add(inner)
                elif key in ("enum", "const"):
                    values.extend(x for x in (inner if key == "enum" else [inner]) if not isinstance(x, dict | list))
                for part in inner.values() if key in ("properties", "definitions", "patternProperties") else [inner]:
                    walk(part)
        elif isinstance(node, list):
            for part in node:
                walk(part)

    for v in ALL_VARIANTS:
        walk(notify_schemas.bundled_schema(v))
    unique = {(type(x), x) for x in values}
    return frozenset(bounds), frozenset(lengths), tuple(sorted(unique, key=repr))


OTHER_DIGITS = ["\u0663", "\uff13", "\U0001d7d9", "\u00b2"]  # Arabic-Indic, full-width, mathematical, superscript
LINE_BREAKS = ["\n", "\r", "\r\n", "\u2028", "\x85", "\x0b"]


def _text_edges(text: str) -> list[str]:
    found = [text + b for b in LINE_BREAKS] + [b + text for b in LINE_BREAKS]
    found += [text + " ", text.upper(), text.lower(), text + "\x00", text + "\U0001f600", text[:-1], text + text]
    found += [unicodedata.normalize(form, text) for form in ("NFD", "NFKC")]
    digit = next((i for i, c in enumerate(text) if c in "0123456789"), None)
    if digit is not None:
        found += [text[:digit] + d + text[digit + 1 :] for d in OTHER_DIGITS]
    letter = next((i for i, c in enumerate(text) if c in "abcdef"), None)
    if letter is not None:
        wide = chr(ord(text[letter]) + 0xFEE0)  # its full-width form
        found += [text[:letter] + c + text[letter + 1 :] for c in (text[letter].upper(), wide)]
    for length in _constants()[1]:
        for n in (length - 1, length, length + 1):
            if 0 <= n <= 300:
                found += [((text or "a") * (n + 1))[:n], "\U0001f600" * n, "é" * n, "e\u0301" * n]
    return found


def _number_edges(number: float) -> list[Any]:
    found: list[Any] = [float(number), -0.0, -number, number + 0.5, True, str(number)]
    found += [2**53 - 1, 2**53, 2**63, 2**64, -(2**63) - 1, 2**100, 1e308, 9007199254740992.0, 5e-324]
    for bound in _constants()[0]:
        found += [y for x in (bound - 1, bound, bound + 1) for y in (x, float(x))] + [bound - 0.5, bound + 0.5]
    return found


def _object_edges(value: dict[str, Any]) -> list[Any]:
    found: list[Any] = [{}, {**value, "extra": 1}, {**value, "locations": []}]
    for key in value:
        rest = {k: v for k, v in value.items() if k != key}
        found.append(rest)
        wide = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in key)  # NFKC reads it as the key
        for spelled in (key + "\u200b", key.upper(), wide):
            found.append({**rest, spelled: value[key]})
    return found


def edges(value: Any) -> list[Any]:
    """Values near ``value`` at the edges of the schemas' rules."""
    if isinstance(value, bool):
        return [not value, 0, 1, 1.0, "true", None]
    if isinstance(value, int | float):
        return _number_edges(value)
    if isinstance(value, str):
        return _text_edges(value) + [x for _, x in _constants()[2]]
    if isinstance(value, list):
        return [[], value + value, value[:1] * 2 or [None], [*value, None], [*value, 1.0], [*value, "x\n"], None]
    if isinstance(value, dict):
        return [*_object_edges(value), None, []]
    return [0, 0.0, False, "", "null", {}, []]


@st.composite
def edge_messages(draw: st.DrawFn, *, within: str = "") -> tuple[notify_schemas.Variant, Any]:
    """A valid message of a variant with one or two values at an edge (under the key ``within`` when given), or sent
    as another variant; with the variant whose schema judges it (the other one), whatever its event type says now."""
    from notify_schemas.samples import samples

    v = draw(st.sampled_from(ALL_VARIANTS))
    message = copy.deepcopy(next(samples(v.event_type, v.priority, profile=v.profile, seed=draw(st.integers(0, 99)))))
    if draw(st.integers(0, 9)) == 0:
        v = draw(st.sampled_from(notify_schemas.variants(v.profile)))
        message.update(event_type=v.event_type, priority=v.priority)
    for _ in range(draw(st.integers(1, 2))):
        path = draw(st.sampled_from([p for p in _paths(message)[1:] if not within or p[0] == within]))
        parent = message
        for part in path[:-1]:
            parent = parent[part]
        parent[path[-1]] = copy.deepcopy(draw(st.sampled_from(edges(parent[path[-1]]))))
    return v, message
