"""Five validators give the same verdict on every message: python-jsonschema, jsonschema-rs, ajv (JavaScript),
gojsonschema (Go, whose regexp is RE2) and JSON::Validator (Perl), on valid messages generated for every variant and
the same broken at a random place. Each foreign validator runs as one process that answers many messages
(``tests/js/ajv_server.mjs``, ``tests/go/verdicts.go``, ``tests/perl/verdicts.pl``).

Run by ``nox -s schemas``, which installs ajv with npm; Go, gojsonschema and JSON::Validator are Debian's packages,
which ``.ci/run`` installs (golang-go, golang-github-xeipuuv-gojsonschema-dev, libjson-validator-perl).
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema_rs
import pytest
from hypothesis import HealthCheck, given, settings
from support import edge_messages, valid_or_broken_messages

from notify_schemas import PROFILES, Variant, bundled_schema, is_valid, variants
from notify_schemas.registry import schema_root

pytestmark = pytest.mark.node

JS = Path(__file__).parent.parent / "js"
ALL = [v for p in PROFILES for v in variants(p)]
EXAMPLES = 2_500


GO = Path(__file__).parent.parent / "go" / "verdicts.go"
PERL = Path(__file__).parent.parent / "perl" / "verdicts.pl"


def build_go(out: Path) -> Path:
    """tests/go/verdicts.go built against Debian's gojsonschema, offline (GOPATH mode, as that package is laid out)."""
    binary = out / "verdicts"
    environment = {**os.environ, "GO111MODULE": "off", "GOPATH": "/usr/share/gocode", "GOPROXY": "off",
                   "GOCACHE": str(out / "cache")}  # fmt: skip
    subprocess.run(["go", "build", "-o", str(binary), str(GO)], check=True, env=environment, timeout=600)
    return binary


class Server:
    """A foreign validator's process: a question per line in, a verdict per line out."""

    def __init__(self, name: str, command: list[str]) -> None:
        self.name = name
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        assert self.process.stdout is not None
        ready = self.process.stdout.readline()
        assert ready == f"ready {len(ALL)}\n", (name, ready)

    def answer(self, v: Variant, text: str) -> str:
        """What the validator answers on the JSON text of a message: "true", "false", or "error <why>"."""
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(f'{{"schema": "{v.profile}/{v.name}", "data": {text}}}\n')
        return self.process.stdout.readline().strip()

    def is_valid(self, v: Variant, data: Any) -> bool:
        answer = self.answer(v, json.dumps(data))
        assert answer in ("true", "false"), (self.name, answer)
        return answer == "true"

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def foreign() -> Iterator[list[Server]]:
    with tempfile.TemporaryDirectory() as tmp:
        servers = [
            Server("ajv", ["node", str(JS / "ajv_server.mjs"), str(schema_root())]),
            Server("gojsonschema", [str(build_go(Path(tmp))), "serve", str(schema_root())]),
            Server("JSON::Validator", ["perl", str(PERL), "serve", str(schema_root())]),
        ]
        yield servers
        for server in servers:
            server.close()


PYTHON = {v: jsonschema.Draft7Validator(bundled_schema(v)) for v in ALL}
RUST = {v: jsonschema_rs.validator_for(bundled_schema(v)) for v in ALL}
TALLY: Counter[str] = Counter()


@settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(valid_or_broken_messages())
def test_the_five_validators_agree(foreign: list[Server], case: tuple[Variant, Any]) -> None:
    v, message = case
    python = PYTHON[v].is_valid(message)
    assert RUST[v].is_valid(message) is python
    for server in foreign:
        assert server.is_valid(v, message) is python, server.name
    TALLY["valid" if python else "invalid"] += 1


# At the edges of each rule (a bound and its neighbours, an integer written 1.0, a length counted outside the BMP, a
# digit of another script, a line break before the end, an enum's neighbours), where readers of JSON Schema differ.
@settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(edge_messages())
def test_the_five_validators_agree_at_the_edges(foreign: list[Server], case: tuple[Variant, Any]) -> None:
    v, message = case
    python = PYTHON[v].is_valid(message)
    assert RUST[v].is_valid(message) is python
    for server in foreign:
        assert server.is_valid(v, message) is python, server.name


def test_agreement_covered_both_verdicts() -> None:
    # Runs after the property test in this module: both kinds of messages were asked, in numbers.
    assert TALLY["valid"] > 300
    assert TALLY["invalid"] > 300
    assert sum(TALLY.values()) >= EXAMPLES


# Integers that no 64-bit integer holds and that a double holds only rounded: a JSON reader may keep them as text
# (JSON::PP does, and JSON::Validator then takes them for strings), as an exact big number or as a double.
HUGE_INTEGERS = [10**29, -(10**29), 2**64 + 1, -(2**63) - 1, int("1234567890" * 5)]
# One field of each kind a number can land in: text, a bounded integer, a free number, a boolean, any value.
FIELDS = [
    ("seed", "image.create", "INFO", ("publisher_id",)),
    ("seed", "image.create", "INFO", ("payload", "name")),
    ("seed", "image.create", "INFO", ("payload", "min_disk")),
    ("seed", "image.create", "INFO", ("payload", "protected")),
    ("seed", "task.success", "INFO", ("payload", "result", "n")),
    ("glance", "metadef_property.create", "INFO", ("payload", "minimum")),
    ("glance", "metadef_property.create", "INFO", ("payload", "default")),
]


@pytest.mark.parametrize("number", HUGE_INTEGERS)
@pytest.mark.parametrize(("profile", "event_type", "priority", "path"), FIELDS)
def test_the_five_validators_agree_on_integers_past_64_bits(
    foreign: list[Server], profile: str, event_type: str, priority: str, path: tuple[str, ...], number: int
) -> None:
    from notify_schemas.samples import samples

    v = Variant(profile, event_type, priority)
    message = next(samples(event_type, priority, profile=profile, seed=1))
    parent = message
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = number
    python = PYTHON[v].is_valid(message)
    assert is_valid(message, profile=profile) is python
    assert RUST[v].is_valid(message) is python
    for server in foreign:
        assert server.is_valid(v, message) is python, server.name


# JSON text outside I-JSON, which no keyword of a schema sees (D88): the rule the runtime reports, and what each
# validator answers on the same text; "error" is a reader that refuses the text and gives no verdict.
NESTED_300, NESTED_600 = "[" * 300 + "]" * 300, "[" * 600 + "]" * 600
OUTSIDE_I_JSON = [
    pytest.param("image.create", ("payload", "owner"), '"\\ud800"', "unicode",
                 {"python-jsonschema": "true", "jsonschema-rs": "true", "ajv": "true", "gojsonschema": "true",
                  "JSON::Validator": "error"}, id="a lone surrogate"),
    pytest.param("image.create", ("payload", "owner"), '"\\ude00\\ud83d"', "unicode",
                 {"python-jsonschema": "true", "jsonschema-rs": "true", "ajv": "true", "gojsonschema": "true",
                  "JSON::Validator": "error"}, id="a surrogate pair the wrong way round"),
    pytest.param("task.success", ("payload", "result", "a"), NESTED_300, "depth",
                 {"python-jsonschema": "true", "jsonschema-rs": "true", "ajv": "true", "gojsonschema": "true",
                  "JSON::Validator": "true"}, id="300 levels"),
    pytest.param("task.success", ("payload", "result", "a"), NESTED_600, "depth",
                 {"python-jsonschema": "true", "jsonschema-rs": "true", "ajv": "true", "gojsonschema": "true",
                  "JSON::Validator": "error"}, id="600 levels"),
    pytest.param("image.create", ("priority",), '"bogus", "priority": "INFO"', "duplicate-key",
                 {"python-jsonschema": "true", "jsonschema-rs": "true", "ajv": "true", "gojsonschema": "true",
                  "JSON::Validator": "true"}, id="a key written twice, the last valid"),
]  # fmt: skip


@pytest.mark.parametrize(("event_type", "path", "value", "rule", "answers"), OUTSIDE_I_JSON)
def test_text_outside_i_json_is_refused_by_the_runtime_and_read_by_each_validator_as_documented(
    foreign: list[Server], event_type: str, path: tuple[str, ...], value: str, rule: str, answers: dict[str, str]
) -> None:
    from notify_schemas.reader import parse
    from notify_schemas.samples import samples
    from notify_schemas.validation import iter_errors

    v = Variant("seed", event_type, "INFO")
    message = next(samples(event_type, "INFO", seed=1))
    parent = message
    for part in path[:-1]:
        parent = parent.setdefault(part, {})
    parent[path[-1]] = "\0HERE\0"
    text = json.dumps(message).replace(json.dumps("\0HERE\0"), value)
    parsed, repeated = parse(text)
    rules = {violation.rule for violation in iter_errors(parsed)} | ({"duplicate-key"} if repeated else set())
    assert rule in rules
    data = json.loads(text)
    python = {"python-jsonschema": PYTHON[v].is_valid(data), "jsonschema-rs": RUST[v].is_valid(data)}
    said = {name: str(verdict).lower() for name, verdict in python.items()}
    said |= {server.name: server.answer(v, text).split(" ")[0] for server in foreign}
    assert said == answers, "D88's table no longer says what the validators do"
