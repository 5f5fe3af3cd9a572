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
import shlex
import subprocess
from collections.abc import Callable
from typing import Any

from notify_schemas.conformance.records import Intent
from notify_schemas.reader import parse
from notify_schemas.registry import schema_root

__all__ = ["ExecProducer", "ProducerError", "exec_environment", "load_callable"]

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


class ExecProducer:
    """A program in any language, started once, asked one intent per line."""

    def __init__(self, command: str) -> None:
        try:
            self.process = subprocess.Popen(
                shlex.split(command), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1,
                env=exec_environment(),
            )  # fmt: skip
        except OSError as error:
            raise ProducerError(f"cannot start {command!r}: {error}") from None
        self.command = command

    def __call__(self, intent: Intent) -> Any:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        try:
            self.process.stdin.write(json.dumps(intent) + "\n")
            self.process.stdin.flush()
        except BrokenPipeError:
            raise ProducerError(f"{self.command!r} exited with {self.process.wait()}") from None
        line = self.process.stdout.readline()
        if not line:
            raise ProducerError(f"{self.command!r} closed its output (exit status {self.process.wait()})")
        return answer(line)

    def close(self) -> None:
        if self.process.stdin:
            with contextlib.suppress(BrokenPipeError):  # the program is already gone; its exit was reported
                self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


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
