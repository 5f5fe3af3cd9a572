"""The ``notify-schemas`` command: validate, sample, schemas, emit, demo, listen, tally; conformance and compat.

Exit status, as check-jsonschema has it: 0 when everything is valid, 1 when something is invalid, 2 on a usage or
input/output error; 141 when the reader of the output goes away, as a shell reports coreutils' death by SIGPIPE (D94).
Bad input never produces a traceback: each bad record gets one line naming file and line.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import dataclasses
import errno
import io
import itertools
import json
import logging
import os
import secrets
import signal
import socket
import stat
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from notify_schemas import terminal
from notify_schemas.arguments import (
    CONNECT_TIMEOUT,
    MAX_JOBS,
    MAX_RECORD_BYTES,
    MaskedParser,
    as_named,
    config_file,
    count,
    drop_output,
    jobs,
    named_error,
    open_output,
    output,
    record_bytes,
    reserve_output,
    same_file,
    seconds,
    seed,
    shown_name,
    text,
)
from notify_schemas.errors import InvalidNotificationError, NotifySchemasError, UnknownVariantError
from notify_schemas.reader import (
    DEFAULT_MAX_RECORD,
    UTF8_BOM,
    BadRecord,
    Record,
    count_records,
    first_line,
    parse,
    pass_bom,
    skip_rest_of_line,
)
from notify_schemas.redaction import (
    error_text,
    mask_pointer,
    mask_text,
    mask_transport_text,
    mask_url,
    mask_words,
    quoted,
    type_name,
)
from notify_schemas.registry import PROFILES, schema_root, variant, variants
from notify_schemas.termination import READER_GONE, Terminated, raise_if_terminated, sigterm_raises
from notify_schemas.validation import (
    Backend,
    capped,
    is_valid,
    is_valid_plain,
    iter_errors,
    repeated_key,
    validity_table,
)
from notify_schemas.values import JSON_ESCAPE, ascii_json, one_line, writes_utf8
from notify_schemas.wire_form import redacted_json

__all__ = ["main"]

_PROGRESS_BYTES = 1024 * 1024
_WHITESPACE_BYTES = b" \t\r\n"


class _UsageError(NotifySchemasError):
    pass


class _Parser(MaskedParser):
    """argparse's parser, whose errors quote a word given (an unknown command or choice) masked as all output is.

    A command's options may come between its words (``validate a.jsonl --format json b.jsonl``, ``schemas show
    --profile glance image.create.INFO``): argparse alone gives a list of words (``nargs="*"``) only the words before
    the first option, and calls the others unrecognized. Here the words argparse leaves over join that list, in their
    order; after ``--`` every word does, as a word (``validate a.jsonl -- -b.jsonl``)."""

    def words_left(self, namespace: argparse.Namespace, extras: list[str]) -> list[str]:
        words = [a for a in self._actions if not a.option_strings and a.nargs in ("*", "+")]
        if not words or not extras:
            return super().words_left(namespace, extras)
        action, left, taken = words[-1], list[str](), list[str]()
        for i, extra in enumerate(extras):
            if extra == "--":
                taken += extras[i + 1 :]
                break
            (left if extra.startswith("-") and extra != "-" else taken).append(extra)
        if taken:
            given = getattr(namespace, action.dest, None)
            given = [] if given is None or given is action.default else list(given)
            setattr(namespace, action.dest, given + [self._get_value(action, word) for word in taken])
        return left


class _Command(_Parser):
    """A command's parser: a word it leaves over is its own usage error, with its own usage line. argparse hands the
    words a command leaves to notify-schemas itself, which said them with its usage (``notify-schemas [-h]
    [--version] COMMAND ...``), where the usage to read is the command's."""

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        namespace, extras = super().parse_known_args(args, namespace)
        if extras:
            self.error(f"unrecognized arguments: {' '.join(extras)}")
        return namespace, extras


@contextmanager
def _open(name: str) -> Iterator[BinaryIO]:
    if name == "-":
        if sys.stdin is None:  # started with it closed (<&-)
            raise OSError(errno.EBADF, "the standard input is closed", "-")  # named, as a file that cannot be read
        yield sys.stdin.buffer
        return
    if Path(name).is_dir():
        raise IsADirectoryError(21, "Is a directory", name)
    with open(name, "rb") as f:  # an error names the file as given: Path would make swift:// swift:/
        yield f


def _named(name: str) -> str:
    """A name given on the command line as an error names it: as `shown_name` writes it, on one line, each line break
    or other character no one sees escaped (``a\\x0ab``): an error is made one line by joining its words, which named
    ``a<newline>b`` ``a b``, another file, one that may be there."""
    return one_line(shown_name(name))


def _read_once(names: Sequence[str], options: Sequence[str] = ()) -> None:
    """A usage error when two of ``names`` (given by ``options``, where named) read one pipe, FIFO or socket (``-``
    and ``/dev/stdin`` on a pipe, a FIFO under two names): the first takes all of it, and the second, read after it
    at its end, was judged as an empty input, not JSON. A file is read from its start under each name."""
    first: dict[tuple[int, int], int] = {}  # each pipe's device and inode to the first of names that reads it
    for at, name in enumerate(names):
        try:
            found = os.fstat(sys.stdin.fileno()) if name == "-" else os.stat(name)
        except (OSError, ValueError, AttributeError):  # not there, or no standard input: said when it is read
            continue
        if not (stat.S_ISFIFO(found.st_mode) or stat.S_ISSOCK(found.st_mode)):
            continue
        mark = (found.st_dev, found.st_ino)
        if mark in first:
            one, other = (" ".join([*options[k : k + 1], _named(names[k])]) for k in (first[mark], at))
            raise _UsageError(f"{other} is the same pipe as {one}, which takes what it holds: a pipe or FIFO is read "
                              f"once; name a file for one of them")  # fmt: skip
        first[mark] = at


def _size(name: str) -> int:
    """A file's size, 0 for what is not a file or cannot be read (reported when it is read)."""
    try:
        return Path(name).stat().st_size if Path(name).is_file() else 0
    except OSError:  # a name too long, say
        return 0


class _Progress:
    """A record count on stderr, refreshed twice a second, only for a large input and a terminal that takes a line
    written over (`terminal.live`). The count is left without a line end, to be written over, so it is taken off
    before any other line is shown (the terminal may be the standard output's too, and that line would follow it on
    its line), and shown again at the next count."""

    def __init__(self, names: Sequence[str]) -> None:
        size = sum(_size(n) for n in names if n != "-")
        self.enabled = terminal.live(sys.stderr) and (size > _PROGRESS_BYTES or "-" in names)
        self.last = 0.0
        self.shown = False

    def tick(self, count: int) -> None:
        if self.enabled and (now := time.monotonic()) - self.last > 0.5:
            self.last = now
            self.shown = True
            terminal.draw(sys.stderr, f"{count:,} records checked")

    def clear(self) -> None:
        """Take the count off the terminal, if it is shown."""
        if self.shown:
            self.shown = False
            terminal.erase(sys.stderr)

    done = clear


_SUMMARY_KEYS = ("records", "valid", "invalid", "unreadable")


def _record_entries(name: str, record: Record | BadRecord, profile: str, backend: Backend) -> list[dict[str, Any]]:
    """The report entries of one record: none when it is valid."""
    if isinstance(record, BadRecord):
        return [{"file": name, "line": record.line, "pointer": None, "rule": "json", "message": record.reason,
                 "value": None, "variant": None}]  # fmt: skip
    if not record.duplicates and is_valid_plain(record.value, profile=profile, backend=backend):
        return []
    repeated = (repeated_key(p) for p in record.duplicates)
    found = capped(itertools.chain(repeated, iter_errors(record.value, profile=profile, backend=backend)))
    return [
        {"file": name, "line": record.line, "pointer": record.pointer + v.pointer, "rule": v.rule,
         "message": v.message, "value": v.value, "variant": list(v.variant) if v.variant else None}
        for v in found
    ]  # fmt: skip


def _validate_stream(
    stream: BinaryIO,
    name: str,
    args: argparse.Namespace,
    *,
    json_lines: bool = False,
    lines_read: list[int] | None = None,
) -> Iterator[tuple[str, int, list[dict[str, Any]]]]:
    """(verdict, records, entries): one invalid or unreadable record with its entries, or a run of valid ones."""
    table = validity_table(args.profile, args.backend)

    def accept(value: Any) -> bool:
        # The hot path: a plain record of a variant already met is one lookup and one validator call.
        try:
            return table[value["event_type"], value["priority"]](value)
        except (KeyError, TypeError, ValueError, OverflowError):  # not an object, a variant not met yet, ...
            return False

    valid = 0
    records = count_records(stream, accept, limit=args.max_record_bytes, json_lines=json_lines, lines_read=lines_read)
    for record in records:
        if type(record) is int:
            valid += record
            if valid >= 1_000:  # now and then, for the progress line
                yield "valid", valid, []
                valid = 0
            continue
        entries = _record_entries(name, record, args.profile, args.backend)  # type: ignore[arg-type]
        if not entries:
            valid += 1
            continue
        if valid:
            yield "valid", valid, []
            valid = 0
        yield ("unreadable" if isinstance(record, BadRecord) else "invalid"), 1, entries
    if valid:
        yield "valid", valid, []


Job = tuple[str, int, int | None, str, str, int]  # a piece of a file: name, start, end (None: the file's end), profile,
# backend, record limit; the open file itself goes beside it (`_sent`)
Result = tuple[Counter[str], list[dict[str, Any]], int]  # a piece's counts, report entries and lines: or a part
_BATCH = 1_000  # report entries a worker sends at a time: a piece's report can be hundreds of times its size


class _Changed(OSError):
    """A file shared between processes that is no longer as it was cut: written over in place (truncated, as
    copytruncate does) while it was read."""


class _Piece:
    """The bytes [start, end) of a file open in the first process (``end`` None: up to wherever its end is when the
    piece gets there), as a stream. Read with ``pread``, which moves no offset: every worker holds the same open file,
    and none moves another's place in it."""

    def __init__(self, fd: int, start: int, end: int | None) -> None:
        self.fd, self.at, self.end = fd, start, end

    def _wanted(self, size: int) -> int:
        wanted = _PIECE if size < 0 else size
        return wanted if self.end is None else min(wanted, self.end - self.at)

    def read(self, size: int = -1) -> bytes:
        if size < 0:
            return b"".join(iter(lambda: self.read(_PIECE), b""))
        data = os.pread(self.fd, self._wanted(size), self.at)
        self.at += len(data)
        return data

    def readline(self, size: int = -1) -> bytes:
        data = os.pread(self.fd, self._wanted(size), self.at)
        if (end := data.find(b"\n") + 1) > 0:
            data = data[:end]
        self.at += len(data)
        return data if size >= 0 or not data or data.endswith(b"\n") else data + self.readline()


def _validate_range(job: Job, send: Callable[[list[dict[str, Any]]], None], fd: int) -> tuple[Counter[str], int]:
    """One worker's share of a JSON Lines file open as ``fd``, the bytes [start, end): its counts and how many lines
    it holds; its report entries (lines counted from the piece's first line) go to ``send`` a batch at a time, as they
    are found. Read as a stream: a piece may hold a line of any size. A piece that no longer starts a line, as it did
    when it was cut, is `_Changed`: the file was written over where it was cut."""
    name, start, end, profile, backend, limit = job
    args = argparse.Namespace(profile=profile, backend=backend, max_record_bytes=limit)
    counts: Counter[str] = Counter()
    entries: list[dict[str, Any]] = []
    lines: list[int] = []
    if start > 0 and os.pread(fd, 1, start - 1) != b"\n":
        raise _Changed(0, f"changed while it was read: no line starts at byte {start:,} any more, where one did "
                          f"when it was cut; the rest of it is not checked")  # fmt: skip
    if start == 0 and os.pread(fd, len(UTF8_BOM), 0) == UTF8_BOM:  # passed over at the start, as one process does
        start = len(UTF8_BOM)
    piece = _Piece(fd, start, end)
    shown = shown_name(name)
    for verdict, records, found in _validate_stream(piece, shown, args, json_lines=True, lines_read=lines):  # type: ignore[arg-type]
        counts[verdict] += records
        if entries and len(entries) + len(found) > _BATCH:  # a batch holds _BATCH, or one record's entries
            send(entries)
            entries = []
        entries += found
    if entries:
        send(entries)
    return counts, lines[0]


_PIECE = 1024 * 1024  # what one worker checks at a time
_SHARED = 16 * _PIECE  # the size from which --jobs auto shares a file: below it, starting the workers costs more


def _cuts(f: BinaryIO) -> Iterator[tuple[int, int | None]]:
    """An open JSON Lines file cut at line ends into pieces [start, end) of about `_PIECE`; only the bytes up to each
    cut's line end are read here. The last piece goes to the file's end (None) as one process reads it, whatever size
    fstat gave: a /proc file says it has none, and a file may grow while it is read."""
    size = os.fstat(f.fileno()).st_size
    start = 0
    while start + _PIECE < size:
        f.seek(start + _PIECE)
        end = start + _PIECE + skip_rest_of_line(f)
        if end >= size:
            break
        yield start, end
        start = end
    yield start, None


def _ranges(f: BinaryIO, name: str, args: argparse.Namespace) -> Iterator[Job]:
    """The jobs of the pieces of ``name``, open as ``f``."""
    for start, end in _cuts(f):
        yield name, start, end, args.profile, args.backend, args.max_record_bytes


def _json_lines_file(name: str) -> bool:
    """Whether a named file (not stdin) starts as JSON Lines, a whole object on its first line: only those are cut
    between processes."""
    if name == "-" or not _is_file(name):
        return False
    with Path(name).open("rb") as f:
        return _starts_json_lines(f)


def _starts_json_lines(f: BinaryIO) -> bool:
    """Whether an open file is a regular file whose first line that is not blank is a whole object, as the reader
    takes for JSON Lines (blank lines before it are no records, in a piece as in one process); read from its start,
    and left there."""
    if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
        return False
    f.seek(0)
    head = first_line(f, DEFAULT_MAX_RECORD + 1)
    while head.endswith(b"\n") and not head.strip(_WHITESPACE_BYTES):
        head = f.readline(DEFAULT_MAX_RECORD + 1)
    f.seek(0)
    try:
        return head.lstrip(_WHITESPACE_BYTES)[:1] == b"{" and isinstance(parse(head)[0], dict)
    except ValueError:
        return False


_CAN_MASK = hasattr(signal, "pthread_sigmask")
# While the workers fork: they take none of the first process's handlers.
_HELD = {signal.SIGINT, signal.SIGTERM, *((signal.SIGHUP,) if hasattr(signal, "SIGHUP") else ())}


def _worker(conn: Any, not_ours: list[Any]) -> None:
    """A worker: the pieces its pipe brings, one result each, until None or the end of the pipe. It leaves Ctrl-C to
    the first process, which stops them all (a terminal sends it to every one), and takes the default SIGTERM and
    SIGHUP (unless SIGHUP was ignored, under nohup), whatever handler the first process had when it forked."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "SIGHUP") and signal.getsignal(signal.SIGHUP) is not signal.SIG_IGN:
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
    if _CAN_MASK:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD)
    for pipe in not_ours:  # the first process's ends, copied by the fork: its death must end this pipe
        pipe.close()
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):  # the first process is gone
            return
        if job is None:  # the work is done
            return
        try:
            fd = _received_file(conn)
        except (EOFError, OSError):  # the first process is gone
            return
        try:
            answer: tuple[bool | None, Any] = (True, _validate_range(job, lambda batch: conn.send((None, batch)), fd))
        except OSError as error:  # the file cannot be read, or changed: the first process reports it as its own
            answer = (False, error)
        except MemoryError:  # a record of a raised --max-record-bytes: as one process says it
            answer = (False, _short_of_memory())
        finally:
            os.close(fd)
        try:
            conn.send(answer)
        except OSError:  # the first process is gone
            return


class _Workers:
    """Processes that check pieces of files, each fed through a pipe of its own. Nothing is shared between them (a
    ``multiprocessing.Pool`` shares a queue and its lock: a worker stopped while it waits on the queue keeps the lock,
    and stopping the pool then waits for it for ever), so any of them can be stopped anywhere, and a worker that
    dies is an error rather than a wait without end."""

    def __init__(self, count: int, context: Any) -> None:
        self.processes: list[Any] = []
        self.pipes: list[Any] = []
        try:
            for _ in range(count):
                ours, theirs = context.Pipe()
                self.pipes.append(ours)  # closed by stop, whatever happens next
                process = context.Process(target=_worker, args=(theirs, self.pipes[:]), daemon=True)
                try:
                    process.start()
                finally:
                    theirs.close()
                self.processes.append(process)
        except OSError as error:  # too many open files or processes: those started end, and the error says why
            self.stop()
            raise NotifySchemasError(f"cannot start {count} worker processes ({error.strerror or error}): give "
                                     f"--jobs fewer, or --jobs 1") from None  # fmt: skip

    def in_order(self, jobs: Iterator[Job], fd: int) -> Iterator[Result]:
        """Each job's result, in the jobs' order: its report entries a batch at a time (with no counts and no lines),
        then its counts and lines. Each worker holds at most two pieces, the one it checks and the next, and a batch
        of entries, so memory stays bounded however many errors the workers find; a job sent never waits. Every piece
        is read from the file open as ``fd``, which must stay open until the last result is taken."""
        waiting: collections.deque[Any] = collections.deque()
        try:
            for number, job in enumerate(jobs):
                pipe = self.pipes[number % len(self.pipes)]
                _sent(pipe, job, fd)
                waiting.append(pipe)
                if len(waiting) >= 2 * len(self.pipes):
                    yield from self._results(waiting.popleft(), waiting)
            while waiting:
                yield from self._results(waiting.popleft(), waiting)
        except _WorkerGone as gone:
            raise _WorkerGone(gone.pipe, self._how_ended(gone.pipe)) from None

    def _how_ended(self, pipe: Any) -> str:
        """How the worker of ``pipe`` ended, as its exit status says: `` (killed by SIGKILL)``, `` (exit status
        1)``; nothing if it has not ended within a second."""
        process = self.processes[self.pipes.index(pipe)]
        process.join(1)
        code = process.exitcode
        if code is None:
            return ""
        if code < 0:
            try:
                return f" (killed by {signal.Signals(-code).name})"
            except ValueError:
                return f" (killed by signal {-code})"
        return f" (exit status {code})"

    @staticmethod
    def _results(pipe: Any, waiting: collections.deque[Any]) -> Iterator[Result]:
        while True:
            done, value = _received(pipe)
            if done is None:  # a batch of the piece's entries
                yield Counter(), value, 0
                continue
            if done:
                yield value[0], [], value[1]
                return
            # A piece that could not be read (its file gone, say) ends that file; the answers for its pieces still
            # out are taken and dropped, else the next file would be given them as its own.
            while waiting:
                out = waiting.popleft()
                while _received(out)[0] is None:
                    pass
            raise value

    def close(self) -> None:
        """The work is done: each worker is told so, and ends."""
        for pipe in self.pipes:
            with contextlib.suppress(OSError):  # a worker that ended after its last piece has nothing more to do
                pipe.send(None)
            pipe.close()
        for process in self.processes:
            process.join()

    def stop(self) -> None:
        """Ctrl-C, SIGTERM or a reader gone: every worker ends at once."""
        for process in self.processes:
            process.kill()
        for process in self.processes:
            process.join()
        for pipe in self.pipes:
            pipe.close()


def _sent(pipe: Any, job: Job, fd: int) -> None:
    """A job handed to a worker, and beside it the open file its piece is read from: the file that was cut, whatever
    takes its name meanwhile (log rotation, ``mv new.jsonl app.jsonl``) or if it is removed, as one process reads the
    file it opened. A worker that ended (killed, say) after its last answer was read is found here: its pipe's
    BrokenPipeError is not the reader of the output gone away (| head), which would end the run quietly."""
    try:
        pipe.send(job)
        with _socket_of(pipe) as sock:
            socket.send_fds(sock, [b"f"], [fd])
    except OSError:
        raise _WorkerGone(pipe) from None


def _received_file(conn: Any) -> int:
    """The open file that comes beside a job (`_sent`): a descriptor of this process's own."""
    with _socket_of(conn) as sock:
        _, fds, _, _ = socket.recv_fds(sock, 1, 1)
    if not fds:
        raise EOFError("no file came with the job")
    return fds[0]


@contextmanager
def _socket_of(pipe: Any) -> Iterator[socket.socket]:
    """A pipe's socket (a ``multiprocessing`` pipe is a socket pair where files can be passed), borrowed: the pipe
    keeps it open."""
    sock = socket.socket(fileno=pipe.fileno())
    try:
        yield sock
    finally:
        sock.detach()


def _received(pipe: Any) -> tuple[bool | None, Any]:
    try:
        return pipe.recv()  # type: ignore[no-any-return]
    except (EOFError, OSError):
        raise _WorkerGone(pipe) from None


class _WorkerGone(OSError):
    """A worker that ended before it answered for its piece (killed, as the system kills a process when memory runs
    out): the file is not read to its end, as one that cannot be read, and the workers are used no more."""

    def __init__(self, pipe: Any, how: str = "") -> None:
        super().__init__(0, f"a worker process ended before its piece was checked{how}; the rest of it is not checked")
        self.pipe = pipe


def _short_of_memory() -> OSError:
    """Memory that ran out while a file was checked (a record of a raised --max-record-bytes, a process limit): the
    file is not read to its end, as one that cannot be read, and the files after it are still checked."""
    return OSError(0, "out of memory while it was checked; the rest of it is not checked")


def _start_pool(workers: int, args: argparse.Namespace) -> _Workers:
    """``workers`` processes, forked where the platform can, after the validators of every variant are built here:
    each worker starts at once, with nothing to import or build. Ctrl-C and SIGTERM while they start are held until
    the workers have their own handlers."""
    import multiprocessing

    for v in variants(args.profile):
        is_valid({"event_type": v.event_type, "priority": v.priority}, profile=args.profile, backend=args.backend)
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD) if _CAN_MASK else None
    try:
        return _Workers(workers, context)
    finally:
        if blocked is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


def _usable_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _pieces(name: str, most: int) -> int:
    """How many pieces a file is cut into between processes, counted up to ``most``: none for stdin, a document or
    an array (read by one process), and for what cannot be read (reported when it is). Only a regular file is opened
    to be looked at: a named pipe opened and closed here would lose what its writer wrote and closed meanwhile, and
    the reading proper would wait for ever for another writer."""
    if name == "-" or not _is_file(name):
        return 0
    try:
        with open(name, "rb") as f:
            return sum(1 for _ in itertools.islice(_cuts(f), most)) if _starts_json_lines(f) else 0
    except OSError:
        return 0


def _is_file(name: str) -> bool:
    """Whether ``name`` is a regular file, asked without opening it (False for what cannot be asked: reported when
    it is read)."""
    try:
        return Path(name).is_file()
    except OSError:  # a name too long, say
        return False


def _workers(args: argparse.Namespace) -> int:
    """How many processes share the work: ``--jobs N``, or with ``auto`` every usable core once a named JSON Lines
    file is large enough to gain from it; never more than the pieces of the largest shared file, so that a file of
    one piece is checked by this process alone."""
    if args.jobs == "auto":
        cores = _usable_cores()
        large = any(_shared_size(name) >= _SHARED for name in args.files) if cores > 1 else False
        asked = cores if large else 1
    else:
        asked = int(args.jobs)
    if asked == 1 or not _SHARES_FILES:
        return 1
    return max(1, max((_pieces(name, asked) for name in args.files), default=0))


# Where a worker can be given the open file itself (SCM_RIGHTS) and read it at an offset of its own (pread): elsewhere
# (Windows) one process reads each file, as no piece could be known to come from the file that was cut.
_SHARES_FILES = hasattr(os, "pread") and hasattr(socket, "send_fds")


def _shared_size(name: str) -> int:
    try:
        return Path(name).stat().st_size if _json_lines_file(name) else 0
    except OSError:  # reported when the file is read
        return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    if args.files.count("-") > 1:
        raise _UsageError("validate reads stdin once: give - at most once")
    _read_once(args.files)
    return _validate_files(args)  # a reader of the output gone away (| head) ends it at once: 141, as main says (D94)


def _validate_files(args: argparse.Namespace) -> int:
    """Check every file, report as it goes on stdout; the exit status."""
    counts: Counter[str] = Counter()
    io_error = False
    unread: list[dict[str, str]] = []  # the files that could not be read, and why: the JSON summary names them
    progress = _Progress(args.files)
    out: TextIO = sys.stdout
    emit = _JsonReport(out) if args.format == "json" else _TextReport(out)
    pool: _Workers | None = None
    workers = _workers(args)
    output = _stat(sys.stdout)  # type: ignore[arg-type]
    with sigterm_raises():
        try:
            if workers > 1:
                pool = _start_pool(workers, args)
            for name in args.files:
                shown = shown_name(name)  # a file's name, as every line that names it shows it
                try:
                    with _open(name) as stream:
                        opened = _stat(stream)
                        _not_the_output(opened, output)
                        if pool is not None and name != "-" and _starts_json_lines(stream):
                            _validate_shared(pool, stream, name, args, counts, emit, progress)
                        else:
                            for verdict, records, entries in _validate_stream(stream, shown, args):
                                counts[verdict] += records
                                if entries:
                                    progress.clear()
                                for entry in entries:
                                    emit.entry(entry)
                                progress.tick(counts["valid"] + counts["invalid"] + counts["unreadable"])
                        _not_cut_short(stream, opened)
                except BrokenPipeError:
                    raise  # the reader of the output went away (| head): the run ends, quietly (D94)
                except (OSError, MemoryError) as failed:
                    error = failed if isinstance(failed, OSError) else _short_of_memory()
                    if isinstance(error, _WorkerGone) and pool is not None:  # the files after it: this process alone
                        pool.stop()
                        pool = None
                    io_error = True
                    reason = one_line(mask_text(as_named(error.strerror or str(error))))
                    progress.clear()
                    print(one_line(f"notify-schemas: error: {shown}: {reason}"), file=sys.stderr)  # a name's \n too
                    unread.append({"file": shown, "reason": reason})
        except BaseException:  # Ctrl-C, SIGTERM or a reader gone (| head): the workers stop at once, quietly
            if pool is not None:
                pool.stop()
            progress.done()
            raise
    if pool is not None:
        pool.close()
    progress.done()
    counts["records"] = counts["valid"] + counts["invalid"] + counts["unreadable"]
    files = len(args.files)
    records = counts["records"]
    summary = {key: counts[key] for key in _SUMMARY_KEYS} | {"profile": args.profile, "files": files, "unread": unread}
    emit.end(summary, (
        f"{records:,} record{'s' if records != 1 else ''} in {files} file{'s' if files != 1 else ''}: "
        f"{counts['valid']:,} valid, {counts['invalid']:,} invalid, {counts['unreadable']:,} unreadable "
        f"(profile {args.profile})"
    ))  # fmt: skip
    if io_error:
        return 2
    return 1 if counts["invalid"] or counts["unreadable"] else 0


def _stat(f: BinaryIO) -> os.stat_result | None:
    """What an open file is, or None for a stream that is no file of the system's (a standard input replaced by one in
    memory)."""
    try:
        return os.fstat(f.fileno())
    except (OSError, ValueError):
        return None


def _not_the_output(opened: os.stat_result | None, output: os.stat_result | None) -> None:
    """An OSError if a file to be read is the regular file the standard output writes to (``validate a.jsonl >>
    a.jsonl``): the report's lines would be read back as records, and counted, for as long as they come (as cat and
    grep, the file is not read)."""
    if opened is None or output is None or not stat.S_ISREG(opened.st_mode):
        return
    if (opened.st_dev, opened.st_ino) == (output.st_dev, output.st_ino):
        raise OSError(errno.EINVAL, "it is the standard output too: the report would be read back as records; "
                                    "write the report to another file")  # fmt: skip


def _not_cut_short(f: BinaryIO, opened: os.stat_result | None) -> None:
    """`_Changed` if a regular file read to its end is now shorter than the size it had when it was opened: it was cut
    short in place while it was read (copytruncate), behind the reader or ahead of it (which then met the new end,
    one process or the last piece of the workers), and what it held past its new end was never read. A file that says
    it has no size (/proc) never is."""
    if opened is None or not stat.S_ISREG(opened.st_mode):
        return
    now, read = os.fstat(f.fileno()).st_size, f.tell()  # read: by this process, which cut it for the workers
    if now < read and now < opened.st_size:
        raise _Changed(0, f"changed while it was read: cut to {now:,} bytes after {read:,} were read; what it held "
                          f"past them was not checked")  # fmt: skip
    if now < opened.st_size:
        raise _Changed(0, f"changed while it was read: cut to {now:,} bytes from the {opened.st_size:,} it had when "
                          f"it was opened; what it held past them was not checked")  # fmt: skip


def _validate_shared(
    pool: _Workers,
    f: BinaryIO,
    name: str,
    args: argparse.Namespace,
    counts: Counter[str],
    emit: Any,
    progress: _Progress,
) -> None:
    """Check a JSON Lines file open as ``f`` with the workers, piece by piece, each read from ``f`` itself: report as
    it goes into ``counts`` and ``emit``, in input order."""
    before = 0  # lines in the pieces before this one: in_order gives the pieces in input order
    for part, entries, lines in pool.in_order(_ranges(f, name, args), f.fileno()):
        counts.update(part)
        progress.tick(counts["valid"] + counts["invalid"] + counts["unreadable"])
        if entries:
            progress.clear()
        for entry in entries:
            entry["line"] += before
            emit.entry(entry)
        before += lines


def _json_out(text: str) -> str:
    """JSON text as the standard output may carry it (`_utf8`)."""
    return text if writes_utf8(sys.stdout) else ascii_json(text)


class _TextReport:
    """One line per violation as it is found; the summary line last."""

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def entry(self, entry: dict[str, Any]) -> None:
        where = f"{entry['file']}:{entry['line']}"
        if entry["pointer"] is None:
            self.out.write(one_line(f"{where}: {entry['message']}") + "\n")
            return
        variant_text = f" ({' '.join(entry['variant'])})" if entry["variant"] else ""
        line = f"{where}: {entry['pointer'] or '/'}: {entry['message']} [{entry['rule']}]{variant_text}"
        self.out.write(one_line(line) + "\n")

    def end(self, summary: dict[str, Any], line: str) -> None:
        self.out.write(line + "\n")


class _JsonReport:
    """One JSON document, written as the entries come: ``{"errors": [...], "summary": {...}}``, in bounded memory."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.first = True
        self.ascii = not writes_utf8(out)
        out.write('{"errors": [')

    def entry(self, entry: dict[str, Any]) -> None:
        self.out.write(("\n" if self.first else ",\n") + json.dumps(entry, ensure_ascii=self.ascii))
        self.first = False

    def end(self, summary: dict[str, Any], line: str) -> None:
        self.out.write('\n], "summary": ' + json.dumps(summary, ensure_ascii=self.ascii) + "}\n")


def _cmd_sample(args: argparse.Namespace) -> int:
    from notify_schemas.samples import samples

    only_ascii = not writes_utf8(sys.stdout)
    try:
        variant(args.event_type, args.priority, profile=args.profile)
    except UnknownVariantError as error:
        raise _in_another_profile(error, args.event_type, args.priority, args.profile) from None
    for message in samples(args.event_type, args.priority, profile=args.profile, n=args.n, seed=args.seed):
        print(json.dumps(message, ensure_ascii=only_ascii))
    return 0


def _variant_arg(name: str, priority: str | None, profile: str) -> Any:
    """The variant ``schemas show`` names, as ``EVENT_TYPE.PRIORITY`` or ``EVENT_TYPE PRIORITY``; a usage error that
    says what is wrong with it: the priority left out, a file's name given, a word more, another profile's variant."""
    if priority is None:
        if name.removesuffix(".json") != name:
            given = name.removesuffix(".json").rpartition("/")[2]
            raise _UsageError(f"schemas show takes a variant, not a file's name: {quoted(given)}, as "
                              f"EVENT_TYPE.PRIORITY")  # fmt: skip
        event_type = _event_type_named(name.removesuffix("."), profile)
        if event_type is not None:
            raise _UsageError(f"{quoted(name)} names an event type without its priority: {_priorities(event_type)}")
        event_type, _, priority = name.rpartition(".")
        if not event_type:
            raise _UsageError(f"name a variant as EVENT_TYPE.PRIORITY or EVENT_TYPE PRIORITY, not {quoted(name)}")
    else:
        event_type = name
    try:
        return variant(event_type, priority, profile=profile)
    except UnknownVariantError as error:
        # EVENT_TYPE.PRIORITY and a word more: the word is what is wrong, not the event type.
        dotted_type, _, dotted = name.rpartition(".")
        if name == event_type and any((v.event_type, v.priority) == (dotted_type, dotted) for v in variants(profile)):
            raise _UsageError(f"schemas show takes EVENT_TYPE.PRIORITY or EVENT_TYPE PRIORITY; unexpected after "
                              f"{name}: {priority}") from None  # fmt: skip
        raise _in_another_profile(error, event_type, priority, profile) from None


def _in_another_profile(error: UnknownVariantError, event_type: str, priority: str, profile: str) -> Exception:
    """The error for a variant named on the command line: a usage error naming the ``--profile`` that has it when
    another profile does (`UnknownVariantError.has_it`, the words every message says it in), else ``error``."""
    if not error.elsewhere:
        return error
    other = error.elsewhere[0]
    return _UsageError(f"{event_type} {priority} is not in profile {profile!r}; {error.has_it(other)}: --profile "
                       f"{other}")  # fmt: skip


def _names(profile: str) -> set[tuple[str, str]]:
    return {(v.event_type, v.priority) for v in variants(profile)}


def _event_type_named(name: str, profile: str) -> str | None:
    """The event type ``name`` is, in ``profile`` or else another, written in any case; None if it is none."""
    for p in [profile, *(p for p in PROFILES if p != profile)]:
        for event_type, _ in sorted(_names(p)):
            if event_type.lower() == name.lower():
                return event_type
    return None


def _priorities(event_type: str) -> str:
    """What each profile has of an event type: ``schemas show image.send.ERROR, image.send.INFO, ...``."""
    said = []
    for profile in PROFILES:
        priorities = sorted(p for e, p in _names(profile) if e == event_type)
        if priorities:
            said.append(f"{', '.join(f'{event_type}.{p}' for p in priorities)} in profile {profile!r}")
    return "; ".join(said)


def _cmd_schemas(args: argparse.Namespace) -> int:
    if args.source and args.action != "show":
        raise _UsageError(f"--source does not apply to schemas {args.action}: only to schemas show")
    if args.profile and args.action not in ("list", "show"):
        raise _UsageError(f"--profile does not apply to schemas {args.action}: the folder holds every profile")
    wanted = {"list": 0, "path": 0, "export": 1, "show": 2}[args.action]
    if len(args.variant) > wanted and not (args.action == "show" and len(args.variant) == 1):
        extra = " ".join(args.variant[wanted:])
        raise _UsageError(f"schemas {args.action} takes {wanted or 'no'} argument{'s' if wanted != 1 else ''}; "
                          f"unexpected: {extra}")  # fmt: skip
    if args.action == "list":
        for profile in [args.profile] if args.profile else PROFILES:
            for v in variants(profile):
                print(f"{profile:7} {v.event_type:36} {v.priority:6} schemas/{v.bundled_path}")
        return 0
    if args.action == "show":
        if not args.variant:
            raise _UsageError("schemas show needs a variant, e.g. image.create.INFO")
        v = _variant_arg(args.variant[0], args.variant[1] if len(args.variant) > 1 else None, args.profile or "seed")
        path = v.bundled_path if not args.source else v.path
        print((schema_root() / path).read_text(encoding="utf-8"), end="")
        return 0
    if args.action == "path":
        # For tools in other languages: the folder whose bundled/<profile>/<variant>.json files they read.
        print(Path(str(schema_root())).resolve())
        return 0
    if not args.variant:
        raise _UsageError("schemas export needs a directory")
    if args.variant[0] == "-":  # as every option that writes a file: - is the standard input, not a folder
        raise _UsageError("schemas export writes files into a folder; - is the standard input: name a folder")
    target = Path(args.variant[0])
    try:
        copied = _export(schema_root(), target)
    except OSError as error:  # named by the folder as given: Path makes swift://u:p@h/ swift:/u:p@h, unmasked
        raise named_error(error, _as_given(args.variant[0], target, error.filename)) from None
    print(one_line(f"exported {copied} files to {shown_name(args.variant[0])}"))
    return 0


def _as_given(given: str, target: Path, name: Any) -> str:
    """A path an export's error names (``target``, a file in it, or a folder on the way to it) written from the name
    ``given`` on the command line, of which ``target`` is the `Path`."""
    named = str(name)
    parts = Path(named).parts
    if parts[: len(target.parts)] == target.parts:  # the target or a file in it (in `.`, whose Path has no parts)
        inside = parts[len(target.parts) :]
        return given if not inside else given.rstrip("/") + "/" + "/".join(inside)
    up = next((k for k, p in enumerate(target.parents, 1) if str(p) == named), None)  # a folder on the way
    shown = given.rstrip("/")
    for _ in range(up or 0):
        shown = shown[: max(shown.rfind("/"), 0)].rstrip("/")  # a name given may repeat a slash (swift://)
    return shown if up is not None and shown and Path(shown) == Path(named) else given


def _export(source: Any, target: Path) -> int:
    """Copy the schema folder's files to ``target``: the number copied. The files are listed before the first is
    written, so that a target inside the schema folder (``schemas export "$(notify-schemas schemas path)/v1"``) is
    not copied into itself without end."""
    files = list(_files(source))
    _folder(target)
    for parts, file in files:
        _folder(target.joinpath(*parts[:-1]))
        _write_whole(str(target.joinpath(*parts)), file.read_bytes())
    return len(files)


def _write_whole(name: str, data: bytes) -> None:
    """Write ``data`` as the file ``name``, whole or not at all: into a new file beside it, which then takes its
    place (at the end of a link, the link kept), so that a full disk or Ctrl-C half-way leaves the file as it was,
    never cut short and taken for a whole schema, and no file of another name behind. What is there and is no file
    (a FIFO, a device) is written to as it is. An error names ``name``: a write that fails names no file itself."""
    try:
        there = os.stat(name).st_mode
    except FileNotFoundError:
        there = None
    except OSError as error:
        raise named_error(error, name) from None
    if there is not None and not stat.S_ISREG(there):
        try:
            with open(open_output(name), "wb") as f:  # a FIFO no process reads: an error, not a wait
                f.write(data)
        except OSError as error:
            raise named_error(error, name) from None
        return
    final = os.path.realpath(name)
    new = os.path.join(os.path.dirname(final), f".{os.path.basename(final)}.{secrets.token_hex(6)}.part")
    try:
        with open(os.open(new, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), "wb") as f:
            f.write(data)
        os.replace(new, final)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(new)
        if isinstance(error, OSError):
            raise named_error(error, name) from None
        raise


def _folder(path: Path) -> None:
    """``path`` as a folder, made with the folders that lead to it if need be. A file of that name is said to be one:
    mkdir's own word for it, "File exists", reads as if the export refused to overwrite, which it does not."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):  # that file, or a file on the way to it (afile/x)
        file = next((p for p in (path, *path.parents) if p.exists() and not p.is_dir()), None)
        if file is None:
            _leads_nowhere(path)
            raise
        raise NotADirectoryError(errno.ENOTDIR, "a file, not a folder: schemas export writes into a folder",
                                 str(file)) from None  # fmt: skip


def _leads_nowhere(path: Path) -> None:
    """An error naming the link of ``path`` or of a folder on the way to it that leads nowhere: to nothing there, or
    round in a loop, where mkdir says "File exists", as if the export refused to overwrite."""
    link = next((p for p in (path, *path.parents) if p.is_symlink() and not p.exists()), None)
    if link is None:
        return
    try:
        link.stat()
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise OSError(errno.ELOOP, "a link in a loop (too many levels of symbolic links)", str(link)) from None
    raise OSError(errno.ENOENT, "a link to nothing there: schemas export makes no folder at the end of a link",
                  str(link))  # fmt: skip


def _files(folder: Any, parts: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every file under ``folder``, with the names of the folders that lead to it and its own."""
    for child in folder.iterdir():
        if child.is_dir():
            yield from _files(child, (*parts, child.name))
        else:
            yield (*parts, child.name), child


def _notifier(args: argparse.Namespace, *, default_drivers: Sequence[str] | None = None) -> Any:
    from notify_schemas.config import NotifierConfig, load_config
    from notify_schemas.notifier import Notifier

    config = load_config(args.config_file) if args.config_file else NotifierConfig()
    drivers = args.driver or (default_drivers if not args.config_file else None)
    return Notifier(args.publisher_id, drivers=drivers, profile=args.profile, validation=args.validation, config=config)


def _no_send_into_the_process(notifier: Any, instead: str = "") -> None:
    """A usage error when a messaging driver of ``notifier`` has no transport URL: it would send to oslo's in-process
    ``fake://`` broker, which ends with the command and no other process reads, and the command would exit 0 with
    its notifications delivered nowhere (``demo`` without --driver or --config-file listens on that broker itself).
    ``instead`` ends the error with what the command can do instead."""
    from notify_schemas.broker.messaging import MessagingDriver, MessagingV2Driver

    for driver in notifier.drivers:
        if not isinstance(driver, MessagingDriver):
            continue
        name = "messagingv2" if isinstance(driver, MessagingV2Driver) else "messaging"
        url = driver.config.transport_url
        if not url:
            raise _UsageError(f"the {name} driver needs a transport_url (in the --config-file): without one it "
                              f"sends to oslo's in-process fake:// broker, which no other process "
                              f"reads{instead}")  # fmt: skip
        if _in_process(url):  # named in so many words, it is no broker either: the command exited 0, sent nowhere
            raise _UsageError(f"the {name} driver's transport_url {mask_url(as_named(url))} is oslo's in-process "
                              f"broker, which ends with the command and no other process reads: name a broker's "
                              f"URL{instead}")  # fmt: skip


def _in_process(url: str) -> bool:
    """Whether a transport URL names oslo's in-process ``fake`` transport, as oslo.messaging reads its scheme
    (``urlparse``: in any case, with or without ``//``) and loads the driver it names before any ``+``
    (``fake+rabbit://`` is fake, as ``kombu+...`` is rabbit)."""
    from urllib.parse import urlparse

    try:
        return urlparse(url).scheme.partition("+")[0] == "fake"
    except ValueError:  # not a URL urlparse reads (a bracket left open): oslo.messaging refuses it in its words
        return False


_KEYS_SHOWN = 20
"""How many keys written twice the line of a payload that writes keys twice names: as many as an error's violations."""


def _cmd_emit(args: argparse.Namespace) -> int:
    from notify_schemas.config import is_disabled
    from notify_schemas.message import build_message

    # The Notifier first: a driver or configuration file that is wrong is a usage error said at once, not after the
    # payload was read (--payload - waits for the standard input) and judged.
    if args.config_file:
        _read_once([args.config_file, args.payload], ["--config-file", "--payload"])
    notifier = _notifier(args)
    _no_send_into_the_process(notifier)
    with _open(args.payload) as stream:
        try:
            start = pass_bom(stream)  # passed over, and not counted, as validate passes it over
            raw = start + stream.read(DEFAULT_MAX_RECORD + 1 - len(start))
        except OSError as error:  # read, not opened (/proc/self/mem: EIO): named, as an error opening it is
            raise named_error(error, args.payload) from None
    if len(raw) > DEFAULT_MAX_RECORD:
        # Judged as validate judges a record over the limit: unread, exit 1; not a usage error, which it was (exit 2).
        limit = f"{DEFAULT_MAX_RECORD:,}"
        said = f"notify-schemas: {as_named(args.payload)}: the payload is over the limit of {limit} bytes"
        print(one_line(mask_text(said)), file=sys.stderr)
        return 1
    try:
        payload, duplicates = parse(raw)
    except ValueError as error:
        # Judged as validate judges a record that is not JSON: invalid, exit 1.
        print(one_line(mask_text(f"notify-schemas: {as_named(args.payload)}: the payload is {error}")), file=sys.stderr)
        return 1
    if duplicates:
        # The first few, as an error shows the first violations: a payload of 16 MiB may write 500,000 keys twice, and
        # the line naming them all was as long as the payload.
        keys = ", ".join(mask_pointer(p) for p in duplicates[:_KEYS_SHOWN])
        keys += f" and {len(duplicates) - _KEYS_SHOWN:,} more" if len(duplicates) > _KEYS_SHOWN else ""
        said = f"notify-schemas: {as_named(args.payload)}: the payload writes a key twice: {keys}"
        print(one_line(mask_text(said)), file=sys.stderr)
        return 1
    from notify_schemas.drivers.log import LogDriver

    if any(isinstance(d, LogDriver) for d in notifier.drivers):
        # The log driver (named by --driver or by the configuration file) writes through Python logging: on its own,
        # the command shows what it sends.
        _show_logs(logging.INFO)
    # The priority as given, not upper-cased as build_message does: emit judges what validate would judge.
    message = build_message(args.event_type, args.priority, payload, notifier.publisher_id)
    message["priority"] = args.priority
    try:
        with _counting_failures() as failures:
            sent = notifier.send(message)
    except InvalidNotificationError as error:
        print(error, file=sys.stderr)
        return 1
    if sent is None:
        if notifier.validation != "strict" and not is_disabled(args.event_type, notifier.disabled_notifications):
            print("notification not sent: it cannot be written as JSON (see the log)", file=sys.stderr)
            return 1
        said = f"{args.event_type} is disabled by disabled_notifications; nothing sent"
        print(one_line(mask_text(said)), file=sys.stderr)
        return 0
    unsent = ""
    if failures.count:
        unsent = "notification not sent by every driver (see the log)"
    elif failures.unwritten:  # its line was the log driver's only delivery
        unsent = "notification not sent by the log driver: the standard error, where it writes, cannot be written"
    elif notifier.validation == "warn" and not is_valid(sent, profile=notifier.profile, backend=notifier.backend):
        # Sent as asked, but invalid: the Notifier's warning is no verdict of valid, and exit 0 would be one (D101).
        unsent = "the notification was sent, though it is invalid (--validation warn: see the log)"
    try:
        # What was sent, as a log line may show it: the copy on a terminal holds no secret.
        print(_json_out(redacted_json(sent)))
        sys.stdout.flush()
    except _OutputError as error:  # said with what became of the notification: one sent is not to be sent again
        raise _OutputError(f"{error}; {unsent or 'the notification was sent'}") from None
    if unsent:
        print(unsent, file=sys.stderr)
        return 1
    return 0


class _LogLine(logging.Formatter):
    """A log record as one line, masked as all output is: oslo.messaging logs a send it gave up on with the whole
    notification and a traceback; a terminal gets the exception's type and text instead, and no credential."""

    def format(self, record: logging.LogRecord) -> str:
        try:
            text = record.getMessage()
        except (TypeError, ValueError):  # a library's arguments that do not fit its format
            text = str(record.msg)
        if record.exc_info and record.exc_info[1] is not None:
            text += f" ({error_text(record.exc_info[1])})"
        if record.name == "py.warnings":  # a library's warning: its file, its text over lines, the line of source
            text = " ".join(text.split())
        return one_line(mask_transport_text(f"{record.name} {record.levelname} {text}"))


def _show_logs(level: int) -> None:
    """Log records of ``level`` and above on stderr, one masked line each, and a library's warnings with them
    (Python writes a warning over several lines, unmasked); left to the program that runs `main` when it has its own
    handlers."""
    root = logging.getLogger()
    if not root.handlers:
        handler = _LogStream()
        handler.setFormatter(_LogLine())
        root.addHandler(handler)
        logging.captureWarnings(True)
    elif not all(isinstance(h.formatter, _LogLine) for h in root.handlers):
        return
    if level < root.getEffectiveLevel():
        root.setLevel(level)


class _LogStream(logging.StreamHandler):  # type: ignore[type-arg]
    """Log records on the standard error of the run under way (each run of `main` has its own, `_Unheard`), counting
    the log driver's lines it could not write there (a full disk, ``2>&-``): for that driver, the line is the
    notification sent, and one unwritten is one it did not send."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)
        self.unwritten = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = stream = sys.stderr
        lost = getattr(stream, "lost", 0)
        with terminal.writing(stream):  # on a row of its own, not after listen's running tally
            super().emit(record)
        if getattr(stream, "lost", 0) > lost and _of_the_log_driver(record):
            self.unwritten += 1


def _of_the_log_driver(record: logging.LogRecord) -> bool:
    """Whether a log record is a notification the log driver sent: under its logger, or one beneath it."""
    from notify_schemas.drivers.log import LOGGER_BASE

    return record.name == LOGGER_BASE or record.name.startswith(LOGGER_BASE + ".")


_TRIES_AGAIN = (
    "Connection failed: %s (retrying in ",
    "[%(connection_id)s] AMQP server on %(hostname)s:%(port)s is unreachable: ",
    "[%(connection_id)s] AMQP server %(hostname)s:%(port)s closed the connection.",
    "Failed to publish message to topic ",
    "The broker has blocked the connection: ",
)
"""What oslo.messaging's RabbitMQ driver logs, as errors, on each attempt that fails before it tries again (a host of
a cluster down, a connection dropped, the broker blocking publishers): a send it gives up on, it raises, and its
notification driver logs that ("Could not send notification to ...")."""


def _tries_again(record: logging.LogRecord) -> bool:
    """Whether a log record is oslo.messaging's RabbitMQ driver telling of an attempt that failed, before it tries
    again: no notification lost (a cluster's URL whose first host is down logged one for every send, and emit said
    the notification it had sent through the next host was not sent)."""
    name = record.name.replace("oslo.messaging.", "oslo_messaging.", 1)  # oslo.log's name for oslo_messaging
    return (name == "oslo_messaging._drivers.impl_rabbit" and isinstance(record.msg, str)
            and record.msg.startswith(_TRIES_AGAIN))  # fmt: skip


def _log_lines_unwritten() -> int:
    return sum(h.unwritten for h in logging.getLogger().handlers if isinstance(h, _LogStream))


class _Failures(logging.Handler):
    """The errors logged while notifications are sent: a driver that fails logs it and does not raise (oslo.messaging
    giving up on a broker, a driver of the Notifier's that raised); and, in ``unwritten``, the log driver's lines the
    standard error did not take meanwhile, each a notification that driver did not send."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0
        self._unwritten_before = _log_lines_unwritten()

    def emit(self, record: logging.LogRecord) -> None:
        # The log driver's own line is an ERROR notification, sent; oslo's saying that it tries again is no failure.
        if not _of_the_log_driver(record) and not _tries_again(record):
            self.count += 1

    @property
    def unwritten(self) -> int:
        return _log_lines_unwritten() - self._unwritten_before


@contextmanager
def _counting_failures() -> Iterator[_Failures]:
    failures = _Failures()
    root = logging.getLogger()
    root.addHandler(failures)
    try:
        yield failures
    finally:
        root.removeHandler(failures)


def _embedded_broker_available() -> bool:
    try:
        import oslo_messaging  # noqa: F401
    except ImportError:
        return False
    return True


_DEMO_TOPIC = "notify-schemas-demo"
"""The topic the demo sends on and listens to over a broker: a topic of its own, so that it neither feeds Glance's
consumers (ceilometer's on ``notifications``) made-up notifications nor takes theirs off their queues."""
_DEMO_WAIT = 30.0
"""Seconds the demo waits for its listener to receive what it sent."""


def _cmd_demo(args: argparse.Namespace) -> int:
    from notify_schemas.cli.demo import UNCHECKED, run_demo

    _show_logs(logging.INFO)
    listener = None
    if args.transport_url or (not args.driver and not args.config_file and _embedded_broker_available()):
        # messagingv2 to a broker (the embedded fake:// one by default), and a listener that validates what arrives.
        from notify_schemas.broker.listener import Listener
        from notify_schemas.config import NotifierConfig, load_config
        from notify_schemas.notifier import Notifier

        if args.driver:  # not to be left aside without a word: the drivers are the two the listener checks
            raise _UsageError("--driver does not apply to demo --transport-url, which sends through log and "
                              "messagingv2 and listens for what it sent")  # fmt: skip
        # A configuration file gives the rest: oslo.messaging's options for the broker (TLS, say), the publisher id,
        # the notifications disabled, the control exchange.
        ours = {"drivers": ("log", "messagingv2"), "transport_url": args.transport_url, "topics": (_DEMO_TOPIC,)}
        config = load_config(args.config_file, **ours) if args.config_file else NotifierConfig(**ours)
        listener = Listener(config, profile=args.profile)
        listener.start(timeout=30)
        notifier = Notifier(args.publisher_id, config=config, profile=args.profile, validation=args.validation)
    else:
        notifier = _notifier(args, default_drivers=["log", "memory"])
        _no_send_into_the_process(notifier, "; demo without --driver and --config-file sends through that broker "
                                            "and checks what a listener on it receives")  # fmt: skip
    stopped = listener is None
    try:
        with _counting_failures() as failures:
            rows = run_demo(notifier)
        sent = {r[0]["message_id"] for r in rows if r[0] is not None}  # valid or not: each one the drivers were given
        arrived = True
        try:
            width = max(len(r[1]) for r in rows)
            # The verdicts' column as wide as the widest of one word (unchecked, disabled); one that names a
            # violation (invalid (sent): ...) runs over it.
            said = max((len(r[3]) for r in rows if ": " not in r[3]), default=0)
            said = max(said, len("verdict"))  # every verdict may name a violation (a publisher id none may have)
            print(f"{'#':>2}  {'event_type':{width}}  {'priority':8}  {'verdict':{said}}  payload")
            for i, (_, event_type, priority, verdict, what) in enumerate(rows, 1):
                print(f"{i:>2}  {event_type:{width}}  {priority:8}  {verdict:{said}}  {what}")
            print(_demo_line(rows, notifier))
            if listener is not None:
                arrived = _all_arrived(listener, sent, timeout=_DEMO_WAIT)
                listener.stop()
                stopped = True
                where = (
                    mask_url(as_named(args.transport_url)) if args.transport_url else "the embedded broker (fake://)"
                )
                print(f"listener on {where}, topic {_DEMO_TOPIC}: {listener.tally.line()}")
            sys.stdout.flush()  # what is still buffered fails here, if it fails, and is said with what was sent
        except _OutputError as error:  # as emit says it (D94): exit 2 alone reads as if nothing was sent
            raise _OutputError(f"{error}; {len(sent):,} of the demo's notifications were sent") from None
    finally:
        # Whatever ends the demo early (an output that fails, Ctrl-C, strict mode's refusal): the listener is stopped
        # before the process ends. oslo's threads went on delivering, and a pool thread that one of them was starting
        # as the process ended raised at its exit (futurist joins each thread it made, started or not).
        if not stopped:
            listener.stop()  # type: ignore[union-attr]
    if listener is not None and not arrived:
        print(f"{len(sent - listener.tally.message_ids):,} of the {len(sent):,} notifications sent did not reach "
              f"the listener within {_DEMO_WAIT:g} s", file=sys.stderr)  # fmt: skip
    if failures.count:  # before the listener's verdict: the errors are most often why it received fewer
        print(f"{failures.count:,} errors logged while sending (see the log)", file=sys.stderr)
        return 1
    if failures.unwritten:  # the log driver's lines, its only delivery
        print(f"{failures.unwritten:,} notifications not sent by the log driver: the standard error, where it writes, "
              "cannot be written", file=sys.stderr)  # fmt: skip
        return 1
    if listener is not None and (not arrived or listener.tally.invalid.total()):
        return 1
    # A notification that disabled_notifications silences is neither sent nor invalid; one sent unchecked (validation
    # off) was not asked to be.
    return 1 if any(r[3] not in ("valid", "disabled", UNCHECKED) for r in rows) else 0


def _demo_line(rows: Sequence[Any], notifier: Any) -> str:
    """The demo's last line: how many notifications it made, how many the drivers were given (not those that strict
    mode refused or disabled_notifications silenced), and each verdict counted (D101)."""
    names = ", ".join(type_name(d) for d in notifier.drivers)
    sent = sum(r[0] is not None for r in rows)
    kinds = Counter(r[3].partition(":")[0] for r in rows)
    valid = kinds.pop("valid", 0)
    counted = "".join(f", {n} {kind}" for kind, n in kinds.items())
    made = f"{len(rows)} notifications sent" if sent == len(rows) else f"{len(rows)} notifications, {sent} sent"
    return f"{made} through {names}: {valid} valid{counted} in profile {notifier.profile!r}"


def _all_arrived(listener: Any, message_ids: set[str], timeout: float) -> bool:
    """Whether a message of each of ``message_ids`` reached ``listener`` within ``timeout`` seconds: its own
    messages, known by their ids, not a count that another's message (one an earlier demo left on the queue) could
    make up."""
    deadline = time.monotonic() + timeout
    while not message_ids <= listener.tally.message_ids:
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


@dataclasses.dataclass
class _Listening:
    """What ``listen`` has made so far, for its end, whatever stops it: the ``--summary`` place opened before the
    listening (a FIFO or a device), the ``--invalid-out`` file, the listener, and how it ended."""

    held: int | None = None
    out: Any = None
    listener: Any = None
    stopped_by: str = ""
    reached: bool = False
    checked: bool = False  # the --summary's place was checked, and is no other file of the command's


def _cmd_listen(args: argparse.Namespace) -> int:
    listening = _Listening()
    try:
        # From the first moment: a stop signal while oslo.messaging loads, or while it connects (it retries a broker
        # not there for --connect-timeout), is a stop like any later one, its tally, empty, said and saved.
        with sigterm_raises():
            try:
                _listen(args, listening)
            except (KeyboardInterrupt, Terminated) as stop:
                listening.reached = args.count is None
                listening.stopped_by = stop.name if isinstance(stop, Terminated) else "Ctrl-C"
            finally:
                _stop_listening(listening)
        return _listened(args, listening)
    finally:
        if listening.held is not None:
            os.close(listening.held)


def _listen(args: argparse.Namespace, listening: _Listening) -> None:
    """Listen until a count, a timeout or a stop signal, keeping what is made in ``listening``."""
    # Checked first, not once the listening is over and its tally would be lost; a FIFO is opened now.
    _no_file_overwritten(args)
    listening.held = reserve_output(args.summary) if args.summary else None
    listening.checked = True
    from notify_schemas.broker.listener import AppendedLines, Listener
    from notify_schemas.config import NotifierConfig, load_config

    if args.config_file:  # the notification options and oslo.messaging's own (quorum queues, say) from one file
        topics = tuple(args.topic) if args.topic else None
        config = load_config(args.config_file, transport_url=args.transport_url, topics=topics,
                             control_exchange=args.exchange)  # fmt: skip
    else:
        config = NotifierConfig(transport_url=args.transport_url, topics=tuple(args.topic or ["notifications"]),
                                control_exchange=args.exchange or "glance")  # fmt: skip
    if not config.transport_url:
        raise _UsageError("listen needs --transport-url, or a --config-file that sets transport_url")
    args.transport_url, args.exchange = config.transport_url, config.control_exchange
    listening.out = AppendedLines(args.invalid_out) if args.invalid_out else None
    listener = listening.listener = Listener(
        config, profile=args.profile, invalid_out=listening.out, keep_received=False, pool=args.pool,
        max_record_bytes=args.max_record_bytes, limit=args.count,
    )  # fmt: skip
    listener.on_message = _progress(listener, terminal.live(sys.stderr))
    raise_if_terminated()  # a stop that oslo.messaging's loading dropped
    listener.start(timeout=args.connect_timeout)
    # Messages waiting on the queue are counted, and the tally drawn, as soon as the consumers start: this line goes
    # on a row of its own, not after the tally.
    with terminal.writing(sys.stderr):
        print(
            one_line(mask_text(f"listening on {mask_url(as_named(args.transport_url))} exchange "
                               f"{quoted(args.exchange, 200)}, topics {', '.join(config.topics)} (profile "
                               f"{args.profile}); Ctrl-C stops")),
            file=sys.stderr,
        )  # fmt: skip
    listening.reached = listener.wait_for(args.count, args.timeout)


def _stop_listening(listening: _Listening) -> None:
    """Stop the listener, if there is one, and close the ``--invalid-out`` file: a second signal during the stop gives
    up at once the record being written, which the first gave a few seconds (D107)."""
    if listening.listener is not None:
        try:
            listening.listener.stop()
        except (KeyboardInterrupt, Terminated):
            with contextlib.suppress(KeyboardInterrupt, Terminated):
                listening.listener.stop(grace=0)
    if listening.out is not None:
        listening.out.close()
    if terminal.live(sys.stderr):
        terminal.erase(sys.stderr)


def _listened(args: argparse.Namespace, listening: _Listening) -> int:
    """What ``listen`` says once it has stopped: its ``--summary`` first (to ``held`` if that was opened before the
    listening), then its tally's line, why it stopped short, and its exit status."""
    from notify_schemas.broker.listener import Tally

    listener, stopped_by, reached = listening.listener, listening.stopped_by, listening.reached
    tally = listener.tally if listener is not None else Tally()
    # The summary first: a standard output that cannot be written (a full disk, a terminal closed) must not take the
    # tally's file with it, and a summary that cannot be written must not take the tally's line.
    if args.summary and not listening.checked:  # stopped in its first moments: checked now, as it would have been
        _no_file_overwritten(args)
        listening.held = reserve_output(args.summary)
    unsaved = _summary_unsaved(args.summary, tally, listening.held) if args.summary else None
    if unsaved is not None:
        print(f"notify-schemas: error: {one_line(mask_text(as_named(unsaved)))}", file=sys.stderr)
    print(tally.line())
    if listener is not None and listener.failure is not None:  # what could not be written: neither counted nor acked
        failed = listener.failure
        raise NotifySchemasError(f"{failed.filename or args.invalid_out}: {failed.strerror or failed}; the invalid "
                                 "notification and every one after it were left on the queue")  # fmt: skip
    if stopped_by and (listener is None or not listener.started):
        where = one_line(mask_text(mask_url(as_named(args.transport_url)))) if args.transport_url else "its broker"
        print(f"stopped by {stopped_by} before it reached {where}: nothing was received", file=sys.stderr)
    elif args.count is not None and not reached:
        why = f"stopped by {stopped_by}" if stopped_by else f"timed out after {args.timeout} s"
        print(f"{why} with {tally.total} of {args.count} notifications", file=sys.stderr)
    if unsaved is not None:
        return 2
    # 1 when anything was invalid, or when fewer notifications came than --count asked for.
    return 1 if tally.invalid.total() or (args.count is not None and not reached) else 0


def _progress(listener: Any, live: bool) -> Callable[[Any, bool], None]:
    """What the listener calls for each message it counts: on a terminal that takes a line written over (``live``), its
    running tally, twice a second, cut to the terminal's width."""
    last = [0.0]

    def show(message: Any, valid: bool) -> None:
        if live and time.monotonic() - last[0] > 0.5:
            last[0] = time.monotonic()
            terminal.draw(sys.stderr, listener.summary())

    return show


def _no_file_overwritten(args: argparse.Namespace) -> None:
    """A usage error when listen would write into another file of its own: the tally of ``--summary``, written at the
    end, over the records of ``--invalid-out``, or either of them into the ``--config-file`` it read."""
    files = [("--config-file", args.config_file, ""), ("--invalid-out", args.invalid_out, "append to"),
             ("--summary", args.summary, "overwrite")]  # fmt: skip
    named = [(option, name, does) for option, name, does in files if name]
    for at, (option, name, does) in enumerate(named):
        for earlier, other, _ in named[:at]:
            if same_file(other, name):
                raise _UsageError(one_line(mask_text(f"{earlier} and {option} name the same file, {other}: {option} "
                                                     f"would {does} it")))  # fmt: skip


def _summary_unsaved(name: str, tally: Any, held: int | None) -> str | None:
    """Write the listener's ``--summary`` file (to ``held`` if it was opened before the listening); None, or why it
    could not be written (named by the file as given: a write that fails, on a full disk, has no file name of its
    own)."""
    text = json.dumps(tally.as_json()) + "\n"
    try:
        if held is not None and stat.S_ISFIFO(os.fstat(held).st_mode):
            _into_fifo(held, text.encode("utf-8"))
            return None
        with open(open_output(name) if held is None else os.dup(held), "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as error:
        return f"{name}: {error.strerror or error}"
    except (KeyboardInterrupt, Terminated) as stop:  # the run is over: its tally's line is still said
        return f"{name}: not written, stopped by {stop.name if isinstance(stop, Terminated) else 'Ctrl-C'}"
    return None


def _into_fifo(fd: int, data: bytes) -> None:
    """Write a summary to a FIFO without waiting on a reader that stopped reading: given up once the FIFO has had no
    room for it for a few seconds (D107); what fits is written whole or not at all."""
    from notify_schemas.broker.listener import GRACE, into_pipe

    os.set_blocking(fd, False)
    deadline = time.monotonic() + GRACE
    written = into_pipe(fd, data, lambda: time.monotonic() >= deadline)
    if written < len(data):
        raise OSError(errno.EIO, f"written in part ({written:,} of {len(data):,} bytes): its reader stopped reading")


def _cmd_tally(args: argparse.Namespace) -> int:
    from notify_schemas.broker.listener import Tally

    twice = _named_twice(args.summaries)
    if twice is not None:
        raise NotifySchemasError(f"{_named(twice[1])}: the same summary as {_named(twice[0])}: a listener's "
                                 "summary is added once (twice, each of its messages would be counted as delivered "
                                 "again)")  # fmt: skip
    total = Tally()
    for name in args.summaries:
        try:
            with _open(name) as stream:
                value = _summary_value(stream)
            total.take(Tally.from_json(value))
        except OSError as error:
            raise NotifySchemasError(f"{_named(name)}: {error.strerror or error}") from None
        except ValueError as error:  # not JSON (or not UTF-8, or nested too deep, or too long), or not a tally
            raise NotifySchemasError(f"{_named(name)}: not a listen --summary file: {mask_text(str(error))}") from None
    listeners = len(args.summaries)
    if args.format == "json":  # what the text line says, every count of it: the listeners' first
        print(json.dumps({"listeners": listeners} | {k: v for k, v in total.as_json().items() if k != "seen"}))
    else:
        print(f"{listeners} listener{'s' if listeners != 1 else ''}: {total.line()}")
    return 1 if total.invalid.total() else 0


def _named_twice(names: Sequence[str]) -> tuple[str, str] | None:
    """The first two of ``names`` that are one summary: ``-`` twice, or the same file under any name (``./a.json``, a
    link, ``-`` with the file on the standard input: ``tally a.json - < a.json``), which `Tally.add` would take for a
    second listener that received every message again. Each name is looked at once: thousands of summaries are
    told apart in as many looks, not in the square of their number."""
    first: dict[object, str] = {}  # each device and inode (or "-") to the first name that read it
    for name in names:
        marks: list[object] = [name] if name == "-" else []  # the standard input named twice, whatever it reads
        marks.append(_identity(name))
        for mark in marks:
            if mark is None:  # a file that cannot be read is said when it is read
                continue
            if mark in first:
                return first[mark], name
            first[mark] = name
    return None


def _identity(name: str) -> tuple[int, int] | None:
    """The device and inode ``name`` reads (the standard input's for ``-``), or None where it cannot be told: a file
    that cannot be read is said when it is read."""
    try:
        found = os.fstat(sys.stdin.fileno()) if name == "-" else os.stat(name)
    except (OSError, ValueError, AttributeError):  # not there, or no standard input at all (closed, or None)
        return None
    return found.st_dev, found.st_ino


def _summary_value(stream: BinaryIO) -> Any:
    """The JSON value of a ``--summary`` file, read as validate reads a record (strictly, the place of a fault named):
    at most `MAX_RECORD_BYTES`, and no more than its first chunk when that does not start an object (/dev/zero, a
    binary file), so that no input is read without end."""
    head = pass_bom(stream)
    head += stream.read(_SUMMARY_CHUNK - len(head))
    if not head.lstrip(_WHITESPACE_BYTES).startswith(b"{"):
        return parse(head)[0]  # what is wrong, in the words validate says it in
    raw = head + stream.read(MAX_RECORD_BYTES + 1 - len(head))
    if len(raw) > MAX_RECORD_BYTES:
        raise ValueError(f"longer than {MAX_RECORD_BYTES:,} bytes")
    try:
        value, repeated = parse(raw)
    except ValueError as strict:
        try:  # NaN or Infinity where a count should be: the tally names the value by its pointer
            return json.loads(raw)
        except (ValueError, RecursionError):
            raise strict from None
    if repeated:  # two counts under one key: which one is meant, no one can tell
        raise ValueError(f"a key written twice at {mask_pointer(repeated[0])}")
    return value


_SUMMARY_CHUNK = 64 * 1024


class _OutputError(NotifySchemasError):
    """Writing the standard output failed (a full disk, say): not a fault of the input file being read."""


def _closed(stream: Any) -> bool:
    """Whether a standard stream was closed: writing to it raises ValueError, which is no error of the data."""
    try:
        return bool(stream.closed)
    except Exception:  # a stream of a producer's own, whose closed may be anything
        return False


class _Output:
    """The standard output, whose failures to write name it: an OSError raised there would be taken for one of the
    file being read, and reported under that file's name. A reader gone away (BrokenPipeError) passes as it is, and
    is remembered (``reader_gone``): a BrokenPipeError of another pipe is no reader of the output gone away."""

    reader_gone = False

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        with self._named():
            return self._stream.write(text)

    def flush(self) -> None:
        with self._named():
            self._stream.flush()

    @contextmanager
    def _named(self) -> Iterator[None]:
        try:
            yield
        except BrokenPipeError:
            self.reader_gone = True
            raise
        except OSError as error:
            raise _OutputError(f"cannot write the standard output: {error.strerror or error}") from None
        except ValueError:  # "I/O operation on closed file": a producer's code, run in this process, closed it
            if not _closed(self._stream):
                raise
            raise _OutputError("cannot write the standard output: it was closed") from None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


_EXIT_STATUS = (
    "exit status: 0 when everything is valid, 1 when something is invalid (or was not sent, or did not come), 2 on "
    "a usage or input/output error, 130 on Ctrl-C, 143 on SIGTERM, 129 on SIGHUP, 141 when the reader of the output "
    "goes away (| head); 'notify-schemas COMMAND --help' for a command's options"
)


class _Version(argparse.Action):
    """``--version``, which reads the installed version only when asked (importlib.metadata costs every run 16 ms)."""

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            print(f"{parser.prog} {version('notify-schemas')}")
        except PackageNotFoundError:  # run from a source tree that was never installed
            print(f"{parser.prog}: no version (not installed)")
        parser.exit()


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="notify-schemas", description=__doc__.splitlines()[0].replace("``", ""), epilog=_EXIT_STATUS)
    parser.add_argument("--version", action=_Version, nargs=0, help="show the version and exit")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Command)

    profile = _Command(add_help=False)  # options that commands share: parts of a command's parser
    profile.add_argument("--profile", choices=PROFILES, default="seed", help="the contract to check (default: seed)")

    p = sub.add_parser("validate", parents=[profile], help="validate notifications in JSON Lines or JSON files")
    p.add_argument("files", nargs="*", type=text, default=["-"], metavar="FILE",
                   help="files to read; - (once) or none for stdin")  # fmt: skip
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--backend", choices=("rust", "python"), default="rust", help=argparse.SUPPRESS)
    p.add_argument("--max-record-bytes", type=record_bytes, default=DEFAULT_MAX_RECORD,
                   help=f"longest record read (default 16 MiB, at most {MAX_RECORD_BYTES:,})")  # fmt: skip
    p.add_argument("--jobs", "-j", type=jobs, default="auto", metavar="N",
                   help=f"processes sharing a JSON Lines file, output in the input's order (default auto: every usable "
                        f"core for a file of 16 MiB or more, else 1); at most {MAX_JOBS}, and never more than the "
                        f"file's 1 MiB pieces: a smaller file is checked by one process")  # fmt: skip
    p.set_defaults(run=_cmd_validate)

    p = sub.add_parser("sample", parents=[profile], help="print valid example messages as JSON Lines")
    p.add_argument("event_type", type=text)
    p.add_argument("priority", type=text)
    p.add_argument("-n", type=count, default=1, help="how many (default 1)")
    p.add_argument("--seed", type=seed, default=0, help="the same seed gives the same messages")
    p.set_defaults(run=_cmd_sample)

    p = sub.add_parser("schemas", help="list, show or export the schemas the package ships, or print their folder")
    p.add_argument("action", choices=("list", "show", "export", "path"))
    p.add_argument(
        "variant",
        nargs="*",
        type=text,
        default=[],
        help="show: EVENT_TYPE.PRIORITY or EVENT_TYPE PRIORITY; export: DIR",
    )
    p.add_argument("--profile", choices=PROFILES)
    p.add_argument("--source", action="store_true", help="show the source schema instead of the bundled file")
    p.set_defaults(run=_cmd_schemas)

    send = _Command(add_help=False, parents=[profile])
    send.add_argument("--config-file", type=config_file, help="an oslo-style file, e.g. /etc/glance/glance-api.conf")
    send.add_argument(
        "--driver", action="append", type=text, help="a driver name (repeatable); overrides the config file"
    )
    send.add_argument("--publisher-id", type=text, help="overrides [DEFAULT] default_publisher_id")
    send.add_argument("--validation", choices=("strict", "warn", "off"), default="strict")

    p = sub.add_parser("emit", parents=[send], help="build, validate and send one notification")
    p.add_argument("event_type", type=text)
    p.add_argument("priority", type=text)
    p.add_argument("--payload", type=text, required=True, metavar="FILE", help="the payload as JSON; - for stdin")
    p.set_defaults(run=_cmd_emit)

    p = sub.add_parser("demo", parents=[send], help="send an image and a task lifecycle, each message validated")
    p.add_argument(
        "--transport-url", type=text, help="send with messagingv2 to this broker instead of the embedded one"
    )
    p.set_defaults(run=_cmd_demo)

    sub.add_parser("conformance", help="run the conformance suite against a producer (extra: conformance)",
                   add_help=False)  # fmt: skip
    sub.add_parser("compat", help="compare two schema folders: backward/forward compatible or breaking, with witnesses",
                   add_help=False)  # fmt: skip
    p = sub.add_parser("listen", parents=[profile], help="consume notifications from a broker and validate each")
    p.add_argument("--transport-url", type=text, help="e.g. rabbit://guest:guest@localhost:5672/, or several hosts: "
                   "rabbit://u:p@h1:5672,u:p@h2:5672/")  # fmt: skip
    p.add_argument("--config-file", type=config_file, help="an oslo-style file (glance-api.conf): its transport_url, "
                   "topics and oslo.messaging options ([oslo_messaging_rabbit] rabbit_quorum_queue)")  # fmt: skip
    p.add_argument(
        "--topic", action="append", type=text, help="notification topic (repeatable; default: notifications)"
    )
    p.add_argument("--exchange", type=text, help="the control exchange (default: glance, Glance's)")
    p.add_argument("--count", type=count, help="stop after this many notifications")
    p.add_argument("--timeout", type=seconds, help="stop after this many seconds")
    p.add_argument(
        "--invalid-out", type=output, metavar="FILE", help="append each invalid notification, whole, as JSON Lines"
    )
    p.add_argument(
        "--connect-timeout",
        type=seconds,
        default=CONNECT_TIMEOUT,
        help=f"give up if the broker is not reached within this many seconds (default {CONNECT_TIMEOUT:g})",
    )
    p.add_argument("--pool", type=text, metavar="NAME", help="share the queues with every listener of this pool name: "
                   "each notification is validated by one of them")  # fmt: skip
    p.add_argument("--max-record-bytes", type=record_bytes, default=DEFAULT_MAX_RECORD,
                   help=f"longest message body judged; a longer one is invalid, recorded by its envelope fields "
                        f"(default 16 MiB, at most {MAX_RECORD_BYTES:,})")  # fmt: skip
    p.add_argument(
        "--summary",
        type=output,
        metavar="FILE",
        help="write the tally as JSON (message ids included, masked), for `tally`",
    )
    p.set_defaults(run=_cmd_listen)
    p = sub.add_parser("tally", help="add up the --summary files of listeners that shared a queue")
    p.add_argument("summaries", nargs="+", type=text, metavar="FILE")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(run=_cmd_tally)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):  # whatever a message holds, printing it never fails (JSON_ESCAPE)
            stream.reconfigure(errors=JSON_ESCAPE)
    stdout, stderr = sys.stdout, sys.stderr
    sys.stderr = _Unheard(stderr)
    if stdout is not None:
        sys.stdout = _Output(stdout)
    try:
        try:
            code = _run(argv)
        except SystemExit as done:
            if not done.code and sys.stdout is not None:
                sys.stdout.flush()  # --help or --version: a failure to write them is an error, not exit 0
                _reader_not_gone()
            raise
        sys.stdout.flush()  # what is still buffered fails here, if it fails, not at exit
        _reader_not_gone()
        return code
    except BrokenPipeError as error:
        if not getattr(sys.stdout, "reader_gone", False):  # another pipe's: an error like any other
            return _said(error, argv)
        # The reader of the output went away (| head): nothing more to say, and the output cut short is no success
        # and no verdict: a shell's status for coreutils, which SIGPIPE ends (D94).
        drop_output()
        return READER_GONE
    except (NotifySchemasError, OSError) as error:
        return _said(error, argv)
    except KeyboardInterrupt:
        return 130
    except Terminated as stop:
        return stop.status
    finally:
        sys.stdout, sys.stderr = stdout, stderr


def _reader_not_gone() -> None:
    """BrokenPipeError if the reader of the standard output went away, though what met it did not say so: argparse
    drops the error of a help it could not write (compat --help | true)."""
    if getattr(sys.stdout, "reader_gone", False):
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")


def _said(error: NotifySchemasError | OSError, argv: list[str]) -> int:
    """An error that ends the command, said on one line of stderr: exit 2."""
    if isinstance(error, OSError) and error.filename:
        text = f"{error.filename}: {error.strerror}"
    elif isinstance(error, OSError) and error.strerror:  # without "[Errno 9]"
        text = error.strerror
    else:
        text = " ".join(str(error).split())
    # Whatever the error quotes (a file's name, a driver's, an event type given) is masked as all output is, and
    # a word of the command line that it quotes with repr is masked before it was quoted.
    print(f"notify-schemas: error: {one_line(as_named(mask_words(text, argv)))}", file=sys.stderr)
    if isinstance(error, _OutputError):
        drop_output()  # what could not be written is not tried again at exit
    return 2


def _command_first(argv: list[str]) -> list[str]:
    """The words with the command's name first: a ``--`` before it ends options that are not there, and is dropped
    (``notify-schemas -- sample ...`` was "invalid choice: '--'"); an option before it is a usage error that says
    where a command's options go. notify-schemas itself has none but ``--help`` and ``--version``: argparse took the
    value of ``--profile glance sample ...`` for the command, and said "invalid choice: 'glance'", naming as wrong a
    word that was right."""
    words = argv[1:] if argv[:1] == ["--"] else argv
    first = words[0] if words else ""
    if not first.startswith("-") or first == "-":
        return words
    if words is argv and first.partition("=")[0] in ("-h", "--help", "--version"):
        return words
    _output_open()  # first, as for every usage error
    _Parser.words = argv
    if words is not argv:  # after --, a word, which names no command
        _parser().error(f"argument COMMAND: invalid choice: {quoted(first)}: after --, a word is a command's name")
    option = first.partition("=")[0]
    _parser().error(f"{option} is no option of notify-schemas itself: a command's options come after its name "
                    f"(notify-schemas COMMAND {option} ...)")  # fmt: skip
    return words


def _run(argv: list[str]) -> int:
    argv = _command_first(argv)
    if argv[:1] == ["conformance"]:
        # The conformance suite is an extra with options of its own.
        try:
            from notify_schemas.conformance.cli import main as conformance_main
        except ImportError as error:
            if error.name not in {"hypothesis", "hypothesis_jsonschema"}:
                raise
            print("notify-schemas: error: the conformance suite needs: pip install 'notify-schemas[conformance]'",
                  file=sys.stderr)  # fmt: skip
            return 2
        _output_open()
        _show_logs(logging.WARNING)
        return conformance_main(argv[1:])
    if argv[:1] == ["compat"]:
        # The evolution guard parses its own options (notify_schemas.authoring.compat).
        from notify_schemas.authoring import compat

        _output_open()
        _show_logs(logging.WARNING)
        return compat.main(argv[1:])
    _Parser.words = argv  # every parser of the command line, the sub-commands' too, reads the same words
    _output_open()  # before --help and --version are read, which would have said nothing and exited 0
    args = _parser().parse_args(argv)
    _show_logs(logging.WARNING)  # a library's warnings (oslo's, say), one masked line each
    with sigterm_raises():  # every command, not only the long ones: SIGTERM ends it with 143, SIGHUP with 129
        return int(args.run(args))


def _output_open() -> None:
    if sys.stdout is None:  # started with it closed (>&-): every command writes there, and nothing would be seen
        raise NotifySchemasError("the standard output is closed")


class _Unheard:
    """The standard error, where an error is said: one that cannot be written there (closed, a full disk) is dropped,
    and the command ends with the exit status it would have had, rather than with a traceback nobody sees and 1."""

    def __init__(self, stream: TextIO | None) -> None:
        self._stream = stream
        self.lost = 0  # the writes and flushes that went nowhere: a log driver's line among them was not sent

    def write(self, text: str) -> int:
        try:
            if self._stream is None:
                self.lost += 1
                return len(text)
            return self._stream.write(text)
        except (OSError, ValueError) as error:  # ValueError: closed (by a producer's code, run in this process)
            if isinstance(error, ValueError) and not _closed(self._stream):
                raise
            self._gone()
            return len(text)

    def flush(self) -> None:
        try:
            if self._stream is not None:
                self._stream.flush()
        except (OSError, ValueError) as error:
            if isinstance(error, ValueError) and not _closed(self._stream):
                raise
            self._gone()

    def isatty(self) -> bool:
        return self._stream is not None and self._stream.isatty()

    def _gone(self) -> None:
        """Nothing more is written there, and what is still buffered goes nowhere at exit."""
        self.lost += 1
        with contextlib.suppress(OSError, ValueError, AttributeError):
            drop_output(self._stream)
        self._stream = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


if __name__ == "__main__":
    sys.exit(main())
