"""Ways to attach a producer: a Python callable, or any program speaking JSON Lines on stdin/stdout.

The protocol of ``--exec``: the suite writes one intent per line (a JSON object, schemas/intent.json) to the
program's standard input and reads one line back from its standard output: the notification it would send (a JSON
object), or a JSON array of notifications, or ``[]`` for none. The program runs once for the whole suite, with
``NOTIFY_SCHEMAS_DIR`` in its environment: the schema folder the suite judges with, and ``NOTIFY_SCHEMAS_PROFILE``:
the profile it judges by. conformance/PROTOCOL.md is the whole specification, for authors in any language.
"""

from __future__ import annotations

import array
import collections
import contextlib
import datetime
import decimal
import errno
import importlib
import inspect
import itertools
import json
import os
import queue
import re
import select
import shlex
import shutil
import signal
import stat
import subprocess
import threading
import time
import types
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from notify_schemas.arguments import MAX_SECONDS
from notify_schemas.conformance.records import Intent, credential_forms, unleaked
from notify_schemas.reader import DEFAULT_MAX_RECORD, parse
from notify_schemas.redaction import class_name, closed, error_text, mask_quoted, mask_text, quoted, shown, type_name
from notify_schemas.registry import check_profile, schema_root
from notify_schemas.termination import is_stop, raise_if_terminated
from notify_schemas.values import Unreadable
from notify_schemas.wire_form import MAX_DEPTH

__all__ = [
    "BLANK",
    "DEFAULT_ANSWER_TIMEOUT",
    "MAX_ANSWER_BYTES",
    "Duplicated",
    "DuplicatedArray",
    "ExecProducer",
    "ExecProgram",
    "ProducerError",
    "answer",
    "answered",
    "detached",
    "end_program",
    "exec_environment",
    "line_shown",
    "load_callable",
    "with_duplicates",
]

Producer = Callable[[Intent], Any]


class ProducerError(RuntimeError):
    """The producer cannot be started or stopped answering."""


def load_callable(spec: str) -> Producer:
    """``module:function`` to the function.

    Importing runs the producer's module, and taking the attribute may run its ``__getattr__``: whatever they raise
    (a SyntaxError, an error of its own, SystemExit) is a `ProducerError` naming it, as a failure of the producer
    while it answers is, so the run stops on one line and exit status 2, never a traceback or the module's status.
    """
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise ProducerError(f"--callable takes module:function, not {quoted(spec)}")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:  # its text quotes the name with repr: masked before it was quoted
        raise ProducerError(f"cannot import {quoted(module_name)}: {mask_quoted(str(error), [module_name])}") from None
    except BaseException as error:  # the module's own code failed (SystemExit and GeneratorExit included)
        if is_stop(error):  # Ctrl-C, SIGTERM; not a KeyboardInterrupt the module raised itself
            raise
        raise_if_terminated()  # an error set off by SIGTERM is the stop, not the module's failure
        raise ProducerError(f"cannot import {quoted(module_name)}: it raised {error_text(error)}") from None
    missing = object()
    try:
        function = getattr(module, attribute, missing)
    except BaseException as error:  # the module's __getattr__
        if is_stop(error):
            raise
        raise_if_terminated()  # an error set off by SIGTERM is the stop, not the module's failure
        raise ProducerError(f"cannot take {quoted(spec)}: it raised {error_text(error)}") from None
    if function is missing:  # "not a callable" would send its author looking at a function that is not there
        raise ProducerError(f"{quoted(module_name)} has no attribute {quoted(attribute)} (--callable takes "
                            "module:function, the function's name as the module defines it)")  # fmt: skip
    if not callable(function):
        raise ProducerError(f"{quoted(spec)} is not a callable")
    return function


def exec_environment(profile: str = "seed") -> dict[str, str]:
    """The environment of a program under test: the caller's, with the schema folder as ``NOTIFY_SCHEMAS_DIR`` and
    the profile the run judges by as ``NOTIFY_SCHEMAS_PROFILE``. A consumer in negative mode is handed notifications
    alone, and one valid in a profile may be invalid in the other: without it, it could only guess which to apply."""
    return {**os.environ, "NOTIFY_SCHEMAS_DIR": str(schema_root()), "NOTIFY_SCHEMAS_PROFILE": profile}


DEFAULT_ANSWER_TIMEOUT = 10.0
MAX_ANSWER_BYTES = DEFAULT_MAX_RECORD
"""The longest line a program may answer (16 MiB, what ``validate`` reads by default): a longer one stops the run."""
_LONGEST_POLL = 86_400.0
"""Seconds one poll waits at most: its timeout is a C int of milliseconds (24.8 days), a year is not."""
_AHEAD = 2  # lines of a program's output read before they are asked for: more are a break of the protocol anyway
_BOM = b"\xef\xbb\xbf"  # UTF-8's byte-order mark (RFC 8259 8.1 lets a parser pass over one at the start)
BLANK = b" \t\r\n"
"""What a blank line holds, and nothing else: JSON's whitespace, as `notify_schemas.reader` skips a blank line; what
may stand around a consumer's word too (`notify_schemas.conformance.negative`), as around a producer's JSON."""


def _answer_timeout(value: Any) -> None:
    """``ValueError`` (``TypeError`` for what is no number) unless ``value`` is seconds from 0 to
    `MAX_SECONDS` (a year), as ``--answer-timeout`` takes them: NaN would make every wait end at once, and infinity or
    more than a C int of milliseconds would raise an OverflowError out of a wait, taken for the program's failure."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"answer_timeout must be a number of seconds, not {quoted(value)}")
    if not 0 <= value <= MAX_SECONDS:  # NaN included
        raise ValueError(f"answer_timeout must be from 0 to {MAX_SECONDS:,} seconds (a year), not {value}")


class ExecProgram:
    """A program in any language, started once and asked one line at a time (conformance/PROTOCOL.md).

    Its output is read by a thread of its own, so that a program that stops answering, writes an answer without its
    newline or closes its output while it stays alive makes the run stop after ``answer_timeout`` seconds with a
    `ProducerError` naming what it was asked, never hang; so does one that reads nothing (its input fills) or closes
    its input. A line longer than `MAX_ANSWER_BYTES` stops the run too, never read whole, and reading stops while two
    lines wait ahead of the questions: a program that floods its output waits on its pipe. A blank line (JSON's
    whitespace alone) is no line: passed over wherever it stands, it is neither an answer nor one too many. A line the
    program wrote before the question was written whole answers none of it (D84). The program runs in a process
    group of its own: when it is ended, whatever it started ends with it. Its standard error is a pipe of its own,
    copied to the suite's as it comes (`_relay`): a process it left behind outside its group that holds only that is
    found and ended as one that holds its output is, and holds no reader of the suite's standard error open after
    the run.
    """

    def __init__(self, command: str, *, answer_timeout: float = DEFAULT_ANSWER_TIMEOUT, profile: str = "seed") -> None:
        _answer_timeout(answer_timeout)
        check_profile(profile)
        try:
            words = shlex.split(command)
            if not words or not words[0].strip():  # '' or ' ': the system would say "Permission denied", "No such file"
                raise ValueError("it names no program")
            self.process = subprocess.Popen(
                words, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                env=exec_environment(profile),
                start_new_session=True,
            )  # fmt: skip
        except (OSError, ValueError) as error:  # ValueError: a command shlex cannot split (a quote left open)
            why = _why_not_started(words[0], error) if isinstance(error, OSError) else str(error)
            raise ProducerError(f"cannot start {quoted(command)}: {why}") from None
        pipes = (self.process.stdin, self.process.stdout, self.process.stderr)
        self._pipes = {_pipe_name(f.fileno()) for f in pipes if f is not None}
        """The pipes to and from the program, as /proc names them: what holds one when it has ended is its own."""
        assert self.process.stderr is not None
        self._relay = _Relay(self.process.stderr, _standard_error())
        self._relay.start()
        self.command = command
        self.name = quoted(command)
        """The command as errors name it: masked, then quoted (a password in its arguments is never shown)."""
        self.answer_timeout = answer_timeout
        self.extra_lines = 0
        """Lines the program wrote beyond one per question, counted when it is closed: a break of the protocol."""
        self.last_answered = ""
        """What the last question answered asked (``the intent image.upload INFO (question 3)``), or "" before the first
        answer: what a line written after it, not asked for, follows."""
        self.questions = 0
        """Questions asked so far: each is named with its number, as two questions may ask the same (two intents of
        one event and priority)."""
        self._question_size = 0  # the size of the last question written, in bytes
        self.broke = False
        """Whether it broke the protocol (no answer in time, a line not asked for, its output closed, ...): it is then
        stopped at once when the run ends, not given the time to exit that a program which answered is given."""
        assert self.process.stdout is not None
        self._output = _Output(self.process.stdout.fileno())
        self._output.start()

    def ask(self, question: str, what: str) -> bytes:
        """Write ``question`` as one line and return the line answered, its newline included; ``what`` names the
        question in each error that says how the program broke the protocol, with its number in the run (``the intent
        image.upload INFO (question 3)``): a line after one answer and before the next question is said to come
        between two questions, never between a question and itself."""
        self.questions += 1
        try:
            return self._asked(question, f"{what} (question {self.questions})")
        except ProducerError:
            self.broke = True
            raise

    def _asked(self, question: str, what: str) -> bytes:
        assert self.process.stdin is not None
        early = self._output.waiting()
        if early is not None:  # a line it wrote since its last answer
            raise self._unasked(early[1], what)
        try:
            asked = self._ask(question, what)
        except ProducerError:
            # A program that stopped reading, closed its input or ended may have written a line it was not asked for
            # first (one that floods its output and waits on it reads nothing more): that line is the first break.
            early = self._output.waiting()
            if early is not None:
                raise self._unasked(early[1], what) from None
            raise
        before, line = self._answer(what)
        if before < asked:  # written before the question's newline was: it answers no question of this
            raise self._unasked(line, what)
        self.last_answered = what
        return line

    def _unasked(self, line: bytes, what: str) -> ProducerError:
        """The error of a line written before ``what`` was asked, and after the last answer (or before any)."""
        shown_line = line_shown(line)
        when = f"after its answer to {self.last_answered}, before it was asked {what}" if self.last_answered else \
            f"before its first question, {what}"  # fmt: skip
        return ProducerError(f"{self.name} wrote a line {when} ({shown_line}): one line per question, and nothing "
                             "else on its output")  # fmt: skip

    def _ask(self, question: str, what: str) -> int:
        """Write the question, or `ProducerError` naming ``what`` when the program does not read it; how many questions
        have been written whole, this one included (`_send`)."""
        data = question.encode("utf-8", "surrogateescape") + b"\n"
        self._question_size = len(data)
        try:
            return self._send(data, time.monotonic() + self.answer_timeout)
        except TimeoutError:
            raise ProducerError(
                f"{self.name} read nothing of {what} within {self.answer_timeout:g} s (its input is full: it reads "
                "one line per question from its standard input; see --answer-timeout)"
            ) from None
        except OSError:  # BrokenPipeError included: it closed its input, or is gone
            try:
                how = f"{_ended(self.process.wait(timeout=1))} before reading {what}"  # it may be exiting
            except subprocess.TimeoutExpired:
                how = f"closed its input before reading {what}, and is still running"
            raise ProducerError(f"{self.name} {how}") from None

    def _answer(self, what: str) -> tuple[int, bytes]:
        """The line answered to ``what`` with the number of questions written whole before it was (`_Output`), or
        `ProducerError` naming ``what`` when the program breaks the protocol."""
        try:
            got = self._output.next(self.answer_timeout)
        except queue.Empty:
            status = self.process.poll()
            if status is not None:  # what it started holds its output open: no end of output came
                # Its question unread, as where it ended before the question was written (whichever came first).
                when = "reading" if self._unread() >= self._question_size else "answering"
                raise ProducerError(f"{self.name} {_ended(status)} before {when} {what}, and left a process that "
                                    "holds its output open") from None  # fmt: skip
            raise ProducerError(
                f"{self.name} gave no answer within {self.answer_timeout:g} s to {what} (a line, ended by a "
                "newline; see --answer-timeout)"
            ) from None
        if got is None:
            try:
                ended = _ended(self.process.wait(timeout=1))  # it may be exiting
            except subprocess.TimeoutExpired:
                raise ProducerError(f"{self.name} closed its output before answering {what}, and is still running") \
                    from None  # fmt: skip
            if self._unread() >= self._question_size:  # it ended before reading, its question written
                raise ProducerError(f"{self.name} {ended} before reading {what}")
            raise ProducerError(f"{self.name} closed its output before answering {what}, and {ended}")
        line = got[1]
        if len(line) > MAX_ANSWER_BYTES:
            raise ProducerError(f"{self.name} wrote a line longer than {MAX_ANSWER_BYTES:,} bytes in answer to "
                                f"{what}: one notification per line, and no larger")  # fmt: skip
        if not line.endswith(b"\n"):
            raise ProducerError(f"{self.name} wrote an answer to {what} without its newline, then closed its "
                                "output")  # fmt: skip
        return got

    def _unread(self) -> int:
        """The bytes written to the program's input that nothing read, as the pipe holds them still after the program
        ended (-1 where the system does not say). Whether it exited before or after the question reached its pipe,
        a program that read none of it is told so alike."""
        assert self.process.stdin is not None
        try:
            import fcntl
            import termios

            held = array.array("i", [0])
            fcntl.ioctl(self.process.stdin.fileno(), termios.FIONREAD, held)
        except (ImportError, OSError, ValueError):  # not Linux's pipes, or the pipe is closed
            return -1
        return held[0]

    def _send(self, data: bytes, deadline: float) -> int:
        """Write ``data`` to the program's input by the ``deadline`` (TimeoutError after it): a program that reads
        nothing fills its pipe, and a plain write would wait for it for ever. Returns how many questions have been
        written whole, ``data`` included: a line the program wrote before the last part of ``data`` was, whose end
        it had not seen, is read and numbered before it (`_Output.take`), and answers none of it."""
        assert self.process.stdin is not None
        fd = self.process.stdin.fileno()
        poller = select.poll()
        poller.register(fd, select.POLLOUT)
        view = memoryview(data)
        while view:
            # Asked even when the deadline has passed (--answer-timeout 0): only a pipe found full is the program's.
            # poll takes at most _LONGEST_POLL (a C int of milliseconds): a longer wait is several.
            left = max(deadline - time.monotonic(), 0)
            if not poller.poll(min(left, _LONGEST_POLL) * 1000):
                if left > _LONGEST_POLL:
                    continue
                raise TimeoutError
            # At most PIPE_BUF bytes: a write that size to a pipe that poll says is writable does not wait.
            if len(view) > select.PIPE_BUF:
                view = view[os.write(fd, view[: select.PIPE_BUF]) :]
                continue
            with self._output.lock:  # the last part: what the program wrote so far is taken before it goes
                self._output.take()
                view = view[os.write(fd, view) :]
                if not view:
                    self._output.asked += 1
        return self._output.asked

    def close(self, *, wait: float = 10) -> None:
        """End the program: its input closed, ``wait`` seconds to exit, then stopped (0: at once, on Ctrl-C, and
        when it broke the protocol: one that hangs, or closed its output, would only be waited for), and whatever
        it started with it; what it wrote and was not asked for is counted (`extra_lines`)."""
        end_program(self.process, wait=0 if self.broke else wait)
        _end_holders(self._pipes)  # what left its process group, and holds its input, output or standard error open
        # What it wrote to its standard error comes out before the suite says anything more.
        self._relay.join(timeout=5 if wait and not self.broke else 1)
        if not self._relay.is_alive():  # else it waits on the suite's standard error, which nobody reads
            self._relay.end()
        # The reader may be waiting to hand over a line: the lines are taken until its end, for a while at most.
        until = time.monotonic() + (5 if wait else 0.5)
        while (left := until - time.monotonic()) > 0:
            try:
                line = self._output.next(left)
            except queue.Empty:
                break
            if line is None:
                break
            self.extra_lines += 1  # blank lines never come: they are no lines


class _Output(threading.Thread):
    """A program's output (``fd``, its pipe's reading end), read as lines by a thread of its own and, just before the
    last part of each question is written, by the writer (`take`, under `lock`). Each line is numbered with the
    questions written whole when its newline was read: as nothing is read between that last part's write and the
    count it adds to (`asked`), a line the program wrote before it could have seen a question whole is numbered
    before it, however late this thread was scheduled to read it (D84). Reading stops while `_AHEAD` lines wait to be
    asked for, so a program that floods its output waits on its pipe and holds no memory here; a blank line is passed
    over, and so is a UTF-8 byte-order mark at the start of the output, as `notify_schemas.reader` passes over one at
    the start of a file (D46); a line longer than `MAX_ANSWER_BYTES` is kept cut to one byte more, and nothing after
    it is read."""

    def __init__(self, fd: int) -> None:
        super().__init__(name="exec-program-output", daemon=True)
        self.fd = fd
        os.set_blocking(fd, False)  # read only what is there: the writer must never wait on the program's output
        self.lock = threading.Condition()
        self.asked = 0
        """Questions written whole."""
        self._lines: collections.deque[tuple[int, bytes] | None] = collections.deque()  # None: the end
        self._part = bytearray()  # the start of a line whose newline has not come
        self._begun = False  # whether the start of the output, where a byte-order mark is passed over, was read
        self._ended = False

    def run(self) -> None:
        poller = select.poll()
        poller.register(self.fd, select.POLLIN)
        while True:
            with self.lock:
                self.lock.wait_for(lambda: self._ended or len(self._lines) < _AHEAD)
                if self._ended:
                    return
            poller.poll()  # something to read, or the end of the output
            with self.lock:
                self.take()

    def take(self) -> None:
        """Read what the program has written, without waiting, while fewer than `_AHEAD` lines wait; only under
        `lock`."""
        while not self._ended and len(self._lines) < _AHEAD:
            try:
                chunk = os.read(self.fd, 1 << 16)
            except BlockingIOError:
                return
            except OSError:  # the pipe is gone: the output has ended
                chunk = b""
            if not chunk:
                if self._part.strip(BLANK):  # its last line, without a newline
                    self._add(bytes(self._part))
                self._end()
                return
            start, search = 0, len(self._part)
            self._part += chunk
            if not self._begun:  # a byte-order mark at the start of the output is passed over, as validate's
                if len(self._part) < len(_BOM) and _BOM.startswith(self._part):
                    continue  # what may be a mark, not whole yet
                self._begun = True
                if self._part.startswith(_BOM):
                    del self._part[: len(_BOM)]
                    search = 0
            while (end := self._part.find(b"\n", search)) >= 0:
                line, start = bytes(self._part[start : end + 1]), end + 1
                search = start
                if len(line) > MAX_ANSWER_BYTES:
                    self._add(line[: MAX_ANSWER_BYTES + 1])  # the run stops on it: what follows is never read
                    self._end()
                    return
                if line.strip(BLANK):  # a blank line is no line (PROTOCOL.md), as validate skips one
                    self._add(line)
            del self._part[:start]
            if len(self._part) > MAX_ANSWER_BYTES:
                self._add(bytes(self._part[: MAX_ANSWER_BYTES + 1]))
                self._end()

    def _add(self, line: bytes) -> None:
        self._lines.append((self.asked, line))
        self.lock.notify_all()

    def _end(self) -> None:
        self._ended = True
        self._part.clear()
        self._lines.append(None)
        self.lock.notify_all()

    def next(self, timeout: float) -> tuple[int, bytes] | None:
        """The next line with its number, or None at the end of the output (which stays); `queue.Empty` when none
        came within ``timeout`` seconds."""
        with self.lock:
            if not self.lock.wait_for(lambda: self._lines, timeout):
                raise queue.Empty
            got = self._lines[0]
            if got is not None:
                self._lines.popleft()
                self.lock.notify_all()
            return got

    def waiting(self) -> tuple[int, bytes] | None:
        """The next line when the program has written one, else None (the end of the output included): what its pipe
        holds is read first, so a line written is found however late this thread is to read it."""
        with self.lock:
            self.take()
            if self._lines and self._lines[0] is not None:
                got = self._lines.popleft()
                self.lock.notify_all()
                return got
            return None


_FIRST_LINE = 256
"""Bytes of a program's first line read to find its ``#!`` interpreter: as many as Linux reads (BINPRM_BUF_SIZE)."""
_ELF = b"\x7fELF"
_AS_IN = ": sh SCRIPT, python3 SCRIPT"


def _why_not_started(program: str, error: OSError) -> str:
    """Why ``program`` (the command's first word) could not be started, as its author can act on it. The system's
    word alone misleads where the program is there: "No such file or directory" for a script whose ``#!``
    interpreter is missing (or its line ends in a carriage return), or a binary whose loader is; "Exec format
    error" for a script without a ``#!`` line, which a shell would run but exec does not. Only the first line of
    the file is read, and only of a regular file (a FIFO would wait)."""
    why = error.strerror or str(error)
    path = program if "/" in program else shutil.which(program)
    if path is None:
        if error.errno == errno.ENOENT and os.path.isfile(program):
            return f"{why}: no program of that name on PATH (the file in this folder is {quoted('./' + program)})"
        return why
    try:
        mode = os.stat(path).st_mode
    except OSError:  # it is not there: the system's word is the right one
        return why
    if stat.S_ISDIR(mode):
        return "it is a folder, not a program"
    if not stat.S_ISREG(mode):
        return why
    if error.errno == errno.EACCES and not os.access(path, os.X_OK):
        return f"{why}: it may not be executed (chmod +x it, or put its interpreter first in the command{_AS_IN})"
    head = _first_line(path)
    if head.startswith(b"#!"):
        # As Linux reads the line: the interpreter ends at a space or a tab; a carriage return is part of it.
        interpreter = os.fsdecode(re.split(rb"[ \t]", head[2:].lstrip(b" \t"), maxsplit=1)[0])
        if error.errno == errno.ENOENT and interpreter and not os.path.exists(interpreter):
            crlf = " (the line ends in a carriage return: the file has Windows line ends)" if \
                interpreter.endswith("\r") else ""  # fmt: skip
            return f"the interpreter {quoted(interpreter)} named by its first line (#!) cannot be found{crlf}"
        return f"the interpreter {quoted(interpreter)} named by its first line (#!) cannot be run: {why}"
    if head.startswith(_ELF):
        if error.errno == errno.ENOENT:
            return f"{why}: the program is there, but not the loader it names (built for another system?)"
        if error.errno == errno.ENOEXEC:
            return f"{why}: it is a program for another kind of machine"
    elif error.errno == errno.ENOEXEC:
        return (f"{why}: it has no #! line naming its interpreter, which a shell would guess and exec does not (start "
                f"it with one, #!/bin/sh, or put its interpreter first in the command{_AS_IN})")  # fmt: skip
    return why


def _first_line(path: str) -> bytes:
    """The first line of a file, without its newline, at most `_FIRST_LINE` bytes; empty when it cannot be read."""
    try:
        with open(path, "rb") as file:
            return file.read(_FIRST_LINE).split(b"\n", 1)[0]
    except OSError:
        return b""


def _standard_error() -> int | None:
    """A descriptor of the suite's own standard error, for a program's to be copied to; None when it has none."""
    try:
        return os.dup(2)
    except OSError:  # started with it closed (2>&-): what the program writes there is read and dropped
        return None


class _Relay(threading.Thread):
    """Copies what a program writes to its standard error (``source``, the pipe's reading end) to the suite's own
    (``target``, closed at the end) as it comes, until every process holding the pipe has ended. Where the suite's
    own cannot be written (its reader went away), the rest is read and dropped: the program never waits on it."""

    def __init__(self, source: Any, target: int | None) -> None:
        super().__init__(name="exec-program-errors", daemon=True)
        self.source, self.target = source, target
        self.last = b"\n"
        """The last byte copied: a line the program left unended is ended before the suite writes its own."""

    def run(self) -> None:
        try:
            while chunk := os.read(self.source.fileno(), 1 << 16):
                self._write(chunk)
                self.last = chunk[-1:]
        finally:
            self.source.close()

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        while self.target is not None and view:
            try:
                view = view[os.write(self.target, view) :]
            except OSError:
                self.end()

    def end(self) -> None:
        """Once the copy is done: the program's last line ended, and the suite's descriptor closed."""
        if self.last != b"\n":
            self.last = b"\n"
            self._write(b"\n")
        if self.target is not None:
            target, self.target = self.target, None
            with contextlib.suppress(OSError):
                os.close(target)


class ExecProducer(ExecProgram):
    """A producer in any language: one intent per line in, one notification (or an array of them) per line out.

    Input and output are UTF-8, whatever the locale.
    """

    def __call__(self, intent: Intent) -> Any:
        return answer(self.ask(json.dumps(intent), f"the intent {intent.get('event_type')} {intent.get('priority')}"))


def _ended(status: int) -> str:
    """How a program ended, from its exit status (negative: the signal that ended it)."""
    if status < 0:
        try:
            return f"was killed by {signal.Signals(-status).name}"
        except ValueError:
            return f"was killed by signal {-status}"
    return f"exited with {status}"


def end_program(process: subprocess.Popen[Any], *, wait: float) -> None:
    """End a program under test: its input closed, ``wait`` seconds to exit by itself, then SIGTERM, and SIGKILL a
    second later. The processes it started and left behind (in its process group, which holds its output open)
    are killed once it has ended."""
    if process.stdin:
        with contextlib.suppress(OSError):  # the program is already gone; its exit was reported
            process.stdin.close()
    try:
        process.wait(timeout=wait)
    except subprocess.TimeoutExpired:
        _signal_group(process, signal.SIGTERM)
        try:
            process.wait(timeout=1)
        except subprocess.TimeoutExpired:
            _signal_group(process, signal.SIGKILL)
            process.wait()
    _signal_group(process, signal.SIGKILL)


def _pipe_name(fd: int) -> str:
    """A pipe as a process's /proc/PID/fd link names it (``pipe:[inode]``)."""
    return f"pipe:[{os.fstat(fd).st_ino}]"


def _end_holders(pipes: set[str]) -> None:
    """SIGKILL to every other process that holds one of ``pipes`` open: once the program has ended, these are what
    it started and left behind outside its process group (a child that ran setsid or setpgid), which the group's
    signal misses, and which would hold the pipe, and run, after the suite. Processes are found in /proc (Linux);
    where there is none, nothing is done."""
    try:
        entries = list(os.scandir("/proc"))
    except OSError:
        return
    for entry in entries:
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            holds = any(os.readlink(fd.path) in pipes for fd in os.scandir(f"/proc/{entry.name}/fd"))
        except OSError:  # gone, or another user's
            continue
        if holds:
            with contextlib.suppress(OSError):
                os.kill(int(entry.name), signal.SIGKILL)


def _signal_group(process: subprocess.Popen[Any], signum: int) -> None:
    """``signum`` to the program's process group (its own, from start_new_session), or to the program alone."""
    try:
        os.killpg(process.pid, signum)
    except ProcessLookupError:  # the group is empty: nothing left behind
        pass
    except OSError:
        with contextlib.suppress(OSError):
            process.send_signal(signum)


def line_shown(line: bytes) -> str:
    """A program's line as an error quotes it: without its line end, the intents' credentials hidden (`unleaked`) and
    masked before it is cut (a credential cut in two would show all but its last characters), quoted (`quoted`), each
    byte that is not UTF-8 written as the byte it is (``'valid\\xff'``), never as U+FFFD, and the first of them named
    (``(byte 0xff, not UTF-8)``), as the reader names one."""
    text = line.decode("utf-8", "surrogateescape").rstrip("\r\n")
    byte = next((ord(c) - 0xDC00 for c in text if 0xDC80 <= ord(c) <= 0xDCFF), None)
    return quoted(unleaked(text)) + ("" if byte is None else f" (byte 0x{byte:02x}, not UTF-8)")


def answer(text: str | bytes) -> Any:
    """A producer's line as the checks judge it: the value, or an `Unreadable` holding the line when it is not JSON
    (which every check fails, as no check can judge it). An array is the notifications of one answer, each judged
    on its own: the keys written twice are each notification's own (`with_duplicates`), pointed from its top.

    Parsed as ``notify-schemas validate`` parses a line (strict JSON, keys written twice found).
    """
    try:
        value, duplicates = parse(text)
    except ValueError as error:
        line = (text.decode("utf-8", "backslashreplace") if isinstance(text, bytes) else text).rstrip("\r\n")
        return Unreadable(line, str(error))
    if duplicates and isinstance(value, list):
        each: dict[int, list[str]] = {}
        for pointer in duplicates:  # /3/payload/id: a key of the fourth notification (an array holds no key)
            index, _, rest = pointer[1:].partition("/")
            each.setdefault(int(index), []).append(f"/{rest}")
        return [with_duplicates(item, tuple(each.get(n, ()))) for n, item in enumerate(value)]
    return with_duplicates(value, duplicates)


def with_duplicates(value: Any, duplicates: tuple[str, ...]) -> Any:
    """A parsed value with the pointers of the keys its text wrote twice, which `json.unique_keys` fails: an object
    as a `Duplicated`, an array (no notification, but JSON all the same) as a `DuplicatedArray`; as it is when its
    text wrote none."""
    if not duplicates:
        return value
    if isinstance(value, dict):
        return Duplicated(value, duplicates)
    if isinstance(value, list):
        return DuplicatedArray(value, duplicates)
    return value


class Duplicated(dict[str, Any]):
    """A notification in which a key was written twice: what a consumer reads depends on its parser."""

    def __init__(self, value: dict[str, Any], duplicates: tuple[str, ...]) -> None:
        super().__init__(value)
        self.duplicates = duplicates


class DuplicatedArray(list[Any]):
    """JSON that is an array, where a notification is an object, and in an object of which a key was written twice:
    it fails `json.unique_keys` as a notification that repeats a key does, not only the checks that need an object."""

    def __init__(self, value: list[Any], duplicates: tuple[str, ...]) -> None:
        super().__init__(value)
        self.duplicates = duplicates


def answered(value: Any, who: str, what: str) -> Any:
    """What a callable (``who``: the producer, the consumer) returned for ``what`` (an intent, a message), as the
    checks judge it (`detached`); a `ProducerError`, which stops the run, when it is an awaitable (an ``async def``
    function's coroutine, a Future): no answer but the promise of one, which the suite does not await, and which
    every check would fail as no object. A coroutine never started is closed, so that Python warns of nothing."""
    kind = type(value)
    try:
        awaitable = issubclass(kind, Awaitable)
    except Exception:  # a producer's metaclass, which issubclass asks
        awaitable = False
    if not awaitable:
        return detached(value)
    _close(value)
    returned = f"a coroutine (async def {value.__qualname__})" if kind is types.CoroutineType else \
        f"an awaitable {_kind(kind)}"  # fmt: skip
    raise ProducerError(f"the {who} returned {shown(unleaked(returned), 200)} for {what}, not its answer: an async def "
                        f"{who} is not awaited; call it from a plain function (asyncio.run)")  # fmt: skip


def _close(value: Any) -> None:
    """Close a coroutine that was never started, which Python would warn of ("never awaited") when it is dropped:
    closing one runs none of its code. A started one, or anything else, is left as it is."""
    if type(value) is types.CoroutineType and inspect.getcoroutinestate(value) == inspect.CORO_CREATED:
        value.close()


MAX_VALUES = 1 << 17
"""The most values a callable's answer is read as (131,072; a notification has a few hundred, a thousand or two with
200 properties and 100 tags): a producer's object may be a list of ten million items, or a list holding the same list
twice a hundred levels deep (2**100 values), which no check, report or JSON writer could go through."""

# Exact types whose instances run none of a producer's code when the checks read or show them; an `Unreadable` (an
# --exec program's line that is not JSON) stays what it is, which every check fails.
_KEPT = (type(None), bool, int, float, str, datetime.datetime, datetime.date, uuid.UUID, decimal.Decimal, bytes,
         Unreadable)  # fmt: skip


class Opaque:
    """What the checks see of a part of a callable's answer that is not JSON and is a producer's own object (a
    generator, a set, a Mapping, an object of its own class), or that could not be read at all: its type and its
    ``repr``, taken once. It is no JSON value, so it fails the checks that need one; `security.no_leak` fails it
    where its ``repr`` held one of the intents' credentials (`credentials`), and as unjudged where none showed there,
    since its content (what oslo would send of it) was not read.

    The ``repr`` is read once, when the answer is: the credentials it holds are found in it, and it is kept masked
    and cut (`text`), so that no check nor report reads or masks a producer's text of any length again. One longer
    than `MAX_REPR_SHOWN` is not shown at all: masked whole, each would cost seconds (an object whose repr is 20 MB),
    and masked in part, a URL whose ``@`` lay past the part would show its password."""

    __slots__ = ("credentials", "kind", "text")

    def __init__(self, kind: str, text: str) -> None:
        lowered = text.lower()
        self.kind = kind
        self.credentials = frozenset(form for form in credential_forms() if form in lowered)
        """The forms of the intents' credentials (`credential_forms`) that its ``repr`` held, as it was written."""
        self.text = _kept_repr(text)
        """Its ``repr`` as it may be shown: masked whole, cut to `_REPR_KEPT` characters (``...`` where cut)."""

    def __repr__(self) -> str:
        return self.text

    def described(self) -> str:
        """What it was, as a check's reason says it: ``a set``, ``a coroutine``, ``an mymod.Thing``, or why it was
        not read (``more than 131,072 values``)."""
        if self.kind in _NOT_READ:
            return self.text.strip("<>")
        return f"{'an' if self.kind[:1] in tuple('aeiou') else 'a'} {self.kind}"  # closed already (`_kind`)

    def shown(self, limit: int = 200) -> str:
        """What it was, as a report shows it in place of the null its wire form has: ``<a set> {1, 2}``, its
        ``repr`` masked and cut to ``limit`` characters, or why it was not read (``<more than 131,072 values>``).
        The ``repr`` comes last: a report masks what it writes once more, and a masked value (``password=***``) takes
        whatever follows it up to a space or a quote for the rest of the value (oslo's pattern)."""
        text = shown(self.text, limit)
        return text if self.kind in _NOT_READ else f"<{self.described()}> {text}"


_NOT_READ = ("too large", "itself", "too deep")
MAX_REPR_SHOWN = 1 << 16
"""The longest ``repr`` of a producer's object that a report shows (masked, then cut); a longer one is named by its
length."""
_REPR_KEPT = 1000
"""Characters of a masked ``repr`` kept: more than any report shows of one (`Opaque.shown`, 200 by default)."""


def _kept_repr(text: str) -> str:
    """A producer's object's ``repr`` as an `Opaque` keeps it: the intents' credentials hidden (`unleaked`) and masked
    (`mask_text`) whole, then cut to `_REPR_KEPT` characters (cut first, or cut again where it is shown, a credential
    at the cut would show all but its last characters); past `MAX_REPR_SHOWN`, only its length (``<a repr of
    20,000,011 characters, not shown>``)."""
    if len(text) > MAX_REPR_SHOWN:
        return f"<a repr of {len(text):,} characters, not shown>"
    masked = mask_text(unleaked(text))
    return masked if len(masked) <= _REPR_KEPT else masked[: _REPR_KEPT - 3] + "..."


_TOO_LARGE = Opaque("too large", f"<more than {MAX_VALUES:,} values>")


def detached(value: Any) -> Any:
    """A callable's answer as the checks judge it: a copy made of exact types, read once, so that nothing of the
    producer's code (a ``__eq__``, ``__iter__``, ``get``, ``__repr__`` of its own, which may raise anything or hang)
    runs in the checks or the report, and nothing in it contains itself.

    A subclass of ``dict``, ``list``, ``tuple``, ``str``, ``int`` or ``float`` is read as ``json.dumps`` (oslo's
    serializer) writes it: the text and the number it holds, whatever its ``__str__`` or ``__repr__`` say, but a
    dict's ``items()`` and a list's or a tuple's ``__iter__`` (`_written`); a tuple stays a tuple (`json.round_trip`
    tells it from a list). Anything else that JSON does not carry, a subclass whose reading fails, a value that
    contains itself, nesting past `MAX_DEPTH` and values past `MAX_VALUES` become an `Opaque`.

    Two keys of a dict that are one text once read so (two ``str`` subclass keys that hash apart, ``1`` and an
    ``int`` subclass's 1) are two keys json.dumps writes alike: a notification holding them is a `Duplicated` with
    their pointers, as a line that repeats a key is, so `json.unique_keys` fails it rather than sees one key.
    """
    root: list[Any] = [None]
    # Every container walked into, held until the walk ends: an id in `above` is then never that of an object freed
    # meanwhile, which a container a producer makes as it is read (a list subclass whose __iter__, or a dict
    # subclass whose items(), makes its containers anew) could take, and be taken for one that contains itself.
    held: list[Any] = []
    # Each task: (value, container to fill, key or index in it, depth, ids above, path as (parent's path, key)).
    stack: list[tuple[Any, Any, Any, int, frozenset[int], Any]] = [(value, root, 0, 0, frozenset(), None)]
    repeated: list[Any] = []  # the paths of keys written twice
    left = MAX_VALUES
    while stack:
        node, parent, slot, depth, above, path = stack.pop()
        kind = type(node)
        left -= 1
        if left < 0:
            parent[slot] = _TOO_LARGE
        elif kind in _KEPT:
            parent[slot] = node
        elif issubclass(kind, str):
            parent[slot] = str.__str__(node)
        elif issubclass(kind, bool | int):
            parent[slot] = int.__index__(node)
        elif issubclass(kind, float):
            parent[slot] = float.__float__(node)
        elif not issubclass(kind, dict | list | tuple):
            parent[slot] = Opaque(_kind(kind), _repr(node))
            _close(node)  # a coroutine inside the answer, which no check awaits either
        elif id(node) in above:
            parent[slot] = Opaque("itself", f"<the {_kind(kind)} that contains it>")
        elif depth >= MAX_DEPTH:
            parent[slot] = Opaque("too deep", f"<{_kind(kind)} nested more than {MAX_DEPTH} levels deep>")
        elif isinstance(written := _written(node, kind, left), Opaque):
            parent[slot] = written
        elif issubclass(kind, dict):
            inside = above | {id(node)}
            held.append(node)
            # A line that wrote a key twice (an --exec program's answer, parsed) keeps the keys it repeated.
            copy: dict[Any, Any] = Duplicated({}, node.duplicates) if kind is Duplicated else {}
            parent[slot] = copy
            for index, (key, item) in enumerate(written):
                key = key if type(key) in _KEPT else _key(key)
                if key in copy:  # another key of the same text: the value read last is the one kept, as a parser does
                    repeated.append((path, key))
                copy[key] = None
                if index < left:
                    stack.append((item, copy, key, depth + 1, inside, (path, key)))
                else:  # past the values left to read: not walked, nor held on the stack (a list of millions)
                    copy[key] = _TOO_LARGE
        else:
            inside = above | {id(node)}
            held.append(node)
            items = written
            copied: list[Any] = [None] * len(items) if issubclass(kind, list) else _Filled([None] * len(items))
            if kind is DuplicatedArray:  # an --exec answer's array that wrote a key twice keeps them, as a dict does
                copied = DuplicatedArray(copied, node.duplicates)
            parent[slot] = copied
            kept = max(left, 0)  # past the values left to read: not walked, nor held on the stack
            stack.extend((item, copied, index, depth + 1, inside, (path, index))
                         for index, item in enumerate(items[:kept]))  # fmt: skip
            copied[kept:] = [_TOO_LARGE] * (len(items) - kept)
    return _with_repeated(_tuples(root[0]), repeated)


def _tokens(path: Any) -> list[Any]:
    """The keys and indexes of a path built as (parent's path, key), from the top."""
    tokens = []
    while path is not None:
        path, token = path
        tokens.append(token)
    return tokens[::-1]


def _pointer(tokens: list[Any]) -> str:
    return "".join("/" + str(t).replace("~", "~0").replace("/", "~1") for t in tokens)


def _with_repeated(value: Any, repeated: list[Any]) -> Any:
    """``value`` with each notification that holds a repeated key made a `Duplicated` naming it: the answer itself,
    or each notification of an answer that is a list of them (the pointers then start below the list)."""
    if not repeated:
        return value
    found: dict[int | None, list[str]] = {}
    for path in repeated:
        tokens = _tokens(path)
        if isinstance(value, dict):
            found.setdefault(None, []).append(_pointer(tokens))
        elif isinstance(value, list) and tokens:
            found.setdefault(tokens[0], []).append(_pointer(tokens[1:]))
    for index, pointers in found.items():
        target = value if index is None else value[index]
        if isinstance(target, dict):
            made = Duplicated(target, (*getattr(target, "duplicates", ()), *pointers))
            if index is None:
                return made
            value[index] = made
    return value


def _written(node: Any, kind: type, left: int) -> list[Any] | Opaque:
    """The pairs of a dict, or the items of a list or a tuple, as ``json.dumps`` writes them: an exact one's content;
    a subclass's ``items()`` or ``__iter__``, which it asks (a dict subclass that holds nothing itself it writes as
    ``{}`` without asking), read once and no further than `MAX_VALUES` allows. A payload whose ``items()`` add
    ``locations`` to a clean content sends them, and must fail as what it sends. A reading that fails, or pairs that
    ``json.dumps`` refuses (not tuples of two), are an `Opaque`: nothing is sent."""
    if kind is dict or kind is Duplicated:
        return list(dict.items(node))
    if kind is list or kind is tuple or kind is DuplicatedArray:
        return list(node)
    if issubclass(kind, dict) and not dict.__len__(node):
        return []
    reading = "items()" if issubclass(kind, dict) else "__iter__"
    try:
        taken = list(itertools.islice(node.items() if issubclass(kind, dict) else node, max(left, 0) + 1))
    except BaseException as error:  # a producer's items() or __iter__ may raise anything, SystemExit included
        if is_stop(error):
            raise
        raise_if_terminated()  # an error set off by SIGTERM is the stop, not the producer's failure
        return Opaque(_kind(kind), f"<{_kind(kind)}, whose {reading} raised {type_name(error)}>")
    if issubclass(kind, list | tuple):  # the one read past what is left is shown as too large, as for a list
        return taken
    if not all(isinstance(pair, tuple) and tuple.__len__(pair) == 2 for pair in taken):
        return Opaque(_kind(kind), f"<{_kind(kind)}, whose items() are not pairs>")
    return [(tuple.__getitem__(pair, 0), tuple.__getitem__(pair, 1)) for pair in taken]


class _Filled(list[Any]):
    """A tuple's items, filled in as the walk goes; a tuple once the walk is done (`_tuples`)."""


def _tuples(value: Any) -> Any:
    """Each `_Filled` list of a detached value made the tuple it stands for, children first."""
    if not isinstance(value, dict | list):
        return value
    order: list[tuple[Any, Any]] = []
    stack: list[tuple[Any, Any]] = [(value, None)]
    while stack:
        node, where = stack.pop()
        order.append((node, where))
        entries = node.items() if isinstance(node, dict) else enumerate(node)
        stack.extend((item, (node, key)) for key, item in entries if isinstance(item, dict | list))
    result: Any = value
    for node, where in reversed(order):  # children before their parents
        if isinstance(node, _Filled):
            made = tuple(node)
            if where is None:
                result = made
            else:
                where[0][where[1]] = made
    return result


def _kind(kind: type) -> str:
    """A class as the suite names it: masked and cut (type() names a class anything), and closed (`closed`): what
    follows it (``, whose items() raised``) is no part of a masked value that ends it."""
    return closed(class_name(kind, qualified=True))


def _repr(node: Any) -> str:
    """A producer's object as ``repr`` shows it, or what is known of it when its ``repr`` fails."""
    try:
        text = repr(node)
        return str.__str__(text) if isinstance(text, str) else f"<{_kind(type(node))}>"
    except BaseException as error:  # a producer's __repr__ may raise anything, SystemExit included
        if is_stop(error):
            raise
        raise_if_terminated()
        return f"<{_kind(type(node))}, whose repr raised {type_name(error)}>"


def _key(key: Any) -> Any:
    """A key of a producer's own type (a str or int subclass, an object): its exact value, or an `Opaque`."""
    kind = type(key)
    if issubclass(kind, str):
        return str.__str__(key)
    if issubclass(kind, bool | int):
        return int.__index__(key)
    if issubclass(kind, float):
        return float.__float__(key)
    return Opaque(_kind(kind), _repr(key))
