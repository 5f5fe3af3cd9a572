"""A drop-in oslo.messaging notification driver that validates every notification, then hands it to real drivers.

An unmodified oslo-based producer (Glance itself) gets validation by changing one line of its configuration::

    [oslo_messaging_notifications]
    driver = notify_schemas            # was: driver = messagingv2

    [notify_schemas]                   # optional; these are the defaults
    inner_driver = messagingv2         # repeatable: the drivers that send what passes
    profile = glance
    validation = strict                # strict: an invalid notification is logged, redacted, and not sent
                                       # warn: it is logged, redacted, and sent (unless it has no JSON form)

Registered in oslo's own entry-point group, ``oslo.messaging.notify.drivers``; needs the ``oslo`` extra.
"""

from __future__ import annotations

import logging
from typing import Any

from oslo_config import cfg
from oslo_messaging.notify import messaging, notifier
from oslo_messaging.notify._impl_noop import NoOpDriver
from stevedore import named

from notify_schemas.broker.messaging import redact_failed_sends
from notify_schemas.errors import InvalidNotificationError
from notify_schemas.notifier import driver_interrupted, log_line, unsent_if_interrupted
from notify_schemas.redaction import error_text, mask_text, type_name
from notify_schemas.registry import PROFILES
from notify_schemas.validation import is_valid, iter_errors, wire_errors
from notify_schemas.values import Violation
from notify_schemas.wire_form import NO_WIRE_FORM, NOT_EXACT, has_no_wire_form_number, redacted_json, settled, to_wire

__all__ = ["OPTIONS", "ValidatingDriver"]

LOG = logging.getLogger(__name__)
_NAME = "notify_schemas"  # this driver's name in oslo.messaging's entry-point group
OPTIONS = [
    cfg.MultiStrOpt(
        "inner_driver", default=["messagingv2"], help="oslo.messaging drivers that send valid notifications"
    ),
    cfg.StrOpt("profile", default="glance", choices=PROFILES, help="the notify-schemas profile to validate against"),
    cfg.StrOpt(
        "validation",
        default="strict",
        choices=("strict", "warn"),
        help="strict: log and drop an invalid notification; warn: log it and send it",
    ),
]


def _inner_drivers(names: list[str], conf: Any, topics: list[str], transport: Any) -> list[Any]:
    """The drivers ``names`` loaded as oslo's Notifier loads its own: a driver named twice is one driver, sending
    once; a name that no driver has, or a driver that cannot load, is one masked line at start and leaves the others
    sending (a failure raised here would leave the drop-in driver itself unloaded, and nothing sent at all)."""
    failed: list[str] = []

    def not_loaded(manager: Any, entry_point: Any, error: BaseException) -> None:
        failed.append(entry_point.name)
        log_line(LOG, logging.ERROR, "[notify_schemas] inner driver %r could not be loaded (%s): notifications are "
                 "not sent through it", entry_point.name, error_text(error))  # fmt: skip

    def missing(names: Any) -> None:
        if unknown := [mask_text(repr(name)) for name in names if name not in failed]:
            log_line(LOG, logging.ERROR, "[notify_schemas] inner_driver names %s, which no installed package provides "
                     "as an oslo.messaging notification driver: notifications are not sent through it",
                     ", ".join(unknown))  # fmt: skip

    loaded: named.NamedExtensionManager[Any] = named.NamedExtensionManager(
        "oslo.messaging.notify.drivers",
        names=list(dict.fromkeys(names)),  # in the order given, each once
        invoke_on_load=True,
        invoke_args=(conf,),
        invoke_kwds={"topics": topics, "transport": transport},
        name_order=True,
        on_load_failure_callback=not_loaded,
        on_missing_entrypoints_callback=missing,
    )
    return [extension.obj for extension in loaded]


def _say_topicless(inner: list[Any]) -> None:
    """One line at start for oslo's messaging drivers given no topic (``topics =`` in the producer's file, which
    oslo.config reads as none): they send every notification to no topic, which is nowhere, and say nothing."""
    if topicless := [type_name(driver) for driver in inner if isinstance(driver, messaging.MessagingDriver)
                     and not driver.topics]:  # fmt: skip
        log_line(LOG, logging.ERROR, "inner driver %s is given no topic (an empty [oslo_messaging_notifications] "
                 "topics, or the Notifier's topics=[]): what passes is sent nowhere; name a topic",
                 ", ".join(topicless))  # fmt: skip


def _say_sends_nowhere(inner: list[Any]) -> None:
    """One line at start for inner drivers that are oslo's ``noop`` alone: nothing is sent, yet oslo's
    ``Notifier.is_enabled()`` answers true, since it asks the names of the drivers it loaded, this one among them,
    not what they send through (D108). A producer that asks it before building a payload builds it for nothing."""
    if inner and all(isinstance(driver, NoOpDriver) for driver in inner):
        log_line(LOG, logging.WARNING, "[notify_schemas] inner_driver is noop alone: no notification is sent, yet "
                 "oslo.messaging's Notifier.is_enabled() answers true; to send none, set "
                 "[oslo_messaging_notifications] driver = noop")  # fmt: skip


class ValidatingDriver(notifier.Driver):  # type: ignore[misc]
    """Validates each notification against a notify-schemas profile before its inner drivers send it."""

    def __init__(self, conf: Any, topics: list[str], transport: Any) -> None:
        super().__init__(conf, topics, transport)
        redact_failed_sends()  # the inner drivers are oslo's: a send they give up on is logged with the notification
        conf.register_opts(OPTIONS, group="notify_schemas")
        options = conf.notify_schemas
        self.profile: str = options.profile
        self.validation: str = options.validation
        if _NAME in options.inner_driver:  # it would load itself as its inner driver, and so on without end
            raise ValueError(f"[notify_schemas] inner_driver names {_NAME}, this validating driver itself: name the "
                             "drivers that send what passes (messagingv2, messaging, log, ...)")  # fmt: skip
        self.inner: list[Any] = _inner_drivers(list(options.inner_driver), conf, topics, transport)
        _say_topicless(self.inner)
        _say_sends_nowhere(self.inner)

    def notify(self, ctxt: Any, message: dict[str, Any], priority: str, retry: int) -> None:
        # Never raises: oslo would log the exception with the whole notification, unredacted, and send nothing.
        try:
            # The message is turned into its wire form once, and that very value is judged and sent: a producer's
            # object asked twice may answer otherwise the second time (a mapping whose items() changes), and what
            # was sent would not be what was judged. Exact JSON is its own wire form, copied where another thread of
            # the producer may change it meanwhile (`settled`).
            sent = settled(message)
            if sent is NOT_EXACT or has_no_wire_form_number(sent):
                wire = to_wire(message)
                if wire.problems:  # no wire form: never sent, in either mode
                    violations = list(wire_errors(wire, profile=self.profile))  # of what was judged, read once
                    self._log(logging.ERROR, "notification not sent, it is invalid", wire.value, violations)
                    return
                sent = wire.value
            if not is_valid(sent, profile=self.profile):
                violations = list(iter_errors(sent, profile=self.profile))
                if self.validation == "strict" or any(v.rule in NO_WIRE_FORM for v in violations):
                    self._log(logging.ERROR, "notification not sent, it is invalid", sent, violations)
                    return
                with unsent_if_interrupted(self.inner, sent):
                    self._log(logging.WARNING, "sending an invalid notification", sent, violations)
        except Exception as error:  # a failure of the package's own: the notification is logged, not lost unsaid
            log_line(LOG, logging.ERROR, "notification not validated (%s); not sent: %s", error_text(error),
                     redacted_json(message))  # fmt: skip
            return
        for at, inner in enumerate(self.inner):
            try:
                # A copy each: oslo's messaging drivers add their _unique_id to the dict they are given, and every
                # driver after them would get a notification with a seventh key, which was not judged.
                inner.notify(ctxt, dict(sent), priority, retry)
            except Exception as error:
                with unsent_if_interrupted(self.inner[at + 1 :], sent):
                    log_line(
                        LOG,
                        logging.ERROR,
                        "inner driver %s failed (%s); notification not sent through it: %s",
                        type_name(inner),
                        error_text(error, sent),  # it may quote the message: what it holds under locations is marked
                        redacted_json(sent),
                    )
            except BaseException as error:  # into oslo, which lets it through to the producer (D102): logged first
                driver_interrupted(LOG, "inner driver", inner, self.inner, error, sent)
                raise

    def _log(self, level: int, what: str, message: Any, violations: list[Violation]) -> None:
        """One line: what happens to the notification, its violations and the notification (plain JSON: its wire
        form, null where a part has none), redacted. Only text reaches the record: its arguments are what a handler
        may show. A producer's handler or filter that raises is one line on stderr (`log_line`), never an exception
        into oslo, which would log the notification unredacted."""
        error = InvalidNotificationError(message, violations, profile=self.profile)
        log_line(LOG, level, "%s: %s; notification: %s", what, str(error), redacted_json(message))
