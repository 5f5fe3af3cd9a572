"""The Notifier: build, validate and dispatch, shaped like oslo.messaging's ``Notifier``.

``Notifier(publisher_id).info(ctxt, event_type, payload)`` works as in oslo.messaging; the context argument is
accepted for that reason and not sent (the envelope has six keys and no context).
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextvars import ContextVar
from typing import Any, Literal

from notify_schemas.config import NotifierConfig, given_config, is_disabled, listed, load_config, names
from notify_schemas.drivers import Driver, driver_name, load_driver, not_run, unusable
from notify_schemas.drivers.noop import NoopDriver
from notify_schemas.errors import InvalidNotificationError
from notify_schemas.message import Notification, envelope
from notify_schemas.redaction import error_text, mask_text, quoted, traceback_text, type_name
from notify_schemas.validation import (
    Backend,
    check_arguments,
    is_valid,
    payload_verdicts,
    publisher_id_is_valid,
    register_payload_verdict,
    validity_table,
    wire_errors,
)
from notify_schemas.values import one_line
from notify_schemas.wire_form import (
    NO_WIRE_FORM,
    NOT_EXACT,
    WireForm,
    has_no_wire_form_number,
    redacted_json,
    settled,
    to_wire,
)

__all__ = ["Notifier", "Validation", "driver_interrupted", "log_line", "unsent_if_interrupted"]

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
        # Every argument is checked here, with an error that names it, not on the first notification.
        if not isinstance(validation, str) or str.__str__(validation) not in ("strict", "warn", "off"):
            raise ValueError(f"validation must be 'strict', 'warn' or 'off', not {quoted(validation)}")
        check_arguments(profile, backend)  # an unknown profile fails here, not on the first notification
        self.config = given_config(config)
        # Only None means the configuration's: a producer's value is judged as it is, never asked its truth (an
        # empty text or a subclass's __len__ replaced it unsaid; one whose __bool__ raised failed here).
        self.publisher_id = self.config.publisher_id if publisher_id is None else publisher_id
        self.profile = str.__str__(profile)
        self.validation: Validation = str.__str__(validation)  # type: ignore[assignment]
        self.backend: Backend = str.__str__(backend)  # type: ignore[assignment]
        self.disabled_notifications = (
            self.config.disabled_notifications
            if disabled_notifications is None
            else names(disabled_notifications, "disabled_notifications")
        )
        self._validity = validity_table(self.profile, self.backend)  # verdicts for plain JSON
        self._payloads = payload_verdicts(self.profile) if self.backend == "rust" else {}  # on a payload alone
        self.drivers: tuple[Driver, ...] = _drivers(self.config.drivers if drivers is None else drivers, self.config)

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

    def is_enabled(self) -> bool:
        """Whether the Notifier sends notifications anywhere: false when its drivers are ``noop`` alone, as
        oslo.messaging's ``Notifier.is_enabled`` answers for ``driver = noop``, and when it has none at all (D108)."""
        return any(not isinstance(driver, NoopDriver) for driver in self.drivers)

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
        # issubclass of the type, not isinstance: a producer's object may raise when asked its __class__.
        event_type = dict.get(message, "event_type") if issubclass(type(message), dict) else None
        if self.disabled_notifications and not issubclass(type(event_type), str):
            # Another mapping, or an event type that is not text: disabled or not by what is sent, its wire form,
            # which is then what is judged and sent (a producer's value read twice may answer otherwise).
            wire = to_wire(message)
            if wire.problems:
                self._refuse(message, wire)
                return None
            message = wire.value
            event_type = message.get("event_type") if type(message) is dict else None
        if issubclass(type(event_type), str) and is_disabled(str.__str__(event_type), self.disabled_notifications):
            return None
        return self._send(message)

    def _notify(self, event_type: str, priority: str, payload: Any) -> Notification | None:
        if self.disabled_notifications:
            if not issubclass(type(event_type), str):  # disabled or not by its wire form, which is then sent
                wire = to_wire(event_type)
                event_type = event_type if wire.problems else wire.value
            if issubclass(type(event_type), str) and is_disabled(str.__str__(event_type), self.disabled_notifications):
                return None
        # The hot path: the envelope is built here, valid by construction but for the publisher id (checked once) and
        # the variant (one lookup), so a payload of exact JSON types that its variant admits makes a valid message.
        if self.validation != "off" and type(event_type) is str and type(priority) is str:
            check = self._payloads.get((event_type, priority))
            if check is None:
                if self.backend == "rust":
                    register_payload_verdict(self.profile, event_type, priority)
            elif (
                type(self.publisher_id) is str
                and publisher_id_is_valid(self.publisher_id)
                and (own := settled(payload)) is not NOT_EXACT
                and check(own)
            ):
                message = envelope(event_type, priority, own, self.publisher_id)
                self._dispatch(message, priority)
                return message
        return self._send(envelope(event_type, priority, payload, self.publisher_id))

    def _send(self, message: Notification) -> Notification | None:
        """Every message is sent, or refused with its violations logged (strict: raised); none is lost unsaid.

        The hot path of every producer: a message of exact JSON types (`settled`, two C passes) is its own wire
        form, and one lookup finds its variant's verdict. Anything else becomes its wire form
        (`notify_schemas.wire_form`) before any driver sees it, so that no driver fails on a value that oslo would
        have written (a lazy ``Message``, a datetime), or is refused.
        """
        # What is judged is what the drivers get: the message itself, or where another thread may change it, a copy.
        own = settled(message)
        if self.validation != "off" and own is not NOT_EXACT and type(own) is dict:
            key = (own.get("event_type"), own.get("priority"))
            check = self._validity.get(key) if type(key[0]) is str and type(key[1]) is str else None  # type: ignore[arg-type]
            if check is not None and check(own):
                self._dispatch(own, str(own.get("priority")))
                return own
        # What is not its own wire form (a UUID object, a NaN, a lazy Message) becomes it, or is refused. Told by the
        # types alone: a producer's object is never asked whether it equals its wire form (its __eq__ may say yes).
        if own is NOT_EXACT or has_no_wire_form_number(own):
            wire = to_wire(message)
            if wire.problems:
                self._refuse(message, wire)
                return None
            message = wire.value
        else:
            message = own
        if type(message) is not dict:  # the wire form of a mapping is a dict
            self._refuse(message, to_wire(message))  # plain JSON by now: reading it again asks no producer's code
            return None
        if self.validation != "off" and not is_valid(message, profile=self.profile, backend=self.backend):
            error = self._error(message)
            if self.validation == "strict":
                raise error
            if any(v.rule in NO_WIRE_FORM for v in error.violations):
                log_line(LOG, logging.ERROR, "notification not sent: it cannot be written as JSON: %s", str(error))
                return None
            with unsent_if_interrupted(self.drivers, message):
                log_line(LOG, logging.WARNING, "sending an invalid notification: %s; notification: %s", str(error),
                         redacted_json(message))  # fmt: skip
        self._dispatch(message, str(message.get("priority")))
        return message

    def _dispatch(self, message: Notification, priority: str) -> None:
        for at, driver in enumerate(self.drivers):
            try:
                result: Any = driver.notify(message, priority)  # type: ignore[func-returns-value]
                if result is not None and (why := not_run(result)):
                    raise TypeError(why)  # sent nothing: logged as a driver that failed
            except Exception as error:
                with unsent_if_interrupted(self.drivers[at + 1 :], message):
                    self._driver_failed(driver, error, message)
            except BaseException as error:  # Ctrl-C, SystemExit, a green thread's timeout: raised, once logged
                driver_interrupted(LOG, "driver", driver, self.drivers, error, message)
                raise

    def _refuse(self, message: Any, wire: WireForm) -> None:
        """A message with no JSON form, or not an object: never sent; raised in strict mode, logged otherwise. The
        violations are those of ``wire``, the one reading of the producer's value that was judged."""
        error = self._error(message, wire)
        if self.validation == "strict":
            raise error
        log_line(LOG, logging.ERROR, "notification not sent: it cannot be written as a JSON object: %s", str(error))

    def _error(self, message: Any, wire: WireForm | None = None) -> InvalidNotificationError:
        wire = to_wire(message) if wire is None else wire
        violations = tuple(wire_errors(wire, profile=self.profile, backend=self.backend))
        return InvalidNotificationError(message, violations, profile=self.profile)

    @staticmethod
    def _driver_failed(driver: Driver, error: Exception, message: Notification) -> None:
        # A failing driver must not stop the others nor reach the caller; what was lost is logged, redacted.
        log_line(
            LOG,
            logging.ERROR,
            "driver %s failed (%s); notification not sent through it: %s",
            driver_name(driver),
            error_text(error, message),  # it may quote the message: what it holds under locations too is marked
            redacted_json(message),
        )
        # The traceback, for whoever debugs the driver, masked too: an exception's text may quote a credential.
        trace = traceback_text(error, message)
        log_line(LOG, logging.DEBUG, "driver %s failure: %s", driver_name(driver), trace)

    def __repr__(self) -> str:
        names: Sequence[str] = [driver_name(d) for d in self.drivers]
        # The publisher id is the producer's: masked as any text is, and never asked to show itself (a subclass's
        # own __repr__ may fail, or show anything).
        publisher = self.publisher_id
        kind = type_name(publisher)
        shown = repr(mask_text(str.__str__(publisher))) if isinstance(publisher, str) else f"<{kind}>"
        return (
            f"Notifier(publisher_id={shown}, profile={self.profile!r}, validation={self.validation!r}, drivers={names})"
        )


def _drivers(given: Any, config: NotifierConfig) -> tuple[Driver, ...]:
    """The drivers of a Notifier: each a name (loaded now) or an object with ``notify(message, priority)``. A name
    given again loads nothing more: oslo.messaging loads each driver it is named once (stevedore picks the entry
    points whose name is listed), so a configuration file whose ``driver = messagingv2`` is written twice sends each
    notification once, not twice."""
    if isinstance(given, str | bytes) or not isinstance(given, Iterable):
        raise TypeError(f"drivers must be a list of driver names or drivers, not {quoted(given)}")
    found: list[Driver] = []
    named: set[str] = set()
    for index, item in listed(given, "drivers"):  # one at a time: an endless iterable ends, never loads on for ever
        if isinstance(item, str):
            name = str.__str__(item)
            if name not in named:
                named.add(name)
                found.append(load_driver(name, config))
            continue
        why = unusable(item)
        if why is not None:
            raise TypeError(f"drivers[{index}] is no driver name, and {quoted(item)} {why}")
        found.append(item)
    return tuple(found)


def driver_interrupted(
    logger: logging.Logger, what: str, driver: Any, drivers: Sequence[Any], error: BaseException, message: Any
) -> None:
    """Log a notification that ``driver`` was interrupted sending, by what is no ``Exception`` (KeyboardInterrupt,
    SystemExit, GeneratorExit, eventlet's or gevent's Timeout), which the caller then gets, as Python means it to
    (D102): the notification may not have gone through that driver, and has not gone through those after it, which
    do not run; said here with the message, redacted, so that it is not lost unsaid."""
    at = next(i for i, d in enumerate(drivers) if d is driver)  # by identity: a driver's own __eq__ is not asked
    rest = ", ".join(driver_name(d) for d in drivers[at + 1 :]) or "none"
    log_line(logger, logging.ERROR, "%s %s was interrupted (%s); notification perhaps not sent through it, and not "
             "through the drivers after it (%s): %s", what, driver_name(driver), error_text(error, message), rest,
             redacted_json(message))  # fmt: skip


def log_line(logger: logging.Logger, level: int, text: str, *args: Any) -> None:
    """Log a line of the package's own about a notification (the Notifier's, the drop-in driver's). A producer's
    handler or filter that raises reaches neither the caller nor the drivers not yet run; the line, which the handlers
    after it never got and which may be the only word of a notification not sent, is written to stderr with the
    handler's error, masked, on one line, as logging's own handlers report theirs. So is a line that runs out of
    stack as it is logged (a driver that notifies through the Notifier it is a driver of). A line logged while a
    handler handles one of these (a handler that notifies, whose notification fails or is invalid) goes to stderr as
    one line, not through the handlers again: that would loop without end."""
    if _logging.get():
        with contextlib.suppress(Exception):
            if logger.isEnabledFor(level) and level > logging.DEBUG:
                _to_stderr("", level, text, args)
        return
    _logging.set(True)
    try:
        logger.log(level, text, *args)
    except BaseException as error:
        failed = isinstance(error, Exception)
        with contextlib.suppress(Exception):
            why = f"a logging handler {'failed' if failed else 'was interrupted'}: {error_text(error)}; "
            _to_stderr(why, level, text, args)
        if not failed:  # Ctrl-C, eventlet's Timeout in a handler waiting on its socket: the caller's (D102)
            raise
    finally:
        _logging.set(False)


@contextlib.contextmanager
def unsent_if_interrupted(drivers: Sequence[Any], message: Any) -> Iterator[None]:
    """Around a line logged before ``drivers`` send ``message``: where a logging handler is interrupted by what is no
    ``Exception`` (eventlet's Timeout while it waits on its socket, Ctrl-C), which then reaches the caller and stops
    the drivers (D102), one line on stderr says that the notification did not go through them, redacted: the line
    logged said it would, and the handlers, one of which was just interrupted, are not asked again."""
    try:
        yield
    except Exception:
        raise
    except BaseException as error:
        with contextlib.suppress(Exception):
            names = ", ".join(driver_name(d) for d in drivers) or "none"
            _to_stderr("", logging.ERROR, "logging was interrupted (%s); notification not sent through the drivers "
                       "left (%s): %s", (error_text(error, message), names, redacted_json(message)))  # fmt: skip
        raise


def _to_stderr(why: str, level: int, text: str, args: tuple[Any, ...]) -> None:
    """A line of the package's own written to stderr, masked, on one line: ``why`` it is not logged, then the line.
    Written whole under a lock: stderr takes a long line (a notification's) in pieces of 8 KiB, and the lines of two
    threads written at once came out cut into each other on a pipe."""
    line = f"notify-schemas: {why}{logging.getLevelName(level)} {one_line(mask_text(text % args))}\n"
    with _stderr_lock:  # reentrant: a producer's own sys.stderr may log, and its line come back here
        sys.stderr.write(line)
        sys.stderr.flush()


_stderr_lock = threading.RLock()


# Whether this thread, or this green thread, is logging a line of the Notifier's. A context variable, not a
# threading.local: one made before eventlet.monkey_patch() is shared by every green thread of the process, and a
# handler that yields (a socket's) sent the lines of all the others to stderr.
_logging: ContextVar[bool] = ContextVar("notify_schemas_logging", default=False)
