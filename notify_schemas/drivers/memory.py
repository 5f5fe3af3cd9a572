"""The ``memory`` driver: keeps every notification in process, in order, for tests and the conformance suite."""

from __future__ import annotations

import threading
from typing import Any

from notify_schemas.config import NotifierConfig

__all__ = ["MemoryDriver"]


class MemoryDriver:
    """Appends each notification to ``messages``; safe to share between threads."""

    def __init__(self, config: NotifierConfig | None = None) -> None:
        del config
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
