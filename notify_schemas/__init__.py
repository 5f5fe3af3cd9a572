"""notify-schemas: the JSON Schemas of OpenStack Glance's notifications, and the code that reads them.

This module is the public API that producers import; it needs no broker library. The rooms beneath it: the core
modules beside this one (schemas, validation, messages, payloads, the Notifier and its drivers), ``broker/``
(oslo.messaging drivers, listener, drop-in driver), ``authoring/`` (what writes the derived files), ``conformance/``
(the conformance suite) and ``cli/``. docs/architecture.md has the map.
"""

from notify_schemas.errors import (
    ConfigError,
    DriverNotFoundError,
    InvalidNotificationError,
    NotifySchemasError,
    UnknownVariantError,
)
from notify_schemas.message import build_message
from notify_schemas.notifier import Notifier
from notify_schemas.payloads import image_payload, image_send_payload, task_payload
from notify_schemas.registry import bundled_schema, registry, variant, variants
from notify_schemas.validation import is_valid, iter_errors, validate
from notify_schemas.values import BASE_URI, PRIORITIES, PROFILES, Variant, Violation

__all__ = [
    "BASE_URI",
    "PRIORITIES",
    "PROFILES",
    "ConfigError",
    "DriverNotFoundError",
    "InvalidNotificationError",
    "Notifier",
    "NotifySchemasError",
    "UnknownVariantError",
    "Variant",
    "Violation",
    "build_message",
    "bundled_schema",
    "image_payload",
    "image_send_payload",
    "is_valid",
    "iter_errors",
    "registry",
    "task_payload",
    "validate",
    "variant",
    "variants",
]
