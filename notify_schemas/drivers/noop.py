"""The ``noop`` driver: produces no notifications. It is the default, as the specification says."""

from __future__ import annotations

from typing import Any

from notify_schemas.config import NotifierConfig, given_config

__all__ = ["NoopDriver"]


class NoopDriver:
    """Sends nothing."""

    def __init__(self, config: NotifierConfig | None = None) -> None:
        given_config(config)  # none of its options applies; a wrong one is refused as every driver refuses it

    def notify(self, message: dict[str, Any], priority: str) -> None:
        """Do nothing."""
