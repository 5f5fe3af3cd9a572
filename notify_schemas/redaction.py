"""What may be written about a notification: every value that can hold a credential masked or replaced.

Everything the package writes about a message (log lines, CLI output, reports, exception text, the listener's
``--invalid-out`` file) goes through `redact` or `mask_text` first:

1. the values of ``locations``, ``location``, ``direct_url`` and ``task_input``, at any depth, become `MARK`, as
   keys of a structure and wherever a text writes them (`mark_forbidden`: JSON, escaped JSON, a repr, key=value, an
   XML element, an option, a quoted word, the key's letters or its quotes escaped, a schema validator's words quoting
   the value without its key);
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
import itertools
import re
from collections.abc import Collection, Iterable, Iterator, Mapping
from typing import Any

from notify_schemas.termination import is_stop
from notify_schemas.values import named_repr, one_line

__all__ = [
    "FORBIDDEN_KEYS",
    "MARK",
    "NOTHING_TO_HIDE",
    "SANITIZE_KEYS",
    "SECRET",
    "closed",
    "error_text",
    "folded",
    "forbidden_texts",
    "given_count",
    "given_text",
    "given_texts",
    "hides_a_secret",
    "listed",
    "mark_forbidden",
    "mask_dict_password",
    "mask_password",
    "mask_pointer",
    "mask_quoted",
    "mask_text",
    "mask_texts",
    "mask_transport_text",
    "mask_url",
    "mask_words",
    "may_write_forbidden",
    "names_a_secret",
    "pointer_view",
    "quoted",
    "redact",
    "refused_texts",
    "remember_url",
    "shown",
    "told_apart",
    "traceback_text",
    "type_name",
    "unreadable",
]

SECRET = "***"
MARK = "[redacted: may hold credentials]"

MAX_GIVEN = 1_048_576
"""The most items a list given to a public function holds (texts to mask, words, violations, disabled event
types): one longer than that is no list a caller means, and may never end (``itertools.count()``)."""


def given_text(value: Any, what: str) -> str:
    """``value``, an argument that must be text, as plain text, or a `TypeError` naming ``what``: a str subclass is
    read as the text it holds, since its own methods (``==``, ``lower``, ``replace``) may raise or lie."""
    if type(value) is str:
        return value
    if isinstance(value, str):
        return str.__str__(value)
    raise TypeError(f"{what} must be text, not {quoted(value)}")


def given_count(value: Any, what: str) -> int:
    """``value``, an argument that must be a whole number from 0 (a limit, a size, a count), as a plain ``int``, or a
    `TypeError` (not a whole number: a float, text, a bool) or `ValueError` (below 0) naming ``what``. An int
    subclass is read as the number it holds: its own ``__index__`` or ``__lt__``, which slicing and comparing ask,
    may raise or lie."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{what} must be a whole number, not {quoted(value)}")
    number = int.__index__(value)
    if number < 0:
        raise ValueError(f"{what} must be 0 or more, not {number:,}")
    return number


def listed(value: Any, what: str, most: int = MAX_GIVEN) -> Iterator[tuple[int, Any]]:
    """The items of a list a caller gives (of names, of drivers, of texts), with their index, read one at a time so
    that each can be checked as it comes: an endless iterable (``itertools.count()``) ends at its first wrong item,
    or after ``most`` with a `TypeError` naming ``what``, never read on for ever; an error of the iterable's own
    while it is read is a `TypeError` naming ``what``, its text masked. Text and bytes, which would be read letter by
    letter, and what cannot be iterated are a `TypeError` too."""
    if type(most) is not int:
        most = given_count(most, "most")
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise TypeError(f"{what} must be a list, not {quoted(value)}")
    try:
        for index, item in enumerate(value):
            if index == most:
                raise _TooMany
            yield index, item
    except _TooMany:
        raise TypeError(f"{what} must be a list of at most {most:,} items; it holds more") from None
    except Exception as error:
        raise TypeError(f"{what} must be a list; reading it raised {error_text(error)}") from None


class _TooMany(Exception):
    pass


def given_texts(value: Any, what: str, most: int = MAX_GIVEN) -> list[str]:
    """A list of texts a caller gives, read as `listed` reads it, each item as `given_text` reads it (its error
    naming ``what[index]``)."""
    return [given_text(item, f"{what}[{index}]") for index, item in listed(value, what, most)]


def _str_of(value: Any, what: str) -> str:
    """``str(value)`` as plain text, or a `TypeError` naming ``what`` when the value's own ``__str__`` raises or
    gives no text: the producer's exception, whose text may quote a credential, never passes through."""
    try:
        text = str(value)
    except Exception as error:
        raise TypeError(f"{what} cannot be read as text: str() raised {error_text(error)}") from None
    return text if type(text) is str else str.__str__(text)


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


def _pieces(words: Iterable[str], size: int = 3) -> tuple[str, ...]:
    """Pieces of ``size`` characters, at least one of them in each of ``words``, found greedily (the piece in most
    words first): a text that holds none of them holds none of the words."""
    left, pieces = set(words), []
    while left:
        counts: dict[str, int] = {}
        for word in left:
            for piece in {word[i : i + size] for i in range(max(1, len(word) - size + 1))}:
                counts[piece] = counts.get(piece, 0) + 1
        best = max(sorted(counts), key=counts.__getitem__)
        pieces.append(best)
        left = {word for word in left if best not in word}
    return tuple(pieces)


# Most short texts and keys hold no secret word: one search for nine short pieces rules out all 35 at once. A long
# text is likely to hold a piece (``con`` of ``configdrive``, in ``container_format``) and is tested for each word.
_SECRET_PIECE = re.compile("|".join(map(re.escape, _pieces(SANITIZE_KEYS))))
_SEARCHED = 64


def holds_secret_word(lowered: str) -> bool:
    """Whether a lower-cased text holds one of oslo's secret words (`SANITIZE_KEYS`), as
    ``any(word in lowered for word in SANITIZE_KEYS)`` answers; a short text that holds none in a fraction of its
    time. (What a producer's ``str`` subclass answers to ``lower`` is asked each word, as oslo asks it.)"""
    if type(lowered) is str and len(lowered) <= _SEARCHED and _SECRET_PIECE.search(lowered) is None:
        return False
    return any(word in lowered for word in SANITIZE_KEYS)


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


def _compiled(patterns: list[str], key: str) -> list[re.Pattern[str]]:
    return [re.compile(p % {"key": key}, re.DOTALL | re.IGNORECASE) for p in patterns]


@functools.cache
def _patterns(key: str) -> tuple[list[re.Pattern[str]], ...]:
    """oslo's patterns for one key, compiled when a text first holds it: compiling all of them up front costs every
    process that imports the package 40 ms."""
    return (_compiled(_FORMAT_PATTERNS_2, key), _compiled(_FORMAT_PATTERNS_1, key),
            _compiled(_FORMAT_PATTERNS_WILDCARD, key))  # fmt: skip


# scheme://user:password@host in any text: the password goes, the user and the host stay.
_URL_USER = re.compile(r"://[^\s/?#:]*:")
_RUN = re.compile(r"\S*")
_AUTHORITY_END = re.compile(r"[/?#]")


def mask_password(message: object, secret: str = SECRET) -> str:
    """oslo.utils' ``strutils.mask_password``: ``password=...``, ``"token": "..."`` and their kin masked.

    Any value is masked as its text, ``str(message)``; text and bytes as the text they hold, whatever a subclass's
    own methods say. A ``secret`` that is not text, or a ``message`` whose own ``__str__`` raises, is a `TypeError`
    naming the argument (asked whether it held a backslash, an endless generator given as ``secret`` was read for
    ever, and the producer's exception came out as it was, its text unmasked)."""
    if type(secret) is not str:
        secret = given_text(secret, "secret")
    if type(message) is str:
        text = message
    elif isinstance(message, bytes):
        text = bytes.decode(message, errors="ignore")
    elif isinstance(message, str):
        text = str.__str__(message)
    else:
        text = _str_of(message, "message")
    if _REMEMBERED_LENGTHS[0] <= len(text) <= _REMEMBERED_LENGTHS[1]:
        return _remembered_masking(text, secret)
    return _masked_password(text, secret)


# A long text is masked again and again, as each check of a run, the report and the table show the same answer of
# a producer: the masking of the last few is kept. A text's masking depends on the text and the secret alone.
_REMEMBERED_LENGTHS = (64 * 1024, 16 * 1024 * 1024)


@functools.lru_cache(maxsize=4)
def _remembered_masking(text: str, secret: str) -> str:
    return _masked_password(text, secret)


def _masked_password(text: str, secret: str) -> str:
    lowered = text.lower()
    if not holds_secret_word(lowered):  # none in the text: oslo's loop would change nothing
        return text
    for key in SANITIZE_KEYS:
        if key in lowered:  # as oslo does: the text as masked so far
            masked = _apply(key, text, secret)
            if masked is not text:  # lower-cased again only once changed: 35 times a text's length otherwise
                text, lowered = masked, masked.lower()
    return text


# What a text must hold for each of oslo's patterns to match in it, besides the key: every group of these, each by
# one of its texts (in the order of _FORMAT_PATTERNS_2, then _1, then _WILDCARD). A pattern that cannot match is not
# run: each run reads the whole text, letter by letter, as a pattern that ignores case has no faster search.
_QUOTES = ('"', "'")
_NEEDS_2 = (
    (("=",), _QUOTES), (("=",), ('"',)), (("=",), ("'",)), (_QUOTES,), (("--",),), (("</",),),
    ((":",), _QUOTES), ((":",), _QUOTES), ((",",), ("'",), ("-",)), (("-",),),
)  # fmt: skip
_NEEDS_1 = ((("=",),),)
_NEEDS_WILDCARD = (((":",), _QUOTES),)


def _apply(key: str, text: str, secret: str) -> str:
    """oslo's substitutions of one key, in its order; the text itself (the same object) when none matched. A secret
    with a backslash is a template of its own to oslo's ``sub`` (``\\g<1>``, or ``re.error`` for a bad one, even
    where nothing matches): it is substituted as oslo does, pattern after pattern."""
    second, first, wildcard = _patterns(key)
    if "\\" in secret:
        for pattern in second:
            text = pattern.sub(r"\g<1>" + secret + r"\g<2>", text)
        for pattern in first:
            text = pattern.sub(r"\g<1>" + secret, text)
        for pattern in wildcard:
            text = pattern.sub(r"\g<1>", text)
        return text
    for pattern, needs in zip(second, _NEEDS_2, strict=True):
        if _may_match(text, needs):
            text = _substituted(pattern, text, secret, True)
    for pattern, needs in zip(first, _NEEDS_1, strict=True):
        if _may_match(text, needs):
            text = _substituted(pattern, text, secret, False)
    for pattern, needs in zip(wildcard, _NEEDS_WILDCARD, strict=True):
        if _may_match(text, needs):
            text = _substituted(pattern, text, None, True)
    return text


def _may_match(text: str, needs: tuple[tuple[str, ...], ...]) -> bool:
    return all(any(one in text for one in group) for group in needs)


def _substituted(pattern: re.Pattern[str], text: str, secret: str | None, second: bool) -> str:
    """``pattern.sub`` with oslo's replacement: the first group, then ``secret`` (None: nothing), then the second
    group if ``second``. Split and joined, which runs in C, where Python 3.11's ``sub`` calls back into Python for
    each match of a replacement naming groups (a second a million matches)."""
    pieces: list[str] = pattern.split(text)  # the text between matches, each followed by the match's groups
    if len(pieces) == 1:
        return text
    step = 3 if second else 2
    if secret is None:
        pieces[2::3] = [""] * (len(pieces) // 3)  # the second group goes, as oslo's wildcard replacement drops it
    else:
        pieces[1::step] = [group + secret for group in pieces[1::step]]
    return "".join(pieces)


# The letters whose lower case is not what oslo's patterns, matching without regard to case, take them for: the
# long s (U+017F) and the dotted and dotless i (U+0130, U+0131) match "s" and "i" there, but str.lower() keeps them
# apart, so oslo's test "is the key in the lower-cased text" misses "pa\u017f\u017fword=..." and leaves it in clear.
# The Kelvin sign (U+212A) lower-cases to "k" and needs nothing.
_FOLD = str.maketrans({"\u017f": "s", "\u0130": "i", "\u0131": "i", "\u212a": "k"})
_FOLDED_LETTERS = re.compile("[\u017f\u0130\u0131]")


def folded(text: str) -> str:
    """A text lower-cased as oslo's patterns read it: a key's spellings with the long s or a dotless i fold too.
    `TypeError` for what is not text; a str subclass is read as the text it holds."""
    if type(text) is not str:
        text = given_text(text, "text")
    return text.translate(_FOLD).lower()


def names_a_secret(key: str) -> bool:
    """Whether a key's value is masked: the key holds one of oslo's secret words, whatever its letters' case.
    `TypeError` for a key that is not text."""
    if type(key) is not str:
        key = given_text(key, "key")
    return holds_secret_word(folded(key))


def _mask_folded(text: str) -> str:
    """What oslo's masking misses: a secret word spelled with the long s or a dotless i (D33)."""
    if text.isascii() or _FOLDED_LETTERS.search(text) is None:
        return text
    for key in SANITIZE_KEYS:
        if key in folded(text):
            text = _apply(key, text, SECRET)
    return text


def mask_dict_password(dictionary: Mapping[Any, Any], secret: str = SECRET) -> dict[Any, Any]:
    """oslo.utils' ``strutils.mask_dict_password``: a key naming a secret has its value masked, texts are masked.

    Given anything but a mapping, ``TypeError``, as oslo's raises. oslo's recursion is walked here as a loop, so a
    mapping nested at any depth, given from deep in a caller's stack, gets its masked copy where oslo's raised
    RecursionError (D96); a value that contains itself, which oslo recurses into until then, is ``ValueError``. A
    mapping whose own reading raises (``items``, ``__iter__``, a key's ``lower``) is a `TypeError` naming
    ``dictionary``, its exception's text masked, where oslo's passes the exception out as it is."""
    if not isinstance(dictionary, Mapping):
        raise TypeError(f"Expected a dictionary, got {type(dictionary)} instead.")
    if type(secret) is not str:
        secret = given_text(secret, "secret")
    try:
        return _masked_dict(dictionary, secret)
    except (_HoldsItself, MemoryError):
        raise
    except Exception as error:
        raise unreadable("dictionary", error) from None


def _masked_dict(dictionary: Mapping[Any, Any], secret: str) -> dict[Any, Any]:
    stack = [_Masking(dictionary, None)]
    above = {id(dictionary)}
    while True:
        step = stack[-1]
        for key, value in step.items:
            if isinstance(value, Mapping) or (
                isinstance(value, Collection) and not isinstance(value, str) and not step.secret(key)
            ):
                if id(value) in above:
                    raise _HoldsItself("the value contains itself")
                above.add(id(value))
                stack.append(_Masking(value, key))
                break
            if step.secret(key):
                step.put(key, secret)
            else:
                step.put(key, mask_password(value, secret=secret) if isinstance(value, str) else value)
        else:
            done = stack.pop()
            above.discard(id(done.node))
            if not stack:
                return done.copy  # type: ignore[no-any-return]
            stack[-1].put(done.slot, done.result())


class _Masking:
    """A mapping or a collection that `mask_dict_password` is masking: its items, and the copy they go into."""

    __slots__ = ("copy", "items", "keyed", "node", "slot")

    def __init__(self, node: Any, slot: Any) -> None:
        self.node = node
        self.slot = slot
        """Its key in the mapping that holds it (None in a collection)."""
        self.keyed = isinstance(node, Mapping)
        self.items: Iterator[tuple[Any, Any]] = iter(node.items()) if self.keyed else ((None, v) for v in node)
        self.copy: Any = {} if self.keyed else []

    def secret(self, key: Any) -> bool:
        """Whether a value under ``key`` of this mapping is masked whole (oslo's test: ASCII lower case)."""
        return self.keyed and isinstance(key, str) and holds_secret_word(key.lower())

    def put(self, key: Any, value: Any) -> None:
        if self.keyed:
            self.copy[key] = value
        else:
            self.copy.append(value)

    def result(self) -> Any:
        """The copy, of the kind oslo makes: a mapping's a dict, a list's a list, any other collection's a tuple."""
        return self.copy if self.keyed or isinstance(self.node, list) else tuple(self.copy)


def mask_text(text: str) -> str:
    """Free text as it may be written: the value of each key that must never be written marked (`mark_forbidden`),
    then oslo's masking, what it misses of the secret words' spellings, and the password of every URL. A str
    subclass is read as the text it holds: its own ``lower``, ``in`` or ``replace`` (a producer's, or an
    exception's ``__str__`` giving one) would otherwise answer for the masking, and may say it holds no secret.
    Anything else is a `TypeError` naming its type: asked whether it holds a word, a generator was read for ever, a
    list answered for its items and None failed deep inside."""
    if type(text) is not str:
        if not isinstance(text, str):
            raise TypeError(f"mask_text takes text, not a value of type {type_name(text)}")
        text = str.__str__(text)
    return _mask_urls(_mask_folded(mask_password(mark_forbidden(text))))


# A key that must never be written, as a text writes it before its value (D73): quoted, with the backslashes that
# each level of JSON or repr escaping puts before its quotes (``"locations"``, ``\\"locations\\"``,
# ``'locations'``), or bare and not the end of a longer word nor of a path (``task_input=``, ``location: ``,
# ``\\nlocation: `` after an escaped line break; a JSON pointer ``/payload/locations: ...`` is followed by what is
# said of it, not by its value), then ``:``, ``=`` or ``=>``; or as an XML element's opening tag (``<location>``,
# ``<location href="...">``, its brackets escaped as JSON (``\\u003c``) or XML (``&lt;``) writes them). Its letters
# are taken as the structure's marking takes them: exactly these (``Locations`` is another key, there as here),
# each one as it is or escaped as a JSON text or a Python literal spells it (``\\u006c``, ``\\x6C``,
# ``\\U0000006c``), with the backslashes of any depth of escaping, which a reader of the text decodes to the key.


def _spelled(word: str) -> str:
    """A regex of ``word`` with any of its letters written as an escape (`_forbidden_key`)."""
    letters = []
    for letter in word:
        code = f"{ord(letter):02x}"
        high, low = code[0], code[1]
        code = f"{high}[{low}{low.upper()}]" if low.isalpha() else f"{high}{low}"
        letters.append(f"(?:{letter}|\\\\+(?:x|u00|U000000){code})")
    return "".join(letters)


# An escape that may spell a letter of the keys (a-z, ``_``): a text with none, and none of the keys' words, holds
# none of the keys. Searched only in a text with a backslash.
_ESCAPED_LETTER = re.compile(r"\\(?:x|u00|U000000)(?:[67][0-9a-fA-F]|5[fF])")

_KEY_NAMES = "|".join(_spelled(key) for key in sorted(FORBIDDEN_KEYS, key=len, reverse=True))
_TAG_OPEN = r"(?:<|\\+u003[cC]|(?:&|\\+u0026)(?:amp;)*lt;)"
_TAG_CLOSE = r"(?:>|\\+u003[eE]|(?:&|\\+u0026)(?:amp;)*gt;)"
# What may follow an element's name in its opening tag: its attributes, which start with a space, or the tag's end.
# Where the tag ends is found apart (`_TagEnds`): a regex that read the attributes as a lazy run up to the closing
# bracket ran to the end of the text again for each opening tag that no bracket closes, quadratic in their number.
_TAG_NAME_END = rf"(?=\s|\\+[nrt]|\\*/|{_TAG_CLOSE})"
_TAG_END = re.compile(rf"(?P<slash>\\*/)?(?P<close>{_TAG_CLOSE})|<")
_ATTRIBUTES = re.compile(r"\s|\\+[nrt]")
# A quote spelled as an escape, as a reader of the text decodes it to ``"`` or ``'``: JSON's ``\\u0022``, a Python
# literal's ``\\x27``, at any depth of escaping; XML's ``&quot;``, ``&#34;``, ``&#x27;``, ``&apos;``, escaped again as
# XML writes a ``&`` (``&amp;quot;``) or HTML-safe JSON does (``\\u0026quot;``), or after the backslashes of a repr's
# or JSON's escaping (``\\&#39;``: ``\\'`` written as XML).
_QUOTE_ESCAPE = (
    r"\\+(?:x|u00|U000000)2[27]"
    r"|(?:\\*&|\\+u0026)(?:amp;)*(?:quot|apos|#0*3[49]|#[xX]0*2[27]);"
)
_QUOTE_ESCAPES = re.compile(_QUOTE_ESCAPE)
_BARE = r"(?:(?<![\w/])|(?<=\\[nrtfbv])|(?<=\\x[0-9a-fA-F]{2})|(?<=\\u[0-9a-fA-F]{4}))"
# One index of python-jsonschema's "On instance[...]" path, as it writes each: the repr of a key or of an item's number.
# Read exactly, not as any run up to a ``]``: such a run went past the next "On instance[" in a text holding many, and
# each was then read to the text's end (quadratic time).
_INDEX = r"""\[(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|-?\d+)\]"""
_FORBIDDEN_KEY_PATTERN = (
    rf"(?<!\\)(?P<esc>\\*)(?P<q>[\"'])(?:{_KEY_NAMES})(?P=esc)(?P=q)\s*(?::|=>?)\s*"
    rf"|(?P<tq>{_QUOTE_ESCAPE})(?P<tdash>--)?(?:{_KEY_NAMES})(?P=tq)"
    rf"(?(tdash)\s*,\s*(?=[bBuU]?\\*[\"']|{_QUOTE_ESCAPE})|\s*(?::|=>?)\s*)"
    rf"|(?<!\\)(?P<aesc>\\*)(?P<aq>[\"'])--(?:{_KEY_NAMES})(?P=aesc)(?P=aq)\s*,\s*(?=[bBuU]?\\*[\"']|{_QUOTE_ESCAPE})"
    rf"|(?P<tag>{_TAG_OPEN})(?P<name>{_KEY_NAMES}){_TAG_NAME_END}"
    rf"|(?P<option>--)?{_BARE}(?:{_KEY_NAMES})(?P<spaced>\s+)(?(option)(?=\S)|(?=\\*[\"']|{_QUOTE_ESCAPE}))"
    rf"|{_BARE}(?:{_KEY_NAMES})\s*(?::|=>?)[ \t]*"
    rf"|(?P<unkeyed>False schema does not allow "
    rf"|On instance(?:{_INDEX})*?\[(?P<iq>['\"])(?:{_KEY_NAMES})(?P=iq)\](?:{_INDEX})*:\s*)"
)


@functools.cache
def _forbidden_key() -> re.Pattern[str]:
    """Where a forbidden key is written, compiled when a text first may hold one: compiling it costs every process
    that imports the package 15 ms, and most never mask a text."""
    return re.compile(_FORBIDDEN_KEY_PATTERN)


# After a quoted key, a value that says where it ends: a quoted text (``b'...'`` as repr writes bytes), an object,
# array or call (``{...}``, ``[...]``, ``OrderedDict([...])``), a JSON or Python literal; each only where what follows
# it ends a value in JSON or a repr (``,``, ``;``, ``&``, a closing bracket, the end of the text).
_QUOTED_VALUE = re.compile(r"[bBuU]?(\\*)([\"'])")
_BRACKETED_VALUE = re.compile(r"[\w.]*[\[{(]")
_LITERAL = re.compile(r"(?:null|None|true|false|True|False|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)")
_AFTER_VALUE = re.compile(r"\s*(?:[,;&)\]}]|\Z)")
_IN_BRACKETS = re.compile(r"[\[\]{}()\"']")
_OPENERS, _CLOSERS = "[{(", "]})"


def mark_forbidden(text: str) -> str:
    """``text`` with the value of each ``locations``, ``location``, ``direct_url`` and ``task_input`` it writes
    replaced by `MARK`, as `redact` replaces it in a structure: in JSON, JSON escaped inside JSON at any depth, a
    Python repr, ``key=value``, ``key: value``, an XML element, an option (``--location ...``, in an argument list
    too) and a quoted word (``location "..."``), the key's letters and its quotes written as they are or escaped;
    and the value python-jsonschema and jsonschema-rs quote without its key when a ``false`` schema, which the
    schemas give only these keys, refuses it (``False schema does not allow [{'url': ...}]``).

    A value is withheld up to where it provably ends. After a quoted key (JSON, a repr), that is: a quoted text at
    its closing quote (one with as many backslashes before it as its opening quote has: a quote escaped once more is
    part of it, and one with fewer closes the text around it, where it ends too), an object, array or call where its
    brackets close, a literal; each followed by what ends a value there. An element's value, its attributes and
    content, ends where its own closing tag does. After a bare key (``key=value``, ``key: value``: free text, in
    which a value may hold anything) and wherever the reading is in doubt (a run of backslashes that no escaping
    explains, brackets or an element that do not close, a value that more of a word follows), the rest of the text
    is withheld. A text that holds none of the four words, no escape of a letter and no ``False schema`` costs five
    substring tests. `TypeError` for what is not text; a str subclass is read as the text it holds."""
    if type(text) is not str:
        text = given_text(text, "text")
    if not may_write_forbidden(text):
        return text
    out: list[str] = []
    done = search = 0
    tags = _TagEnds(text)
    forbidden_key = _forbidden_key()
    while (found := forbidden_key.search(text, search)) is not None:
        if found["tag"] is not None and tags.rest(found.end("name")) is None:
            search = found.start() + 1  # no opening tag: its name may be a key written otherwise
            continue
        withheld = _withheld(text, found, tags)
        if withheld is None:  # nothing follows the key
            search = found.end()
            continue
        start, end, mark = withheld
        out += [text[done:start], mark]
        done = search = end
    return "".join(out) + text[done:] if out else text


def may_write_forbidden(text: str) -> bool:
    """Whether `mark_forbidden` may change ``text``: it holds one of the four words, ``False schema``, or an escape
    that may spell a letter of the keys. Five substring tests for a text with none. Every shortcut past the masking
    asks this very test (a JSON pointer, whose keys are written as they are; the JSON text of a message, which
    writes a key's letters as they are and a backslash doubled, an escape still found): one that asked fewer showed
    what the masking would have withheld (``task\\u005finput=...``, ``False schema does not allow ...``).
    `TypeError` for what is not text."""
    if type(text) is not str:
        text = given_text(text, "text")
    return (
        "location" in text
        or "direct_url" in text
        or "task_input" in text
        or "False schema" in text
        or ("\\" in text and _ESCAPED_LETTER.search(text) is not None)  # an escape that may spell a key's letter
    )


def _withheld(text: str, key: re.Match[str], tags: _TagEnds) -> tuple[int, int, str] | None:
    """Where the value after ``key`` starts and ends in ``text`` (`mark_forbidden`), and what is written in its
    place: `MARK`, quoted as the value or the key was; None when no value follows a bare key or an element's tag."""
    if key["tag"] is not None:
        return _element_withheld(text, key, tags)
    at = key.end()
    if key["tq"] is not None:
        return _escaped_quote_withheld(text, at, key["tq"], _AFTER_VALUE)
    if key["spaced"] is not None:
        return _spaced_withheld(text, at)
    # python-jsonschema quotes the value as repr does; an option in a command's argument list, as the next argument
    quote = key["q"] or key["aq"] or ("'" if key["unkeyed"] is not None else "")
    if not quote:  # key=value, key: value: free text, where nothing says where a value ends
        return (at, len(text), MARK) if text[at:].strip() else None
    escape = key["esc"] or key["aesc"] or ""
    level = len(escape)
    mark = f"{escape}{quote}{MARK}{escape}{quote}"
    end: int | None = None
    if (opening := _QUOTED_VALUE.match(text, at)) is not None:
        level = len(opening[1])
        string = _string_end(text, opening.end(), level, opening[2])
        end = None if string is None else string[0]
        mark = f"{opening[1]}{opening[2]}{MARK}{opening[1]}{opening[2]}"
    elif (opening := _BRACKETED_VALUE.match(text, at)) is not None:
        end = _brackets_end(text, opening.end(), quote, level)
        if end is not None and _QUOTE_ESCAPES.search(text, at, end) is not None:
            end = None  # a text inside quoted with escapes (\u0022C'\u0022), whose quotes the reading took for none
    elif (literal := _LITERAL.match(text, at)) is not None:
        end = literal.end()
    return (at, end, mark) if end is not None and _ends_there(text, end, level) else (at, len(text), mark)


def _escaped_quote_withheld(text: str, at: int, quote: str, after: re.Pattern[str]) -> tuple[int, int, str]:
    """What follows a key quoted with ``quote``, a quote spelled as an escape (``\\u0022locations\\u0022: ``):
    a text quoted the same way, up to the next ``quote`` spelled alike (not one escaped further), or a literal, each
    where ``after`` says a value ends; anything else (an object, an array, a value quoted otherwise, whose quotes a
    reading would have to decode) is in doubt, and the rest of the text is withheld."""
    mark = f"{quote}{MARK}{quote}"
    end: int | None = None
    if text.startswith(quote, at):
        close = text.find(quote, at + len(quote))
        end = close + len(quote) if close >= 0 and not text.endswith("\\", 0, close) else None
    elif (literal := _LITERAL.match(text, at)) is not None:
        end = literal.end()
    return (at, end, mark) if end is not None and after.match(text, end) else (at, len(text), mark)


# After a key that words write before a quoted value (``location "swift://..."``), what ends the value: a space, as in
# free text, or what ends one in JSON or a repr.
_AFTER_WORD = re.compile(r"\s|[,;&)\]}]|\Z")
_SPACED_QUOTE = re.compile(rf"(\\*)([\"'])|(?P<token>{_QUOTE_ESCAPE})")


def _spaced_withheld(text: str, at: int) -> tuple[int, int, str] | None:
    """What follows a bare key and a space, the shapes oslo's patterns read a secret word in besides ``key=value``:
    a quoted word (``location "..."``, ``location '...'``, its quotes escaped at any depth or spelled as escapes),
    withheld up to its closing quote where a space or what ends a value follows; after an option
    (``--location swift://...``), whatever follows, to the end of the text, since an option's value may hold spaces
    a command line quoted; None when nothing follows."""
    if (opening := _SPACED_QUOTE.match(text, at)) is None:
        return (at, len(text), MARK) if text[at:].strip() else None
    if opening["token"] is not None:
        return _escaped_quote_withheld(text, at, opening["token"], _AFTER_WORD)
    escape, quote = opening[1], opening[2]
    level = len(escape)
    mark = f"{escape}{quote}{MARK}{escape}{quote}"
    string = _string_end(text, opening.end(), level, quote)
    if string is not None and (_AFTER_WORD.match(text, string[0]) or _ends_there(text, string[0], level)):
        return at, string[0], mark
    return at, len(text), mark


class _TagEnds:
    """Where the opening tags of one text end: each search for a closing bracket is made once, and answers for every
    tag before the bracket it finds (or, finding none, for every tag after it), so that a text of many opening tags
    and no bracket is read once, not once per tag."""

    __slots__ = ("_found", "_since", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._since = -1
        self._found: re.Match[str] | None = None

    def rest(self, at: int) -> tuple[int, str | None, str, int] | None:
        """The opening tag whose name ends at ``at``, as a regex reads it that takes its attributes to be a run from a
        space to its first closing bracket (a slash before it part of the bracket), holding no ``<`` nor ``>``: where
        the attributes end, the slash, the bracket, where the tag ends; None when no bracket closes it there."""
        found = self._found
        if self._since < 0 or at < self._since or (found is not None and at > found.start()):
            found = self._found = _TAG_END.search(self.text, at)  # nothing matches between _since and found
            self._since = at
        if found is None or found["close"] is None:  # no bracket, or a "<" comes first
            return None
        if found.start() > at and not _ATTRIBUTES.match(self.text, at):
            return None
        return found.start(), found["slash"], found["close"], found.end()


def _element_withheld(text: str, tag: re.Match[str], tags: _TagEnds) -> tuple[int, int, str] | None:
    """What of an element whose opening tag is ``tag`` is withheld (`_withheld`): its content up to its own closing
    tag (elements of its name inside it counted), or to the end of the text when none closes it, and its
    attributes, which may hold the value too (``<location href="swift://...">``). The tag is written without them:
    ``<location>[redacted: may hold credentials]</location>``, its brackets spelled as the text spells them."""
    named = tag.end("name")
    rest = tags.rest(named)
    if rest is None:  # mark_forbidden asked already
        return None
    attributes_end, slash, bracket, opened = rest
    attributes = bool(text[named:attributes_end].strip())
    start = named if attributes else opened
    if slash is not None:  # <location/>: no content
        return (start, opened, f" {MARK}{slash}{bracket}") if attributes else None
    end = _element_end(text, opened, _unescaped_name(tag["name"]), tags)
    if end is None and not attributes and not text[opened:].strip():
        return None
    return start, len(text) if end is None else end, f"{bracket}{MARK}" if attributes else MARK


def _element_end(text: str, at: int, name: str, tags: _TagEnds) -> int | None:
    """Where the content of an element named ``name`` that starts at ``at`` ends: at the closing tag that closes it,
    the elements of its name inside it closed first; None when none does."""
    depth = 1
    named = _tags(name)
    while (tag := named.search(text, at)) is not None:
        if tag["closing"] is not None:
            depth -= 1
            if depth == 0:
                return tag.start()
            at = tag.end()
            continue
        rest = tags.rest(tag.end())
        if rest is None:  # no opening tag there
            at = tag.start() + 1
            continue
        if rest[1] is None:  # not <location/>
            depth += 1
        at = rest[3]
    return None


_ESCAPE_OF_LETTER = re.compile(r"\\+(?:x|u00|U000000)([0-9a-fA-F]{2})")


def _unescaped_name(name: str) -> str:
    """A key as `_forbidden_key` found it, its escaped letters read."""
    return _ESCAPE_OF_LETTER.sub(lambda escape: chr(int(escape[1], 16)), name) if "\\" in name else name


@functools.cache
def _tags(name: str) -> re.Pattern[str]:
    """The opening and closing tags of the elements named ``name``, its letters written as `_forbidden_key` reads
    them."""
    spelled = _spelled(name)
    return re.compile(rf"{_TAG_OPEN}(?:(?P<closing>\\*/){spelled}\s*{_TAG_CLOSE}|{spelled}{_TAG_NAME_END})")


def _ends_there(text: str, end: int, level: int) -> bool:
    """Whether a value read up to ``end`` ends there: what follows ends a value (`_AFTER_VALUE`), or is a quote
    with fewer backslashes than ``level``, which closes the text the value is written in."""
    if _AFTER_VALUE.match(text, end):
        return True
    head = text[end : end + level]
    run = len(head) - len(head.lstrip("\\"))
    return run < level and text.startswith(("'", '"'), end + run)


def _backslashes(text: str, at: int, since: int) -> int:
    """How many backslashes stand right before ``at``, none before ``since`` counted."""
    count = 0
    while at - count > since and text[at - count - 1] == "\\":
        count += 1
    return count


def _string_end(text: str, at: int, level: int, quote: str, known: bool = True) -> tuple[int, bool] | None:
    """Where a quoted text that starts at ``at`` ends, and whether its own quote closes it: after its closing quote,
    the one with ``level`` backslashes before it, or (``known``: what escaped that quote ``level`` times escaped each
    of its own) before a quote with fewer, which closes the text around it. A quote escaped once more
    (``2 * level + 1`` backslashes) is part of it; any other run of backslashes before a quote (``\\\\"``: a
    backslash that ends the text, in JSON, or a quote in it, in JSON as repr quotes it) no one reading explains:
    None, as for a text that never closes."""
    while (found := text.find(quote, at)) >= 0:
        run = _backslashes(text, found, at)
        if run == level:
            return found + 1, True
        if run < level and known:
            return found - run, False
        if run != 2 * level + 1:
            return None
        at = found + 1
    return None


def _brackets_end(text: str, at: int, quote: str, level: int) -> int | None:
    """Where an object, array or call whose first bracket ends at ``at`` ends: after the bracket that closes it,
    brackets inside its quoted texts not counted; None when no reading says (`_string_end`).

    A text inside is quoted with ``quote`` and ``level`` backslashes before it, as the key was; the other quote, as
    a JSON text or a repr that escapes only one kind of quote writes it, is read with as many as it first has. A
    ``quote`` with fewer closes the text around the value, where it ends too."""
    levels = {quote: level}
    depth = 1
    while (found := _IN_BRACKETS.search(text, at)) is not None:
        char, at = found[0], found.end()
        if char in _OPENERS:
            depth += 1
        elif char in _CLOSERS:
            depth -= 1
            if depth == 0:
                return at
        else:
            run = _backslashes(text, found.start(), 0)
            own = levels.setdefault(char, run)
            if run != own:
                return found.start() - run if char == quote and run < own else None
            string = _string_end(text, at, own, char, known=char == quote)
            if string is None or not string[1]:  # no reading, or the text around the value closed inside it
                return None if string is None else string[0]
            at = string[0]
    return None


_RUN_ON = ": x"
"""What `closed` writes after a text to see whether a masking of the two reads it as the rest of a masked value: a
colon and a word, which a text ending in ``password=***``, or in a key that must never be written, takes for the
value."""


def closed(text: str) -> str:
    """``text`` as it may be written (masked), closed so that what is written right after it is not read as part of
    it: quoted with ``repr`` when it ends in a masked value, as it is otherwise.

    Everything written is masked again as a whole (a report, an error line), and oslo's pattern takes a value up to a
    space or a quote: ``?password=***`` followed by ``: no such option`` reads as the value ``***:``, so the colon
    went (``?password=*** no such option``). That masking is oslo's own and stays, as strong as oslo's (in text no
    one masked yet the colon may be part of the password); what is written after a masked value is kept apart from it
    instead: ``'rabbit://h/?password=***': no such option``. So is what follows a key that must never be written
    (``... task_input``, whose value `mark_forbidden` would take to be the rest of the text)."""
    probe = text + _RUN_ON
    return text if mask_text(probe).endswith(_RUN_ON) else repr(text)


def mask_url(url: str) -> str:
    """A transport URL as it may be written: masked as `mask_text` masks text, and one written without ``//``
    (``u:SECRET@host``: a user who left out ``rabbit://``, which no reader takes for a URL) with what lies between
    its first ``:`` and its last ``@`` masked, for that may be a password all the same."""
    masked = _mask_query(mask_text(url))
    bare = _bare_password(masked)
    return masked if bare is None else f"{masked[: bare[0]]}{SECRET}{masked[bare[1] :]}"


def _mask_query(url: str) -> str:
    """A transport URL with the value of each query option whose name, as oslo.messaging reads it (percent-decoded,
    ``+`` a space), names a secret masked whole: oslo's patterns match neither ``?pass%77ord=...`` nor what of a
    value follows a space or a quote (``?ssl_client_key_password=a b``), and oslo.messaging reads both."""
    from urllib.parse import unquote_plus

    base, mark, query = url.partition("?")
    if not mark:
        return url
    options = query.split("&")
    for index, option in enumerate(options):
        name, equals, _ = option.partition("=")
        if equals and names_a_secret(unquote_plus(name)):
            options[index] = f"{name}={SECRET}"
    return f"{base}?{'&'.join(options)}"


def _bare_password(url: str) -> tuple[int, int] | None:
    """Where the password of a URL written without ``//`` may be: between its first ``:`` and its last ``@``."""
    colon, at = url.find(":"), url.rfind("@")
    return (colon + 1, at) if "//" not in url and 0 <= colon < at else None


def mask_transport_text(text: str) -> str:
    """What a messaging library says (an error, a log line) as it may be written: masked as `mask_text` masks text,
    any quoted text that is part of the password of a transport URL in use (`remember_url`) masked too, and that
    password wherever the text holds it whole."""
    return _mask_whole(_mask_remembered(mask_text(text)))


_remembered: tuple[str, ...] = ()  # each spelling of the password of every transport URL the process uses
_whole: tuple[str, ...] = ()  # those spellings, as they are and as repr escapes them, masked wherever they are
_SHORTEST_WHOLE = 4  # characters: a shorter password is masked where a text quotes it, not in every word it is in
_QUOTED = re.compile(r"'([^'\n]+)'|\"([^\"\n]+)\"")
# A text as Python's repr quotes it: a backslash, the quote itself and what is not printable escaped.
_REPR_QUOTED = re.compile(r"'((?:[^'\\\n]|\\.)+)'|\"((?:[^\"\\\n]|\\.)+)\"")
_REPR_ESCAPE = re.compile(r"\\(x[0-9a-f]{2}|u[0-9a-f]{4}|U[0-9a-f]{8}|.)")
_REPR_LETTERS = {"n": "\n", "r": "\r", "t": "\t"}


def _unescaped(escape: re.Match[str]) -> str:
    """One escape that ``repr`` writes, read back: ``\\xNN``, ``\\uNNNN``, ``\\UNNNNNNNN``, ``\\n``, ``\\r``,
    ``\\t``, or a backslash before the character it stands for (``\\\\``, ``\\'``)."""
    code = escape[1]
    if len(code) > 1:
        return chr(min(int(code[1:], 16), 0x10FFFF))
    return _REPR_LETTERS.get(code, code)


def remember_url(url: str) -> None:
    """From now on, have `mask_transport_text` mask the password of ``url`` wherever a text holds it whole, and what
    a text quotes of it in part, in any spelling.

    The libraries that read a transport URL quote what they could not read, and that may be a piece of the password
    without the rest of the URL around it, where `_mask_urls` cannot see it: oslo.messaging reads a password holding
    ``/``, ``?``, ``#`` or ``,`` as the end of the host (``invalid literal for int() with base 10: 'SECRET'``), and
    hands kombu the password with every ``/`` unquoted, which kombu reads as the end of the host again (``Port could
    not be cast to integer value as 'SECRET'``), percent-encoded. So any quoted text that is part of a spelling of
    the password (as given, decoded, and encoded as oslo and as a user encodes it) is masked. A library may quote more
    than the password, too (`_mask_whole`), so a password of four characters or more is masked wherever it is, even
    in a user name that is the same word. `TypeError` for a ``url`` that is not text."""
    from urllib.parse import quote, unquote

    if type(url) is not str:
        url = given_text(url, "url")
    global _remembered, _whole
    spellings = set(_remembered)
    bare = _bare_password(url)
    for password in [url[bare[0] : bare[1]]] if bare else _url_passwords(url):
        plain = unquote(password)
        spellings |= {password, plain, quote(plain), quote(plain, safe="")}
    _remembered = tuple(spellings - {""})  # replaced whole: threads read it as it is
    whole = {spelling for spelling in spellings if len(spelling) >= _SHORTEST_WHOLE}
    # As repr writes it, in a text that holds one kind of quote and in one that holds both, where it escapes ' (the
    # quotes added to make it so come out as \'" before the closing quote: four characters to take off).
    escaped = {repr(spelling)[1:-1] for spelling in whole} | {repr(spelling + "'\"")[1:-4] for spelling in whole}
    _whole = tuple(sorted(whole | escaped, key=len, reverse=True))


def _url_passwords(text: str) -> Iterator[str]:
    """What `_mask_urls` masks in ``text``: each URL's password (`_password_spans`)."""
    for start, at in _password_spans(text):
        yield text[start:at]


def _password_spans(text: str) -> Iterator[tuple[int, int]]:
    """Where each URL's password is in ``text``: from the colon after its user up to the last ``@`` of its run (a
    password may hold ``/``, ``?``, ``#`` or ``@``) or of its authority as ``urlsplit`` reads it (everything up to
    the first ``/``, ``?`` or ``#``), whichever comes later. oslo.messaging reads ``rabbit://u:a b@h/`` as the
    password ``a b``, and a configuration file's continuation line puts a line break in it: a space does not end a
    password. One pass: a run without ``@`` is not read again for a later ``://`` in it, and an authority holds
    none (``://`` has a ``/``)."""
    search = 0
    while (found := _URL_USER.search(text, search)) is not None:
        start = found.end()
        end = _RUN.match(text, start).end()  # type: ignore[union-attr]
        authority = _AUTHORITY_END.search(text, start)
        at = max(text.rfind("@", start, end), text.rfind("@", start, authority.start() if authority else len(text)))
        if at >= 0:
            yield start, at
        search = max(end, at)


def _mask_whole(text: str) -> str:
    """``text`` with each remembered password it holds whole masked, quoted or not, inside a longer quote or not: a
    library may quote more than the password (ipaddress's ``'u:SECRET@h' does not appear to be an IPv4 or IPv6
    address`` for ``rabbit://[u:SECRET@h]:1/``, where the brackets hold the user and the password too)."""
    for spelling in _whole:
        if spelling in text:
            text = text.replace(spelling, SECRET)
    return text


def _mask_remembered(text: str) -> str:
    """``text`` with each quoted piece of a remembered password masked: as it is, and as ``repr`` quotes it (the
    libraries quote with ``%r``, which writes a password holding a backslash, both kinds of quote or a character that
    is not printable with escapes: ``'CAN\\\\ARY'``, ``'CAN\\'AR"Y'``, ``'CAN\\u200bARY'``)."""
    spellings = _remembered
    if not spellings or ("'" not in text and '"' not in text):
        return text

    def secret(inner: str) -> bool:
        return any(inner in s for s in spellings)

    def escaped(quoted: re.Match[str]) -> str:
        inner = quoted[1] or quoted[2]
        if "\\" not in inner or not secret(_REPR_ESCAPE.sub(_unescaped, inner)):
            return quoted[0]
        return f"{quoted[0][0]}{SECRET}{quoted[0][0]}"

    def piece(quoted: re.Match[str]) -> str:
        inner = quoted[1] or quoted[2]
        return quoted[0].replace(inner, SECRET) if secret(inner) else quoted[0]

    if "\\" in text:
        text = _REPR_QUOTED.sub(escaped, text)
    return _QUOTED.sub(piece, text)


def error_text(error: BaseException, message: Any = None) -> str:
    """An exception as it may be written: its type and its masked text, whatever its ``__str__`` does (an
    exception of a producer's or a driver's may fail to show itself, or quote a credential). Given the ``message``
    it was raised for, each text the message holds under a key that must never be written (`forbidden_texts`) is
    replaced by `MARK` wherever the exception quotes it, and so is each text of the value a schema validator's error
    was raised for under such a key (`refused_texts`)."""
    try:
        said = str(error)  # a str subclass's own methods are not asked as its text is masked
        said = str.__str__(said) if isinstance(said, str) else said
        text = _args_masked(error, mask_texts(said, forbidden_texts(message) + refused_texts(error)))
    except BaseException as failed:  # a producer's __str__ may raise anything, SystemExit and GeneratorExit included
        if is_stop(failed):  # Ctrl-C and SIGTERM end the run wherever they land
            raise
        text = "<its text cannot be shown>"
    said = _mask_escaped(mask_text(text))
    # On one line, once masked: an error's text may hold line breaks (a driver's "failed\npassword = x"), and a log
    # line that spans several reads as several lines, each of them one that no one logged.
    said = " ".join(said.splitlines())
    return _writable(f"{type_name(error)}: {said}" if said.strip() else type_name(error))


def traceback_text(error: BaseException, message: Any = None) -> str:
    """An exception's traceback as it may be written, masked as `error_text` masks its text; `error_text` and a word
    that it cannot be shown when the exception fails as its traceback is read (a ``__notes__``, ``__cause__``,
    ``__context__`` or ``__traceback__`` of a driver's own that raises), whatever it raises: the caller is logging a
    failure, and must go on to the next driver."""
    import traceback  # on first use: only a failing driver needs it

    try:
        written = "".join(traceback.format_exception(error))
    except BaseException as failed:
        if is_stop(failed):  # Ctrl-C and SIGTERM end the run wherever they land
            raise
        return f"{error_text(error, message)} (its traceback cannot be shown: {type_name(failed)})"
    try:
        forbidden = forbidden_texts(message)
    except TypeError:  # a message that cannot be read: what the traceback quotes of it cannot be told apart
        return f"{error_text(error)} (its traceback cannot be shown: the message cannot be read)"
    text = mask_texts(written, forbidden + refused_texts(error))
    return _writable(_mask_escaped(mask_text(_args_masked(error, text))))


_FORBIDDEN_TEXTS = 10_000  # texts gathered at most: a message's own size bounds them anyway
_SHORTEST_FORBIDDEN = 4  # characters: a shorter text is masked nowhere (it would garble the text, and hides nothing)


def forbidden_texts(message: Any) -> tuple[str, ...]:
    """Every text that plain JSON ``message`` holds under a key that must never be written (`FORBIDDEN_KEYS`), at
    any depth, keys within included, in each spelling that a text quoting the message gives it (as it is, as
    ``repr`` and as JSON escape it, and as ``repr`` quotes its JSON), longest first.

    A driver's exception may quote the message it could not send (``f"cannot send {message!r}"``), and in warn or
    off mode that message may hold ``locations`` or ``task_input``: no masking of text knows their values.

    A dict or list subclass whose own reading raises is a `TypeError` naming ``message``, its text masked."""
    try:
        return _forbidden_texts(message)
    except Exception as error:
        raise unreadable("message", error) from None


def _forbidden_texts(message: Any) -> tuple[str, ...]:
    import json

    found: set[str] = set()
    stack: list[tuple[Any, bool]] = [(message, False)]
    while stack and len(found) < _FORBIDDEN_TEXTS:
        node, under = stack.pop()
        if isinstance(node, str):
            if under and len(node) >= _SHORTEST_FORBIDDEN:
                as_json = json.dumps(node)
                found |= {node, repr(node)[1:-1], as_json[1:-1], json.dumps(node, ensure_ascii=False)[1:-1],
                          repr(as_json)[2:-2]}  # fmt: skip
        elif isinstance(node, dict):
            for key, value in node.items():
                stack += [(key, under), (value, under or key in FORBIDDEN_KEYS)]
        elif isinstance(node, list | tuple):
            stack += [(item, under) for item in node]
    return tuple(sorted(found, key=len, reverse=True))


def refused_texts(error: BaseException) -> tuple[str, ...]:
    """The texts of the value a schema validator's error (python-jsonschema's or jsonschema-rs's, read by their
    attributes, neither imported) was raised for, in each spelling `forbidden_texts` gives, when that value is under
    a key that must never be written or a ``false`` schema refused it; none for any other exception.

    Such an error quotes the value without its key ("'swift://...' is not of type 'integer'", "False schema does
    not allow [...]"), where no masking of text can tell it from any other value: a producer's own validation may
    raise one, and its text is shown as the producer's failure."""
    try:
        if not hasattr(error, "instance"):
            return ()
        path = getattr(error, "absolute_path", None) or getattr(error, "instance_path", None) or ()
        refused = (
            getattr(error, "schema", None) is False or "FalseSchema" in type(getattr(error, "kind", None)).__name__
        )
        if refused or any(isinstance(key, str) and key in FORBIDDEN_KEYS for key in list(path)):
            return forbidden_texts({"locations": error.instance})
    except Exception:  # a producer's exception may fail when asked its attributes
        pass
    return ()


def mask_texts(text: str, texts: Iterable[str]) -> str:
    """``text`` with each of ``texts`` it holds replaced by `MARK`; a `TypeError` naming the argument for one that
    is not text, or not a list of texts (read as `given_texts` reads it)."""
    text = given_text(text, "text")
    for found in given_texts(texts, "texts"):
        if found in text:
            text = text.replace(found, MARK)
    return text


_ESCAPED_QUOTE = re.compile(r"\\+(['\"])")
# The letters oslo's patterns read as ASCII ones, as JSON (ensure_ascii) and repr escape them: "pa\u017f\u017fword".
_ESCAPED_FOLDED = re.compile(r"\\+u(017[fF]|013[01]|212[aA])")


def _mask_escaped(text: str) -> str:
    """``text`` masked once more with every quote that ``repr`` escaped read as a quote, when that masks more.

    An exception's text may quote a value of its own with ``repr`` (``f"cannot send {message!r}"``, a dict whose
    repr holds a text's repr), which writes a text that holds both kinds of quote with ``\\'``, at any depth
    (``\\\\\\'`` in a repr of a repr): ``'admin_password': 'secret'`` inside it then reads as no key and value
    to the masking. Its own arguments are masked before they are quoted (`_args_masked`); what else it quotes can
    only be read back so. So is a secret word spelled with a letter that JSON writes as its escape (a driver's
    ``json.dumps(message)``: ``"pa\\u017f\\u017fword": "..."``), which the masking reads as no word."""
    if "\\" not in text:
        return text
    unescaped = _ESCAPED_FOLDED.sub(lambda m: chr(int(m[1], 16)), _ESCAPED_QUOTE.sub(r"\1", text))
    masked = mask_text(unescaped)
    return masked if masked != unescaped else text


def _writable(text: str) -> str:
    """Text that any log handler can write: a lone surrogate, which UTF-8 cannot carry, shown as its escape. A
    handler that fails to write a record loses it, and prints the exception being handled, unmasked, to stderr."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def _args_masked(error: BaseException, text: str) -> str:
    """``text`` with each argument of ``error`` (and of the exceptions it was raised from) that it quotes with
    ``repr`` masked first: a KeyError's, or one of several, has its quotes escaped there, which keeps the masking
    from matching (``'admin_password': '...'`` written as ``\\'admin_password\\': \\'...\\'``)."""
    seen = 0
    cause: BaseException | None = error
    while cause is not None and seen < 8:
        try:  # a producer's or a driver's exception may fail when asked its args
            text = mask_quoted(text, cause.args)
            cause, seen = cause.__cause__ or cause.__context__, seen + 1
        except Exception:
            break
    return text


def mask_quoted(text: str, strings: Iterable[Any]) -> str:
    """``text`` with each of ``strings`` that it quotes with ``repr`` masked before it is quoted: ``repr`` escapes a
    quote as ``\\'``, which keeps the masking from matching ``'admin_password': '...'`` in the quoted text. Items
    that are not text are left out; ``strings`` is read as `listed` reads it."""
    text = given_text(text, "text")
    for _, item in listed(strings, "strings"):
        if isinstance(item, str) and (masked := mask_text(str.__str__(item))) != item:
            text = text.replace(str.__repr__(item), str.__repr__(masked))
    return text


def mask_words(text: str, words: Iterable[str]) -> str:
    """``text`` masked as `mask_text` masks it, and each of ``words`` (what the user typed: a command line's words,
    and the value of each ``--option=value``) that it quotes with ``repr``, as argparse's errors do, masked before it
    is quoted, and quoted as `named_repr` quotes it."""
    values: list[str] = []
    for word in given_texts(words, "words"):
        values.append(word)
        if word.startswith("-") and "=" in word:
            values.append(word.partition("=")[2])
    text = mask_quoted(text, values)
    for value in values:  # a byte that is not UTF-8 in a word quoted: \xff, as the shell's $'\xff' spells it
        if (written := str.__repr__(masked := mask_text(value))) != (named := named_repr(masked)):
            text = text.replace(written, named)
    return mask_text(text)


def shown(text: str, limit: int = 300) -> str:
    """Text that a producer had a hand in (an event type, an exception's text, an answer) as one line of a terminal
    or a report may show it: masked (`mask_text`), written on one line (`notify_schemas.values.one_line`), at most
    ``limit`` characters. Masked whole, then cut (one linear pass): cut first, a URL whose ``@`` or a quoted secret
    whose closing quote lay past the cut would show its password. ``limit`` is a whole number from 0 (`given_count`)."""
    if type(limit) is not int or limit < 0:
        limit = given_count(limit, "limit")
    masked = mask_text(text)
    escaped = one_line(masked[: 4 * limit])
    whole = len(escaped) <= limit and len(masked) <= 4 * limit
    return escaped if whole else escaped[: max(limit - 3, 0)] + "..."


def quoted(value: Any, limit: int = 80) -> str:
    """A value an error names, as it may be written: text masked whole, cut to ``limit`` characters and quoted by
    `named_repr` (on one line, escaped once, a byte that is not UTF-8 as ``\\xff``), anything else by its type alone
    (a producer's object may fail to show itself, or show anything). Quoted once: `shown` escapes for a terminal,
    and ``repr`` of what it gave doubled each escape (``'\\\\udcff'``). ``limit`` is a whole number from 0
    (`given_count`), checked whatever ``value`` is."""
    if type(limit) is not int or limit < 0:
        limit = given_count(limit, "limit")
    if not isinstance(value, str):
        return f"a value of type {type_name(value)}"
    return named_repr(masked_cut(str.__str__(value), limit))


def masked_cut(text: str, limit: int = 80) -> str:
    """Text an error will quote with `named_repr`, which escapes it: masked whole (cut first, a URL whose ``@`` lay
    past the cut would show its password), then cut to ``limit`` characters, ``...`` included. Not escaped here:
    escaped twice, ``\\udcff`` would read ``\\\\udcff``. ``limit`` is a whole number from 0 (`given_count`)."""
    if type(limit) is not int or limit < 0:
        limit = given_count(limit, "limit")
    masked = mask_text(text)
    return masked if len(masked) <= limit else masked[: max(limit - 3, 0)] + "..."


def type_name(value: Any, *, qualified: bool = False) -> str:
    """The name of a value's type as it may be written (``qualified``: with its module, as ``module.Outer.Inner``):
    a class made by ``type()`` may be named anything, a URL with its password, a line break, a megabyte, so it is
    masked, written on one line and cut to 60 characters; ``object`` where a metaclass's own attributes fail."""
    return class_name(type(value), qualified=qualified)


def class_name(kind: type, *, qualified: bool = False) -> str:
    """The name of a class as it may be written: as `type_name` writes the name of a value's type."""
    try:
        return _type_text(kind, qualified)
    except Exception:  # a metaclass's own __qualname__, __module__ or __hash__ may raise
        return "object"


@functools.lru_cache(maxsize=256)  # a message of a million objects of one type masks its name once
def _type_text(kind: type, qualified: bool) -> str:
    name = kind.__qualname__ if qualified else kind.__name__
    module = kind.__module__
    if qualified and module != "builtins":
        name = f"{module}.{name}"
    return shown(str.__str__(name), 60) if isinstance(name, str) else "object"


def _mask_urls(text: str) -> str:
    """Each URL's password masked: from the colon after its user up to the last ``@`` before the next space, or
    before the end of its authority when that comes later (`_password_spans`).

    A password may hold ``/``, ``?``, ``#``, ``@`` (an S3 secret key often holds ``/``) or a space, and a URL may name
    several hosts, each with its user (``rabbit://u:p@h1,u2:p2@h2``): everything up to the last ``@`` goes, whatever
    a parser would make of it."""
    if "://" not in text:
        return text
    out: list[str] = []
    done = 0
    for start, at in _password_spans(text):
        out += [text[done:start], SECRET]
        done = at
    return "".join(out) + text[done:] if out else text


def redact(value: Any) -> Any:
    """A plain JSON value as it may be written: forbidden keys' values marked, secrets masked, URLs' passwords gone.

    ``value`` is plain JSON, as `notify_schemas.wire_form.to_wire` makes it. The same as oslo's
    ``mask_dict_password`` applied after marking, then the URLs masked, in one walk without recursion (a message
    may be nested 254 levels deep, and its producer may call from deep in its own stack); beyond oslo, a key whose
    secret word is spelled with the long s or a dotless i is masked too, and keys are masked as texts are.

    What nothing was masked in is shared with ``value``, not copied (a dict or a list is copied once an item of it
    changes; a tuple, or a subclass, always is), and the walk holds one level's place per level, never an entry per
    item: a message of millions of values, nearly all without a secret, costs little more than itself.

    A dict or list subclass whose own reading raises (``items``, ``__iter__``, a key's ``__hash__``) is a
    `TypeError` naming ``value``, its exception's text masked.
    """
    if not isinstance(value, dict | list | tuple):
        return mask_text(value) if isinstance(value, str) else value
    try:
        return _redacted(value)
    except (_HoldsItself, MemoryError):
        raise
    except Exception as error:
        raise unreadable("value", error) from None


def unreadable(what: str, error: Exception) -> Exception:
    """The error of a public function whose argument ``what`` raised ``error`` as it was read (a mapping's own
    ``items``, a list's own ``__iter__``, a key's ``__hash__``): a `TypeError` naming it, the text masked, never the
    producer's exception as it was, whose text may quote a credential. A `RecursionError` or a `MemoryError` is no
    fault of the argument but of where it was read (too deep in the caller's stack, short of memory), and is left
    as it is: a verdict short of stack is given again on a stack of its own (D96), which a TypeError would stop."""
    if isinstance(error, RecursionError | MemoryError):
        return error
    return TypeError(f"{what} cannot be read: reading it raised {error_text(error)}")


class _HoldsItself(ValueError):
    """A value that holds itself, which no JSON is: the walks' own error, raised as it is."""


def _redacted(value: dict[Any, Any] | list[Any] | tuple[Any, ...]) -> Any:
    stack = [_Walk(value, (None, None))]
    open_ids = {id(value)}  # the dicts and lists being walked: one met again inside itself would be walked for ever
    while True:
        walk = stack[-1]
        for key, item in walk.items:
            shown = key
            if walk.keyed:
                shown = mask_text(key) if isinstance(key, str) else key  # a key may be "password=..." or a URL
                if key in FORBIDDEN_KEYS:
                    walk.put(key, shown, item, MARK)
                    continue
                if not isinstance(item, dict) and isinstance(key, str) and names_a_secret(key):
                    walk.put(key, shown, item, SECRET)  # as oslo: a mapping under a secret key is masked key by key
                    continue
            if isinstance(item, dict | list | tuple):
                if id(item) in open_ids:
                    raise _HoldsItself(_holds_itself(item, [*(w.slot[1] for w in stack[1:]), shown]))
                open_ids.add(id(item))
                stack.append(_Walk(item, (key, shown)))  # its items first; this walk goes on where it stopped
                break
            walk.put(key, shown, item, mask_text(item) if isinstance(item, str) else item)
        else:
            done = stack.pop()
            open_ids.discard(id(done.node))
            if not stack:
                return done.result()
            stack[-1].put(*done.slot, done.node, done.result())


def _holds_itself(item: Any, keys: list[Any]) -> str:
    """The error of `redact` given a value that holds itself, which no JSON is: where, by the keys and indexes of the
    walk as they are shown (masked), and cut, as a pointer is written."""
    pointer = "".join("/" + _pointer_token(key) for key in keys)
    return f"redact takes plain JSON, not a {type_name(item)} that holds itself (at {shown(pointer, 200)})"


def _pointer_token(key: Any) -> str:
    text = str.__str__(key) if isinstance(key, str) else repr(key) if type(key) in (int, float, bool) else "?"
    return text.replace("~", "~0").replace("/", "~1")


class _Walk:
    """A dict or a list being redacted: its items are read one at a time, and it is copied only once one changes."""

    __slots__ = ("copy", "items", "keyed", "node", "read", "slot")

    def __init__(self, node: dict[Any, Any] | list[Any] | tuple[Any, ...], slot: tuple[Any, Any]) -> None:
        self.node: Any = node
        self.slot = slot
        """The key (or index) it has in its parent, and that key as it is shown."""
        self.keyed = isinstance(node, dict)
        self.items: Iterator[tuple[Any, Any]] = iter(node.items()) if isinstance(node, dict) else enumerate(node)
        self.read = 0
        exact = type(node) is dict or type(node) is list
        self.copy: Any = None if exact else {} if self.keyed else []  # a tuple is written as a list

    def put(self, key: Any, shown: Any, item: Any, new: Any) -> None:
        """Take an item as redacted: ``new`` under ``shown`` where it was ``item`` under ``key``."""
        if self.copy is None and (_changed(item, new) or _changed(key, shown)):
            self.copy = dict(itertools.islice(self.node.items(), self.read)) if self.keyed else self.node[: self.read]
        if self.copy is not None:
            if self.keyed:
                self.copy[told_apart(shown, self.copy)] = new
            else:
                self.copy.append(new)
        self.read += 1

    def result(self) -> Any:
        return self.node if self.copy is None else self.copy


def told_apart(shown: Any, taken: Collection[Any]) -> Any:
    """A key as it is shown in a copy that holds ``taken`` already: as it is, or, when another key reads alike once
    masked (``password=a`` and ``password=b`` both read ``password=***``), with the first number from 2 that no key
    of the copy has (``password=*** (2)``), so that no entry is lost (D97). ``taken`` is a collection (a dict, a
    set), asked only whether it holds a key: anything else is a `TypeError` (an endless generator was read for
    ever)."""
    if isinstance(taken, str | bytes) or not isinstance(taken, Collection):
        raise TypeError(f"taken must be a collection (a dict, a set), not {quoted(taken)}")
    try:
        hash(shown)
    except Exception:  # a list, or a key of a producer's whose own __hash__ raises
        raise TypeError(f"shown must be a value a dict can hold as a key, not {quoted(shown)}") from None
    try:
        if shown not in taken:
            return shown
        return next(f"{shown} ({n})" for n in itertools.count(2) if f"{shown} ({n})" not in taken)
    except Exception as error:  # the caller's own __contains__, or the key's own __hash__ or __eq__, raised
        raise TypeError(f"taken cannot be asked whether it holds a key: it raised {error_text(error)}") from None


def _changed(old: Any, new: Any) -> bool:
    """Whether redacting changed a value: another object, or (masking may give back text equal to what it got)
    other text."""
    return new is not old and (type(new) is not str or new != old)


_TOKEN_WIDTH = 64
# What a pointer holds, lower-cased, when a key of it may need masking or names a secret: an escaped "://" too.
_SUSPECT_POINTER = re.compile("|".join(re.escape(word) for word in (*SANITIZE_KEYS, *FORBIDDEN_KEYS, ":~1~1")))


def _innocent(pointer: str) -> bool:
    """Whether no key of a pointer needs masking nor names a secret: the common case, one regex search."""
    return pointer.isascii() and _SUSPECT_POINTER.search(pointer.lower()) is None and not may_write_forbidden(pointer)


def mask_pointer(pointer: str) -> str:
    """A JSON pointer as it may be written: each key masked as free text (a key may be ``password=...`` or a URL
    with its password), cut to 64 characters, and a lone surrogate shown as its escape. `TypeError` for what is not
    text."""
    if type(pointer) is not str:
        pointer = given_text(pointer, "pointer")
    if not pointer or (len(pointer) <= _TOKEN_WIDTH and _innocent(pointer)):
        return pointer
    tokens = []
    for key in _keys(pointer):
        shown = mask_text(key)
        if len(shown) > _TOKEN_WIDTH:
            shown = shown[: _TOKEN_WIDTH - 3] + "..."
        if not shown.isascii():
            shown = shown.encode("utf-8", "backslashreplace").decode("utf-8")
        tokens.append(shown.replace("~", "~0").replace("/", "~1") if "~" in shown or "/" in shown else shown)
    return "/" + "/".join(tokens)


_VIEWS: dict[str, tuple[str | None, str | None]] = {}
NOTHING_TO_HIDE = (None, None)
"""What `pointer_view` gives for a pointer that is shown as it is, with its value: the very same tuple each time."""


def pointer_view(pointer: str) -> tuple[str | None, str | None]:
    """`mask_pointer` of a pointer (None when it is the pointer itself) and `hides_a_secret`, remembered: a report
    meets the same pointers again and again. `TypeError` for what is not text."""
    if type(pointer) is not str:
        pointer = given_text(pointer, "pointer")
    found = _VIEWS.get(pointer)
    if found is None:
        shown = mask_pointer(pointer)
        found = (None if shown == pointer else shown), hides_a_secret(pointer)
        if found == NOTHING_TO_HIDE:
            found = NOTHING_TO_HIDE
        if len(_VIEWS) >= 4096:  # bounded: pointers of arrays' items are many
            _VIEWS.clear()
        _VIEWS[pointer] = found
    return found


def hides_a_secret(pointer: str) -> str | None:
    """What a value at ``pointer`` is shown as when a key on its way names a secret (`SECRET`) or must never be sent
    (`MARK`); None when neither. `TypeError` for what is not text."""
    if type(pointer) is not str:
        pointer = given_text(pointer, "pointer")
    if _innocent(pointer):
        return None
    for key in _keys(pointer):
        if key in FORBIDDEN_KEYS:
            return MARK
        if names_a_secret(key):
            return SECRET
    return None


def _keys(pointer: str) -> list[str]:
    """The keys (and indexes) of a JSON pointer, unescaped."""
    tokens = pointer[1:].split("/") if pointer else []
    return [t.replace("~1", "/").replace("~0", "~") if "~" in t else t for t in tokens]
