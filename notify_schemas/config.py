"""Notifier configuration, from arguments or from an oslo-style configuration file such as Glance's glance-api.conf.

The options read are the ones Glance and oslo.messaging define: ``[DEFAULT] default_publisher_id``,
``disabled_notifications`` and ``control_exchange``, and ``[oslo_messaging_notifications] driver`` (repeatable),
``transport_url``, ``topics`` and ``retry``. Every other section and option of the file is left alone.
"""

from __future__ import annotations

import configparser
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from notify_schemas.errors import ConfigError
from notify_schemas.redaction import closed, error_text, mask_text, mask_url, quoted, shown
from notify_schemas.values import as_named

__all__ = ["NotifierConfig", "is_disabled", "load_config", "names"]

_SECTION = "oslo_messaging_notifications"
_MOST = 16 * 1024 * 1024
"""The largest configuration file read: glance-api.conf is tens of KiB; a device such as /dev/zero never ends, and
configparser would hold its one line whole."""


@dataclass(frozen=True)
class NotifierConfig:
    """What a Notifier needs to know, with Glance's defaults."""

    drivers: tuple[str, ...] = ("noop",)
    publisher_id: str = "image.localhost"
    disabled_notifications: tuple[str, ...] = ()
    transport_url: str | None = None
    topics: tuple[str, ...] = ("notifications",)
    retry: int = -1
    control_exchange: str = "glance"
    source: str | None = field(default=None, compare=False)
    """The file the options were read from, if any."""

    def __post_init__(self) -> None:
        # Checked when made, with an error naming the option: a driver name given as text alone would otherwise be
        # read letter by letter, and a wrong type fail on the first notification, deep inside.
        for name in ("drivers", "disabled_notifications", "topics"):
            object.__setattr__(self, name, names(getattr(self, name), name))
        for name in ("publisher_id", "control_exchange"):
            if not isinstance(getattr(self, name), str):
                raise TypeError(f"{name} must be text, not {quoted(getattr(self, name))}")
        for name in ("transport_url", "source"):
            if getattr(self, name) is not None and not isinstance(getattr(self, name), str):
                raise TypeError(f"{name} must be text or None, not {quoted(getattr(self, name))}")
        if type(self.retry) is not int:
            raise TypeError(f"retry must be an integer, not {quoted(self.retry)}")

    def __repr__(self) -> str:
        # A transport URL holds the broker's password (rabbit://glance:SECRET@host): masked, as every text is.
        shown_as = {f.name: _masked(getattr(self, f.name)) for f in fields(self)}
        if self.transport_url:  # one written without // too (u:SECRET@host)
            shown_as["transport_url"] = mask_url(self.transport_url)
        options = ", ".join(f"{name}={value!r}" for name, value in shown_as.items())
        return f"NotifierConfig({options})"


def _masked(value: Any) -> Any:
    """An option's value as a repr may show it: text masked (`notify_schemas.redaction.mask_text`), lists too."""
    if isinstance(value, str):
        return mask_text(str.__str__(value))
    if isinstance(value, tuple | list):
        return tuple(_masked(item) for item in value)
    return value


def names(value: Any, what: str) -> tuple[str, ...]:
    """A list of names (drivers, event types, topics) as a tuple of text, or a ``TypeError`` naming ``what``: text
    alone is refused, since it would be read letter by letter."""
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise TypeError(f"{what} must be a list of names, not {quoted(value)}")
    found: list[str] = []
    for index, item in listed(value, what):
        if not isinstance(item, str):
            raise TypeError(f"{what}[{index}] must be text, not {quoted(item)}")
        found.append(str.__str__(item))
    return tuple(found)


def listed(value: Iterable[Any], what: str) -> Iterator[tuple[int, Any]]:
    """The items of a list a producer gives (of names, of drivers), with their index, read one at a time so that
    each can be checked as it comes: an endless iterable (``itertools.count()``) ends at its first wrong item, or
    after `MAX_NAMES` with a ``TypeError`` naming ``what``, never read on for ever; an error of the iterable's own
    while it is read is a ``TypeError`` naming ``what``, its text masked."""
    try:
        for index, item in enumerate(value):
            if index == MAX_NAMES:
                raise _TooMany
            yield index, item
    except _TooMany:
        raise TypeError(f"{what} must be a list of at most {MAX_NAMES:,} items; it holds more") from None
    except Exception as error:
        raise TypeError(f"{what} must be a list; reading it raised {error_text(error)}") from None


class _TooMany(Exception):
    pass


MAX_NAMES = 10_000
"""The most names an option holds (drivers, disabled notifications, topics): a list longer than that is no list a
configuration means, and may never end."""


def _list(text: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in text.split(",") if item.strip())


def _unquoted(value: str) -> str:
    """An option's value as oslo.config reads it: stripped, and without the quotes around it (``"image.x"`` or
    ``'image.x'`` is ``image.x``). Only the first line is unquoted; continuation lines follow it as they are."""
    first, newline, rest = value.partition("\n")
    first = first.strip()
    if first and first[0] == first[-1] and first.startswith(('"', "'")):
        first = first[1:-1]
    return first + newline + rest


class _HeaderError(configparser.Error):
    """A ``[section]`` line that oslo.config refuses, which configparser reads as a section all the same."""

    def __init__(self, lineno: int, message: str) -> None:
        super().__init__(message)
        self.lineno = lineno
        self.message = message


def _section(line: str, lineno: int) -> str | None:
    """The section a line starts, as oslo.config reads it, or None. A header is a line that starts with ``[``; it must
    end with ``]`` (oslo.config refuses the file when a comment follows it, where configparser takes what comes before
    the last ``]``), and its name is what is between, spaces included (``[ DEFAULT ]`` is another section)."""
    line = line.rstrip()
    if not line.startswith("["):
        return None
    if not line.endswith("]"):
        raise _HeaderError(lineno, "a [section] header must end with ] (oslo.config reads a comment only on a line "
                                   "of its own)")  # fmt: skip
    return line[1:-1]


def _sections_named_as_oslo_names_them(text: str) -> str:
    """The text with every section's name but ``DEFAULT`` in lower case, as oslo.config looks a group up
    (``[OSLO_MESSAGING_NOTIFICATIONS]`` is the notifications' section, ``[default]`` is not ``[DEFAULT]``)."""
    lines = text.split("\n")
    for number, line in enumerate(lines):
        name = line.rstrip()[1:-1]
        if line.startswith("[") and line.rstrip().endswith("]") and name != "DEFAULT":
            lines[number] = f"[{name.lower()}]"
    return "\n".join(lines)


class _DriverListError(configparser.Error):
    """A ``driver`` line that names several drivers, which oslo.messaging reads as the name of one."""

    def __init__(self, lineno: int, value: str) -> None:
        super().__init__(value)
        self.lineno = lineno
        self.message = (f"[{_SECTION}] driver names one driver a line: oslo.messaging reads {quoted(value)} as one "
                        "name, which no driver has, and sends nothing through it; write a driver = line for "
                        "each")  # fmt: skip


def _read_drivers(text: str) -> tuple[str, ...]:
    """Every ``driver`` line of the notifications section, in order (configparser would keep only the last), read
    as oslo.config reads an option: the key and the value parted at the first ``=`` or ``:``, the value unquoted. The
    option is a MultiStrOpt: a line is one name, never a list, and one that lists several (``driver = log, noop``) is
    error (``log,`` too), not read as the drivers it looks like: Glance, given the same file, loads no driver of that
    name."""
    drivers: list[str] = []
    section = None
    for lineno, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith(("#", ";")):
            continue
        header = _section(line, lineno)
        if header is not None:
            section = header
            continue
        cut = min((i for i in (stripped.find("="), stripped.find(":")) if i >= 0), default=-1)
        if section == _SECTION and cut >= 0 and stripped[:cut].strip() == "driver":
            value = _unquoted(stripped[cut + 1 :]).strip()
            if "," in value:
                raise _DriverListError(lineno, value)
            drivers += [value] if value else []  # an empty line: no driver, as none given
    return tuple(dict.fromkeys(drivers))  # each loaded once, as oslo.messaging loads a driver named again


def _parse_error(error: configparser.Error) -> str:
    """What is wrong with a file, by line number only: the line itself may hold a credential (a transport_url)."""
    if isinstance(error, _HeaderError | _DriverListError):
        return f"line {error.lineno}: {error.message}"
    if isinstance(error, configparser.MissingSectionHeaderError):
        return f"line {error.lineno}: an option before any [section] header"
    if isinstance(error, configparser.ParsingError):
        lines = ", ".join(str(number) for number, _ in error.errors[:10])
        more = ", ..." if len(error.errors) > 10 else ""
        return f"line {lines}{more}: not a [section], an option = value or a comment"
    return " ".join(mask_text(str(error)).split())


_LISTS = (("drivers", "driver", _SECTION), ("disabled_notifications", "disabled_notifications", "DEFAULT"),
          ("topics", "topics", _SECTION))  # fmt: skip
"""The options of a file that list names: the `NotifierConfig` field, the option's name, its section."""


def load_config(path: str | Path, **overrides: Any) -> NotifierConfig:
    """Read the notification options of an oslo-style file; ``overrides`` (non-None) win over the file."""
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"a configuration file's path must be text or a path, not {quoted(path)}")
    if isinstance(path, str):
        path = str.__str__(path)  # a subclass's own methods are not asked
        if not path:
            raise ConfigError("a configuration file's name cannot be empty")
    # The name as given, masked, on one line and cut: Path would make swift://u:p@h swift:/u:p@h, which no longer
    # reads as a URL.
    name = closed(shown(as_named(str(path)), 200))  # closed: what follows it is not read as part of a masked value
    path = Path(path)
    # [DEFAULT] is a section as any other: configparser would lend its options to every section, where oslo.messaging
    # reads topics and retry from [oslo_messaging_notifications] alone. No header can name "\n".
    parser = configparser.ConfigParser(interpolation=None, strict=False, default_section="\n")
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # oslo.config's option names keep their case
    try:
        text = _read_once(path)
        text = _sections_named_as_oslo_names_them(text)
        parser.read_string(text, source=str(path))
        drivers = _read_drivers(text)
    except FileNotFoundError:
        raise ConfigError(f"{name}: no such configuration file") from None
    except ConfigError as error:  # too long
        raise ConfigError(f"{name}: {error}") from None
    except OSError as error:
        raise ConfigError(f"{name}: cannot read: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        raise ConfigError(f"{name}: line {_line_of(error)}: not UTF-8 text: it holds the byte "
                          f"0x{error.object[error.start]:02x}") from None  # fmt: skip
    except (UnicodeEncodeError, ValueError):  # a lone surrogate or a NUL in the name: no file can have it
        raise ConfigError(f"{name}: not a name a file can have") from None
    except configparser.Error as error:
        if text.startswith("\ufeff") and getattr(error, "lineno", None) == 1:  # the header is there, after the mark
            raise ConfigError(f"{name}: line 1: the file starts with a UTF-8 byte-order mark, which oslo.config does "
                              "not read either: save it without one") from None  # fmt: skip
        raise ConfigError(f"{name}: {_parse_error(error)}") from None
    values: dict[str, Any] = {"source": str(path)}
    # Every value as oslo.config reads it: unquoted.
    own = parser["DEFAULT"] if parser.has_section("DEFAULT") else {}
    defaults = {key: _unquoted(value) for key, value in own.items()}
    if "default_publisher_id" in defaults:
        values["publisher_id"] = defaults["default_publisher_id"]
    if defaults.get("control_exchange"):
        values["control_exchange"] = defaults["control_exchange"]
    if "disabled_notifications" in defaults:
        values["disabled_notifications"] = _list(defaults["disabled_notifications"])
    if drivers:
        values["drivers"] = drivers
    found = parser[_SECTION] if parser.has_section(_SECTION) else {}
    section = {key: _unquoted(value) for key, value in found.items()}
    # As in oslo.messaging, a transport URL not given (or empty) for notifications is the one of [DEFAULT].
    if section.get("transport_url") or defaults.get("transport_url"):
        values["transport_url"] = section.get("transport_url") or defaults["transport_url"]
    if "topics" in section:  # "topics =" too: oslo.config reads it as no topic, not as the default one
        values["topics"] = _list(section["topics"])
    if section.get("retry"):
        try:
            values["retry"] = int(section["retry"])
        except ValueError:
            # As written, quotes included ('password': '...' unquoted no longer reads as a secret), masked whole: a
            # cut first may part a secret from what marks it.
            retry = mask_text(found["retry"].strip())
            retry = retry if len(retry) <= 40 else retry[:40] + "..."
            raise ConfigError(f"{name}: [{_SECTION}] retry must be an integer, not {retry!r}") from None
    for option, key, where in _LISTS:
        if len(values.get(option, ())) > MAX_NAMES:  # said as the file's fault, not as a TypeError of NotifierConfig
            raise ConfigError(f"{name}: [{where}] {key} lists more than {MAX_NAMES:,} names")
    values.update({k: v for k, v in overrides.items() if v is not None})
    return NotifierConfig(**values)


def _read_once(path: Path) -> str:
    """The file's text, read once and at most `_MOST` bytes of it. Read once: a pipe (``--config-file <(...)``)
    gives its content a single time, and a second reading found it empty (the drivers were read so, and silently
    lost). Where a transport makes oslo.messaging read the file again, a pipe is refused there
    (`notify_schemas.broker.messaging`)."""
    with path.open("rb") as f:
        data = f.read(_MOST + 1)
    if len(data) > _MOST:
        raise ConfigError(f"longer than {_MOST:,} bytes: no configuration file")
    # Lines end as a file opened as text ends them (universal newlines), which configparser read before.
    return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


def _line_of(error: UnicodeDecodeError) -> int:
    """The line of the file's first byte that is not UTF-8, counted as the file's lines are read: a line ends at
    ``\n``, ``\r\n`` or ``\r``."""
    before = bytes(error.object[: error.start])
    return before.replace(b"\r\n", b"\n").replace(b"\r", b"\n").count(b"\n") + 1


def is_disabled(event_type: str, disabled: Iterable[str]) -> bool:
    """An event is disabled when its type is listed, or a group it belongs to (``image``, ``image.member``, ...).

    Glance's option help names ``image.member`` as a group; Glance's code compares only the first word, so there
    ``image.member`` disables nothing. This follows the documented meaning (schemas/DECISIONS.md, D28). `TypeError`
    for an event type that is not text; a str subclass is read as the text it holds (its own == may lie or raise).
    """
    if type(event_type) is not str:
        if not isinstance(event_type, str):
            raise TypeError(f"event_type must be text, not {quoted(event_type)}")
        event_type = str.__str__(event_type)
    return any(event_type == item or event_type.startswith(item + ".") for item in disabled)
