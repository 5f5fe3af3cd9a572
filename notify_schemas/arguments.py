"""Types for command-line options that every command shares: counts and times that refuse what makes no sense."""

from __future__ import annotations

import argparse
import errno
import os
import re
import stat
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from notify_schemas.redaction import mask_text, mask_words, quoted
from notify_schemas.values import as_named, one_line

__all__ = [
    "CONNECT_TIMEOUT",
    "MAX_EXAMPLES",
    "MAX_JOBS",
    "MAX_RECORD_BYTES",
    "MAX_SECONDS",
    "MaskedParser",
    "as_named",
    "config_file",
    "count",
    "examples",
    "io_error_text",
    "jobs",
    "named_error",
    "open_output",
    "output",
    "positive",
    "record_bytes",
    "reserve_output",
    "same_file",
    "seconds",
    "seed",
    "shown_name",
    "text",
]

MAX_RECORD_BYTES = 1024**3
"""The largest ``--max-record-bytes``: a record is held whole in memory, and readers take no larger size."""
MAX_JOBS = 256
"""The most processes ``--jobs`` takes: each is a process of its own, with its own memory."""
MAX_EXAMPLES = 10_000
"""The most ``--examples`` takes: generated cases per variant (or per search); 10,000 is already hours of work."""
MAX_SECONDS = 365 * 24 * 3600
"""The longest time an option takes: a year. Leave a timeout out to wait without end."""
CONNECT_TIMEOUT = 30.0
"""How long a command that listens waits for its broker by default (``--connect-timeout``): oslo.messaging itself
retries a connection without end, so a broker that is not there would hold the command for ever."""


class _Once(argparse._StoreAction):
    """An option that takes one value: given again with another value, a usage error naming it, not the first value
    dropped without a word (``--profile glance ... --profile seed`` judged by seed)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:  # fmt: skip
        given: dict[str, Any] = parser.__dict__.setdefault("_given", {})
        if self.option_strings and self.dest in given and given[self.dest] != values:
            names = "/".join(self.option_strings)
            first, then = (quoted(v if isinstance(v, str) else str(v)) for v in (given[self.dest], values))
            parser.error(f"argument {names}: given twice, as {first} and as {then}: give it once")
        given[self.dest] = values
        super().__call__(parser, namespace, values, option_string)


_MISSING = ("the following arguments are required: ", "one of the arguments ")  # argparse's words for what is missing


class _Held(Exception):
    """A usage error held back while the command line is read again: an unknown option is said before it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class MaskedParser(argparse.ArgumentParser):
    """argparse's parser, whose errors quote a word given (an unknown command, a choice, a number that is not one)
    masked and on one line, as all output is: a word may be a URL with its password, or ``password=...``. Each word
    of ``words`` (the command line being read) that an error quotes with ``repr`` is masked before it was quoted,
    since ``repr`` escapes a quote in it and the masking would no longer match.

    An option is written whole and given once (D85): argparse takes a prefix of an option's name for the option
    (``--prof glance`` for ``--profile``), which an option added later makes ambiguous or turns into another, and
    lets a second value of an option drop the first in silence."""

    words: Sequence[str] = ()
    _holding = ""  # which usage errors `error` holds back: "missing" ones, "all", or none

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)
        self.register("action", None, _Once)
        self.register("action", "store", _Once)

    def error(self, message: str) -> Any:
        if self.__dict__.get("_holding") and (self._holding == "all" or message.startswith(_MISSING)):
            raise _Held(message)
        self.refuse(one_line(mask_words(message, self.words)))

    def refuse(self, message: str) -> Any:
        """End with a usage error: the usage line, then ``message``, exit 2."""
        super().error(message)

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        """argparse's parsing, but an option the command does not have is said before the arguments it lacks:
        argparse says first what is missing (``sample --version`` was "the following arguments are required:
        event_type, priority"), naming as the fault what was never meant to be given."""
        words = list(sys.argv[1:] if args is None else args)
        try:
            parsed, extras = self._parsed(words, namespace, holding="missing")
        except _Held as missing:
            unknown = self._unknown_options(words)
            self.error(f"unrecognized arguments: {' '.join(unknown)}" if unknown else missing.message)
        return parsed, self.words_left(parsed, extras)

    def _parsed(self, words: list[str], namespace: Any, holding: str) -> Any:
        self.__dict__.pop("_given", None)  # the values of one command line, for `_Once`
        self._holding = holding
        try:
            return super().parse_known_args(words, namespace)
        finally:
            self._holding = ""

    def _unknown_options(self, words: list[str]) -> list[str]:
        """The words that look like options and that none of the command's options takes, as argparse reads them
        with nothing required: none when it fails for another reason."""
        groups: list[Any] = [*self._actions, *self._mutually_exclusive_groups]
        required = [group.required for group in groups]
        for group in groups:
            group.required = False
        try:
            _, extras = self._parsed(words, None, holding="all")
        except _Held:
            return []
        finally:
            for group, was in zip(groups, required, strict=True):
                group.required = was
        left = extras[: extras.index("--")] if "--" in extras else extras
        return [word for word in left if word.startswith("-") and word != "-"]

    def words_left(self, namespace: argparse.Namespace, extras: list[str]) -> list[str]:
        """The words no option or argument took, ``--`` not among them: it ends the options, and is no word itself.
        argparse keeps it when no argument is left to take the words after it, and then calls it unrecognized
        (``emit image.create INFO --payload p.json --``, ``conformance --stream s.jsonl --``); a word after it is
        still one too many."""
        if "--" in extras:
            at = extras.index("--")
            return extras[:at] + extras[at + 1 :]
        return extras


def shown_name(name: str) -> str:
    """A name given on the command line (a file's, a folder's, a broker's URL) as the command's output names it:
    masked as all output is (`mask_text`), its bytes that are not UTF-8 written as `as_named` writes them."""
    return mask_text(as_named(name))


def drop_output(stream: TextIO | None = None) -> None:
    """A stream (stdout by default) whose reader went away or that cannot be written: what is still buffered goes
    nowhere, so that exiting does not fail on it."""
    try:
        fd = (sys.stdout if stream is None else stream).fileno()
    except ValueError:  # closed (by a producer's code, run in this process): nothing is left to write at exit
        return
    os.dup2(os.open(os.devnull, os.O_WRONLY), fd)


def open_output(name: str, *, append: bool = False, mode: int = 0o666) -> int:
    """A file descriptor of ``name`` opened for writing (created, emptied unless ``append``), blocking as usual. A
    FIFO that no process reads is an error at once (opening it would wait for a reader without end, after a run
    whose report or tally would then be lost to Ctrl-C): it is opened without waiting, which only a FIFO heeds.
    The system says ENXIO of other files too, and those are named as what they are: a socket, or a device that is
    not there (/dev/tty without a terminal), never as a FIFO."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(name, flags, mode)
    except OSError as error:
        if error.errno == errno.ENXIO:
            raise OSError(errno.ENXIO, _no_reader(name) or error.strerror, name) from None
        raise
    os.set_blocking(fd, True)
    return fd


def reserve_output(name: str) -> int | None:
    """Make sure, before a run that may take minutes, that ``name`` can be written once it is done: ``OSError`` in
    the system's own words, naming it, if not (``afile/x: Not a directory`` where ``afile`` is a file, never "No such
    file or directory"). A regular file, or one not there yet, is neither created nor emptied now (a run that fails
    leaves it as it was): None. Anything else that is there (a FIFO, a device) is opened now, as `open_output` opens
    it, and its descriptor returned for the end of the run: a FIFO that no process reads, or a socket, is an error
    before the run, not after it, and the reader found now is the one written to."""
    try:
        kind: int | None = os.stat(name).st_mode
    except FileNotFoundError:
        kind = None  # a name not there yet, or a link to nothing there: written, its folder must be there
    except OSError as error:  # a file on the way (Not a directory), a link in a loop, a folder not searchable
        raise named_error(error, name) from None
    if kind is None:
        folder = os.path.dirname(os.path.realpath(name))
        try:
            there = os.stat(folder).st_mode
        except OSError as error:
            raise named_error(error, name) from None
        if stat.S_ISDIR(there) and not os.access(folder, os.W_OK | os.X_OK):
            raise OSError(errno.EACCES, os.strerror(errno.EACCES), name)
        return None
    if stat.S_ISDIR(kind):
        raise OSError(errno.EISDIR, os.strerror(errno.EISDIR), name)
    if stat.S_ISREG(kind):
        if not os.access(name, os.W_OK):
            raise OSError(errno.EACCES, os.strerror(errno.EACCES), name)
        return None
    return open_output(name)


def _no_reader(name: str) -> str | None:
    """Why a file that the system would not open for writing (ENXIO) is none to write: a FIFO no process reads, or
    a socket; None for anything else (a device that is not there)."""
    try:
        kind = os.stat(name).st_mode
    except OSError:
        return None
    if stat.S_ISFIFO(kind):
        return "a FIFO that no process reads"
    if stat.S_ISSOCK(kind):
        return "a socket, which is not written to as a file"
    return None


def same_file(one: str, other: str) -> bool:
    """Whether writing ``other`` overwrites (or appends to) ``one``: the same regular file, or the same name of a file
    not there yet (a terminal, a pipe or /dev/null named twice is written to, never overwritten)."""
    try:
        return os.path.samefile(one, other) and stat.S_ISREG(os.stat(one).st_mode)
    except OSError:  # one is not there yet: the same name, then
        return os.path.abspath(one) == os.path.abspath(other)


def named_error(error: OSError, name: str) -> OSError:
    """``error`` naming ``name``, the file as the command line gave it, to be raised ``from None`` in its place: what
    went wrong in the system's own words (its errno, so BrokenPipeError stays one, and its text), named where its
    own name is missing (a read or a write that fails names no file) or is not the one given (a file within a folder
    given, or ``Path``'s ``swift:/u:p@h`` for ``swift://u:p@h``, which no masking recognizes). The callers' error
    lines mask the name, as all output is masked."""
    return OSError(error.errno, error.strerror, name)


def io_error_text(error: BaseException) -> str:
    """An input/output error as a command says it: the name as given and what went wrong (``a.json: No such file or
    directory``), not Python's ``[Errno 2] ...: 'a.json'``; any other error as its own text. Open a file by the name
    given, not through ``Path``, which makes ``swift://u:p@h/o`` ``swift:/u:p@h/o``, a URL no masking recognizes."""
    if not isinstance(error, OSError):
        return str(error)
    if error.filename is not None and error.strerror:
        return f"{error.filename}: {error.strerror}"
    return error.strerror or str(error)


_WHOLE = re.compile(r"-?[0-9]+")
_DECIMAL = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_MOST_DIGITS = 100  # past any count, size, time or seed a person types; int() of 4,301 digits raises on its own


def _whole(text: str) -> int:
    """``text`` as an integer, written as a person writes one: ASCII digits, a minus sign at most (a negative count
    is then refused for its value, by name). Python's ``int`` takes more that no one means on a command line: blank
    space around the digits (``" 10"``, which ``--jobs " auto"`` refused), underscores (``1_000``) and the digits of
    every script (Arabic-Indic ``\\u0661\\u0660``). Else an error that says what was expected (argparse's own
    names the function: ``invalid record_bytes value``)."""
    if not _WHOLE.fullmatch(text):
        raise argparse.ArgumentTypeError(f"not a whole number: {quoted(text)}")
    _not_too_long(text)
    return int(text)


def _not_too_long(text: str) -> None:
    """An error for a number, written as a person writes one, of more digits than any count, size, time or seed: said
    as what it is, not as "not a whole number" (a seed of 100 digits was taken, its negative refused as none)."""
    if len(text.lstrip("-").replace(".", "")) > _MOST_DIGITS:
        raise argparse.ArgumentTypeError(f"a number of more than {_MOST_DIGITS} digits: {quoted(text)}")


def seed(text: str) -> int:
    """A seed: any whole number, negative ones included, as `_whole` reads it."""
    return _whole(text)


def positive(text: str) -> int:
    """An integer of 1 or more."""
    return _from(text, 1, "at least 1")


def record_bytes(text: str) -> int:
    """A record size in bytes, from 1 to `MAX_RECORD_BYTES`."""
    return _up_to(positive(text), MAX_RECORD_BYTES, f"{MAX_RECORD_BYTES:,} (1 GiB)")


def jobs(text: str) -> int | str:
    """A number of processes, from 1 to `MAX_JOBS`, or ``auto``."""
    if text == "auto":
        return text
    if not _WHOLE.fullmatch(text):
        raise argparse.ArgumentTypeError(f"not a whole number or auto: {quoted(text)}")
    return _up_to(positive(text), MAX_JOBS, f"{MAX_JOBS} processes")


def count(text: str) -> int:
    """An integer of 0 or more."""
    return _from(text, 0, "0 or more")


def examples(text: str) -> int:
    """A number of generated cases, from 0 to `MAX_EXAMPLES`."""
    return _up_to(count(text), MAX_EXAMPLES, f"{MAX_EXAMPLES:,}")


def _from(text: str, least: int, said: str) -> int:
    """``text`` as a whole number (`_whole`) of ``least`` or more: else an error that says the bound (``said``) and
    the number given. Every count and size option starts here, so that each refuses a negative alike."""
    value = _whole(text)
    if value < least:
        raise argparse.ArgumentTypeError(f"must be {said}, not {value}")
    return value


def _up_to(value: int, most: int, said: str) -> int:
    """``value`` if it is ``most`` or less: else an error that says the bound as ``said`` (with its unit, where the
    option has one) and the number given, with its thousands marked."""
    if value > most:
        raise argparse.ArgumentTypeError(f"must be at most {said}, not {value:,}")
    return value


def seconds(text: str) -> float:
    """A number of seconds, from 0 to `MAX_SECONDS` (a year), in decimal: ``30``, ``0.5``, ``.5``."""
    if not _DECIMAL.fullmatch(text):  # as _whole: no 1e3, inf, nan, 1_0, " 1"
        raise argparse.ArgumentTypeError(f"not a number of seconds: {quoted(text)}")
    _not_too_long(text)
    value = float(text)
    if not 0 <= value <= MAX_SECONDS:
        raise argparse.ArgumentTypeError(f"must be a number of seconds from 0 to {MAX_SECONDS:,} (a year), not {text}")
    return value


def text(value: str) -> str:
    """A name, a URL or a path: never empty or blank, which would silently mean the default or nothing at all."""
    if not value.strip():
        raise argparse.ArgumentTypeError("must not be empty")
    return value


def config_file(value: str) -> str:
    """The oslo-style file of ``--config-file``: a name as `text` takes it, and never ``-``, which elsewhere reads the
    standard input: oslo.messaging reads the file again for its own options, which a pipe no longer holds, and
    ``emit --payload -`` may read the standard input already. Taken as a name, ``-`` was "no such configuration
    file"."""
    value = text(value)
    if value == "-":
        raise argparse.ArgumentTypeError("- is not read for a configuration file: name the file")
    return value


def output(value: str) -> str:
    """A file an option writes (a report, a summary, the invalid records): a name as `text` takes it, and never ``-``.
    On the command line ``-`` names the standard input, which nothing is written to; and the standard output already
    carries the command's own lines (a table, a tally), which a report written there would turn into no JSON and no
    XML. Taken as a name, ``-`` made a file called ``-`` in the current folder. ``/dev/stdout`` writes there anyway."""
    value = text(value)
    if value == "-":
        raise argparse.ArgumentTypeError(
            "- is the standard input, which is not written to: name a file (/dev/stdout, which also carries the "
            "command's own lines)"
        )
    return value
