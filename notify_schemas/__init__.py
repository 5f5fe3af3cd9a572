"""notify-schemas: the JSON Schemas of OpenStack Glance's notifications, and the code that reads them.

This module is the public API that producers import; it needs no broker library. The rooms beneath it: the core
modules beside this one (schemas, validation, messages, payloads, the Notifier and its drivers), ``broker/``
(oslo.messaging drivers, listener, drop-in driver), ``authoring/`` (what writes the derived files), ``conformance/``
(the conformance suite) and ``cli/``. docs/architecture.md has the map.

Its names are loaded when first used (PEP 562): ``import notify_schemas`` costs almost nothing, a producer that only
validates never loads the Notifier and its configuration, and the command line starts its own modules inside its
handler of Ctrl-C.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what a type checker and a reader see; at run time, `__getattr__` below loads each name
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

_HOME = {
    "ConfigError": "errors",
    "DriverNotFoundError": "errors",
    "InvalidNotificationError": "errors",
    "NotifySchemasError": "errors",
    "UnknownVariantError": "errors",
    "build_message": "message",
    "Notifier": "notifier",
    "image_payload": "payloads",
    "image_send_payload": "payloads",
    "task_payload": "payloads",
    "bundled_schema": "registry",
    "registry": "registry",
    "variant": "registry",
    "variants": "registry",
    "is_valid": "validation",
    "iter_errors": "validation",
    "validate": "validation",
    "BASE_URI": "values",
    "PRIORITIES": "values",
    "PROFILES": "values",
    "Variant": "values",
    "Violation": "values",
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'notify_schemas' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"notify_schemas.{home}"), name)
    globals()[name] = value  # found once: the next use is a plain global
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _Root(types.ModuleType):
    """The package: its name ``registry`` is the function, also once the submodule of that name is loaded (the
    import system then sets the submodule as the package's attribute)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "registry" and isinstance(value, types.ModuleType):
            value = value.registry
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Root
