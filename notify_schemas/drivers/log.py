"""The ``log`` driver: Python logging, exactly as oslo.messaging's ``log`` driver writes it.

Logger ``oslo.messaging.notification.<event_type>``, level from the priority (``WARN`` logs at WARNING), the record's
message the JSON of the whole notification, with oslo's password masking applied. What parses oslo's log output
parses this driver's unchanged.
"""

from __future__ import annotations

import collections.abc
import json
import logging
from typing import Any

from notify_schemas.config import NotifierConfig

__all__ = ["LOGGER_BASE", "LogDriver"]

LOGGER_BASE = "oslo.messaging.notification"
_LEVELS = {
    "DEBUG": logging.DEBUG,
    "INFO": logging.INFO,
    "AUDIT": logging.INFO,
    "SAMPLE": logging.INFO,
    "WARN": logging.WARNING,
    "WARNING": logging.WARNING,
    "ERROR": logging.ERROR,
    "CRITICAL": logging.CRITICAL,
}
# oslo.utils' strutils._SANITIZE_KEYS: a key containing one of these has its value masked.
SANITIZE_KEYS = (
    "adminpass", "admin_pass", "password", "admin_password", "auth_token", "new_pass", "auth_password", "secret_uuid",
    "secret", "sys_pswd", "token", "configdrive", "chappassword", "encrypted_key", "private_key", "fernetkey",
    "sslkey", "passphrase", "cephclusterfsid", "octaviaheartbeatkey", "rabbitcookie", "cephmanilaclientkey",
    "pacemakerremoteauthkey", "designaterndckey", "cephadminkey", "heatauthencryptionkey", "cephclientkey",
    "keystonecredential", "barbicansimplecryptokek", "cephrgwkey", "swifthashsuffix", "migrationsshkey",
    "cephmdskey", "cephmonkey", "chapsecret",
)  # fmt: skip


def _mask_keys(value: Any) -> Any:
    """Mask the values of secret-looking keys, recursively: oslo's dict rule, for when oslo.utils is absent."""
    if isinstance(value, collections.abc.Mapping):
        return {
            k: "***" if isinstance(k, str) and any(s in k.lower() for s in SANITIZE_KEYS) else _mask_keys(v)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_mask_keys(v) for v in value]
    return value


def dumps(message: dict[str, Any]) -> str:
    """The text oslo's log driver writes: ``jsonutils.dumps(strutils.mask_dict_password(message))``.

    Masking can only change a message whose text contains a secret-looking word, so the others skip it; those that
    do go through oslo.utils' own masking when it is installed, and through the key rule alone otherwise.
    """
    text = json.dumps(message)
    lowered = text.lower()
    if not any(word in lowered for word in SANITIZE_KEYS):
        return text
    try:
        from oslo_utils import strutils
    except ImportError:
        return json.dumps(_mask_keys(message))
    return json.dumps(strutils.mask_dict_password(message))


class LogDriver:
    """Writes each notification to Python logging, as oslo.messaging's log driver does."""

    def __init__(self, config: NotifierConfig | None = None) -> None:
        del config

    def notify(self, message: dict[str, Any], priority: str) -> None:
        logger = logging.getLogger(f"{LOGGER_BASE}.{message['event_type']}")
        level = _LEVELS.get(priority.upper(), logging.INFO)
        if logger.isEnabledFor(level):
            logger.log(level, dumps(message))
