"""Run the golden corpus shipped in the installed package under python-jsonschema and jsonschema-rs.

Prints one line per profile and validator, and exits 1 if any verdict differs from the expected one.

    python tools/run_corpus.py
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

import jsonschema
import jsonschema_rs

from notify_schemas import PROFILES
from notify_schemas.registry import schema_root

VALIDATORS: dict[str, Callable[[dict[str, Any]], Callable[[Any], bool]]] = {
    "python-jsonschema": lambda schema: jsonschema.Draft7Validator(schema).is_valid,
    "jsonschema-rs": lambda schema: jsonschema_rs.validator_for(schema).is_valid,
}


def main() -> int:
    failures = 0
    print(f"{'profile':8} {'validator':18} {'variants':>8} {'messages':>8} {'valid':>6} {'invalid':>7} {'wrong':>5}")
    for profile in PROFILES:
        groups = json.loads((schema_root() / "corpus" / f"{profile}.json").read_text(encoding="utf-8"))
        for name, make in VALIDATORS.items():
            wrong = []
            for group in groups:
                is_valid = make(group["schema"])
                wrong += [
                    f"{group['description']}: {t['description']}"
                    for t in group["tests"]
                    if is_valid(t["data"]) != t["valid"]
                ]
            tests = [t for g in groups for t in g["tests"]]
            valid = sum(t["valid"] for t in tests)
            print(
                f"{profile:8} {name:18} {len(groups):8} {len(tests):8} {valid:6} {len(tests) - valid:7} {len(wrong):5}"
            )
            for line in wrong:
                print(f"  WRONG {line}")
            failures += len(wrong)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
