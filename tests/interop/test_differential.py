"""python-jsonschema, jsonschema-rs and ajv give the same verdict on every message: valid ones generated for every
variant, and the same broken at a random place. ajv runs as one Node process that answers many messages.

Run by ``nox -s schemas``, which installs ajv with npm.
"""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema_rs
import pytest
from hypothesis import HealthCheck, given, settings
from support import valid_or_broken_messages

from notify_schemas import PROFILES, Variant, bundled_schema, variants
from notify_schemas.registry import schema_root

pytestmark = pytest.mark.node

JS = Path(__file__).parent.parent / "js"
ALL = [v for p in PROFILES for v in variants(p)]
EXAMPLES = 2_500


class Ajv:
    """The Node process: a question per line in, a verdict per line out."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            ["node", str(JS / "ajv_server.mjs"), str(schema_root())],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1,
        )  # fmt: skip
        assert self.process.stdout is not None
        ready = self.process.stdout.readline()
        assert ready == f"ready {len(ALL)}\n", ready

    def is_valid(self, v: Variant, data: Any) -> bool:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(json.dumps({"schema": f"{v.profile}/{v.name}", "data": data}) + "\n")
        answer = self.process.stdout.readline().strip()
        assert answer in ("true", "false"), answer
        return answer == "true"

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def ajv() -> Iterator[Ajv]:
    server = Ajv()
    yield server
    server.close()


PYTHON = {v: jsonschema.Draft7Validator(bundled_schema(v)) for v in ALL}
RUST = {v: jsonschema_rs.validator_for(bundled_schema(v)) for v in ALL}
TALLY: Counter[str] = Counter()


@settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(valid_or_broken_messages())
def test_the_three_validators_agree(ajv: Ajv, case: tuple[Variant, Any]) -> None:
    v, message = case
    python = PYTHON[v].is_valid(message)
    assert RUST[v].is_valid(message) is python
    assert ajv.is_valid(v, message) is python
    TALLY["valid" if python else "invalid"] += 1


def test_agreement_covered_both_verdicts() -> None:
    # Runs after the property test in this module: both kinds of messages were asked, in numbers.
    assert TALLY["valid"] > 300
    assert TALLY["invalid"] > 300
    assert sum(TALLY.values()) >= 2_000
