"""Drivers: where a notification goes once it is built and validated.

A driver has one method, ``notify(message, priority)``. Drivers are found by name in the entry-point group
``notify_schemas.drivers``; the built-in ones (``noop``, ``log``, ``memory``) are registered there the same way a
third-party package registers its own, each as a callable that takes the `NotifierConfig` and returns a driver.
The broker drivers (``messaging``, ``messagingv2``) are registered in the same group from `notify_schemas.broker`.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from notify_schemas.config import NotifierConfig
from notify_schemas.errors import DriverNotFoundError
from notify_schemas.redaction import quoted

__all__ = ["ENTRY_POINT_GROUP", "Driver", "available_drivers", "load_driver"]

ENTRY_POINT_GROUP = "notify_schemas.drivers"


@runtime_checkable
class Driver(Protocol):
    """Sends one notification somewhere. It may raise; the Notifier logs the failure and goes on."""

    def notify(self, message: dict[str, Any], priority: str) -> None: ...


def available_drivers() -> list[str]:
    """The names of every installed driver."""
    from importlib.metadata import entry_points  # on first use: importing it costs every process 16 ms

    return sorted({ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)})


def load_driver(name: str, config: NotifierConfig | None = None) -> Driver:
    """A new driver of the given name, configured from ``config``."""
    from importlib.metadata import entry_points

    if not isinstance(name, str):
        raise TypeError(f"a driver's name must be text, not {quoted(name)}")
    found = [ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name == name]
    if not found:
        installed = ", ".join(available_drivers())
        raise DriverNotFoundError(f"no notification driver named {quoted(name)}; installed: {installed}")
    factory = found[0].load()
    driver = factory(config or NotifierConfig())
    if not isinstance(driver, Driver):
        raise DriverNotFoundError(f"driver {name!r} ({found[0].value}) has no notify(message, priority) method")
    return driver
