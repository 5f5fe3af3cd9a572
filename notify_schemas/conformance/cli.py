"""``notify-schemas conformance``: run the suite against a producer and report, check by check.

Exit status: 0 when every MUST check holds, 1 when one fails, 2 on a usage error or a producer that cannot start, 130
on Ctrl-C, 143 on SIGTERM and 129 on SIGHUP, 141 when the reader of the output goes away.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import functools
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import hypothesis  # noqa: F401  (the extra's engine: without it, the caller's ImportError names the extra)

from notify_schemas import PROFILES, terminal
from notify_schemas.arguments import (
    CONNECT_TIMEOUT,
    MAX_EXAMPLES,
    MaskedParser,
    as_named,
    count,
    drop_output,
    examples,
    io_error_text,
    named_error,
    open_output,
    output,
    reserve_output,
    same_file,
    seconds,
    seed,
    shown_name,
)
from notify_schemas.conformance.checks import CHECKS, STREAM_CHECKS
from notify_schemas.conformance.intents import checked_intent
from notify_schemas.conformance.producers import (
    DEFAULT_ANSWER_TIMEOUT,
    ExecProducer,
    ExecProgram,
    ProducerError,
    load_callable,
    with_duplicates,
)
from notify_schemas.conformance.runner import Located, Report, run, run_stream, stream_checks
from notify_schemas.errors import NotifySchemasError
from notify_schemas.reader import parse
from notify_schemas.redaction import mask_text, mask_url, mask_words, quoted, shown
from notify_schemas.termination import READER_GONE, Terminated, ended, sigterm_raises, terminated
from notify_schemas.values import Unreadable

__all__ = ["main"]


# What --checks and --exclude-checks take, so that an author finds the ids without reading the source.
_CHECK_LIST = (
    f"checks (--checks, --exclude-checks): {', '.join(f'{c.id} ({c.level})' for c in CHECKS)}; a recorded stream "
    "or live traffic, which has no intents, gets those that need none, and "
    f"{', '.join(f'{c.id} ({c.level})' for c, _ in STREAM_CHECKS)}. Exit 0 when every MUST check holds, 1 when one "
    "fails, 2 on a usage error or a producer that breaks the protocol, 130 on Ctrl-C, 143 on SIGTERM, 129 on SIGHUP, "
    "141 when the reader of the output goes away (| head)."
)


def _parser(words: Sequence[str] = ()) -> MaskedParser:
    parser = MaskedParser(
        prog="notify-schemas conformance", description=__doc__.splitlines()[0].replace("``", ""), epilog=_CHECK_LIST
    )
    parser.words = words
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--callable", metavar="MODULE:FUNCTION", help="a Python function: intent in, notification(s) out"
    )
    source.add_argument("--exec", metavar="COMMAND", help="a program speaking the JSON Lines protocol on stdin/stdout")
    source.add_argument(
        "--stream", metavar="FILE", help="a recorded stream of notifications, JSON Lines (- for the standard input)"
    )
    source.add_argument("--transport-url", help="live traffic on a broker: checks what flows now")
    parser.add_argument(
        "--mode",
        choices=("producer", "negative"),
        default="producer",
        help="negative: --callable/--exec is a consumer's validator (message in, valid or invalid out)",
    )
    parser.add_argument("--profile", choices=PROFILES, help="default seed; an --intent names its own")
    parser.add_argument(
        "--examples",
        type=examples,
        help=f"distinct intents Hypothesis draws per variant, after the boundary ones (default 10, at most "
        f"{MAX_EXAMPLES:,}; negative mode: valid messages per variant, 1 to {_NEGATIVE_EXAMPLES}, default "
        f"{_NEGATIVE_EXAMPLES})",
    )
    parser.add_argument("--seed", type=seed, help="the same seed gives the same intents (or messages); default 0")
    parser.add_argument("--checks", help="only these check ids, comma-separated")
    parser.add_argument("--exclude-checks", help="not these check ids, comma-separated")
    parser.add_argument("--intent", help="run exactly this intent (JSON): the replay of a reported failure")
    parser.add_argument("--junit", metavar="FILE", type=output, help="write a JUnit XML report")
    parser.add_argument("--report", metavar="FILE", type=output, help="write a JSON report")
    parser.add_argument("--timeout", type=seconds, help="with --transport-url: seconds to listen (default 30)")
    wait = (
        f"with --exec: seconds to wait for an answer, in either mode, and for the program to exit once the run is "
        f"done (at least 1; default {DEFAULT_ANSWER_TIMEOUT:g})"
    )
    parser.add_argument("--answer-timeout", type=seconds, help=wait)
    parser.add_argument("--count", type=count, help="with --transport-url: stop after this many notifications")
    parser.add_argument("--connect-timeout", type=seconds, help=f"with --transport-url: give up if the broker is not "
                        f"reached within this many seconds (default {CONNECT_TIMEOUT:g})")  # fmt: skip
    return parser


_NEGATIVE_EXAMPLES = 5
"""The most valid messages per variant that negative mode asks about (each is broken 14 ways): its default too."""

# Options that only some sources use: given with another, they would be ignored in silence.
_APPLIES = {
    "intent": ("callable", "exec"),
    "examples": ("callable", "exec"),
    "seed": ("callable", "exec"),
    "answer_timeout": ("exec",),
    "timeout": ("transport_url",),
    "count": ("transport_url",),
    "connect_timeout": ("transport_url",),
}
_DEFAULTS = {"examples": 10, "seed": 0, "answer_timeout": DEFAULT_ANSWER_TIMEOUT, "timeout": 30.0,
             "connect_timeout": CONNECT_TIMEOUT}  # fmt: skip


def _only_where_they_apply(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """A usage error for an option given where it does not apply; the defaults of the others filled in."""
    source = next(k for k in ("callable", "exec", "stream", "transport_url") if getattr(args, k) is not None)
    given_examples = args.examples
    if args.intent is not None:  # the one intent is asked once: nothing is generated
        for option in ("examples", "seed"):
            if getattr(args, option) is not None:
                parser.error(f"--{option} does not apply to --intent: that intent alone is asked, once")
    if args.intent is None and args.profile is None:
        args.profile = "seed"
    for option, sources in _APPLIES.items():
        if getattr(args, option) is None:
            setattr(args, option, _DEFAULTS.get(option))
            continue
        name = f"--{option.replace('_', '-')}"
        if source not in sources:
            where = " or ".join(f"--{s.replace('_', '-')}" for s in sources)
            parser.error(f"{name} does not apply to --{source.replace('_', '-')}: only to {where}")
    if args.mode == "negative":  # the consumer side asks every one of its own cases, by checks of its own
        for option in ("intent", "checks", "exclude_checks"):
            if getattr(args, option) is not None:
                parser.error(f"--{option.replace('_', '-')} does not apply to --mode negative")
        if given_examples is not None and not 1 <= given_examples <= _NEGATIVE_EXAMPLES:
            parser.error(f"argument --examples: from 1 to {_NEGATIVE_EXAMPLES} valid messages per variant in --mode "
                         f"negative, not {given_examples:,}")  # fmt: skip


def _intent(text: str) -> dict[str, Any]:
    """``--intent`` as the suite itself would have asked it, or ``ValueError`` naming what is wrong: strict JSON
    with no key written twice (of which the replay would keep one), then an intent as `checked_intent` takes one."""
    try:
        intent, duplicates = parse(text)
    except ValueError as error:
        raise ValueError(f"--intent: {error}") from None
    if duplicates:
        raise ValueError(f"--intent writes the key at {duplicates[0]} twice")
    return checked_intent(intent, "--intent")


def _split(parser: argparse.ArgumentParser, option: str, text: str | None) -> list[str] | None:
    """A comma-separated list of check ids; given, it names one at least (empty, it would mean every check)."""
    if text is None:
        return None
    ids = [t.strip() for t in text.split(",") if t.strip()]
    if not ids:
        parser.error(f"argument {option}: names no check; leave it out for every check")
    return ids


def _read_stream(path: str) -> Iterator[Located]:
    """The recorded stream's messages, read one at a time as the checks take them, each with its line: a record that
    cannot be read is an `Unreadable` that says why, which every check fails."""
    from notify_schemas.reader import BadRecord, Record, read_records

    def judged(r: Record | BadRecord) -> Located:
        where = f"line {r.line}"
        if isinstance(r, BadRecord):  # each failure of it starts with its line: the reason need not say it again
            return Located(Unreadable(f"unreadable line {r.line}: {r.reason}", r.reason), where)
        return Located(with_duplicates(r.value, r.duplicates), f"{where}, record {r.pointer}" if r.pointer else where)

    if path == "-":  # the standard input, as validate reads it: a recording piped from another command
        if sys.stdin is None:  # started with it closed (<&-)
            raise OSError(errno.EBADF, "the standard input is closed", "-")  # named, as validate names it
        yield from _named(path, map(judged, read_records(sys.stdin.buffer)))
        return
    with open(path, "rb") as f:  # by the name given, which an error quotes (masked): Path makes s3://u:p@h s3:/u:p@h
        yield from _named(path, map(judged, read_records(f)))


def _named(path: str, located: Iterator[Located]) -> Iterator[Located]:
    """``located``, with an error of reading the stream (``/proc/self/mem``: Input/output error; a disk that fails)
    naming it, as validate names the file it could not read."""
    try:
        yield from located
    except OSError as error:
        if error.filename is not None or not error.strerror:
            raise
        raise named_error(error, path) from None


def _listen(args: argparse.Namespace) -> list[Any]:
    try:
        from notify_schemas.broker.listener import Listener
    except ImportError as error:
        raise ValueError(
            f"--transport-url needs oslo.messaging ({error}): pip install 'notify-schemas[oslo]'"
        ) from None
    from notify_schemas.config import NotifierConfig

    listener = Listener(NotifierConfig(transport_url=args.transport_url), profile=args.profile, limit=args.count)
    listener.start(timeout=args.connect_timeout)  # oslo would retry an absent broker without end
    try:
        listener.wait_for(args.count, args.timeout)
    finally:
        listener.stop()
    return list(listener.received)


def _negative(args: argparse.Namespace) -> Report:
    from notify_schemas.conformance.negative import ExecConsumer, run_negative

    if not (args.callable or args.exec):
        raise ValueError("--mode negative needs the consumer's validator: --callable or --exec")
    consumer = (
        load_callable(args.callable)
        if args.callable
        else ExecConsumer(args.exec, answer_timeout=args.answer_timeout, profile=args.profile)
    )
    with _ended(consumer, args.answer_timeout):
        report = run_negative(consumer, profile=args.profile, examples=min(args.examples, _NEGATIVE_EXAMPLES),
                              seed=args.seed)  # fmt: skip
        _broke(consumer, report)
    _no_line_beyond(report, consumer)
    return report


@contextlib.contextmanager
def _ended(program: Any, answer_timeout: float) -> Iterator[None]:
    """An --exec program ended with the run: given as long to exit after its input closes as it is given to answer
    (`_exit_wait`), or stopped at once on Ctrl-C or SIGTERM. A callable needs nothing."""
    wait = _exit_wait(answer_timeout)
    try:
        yield
    except BaseException as stop:
        # A library's own error set off by SIGTERM is the stop too: waiting for the program would delay it.
        if isinstance(stop, KeyboardInterrupt | Terminated) or terminated():
            wait = 0
        raise
    finally:
        if isinstance(program, ExecProgram):
            program.close(wait=wait)


def _exit_wait(answer_timeout: float) -> float:
    """How long an --exec program may take to exit once its input closes: ``--answer-timeout`` (the time the run
    waits on the program for anything), but at least a second, for a program to close what it holds."""
    return max(answer_timeout, _LEAST_EXIT_WAIT)


_LEAST_EXIT_WAIT = 1.0


def _broke(program: Any, report: Report) -> None:
    """An --exec program whose run stopped (an answer of more notifications than one intent makes, say) is stopped at
    once when it is ended, as one that broke the protocol while it was asked is."""
    if isinstance(program, ExecProgram) and report.stopped:
        program.broke = True


def _no_line_beyond(report: Report, program: Any) -> None:
    """An --exec program that wrote more lines than it was asked for broke the protocol: the run is stopped."""
    if isinstance(program, ExecProgram) and program.extra_lines and not report.stopped:
        after = f" after its answer to {program.last_answered}" if program.last_answered else ""
        report.stopped = (f"{program.name} wrote {program.extra_lines} line(s) more than it was asked for{after}: "
                          "one line per question, and nothing else on its output")  # fmt: skip


def _progress(stderr: Any, done: int, total: int) -> None:
    """The progress bar, on the standard error the run started with (a callable may have replaced sys.stderr), when
    that is a terminal; none where it was closed (ValueError), by the callable or with the terminal."""
    with contextlib.suppress(OSError, ValueError):
        if terminal.live(stderr):
            _bar(stderr, done, total)


def _bar_off(stderr: Any) -> None:
    """The progress bar taken off, if it is still shown: a run stopped short (a producer that broke the protocol, an
    intent that failed the run) never reached its last intent, where it goes, and the table or the error was written
    after it, on its row ('5/476 intentscheck  level ...')."""
    with contextlib.suppress(OSError, ValueError):
        terminal.clear(stderr)


def _bar(stderr: Any, done: int, total: int) -> None:
    width = 30
    filled = width * done // total
    if done == total:
        terminal.erase(stderr)
    else:
        terminal.draw(stderr, f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} intents")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the suite from the command line; returns the exit status (130 on Ctrl-C, 143 on SIGTERM, 129 on SIGHUP, 141
    for a reader of the output gone away, as a shell reports them)."""
    try:
        with sigterm_raises():
            return _in_storage(argv)
    except (KeyboardInterrupt, Terminated) as stop:
        if terminal.live(sys.stderr):
            terminal.erase(sys.stderr)  # the progress bar
        return 130 if isinstance(stop, KeyboardInterrupt) else stop.status


def _in_storage(argv: Sequence[str] | None) -> int:
    """The run, with Hypothesis's cache in a temporary folder of its own unless the caller chose one."""
    if os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
        return _main(argv)
    # Hypothesis caches what it learns in a .hypothesis folder; a run of the suite leaves nothing in the caller's.
    with tempfile.TemporaryDirectory(prefix="notify-conformance-") as storage:
        os.environ["HYPOTHESIS_STORAGE_DIRECTORY"] = storage
        try:
            return _main(argv)
        finally:  # a callable may have removed it, or cleared the environment
            os.environ.pop("HYPOTHESIS_STORAGE_DIRECTORY", None)


def _main(argv: Sequence[str] | None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    parser = _parser(words)
    args = parser.parse_args(words)
    for option in ("callable", "exec", "stream", "transport_url"):
        value = getattr(args, option)
        if value is not None and not value.strip():
            parser.error(f"argument --{option.replace('_', '-')}: empty; it names the producer to check")
    _only_where_they_apply(parser, args)
    checks, exclude = _split(parser, "--checks", args.checks), _split(parser, "--exclude-checks", args.exclude_checks)
    producer_args = next(f"--{k.replace('_', '-')} {json.dumps(v)}" for k in ("callable", "exec")
                         if (v := getattr(args, k)))  if (args.callable or args.exec) else ""  # fmt: skip
    _no_file_overwritten(parser, args)
    # Where the reports go, fixed before a producer runs: a callable's module may change the working folder.
    where = {name: os.path.abspath(name) for name in (args.report, args.junit) if name is not None}
    held: dict[str, int] = {}  # a FIFO's (or a device's) descriptor, opened before the run
    try:
        return _checked_run(args, words, where, held, checks, exclude, producer_args)
    finally:
        for fd in held.values():
            os.close(fd)


def _checked_run(args: argparse.Namespace, words: list[str], where: dict[str, str], held: dict[str, int],
                 checks: Any, exclude: Any, producer_args: str) -> int:  # fmt: skip
    """The run and its reports, once each report's place is known to be one a report can be written to: found
    before the run, not after it (a FIFO no process reads is opened now, and kept in ``held``)."""
    for what, name in (("report", args.report), ("JUnit report", args.junit)):
        if name is None or name in held:
            continue
        try:
            fd = reserve_output(where[name])
        except OSError as error:
            _error(f"cannot write the {what} {name}: {error.strerror or error}", words)
            return 2
        if fd is not None:
            held[name] = fd
    report: Report
    # A callable runs in this process and may replace sys.stdout or sys.stderr (with None, or a logger of its own):
    # the table, the error and the progress bar go where the run's own went.
    streams = sys.stdout, sys.stderr
    try:
        if args.mode == "negative":
            report = _negative(args)
        elif args.stream or args.transport_url:
            stream_checks(checks, exclude)  # a selection no stream can run is said before a broker is listened to
            messages = _read_stream(args.stream) if args.stream else _listen(args)
            report = run_stream(messages, profile=args.profile, checks=checks, exclude_checks=exclude)
        else:
            only = [_intent(args.intent)] if args.intent else None
            if only and args.profile not in (None, only[0]["profile"]):  # else the intent's own, and --profile unheeded
                raise ValueError(f"--profile {args.profile} does not apply to --intent, which names its own profile, "
                                 f"{quoted(only[0]['profile'])}: leave --profile out")  # fmt: skip
            args.profile = only[0]["profile"] if only else args.profile
            if args.callable:
                producer: Any = load_callable(args.callable)
            else:
                producer = ExecProducer(args.exec, answer_timeout=args.answer_timeout, profile=args.profile)
            with _ended(producer, args.answer_timeout):
                report = run(producer, profile=args.profile, examples=args.examples, seed=args.seed, checks=checks,
                             exclude_checks=exclude, only=only,
                             progress=functools.partial(_progress, streams[1]))  # fmt: skip
                _broke(producer, report)
            _no_line_beyond(report, producer)
    except (ProducerError, ValueError, OSError, NotifySchemasError) as error:
        # NotifySchemasError: a broker that cannot be reached, or --transport-url without the oslo extra.
        sys.stdout, sys.stderr = streams
        _bar_off(streams[1])
        _error(io_error_text(error), words)
        return 2
    sys.stdout, sys.stderr = streams
    _bar_off(streams[1])
    # A transport URL as the package names one: one written without // (u:SECRET@host) has its password masked too.
    url = args.transport_url
    report.producer = mask_url(as_named(url)) if url else shown_name(args.callable or args.exec or args.stream)
    unprinted: BaseException | None = None
    reader_gone = False
    try:
        print(report.summary())
        details = report.failure_details(mask_text(producer_args))
        if details:
            print(details)
        sys.stdout.flush()
    except BrokenPipeError:  # the reader went away (| head): the files are still written, then 141 (D94)
        drop_output()
        reader_gone = True
    except (OSError, NotifySchemasError) as error:  # a full disk: said once the files the run owes are written
        unprinted = error
    outputs: list[tuple[str, str | None, Callable[[], str]]] = [
        ("report", args.report, lambda: json.dumps(report.as_json(), indent=1, default=repr) + "\n"),
        ("JUnit report", args.junit, report.as_junit),
    ]
    unwritten = False
    for what, name, written in outputs:  # each written whatever became of the other and of the standard output
        if name is None:
            continue
        try:
            fd = held.pop(name) if name in held else open_output(where[name])
            with open(fd, "w", encoding="utf-8") as f:
                f.write(written())
        except OSError as error:
            _error(f"cannot write the {what} {name}: {error.strerror or error}", words)
            unwritten = True
    if unprinted is not None:
        raise unprinted
    if unwritten:
        return 2
    if report.stopped:  # the producer broke the protocol: what was seen is reported above, and the run is an error
        _error(report.stopped, words)
        return 2
    if reader_gone:  # the table cut short: no verdict, as a reader gone away leaves none in every command
        return READER_GONE
    return 1 if report.must_failed else 0


def _no_file_overwritten(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """A usage error when a file written would overwrite another file of the run: the recorded stream it judges (read
    first, then lost to the report), or the other report."""
    stream = None if args.stream == "-" else args.stream  # the standard input: no file a report could overwrite
    files = [("--stream", stream), ("--report", args.report), ("--junit", args.junit)]
    named = [(option, name) for option, name in files if name is not None]
    for at, (option, name) in enumerate(named):
        for earlier, other in named[:at]:
            if same_file(other, name):
                parser.error(f"{earlier} and {option} name the same file: {option} would overwrite it")


def _error(text: str, words: Sequence[str]) -> None:
    """One line on stderr: what went wrong, masked, with what the user typed that it quotes masked too, each line
    break, tab or other character no one sees written as its escape (``no\\x0afile``), as every command writes a
    name: joined with spaces, a file named with a line break read as two words, another file's name."""
    line = shown(as_named(mask_words(text, words)), 2000)
    print(f"notify-schemas conformance: error: {line}", file=sys.stderr)


if __name__ == "__main__":
    status = main()
    ended(status)  # a thread the callable left running is not waited for
    sys.exit(status)
