"""Write the standalone schemas under ``schemas/bundled/``, for tools that have no `$ref` resolver.

Each variant becomes one draft-07 document made by `notify_schemas.registry.bundle`, and every schema goes into one
file too. ``python -m notify_schemas.authoring.bundle SCHEMA_DIR`` writes them; a test checks that they are up to date.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import referencing

from notify_schemas.authoring import load_checked, write_changed, write_command
from notify_schemas.redaction import quoted
from notify_schemas.registry import RESOURCE_KEYS, bundle
from notify_schemas.values import BASE_URI, PROFILES, Variant

__all__ = ["ALL_IN_ONE", "bundle_all", "main", "write_bundles"]


def _dump(schema: Any) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


ALL_IN_ONE = "bundled/notify-schemas.json"


def bundle_all(registry: referencing.Registry[Any], schema_dir: Path) -> dict[str, Any]:
    """Every variant of every profile and both wire formats in one document, for tools that take a single file.

    Each is under ``definitions`` as ``<profile>.<event_type>.<PRIORITY>`` or ``wire.<format>``, beside the shared
    definitions they use, all referenced as ``#/definitions/<name>``.
    """
    definitions: dict[str, Any] = {}
    sources = [(f"{profile}.{f.name.removesuffix('.json')}", f"{profile}/{f.name}")
               for profile in PROFILES for f in sorted((schema_dir / profile).glob("*.json"))]  # fmt: skip
    sources += [
        (f"wire.{f.name.removesuffix('.json')}", f"wire/{f.name}") for f in sorted((schema_dir / "wire").glob("*.json"))
    ]
    for name, path in sources:
        single = bundle(registry, BASE_URI + path, new_id=BASE_URI + path)
        for key, value in single.pop("definitions").items():
            if definitions.setdefault(key, value) != value:
                raise ValueError(f"two different definitions are both named {key!r}")
        definitions[name] = {k: v for k, v in single.items() if k not in RESOURCE_KEYS}
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": BASE_URI + ALL_IN_ONE,
        "title": "notify-schemas: every schema in one file",
        "description": (
            "Every variant of the seed and glance profiles, as definitions named <profile>.<event_type>.<PRIORITY> "
            "(for example seed.image.create.INFO), the oslo.messaging wire formats as wire.messaging and "
            "wire.messagingv2, and the shared definitions they refer to. Validate a notification against "
            "#/definitions/<profile>.<event_type>.<PRIORITY>."
        ),
        "definitions": dict(sorted(definitions.items())),
    }


def write_bundles(schema_dir: Path) -> list[Path]:
    """Write ``bundled/<profile>/<variant>.json`` for every variant under ``schema_dir``; return the changed files.
    A folder that is not a schema folder is a `ValueError`: there is nothing to bundle, and no place to write it."""
    if not (schema_dir / "envelope.json").is_file():
        raise ValueError(f"{schema_dir}: not a schema folder (no envelope.json); give the checkout's schemas/")
    registry = load_checked(schema_dir)  # what compat refuses, the writer does not write
    changed = []
    for profile in PROFILES:
        for source in sorted((schema_dir / profile).glob("*.json")):
            if source.name.count(".") < 2:  # no priority in it: no variant to bundle
                raise ValueError(f"{profile}/{quoted(source.name)[1:-1]}: not the file of a variant "
                                 "(<event_type>.<PRIORITY>.json)")  # fmt: skip
            event_type, priority = source.name.removesuffix(".json").rsplit(".", 1)
            v = Variant(profile, event_type, priority)
            target = schema_dir / v.bundled_path
            if write_changed(target, _dump(bundle(registry, v.uri, new_id=v.bundled_uri))):
                changed.append(target)
    if write_changed(schema_dir / ALL_IN_ONE, _dump(bundle_all(registry, schema_dir))):
        changed.append(schema_dir / ALL_IN_ONE)
    return changed


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m notify_schemas.authoring.bundle [SCHEMA_DIR]``: write the bundles, print the files that changed."""
    return write_command(
        argv, module="bundle", doc=__doc__, folder="SCHEMA_DIR", default="schemas", write=write_bundles
    )


if __name__ == "__main__":
    sys.exit(main())
