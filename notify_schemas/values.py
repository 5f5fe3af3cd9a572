"""The value types every room of the package shares: the ground floor, which imports nothing of the package.

A `Variant` names one schema (profile, event type, priority); a `Violation` is one way a message breaks it; an
`Unreadable` stands for a record that could not be read at all; a `Delivered` notification carries what its body
showed that the notification does not.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from typing import Any, NamedTuple

__all__ = [
    "BASE_URI",
    "JSON_ESCAPE",
    "PRIORITIES",
    "PROFILES",
    "Delivered",
    "Unreadable",
    "Variant",
    "Violation",
    "as_named",
    "ascii_json",
    "kind_of",
    "named_repr",
    "one_line",
    "plain_text",
    "writes_utf8",
]

BASE_URI = "https://notify-schemas.dev/schemas/v1/"
PROFILES = ("seed", "glance")
PRIORITIES = ("INFO", "WARN", "ERROR")

# What a terminal or a log does not show as it is: control characters (a line break, an escape sequence), line
# separators, the marks that reverse the direction of text, a byte-order mark, and lone surrogates (which UTF-8
# cannot carry).
_UNSEEN = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match[0])
    return f"\\x{code:02x}" if code < 256 else f"\\u{code:04x}"


def kind_of(value: Any) -> str:
    """The name of a value's type as an error of the ground floor may write it, which masks nothing: a builtin's
    name, or "another type" (a class made by ``type()`` may be named anything, a URL with its password)."""
    kind = type(value)
    return kind.__name__ if kind.__module__ == "builtins" else "another type"


def plain_text(value: Any, what: str) -> str:
    """``value``, an argument that must be text, as plain text: a str subclass as the text it holds (its own
    methods, ``__str__``, ``__format__``, ``isascii``, may raise or lie), anything else a `TypeError` naming
    ``what``. The ground floor's `notify_schemas.redaction.given_text`, for what cannot import the masking."""
    if type(value) is str:
        return value
    if isinstance(value, str):
        return str.__str__(value)
    raise TypeError(f"{what} must be text, not a value of type {kind_of(value)}")


def one_line(text: str) -> str:
    """Text as one line of a terminal or a log: each character in ``_UNSEEN`` written as its escape (a key, a file
    name or an event type may hold a line break or an escape sequence). `TypeError` for what is not text."""
    if type(text) is not str:
        text = plain_text(text, "text")
    return _UNSEEN.sub(_escape, text) if _UNSEEN.search(text) else text


_NOT_UTF8 = re.compile("[\udc80-\udcff]")  # the bytes of a name that are not UTF-8, as Python hands them over


def as_named(text: str) -> str:
    """Text that names what the system named (a word of the command line, a file's name, an error that quotes one)
    as every output may carry it: each byte of a name that is not UTF-8, which Python hands over as a lone surrogate
    (U+DCFF for the byte 0xFF), written as the shell's ``$'\\xff'`` writes it, ``\\xff``. Left as it was, ``--format
    json`` wrote it as ``"\\udcff"``, which strict JSON readers (orjson, serde) refuse, and a terminal showed
    ``\\udcff``, which no one typed. `TypeError` for what is not text."""
    if type(text) is not str:
        text = plain_text(text, "text")
    return _NOT_UTF8.sub(lambda byte: f"\\x{ord(byte[0]) - 0xDC00:02x}", text) if _NOT_UTF8.search(text) else text


_REPR_ESCAPE = re.compile(r"\\\\|\\udc([89a-f][0-9a-f])")  # in repr's text: a backslash, or a byte's surrogate


def named_repr(text: str) -> str:
    """``repr`` of ``text``, quoted and escaped once, with each byte of a name that is not UTF-8 written as `as_named`
    writes it (``'\\xff'``), not as the lone surrogate Python holds it as (``'\\udcff'``), which no one typed. The
    escapes are those of ``repr`` alone: escaped first (`one_line`) and then given to ``repr``, a text had each of its
    escapes doubled (``'\\\\udcff'``). `TypeError` for what is not text."""
    if type(text) is not str:
        text = plain_text(text, "text")
    quoted = repr(text)
    if "\\udc" not in quoted:
        return quoted
    return _REPR_ESCAPE.sub(lambda m: m[0] if m[1] is None else f"\\x{m[1]}", quoted)


def _json_escape(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    out = []
    for char in error.object[error.start : error.end]:
        code = ord(char)
        if code > 0xFFFF:  # as JSON writes it: a pair of surrogates
            code -= 0x10000
            out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
        else:
            out.append(f"\\u{code:04x}")
    return "".join(out), error.end


JSON_ESCAPE = "notify_schemas.json_escape"
"""The codec error handler of the command line's standard streams: a character the stream's encoding cannot carry
(``PYTHONIOENCODING=ascii``, a lone surrogate in UTF-8) is written as JSON writes it, ``\\u00e9``, which keeps JSON
text JSON and any other text readable; Python's ``backslashreplace`` would write ``\\xe9``, which JSON does not
read."""
codecs.register_error(JSON_ESCAPE, _json_escape)


def ascii_json(text: str) -> str:
    """JSON text with every character beyond ASCII written as its escape: the same JSON, and readable as UTF-8 in any
    encoding a standard stream may have (Latin-1, ASCII). Outside its strings JSON text is ASCII already.
    `TypeError` for what is not text."""
    if type(text) is not str:
        text = plain_text(text, "text")
    return text if text.isascii() else text.encode("ascii", JSON_ESCAPE).decode("ascii")


def writes_utf8(stream: object) -> bool:
    """Whether a text stream writes UTF-8. JSON that the command line writes elsewhere (``PYTHONIOENCODING=latin-1``
    or ``ascii``) is written with `ascii_json`, so that it stays JSON that any reader takes. False for a stream whose
    ``encoding`` cannot be read (a ``__getattr__`` or property of its own that raises, whose text is never passed
    on): `ascii_json` is JSON in any encoding."""
    try:
        return codecs.lookup(stream.encoding).name == "utf-8"  # type: ignore[attr-defined]
    except Exception:  # AttributeError, TypeError, LookupError; whatever a stream's own attribute raises
        return False


@dataclass(frozen=True, order=True)
class Variant:
    """One (event_type, priority) pair of a profile: the unit that has its own schema.

    Its parts are plain text, checked when it is made: a part that is not text is a `TypeError` naming it, and a
    str subclass is kept as the text it holds, since a Variant is hashed, compared, ordered and written by its parts,
    whose own ``__hash__``, ``__eq__``, ``__lt__`` or ``__format__`` would otherwise answer, and may raise or lie."""

    profile: str
    event_type: str
    priority: str

    def __post_init__(self) -> None:
        for name in ("profile", "event_type", "priority"):
            part = self.__dict__[name]
            if type(part) is not str:
                object.__setattr__(self, name, plain_text(part, f"a Variant's {name}"))

    @property
    def name(self) -> str:
        """The variant's file stem, for example ``image.create.INFO``."""
        return f"{self.event_type}.{self.priority}"

    @property
    def path(self) -> str:
        """Path of the variant's schema, relative to the schema root."""
        return f"{self.profile}/{self.name}.json"

    @property
    def bundled_path(self) -> str:
        """Path of the variant's standalone (bundled) schema, relative to the schema root."""
        return f"bundled/{self.path}"

    @property
    def uri(self) -> str:
        """The variant schema's ``$id``."""
        return BASE_URI + self.path

    @property
    def bundled_uri(self) -> str:
        """The bundled schema's ``$id``."""
        return BASE_URI + self.bundled_path


class Violation(NamedTuple):
    """One way a notification breaks its schema (a named tuple: immutable, and cheap to make by the thousand)."""

    pointer: str
    """JSON pointer of the failing value in the message ("" is the whole message)."""
    value: str
    """The failing value as JSON, shortened to 80 characters."""
    rule: str
    """The schema keyword that failed (``required``, ``pattern``, ``type``, ...), or ``variant``."""
    message: str
    """What is wrong, in words."""
    variant: tuple[str, str] | None
    """The ``(event_type, priority)`` whose schema was applied; None when the envelope alone was checked."""

    def __str__(self) -> str:
        """The violation on one line. Its parts are written as the text they hold: a str subclass's own
        ``__format__`` is not asked, and a part that is not text is a `TypeError` naming it."""
        pointer, message, rule = (plain_text(self[i], name) for i, name in _WRITTEN)
        return one_line(f"{pointer or '/'}: {message} [{rule}]")


_WRITTEN = ((0, "a Violation's pointer"), (3, "a Violation's message"), (2, "a Violation's rule"))


class Delivered(dict[str, Any]):
    """A notification a broker delivered, with what its body showed that the decoded notification no longer does:
    the pointers of the keys its JSON text wrote twice (`duplicates`, D35) and how the body broke its wire schema in
    the parts oslo took off (`wire`, D79). What the listener judged, handed on so that the conformance checks judge
    live traffic as the listener does."""

    duplicates: tuple[str, ...]
    wire: tuple[Violation, ...]

    def __init__(self, notification: dict[str, Any], duplicates: tuple[str, ...], wire: tuple[Violation, ...]) -> None:
        """`TypeError` naming the argument for a notification that is no dict, or cannot be read, and for
        duplicates or wire that are no tuple of pointers (text) or of `Violation`."""
        if not isinstance(notification, dict):
            raise TypeError(f"notification must be a dict, not a value of type {kind_of(notification)}")
        if type(duplicates) is not tuple or not all(type(p) is str for p in duplicates):
            raise TypeError(f"duplicates must be a tuple of JSON pointers (text), not {_tuple_kind(duplicates)}")
        if type(wire) is not tuple or not all(isinstance(v, Violation) for v in wire):
            raise TypeError(f"wire must be a tuple of Violations, not {_tuple_kind(wire)}")
        try:
            super().__init__(notification)  # a subclass's own keys() or __getitem__ is asked, and may raise anything
        except Exception as error:
            raise TypeError(f"notification cannot be read: reading it raised {kind_of(error)}") from None
        self.duplicates = duplicates
        self.wire = wire


def _tuple_kind(value: Any) -> str:
    return "a tuple holding a value of another kind" if type(value) is tuple else f"a value of type {kind_of(value)}"


class Unreadable(str):
    """What stands for a record that could not be read as JSON: a line of a recorded stream, an answer of an
    ``--exec`` program, a body a broker delivered. The text is what is shown of it; `reason` says why it could not be
    read. A ``str``, so that whatever shows a record shows it as text; never a JSON value: the conformance checks
    judge it as the unreadable record it is (each fails on it), never as the JSON string its text would make."""

    reason: str

    def __new__(cls, text: str, reason: str) -> Unreadable:
        made = super().__new__(cls, plain_text(text, "an Unreadable's text"))
        made.reason = plain_text(reason, "an Unreadable's reason")
        return made

    def __getnewargs__(self) -> tuple[str, str]:  # type: ignore[override]
        return str(self), self.reason
