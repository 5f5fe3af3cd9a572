"""Reference pages generated from the schemas: one Markdown page per profile, and one of their differences.

Each profile page is what the specification (``schemas/spec/notifications.txt``) is, written from the schemas: the
drivers, the event types, the envelope, and every variant's payload as a table, with an example message. Being
generated, the pages cannot drift from what validation enforces; a test regenerates them and compares.
``python -m notify_schemas.authoring.docs docs/reference`` writes ``seed.md``, ``glance.md`` and ``differences.md``.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from notify_schemas.authoring import json_type, load_checked, write_changed, write_command
from notify_schemas.errors import InvalidNotificationError
from notify_schemas.payloads import payload_properties
from notify_schemas.registry import (
    BASE_URI,
    PRIORITIES,
    PROFILES,
    Variant,
    bundle,
    registry,
    schema_root,
    variants,
)
from notify_schemas.samples import samples

if TYPE_CHECKING:
    from referencing._core import Resolver

__all__ = [
    "COMMAND",
    "PAGES",
    "differences_page",
    "main",
    "profile_page",
    "render_pages",
    "write_pages",
]

COMMAND = "python -m notify_schemas.authoring.docs docs/reference"
"""The command that regenerates the committed pages."""

PAGES = ("seed.md", "glance.md", "differences.md")
"""The files :func:`render_pages` makes, in that order."""

# Links in the pages are relative to docs/reference/, where the pages are committed.
_SCHEMAS = "../../schemas/"
_DECISIONS = f"[DECISIONS.md]({_SCHEMAS}DECISIONS.md)"
_HEADER = f"<!-- Generated from the schemas by `{COMMAND}`; do not edit. -->\n"

_PROFILE_INTRO = {
    "seed": (
        "The profile `seed` is the normative contract: the specification "
        f"([`spec/notifications.txt`]({_SCHEMAS}spec/notifications.txt), Glance's notifications.rst) with every "
        f"point it leaves open decided in {_DECISIONS}."
    ),
    "glance": (
        "The profile `glance` is what Glance 33's `glance.notifier` really sends. Where it departs from the "
        f"specification, [differences.md](differences.md) lists each difference and {_DECISIONS} gives the reasons."
    ),
}

# Drivers the specification does not list, by profile: oslo.messaging's format 2.0 driver, which Glance uses.
_EXTRA_DRIVERS: dict[str, tuple[tuple[str, str], ...]] = {
    "seed": (),
    "glance": (
        (
            "messagingv2",
            "This strategy sends notifications to a message queue configured using oslo.messaging configuration "
            'options, in oslo.messaging\'s message format 2.0: `{"oslo.version": "2.0", "oslo.message": "<the '
            f'notification as JSON text>"}}` ([`wire/messagingv2.json`]({_SCHEMAS}wire/messagingv2.json)).',
        ),
    ),
}

# Value types whose schema has a title get a short name instead of their constraints; the description says more.
_NAMED = {
    "UUID": "string (UUID)",
    "UTC date and time": "string (UTC time `YYYY-MM-DDThh:mm:ssZ`)",
    "oslo.messaging timestamp": "string (UTC time `YYYY-MM-DD hh:mm:ss[.ffffff]`)",
    "IP address": "string (IPv4 or IPv6 address)",
    "Text message": "text",
}

_ALL_TYPES = frozenset({"null", "boolean", "integer", "number", "string", "array", "object"})


# --- What a schema allows -------------------------------------------------------------------------------------------


@dataclass
class _Facts:
    """What a conjunction of schemas allows, read keyword by keyword: enough to name a type and to list keys."""

    types: frozenset[str] = _ALL_TYPES
    const: tuple[Any, ...] = ()
    enum: list[Any] | None = None
    title: str = ""
    description: str = ""
    minimum: float | None = None
    maximum: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str = ""
    unique: bool = False
    closed: bool = False
    items: list[tuple[Any, Resolver[Any]]] = field(default_factory=list)
    values: list[tuple[Any, Resolver[Any]]] = field(default_factory=list)
    properties: dict[str, list[tuple[Any, Resolver[Any]]]] = field(default_factory=dict)
    required: set[str] = field(default_factory=set)
    forbidden: list[str] = field(default_factory=list)
    forbidden_reason: str = ""


def _expand(kind: str | Sequence[str]) -> frozenset[str]:
    kinds = {kind} if isinstance(kind, str) else set(kind)
    if "number" in kinds:
        kinds.add("integer")
    return frozenset(kinds)


def _facts(nodes: Iterable[tuple[Any, Resolver[Any]]]) -> _Facts:
    """The facts of every node together (their allOf); the first title and description found win."""
    facts = _Facts()
    for node, resolver in nodes:
        _add(facts, node, resolver)
    return facts


def _add(f: _Facts, node: Any, resolver: Resolver[Any]) -> None:
    if node is False:
        f.types = frozenset()
    if not isinstance(node, Mapping):
        return
    f.description = f.description or node.get("description", "")
    f.title = f.title or node.get("title", "")
    if "$ref" in node:  # draft-07: a $ref's siblings are ignored, and the schemas put none beside it
        resolved = resolver.lookup(node["$ref"])
        _add(f, resolved.contents, resolved.resolver)
        return
    if "type" in node:
        f.types &= _expand(node["type"])
    if "const" in node:
        f.const = (node["const"],)
        f.types &= {json_type(node["const"])}
    if "enum" in node:
        f.enum = list(node["enum"]) if f.enum is None else [v for v in f.enum if v in node["enum"]]
        f.types &= _expand([json_type(v) for v in node["enum"]])
    if "minimum" in node:
        f.minimum = node["minimum"] if f.minimum is None else max(f.minimum, node["minimum"])
    if "maximum" in node:
        f.maximum = node["maximum"] if f.maximum is None else min(f.maximum, node["maximum"])
    if "minLength" in node:
        f.min_length = max(f.min_length or 0, node["minLength"])
    if "maxLength" in node:
        f.max_length = node["maxLength"] if f.max_length is None else min(f.max_length, node["maxLength"])
    f.pattern = f.pattern or node.get("pattern", "")
    f.unique = f.unique or node.get("uniqueItems", False)
    if "items" in node:
        f.items.append((node["items"], resolver))
    extra = node.get("additionalProperties", True)
    if extra is False:
        f.closed = True
    elif isinstance(extra, Mapping):
        f.values.append((extra, resolver))
    f.required |= set(node.get("required", ()))
    for part in node.get("allOf", ()):
        _add(f, part, resolver)
    for key, sub in node.get("properties", {}).items():
        if sub is False:
            if key not in f.forbidden:
                f.forbidden.append(key)
            f.forbidden_reason = f.forbidden_reason or node.get("description", "")
        else:
            f.properties.setdefault(key, []).append((sub, resolver))
    for combinator in ("anyOf", "oneOf"):
        if combinator in node:
            options = node[combinator]
            kinds = [_facts([(option, resolver)]).types for option in options]
            not_null = [option for option, k in zip(options, kinds, strict=True) if k - {"null"}]
            allowed = f.types & frozenset().union(*kinds)
            if len(not_null) == 1:  # "X or null": X's constraints apply to every value that is not null
                _add(f, not_null[0], resolver)
            f.types = allowed


def _nullable(f: _Facts) -> str:
    if f.types == {"null"}:
        return "always"
    return "yes" if "null" in f.types else "no"


def _literal(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _number(value: float) -> str:
    """A bound as the schema states it: an integer in full (9007199254740991, not 9.0072e+15)."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _bounds(low: float | None, high: float | None, unit: str) -> str:
    if low is not None and low == high:
        return f"{_number(low)}{unit}"
    if low is not None and high is not None:
        return f"{_number(low)}\u2013{_number(high)}{unit}"
    if low is not None:
        return "non-empty" if (low, unit) == (1, " characters") else f"\u2265 {_number(low)}{unit}"
    return f"\u2264 {_number(high)}{unit}" if high is not None else ""


def _type_name(f: _Facts) -> str:
    """A short type name: "string (UUID)", "integer ≥ 0", "enum: a, b", "array of string", "text", "null"."""
    kinds = f.types - {"null"}
    if "number" in kinds:
        kinds -= {"integer"}
    if not f.types:
        return "nothing (never valid)"
    if not kinds:
        return "null"
    if f.const and f.const[0] is not None:
        return f"{json_type(f.const[0])}, always `{_literal(f.const[0])}`"
    if f.enum is not None:
        return "enum: " + ", ".join(_literal(v) for v in f.enum if v is not None)
    if f.title in _NAMED:
        return _NAMED[f.title]
    if len(kinds) > 1:
        return "any" if len(kinds) >= len(_ALL_TYPES) - 2 else " or ".join(sorted(kinds))
    [kind] = kinds
    if kind == "string":
        details = [_bounds(f.min_length, f.max_length, " characters")]
        if f.pattern:
            details.append(f"pattern `{f.pattern}`")
        details = [d for d in details if d]
        return f"string ({', '.join(details)})" if details else "string"
    if kind in {"integer", "number"}:
        bounds = _bounds(f.minimum, f.maximum, "")
        return f"{kind} {bounds}" if bounds else kind
    if kind == "array":
        name = f"array of {_type_name(_facts(f.items))}" if f.items else "array"
        return f"{name}, unique" if f.unique else name
    if kind == "object" and f.values:
        return f"object of {_type_name(_facts(f.values))} values"
    return kind


# --- Reading the schemas --------------------------------------------------------------------------------------------


def _payload_schema(v: Variant) -> Any:
    """The schema a variant's file gives its payload: any schema, ``true``, ``false`` or ``{}`` included, and ``true``
    where the file says nothing of it (the envelope's ``payload`` then applies alone)."""
    properties = registry().contents(v.uri).get("properties")
    return properties.get("payload", True) if isinstance(properties, Mapping) else True


def _state_rules(v: Variant) -> list[dict[str, Any]]:
    """The rules of `definitions/state.json` that a variant's payload lists in its allOf: what its event implies.
    A rule is named by its title and description, each said as "(none)" where it has none."""
    payload = _payload_schema(v)
    parts = payload.get("allOf", []) if isinstance(payload, Mapping) else []
    state = registry().contents(BASE_URI + "definitions/state.json").get("definitions", {})
    rules = []
    for part in parts:
        ref = part.get("$ref", "") if isinstance(part, Mapping) else ""
        document, _, name = ref.partition("#/definitions/")
        if document.endswith("state.json") and isinstance(state.get(name), Mapping):
            rule = state[name]
            rules.append({key: rule.get(key, "(none)") for key in ("title", "description")})
    return rules


def _state_section(profile: str) -> list[str]:
    """The table of event -> guaranteed state, from the schemas' own rules (schemas/definitions/state.json)."""
    rows = []
    for v in _ordered(profile):
        for rule in _state_rules(v):
            rows.append([f"[{_title(v)}](#{_anchor(_title(v))})", rule["title"], rule["description"]])
    if not rows:
        return []
    intro = (
        "What each event says of its record beyond the fields' types, as the schemas enforce it "
        f"([`definitions/state.json`]({_SCHEMAS}definitions/state.json)); each rule names the line of Glance or of "
        "the specification it rests on."
    )
    return ["## What each event guarantees", "", intro, "", *_table(("variant", "guarantees", "because"), rows)]


def _variant_facts(uri: str) -> _Facts:
    return _facts([(registry().contents(uri), registry().resolver(uri))])


def _payload(v: Variant) -> _Facts:
    return _facts([(_payload_schema(v), registry().resolver(v.uri))])


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=\.)\s+(?=[A-Z`])", text.strip()) if s]


def _event_text(v: Variant) -> list[str]:
    """The sentences of the variant's description that describe the event: those before the payload's description."""
    schema = registry().contents(v.uri)
    text: str = schema.get("description") or schema.get("title", "")
    payload = _payload_schema(v)
    payload_text: str = payload.get("description", "") if isinstance(payload, Mapping) else ""
    if payload_text and text.endswith(payload_text):
        text = text.removesuffix(payload_text)
    return _sentences(text)


def _event_description(found: Sequence[Variant]) -> str:
    """What the variants of one event type say alike; the INFO variant's text when they share nothing."""
    texts = [_event_text(v) for v in found]
    common: list[str] = []
    for sentences in zip(*texts, strict=False):
        if len(set(sentences)) > 1:
            break
        common.append(sentences[0])
    if common:
        return " ".join(common)
    info = [t for v, t in zip(found, texts, strict=True) if v.priority == "INFO"]
    return " ".join((info or texts)[0])


def _ordered(profile: str) -> list[Variant]:
    return sorted(variants(profile), key=lambda v: (v.event_type, PRIORITIES.index(v.priority)))


_DRIVER_HEADS = ("Notification Drivers", "Notification Types")


def _text(relative: str) -> str:
    """A text file of the schema folder; ValueError naming it when it is not UTF-8."""
    data = (schema_root() / relative).read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(
            f"{relative}: not UTF-8 text: byte {data[error.start]:#04x} at offset {error.start:,}"
        ) from None


def _drivers(profile: str) -> list[tuple[str, str]]:
    """The specification's drivers, with its description of each in one line, and the profile's extra ones."""
    lines = _text("spec/notifications.txt").splitlines()
    if not all(head in lines for head in _DRIVER_HEADS):
        raise ValueError(
            f"spec/notifications.txt: no lines {' and '.join(map(repr, _DRIVER_HEADS))} around the drivers"
        )
    section = lines[lines.index(_DRIVER_HEADS[0]) + 1 : lines.index(_DRIVER_HEADS[1])]
    drivers: list[tuple[str, list[str]]] = []
    for line in (line.strip() for line in section):
        if line.startswith("* "):
            drivers.append((line.removeprefix("* "), []))
        elif drivers and line.strip("-"):
            drivers[-1][1].append(line)
    return [(name, " ".join(text)) for name, text in drivers] + list(_EXTRA_DRIVERS.get(profile, ()))


def _decision_reasons() -> dict[str, str]:
    """DECISIONS.md's table of how the seed profile judges each glance variant: variant name → its "because"."""
    text = _text("DECISIONS.md")
    match = re.search(r"<!-- glance-vs-seed:start -->(.*?)<!-- glance-vs-seed:end -->", text, re.DOTALL)
    reasons: dict[str, str] = {}
    for row in (match.group(1) if match else "").splitlines():
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`"):
            reasons[cells[0].strip("`")] = cells[2]
    return reasons


# --- Markdown -------------------------------------------------------------------------------------------------------


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ") or "\u2014"


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return [*out, ""]


def _anchor(heading: str) -> str:
    """The anchor GitHub gives a heading."""
    return re.sub(r"[^a-z0-9 _-]", "", heading.lower()).replace(" ", "-")


def _title(v: Variant) -> str:
    return f"{v.event_type} {v.priority}"


def _codes(names: Iterable[str]) -> str:
    return ", ".join(f"`{n}`" for n in names)


def _field_rows(f: _Facts) -> list[list[str]]:
    rows = []
    for key in f.properties:
        sub = _facts(f.properties[key])
        name = f"`{key}`" if key in f.required else f"`{key}` (optional)"
        description = sub.description
        if sub.forbidden:
            description = f"{description} Never has the keys {_codes(sub.forbidden)}.".strip()
        rows.append([name, _type_name(sub), _nullable(sub), description])
    return rows


def _payload_section(v: Variant) -> list[str]:
    f = _payload(v)
    if not f.properties:  # a text, or an id: the payload itself is the one row
        return _table(
            ("field", "type", "nullable", "description"),
            [["*(the payload itself)*", _type_name(f), _nullable(f), f.description]],
        )
    if list(f.properties) != list(payload_properties(v)):  # two readings of one schema: they must agree
        raise ValueError(f"{v.path}: payload keys {list(f.properties)} differ from payload_properties(v)")
    title = f", *{f.title}*" if f.title else ""
    out = [f"Payload: {_type_name(f)}{title}. {f.description}".rstrip(), ""]
    out += _table(("field", "type", "nullable", "description"), _field_rows(f))
    for key, nodes in f.properties.items():  # objects inside the payload, such as a metadef object's properties
        sub = _facts(nodes)
        inner, what = (_facts(sub.items), "Each item of") if sub.items else (sub, "The object")
        if inner.properties:
            title = f", *{inner.title}*" if inner.title else ""
            out += [f"{what} `{key}`{title}:", ""]
            out += _table(("field", "type", "nullable", "description"), _field_rows(inner))
    if f.forbidden:
        reason = f" \u2014 {f.forbidden_reason}" if f.forbidden_reason else ""
        out += [f"Never sent: {_codes(f.forbidden)}{reason}", ""]
    if f.closed:
        out += ["No other key is allowed.", ""]
    return out


def _example(v: Variant) -> list[str]:
    """A valid message of the variant; ValueError naming its file when none could be drawn (its schema accepts
    none: a payload ``false``, a required key whose schema is ``false``; or the drawing missed one)."""
    try:
        message = next(samples(v.event_type, v.priority, profile=v.profile, n=1, seed=0))
    except InvalidNotificationError as error:
        raise ValueError(f"{v.path}: no valid example message could be drawn from its schema: the one drawn broke "
                         f"it at {error.violations[0]}") from None  # fmt: skip
    return ["Example:", "", "```json", json.dumps(message, indent=2, ensure_ascii=False), "```", ""]


def _envelope_section(profile: str) -> list[str]:
    uri = BASE_URI + "envelope.json"
    envelope = _variant_facts(uri)
    payloads = [_payload(v) for v in variants(profile)]
    rows = []
    for key in envelope.properties:
        f = _facts(envelope.properties[key])
        name = f"`{key}`" if key in envelope.required else f"`{key}` (optional)"
        if key == "payload":  # its type is the variant's: the envelope itself allows anything
            nullable = "yes" if any("null" in p.types for p in payloads) else "no"
            rows.append([name, "per event type and priority: see [Payloads](#payloads)", nullable, f.description])
        else:
            rows.append([name, _type_name(f), _nullable(f), f.description])
    out = [envelope.description, ""] if envelope.description else []
    out += _table(("field", "type", "nullable", "description"), rows)
    if envelope.closed:
        out += ["No other key is allowed.", ""]
    return out


def profile_page(profile: str) -> str:
    """The reference page of one profile, as Markdown: drivers, event types, envelope, and every variant."""
    grouped = _group(_ordered(profile))
    count = sum(len(found) for found in grouped.values())
    out = [
        _HEADER,
        f"# Glance notifications: the {profile} profile",
        "",
        _PROFILE_INTRO[profile],
        "",
        f"{len(grouped)} event types, {count} variants (event type \u00d7 priority), each with its own schema under "
        f"[`schemas/{profile}/`]({_SCHEMAS}{profile}/) and a standalone copy under "
        f"[`schemas/bundled/{profile}/`]({_SCHEMAS}bundled/{profile}/). "
        "A message whose event type and priority have no section here is not part of the profile.",
        "",
        "## Drivers",
        "",
    ]
    for name, text in _drivers(profile):
        default = " (default)" if "is the default" in text else ""
        out.append(f"- `{name}`{default}: {text}")
    out += ["", "## Event types", ""]
    rows = []
    for event_type, found in grouped.items():
        links = ", ".join(f"[{v.priority}](#{_anchor(_title(v))})" for v in found)
        rows.append([f"`{event_type}`", links, _event_description(found)])
    out += _table(("event type", "priorities", "description"), rows)
    out += _state_section(profile)
    out += ["## Envelope", "", *_envelope_section(profile), "## Payloads", ""]
    for event_type, found in grouped.items():
        description = _event_description(found)
        out += [f"### {event_type}", "", description, ""]
        for v in found:
            own = " ".join(_event_text(v))
            out += [f"#### {_title(v)}", ""]
            if own != description:
                out += [own.removeprefix(description).strip(), ""]
            out += _payload_section(v)
            files = [f"[`{path}`]({_SCHEMAS}{path})" for path in (v.path, v.bundled_path)]
            out += [f"Schema: {files[0]}, standalone: {files[1]}", ""]
            out += _example(v)
    return "\n".join(out).rstrip("\n") + "\n"


# --- Differences ----------------------------------------------------------------------------------------------------


def _shape(f: _Facts) -> str:
    """A value's type and nullability in one phrase: "string (UUID)", "integer ≥ 0 or null", "null"."""
    name = _type_name(f)
    return f"{name} or null" if _nullable(f) == "yes" and name != "any" else name


def _key_changes(seed: _Facts, glance: _Facts) -> list[list[str]]:
    rows = []
    for key in [*seed.properties, *(k for k in glance.properties if k not in seed.properties)]:
        if key not in glance.properties:
            rows.append([f"`{key}`", _shape(_facts(seed.properties[key])), "\u2014", "seed only"])
            continue
        if key not in seed.properties:
            rows.append([f"`{key}`", "\u2014", _shape(_facts(glance.properties[key])), "glance only"])
            continue
        a, b = _facts(seed.properties[key]), _facts(glance.properties[key])
        changes = []
        if _type_name(a) != _type_name(b):
            changes.append("type")
        if _nullable(a) != _nullable(b):
            changes.append("nullability")
        if (key in seed.required) != (key in glance.required):
            changes.append("optional in " + ("glance" if key in seed.required else "seed"))
        if changes:
            rows.append([f"`{key}`", _shape(a), _shape(b), ", ".join(changes)])
    return rows


def _variant_list(found: Iterable[Variant]) -> list[str]:
    out = []
    for event_type, group in _group(found).items():
        priorities = ", ".join(v.priority for v in group)
        out.append(f"- `{event_type}` {priorities}")
    return [*out, ""]


def _group(found: Iterable[Variant]) -> dict[str, list[Variant]]:
    grouped: dict[str, list[Variant]] = {}
    for v in found:
        grouped.setdefault(v.event_type, []).append(v)
    return grouped


def differences_page() -> str:
    """The differences between the profiles, found by comparing their schemas; DECISIONS.md gives the reasons."""
    seed, glance = ({(v.event_type, v.priority): v for v in _ordered(p)} for p in PROFILES)
    both = [pair for pair in seed if pair in glance]
    reasons = _decision_reasons()
    out = [
        _HEADER,
        "# Differences between the profiles",
        "",
        "Found by comparing the schemas of the profiles [`seed`](seed.md) (the specification) and "
        f"[`glance`](glance.md) (what Glance 33 sends). {_DECISIONS} records why each difference exists and how the "
        "seed profile judges every message Glance sends.",
        "",
    ]
    bundles = [bundle(registry(), v.uri, new_id=v.bundled_uri) for v in _all_variants()]  # as the sources are now
    envelopes = {json.dumps(b["definitions"].get("envelope"), sort_keys=True) for b in bundles}
    if len(envelopes) == 1:
        out += ["The envelope is the same in both profiles; they differ in event types, priorities and payloads.", ""]
    out += ["## Event types and priorities", ""]
    rows = []
    event_types = sorted({pair[0] for pair in [*seed, *glance]})
    for event_type in event_types:
        cells = [", ".join(p for p in PRIORITIES if (event_type, p) in found) or "\u2014" for found in (seed, glance)]
        rows.append([f"`{event_type}`", *cells])
    out += _table(("event type", "seed", "glance"), rows)
    only = (
        ("seed", seed, glance, f"The glance profile has only what Glance 33 sends; {_DECISIONS} says why it sends no "
                               "other."),
        ("glance", glance, seed, "Events Glance 33 sends that the specification does not have; their payloads are "
                                 f"described in {_DECISIONS}."),
    )  # fmt: skip
    for profile, these, others, why in only:
        out += [f"## Variants only in the {profile} profile", "", why, ""]
        out += _variant_list(v for pair, v in these.items() if pair not in others)
    out += [
        "## Payloads of the variants in both profiles",
        "",
        "For each variant both profiles have: the payload keys only one of them has, and those whose type or "
        "nullability differ. The reason cited is the row of DECISIONS.md's table for that variant.",
        "",
    ]
    for pair in both:
        a, b = _payload(seed[pair]), _payload(glance[pair])
        out += [f"### {pair[0]} {pair[1]}", ""]
        rows = _key_changes(a, b) if a.properties and b.properties else []
        if rows:
            out += _table(("key", "seed", "glance", "difference"), rows)
        elif _kind(a) != _kind(b) and not (a.properties and b.properties):
            out += [f"The payload differs whole: seed {_kind(a)}; glance {_kind(b)}.", ""]
        else:
            out += ["Same payload keys and types.", ""]
        if a.properties and b.properties and a.forbidden != b.forbidden:
            out += [
                f"Never sent: seed {_codes(a.forbidden) or 'nothing'}; glance {_codes(b.forbidden) or 'nothing'}.",
                "",
            ]
        reason = reasons.get(" ".join(pair))
        if reason:
            out += [f"Reason, from {_DECISIONS}: {reason}.", ""]
    return "\n".join(out).rstrip("\n") + "\n"


def _kind(f: _Facts) -> str:
    if not f.properties:
        return _shape(f)
    return f"{_shape(f)} with the keys {_codes(f.properties)}"


def _all_variants() -> list[Variant]:
    return [v for profile in PROFILES for v in variants(profile)]


# --- Files ----------------------------------------------------------------------------------------------------------


def render_pages() -> dict[str, str]:
    """Every page, by file name: ``seed.md``, ``glance.md``, ``differences.md``."""
    # A file its metaschema refuses, a $ref that leads nowhere or in a cycle: named by its file and pointer, as the
    # bundle writer and compat name it, before the pages read it.
    load_checked(schema_root())
    for v in _all_variants():
        bundle(registry(), v.uri, new_id=v.bundled_uri)
    pages = {f"{profile}.md": profile_page(profile) for profile in PROFILES}
    pages["differences.md"] = differences_page()
    return {name: pages[name] for name in PAGES}


def write_pages(out_dir: Path) -> list[Path]:
    """Write the pages into ``out_dir``; return the files whose content changed."""
    changed = []
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, text in render_pages().items():
        if write_changed(out_dir / name, text):
            changed.append(out_dir / name)
    return changed


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m notify_schemas.authoring.docs OUT_DIR``: write the reference pages into OUT_DIR."""
    return write_command(argv, module="docs", doc=__doc__, folder="OUT_DIR", default=None, write=write_pages)


if __name__ == "__main__":
    sys.exit(main())
