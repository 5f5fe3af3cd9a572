"""A pure computation run once more on a stack of its own when the caller's stack is nearly used up (D96).

A producer notifies from wherever it is: a deep framework, a recursive walker. Python counts the frames of the
calling thread against one limit (``sys.getrecursionlimit()``), and the C code of ``json.dumps``, of ``repr`` and
python-jsonschema's walk count each level of a value against it too, so a message 200 levels deep, judged or
written 850 frames down, raised RecursionError where at the top of the stack it got its verdict. A thread starts
with no frames: the computation is made again there, and its result (or its exception) is the caller's.

Only what has no side effect is run again, and only on what was read already: the wire form of a message, never a
producer's own value, which may answer otherwise the second time (a generator is empty then). A driver's send is
never run again. A thread that is itself such a second run never starts a third: its RecursionError is raised.

Under eventlet (``eventlet.monkey_patch()``, as Glance runs) a thread of ``threading`` is a green thread, and a green
thread starts at the depth of the hub that starts it: a hub first run 900 frames down starts every later green thread
there, at the top of a request too, so that a second run there had as little stack as the first. The second run is
then an OS thread of eventlet's original ``threading``, which the caller waits for without yielding to the hub: the
computation never yields either, so the hub waits for it as long as it waited for the first run, plus the start of a
thread (about 0.1 ms), and no green thread runs in between to meet a lock the second run holds.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from typing import Any, TypeVar

__all__ = ["on_fresh_stack", "resumed_on_fresh_stack"]

_Result = TypeVar("_Result")
_Item = TypeVar("_Item")
# Whether this thread is itself a second run. A context variable, not a threading.local: one made before
# eventlet.monkey_patch() is shared by every green thread of the process, and the first second run (a green thread)
# left it set for all of them, so that none ran again on a stack of its own.
_fresh: ContextVar[bool] = ContextVar("notify_schemas_fresh_stack", default=False)


def on_fresh_stack(compute: Callable[..., _Result], /, *args: Any) -> _Result:
    """``compute(*args)``; when it raises RecursionError, ``compute(*args)`` again on a thread of its own.

    ``compute`` must be pure and ``args`` read already (plain JSON, a wire form): it runs twice. Costs one call on
    the way that does not recurse too deep."""
    try:
        return compute(*args)
    except BaseException as error:
        if not _out_of_stack(error) or _fresh.get():
            raise
    return _on_a_new_thread(lambda: compute(*args))


def resumed_on_fresh_stack(make: Callable[[], Iterable[_Item]]) -> Iterator[_Item]:
    """The items of ``make()``; when reading them raises RecursionError (a generator runs on the stack of whoever
    asks it for its next item), all of them made again on a thread of its own, and those not yet given given.

    ``make`` must give the same items each time: pure, on what was read already."""
    given = 0
    try:
        for item in make():
            yield item
            given += 1
        return
    except BaseException as error:
        if not _out_of_stack(error) or _fresh.get():
            raise
    yield from _on_a_new_thread(lambda: list(make()))[given:]


def _out_of_stack(error: BaseException) -> bool:
    """Whether ``error`` says the stack ran out: RecursionError, or the panic a Rust extension made of one
    (python-jsonschema's references are looked up in rpds maps, whose ``__eq__`` of a key panics on any Python
    error: pyo3's ``PanicException``, a BaseException, with the RecursionError in its text)."""
    if isinstance(error, RecursionError):
        return True
    return type(error).__name__ == "PanicException" and "RecursionError" in str(error)


def _on_a_new_thread(compute: Callable[[], _Result]) -> _Result:
    """``compute()`` on a new thread, whose stack holds no frame yet; its result returned, its exception raised."""
    outcome: list[Any] = []

    def run() -> None:
        _fresh.set(True)
        try:
            outcome.append((True, compute()))
        except BaseException as error:  # the caller's, whatever it is: raised there
            outcome.append((False, error))

    thread = _threading().Thread(target=run, name="notify-schemas-fresh-stack", daemon=True)
    thread.start()
    thread.join()
    done, value = outcome[0]
    if not done:
        raise value
    return value  # type: ignore[no-any-return]


def _threading() -> Any:
    """The ``threading`` whose threads are OS threads, each with a stack of its own: eventlet's original one where
    eventlet patched threads (its green threads start at the depth of their hub), else ``threading``. Looked up where
    eventlet keeps it after patching: no import, which would need frames of its own."""
    patcher = sys.modules.get("eventlet.patcher")
    if patcher is None or not getattr(patcher, "already_patched", {}).get("thread"):
        return threading
    return sys.modules.get("__original_module_threading", threading)
