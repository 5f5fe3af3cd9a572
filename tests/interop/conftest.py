"""Fixtures for the tests that start real services."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from rabbitmq import BrokerUnavailable, Cluster, RabbitMQ

T = TypeVar("T")


def started(make: Callable[[], T], what: str) -> T:
    """``make()``'s broker, started; where it cannot start, the test fails in CI (CI=true) and is skipped with the
    reason elsewhere."""
    try:
        return make()
    except BrokerUnavailable as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{what} is needed in CI: {error}")
        pytest.skip(f"no {what} here: {error}")


def _node(base: Path) -> RabbitMQ:
    node = RabbitMQ(base)
    node.start()
    return node


def _cluster(base: Path) -> Cluster:
    nodes = Cluster(base)
    nodes.start()
    return nodes


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RabbitMQ]:
    """A RabbitMQ node of the tests' own, started once and removed at the end."""
    node = started(lambda: _node(tmp_path_factory.mktemp("rabbitmq")), "RabbitMQ")
    yield node
    node.remove()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """Three RabbitMQ nodes of the tests' own, joined into one cluster, removed at the end of the module."""
    nodes = started(lambda: _cluster(tmp_path_factory.mktemp("cluster")), "a RabbitMQ cluster")
    yield nodes
    nodes.remove()
