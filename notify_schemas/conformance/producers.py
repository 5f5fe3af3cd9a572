"""Ways to attach a producer: a Python callable, or any program speaking JSON Lines on stdin/stdout.

The protocol of ``--exec``: the suite writes one intent per line (a JSON object, schemas/intent.json) to the
program's standard input and reads one line back from its standard output: the notification it would send (a JSON
object), or a JSON array of notifications, or ``[]`` for none. The program runs once for the whole suite, with
``NOTIFY_SCHEMAS_DIR`` in its environment: the schema folder the suite judges with. conformance/PROTOCOL.md is the
whole specification, for authors in any language.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import queue
import shlex
import subprocess
import threading
from collections.abc import Callable
from typing import Any

from notify_schemas.conformance.records import Intent
from notify_schemas.reader import parse
from notify_schemas.redaction import mask_text
from notify_schemas.registry import schema_root

__all__ = [
    "DEFAULT_ANSWER_TIMEOUT",
    "Duplicated",
    "ExecProducer",
    "ProducerError",
    "answer",
    "end_program",
    "exec_environment",
    "load_callable",
]

Producer = Callable[[Intent], Any]


class ProducerError(RuntimeError):
    """The producer cannot be started or stopped answering."""


def load_callable(spec: str) -> Producer:
    """``module:function`` to the function."""
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise ProducerError(f"--callable takes module:function, not {spec!r}")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise ProducerError(f"cannot import {module_name!r}: {error}") from None
    function = getattr(module, attribute, None)
    if not callable(function):
        raise ProducerError(f"{spec!r} is not a callable")
    return function  # type: ignore[no-any-return]


def exec_environment() -> dict[str, str]:
    """The environment of a program under test: the caller's, with the schema folder as ``NOTIFY_SCHEMAS_DIR``."""
    return {**os.environ, "NOTIFY_SCHEMAS_DIR": str(schema_root())}


DEFAULT_ANSWER_TIMEOUT = 10.0


class ExecProducer:
    """A program in any language, started once, asked one intent per line (conformance/PROTOCOL.md).

    Its output is read by a thread of its own, so that a program that stops answering, writes an answer without its
    newline or closes its output while it stays alive makes the run stop after ``answer_timeout`` seconds with a
    `ProducerError` naming the intent, never hang. Input and output are UTF-8, whatever the locale.
    """

    def __init__(self, command: str, *, answer_timeout: float = DEFAULT_ANSWER_TIMEOUT) -> None:
        try:
            self.process = subprocess.Popen(
                shlex.split(command), stdin=subprocess.PIPE, stdout=subprocess.PIPE, encoding="utf-8",
                errors="surrogateescape", bufsize=1, env=exec_environment(),
            )  # fmt: skip
        except OSError as error:
            raise ProducerError(f"cannot start {command!r}: {error}") from None
        self.command = command
        self.answer_timeout = answer_timeout
        self.extra_lines = 0
        """Lines the program wrote beyond one per intent, counted when it is closed: a break of the protocol."""
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, name="exec-producer-output", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line)
        self._lines.put(None)  # the end of the output

    def _name(self, intent: Intent) -> str:
        return f"{intent.get('event_type')} {intent.get('priority')}"

    def __call__(self, intent: Intent) -> Any:
        assert self.process.stdin is not None
        if not self._lines.empty():
            early = self._lines.get()
            if early is None:  # the output closed before the intent was even sent
                self._lines.put(None)
            else:
                shown = mask_text(early.strip()[:80])
                raise ProducerError(f"{self.command!r} wrote a line before it was asked ({shown!r}): one line per "
                                    "intent, and nothing else on its output")  # fmt: skip
        try:
            self.process.stdin.write(json.dumps(intent) + "\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            raise ProducerError(f"{self.command!r} exited with {self.process.wait()}") from None
        try:
            line = self._lines.get(timeout=self.answer_timeout)
        except queue.Empty:
            raise ProducerError(
                f"{self.command!r} gave no answer within {self.answer_timeout:g} s to the intent "
                f"{self._name(intent)} (a line, ended by a newline; see --answer-timeout)"
            ) from None
        if line is None:
            try:
                status: int | None = self.process.wait(timeout=1)  # it may be exiting
            except subprocess.TimeoutExpired:
                status = None
            how = f"exit status {status}" if status is not None else "it is still running"
            raise ProducerError(f"{self.command!r} closed its output before answering {self._name(intent)} ({how})")
        if not line.endswith("\n"):
            raise ProducerError(f"{self.command!r} wrote an answer to {self._name(intent)} without its newline, then "
                                "closed its output")  # fmt: skip
        return answer(line)

    def close(self, *, wait: float = 10) -> None:
        """End the program: its input closed, ``wait`` seconds to exit, then stopped (0: at once, on Ctrl-C)."""
        end_program(self.process, wait=wait)
        self._reader.join(timeout=5 if wait else 0.5)
        while not self._lines.empty():
            if (line := self._lines.get()) is not None and line.strip():
                self.extra_lines += 1


def end_program(process: subprocess.Popen[str], *, wait: float) -> None:
    """End a program under test: its input closed, ``wait`` seconds to exit by itself, then SIGTERM, and SIGKILL a
    second later."""
    if process.stdin:
        with contextlib.suppress(BrokenPipeError, OSError):  # the program is already gone; its exit was reported
            process.stdin.close()
    try:
        process.wait(timeout=wait)
        return
    except subprocess.TimeoutExpired:
        process.terminate()
    try:
        process.wait(timeout=1)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def answer(text: str | bytes) -> Any:
    """A producer's line as the checks judge it: the value, a `Duplicated` object, or the text when it is not JSON.

    Parsed as ``notify-schemas validate`` parses a line (strict JSON, keys written twice found).
    """
    try:
        value, duplicates = parse(text)
    except ValueError:
        return _NotJSON(text.decode("utf-8", "backslashreplace") if isinstance(text, bytes) else text.rstrip("\n"))
    if duplicates and isinstance(value, dict):
        return Duplicated(value, duplicates)
    return value


class Duplicated(dict[str, Any]):
    """A notification in which a key was written twice: what a consumer reads depends on its parser."""

    def __init__(self, value: dict[str, Any], duplicates: tuple[str, ...]) -> None:
        super().__init__(value)
        self.duplicates = duplicates


class _NotJSON(str):
    """A line that is not JSON: it fails the checks as the non-object it is."""
