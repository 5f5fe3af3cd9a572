"""The package's exceptions: one tree under `NotifySchemasError`, so a caller can catch them all at once."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from notify_schemas.registry import Variant

__all__ = ["NotifySchemasError", "UnknownVariantError"]


class NotifySchemasError(Exception):
    """Base class of every error this package raises."""


class UnknownVariantError(NotifySchemasError, LookupError):
    """No schema exists for the asked (event_type, priority) in the profile."""

    @classmethod
    def for_variant(cls, wanted: Variant, known: Iterable[Variant]) -> UnknownVariantError:
        """An error that names what was asked, what the profile knows, and the closest match."""
        known = list(known)
        events = sorted({v.event_type for v in known})
        if wanted.event_type not in events:
            close = difflib.get_close_matches(wanted.event_type, events, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            return cls(
                f"unknown event type {wanted.event_type!r} in profile {wanted.profile!r}{hint}; "
                f"known event types: {', '.join(events)}"
            )
        priorities = sorted(v.priority for v in known if v.event_type == wanted.event_type)
        hint = ""
        if wanted.priority.upper() in priorities:
            hint = f" (did you mean {wanted.priority.upper()!r}? priorities are upper case)"
        return cls(
            f"event type {wanted.event_type!r} has no priority {wanted.priority!r} in profile "
            f"{wanted.profile!r}{hint}; known priorities: {', '.join(priorities)}"
        )
