"""Every public entry gives the same answer from deep in its caller's stack as from the top of it (D96).

A producer cannot choose how deep its own stack is when it notifies: a deep framework, a recursive walker that
notifies. Python counts the C code of ``json.dumps`` and python-jsonschema's walk against the calling thread's
recursion limit, so a message nested 200 levels deep, judged 850 frames down, raised RecursionError where at the top
of the stack it got its verdict.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notify_schemas import (
    InvalidNotificationError,
    Notifier,
    build_message,
    image_payload,
    image_send_payload,
    is_valid,
    iter_errors,
    task_payload,
    validate,
)
from notify_schemas.drivers.log import LogDriver, dumps
from notify_schemas.fresh_stack import on_fresh_stack, resumed_on_fresh_stack
from notify_schemas.message import envelope
from notify_schemas.redaction import (
    error_text,
    forbidden_texts,
    mask_dict_password,
    redact,
    refused_texts,
    traceback_text,
)
from notify_schemas.samples import samples
from notify_schemas.validation import is_valid_plain, wire_errors
from notify_schemas.wire_form import redacted_json, to_wire

CANARY = "CANARY-f7e2"
SETTINGS = settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck), database=None)
FRAMES_LEFT = [60, 30]
"""How many frames the caller leaves before Python's recursion limit."""


def _depth() -> int:
    frame, depth = sys._getframe(), 0
    while frame is not None:
        frame, depth = frame.f_back, depth + 1
    return depth


def _with_frames_left(frames_left: int, call: Callable[[], Any]) -> Any:
    """``call()`` with ``frames_left`` frames between the caller and the recursion limit: `_outcome`, written at the
    top of the stack."""

    def down(n: int) -> Any:
        return down(n - 1) if n > 0 else _outcome(call)

    return _written(down(sys.getrecursionlimit() - frames_left - _depth() - 1))


def _at_the_top(call: Callable[[], Any]) -> Any:
    return _written(_outcome(call))


def _outcome(call: Callable[[], Any]) -> Any:
    """What ``call`` returned or raised."""
    try:
        return "returned", call()
    except Exception as error:
        return "raised", type(error).__name__, str(error)


_MADE_NOW = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?"
)


def _written(outcome: Any) -> str:
    """An outcome as JSON, without the message ids and timestamps made meanwhile. As JSON: where the caller's stack
    is too short for the C passes that tell a message of exact JSON types (pickle's, which count against it too),
    the message is judged and sent as its wire form, a tuple in it as a list, as a message of other types is."""
    return _MADE_NOW.sub("", json.dumps(outcome, default=repr))


# --- deep values, where producers put them ------------------------------------------------------------------------

_LEAVES = st.sampled_from(["x", 1, None, 2.5, True, f"password={CANARY}", f"swift://u:{CANARY}@h/", ""])
_LEVELS = st.sampled_from(["list", "tuple", "dict", "secret", "forbidden", "pair"])


@st.composite
def deep_values(draw: st.DrawFn) -> Any:
    """A value nested 150 to 300 levels (past the 254 a wire form holds, sometimes), of lists, tuples and dicts,
    keys that name a secret or must never be sent among them."""
    value = draw(_LEAVES)
    levels = draw(st.lists(_LEVELS, min_size=150, max_size=300))
    for level in levels:
        if level == "tuple" and len(levels) > 240:  # orjson does not count a tuple's level: kept within the wire's
            level = "list"
        if level == "list":
            value = [value]
        elif level == "tuple":
            value = (value,)
        elif level == "dict":
            value = {"k": value}
        elif level == "secret":
            value = {"admin_password": value, "x": [value] if isinstance(value, str) else 1}
        elif level == "forbidden":
            value = {"location": value, "y": 2}
        else:
            value = [value, {"z": value}] if not isinstance(value, dict | list | tuple) else [value]
    return value


_SUCCESS = next(samples("task.success", "INFO"))
_UPLOAD = next(samples("image.upload", "INFO"))


def _in_result(value: Any) -> dict[str, Any]:
    """A task's result holds any value: valid where it has a wire form."""
    return {**_SUCCESS, "payload": {**_SUCCESS["payload"], "result": {"deep": value}}}


def _in_tags(value: Any) -> dict[str, Any]:
    """An image's tag must be text: a deep value there is shown in a violation."""
    return envelope("image.update", "INFO", {"id": "x", "tags": [value], "size": -1}, "image.host")


def _in_properties(value: Any) -> dict[str, Any]:
    return {**_UPLOAD, "payload": {**_UPLOAD["payload"], "properties": {"deep": value}}}


def _unknown(value: Any) -> dict[str, Any]:
    return {**_SUCCESS, "event_type": "image.nope", "payload": {"deep": value}}


MESSAGES = {"in a task's result": _in_result, "in a tag": _in_tags, "in properties": _in_properties,
            "of an unknown event": _unknown}  # fmt: skip


# --- the entries ---------------------------------------------------------------------------------------------------


class _Failing:
    def notify(self, message: dict[str, Any], priority: str) -> None:
        raise RuntimeError(f"cannot send: password={CANARY}")


def _validated(message: Any, backend: Any) -> Any:
    try:
        validate(message, backend=backend)
    except InvalidNotificationError as error:
        return str(error), error.violations
    return "valid"


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.levelname} {record.getMessage()}")


def _notifying(mode: str, driver: str, backend: str, how: str) -> Callable[[Any], Callable[[], Any]]:
    """The Notifier (made at the top of the stack, as a producer makes it once) sending the message: what it
    returned or raised, what each driver got, and every line logged."""

    def prepare(message: dict[str, Any]) -> Callable[[], Any]:
        drivers: list[Any] = ["memory" if driver == "memory" else driver if driver != "failing" else _Failing()]
        notifier = Notifier("image.host", drivers=drivers, validation=mode, backend=backend)  # type: ignore[arg-type]

        def call() -> Any:
            lines = _Lines()
            logging.getLogger().addHandler(lines)
            level = logging.getLogger().level
            logging.getLogger().setLevel(logging.DEBUG)
            try:
                if how == "send":
                    sent = _outcome(lambda: notifier.send(message))
                else:
                    sent = _outcome(lambda: notifier.info({}, message["event_type"], message["payload"]))
            finally:
                logging.getLogger().setLevel(level)
                logging.getLogger().removeHandler(lines)
            kept = [d.take() for d in notifier.drivers if hasattr(d, "take")]
            return sent, kept, lines.lines

        return call

    return prepare


def _direct(entry: Callable[[Any], Any]) -> Callable[[Any], Callable[[], Any]]:
    return lambda message: lambda: entry(message)


def _log_line(message: Any) -> Any:
    lines = _Lines()
    logger = logging.getLogger("oslo.messaging.notification")
    logger.addHandler(lines)
    level = logger.level
    logger.setLevel(logging.DEBUG)
    try:
        LogDriver().notify(message, "INFO")
    finally:
        logger.setLevel(level)
        logger.removeHandler(lines)
    return lines.lines


_ERROR = RuntimeError(f"cannot send: password={CANARY}")
ENTRIES: dict[str, Callable[[Any], Callable[[], Any]]] = {
    **{
        f"{name}({backend})": _direct(lambda m, entry=entry, backend=backend: entry(m, backend))  # type: ignore[misc]
        for backend in ("rust", "python")
        for name, entry in {
            "validate": _validated,
            "is_valid": lambda m, b: is_valid(m, backend=b),
            "is_valid_plain": lambda m, b: is_valid_plain(m, backend=b),
            "iter_errors": lambda m, b: list(iter_errors(m, backend=b)),
            "wire_errors": lambda m, b: list(wire_errors(to_wire(m), backend=b)),
        }.items()
    },
    "build_message": _direct(lambda m: build_message(m["event_type"], "info", m["payload"], "image.host")),
    "image_payload": _direct(lambda m: image_payload(m["payload"], event_type="image.update")),
    "image_send_payload": _direct(
        lambda m: image_send_payload(m["payload"], receiver_tenant_id="t", receiver_user_id="u", destination_ip="::1")
    ),
    "task_payload": _direct(lambda m: task_payload({**_SUCCESS["payload"], **m["payload"]}, event_type="task.success")),
    "log driver's line": _direct(_log_line),
    "log driver's dumps": _direct(dumps),
    "redacted_json": _direct(redacted_json),
    "redact": _direct(lambda m: redact(to_wire(m).value)),
    "mask_dict_password": _direct(mask_dict_password),
    "forbidden_texts": _direct(lambda m: forbidden_texts(to_wire(m).value)),
    "error_text": _direct(lambda m: error_text(_ERROR, to_wire(m).value)),
    "traceback_text": _direct(lambda m: traceback_text(_ERROR, to_wire(m).value)),
    "refused_texts": _direct(lambda m: refused_texts(_ERROR)),
    **{
        f"Notifier.{how}({mode}, {driver}, {backend})": _notifying(mode, driver, backend, how)
        for how in ("send", "info")
        for mode in ("strict", "warn", "off")
        for driver in ("log", "memory", "failing")
        for backend in ("rust", "python")
    },
}


@pytest.mark.parametrize("frames_left", FRAMES_LEFT)
@pytest.mark.parametrize("where", sorted(MESSAGES))
@pytest.mark.parametrize("entry", sorted(ENTRIES))
@SETTINGS
@given(deep=deep_values())
def test_every_entry_answers_from_deep_in_the_callers_stack_as_from_its_top(
    entry: str, where: str, frames_left: int, deep: Any
) -> None:
    # Before, at 60 frames from the limit: RecursionError out of validate, iter_errors, the Notifier in every mode
    # (its warn line, a failing driver's line, the log driver), redacted_json, the log driver and mask_dict_password.
    call = ENTRIES[entry](MESSAGES[where](deep))
    top = _at_the_top(call)
    assert "RecursionError" not in top
    assert _with_frames_left(frames_left, call) == top


# --- the helper itself ---------------------------------------------------------------------------------------------


def _recurse(n: int) -> int:
    return 0 if n == 0 else 1 + _recurse(n - 1)


def test_a_computation_that_runs_out_of_stack_is_made_again_on_a_stack_of_its_own() -> None:
    need = sys.getrecursionlimit() - 100
    assert _with_frames_left(300, lambda: on_fresh_stack(_recurse, need)) == _written(("returned", need))


def test_a_computation_too_deep_for_any_stack_raises_recursion_error_after_one_more_try() -> None:
    runs: list[str] = []

    def endless() -> int:
        runs.append(threading.current_thread().name)
        return _recurse(10 * sys.getrecursionlimit())

    with pytest.raises(RecursionError):
        on_fresh_stack(endless)
    assert len(runs) == 2  # the caller's stack, then one thread: never a third


def test_what_the_second_run_raises_is_the_callers() -> None:
    def fails_deep() -> None:
        if threading.current_thread() is threading.main_thread():
            raise RecursionError
        raise ValueError("the second run's own error")

    with pytest.raises(ValueError, match="second run's own error"):
        on_fresh_stack(fails_deep)


def test_what_is_not_about_the_stack_is_never_run_again() -> None:
    runs: list[int] = []

    def fails() -> None:
        runs.append(1)
        raise RuntimeError("not the stack")

    with pytest.raises(RuntimeError, match="not the stack"):
        on_fresh_stack(fails)
    assert runs == [1]


def test_items_already_given_are_not_given_again_when_the_rest_are_made_on_a_fresh_stack() -> None:
    def items() -> Iterator[int]:
        for k in range(8):  # each item needs more stack than the one before
            yield _recurse(k * 100) // 100

    found = _with_frames_left(450, lambda: list(resumed_on_fresh_stack(items)))
    assert found == _written(("returned", list(range(8))))


_PATCHED_LATE = """
import json, sys, warnings
from notify_schemas.fresh_stack import on_fresh_stack  # imported first, as a module that imports it early does
warnings.simplefilter("ignore")
import eventlet
eventlet.monkey_patch()
eventlet.sleep(0)  # the hub starts at the top of the stack, as a server's does: each green thread starts from its depth

def nested(levels):
    value = 0
    for _ in range(levels):
        value = [value]
    return value

def written_at(frames_left):
    def down(n):
        return down(n - 1) if n > 0 else on_fresh_stack(json.dumps, nested(400))
    frame, depth = sys._getframe(), 0
    while frame is not None:
        frame, depth = frame.f_back, depth + 1
    return len(down(sys.getrecursionlimit() - frames_left - depth - 1))

print(json.dumps([written_at(60) for _ in range(3)]))
"""


def test_every_run_out_of_stack_is_made_again_after_eventlet_patches_threads_late() -> None:
    # The mark that a thread is itself a second run was a threading.local: made before eventlet.monkey_patch(), it is
    # one for every green thread of the process, and the first second run, a green thread, left it set for them all:
    # each later computation that ran out of stack raised RecursionError, where the first had its answer.
    import subprocess

    done = subprocess.run([sys.executable, "-c", _PATCHED_LATE], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout) == [len(json.dumps(json.loads("[" * 400 + "0" + "]" * 400)))] * 3


_HUB_STARTED_DEEP = """
import json, sys, warnings
warnings.simplefilter("ignore")
import eventlet
eventlet.monkey_patch()  # before the package is imported, as Glance does
from notify_schemas import is_valid, iter_errors
from notify_schemas.fresh_stack import on_fresh_stack

def down(n, call):
    return down(n - 1, call) if n > 0 else call()

down(sys.getrecursionlimit() - 100, lambda: eventlet.sleep(0))  # the hub first runs 900 frames down

message = json.loads(sys.argv[1])
def answers():  # in a green thread started later, by a hub that runs 900 frames down
    return [
        len(on_fresh_stack(json.dumps, message)),
        *(is_valid(message, backend=backend) for backend in ("rust", "python")),
        *(len(list(iter_errors(message, backend=backend))) for backend in ("rust", "python")),
    ]

print(json.dumps([eventlet.spawn(answers).wait(), answers()]))
"""


@pytest.mark.parametrize("levels", [150, 240])
def test_a_green_thread_started_by_a_hub_deep_in_the_stack_gets_its_answer(levels: int) -> None:
    # A green thread starts at the depth of the hub that starts it: a hub first run 900 frames down started every
    # later green thread there, and the second run, a green thread too, had as little stack as the first, so a
    # message 150 levels deep raised RecursionError in every green thread, at the top of a request as well.
    import subprocess

    message = envelope("image.update", "INFO", {"nested": json.loads("[" * levels + "]" * levels)}, "image.host")
    done = subprocess.run(
        [sys.executable, "-c", _HUB_STARTED_DEEP, json.dumps(message)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    green, top = json.loads(done.stdout)
    expected = [len(json.dumps(message)), is_valid(message), is_valid(message, backend="python")]
    expected += [len(list(iter_errors(message, backend=b))) for b in ("rust", "python")]
    assert green == top == expected
