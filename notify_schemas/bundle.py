"""Turn a variant schema into one standalone draft-07 document, for tools that have no `$ref` resolver.

Every external ``$ref`` is replaced by a local ``#/definitions/<name>`` that holds a copy of its target, so the result
reads the same in any validator or generator. The bundled files under ``schemas/bundled/`` are made by this module
(``python -m notify_schemas.bundle SCHEMA_DIR``), and a test checks that they are up to date.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin

import referencing

from notify_schemas.registry import BASE_URI, PROFILES, Variant, load_registry

__all__ = ["bundle", "write_bundles"]

_RESOURCE_KEYS = ("$schema", "$id")


def _definition_name(target: str) -> str:
    """A readable, unique local name for a ``$ref`` target: ``common.uuid``, ``envelope``, ``image.image``."""
    document, fragment = urldefrag(target)
    name = document.removeprefix(BASE_URI).removesuffix(".json").removeprefix("definitions/").replace("/", ".")
    if fragment:
        name += "." + fragment.removeprefix("/definitions/").replace("/", ".")
    return name


def bundle(registry: referencing.Registry[Any], uri: str, *, new_id: str) -> dict[str, Any]:
    """The schema at ``uri`` with every ``$ref`` it reaches inlined under ``definitions``."""
    resolver = registry.resolver()
    definitions: dict[str, Any] = {}

    def rewrite(node: Any, base: str) -> Any:
        if isinstance(node, list):
            return [rewrite(item, base) for item in node]
        if not isinstance(node, dict):
            return node
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "$ref":
                target = urljoin(base, value)
                name = _definition_name(target)
                if name not in definitions:
                    definitions[name] = {}  # reserve the name first: a cycle must not recurse forever
                    contents = resolver.lookup(target).contents
                    inlined = {k: v for k, v in contents.items() if k not in _RESOURCE_KEYS}
                    definitions[name] = rewrite(inlined, urldefrag(target).url)
                out[key] = f"#/definitions/{name}"
            else:
                out[key] = rewrite(value, base)
        return out

    root = registry.contents(uri)
    body = rewrite({k: v for k, v in root.items() if k not in _RESOURCE_KEYS}, uri)
    return {"$schema": root["$schema"], "$id": new_id, **body, "definitions": dict(sorted(definitions.items()))}


def _dump(schema: Any) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def write_bundles(schema_dir: Path) -> list[Path]:
    """Write ``bundled/<profile>/<variant>.json`` for every variant under ``schema_dir``; return the changed files."""
    registry = load_registry(schema_dir)
    changed = []
    for profile in PROFILES:
        for source in sorted((schema_dir / profile).glob("*.json")):
            event_type, priority = source.name.removesuffix(".json").rsplit(".", 1)
            v = Variant(profile, event_type, priority)
            text = _dump(bundle(registry, v.uri, new_id=v.bundled_uri))
            target = schema_dir / v.bundled_path
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
                changed.append(target)
    return changed


if __name__ == "__main__":
    for path in write_bundles(Path(sys.argv[1] if len(sys.argv) > 1 else "schemas")):
        print(f"wrote {path}")
