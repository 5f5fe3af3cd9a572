"""The ``memory`` driver: keeps every notification in process, in order, for tests and the conformance suite."""

from __future__ import annotations

import threading
from typing import Any

from notify_schemas.config import NotifierConfig, given_config

__all__ = ["MemoryDriver"]


class MemoryDriver:
    """Appends each notification to ``messages``; safe to share between threads."""

    def __init__(self, config: NotifierConfig | None = None) -> None:
        given_config(config)  # none of its options applies; a wrong one is refused as every driver refuses it
        self._lock = threading.Lock()
        self.messages: list[dict[str, Any]] = []

    def notify(self, message: dict[str, Any], priority: str) -> None:
        with self._lock:
            self.messages.append(message)

    def take(self) -> list[dict[str, Any]]:
        """Every message kept so far, emptying the store."""
        with self._lock:
            taken, self.messages = self.messages, []
        return taken
