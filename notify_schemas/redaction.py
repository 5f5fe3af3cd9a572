"""What may be written about a notification: every value that can hold a credential masked or replaced.

Everything the package writes about a message (log lines, CLI output, reports, exception text, the listener's
``--invalid-out`` file) goes through `redact` or `mask_text` first:

1. the values of ``locations``, ``location``, ``direct_url`` and ``task_input``, at any depth, become `MARK`;
2. the rest is masked exactly as oslo.utils' ``strutils.mask_dict_password`` and ``mask_password`` mask it, the
   masking oslo.messaging's log driver applies (the same keys, patterns and Unicode case folding: a key spelled
   ``private_\\u212aey``, with the Kelvin sign, is masked as ``private_key`` is);
3. the password of a URL in any text (``swift://user:PASSWORD@host``), which oslo leaves, becomes ``***``.

Steps 1 and 3 go beyond oslo; step 2 is oslo.utils 10's code and data, ported so that the core needs no oslo
library (Apache-2.0, OpenStack Foundation). A differential property test checks it against oslo.utils itself on
generated keys and texts (``nox -s oslo``). D33 in DECISIONS.md says why.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Mapping
from typing import Any

__all__ = [
    "FORBIDDEN_KEYS",
    "MARK",
    "SANITIZE_KEYS",
    "SECRET",
    "error_text",
    "mask_dict_password",
    "mask_password",
    "mask_text",
    "redact",
]

SECRET = "***"
MARK = "[redacted: may hold credentials]"
FORBIDDEN_KEYS = frozenset({"locations", "location", "direct_url", "task_input"})

# oslo_utils.strutils._SANITIZE_KEYS (oslo.utils 10.2.0): a key containing one of these has its value masked.
SANITIZE_KEYS = (
    "adminpass", "admin_pass", "password", "admin_password", "auth_token", "new_pass", "auth_password",
    "secret_uuid", "secret", "sys_pswd", "token", "configdrive", "chappassword", "encrypted_key", "private_key",
    "fernetkey", "sslkey", "passphrase", "cephclusterfsid", "octaviaheartbeatkey", "rabbitcookie",
    "cephmanilaclientkey", "pacemakerremoteauthkey", "designaterndckey", "cephadminkey", "heatauthencryptionkey",
    "cephclientkey", "keystonecredential", "barbicansimplecryptokek", "cephrgwkey", "swifthashsuffix",
    "migrationsshkey", "cephmdskey", "cephmonkey", "chapsecret",
)  # fmt: skip

# oslo_utils.strutils._FORMAT_PATTERNS_1, _2 and _WILDCARD, character for character.
_FORMAT_PATTERNS_1 = ["(%(key)s[0-9]*\\s*[=]\\s*)[^\\s^\\'^\\\"]+"]
_FORMAT_PATTERNS_2 = [
    "(%(key)s[0-9]*\\s*[=]\\s*[\\\"\\'])[^\\\"\\']*([\\\"\\'])",
    '(%(key)s[0-9]*\\s*[=]\\s*[\\"])[^\\"]*([\\"])',
    "(%(key)s[0-9]*\\s*[=]\\s*[\\'])[^\\']*([\\'])",
    "(%(key)s[0-9]*\\s+[\\\"\\'])[^\\\"\\']*([\\\"\\'])",
    "([-]{2}%(key)s[0-9]*\\s+)[^\\'^\\\"^=^\\s]+([\\s]*)",
    "(<%(key)s[0-9]*>)[^<]*(</%(key)s[0-9]*>)",
    "([\\\"\\']%(key)s[0-9]*[\\\"\\']\\s*:\\s*[\\\"\\'])[^\\\"\\']*([\\\"\\'])",
    "([\\'\"][^\"\\']*%(key)s[0-9]*[\\'\"]\\s*:\\s*u?[\\'\"])[^\\\"\\']*([\\'\"])",
    "([\\'\"][^\\'\"]*%(key)s[0-9]*[\\'\"]\\s*,\\s*\\'--?[A-z]+\\'\\s*,\\s*u?[\\'\"])[^\\\"\\']*([\\'\"])",
    "(%(key)s[0-9]*\\s*--?[A-z]+\\s*)\\S+(\\s*)",
]
_FORMAT_PATTERNS_WILDCARD = [
    "([\\'\\\"][^\\\"\\']*%(key)s[0-9]*[\\'\\\"]\\s*:\\s*u?[\\'\\\"].*[\\'\\\"])[^\\\"\\']*([\\'\\\"])",
]


_ANY_KEY = re.compile("|".join(re.escape(key) for key in SANITIZE_KEYS))


def _compiled(patterns: list[str], key: str) -> list[re.Pattern[str]]:
    return [re.compile(p % {"key": key}, re.DOTALL | re.IGNORECASE) for p in patterns]


@functools.cache
def _patterns(key: str) -> tuple[list[re.Pattern[str]], ...]:
    """oslo's patterns for one key, compiled when a text first holds it: compiling all of them up front costs every
    process that imports the package 40 ms."""
    return (_compiled(_FORMAT_PATTERNS_2, key), _compiled(_FORMAT_PATTERNS_1, key),
            _compiled(_FORMAT_PATTERNS_WILDCARD, key))  # fmt: skip


# scheme://user:password@ in any text: the password goes, the user and the host stay. Matching starts at "://",
# whatever the scheme, so a long text costs linear time.
_URL_PASSWORD = re.compile(r"(://[^\s/?#@:]*:)[^\s/?#]*(@)")


def mask_password(message: object, secret: str = SECRET) -> str:
    """oslo.utils' ``strutils.mask_password``: ``password=...``, ``"token": "..."`` and their kin masked."""
    text = message.decode(errors="ignore") if isinstance(message, bytes) else str(message)
    lowered = text.lower()
    if not _ANY_KEY.search(lowered):  # no key in the text: oslo's loop below would change nothing
        return text
    for key in SANITIZE_KEYS:
        if key in lowered:
            second, first, wildcard = _patterns(key)
            for pattern in second:
                text = pattern.sub(r"\g<1>" + secret + r"\g<2>", text)
            for pattern in first:
                text = pattern.sub(r"\g<1>" + secret, text)
            for pattern in wildcard:
                text = pattern.sub(r"\g<1>", text)
    return text


def mask_dict_password(dictionary: Mapping[Any, Any], secret: str = SECRET) -> dict[Any, Any]:
    """oslo.utils' ``strutils.mask_dict_password``: a key naming a secret has its value masked, texts are masked."""
    out: dict[Any, Any] = {}
    for k, v in dictionary.items():
        if isinstance(v, Mapping):
            out[k] = mask_dict_password(v, secret=secret)
            continue
        if isinstance(k, str) and any(key in k.lower() for key in SANITIZE_KEYS):
            out[k] = secret
        elif isinstance(v, str):
            out[k] = mask_password(v, secret=secret)
        elif isinstance(v, Collection):
            out[k] = _deep_mask(v, secret)
        else:
            out[k] = v
    return out


def _deep_mask(value: object, secret: str) -> object:
    if isinstance(value, Mapping):
        return mask_dict_password(value, secret=secret)
    if isinstance(value, str):
        return mask_password(value, secret=secret)
    if isinstance(value, Collection):
        items = [_deep_mask(v, secret) for v in value]
        return items if isinstance(value, list) else tuple(items)
    return value


def mask_text(text: str) -> str:
    """Free text as it may be written: oslo's masking, then the password of every URL."""
    return _mask_urls(mask_password(text))


def error_text(error: BaseException) -> str:
    """An exception as it may be written: its type and its masked text, whatever its ``__str__`` does (an
    exception of a producer's or a driver's may fail to show itself, or quote a credential)."""
    try:
        text = str(error)
    except Exception:
        text = "<its text cannot be shown>"
    return f"{type(error).__name__}: {mask_text(text)}"


def _mask_urls(text: str) -> str:
    return _URL_PASSWORD.sub(r"\g<1>" + SECRET + r"\g<2>", text) if "://" in text else text


def redact(value: Any) -> Any:
    """A plain JSON value as it may be written: forbidden keys' values marked, secrets masked, URLs' passwords gone.

    ``value`` is plain JSON of bounded depth, as `notify_schemas.wire_form.to_wire` makes it.
    """
    marked = _mark(value)
    masked = mask_dict_password(marked) if isinstance(marked, dict) else _deep_mask(marked, SECRET)
    return _urls(masked)


def _mark(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: MARK if k in FORBIDDEN_KEYS else _mark(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mark(v) for v in value]
    return value


def _urls(value: Any) -> Any:
    if isinstance(value, str):
        return _mask_urls(value)
    if isinstance(value, dict):
        return {k: _urls(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_urls(v) for v in value]
    return value
