"""Typed models generated from the bundled schemas carry the contract's messages: Python models from
datamodel-code-generator (pydantic v2 output) load every valid corpus message and give it back unchanged.
(TypeScript types are checked by ``tests/js/typed_models.mjs``, under tsc --strict.)

Run by ``nox -s models``, which installs datamodel-code-generator from PyPI.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from notify_schemas import PROFILES, Variant, variants
from notify_schemas.registry import schema_root

pytestmark = pytest.mark.models


def module_name(v: Variant) -> str:
    return f"{v.profile}_{v.name.replace('.', '_')}"


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[Variant, Any]]:
    from datamodel_code_generator import DataModelType, InputFileType, generate

    out = tmp_path_factory.mktemp("models")
    found = {}
    sys.path.insert(0, str(out))
    try:
        for profile in PROFILES:
            for v in variants(profile):
                generate(
                    schema_root() / v.bundled_path,
                    input_file_type=InputFileType.JsonSchema,
                    output=out / module_name(v),
                    output_model_type=DataModelType.PydanticV2BaseModel,
                    class_name="Notification",
                )
                found[v] = importlib.import_module(module_name(v)).Notification
        yield found
    finally:
        sys.path.remove(str(out))


def corpus_cases() -> list[Any]:
    cases = []
    for profile in PROFILES:
        for group in json.loads((schema_root() / "corpus" / f"{profile}.json").read_text(encoding="utf-8")):
            _, event_type, priority = group["description"].split()
            v = next(v for v in variants(profile) if (v.event_type, v.priority) == (event_type, priority))
            cases += [pytest.param(v, t["data"], id=f"{v}: {t['description']}") for t in group["tests"] if t["valid"]]
    return cases


@pytest.mark.parametrize(("v", "message"), corpus_cases())
def test_every_valid_corpus_message_loads_and_round_trips(models: dict[Variant, Any], v: Variant, message: Any) -> None:
    model = models[v].model_validate(message)
    assert model.model_dump(mode="json", by_alias=True, exclude_unset=True) == message


def test_a_model_rejects_what_its_types_can_say(models: dict[Variant, Any]) -> None:
    from pydantic import ValidationError

    (v, message) = next((p.values[0], p.values[1]) for p in corpus_cases())
    with pytest.raises(ValidationError):
        models[v].model_validate({**message, "message_id": 42})
    with pytest.raises(ValidationError):
        models[v].model_validate({**message, "extra": "key"})  # additionalProperties: false is a closed model
