"""The ``messaging`` and ``messagingv2`` drivers: oslo.messaging's own drivers, over the configured transport.

``messaging`` sends the notification dict as it is (oslo's message format 1.0); ``messagingv2`` wraps it as
``{"oslo.version": "2.0", "oslo.message": "<the notification as JSON>"}``. Both publish on the control exchange
(Glance's is ``glance``) with the routing key ``<topic>.<priority in lower case>``, for each configured topic.
Without a ``transport_url`` they use oslo's in-process ``fake://`` transport, so nothing needs a server.

A send that fails after ``retry`` attempts is logged by oslo.messaging with the whole notification, redacted
("Could not send notification to <topic>. Payload=..."); it never raises into the Notifier.
Needs the ``oslo`` extra: ``pip install notify-schemas[oslo]``.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import stat
from collections.abc import Mapping
from typing import Any

from notify_schemas.config import NotifierConfig, given_config
from notify_schemas.errors import ConfigError, DriverNotFoundError
from notify_schemas.redaction import closed, mask_transport_text, mask_url, remember_url, shown
from notify_schemas.values import as_named
from notify_schemas.wire_form import redacted_json

__all__ = ["MessagingDriver", "MessagingV2Driver", "redact_failed_sends", "transport"]

_EMBEDDED = "fake://"


def _oslo() -> Any:
    try:
        import oslo_messaging
        from oslo_config import cfg
    except ImportError:
        raise DriverNotFoundError(
            "the messaging drivers need oslo.messaging: pip install 'notify-schemas[oslo]'"
        ) from None
    return oslo_messaging, cfg


def transport(config: NotifierConfig) -> tuple[Any, Any]:
    """An oslo configuration and notification transport for ``config``'s URL and exchange, for a driver or a
    listener of its topics: a configuration that names none is a `ConfigError`.

    Without a URL, the process's embedded broker: one ``fake://`` transport per exchange, shared by every driver and
    listener of the process, so that what one sends the other receives.
    """
    if not config.topics:  # a file's "topics =": oslo.messaging sends to no topic and listens on none, in silence
        shown_source = f"{closed(shown(as_named(config.source), 200))}: " if config.source else ""
        raise ConfigError(f"{shown_source}[oslo_messaging_notifications] topics lists no topic: oslo.messaging would "
                          "send every notification to none (and listen on none); name one, or leave the option out "
                          "for notifications")  # fmt: skip
    if config.transport_url:
        return _new_transport(config.transport_url, config.control_exchange, config.source)
    return _embedded(config.control_exchange)


def _new_transport(url: str, exchange: str, source: str | None = None) -> tuple[Any, Any]:
    """A transport for ``url``; oslo.messaging reads its own options (``[oslo_messaging_rabbit]``: quorum queues,
    heartbeats, retries, ...) from ``source``, the configuration file the notification options came from."""
    remember_url(url)  # before oslo or kombu read it: what they say of a password they cannot read is masked
    if source and not _read_again(source):
        raise ConfigError(f"{closed(shown(as_named(str(source)), 200))}: oslo.messaging reads the file again for "
                          "its own options ([oslo_messaging_rabbit], ...), which a pipe does not give twice: name a "
                          "file")  # fmt: skip
    oslo_messaging, cfg = _oslo()
    conf = cfg.ConfigOpts()
    files = [source] if source else []
    try:
        conf([], project="notify-schemas", default_config_files=files, default_config_dirs=[])
    except cfg.ConfigFileParseError as error:
        # oslo.config's parser is stricter than configparser (a continuation line after a blank one); its message
        # quotes the line, which may hold a credential: only the line number and the reason are kept.
        where = re.search(r":(\d+), ([^:]+)", str(error.msg))
        reason = f"line {where[1]}: {where[2]}" if where else "oslo.config cannot parse it"
        shown_source = closed(shown(as_named(str(source)), 200))  # a file's name too may hold a secret
        raise ConfigError(f"{shown_source}: {reason}") from None
    oslo_messaging.set_transport_defaults(exchange)
    # The exchange given, which the configuration read already from the file, the environment or the command line:
    # this configuration's own oslo.config reads OS_DEFAULT__CONTROL_EXCHANGE over any default, and a driver then sent
    # to that exchange where the listener, and what the command said, named the one given.
    conf.register_opts(_oslo_transport_options())
    conf.set_override("control_exchange", exchange)
    try:
        return conf, oslo_messaging.get_notification_transport(conf, url=url)
    except (oslo_messaging.MessagingException, ValueError, cfg.Error) as error:
        # A URL oslo cannot read, a transport unknown, a query option that is none of the transport's (?x=1).
        raise ConfigError(mask_transport_text(f"cannot use the transport {closed(mask_url(url))}: {error}")) from None
    except ImportError as error:  # the transport's own library (confluent_kafka for kafka://)
        needs = f"it needs {error.name or error}, which is not installed"
        raise ConfigError(mask_transport_text(f"cannot use the transport {closed(mask_url(url))}: {needs}")) from None


def _oslo_transport_options() -> list[Any]:
    """oslo.messaging's ``[DEFAULT]`` options of a transport (``transport_url``, ``control_exchange``), the very
    objects it registers itself when it makes a transport, so that registering them first is no conflict."""
    from oslo_messaging import transport as oslo_transport

    return list(oslo_transport._transport_opts)


def _read_again(source: str) -> bool:
    """Whether the configuration file ``source`` gives its options a second time, as oslo.config reads it when a
    transport is made: a regular file does; a pipe (``--config-file <(...)``), read once already, does not. Asked
    here, where the file is read again, and not when it was read first: a file read for a Notifier whose drivers
    make no transport (``emit --driver log`` with Glance's file, whose ``[DEFAULT] transport_url`` is its RPC
    broker's) is read once, pipe or not. A name that is not there is said by oslo.config."""
    try:
        return stat.S_ISREG(os.stat(source).st_mode)
    except OSError:
        return True


@functools.cache
def _embedded(exchange: str) -> tuple[Any, Any]:
    return _new_transport(_EMBEDDED, exchange)


class _RedactedPayload(logging.Filter):
    """oslo's messaging drivers log a send they gave up on with the notification they were given, as Python writes a
    dict ("Could not send notification to <topic>. Payload=<the dict>"), to every handler: a notification sent in
    warn or off mode may hold the values of keys that must never be sent, which no masking of text knows. The
    notification is written there as every log line of the package writes one: its JSON, redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, Mapping) and "message" in args:
            record.args = {**args, "message": redacted_json(args["message"])}
        return True


@functools.cache
def redact_failed_sends() -> None:
    """Have oslo's messaging drivers log the notification of a failed send redacted (`_RedactedPayload`), in this
    process, from now on: each driver that sends through them (this module's, the drop-in driver's inner ones)
    calls it."""
    logging.getLogger("oslo_messaging.notify.messaging").addFilter(_RedactedPayload())


class MessagingDriver:
    """oslo.messaging's ``messaging`` driver (format 1.0): the notification dict as it is."""

    _oslo_driver = "MessagingDriver"

    def __init__(self, config: NotifierConfig | None = None) -> None:
        redact_failed_sends()
        self.config = given_config(config)
        self.conf, self.transport = transport(self.config)
        from oslo_messaging.notify import messaging as oslo_drivers

        driver_class = getattr(oslo_drivers, self._oslo_driver)
        self._driver = driver_class(self.conf, topics=list(self.config.topics), transport=self.transport)

    def notify(self, message: dict[str, Any], priority: str) -> None:
        # oslo adds its _unique_id to the dict it is given; the other drivers must not see it.
        self._driver.notify({}, dict(message), priority, self.config.retry)

    def close(self) -> None:
        """Release the transport's connections (the embedded broker stays for the rest of the process)."""
        if self.config.transport_url:
            self.transport.cleanup()


class MessagingV2Driver(MessagingDriver):
    """oslo.messaging's ``messagingv2`` driver: the notification inside the 2.0 envelope."""

    _oslo_driver = "MessagingV2Driver"
