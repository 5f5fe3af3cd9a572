"""notify-schemas: the JSON Schemas of OpenStack Glance's notifications, and the code that reads them."""

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
from notify_schemas.registry import (
    BASE_URI,
    PRIORITIES,
    PROFILES,
    Variant,
    bundled_schema,
    registry,
    variant,
    variants,
)
from notify_schemas.validation import Violation, is_valid, iter_errors, validate

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
