"""notify-schemas: the JSON Schemas of OpenStack Glance's notifications, and the code that reads them."""

from notify_schemas.errors import NotifySchemasError, UnknownVariantError
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

__all__ = [
    "BASE_URI",
    "PRIORITIES",
    "PROFILES",
    "NotifySchemasError",
    "UnknownVariantError",
    "Variant",
    "bundled_schema",
    "registry",
    "variant",
    "variants",
]
