"""A pytest plugin, so a project runs the conformance checks inside its own test suite.

Installed with the ``conformance`` extra and registered through the ``pytest11`` entry point::

    def test_our_producer_conforms(notify_conformance):
        notify_conformance(our_module.make_notification, profile="glance", examples=20)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest

__all__ = ["notify_conformance"]


@pytest.fixture
def notify_conformance() -> Callable[..., Any]:
    """Run the suite against a producer callable; fail the test, with the check table, if a MUST check fails."""
    from notify_schemas.conformance.runner import Report, run

    def check(
        producer: Callable[[dict[str, Any]], Any],
        *,
        profile: str = "seed",
        examples: int = 10,
        seed: int = 0,
        checks: Iterable[str] | None = None,
        exclude_checks: Iterable[str] | None = None,
    ) -> Report:
        report = run(producer, profile=profile, examples=examples, seed=seed, checks=checks,
                     exclude_checks=exclude_checks)  # fmt: skip
        if report.stopped:
            pytest.fail(f"{report.summary()}\nthe run stopped: {report.stopped}", pytrace=False)
        if report.must_failed:
            pytest.fail(f"{report.summary()}\n{report.failure_details('--callable <your producer>')}", pytrace=False)
        return report

    return check
