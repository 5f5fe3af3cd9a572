"""The package's exceptions: one tree under `NotifySchemasError`, so a caller can catch them all at once."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from notify_schemas.values import Variant, Violation, named_repr, plain_text

__all__ = [
    "ConfigError",
    "DriverNotFoundError",
    "InvalidNotificationError",
    "NotifySchemasError",
    "UnknownVariantError",
]

_SHOWN = 20


class NotifySchemasError(Exception):
    """Base class of every error this package raises. Its arguments are text (its message), each kept as plain
    text: a str subclass as the text it holds, since ``str()`` and ``repr()`` of the error ask each argument's own
    ``__str__`` or ``__repr__``, which may raise (a traceback then shows ``<exception str() failed>``) or quote
    anything. Anything else is a `TypeError` naming ``message``."""

    def __init__(self, *args: object) -> None:
        super().__init__(*(a if type(a) is str else plain_text(a, "message") for a in args))


class UnknownVariantError(NotifySchemasError, LookupError):
    """No schema exists for the asked (event_type, priority) in the profile. ``elsewhere`` names the other profiles
    that have one, in the order of `PROFILES`: the fix is then the profile, not the name."""

    elsewhere: tuple[str, ...] = ()

    @classmethod
    def for_variant(
        cls, wanted: Variant, known: Iterable[Variant], *, others: Mapping[str, Sequence[str]] | None = None
    ) -> UnknownVariantError:
        """An error that names what was asked, what the profile knows, and the closest match: the other profile that
        has the variant, when one of ``others`` (each other profile with the priorities it has of the event type)
        does, before a name that is only close to it."""
        known = list(known)
        others = others or {}
        elsewhere = tuple(p for p, priorities in others.items() if wanted.priority in priorities)
        events = sorted({v.event_type for v in known})
        if wanted.event_type not in events:
            same = [e for e in events if e.lower() == wanted.event_type.lower()]
            close = same or difflib.get_close_matches(wanted.event_type, events, n=1)
            hint = f" (did you mean {close[0]!r}?{' event types are lower case' if same else ''})" if close else ""
            having = next(((p, pr) for p, pr in others.items() if pr), None)
            if elsewhere:
                hint = f" ({cls.has_it(elsewhere[0])})"
            elif having is not None:
                many = "priorities" if len(having[1]) > 1 else "priority"
                hint = f" (profile {having[0]!r} has that event type, with {many} {', '.join(having[1])})"
            error = cls(
                f"unknown event type {named_repr(wanted.event_type)} in profile {wanted.profile!r}{hint}; "
                f"known event types: {', '.join(events)}"
            )
        else:
            priorities = sorted(v.priority for v in known if v.event_type == wanted.event_type)
            hint = ""
            if wanted.priority.upper() in priorities:
                hint = f" (did you mean {wanted.priority.upper()!r}? priorities are upper case)"
            elif elsewhere:
                hint = f" ({cls.has_it(elsewhere[0])})"
            error = cls(
                f"event type {named_repr(wanted.event_type)} has no priority {named_repr(wanted.priority)} in profile "
                f"{wanted.profile!r}{hint}; known priorities: {', '.join(priorities)}"
            )
        error.elsewhere = elsewhere
        return error

    @staticmethod
    def has_it(profile: str) -> str:
        """What every message naming a variant of another profile says of it: ``profile 'glance' has it``."""
        return f"profile {profile!r} has it"


class InvalidNotificationError(NotifySchemasError, ValueError):
    """A notification breaks its schema. ``violations`` holds every way it does, not only the first."""

    def __init__(self, message: Any, violations: Sequence[Violation], *, profile: str) -> None:
        self.notification = message
        self.violations = _violations(violations)
        if not isinstance(profile, str):
            raise TypeError("profile must be the name of a profile (text)")
        self.profile = profile = str.__str__(profile)
        self.variant: tuple[str, str] | None = next((v.variant for v in self.violations if v.variant), None)
        # The variant judged: a known event type and priority, never the producer's own value (whose text may be
        # anything, a credential included, and whose __str__ may raise).
        what = f"{self.variant[0]} {self.variant[1]}" if self.variant else "notification"
        count = len(self.violations)
        lines = [f"{what} is invalid in profile {profile!r}: {count} violation{'s' if count != 1 else ''}"]
        lines += [f"  {v}" for v in self.violations[:_SHOWN]]
        if count > _SHOWN:
            lines.append(f"  ... and {count - _SHOWN} more")
        super().__init__("\n".join(lines))

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled (a process pool's worker handing it back) and copied from what it says, not from the message: the
        # producer's value may hold objects that cannot be pickled, and credentials that must not travel with it.
        # The copy's ``notification`` is None; its violations, profile, variant and text are the original's, and so is
        # its class: a producer's subclass comes back as that subclass.
        return (_rebuilt, (self.violations, self.profile, type(self)))


_MOST_VIOLATIONS = 1_048_576  # more than any report holds: an iterable that runs past it may never end
_END = object()


def _read(read: Any, *args: Any) -> Any:
    """``read(*args)`` on the caller's iterable, its own error a `TypeError` naming ``violations`` (by the error's
    kind alone: its text may quote a credential, which this module cannot mask)."""
    try:
        return read(*args)
    except Exception as error:
        raise TypeError(f"violations must be a list; reading it raised {type(error).__name__}") from None


def _violations(given: Any) -> tuple[Violation, ...]:
    """The violations given, as a tuple, each checked as it is read: a `TypeError` naming ``violations`` for what is
    no list of `Violation` (an endless generator was read for ever; an item of another kind failed with
    AttributeError, and an error of the iterable's own came out as it was). Its text names no value: this module
    cannot mask one, and a producer's may quote a credential."""
    if type(given) is tuple and all(type(v) is Violation for v in given):
        return given
    if isinstance(given, str | bytes) or not isinstance(given, Iterable):
        raise TypeError("violations must be a list of Violation")
    found: list[Violation] = []
    items = _read(iter, given)
    while (item := _read(next, items, _END)) is not _END:
        if not isinstance(item, Violation):
            raise TypeError(f"violations[{len(found)}] is not a Violation")
        if len(found) == _MOST_VIOLATIONS:
            raise TypeError(f"violations must be a list of at most {_MOST_VIOLATIONS:,} items; it holds more")
        found.append(item)
    return tuple(found)


def _rebuilt(
    violations: Sequence[Violation], profile: str, kind: type[InvalidNotificationError] = InvalidNotificationError
) -> InvalidNotificationError:
    """An `InvalidNotificationError` of class ``kind`` made again from what it says; a subclass's own ``__init__``,
    whose arguments may be others, is not called."""
    error = kind.__new__(kind)
    InvalidNotificationError.__init__(error, None, violations, profile=profile)
    return error


class DriverNotFoundError(NotifySchemasError, LookupError):
    """No driver of that name is installed."""


class ConfigError(NotifySchemasError, ValueError):
    """A configuration file or option cannot be used; the message names the file, line or option."""
