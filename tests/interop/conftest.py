"""Fixtures for the tests that start real services."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from rabbitmq import BrokerUnavailable, RabbitMQ


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RabbitMQ]:
    """A RabbitMQ node of the tests' own, started once and removed at the end.

    Where it cannot start, the tests that need it fail in CI (CI=true) and are skipped with the reason elsewhere.
    """
    try:
        node = RabbitMQ(tmp_path_factory.mktemp("rabbitmq"))
        node.start()
    except BrokerUnavailable as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"RabbitMQ is needed in CI: {error}")
        pytest.skip(f"no RabbitMQ here: {error}")
    yield node
    node.remove()
