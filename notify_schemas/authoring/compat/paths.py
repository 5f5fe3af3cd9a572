"""Paths into messages, as the structural comparison names places: keys, the first item of an array, any other key."""

from __future__ import annotations

import copy
import enum
import json
from typing import Any

__all__ = [
    "DELETE",
    "MISSING",
    "NONE",
    "NO_PARENT",
    "MessagePath",
    "Seg",
    "Sentinel",
    "canonical",
    "get_at",
    "put_at",
    "show",
]


def canonical(value: Any) -> str:
    """The value as JSON text with sorted keys: equal text means equal value."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class Sentinel(enum.Enum):
    NONE = "none"  # no value found
    MISSING = "missing"  # the key is absent where the path ends
    NO_PARENT = "no parent"  # the path does not reach into this message
    DELETE = "delete"  # as a new value: remove the key


NONE = Sentinel.NONE
MISSING = Sentinel.MISSING
NO_PARENT = Sentinel.NO_PARENT
DELETE = Sentinel.DELETE


class Seg(enum.Enum):
    ITEM = "[]"  # the first item of an array
    OTHER = "*"  # a key that no `properties` names


MessagePath = tuple["str | Seg", ...]


def show(path: MessagePath) -> str:
    out = ""
    for seg in path:
        if seg is Seg.ITEM:
            out += "[]"
        else:
            out += ("." if out else "") + (seg.value if isinstance(seg, Seg) else seg)
    return out or "message"


def get_at(message: Any, path: MessagePath, fresh: str) -> Any:
    node = message
    for i, seg in enumerate(path):
        last = i == len(path) - 1
        if seg is Seg.ITEM:
            if not isinstance(node, list):
                return NO_PARENT
            if not node:
                return MISSING if last else NO_PARENT
            node = node[0]
        else:
            key = fresh if seg is Seg.OTHER else seg
            if not isinstance(node, dict):
                return NO_PARENT
            if key not in node:
                return MISSING if last else NO_PARENT
            node = node[key]
    return node


def put_at(message: Any, path: MessagePath, fresh: str, value: Any) -> Any:
    """A copy of ``message`` with ``value`` at ``path`` (or the key removed for ``DELETE``)."""
    if not path:
        return message if value is DELETE else copy.deepcopy(value)
    out = copy.deepcopy(message)
    node = out
    for seg in path[:-1]:
        node = node[0] if seg is Seg.ITEM else node[fresh if seg is Seg.OTHER else seg]
    seg = path[-1]
    if seg is Seg.ITEM:
        if value is DELETE:
            del node[:1]
        elif node:
            node[0] = copy.deepcopy(value)
        else:
            node.append(copy.deepcopy(value))
    else:
        key = fresh if seg is Seg.OTHER else seg
        if value is DELETE:
            node.pop(key, None)
        else:
            node[key] = copy.deepcopy(value)
    return out
