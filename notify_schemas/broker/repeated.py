"""Keys written twice in a notification's JSON text, which oslo.messaging decodes before the listener sees it.

A ``messagingv2`` body carries the notification as JSON text (``{"oslo.version": "2.0", "oslo.message": "..."}``);
oslo.messaging decodes that text in ``oslo_messaging._drivers.common.deserialize_msg`` and hands the listener's
endpoint the decoded values only, with the last of two equal keys kept. `watch` wraps that function: the text is
read once more, as oslo reads it (`notify_schemas.reader.parse_as_python_reads`: NaN taken), for its repeated keys,
and their pointers are kept under the notification's ``message_id`` and a digest of what oslo decoded (`digest`),
until the listener takes them (`taken`): two messages under one id (a producer that reuses ids) each get their own.
What oslo returns is unchanged. A text longer than every listener's size limit is not read again: no listener judges
it (D51).

The text kombu decodes before oslo sees any (a ``messaging`` 1.0 body, the ``messagingv2`` envelope) the listener
reads from the delivery itself (`notify_schemas.broker.wire.written_twice`); the ``fake://`` transport passes Python
values, which leave no text to read (D35).
"""

from __future__ import annotations

import collections
import hashlib
import json
import threading
from collections.abc import Callable
from typing import Any

import orjson

from notify_schemas.reader import parse_as_python_reads
from notify_schemas.wire_form import to_wire

__all__ = ["digest", "forget", "taken", "watch"]

_KEPT = 10_000  # message ids, and messages under one, whose repeated keys wait: bounded, the oldest forgotten first
_found: collections.OrderedDict[str | None, dict[str, tuple[str, ...]]] = collections.OrderedDict()
"""Per message id (None for a message whose id is missing or not text), per digest of the decoded message: the
pointers of the keys its text wrote twice."""
_lock = threading.Lock()
_longest = [0]  # the longest text read for repeated keys: the largest size limit of the process's listeners


def _reading(original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def deserialize_msg(msg: Any) -> Any:
        repeated, message_id = _repeated(msg)  # read first, and let go before oslo's own copy is made
        decoded = original(msg)  # oslo's verdict: what it raises, it raises
        if repeated and isinstance(decoded, dict) and _kept_under(decoded.get("message_id")) == message_id:
            content = digest(decoded)
            with _lock:
                kept = _found.setdefault(message_id, {})
                kept[content] = repeated
                while len(kept) > _KEPT:  # messages without an id share one place
                    del kept[next(iter(kept))]
                _found.move_to_end(message_id)
                while len(_found) > _KEPT:
                    _found.popitem(last=False)
        return decoded

    deserialize_msg.notify_schemas_reads = True  # type: ignore[attr-defined]
    return deserialize_msg


def _kept_under(message_id: Any) -> str | None:
    """Where the repeated keys of a message are kept: under its id, or under None when it has none that is text (a
    message without one is invalid all the same, and its keys written twice are violations too)."""
    return message_id if isinstance(message_id, str) else None


def _repeated(msg: Any) -> tuple[tuple[str, ...], str | None]:
    """The pointers of the keys a ``messagingv2`` body's text writes twice, and where they are kept (`_kept_under`);
    nothing for a text longer than every listener's limit, or one the package cannot read (what oslo has read, the
    listener judges).

    Read before oslo decodes the text, so that the package's reading is gone by the time oslo's is made: one
    decoded copy at a time, which for a body of small nested values is many times the body."""
    try:
        text = msg.get("oslo.message") if isinstance(msg, dict) else None
        if not isinstance(text, str | bytes) or len(text) > _longest[0]:
            return (), None
        value, repeated = parse_as_python_reads(text)  # as oslo reads it: NaN taken
        message_id = value.get("message_id") if isinstance(value, dict) else None
        return repeated, _kept_under(message_id)
    except Exception:  # the package cannot read it: oslo's verdict stands
        return (), None


def watch(limit: int) -> None:
    """Read the text of every ``messagingv2`` body that oslo.messaging decodes in this process, up to ``limit``
    characters (a listener's size limit: a body is never shorter than the text it holds); once is enough."""
    from oslo_messaging._drivers import common

    with _lock:
        _longest[0] = max(_longest[0], limit)
        if not getattr(common.deserialize_msg, "notify_schemas_reads", False):
            common.deserialize_msg = _reading(common.deserialize_msg)


def digest(message: Any) -> str:
    """A short digest of a message's content: a delivery again has the same, another message under a reused id not.
    What the listener knows a message by (its tally), and its repeated keys (`taken`)."""
    try:
        text = orjson.dumps(message, option=orjson.OPT_SORT_KEYS)
    except Exception:  # beyond JSON (NaN, depth, a producer's object over fake://): its wire form stands in
        text = json.dumps(to_wire(message).value, sort_keys=True).encode()
    return hashlib.blake2b(text, digest_size=8).hexdigest()


def taken(message_id: Any, content: Callable[[], str]) -> tuple[str, ...]:
    """The pointers of the keys written twice in the text of the notification ``message_id`` whose decoded content
    has the digest ``content()`` (`digest`, asked only when something is kept under the id); asked once. Known by its
    id alone, the keys of one message were given to another sent under the same id and decoded just before it was
    judged: the one that wrote a key twice counted valid, the other invalid. The digest is of what oslo decoded,
    ``_unique_id`` and ``_context_`` keys included, which its listener takes out before the message is judged: of the
    message judged, it missed every text an oslo producer writes (D35). A message whose id is missing or not text is
    known by the digest alone."""
    message_id = _kept_under(message_id)
    with _lock:
        kept = _found.get(message_id)
        if kept is None:
            return ()
    known = content()  # outside the lock: a digest of a large message takes a while
    with _lock:
        kept = _found.get(message_id)
        if kept is None:
            return ()
        repeated = kept.pop(known, ())
        if not kept:
            del _found[message_id]
        return repeated


def forget(message_id: Any) -> None:
    """Forget what was kept for every message under ``message_id`` (one the listener does not judge); not what
    messages without an id share, each of which the listener may still take (that place is bounded: `_KEPT`)."""
    if isinstance(message_id, str):
        with _lock:
            _found.pop(message_id, None)
