"""Conformance suite speed: every variant of the seed profile x 100 examples against the reference producer (goal:
at most 30 s), with examples per second beside plain hypothesis-jsonschema generation on the same variants.

    nox -s bench        (runs this after benchmarks/bench.py)
"""

from __future__ import annotations

import copy
import time

from hypothesis import HealthCheck, given, settings
from hypothesis_jsonschema import from_schema

from notify_schemas import bundled_schema, variants
from notify_schemas.conformance.reference import produce
from notify_schemas.conformance.runner import run

EXAMPLES = 100
HYPOTHESIS_EXAMPLES = 10


def _hypothesis_rate() -> tuple[int, float]:
    """Examples per second of hypothesis-jsonschema generating from each seed variant's bundled schema."""
    count = 0
    start = time.perf_counter()
    for v in variants("seed"):

        @settings(max_examples=HYPOTHESIS_EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        @given(from_schema(copy.deepcopy(bundled_schema(v))))
        def generate(message: object) -> None:
            nonlocal count
            count += 1

        generate()
    return count, time.perf_counter() - start


def main() -> None:
    start = time.perf_counter()
    report = run(produce, profile="seed", examples=EXAMPLES)
    elapsed = time.perf_counter() - start
    intents = sum(report.passed[key] for key in report.passed if key[0] == "schema.valid")
    generated, hypothesis_elapsed = _hypothesis_rate()
    print(f"conformance: {len(variants('seed'))} seed variants x {EXAMPLES} examples (+ boundary, styled, coverage "
          "and repeated intents)")  # fmt: skip
    print(f"  {'what':44} {'examples':>9} {'seconds':>8} {'examples/s':>11}")
    print(f"  {'suite: generate, produce, 12 checks each':44} {intents:9,} {elapsed:8.2f} {intents / elapsed:11,.0f}")
    print(f"  {'plain hypothesis-jsonschema generation':44} {generated:9,} {hypothesis_elapsed:8.2f} "
          f"{generated / hypothesis_elapsed:11,.0f}")  # fmt: skip
    print(f"  failures: {sum(report.failed.values())}")
    if report.coverage is not None:
        print(f"  {report.coverage.summary(limit=0)}")
    verdict = "PASS" if elapsed <= 30 else "FAIL"
    print(f"goal  {verdict}  {elapsed:.1f} s for every seed variant x {EXAMPLES} (goal <= 30 s)")


if __name__ == "__main__":
    main()
