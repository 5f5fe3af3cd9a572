"""The Notifier: build, validate and dispatch, shaped like oslo.messaging's ``Notifier``.

``Notifier(publisher_id).info(ctxt, event_type, payload)`` works as in oslo.messaging; the context argument is
accepted for that reason and not sent (the envelope has six keys and no context).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterable, Sequence
from typing import Any, Literal

from notify_schemas.config import NotifierConfig, is_disabled, load_config
from notify_schemas.drivers import Driver, load_driver
from notify_schemas.errors import InvalidNotificationError
from notify_schemas.message import Notification, build_message
from notify_schemas.redaction import mask_text
from notify_schemas.registry import variants
from notify_schemas.validation import Backend, is_valid, iter_errors, validity_table
from notify_schemas.wire_form import NO_WIRE_FORM, is_wire_form, redacted_json, to_wire

__all__ = ["Notifier", "Validation"]

Validation = Literal["strict", "warn", "off"]
LOG = logging.getLogger(__name__)


class Notifier:
    """Sends Glance notifications through one or more drivers, validating each against a profile first.

    ``validation``: ``strict`` raises `InvalidNotificationError` before any driver runs; ``warn`` logs the violations
    with the whole message and sends it anyway; ``off`` sends without checking. A message that cannot be written as
    JSON at all (no wire form) is never sent: ``strict`` raises, the others log it. A driver that raises is logged
    with the message it failed to send; the other drivers still run, and the caller never sees the exception. What
    is logged is redacted (`notify_schemas.redaction`): no credential reaches a log.
    """

    def __init__(
        self,
        publisher_id: str | None = None,
        *,
        drivers: Iterable[str | Driver] | None = None,
        profile: str = "seed",
        validation: Validation = "strict",
        disabled_notifications: Iterable[str] | None = None,
        config: NotifierConfig | None = None,
        backend: Backend = "rust",
    ) -> None:
        if validation not in ("strict", "warn", "off"):
            raise ValueError(f"validation must be 'strict', 'warn' or 'off', not {validation!r}")
        variants(profile)  # an unknown profile fails here, not on the first notification
        self.config = config or NotifierConfig()
        self.publisher_id = publisher_id or self.config.publisher_id
        self.profile = profile
        self.validation: Validation = validation
        self.backend: Backend = backend
        self.disabled_notifications = tuple(
            self.config.disabled_notifications if disabled_notifications is None else disabled_notifications
        )
        self._validity = validity_table(profile, backend)  # verdicts for plain JSON
        names_or_drivers = self.config.drivers if drivers is None else tuple(drivers)
        self.drivers: tuple[Driver, ...] = tuple(
            load_driver(d, self.config) if isinstance(d, str) else d for d in names_or_drivers
        )

    @classmethod
    def from_config_file(cls, path: str, **kwargs: Any) -> Notifier:
        """A Notifier configured from an oslo-style file, such as an existing glance-api.conf."""
        config = load_config(path)
        return cls(config=config, **kwargs)

    def prepare(self, publisher_id: str | None = None) -> Notifier:
        """A Notifier like this one with another publisher_id, sharing its drivers."""
        clone = object.__new__(Notifier)
        clone.__dict__.update(self.__dict__)
        if publisher_id is not None:
            clone.publisher_id = publisher_id
        return clone

    def info(self, ctxt: Any, event_type: str, payload: Any) -> Notification | None:
        """Send an INFO notification; returns the message sent, or None when the event type is disabled."""
        return self._notify(event_type, "INFO", payload)

    def warn(self, ctxt: Any, event_type: str, payload: Any) -> Notification | None:
        """Send a WARN notification."""
        return self._notify(event_type, "WARN", payload)

    warning = warn

    def error(self, ctxt: Any, event_type: str, payload: Any) -> Notification | None:
        """Send an ERROR notification."""
        return self._notify(event_type, "ERROR", payload)

    def send(self, message: Notification) -> Notification | None:
        """Validate and dispatch a message that is already built (``notify-schemas emit`` uses this)."""
        event_type = message.get("event_type") if isinstance(message, dict) else None
        if isinstance(event_type, str) and is_disabled(event_type, self.disabled_notifications):
            return None
        return self._send(message)

    def _notify(self, event_type: str, priority: str, payload: Any) -> Notification | None:
        if self.disabled_notifications and is_disabled(event_type, self.disabled_notifications):
            return None
        return self._send(build_message(event_type, priority, payload, self.publisher_id))

    def _send(self, message: Notification) -> Notification | None:
        """Every message is sent, or refused with its violations logged (strict: raised); none is lost unsaid.

        The hot path of every producer: an orjson round trip proves the message its own wire form, one lookup finds the
        variant's validator. What the drivers get is the wire form (`notify_schemas.wire_form`), so that no driver
        fails on a value that oslo would have written (a lazy ``Message``, a datetime).
        """
        # What is not its own wire form (a UUID object, a tuple, a NaN, a lazy Message) becomes it, or is refused.
        if not is_wire_form(message):
            wire = to_wire(message)
            if wire.problems:
                self._refuse(message)
                return None
            message = wire.value
        if not isinstance(message, dict):
            self._refuse(message)
            return None
        if self.validation != "off":
            check = self._validity.get((message.get("event_type"), message.get("priority")))  # type: ignore[arg-type]
            if (check is None or not check(message)) and not is_valid(
                message, profile=self.profile, backend=self.backend
            ):
                error = self._error(message)
                if self.validation == "strict":
                    raise error
                if any(v.rule in NO_WIRE_FORM for v in error.violations):
                    LOG.error("notification not sent: it cannot be written as JSON: %s", error)
                    return None
                LOG.warning("sending an invalid notification: %s; notification: %s", error, redacted_json(message))
        priority = str(message.get("priority"))
        for driver in self.drivers:
            try:
                driver.notify(message, priority)
            except Exception as error:
                self._driver_failed(driver, error, message)
        return message

    def _refuse(self, message: Any) -> None:
        """A message with no JSON form, or not an object: never sent; raised in strict mode, logged otherwise."""
        error = self._error(message)
        if self.validation == "strict":
            raise error
        LOG.error("notification not sent: it cannot be written as a JSON object: %s", error)

    def _error(self, message: Any) -> InvalidNotificationError:
        violations = tuple(iter_errors(message, profile=self.profile, backend=self.backend))
        return InvalidNotificationError(message, violations, profile=self.profile)

    @staticmethod
    def _driver_failed(driver: Driver, error: Exception, message: Notification) -> None:
        # A failing driver must not stop the others nor reach the caller; what was lost is logged, redacted.
        LOG.error(
            "driver %s failed (%s: %s); notification not sent through it: %s",
            type(driver).__name__,
            type(error).__name__,
            mask_text(str(error)),
            redacted_json(message),
        )
        # The traceback, for whoever debugs the driver, masked too: an exception's text may quote a credential.
        trace = mask_text("".join(traceback.format_exception(error)))
        LOG.debug("driver %s failure: %s", type(driver).__name__, trace)

    def __repr__(self) -> str:
        names: Sequence[str] = [type(d).__name__ for d in self.drivers]
        return (
            f"Notifier(publisher_id={self.publisher_id!r}, profile={self.profile!r}, "
            f"validation={self.validation!r}, drivers={names})"
        )
