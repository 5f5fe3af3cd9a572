"""Typed models generated from the bundled schemas carry the contract's messages: Python models from
datamodel-code-generator (pydantic v2 output, made by the README's own command) load every valid corpus message and
give it back unchanged, and they and the TypeScript types (json-schema-to-typescript, judged by tsc --strict) refuse
and take the invalid ones exactly as the README's "Typed models" says (D89).

Run by ``nox -s models``, which installs datamodel-code-generator from PyPI and the TypeScript tools from npm.
"""

from __future__ import annotations

import copy
import importlib
import json
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import jsonschema
import pytest

from notify_schemas import PROFILES, Variant, is_valid, variants
from notify_schemas.registry import schema_root

pytestmark = pytest.mark.models

ROOT = Path(__file__).parent.parent.parent
JS = ROOT / "tests" / "js"

# What README.md's "Typed models" says each kind of fault does, for the pydantic models and the TypeScript types:
# HELD ("refused"), the models refuse every message with such a fault; LOST ("taken"), they take every message whose
# faults are all lost; PARTLY ("partly"), they refuse it in some variants and take it in others. The README's table
# has a row for each entry of README_ROWS, in that order; a value of another type, outside an enum or a const, or a
# missing key ("type") both refuse, as the sentence before the table says.
HELD, PARTLY, LOST = "held", "partly", "lost"
README_ROWS = [
    ("pattern", "bound"),
    ("coerced",),  # a string holding an integer, or true or false, where an integer is due
    ("bool-number",),  # 0 or 1 for false or true: pydantic's Literal[False] takes 0, its StrictBool does not
    ("state",),  # a state.* definition's narrowing (its bounds and patterns count as those)
    ("if",),  # is_public following visibility
    ("false",),  # a key that must never appear
    ("extra",),  # a key the object does not list (additionalProperties: false)
    ("unique",),  # uniqueItems
]
SIDES = ("pydantic", "typescript")


def readme_says() -> dict[str, tuple[str, str]]:
    """Each kind of fault's (pydantic, TypeScript) verdict, read from the README's table: each cell begins with
    refused, taken or partly."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text[text.index("| fault | pydantic models | TypeScript types |") :].split("\n\n")[0].splitlines()[2:]
    assert len(table) == len(README_ROWS), "the README's table of faults and README_ROWS differ in length"
    verdicts = {"refused": HELD, "taken": LOST, "partly": PARTLY}
    says = {"type": (HELD, HELD)}
    for row, kinds in zip(table, README_ROWS, strict=True):
        cells = [cell.strip() for cell in row.strip("|").split(" | ")]
        pydantic, typescript = (verdicts[cell.split()[0].rstrip(":,")] for cell in cells[1:])
        says |= dict.fromkeys(kinds, (pydantic, typescript))
    return says


def module_name(v: Variant) -> str:
    return f"{v.profile}_{v.name.replace('.', '_')}"


def readme_command() -> list[str]:
    """The datamodel-codegen command of the README's "Typed models", without --input and --output."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"^datamodel-codegen (.*?[^\\])$", text, re.MULTILINE | re.DOTALL)
    assert found, "README.md's Typed models holds no datamodel-codegen command"
    words = shlex.split(found.group(1).replace("\\\n", " "))
    for option in ("--input", "--output"):
        at = words.index(option)
        del words[at : at + 2]
    return words


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[Variant, Any]]:
    from datamodel_code_generator.__main__ import Exit, main

    out = tmp_path_factory.mktemp("models")
    command = readme_command()
    found = {}
    sys.path.insert(0, str(out))
    try:
        for profile in PROFILES:
            for v in variants(profile):
                source = str(schema_root() / v.bundled_path)
                assert main([*command, "--input", source, "--output", str(out / module_name(v))]) == Exit.OK, v
                found[v] = importlib.import_module(module_name(v)).Notification
        yield found
    finally:
        sys.path.remove(str(out))


def corpus(valid: bool) -> list[tuple[Variant, str, Any]]:
    """Every corpus message of that verdict, with its variant and description."""
    found = []
    for profile in PROFILES:
        for group in json.loads((schema_root() / "corpus" / f"{profile}.json").read_text(encoding="utf-8")):
            _, event_type, priority = group["description"].split()
            v = next(v for v in variants(profile) if (v.event_type, v.priority) == (event_type, priority))
            found += [(v, t["description"], t["data"]) for t in group["tests"] if t["valid"] is valid]
    return found


def corpus_cases() -> list[Any]:
    return [pytest.param(v, message, id=f"{v}: {description}") for v, description, message in corpus(valid=True)]


@pytest.mark.parametrize(("v", "message"), corpus_cases())
def test_every_valid_corpus_message_loads_and_round_trips(models: dict[Variant, Any], v: Variant, message: Any) -> None:
    model = models[v].model_validate(message)
    assert model.model_dump(mode="json", by_alias=True, exclude_unset=True) == message


def test_an_integer_written_with_a_zero_fraction_loads(models: dict[Variant, Any]) -> None:
    """JSON Schema counts 1.0 as an integer, so the models must too: why --strict-types leaves int out (D89)."""
    v, _, message = next(case for case in corpus(valid=True) if isinstance(case[2]["payload"], dict)
                         and isinstance(case[2]["payload"].get("min_disk"), int))  # fmt: skip
    message = {**message, "payload": {**message["payload"], "min_disk": 1.0}}
    assert is_valid(message, profile=v.profile)
    assert models[v].model_validate(message).payload.min_disk.root == 1


def test_a_model_rejects_what_its_types_can_say(models: dict[Variant, Any]) -> None:
    from pydantic import ValidationError

    v, _, message = corpus(valid=True)[0]
    with pytest.raises(ValidationError):
        models[v].model_validate({**message, "message_id": 42})
    with pytest.raises(ValidationError):
        models[v].model_validate({**message, "extra": "key"})  # additionalProperties: false is a closed model


class Judged(NamedTuple):
    v: Variant
    description: str
    message: Any
    kinds: frozenset[str]


def fault_kinds(schema: dict[str, Any], message: Any) -> frozenset[str]:
    """The kinds of fault (those of README_ROWS, and "type") python-jsonschema finds in ``message``. A key refused
    both as unlisted and by a false subschema is a key that must never appear, and counts as that alone."""
    found: list[tuple[str, tuple[Any, ...]]] = []
    for error in jsonschema.Draft7Validator(schema).iter_errors(message):
        found += _kinds(schema, error)
    never = {place for kind, place in found if kind == "false"}
    return frozenset(kind for kind, at in found if kind != "extra" or not {(*at[:-1], k) for k in at[-1]} <= never)


def _kinds(schema: dict[str, Any], error: jsonschema.ValidationError) -> list[tuple[str, tuple[Any, ...]]]:
    """(kind, where) of one error; an additionalProperties error's ``where`` ends with the keys it names."""
    if error.validator == "anyOf":  # a nullable value: its fault is that of the branch that is not null
        return [
            k
            for e in error.context or ()
            if (e.validator, e.validator_value) != ("type", "null")
            for k in _kinds(schema, e)
        ]
    place = tuple(error.absolute_path)
    node, definitions = schema, []
    for step in error.absolute_schema_path:
        while isinstance(node, dict) and "$ref" in node and step not in node:
            definitions.append(node["$ref"].removeprefix("#/definitions/"))
            node = schema["definitions"][definitions[-1]]
        node = node[step]
    keyword, value = error.validator, error.instance
    if keyword in ("pattern", "not"):
        return [("pattern", place)]
    if keyword in ("minLength", "maxLength", "minimum", "maximum"):
        return [("bound", place)]
    if keyword == "uniqueItems":
        return [("unique", place)]
    if keyword is None:  # python-jsonschema's paths to a false subschema stop at the object and its "properties"
        keys = [key for key, subschema in node.items() if subschema is False] if isinstance(node, dict) else []
        return [("false", (*place, key)) for key in keys] or [("false", place)]
    if keyword == "additionalProperties":
        listed = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        return [("extra", (*place, tuple(k for k in value if k not in listed)))]
    if any(name.startswith("state.") for name in definitions):
        return [("state", place)]
    if "then" in error.absolute_schema_path or "else" in error.absolute_schema_path:
        return [("if", place)]
    if keyword == "type":
        types = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        integral = isinstance(value, str) and re.fullmatch(r"\s*[+-]?[0-9]+\s*", value)
        if "integer" in types and (isinstance(value, bool) or integral):
            return [("coerced", place)]
        if "boolean" in types and type(value) in (int, float) and value in (0, 1):
            return [("bool-number", place)]
    return [("type", place)]


def readme_examples() -> list[tuple[Variant, str, Any]]:
    """The README's examples of what the types take beyond the schema, and of what --strict-types bool float makes
    them refuse, each one change to a valid corpus message; the corpus holds no duplicate tags, no number for a
    boolean, no string for a boolean or a number."""
    valid = corpus(valid=True)
    image = next(case for case in valid if case[0].name == "image.create.INFO")
    number = next(case for case in valid if isinstance(case[2]["payload"], dict) and "minimum" in case[2]["payload"])
    changes = [
        (image, {"tags": ["a", "a"], "min_disk": "1", "min_ram": True, "protected": 1, "deleted": 0, "is_public": 0}),
        (image, {"protected": "true", "is_public": "false"}),
        (number, {"minimum": "1.5", "maximum": True}),
    ]
    found = []
    for (v, _, base), change in changes:
        for key, value in change.items():
            message = copy.deepcopy(base)
            message["payload"][key] = value
            found.append((v, f"{key} {json.dumps(value)}", message))
    return found


@pytest.fixture(scope="module")
def judged() -> list[Judged]:
    """Every invalid corpus message and README example, with the kinds of its faults."""
    schemas = {}
    found = []
    for v, description, message in corpus(valid=False) + readme_examples():
        if v not in schemas:
            schemas[v] = json.loads((schema_root() / v.bundled_path).read_text(encoding="utf-8"))
        kinds = fault_kinds(schemas[v], message)
        assert kinds, f"{v}: {description} is valid under its variant's schema"
        found.append(Judged(v, description, message, kinds))
    return found


def refused_by_pydantic(models: dict[Variant, Any], cases: list[Judged]) -> list[bool]:
    from pydantic import ValidationError

    refused = []
    for case in cases:
        try:
            models[case.v].model_validate(case.message)
        except ValidationError:
            refused.append(True)
        else:
            refused.append(False)
    return refused


def refused_by_tsc(cases: list[Judged], out: Path) -> list[bool]:
    questions = out / "judged.json"
    questions.write_text(json.dumps([{"module": module_name(c.v), "data": c.message} for c in cases]), "utf-8")
    node = ["node", str(JS / "typed_models.mjs"), str(schema_root()), str(out / "types"), str(questions)]
    answer = subprocess.run(node, capture_output=True, text=True, timeout=600, check=False)
    assert answer.returncode == 0, answer.stdout + answer.stderr
    flagged = set(json.loads(answer.stdout.splitlines()[-1]))
    return [i in flagged for i in range(len(cases))]


def disagreements(side: int, cases: list[Judged], refused: list[bool]) -> list[str]:
    """Where the models do other than the README says: a held fault taken, a message of lost faults refused, a
    lost kind no message shows taken, a partly held kind not seen both refused and taken."""
    says = {kind: both[side] for kind, both in readme_says().items()}
    unknown = {kind for case in cases for kind in case.kinds} - says.keys()
    assert not unknown, f"faults of kinds the README's table does not name: {unknown}"
    wrong = []
    seen: dict[str, set[bool]] = {kind: set() for kind in says}
    for case, was_refused in zip(cases, refused, strict=True):
        held = sorted(kind for kind in case.kinds if says[kind] == HELD)
        where = f"{case.v}: {case.description} ({', '.join(sorted(case.kinds))})"
        if held and not was_refused:
            wrong.append(f"taken, though {held} is held: {where}")
        elif all(says[kind] == LOST for kind in case.kinds) and was_refused:
            wrong.append(f"refused, though the README says the types cannot hold it: {where}")
        for kind in case.kinds:
            if held == [kind] or not held:
                seen[kind].add(was_refused)
    for kind, says_kind in says.items():
        if says_kind == LOST and False not in seen[kind]:
            wrong.append(f"{kind}: said lost, but no message shows it taken")
        if says_kind == PARTLY and seen[kind] != {True, False}:
            outcomes = sorted("refused" if was else "taken" for was in seen[kind]) or ["never"]
            wrong.append(f"{kind}: said partly held, but seen {' and '.join(outcomes)}")
        if says_kind == HELD and True not in seen[kind]:
            wrong.append(f"{kind}: said held, but no message shows it refused")
    return wrong


def test_the_pydantic_models_hold_what_the_readme_says(models: dict[Variant, Any], judged: list[Judged]) -> None:
    assert disagreements(SIDES.index("pydantic"), judged, refused_by_pydantic(models, judged)) == []


def test_the_typescript_types_hold_what_the_readme_says(judged: list[Judged], tmp_path: Path) -> None:
    assert disagreements(SIDES.index("typescript"), judged, refused_by_tsc(judged, tmp_path)) == []
