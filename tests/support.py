"""Shared test data: the installed schemas, the golden corpus, the variants, and the reference validator."""

from __future__ import annotations

import json
from collections.abc import Iterator
from importlib.resources.abc import Traversable
from typing import Any

import jsonschema
import pytest

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
