"""Notifier configuration, from arguments or from an oslo-style configuration file such as Glance's glance-api.conf.

The options read are the ones Glance and oslo.messaging define: ``[DEFAULT] default_publisher_id``,
``disabled_notifications`` and ``control_exchange``, and ``[oslo_messaging_notifications] driver`` (repeatable),
``transport_url``, ``topics`` and ``retry``. Every other section and option of the file is left alone. Each option
is read from the environment first, as oslo.config reads it (``OS_DEFAULT__CONTROL_EXCHANGE``, ...).
"""

from __future__ import annotations

import os
import string
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from notify_schemas.errors import ConfigError
from notify_schemas.redaction import closed, given_text, mask_text, mask_url, quoted, shown
from notify_schemas.redaction import listed as read_listed
from notify_schemas.values import as_named

__all__ = ["NotifierConfig", "given_config", "is_disabled", "load_config", "names"]

_SECTION = "oslo_messaging_notifications"
_MOST = 16 * 1024 * 1024
"""The largest configuration file read: glance-api.conf is tens of KiB; a device such as /dev/zero never ends, and
its one line would be held whole."""


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


def given_config(config: Any) -> NotifierConfig:
    """The configuration a driver or a Notifier is given: Glance's defaults for None, a `NotifierConfig` as it is,
    anything else a `TypeError` naming ``config`` (asked its truth, a text or a mapping given in its place was taken
    for the defaults when empty, and was read for options it has none of otherwise)."""
    if config is None:
        return NotifierConfig()
    if not isinstance(config, NotifierConfig):
        raise TypeError(f"config must be a NotifierConfig or None, not {quoted(config)}")
    return config


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
    """The items of a list of names or drivers a producer gives, read as `redaction.listed` reads them, at most
    `MAX_NAMES` of them."""
    return read_listed(value, what, MAX_NAMES)


MAX_NAMES = 10_000
"""The most names an option holds (drivers, disabled notifications, topics): a list longer than that is no list a
configuration means, and may never end."""


class _FileError(Exception):
    """What is wrong with a configuration file, at a line (or in the environment variable that gives the option in
    its place, `_Where`): said by line number or name only, since the line itself may hold a credential (a
    transport_url)."""

    def __init__(self, lineno: _Where, message: str) -> None:
        super().__init__(message)
        self.lineno = lineno
        self.message = message

    @property
    def where(self) -> str:
        return f"line {self.lineno}" if isinstance(self.lineno, int) else f"environment variable {self.lineno}"


_Where = int | str
"""Where a value is given: the line of the file, or the name of the environment variable that gives it instead."""


_Values = dict[str, dict[str, list[tuple[_Where, str, str]]]]
"""Every option of a file: by section, as oslo.config names it, and by option, each value given with its line and
as written (its quotes kept: ``'password': 'x'`` unquoted no longer reads as a secret)."""


def _parsed(text: str) -> _Values:
    """Every option of a file, read as oslo.config's parser reads one (``oslo_config.iniparser``), line by line:

    - a line is stripped at its end only; a blank line ends the option above it;
    - a line that starts with a space or a tab continues the option above it (its text, stripped, on a line of its
      own in the value), and is an error where none is open (after a blank line, a comment or a header): configparser
      read a comment there, or a value across blank lines;
    - a line that starts with ``[`` is a header, which must end with ``]`` (a comment after it makes the file
      unreadable) and name a section, spaces included; every name but ``DEFAULT`` is lowered, as oslo.config looks a
      group up (``[default]`` is another section);
    - a line that starts with ``#`` or ``;`` is a comment; any other is ``option = value`` or ``option: value``, parted
      at the first of the two, the option stripped and kept in its case, the value stripped and its quotes taken off
      (``"x"`` or ``'x'``; the first line of a value only).

    Each error is the first oslo.config would raise, at the line it names."""
    sections: _Values = {}
    section: str | None = None
    key, start, value, written = "", 0, [""], ""

    def assign() -> None:
        if section is None:
            raise _FileError(start, "an option before any [section] header")
        sections[section].setdefault(key, []).append((start, "\n".join(value), "\n".join([written, *value[1:]])))

    for lineno, line in enumerate(text.split("\n"), 1):
        line = line.rstrip()
        if line.startswith((" ", "\t")):
            if not key:
                raise _FileError(lineno, "Unexpected continuation line: a line that starts with a space continues the "
                                         "option above it, which a blank line, a comment or a header ends")  # fmt: skip
            value.append(line.lstrip())
            continue
        if key:
            assign()
            key = ""
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            if not line.endswith("]"):
                raise _FileError(lineno, "a [section] header must end with ] (oslo.config reads a comment only on a "
                                         "line of its own)")  # fmt: skip
            if len(line) <= 2:
                raise _FileError(lineno, "a [section] header must name a section")
            section = line[1:-1] if line[1:-1] == "DEFAULT" else line[1:-1].lower()
            sections.setdefault(section, {})
            continue
        cut = min((i for i in (line.find("="), line.find(":")) if i >= 0), default=-1)
        if cut < 0:
            raise _FileError(lineno, "not a [section], an option = value or a comment")
        key, start, written = line[:cut].strip(), lineno, line[cut + 1 :].strip()
        value = [_unquoted(written)]
        if not key:
            raise _FileError(lineno, "an option = value without the option's name")
    if key:
        assign()
    return sections


def _unquoted(value: str) -> str:
    """A value as oslo.config reads it: stripped, and without the quotes around it (``"image.x"`` or ``'image.x'`` is
    ``image.x``)."""
    value = value.strip()
    if value and value[0] == value[-1] and value.startswith(('"', "'")):
        return value[1:-1]
    return value


_OPTIONS: dict[tuple[str, str], tuple[str, Any]] = {
    ("DEFAULT", "default_publisher_id"): ("str", "image.localhost"),
    ("DEFAULT", "disabled_notifications"): ("list", []),
    ("DEFAULT", "control_exchange"): ("str", "glance"),
    ("DEFAULT", "transport_url"): ("str", "rabbit://"),
    (_SECTION, "driver"): ("multi", []),
    (_SECTION, "transport_url"): ("str", None),
    (_SECTION, "topics"): ("list", ["notifications"]),
    (_SECTION, "retry"): ("int", -1),
}
"""The options read, as Glance and oslo.messaging register them: their type and their default (Glance's control
exchange; oslo.messaging's [DEFAULT] transport_url, which only a ``$transport_url`` in another value shows)."""


_SECRET = ("transport_url",)
"""The options read that oslo.config keeps secret: no part of their value is shown (a $ may be in a password)."""


class _Template(string.Template):
    idpattern = r"[_a-z][\._a-z0-9]*"  # oslo.config's, the letters in any case


class _Options:
    """The options of `_OPTIONS` as oslo.config gives them from a parsed file and the environment: the environment
    variable of an option where it is set (`environment_variable`), else the last value of a line each (all of them
    for a MultiStrOpt), each ``$name`` or ``${name}`` in it replaced by the value of the option it names, then
    converted to the option's type."""

    def __init__(self, values: _Values, environ: Mapping[str, str]) -> None:
        self.values = values
        variables = (environment_variable(group, option) for group, option in _OPTIONS)
        self.environ = {name: environ[name] for name in variables if name in environ}
        for name, text in self.environ.items():
            _check_utf8(name, text)
        self.reading: list[tuple[str, str]] = []

    def given(self, group: str, option: str) -> list[tuple[_Where, str, str]]:
        """Each value given to ``option`` in ``group``, with where and as written: the environment variable's alone
        where it is set, as oslo.config reads it in place of the file's (its text as it is: no quote taken off, no
        space stripped), else each line of the file."""
        variable = environment_variable(group, option)
        if variable not in self.environ:
            return self.values.get(group, {}).get(option, [])
        text = self.environ[variable]
        return [(variable, text, text)]

    def get(self, group: str, option: str) -> Any:
        """The option's value as oslo.config converts it: text, a list, an integer, or None (``retry =``)."""
        kind, default = _OPTIONS[(group, option)]
        given = self.given(group, option)
        if not given:
            return default
        if (group, option) in self.reading:
            raise _FileError(given[-1][0], f"[{group}] {option} refers to itself through $names, which oslo.config "
                                           "replaces without end")  # fmt: skip
        self.reading.append((group, option))
        try:
            if kind == "multi":
                if isinstance(given[0][0], str):  # the environment's text, which oslo.config reads letter by letter
                    return list(self._substituted(group, option, given[0][0], given[0][1]))
                return [self._substituted(group, option, lineno, text) for lineno, text, _ in given]
            lineno, text, written = given[-1]
            try:
                return _converted(kind, self._substituted(group, option, lineno, text))
            except ValueError:
                # As written, quotes included, masked whole: a cut first may part a secret from what marks it.
                shown_as = mask_text(written)
                shown_as = shown_as if len(shown_as) <= 40 else shown_as[:40] + "..."
                raise _FileError(lineno, f"[{group}] {option} must be an integer, not {shown_as!r}") from None
        finally:
            self.reading.pop()

    def _substituted(self, group: str, option: str, lineno: _Where, text: str) -> str:
        """``text`` with each ``$name`` replaced as oslo.config replaces it (``$$`` and ``\\$`` are a ``$``); a name
        that is none of the options read is an error: oslo.config looks it up among the options the service
        registered, which only the service knows, and raises for one it has not."""
        if "$" not in text:
            return text
        options = self

        class Lookup:
            def __getitem__(self, name: str) -> str:
                where, dot, named = name.partition(".")
                # group.option names an option of a group: DEFAULT is none (oslo.config: no such group)
                found = (where, named) if dot and where != "DEFAULT" and (where, named) in _OPTIONS else None
                found = found or next(((g, o) for g, o in ((group, name), ("DEFAULT", name)) if (g, o) in _OPTIONS),
                                      None)  # fmt: skip
                if found is None:
                    # Not named where it may be part of a password: oslo.config keeps transport_url secret.
                    named = closed(shown(mask_text(name), 60))
                    held, named = ("a $name", "it names") if option in _SECRET else (f"${named}", named)
                    raise _FileError(lineno, f"[{group}] {option} holds {held}, which oslo.config replaces by the "
                                             f"value of the option {named}, which is none of the notifications'; "
                                             "write $$ for a $")  # fmt: skip
                value = options.get(*found)
                return "" if value is None else str(value)

        return _Template(text.replace("\\$", "$$")).safe_substitute(Lookup())  # type: ignore[arg-type]


def _check_utf8(variable: str, text: str) -> None:
    """Nothing, or a `_FileError` naming ``variable`` where its value holds bytes that are not UTF-8 (which Python
    holds as lone surrogates), as a file's are refused: no notification can carry them."""
    if text.isascii():
        return
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        byte = ord(text[error.start]) - 0xDC00
        held = f"the byte 0x{byte:02x}" if 0x80 <= byte <= 0xFF else "a lone surrogate"
        raise _FileError(variable, f"not UTF-8 text: it holds {held}") from None


def environment_variable(group: str, option: str) -> str:
    """The environment variable oslo.config reads ``option`` of ``group`` from before any file: ``OS_``, the group
    and the option upper-cased, parted by ``__`` (oslo_config.sources._environment)."""
    return f"OS_{group.upper()}__{option.upper()}"


def _converted(kind: str, text: str) -> Any:
    """A value's text as oslo.config's type of the option converts it; ``ValueError`` where it cannot."""
    if kind == "list":  # oslo_config.types.List: its items stripped, the commas that end it dropped, "a, ,b" 3 items
        text = text.strip().rstrip(",")
        return [item.strip() for item in text.split(",")] if text else []
    if kind == "int":  # oslo_config.types.Integer: int() of the text, None where it is blank
        return int(text) if text.strip() else None
    return text


def _drivers(options: _Options) -> tuple[str, ...]:
    """The ``driver`` lines of the notifications section, in order. The option is a MultiStrOpt: a line is one name,
    never a list, and one that lists several (``driver = log, noop``, ``log,``, or a name on each of several lines) is
    an error, not read as the drivers it looks like: Glance, given the same file, loads no driver of that name. An
    empty line names no driver (oslo.messaging loads none of the name ``""``); a name given twice is loaded once, as
    oslo.messaging loads it. The environment's ``OS_OSLO_MESSAGING_NOTIFICATIONS__DRIVER``, which oslo.config reads
    in place of every line, letter by letter (``log`` is the drivers ``l``, ``o`` and ``g``), is an error where it
    names any; set empty, it names no driver."""
    names = options.get(_SECTION, "driver")
    given = options.given(_SECTION, "driver")
    if given and isinstance(given[0][0], str):
        if names:
            raise _FileError(given[0][0], f"[{_SECTION}] driver is read from the environment letter by letter: "
                                          f"oslo.messaging reads {quoted(given[0][1])} as the drivers "
                                          f"{', '.join(map(quoted, names[:4]))}{', ...' if len(names) > 4 else ''}, "
                                          "which none is, and sends nothing; name each driver on a driver = line "
                                          "of the file, and unset the variable")  # fmt: skip
        return ()
    for (lineno, _, _), name in zip(options.given(_SECTION, "driver"), names, strict=True):
        if "," in name or "\n" in name:
            raise _FileError(lineno, f"[{_SECTION}] driver names one driver a line: oslo.messaging reads "
                                     f"{quoted(name)} as one name, which no driver has, and sends nothing through "
                                     "it; write a driver = line for each")  # fmt: skip
    return tuple(dict.fromkeys(name for name in names if name))


_LISTS = (("drivers", "driver", _SECTION), ("disabled_notifications", "disabled_notifications", "DEFAULT"),
          ("topics", "topics", _SECTION))  # fmt: skip
"""The options of a file that list names: the `NotifierConfig` field, the option's name, its section."""


def load_config(path: str | Path, **overrides: Any) -> NotifierConfig:
    """Read the notification options of an oslo-style file as oslo.config reads them, with the environment's
    variables (``OS_DEFAULT__CONTROL_EXCHANGE``, ``OS_OSLO_MESSAGING_NOTIFICATIONS__TOPICS``, ...) in place of the
    file's options they name, as oslo.config reads them for Glance; ``overrides`` (non-None) win over both, as
    oslo.config's command line does."""
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
    text = ""
    try:
        text = _read_once(path)
        values = _values(_Options(_parsed(text), os.environ))
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
    except _FileError as error:
        if text.startswith("\ufeff") and error.lineno == 1:  # the header is there, after the mark
            raise ConfigError(f"{name}: line 1: the file starts with a UTF-8 byte-order mark, which oslo.config does "
                              "not read either: save it without one") from None  # fmt: skip
        raise ConfigError(f"{name}: {error.where}: {error.message}") from None
    for option, key, where in _LISTS:
        if len(values.get(option, ())) > MAX_NAMES:  # said as the file's fault, not as a TypeError of NotifierConfig
            raise ConfigError(f"{name}: [{where}] {key} lists more than {MAX_NAMES:,} names")
    values["source"] = str(path)
    values.update({k: v for k, v in overrides.items() if v is not None})
    return NotifierConfig(**values)


def _values(options: _Options) -> dict[str, Any]:
    """The `NotifierConfig` fields that a file's options give, each as oslo.config reads it: an option the file does
    not give is left to the default."""
    values: dict[str, Any] = {}
    for field_name, group, option in (("publisher_id", "DEFAULT", "default_publisher_id"),
                                      ("control_exchange", "DEFAULT", "control_exchange"),
                                      ("disabled_notifications", "DEFAULT", "disabled_notifications"),
                                      ("topics", _SECTION, "topics")):  # fmt: skip
        if options.given(group, option):  # "topics =" too: no topic, not the default one; "control_exchange =" ""
            value = options.get(group, option)
            values[field_name] = tuple(value) if isinstance(value, list) else value
    if drivers := _drivers(options):
        values["drivers"] = drivers
    # As in oslo.messaging, a transport URL not given (or empty) for notifications is the one of [DEFAULT].
    url = options.get(_SECTION, "transport_url") or (options.given("DEFAULT", "transport_url") and
                                                     options.get("DEFAULT", "transport_url"))  # fmt: skip
    if url:
        values["transport_url"] = url
    if (retry := options.get(_SECTION, "retry")) is not None:  # "retry =": None, which oslo.messaging reads as -1
        values["retry"] = retry
    return values


def _read_once(path: Path) -> str:
    """The file's text, read once and at most `_MOST` bytes of it. Read once: a pipe (``--config-file <(...)``)
    gives its content a single time, and a second reading found it empty (the drivers were read so, and silently
    lost). Where a transport makes oslo.messaging read the file again, a pipe is refused there
    (`notify_schemas.broker.messaging`)."""
    with path.open("rb") as f:
        data = f.read(_MOST + 1)
    if len(data) > _MOST:
        raise ConfigError(f"longer than {_MOST:,} bytes: no configuration file")
    # Lines end as a file opened as text ends them (universal newlines), as oslo.config reads them.
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
    for an event type that is not text, or a ``disabled`` that is no list of names (read as `names` reads it: an
    endless generator was read for ever); a str subclass is read as the text it holds (its own == may lie or raise).
    """
    if type(event_type) is not str:
        event_type = given_text(event_type, "event_type")
    if type(disabled) is not tuple or not all(type(item) is str for item in disabled):
        disabled = names(disabled, "disabled")  # read once, bounded, each item as plain text
    return any(event_type == item or event_type.startswith(item + ".") for item in disabled)
