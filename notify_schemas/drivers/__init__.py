"""Drivers: where a notification goes once it is built and validated.

A driver has one method, ``notify(message, priority)``. Drivers are found by name in the entry-point group
``notify_schemas.drivers``; the built-in ones (``noop``, ``log``, ``memory``) are registered there the same way a
third-party package registers its own, each as a callable that takes the `NotifierConfig` and returns a driver.
The broker drivers (``messaging``, ``messagingv2``) are registered in the same group from `notify_schemas.broker`.
"""

from __future__ import annotations

import inspect
import logging
from typing import Any, Protocol, runtime_checkable

from notify_schemas.config import NotifierConfig, given_config
from notify_schemas.errors import ConfigError, DriverNotFoundError, NotifySchemasError
from notify_schemas.redaction import class_name, error_text, quoted, traceback_text, type_name

__all__ = ["ENTRY_POINT_GROUP", "Driver", "available_drivers", "driver_name", "load_driver", "not_run", "unusable"]

ENTRY_POINT_GROUP = "notify_schemas.drivers"
LOG = logging.getLogger(__name__)


@runtime_checkable
class Driver(Protocol):
    """Sends one notification somewhere. It may raise; the Notifier logs the failure and goes on."""

    def notify(self, message: dict[str, Any], priority: str) -> None: ...


def available_drivers() -> list[str]:
    """The names of every installed driver."""
    from importlib.metadata import entry_points  # on first use: importing it costs every process 16 ms

    return sorted({ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)})


def load_driver(name: str, config: NotifierConfig | None = None) -> Driver:
    """A new driver of the given name, configured from ``config`` (Glance's defaults for None). `TypeError` for a
    name that is not text or a ``config`` that is no `NotifierConfig`."""
    from importlib.metadata import entry_points

    if not isinstance(name, str):
        raise TypeError(f"a driver's name must be text, not {quoted(name)}")
    config = given_config(config)
    name = str.__str__(name)  # compared as the text it holds: a subclass's own __eq__ may raise or lie
    found = [ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name == name]
    if not found:
        installed = ", ".join(available_drivers())
        raise DriverNotFoundError(f"no notification driver named {quoted(name)}; installed: {installed}")
    where = f"driver {quoted(name)} ({found[0].value})"
    try:
        factory = found[0].load()
    except Exception as error:  # its module is not there, or fails as it is imported
        raise DriverNotFoundError(f"{where} cannot be loaded: {_failure(error)}") from None
    try:
        driver: Driver = factory(config)
    except NotifySchemasError:  # the package's own drivers say what is wrong, masked (a transport they cannot use)
        raise
    except Exception as error:
        raise ConfigError(f"{where} cannot start: {_failure(error)}") from None
    why = unusable(driver)
    if why is not None:
        raise DriverNotFoundError(f"{where} {why}")
    return driver


def unusable(driver: Any) -> str | None:
    """Why ``driver`` cannot send (it has no ``notify(message, priority)`` method, or one that sends nothing when
    called: an ``async def`` or a generator function, whose call makes a coroutine or a generator that no one runs);
    None when it can."""
    try:
        notify = driver.notify
        usable = callable(notify)
    except Exception:  # no such attribute; whatever a driver's object raises when asked
        usable = False
    if not usable:
        return "has no notify(message, priority) method"
    if inspect.iscoroutinefunction(notify) or inspect.isasyncgenfunction(notify):
        return "has an async notify(message, priority): it would make a coroutine that no one runs, and send nothing"
    if inspect.isgeneratorfunction(notify):
        return "has a notify(message, priority) that is a generator: it would send nothing unless iterated"
    return _uncallable(driver, notify)


def _uncallable(driver: Any, notify: Any) -> str | None:
    """Why ``notify`` cannot be called as ``notify(message, priority)``: a class given where an instance of it is
    meant (its ``notify`` wants ``self`` too), an oslo.messaging driver (``notify(ctxt, message, priority, retry)``).
    Each notification would fail through it, logged as a driver that failed; said once, when the Notifier is made.
    None when it can, or when Python cannot tell (a callable of C code may have no signature)."""
    try:
        inspect.signature(notify).bind(None, None)
    except TypeError:
        if issubclass(type(driver), type):  # told by its type: a producer's __class__ is not asked
            return f"is the class {class_name(driver)}, whose notify wants an instance (self): give an instance of it"
        return "has a notify that cannot be called as notify(message, priority)"
    except Exception:  # ValueError: no signature to read; whatever a producer's __signature__ raises
        pass
    return None


def driver_name(driver: Any) -> str:
    """A driver as a log line names it: its class's name, masked (`type_name`), or, for a class given as a driver
    (its ``notify`` a static or class method), its own name, not that of its type (``type``)."""
    return class_name(driver) if issubclass(type(driver), type) else type_name(driver)


def not_run(result: Any) -> str | None:
    """Why what a driver's ``notify`` returned means it sent nothing (a coroutine, an awaitable, a generator, which
    the Notifier does not run; it is closed), or None: a driver's return value is otherwise ignored, as oslo does."""
    if result is None:
        return None
    if inspect.isawaitable(result) or inspect.isgenerator(result) or inspect.isasyncgen(result):
        if inspect.iscoroutine(result) or inspect.isgenerator(result):
            result.close()  # never run: closed, so that Python does not warn of it again
        return f"its notify returned {type_name(result)}, which is never run"
    return None


def _failure(error: Exception) -> str:
    """What a driver raised as it was loaded or made, as it may be written: its text masked, for a driver's error
    may quote what it was given (the transport URL with its password, a key and its token). Raised in its place,
    never chained: a traceback or a logging call that prints the chain would print the driver's own words. The
    traceback, masked too, is logged at debug level for whoever debugs the driver."""
    LOG.debug("driver failure: %s", traceback_text(error))
    return error_text(error)
