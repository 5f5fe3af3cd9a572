"""Hostile input against the real oslo.messaging and oslo.utils: the same masking, nothing lost, nothing leaked.

Run by ``nox -s oslo``. The masking of `notify_schemas.redaction` is a port of oslo.utils' ``strutils``: a
differential property test holds it to oslo.utils itself on generated keys and texts, Unicode case variants
included. The drop-in driver runs inside a real oslo ``Notifier`` and the listener behind oslo's own transport.
"""

from __future__ import annotations

import array
import collections
import collections.abc
import datetime
import ipaddress
import json
import logging
import subprocess
import sys
import threading
import time
import types
import uuid
import xmlrpc.client
from pathlib import Path
from typing import Any

import netaddr
import oslo_messaging
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from oslo_config import cfg
from oslo_i18n import _message as i18n_message
from oslo_messaging.notify import _impl_test
from oslo_utils import strutils
from support import Changing

from notify_schemas import redaction
from notify_schemas.broker.listener import Listener
from notify_schemas.broker.messaging import MessagingV2Driver
from notify_schemas.broker.oslo_driver import OPTIONS
from notify_schemas.config import NotifierConfig
from notify_schemas.errors import ConfigError
from notify_schemas.notifier import Notifier
from notify_schemas.samples import samples
from notify_schemas.wire_form import to_wire

pytestmark = pytest.mark.oslo

CANARY = "CANARY-s3cr3t-9f2c"
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), database=None)

# Words oslo masks, in spellings that change under case folding: the Kelvin sign lower-cases to "k".
WORDS = st.sampled_from([*strutils._SANITIZE_KEYS, "PASSWORD", "Token", "private_\u212aey", "auth_to\u212aen",
                         "adminPass", "pass word", "passwd", "secretx", "\u0130d", "pa\u017f\u017fword",
                         "adm\u0131n_pass", "\u017fecret", "adm\u0130n_pass"])  # fmt: skip
VARIANT_LETTERS = "\u017f\u0130\u0131"
PIECES = st.one_of(WORDS, st.sampled_from(["=", ": ", '"', "'", " ", "--", "<", ">", "/", "\n", "1", "u'"]),
                   st.text(max_size=6))  # fmt: skip
TEXTS = st.lists(PIECES, max_size=12).map("".join)


def test_the_ported_patterns_are_oslos() -> None:
    assert tuple(strutils._SANITIZE_KEYS) == redaction.SANITIZE_KEYS
    for key in strutils._SANITIZE_KEYS:
        second, first, wildcard = redaction._patterns(key)
        assert [p.pattern for p in second] == [p.pattern for p in strutils._SANITIZE_PATTERNS_2[key]]
        assert [p.pattern for p in first] == [p.pattern for p in strutils._SANITIZE_PATTERNS_1[key]]
        assert [p.pattern for p in wildcard] == [p.pattern for p in strutils._SANITIZE_PATTERNS_WILDCARD[key]]


@SETTINGS
@given(TEXTS)
@example("password=secret \u017fecret=CANARY")  # oslo lower-cases the text as masked so far, key after key
def test_mask_password_is_oslos(text: str) -> None:
    assert redaction.mask_password(text) == strutils.mask_password(text)


SECRETS = st.one_of(st.just("***"), st.sampled_from(["", "x", "\\n", "\\g<1>", "[\\\\]"]), st.text(max_size=4))


@SETTINGS
@given(TEXTS, SECRETS, st.integers(1, 6_000))
def test_mask_password_is_oslos_on_long_texts_with_many_matches_and_any_secret(
    text: str, secret: str, times: int
) -> None:
    # Each substitution is a split and a join, not oslo's sub, and a long text's masking is remembered: the same
    # text, matched many times, masked twice, and a secret that a sub reads as a template (\g<1>, or a bad one that
    # oslo's sub refuses even where nothing matches) are oslo's too.
    long = text * times
    for _ in range(2):
        assert _outcome(redaction.mask_password, long, secret) == _outcome(strutils.mask_password, long, secret)


def _outcome(mask: Any, text: str, secret: str) -> Any:
    """What ``mask`` gives, or the type of what it raises (a secret that is a bad template: ``re.error``)."""
    try:
        return mask(text, secret)
    except Exception as error:  # the outcome compared, whatever it is
        return type(error)


@SETTINGS
@given(st.dictionaries(st.one_of(WORDS, st.text(max_size=8), st.integers()),
                       st.one_of(TEXTS, st.integers(), st.none(), st.lists(TEXTS, max_size=3),
                                 st.dictionaries(WORDS, TEXTS, max_size=3)), max_size=6))  # fmt: skip
def test_mask_dict_password_is_oslos(value: dict[Any, Any]) -> None:
    assert redaction.mask_dict_password(value) == strutils.mask_dict_password(value)


@SETTINGS
@given(TEXTS)
def test_mask_text_is_oslos_then_the_passwords_of_urls(text: str) -> None:
    ours = redaction.mask_text(text)  # after the values of the keys that must never be written are marked (D73)
    assert ours == redaction._mask_urls(redaction._mask_folded(strutils.mask_password(redaction.mark_forbidden(text))))
    if not any(c in text for c in VARIANT_LETTERS) and "://" not in text:
        assert ours == strutils.mask_password(text)


@SETTINGS
@given(st.sampled_from(strutils._SANITIZE_KEYS), st.data())
def test_no_spelling_of_a_secret_word_is_left_in_clear(word: str, data: st.DataObject) -> None:
    # Each letter as itself, upper-cased, or as a letter that oslo's patterns read as it (the long s, the dotted
    # and dotless i, the Kelvin sign): oslo leaves some of these in clear, the package masks them all.
    spellings = {"s": ["s", "S", "\u017f"], "i": ["i", "I", "\u0131", "\u0130"], "k": ["k", "K", "\u212a"]}
    spelled = "".join(data.draw(st.sampled_from(spellings.get(c, [c, c.upper()]))) for c in word)
    assert CANARY not in redaction.mask_text(f"{spelled}={CANARY}")
    assert CANARY not in json.dumps(redaction.redact({spelled: CANARY, "x": [{spelled: [CANARY]}]}))


@SETTINGS
@given(st.dictionaries(st.one_of(WORDS, st.text(max_size=8), st.integers()),
                       st.one_of(TEXTS, st.integers(), st.none(), st.dictionaries(WORDS, TEXTS, max_size=3)),
                       max_size=6))  # fmt: skip
def test_redact_is_oslos_mask_dict_password_where_nothing_more_is_needed(value: dict[Any, Any]) -> None:
    text = json.dumps(value, ensure_ascii=False)
    assume("://" not in text and not any(c in text for c in VARIANT_LETTERS))
    assume(not redaction.FORBIDDEN_KEYS & {str(k) for k in value})
    assume(all(redaction.mask_text(k) == k for k in value if isinstance(k, str)))  # keys are masked beyond oslo
    assert redaction.redact(value) == strutils.mask_dict_password(value)


def test_redact_does_not_recurse() -> None:
    deep: Any = f"password={CANARY}"
    for _ in range(254):
        deep = {"k": [deep]}

    def from_deep_in_a_stack(depth: int) -> Any:
        return redaction.redact(deep) if depth == 0 else from_deep_in_a_stack(depth - 1)

    assert CANARY not in json.dumps(from_deep_in_a_stack(800))


class _IteratesToo:
    """Makes a scalar of a kind that json or to_primitive writes as such iterate, and answer items(), too."""

    def __iter__(self) -> Any:
        return iter([1, 2])

    def items(self) -> Any:
        return [("k", 1)]


class _Record:
    """A producer's record that has items() and no __iter__: to_primitive writes it as the dict of its items."""

    def __init__(self, **fields: Any) -> None:
        self._fields = fields

    def items(self) -> Any:
        return list(self._fields.items())


class _Iterating(_IteratesToo, int):
    pass


class _IteratingFloat(_IteratesToo, float):
    pass


class _IteratingError(_IteratesToo, ValueError):
    pass


class _IteratingUUID(_IteratesToo, uuid.UUID):
    pass


class _IteratingTime(_IteratesToo, datetime.datetime):
    pass


ODD_VALUES = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(-(2**63), 2**63 - 1), st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=5), st.binary(max_size=4).map(bytearray), st.binary(max_size=4).map(memoryview),
        st.lists(st.integers(-100, 100), max_size=3).map(lambda xs: array.array("i", xs)),
        st.datetimes(), st.dates(), st.uuids(), st.decimals(allow_nan=False, places=2),
        st.sampled_from([i18n_message.Message("lazy"), ValueError("boom"), ipaddress.ip_address("10.0.0.1")]),
        st.text(alphabet="abc", max_size=3).map(lambda t: t.encode()),
        # What to_primitive writes as text before it asks a container's __iter__ or items(): netaddr's addresses,
        # networks and ranges (iterable), xmlrpc's DateTime, a scalar of any of these kinds that iterates.
        st.sampled_from([netaddr.IPAddress("10.0.0.1"), netaddr.IPNetwork("10.0.0.0/30"),
                         netaddr.IPRange("10.0.0.1", "10.0.0.2"), xmlrpc.client.DateTime("20260102T03:04:05"),
                         _Iterating(5), _IteratingFloat(1.5), _IteratingError("boom"), _IteratingUUID(int=1),
                         _IteratingTime(2026, 1, 2)]),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(st.text(max_size=3), inner, max_size=3),
        st.dictionaries(st.text(max_size=3), inner, max_size=3).map(collections.OrderedDict),
        st.dictionaries(st.text(max_size=3), inner, max_size=3).map(types.MappingProxyType),
        st.dictionaries(st.text(max_size=3), inner, max_size=3).map(lambda d: _Record(**d)),
    ),
    max_leaves=8,
)  # fmt: skip


def _mappings(depth: int) -> Any:
    value: Any = {"leaf": [1]}
    for _ in range(depth):
        value = types.MappingProxyType({"k": value})
    return value


@SETTINGS
@given(ODD_VALUES)
@example(bytearray(b"ab"))  # oslo iterates a bytearray: [97, 98], not "ab"
@example(_mappings(4))  # to_primitive follows three mappings that are not dicts, one in another, and writes null
@example([_mappings(3), {"a": _mappings(5)}])
@example({float("nan"): 1, float("-inf"): 2})  # json writes such a key as text: "NaN", "-Infinity"
@example([netaddr.IPNetwork("10.0.0.0/30"), xmlrpc.client.DateTime("20260102T03:04:05"), _Iterating(5)])  # text
@example(types.MappingProxyType({netaddr.IPAddress("10.0.0.1"): _IteratingError("e")}))  # a key converted so too
@example(types.MappingProxyType({uuid.UUID(int=1): 1, b"k": collections.deque([{datetime.date(2026, 1, 2): 3}])}))
@example(_Record(a=_Record(b=[1]), c=uuid.UUID(int=2)))  # items() and no __iter__: a dict all the same
def test_the_wire_form_is_what_oslo_writes(value: Any) -> None:
    # Where oslo's jsonutils writes a value at all (an Enum member and a generator aside: DECISIONS.md, D32).
    from oslo_serialization import jsonutils

    wire = to_wire(value)
    assert not wire.problems
    assert wire.value == json.loads(jsonutils.dumps(value))


def test_a_file_oslo_config_cannot_parse_is_named_masked(tmp_path: Path) -> None:
    # The messaging drivers read the file again with oslo.config; its error named the file unmasked.
    folder = tmp_path / f"password={CANARY}"
    folder.mkdir()
    conf = folder / "glance.conf"
    conf.write_text("[oslo_messaging_notifications]\ndriver = messagingv2\ntransport_url = fake://\n\n  x\n")
    with pytest.raises(ConfigError, match="line 5: Unexpected continuation line") as info:
        Notifier.from_config_file(str(conf))
    assert CANARY not in str(info.value)


# --- the drop-in driver inside oslo's Notifier ---------------------------------------------------------------------


def _dropin(validation: str, inner: str | list[str] = "test") -> oslo_messaging.Notifier:
    conf = cfg.ConfigOpts()
    conf([], project="notify-schemas-test")
    conf.register_opts(OPTIONS, group="notify_schemas")
    conf.set_override("inner_driver", [inner] if isinstance(inner, str) else inner, group="notify_schemas")
    conf.set_override("validation", validation, group="notify_schemas")
    conf.set_override("profile", "glance", group="notify_schemas")
    transport = oslo_messaging.get_notification_transport(conf, url="fake://")
    return oslo_messaging.Notifier(transport, publisher_id="image.localhost", driver="notify_schemas", topics=["n"])


def test_the_drop_in_driver_named_as_its_own_inner_driver_says_so(caplog: pytest.LogCaptureFixture) -> None:
    # It loaded itself as its inner driver, which loaded itself, until Python's recursion limit: stevedore logged
    # "Could not load 'notify_schemas': maximum recursion depth exceeded", and oslo's Notifier sent nothing.
    conf = cfg.ConfigOpts()
    conf([], project="notify-schemas-test")
    conf.register_opts(OPTIONS, group="notify_schemas")
    conf.set_override("inner_driver", ["log", "notify_schemas"], group="notify_schemas")
    transport = oslo_messaging.get_notification_transport(conf, url="fake://")
    with caplog.at_level(logging.WARNING):
        oslo_messaging.Notifier(transport, publisher_id="image.localhost", driver="notify_schemas", topics=["n"])
    assert "recursion" not in caplog.text
    assert "inner_driver names notify_schemas, this validating driver itself" in caplog.text


@pytest.mark.parametrize(("inner", "said"), [(["noop"], True), (["noop", "noop"], True), (["noop", "test"], False)])
def test_a_drop_in_driver_wrapping_noop_alone_says_that_is_enabled_is_true_though_nothing_is_sent(
    inner: list[str], said: bool, caplog: pytest.LogCaptureFixture
) -> None:
    # oslo's Notifier.is_enabled() asks the names of its drivers, so it answers true for the drop-in driver whatever
    # it wraps, where for driver = noop it answers false (D108); nothing said so.
    with caplog.at_level(logging.WARNING):
        notifier = _dropin("strict", inner)
    lines = [r.getMessage() for r in caplog.records if r.name == "notify_schemas.broker.oslo_driver"]
    assert notifier.is_enabled()  # oslo's answer, which no driver reaches
    assert not _oslo(["noop"]).is_enabled()
    assert [line for line in lines if "is_enabled() answers true" in line] == (
        ["[notify_schemas] inner_driver is noop alone: no notification is sent, yet oslo.messaging's "
         "Notifier.is_enabled() answers true; to send none, set [oslo_messaging_notifications] driver = noop"]
        if said else []
    )  # fmt: skip


def _oslo(drivers: list[str]) -> oslo_messaging.Notifier:
    """oslo's Notifier given ``drivers`` directly, as Glance is without the drop-in driver."""
    conf = cfg.ConfigOpts()
    conf([], project="notify-schemas-test")
    transport = oslo_messaging.get_notification_transport(conf, url="fake://")
    conf.set_override("driver", drivers, group="oslo_messaging_notifications")
    return oslo_messaging.Notifier(transport, publisher_id="image.localhost", topics=["n"])


@pytest.mark.parametrize(
    "drivers",
    [["test", "test"], ["test", "no-such-driver"], ["no-such-driver", "test", "log", "test"], ["test", "failing"]],
)
def test_the_inner_drivers_send_as_oslo_sends_through_the_same_drivers(
    drivers: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # A driver named twice was loaded twice, and every notification sent twice (oslo loads it once); a name that no
    # driver has made the drop-in driver itself fail to load, so nothing at all was sent, through the drivers that
    # were there too (oslo sends through those).
    dist = tmp_path / "failing_driver-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: failing-driver\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[oslo.messaging.notify.drivers]\nfailing = failing_driver:Failing\n")
    (tmp_path / "failing_driver.py").write_text(
        f"class Failing:\n    def __init__(self, *args, **kwargs):\n        raise OSError('password={CANARY}')\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    payload = next(samples("image.upload", "INFO", profile="glance", seed=1))["payload"]
    sent = []
    for notifier in (_oslo, lambda names: _dropin("strict", names)):
        _impl_test.reset()
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            notifier(drivers).info({}, "image.upload", payload)
        sent.append(len(_impl_test.NOTIFICATIONS))
    assert sent[1] == sent[0] == 1
    lines = [r.getMessage() for r in caplog.records if r.name == "notify_schemas.broker.oslo_driver"]
    unloaded = sorted({name for name in drivers if name in ("no-such-driver", "failing")})
    assert len(lines) == len(unloaded)
    for line, name in zip(sorted(lines), unloaded, strict=True):
        assert f"'{name}'" in line
        assert "notifications are not sent through it" in line
    assert CANARY not in caplog.text


@pytest.mark.parametrize("inner", [["messagingv2"], ["messaging", "test"], ["log"]])
def test_an_inner_messaging_driver_given_no_topic_is_said_at_start(
    inner: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    # An empty topics (topics = in Glance's file, which oslo.config reads as none) had oslo's messaging drivers send
    # every notification that passed to no topic, and nothing said so: it was neither delivered nor logged.
    conf = cfg.ConfigOpts()
    conf([], project="notify-schemas-test")
    conf.register_opts(OPTIONS, group="notify_schemas")
    conf.set_override("inner_driver", inner, group="notify_schemas")
    transport = oslo_messaging.get_notification_transport(conf, url="fake://")
    with caplog.at_level(logging.WARNING):
        for topics in ([], ["n"]):
            oslo_messaging.Notifier(transport, "image.localhost", driver="notify_schemas", topics=topics)
    lines = [r.getMessage() for r in caplog.records if r.name == "notify_schemas.broker.oslo_driver"]
    messaging = [name for name in inner if name.startswith("messaging")]
    assert len(lines) == len(messaging)  # once, for no topic; none for a topic, nor for a driver that uses none
    for line in lines:
        assert "is given no topic" in line
        assert "Messaging" in line


def test_a_lazy_message_reaches_the_inner_driver(caplog: pytest.LogCaptureFixture) -> None:
    _impl_test.reset()
    text = i18n_message.Message("Image storage media is full")  # oslo_i18n's lazy translatable text
    _dropin("strict").error({}, "image.upload", text)
    assert len(_impl_test.NOTIFICATIONS) == 1
    assert "Problem" not in caplog.text


@pytest.mark.parametrize("validation", ["strict", "warn"])
def test_a_rejected_notification_is_logged_redacted_and_never_raises_into_oslo(
    validation: str, caplog: pytest.LogCaptureFixture
) -> None:
    _impl_test.reset()
    payload = next(samples("image.upload", "INFO", profile="glance", seed=1))["payload"]
    url = f"swift://glance:{CANARY}@swift.example/v1/images/1"
    leaky = {**payload, "locations": [{"url": url}], "direct_url": url, "properties": {"admin_password": CANARY}}
    deep: Any = []
    for _ in range(300):
        deep = [deep]
    caplog.set_level(logging.DEBUG)
    notifier = _dropin(validation)
    notifier.info({}, "image.upload", leaky)
    notifier.info({}, "image.upload", {**payload, "properties": {"x": deep}})
    assert CANARY not in caplog.text
    assert "Problem" not in caplog.text  # oslo's own line for a driver that raised, with the whole payload
    sent = len(_impl_test.NOTIFICATIONS)
    rejected = caplog.text.count("notification not sent")
    assert sent + rejected == 2
    assert sent == (1 if validation == "warn" else 0)  # warn sends what has a wire form, never what has none


def _from_deep_in_the_stack(frames_left: int, call: Any) -> None:
    def down(n: int) -> None:
        if n > 0:
            down(n - 1)
        else:
            call()

    frame, depth = sys._getframe(), 0
    while frame is not None:
        frame, depth = frame.f_back, depth + 1
    down(sys.getrecursionlimit() - frames_left - depth - 1)


@pytest.mark.parametrize("validation", ["strict", "warn"])
@pytest.mark.parametrize("frames_left", [60, 30])
def test_the_drop_in_driver_called_from_deep_in_the_producers_stack_judges_as_at_its_top(
    validation: str, frames_left: int, caplog: pytest.LogCaptureFixture
) -> None:
    # Its log line of a message nested 200 levels deep, written with json.dumps 850 frames down, raised
    # RecursionError into oslo, which logged "Problem ... Payload=" with the notification unredacted (D96).
    payload = next(samples("image.upload", "INFO", profile="glance", seed=1))["payload"]
    deep: Any = f"password={CANARY}"
    for _ in range(200):
        deep = [deep]
    notifier = _dropin(validation)
    caplog.set_level(logging.DEBUG)
    outcomes = []
    for where in ("top", "deep"):
        _impl_test.reset()
        caplog.clear()
        for sent in ({**payload, "tags": [deep]}, {**payload, "properties": {"x": deep}}):
            if where == "top":
                notifier.info({}, "image.upload", sent)
            else:
                _from_deep_in_the_stack(frames_left, lambda sent=sent: notifier.info({}, "image.upload", sent))
        outcomes.append((len(_impl_test.NOTIFICATIONS), caplog.text.count("notification not sent")))
        assert "Problem" not in caplog.text
        assert "RecursionError" not in caplog.text
        assert CANARY not in caplog.text
    assert outcomes[0] == outcomes[1]


class _RaisingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        raise ValueError(f"filter down: password={CANARY}")


@pytest.mark.parametrize("validation", ["strict", "warn"])
@pytest.mark.parametrize("hostile", ["raises", "notifies"])
def test_a_logging_handler_of_the_dropin_driver_that_raises_or_notifies_never_reaches_oslo(
    validation: str, hostile: str, capfd: pytest.CaptureFixture[str]
) -> None:
    # A filter of the driver's logger that raised, or a handler that notified through the same oslo Notifier (whose
    # notification the driver refused and logged again, until RecursionError), sent an exception out of the driver:
    # oslo's Notifier then logged "Problem ... Payload=" with the notification as Python writes it, locations and all.
    _impl_test.reset()
    payload = next(samples("image.upload", "INFO", profile="glance", seed=1))["payload"]
    url = f"swift://glance:{CANARY}@swift.example/v1/images/1"
    leaky = {**payload, "locations": [{"url": url}]}
    notifier = _dropin(validation)
    logger = logging.getLogger("notify_schemas.broker.oslo_driver")
    written: list[str] = []

    class Notifies(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            written.append(record.getMessage())
            notifier.info({}, "image.upload", leaky)

    oslo_lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            oslo_lines.append(record.getMessage())

    hooked: Any = _RaisingFilter() if hostile == "raises" else Notifies(logging.DEBUG)
    keep = Keep(logging.DEBUG)
    logging.getLogger("oslo_messaging").addHandler(keep)
    (logger.addFilter if hostile == "raises" else logger.addHandler)(hooked)
    try:
        notifier.info({}, "image.upload", leaky)
    finally:
        (logger.removeFilter if hostile == "raises" else logger.removeHandler)(hooked)
        logging.getLogger("oslo_messaging").removeHandler(keep)
    assert not any("Problem" in line for line in oslo_lines)
    out, err = capfd.readouterr()
    assert CANARY not in out + err + "".join(oslo_lines) + "".join(written)
    assert all(line.startswith("notify-schemas: ") for line in err.splitlines() if "notify-schemas" in line)
    assert len(_impl_test.NOTIFICATIONS) == (0 if validation == "strict" else 1 + len(written))


class _Interrupted(BaseException):
    """As eventlet's Timeout, which a green thread's send may raise: no Exception, so oslo lets it through."""


class _Interrupting:
    def notify(self, ctxt: Any, message: Any, priority: str, retry: Any) -> None:
        raise _Interrupted(f"password={CANARY}")


def test_an_inner_driver_interrupted_reaches_the_producer_with_what_it_left_unsent_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # It went through the drop-in driver and oslo's Notifier to the producer with no line at all: the inner drivers
    # after it never ran, and the notification was lost unsaid.
    _impl_test.reset()
    notifier = _dropin("strict", "log")
    dropin = notifier._driver_mgr.extensions[0].obj
    dropin.inner.append(_Interrupting())
    dropin.inner.append(_impl_test.TestDriver(None, [], None))
    payload = next(samples("image.upload", "INFO", profile="glance", seed=1))["payload"]
    with caplog.at_level(logging.DEBUG), pytest.raises(_Interrupted):
        notifier.info({}, "image.upload", payload)
    assert not _impl_test.NOTIFICATIONS  # the inner drivers after it do not run: it stops as Python means it to
    lines = [r.getMessage() for r in caplog.records if r.name == "notify_schemas.broker.oslo_driver"]
    assert len(lines) == 1
    assert "inner driver _Interrupting was interrupted (_Interrupted: password=***)" in lines[0]
    assert "(TestDriver)" in lines[0]
    assert payload["id"] in lines[0]
    assert CANARY not in caplog.text


class _Failing:
    def notify(self, ctxt: Any, message: Any, priority: str, retry: Any) -> None:
        raise ConnectionError("broker unreachable")


@pytest.mark.parametrize(
    ("validation", "size", "left"), [("strict", None, "(TestDriver)"), ("warn", -5, "(_Failing, TestDriver)")]
)
def test_a_logging_handler_of_the_dropin_driver_interrupted_says_what_was_left_unsent(
    validation: str, size: Any, left: str, capfd: pytest.CaptureFixture[str]
) -> None:
    # A handler interrupted (eventlet's Timeout while it waits on its socket) as it took the line of an inner driver
    # that failed, or the warning that an invalid notification is sent, stopped the inner drivers not yet run, and
    # the error went through oslo to the producer with no line saying so: the notification was lost unsaid.
    _impl_test.reset()
    notifier = _dropin(validation, "noop")
    dropin = notifier._driver_mgr.extensions[0].obj
    dropin.inner[:] = [_Failing(), _impl_test.TestDriver(None, [], None)]
    payload = next(samples("image.upload", "INFO", profile="glance", seed=1))["payload"]
    payload = payload if size is None else {**payload, "size": size}

    class Interrupted(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            raise _Interrupted(f"password={CANARY}")

    logger = logging.getLogger("notify_schemas.broker.oslo_driver")
    handler = Interrupted(logging.DEBUG)
    logger.addHandler(handler)
    try:
        with pytest.raises(_Interrupted):
            notifier.info({}, "image.upload", payload)
    finally:
        logger.removeHandler(handler)
    assert not _impl_test.NOTIFICATIONS
    lines = [line for line in capfd.readouterr().err.splitlines() if line.startswith("notify-schemas: ")]
    assert len(lines) == 2
    assert lines[0].startswith("notify-schemas: a logging handler was interrupted: _Interrupted: password=***; ")
    assert f"notification not sent through the drivers left {left}: " in lines[1]
    assert payload["id"] in lines[1]
    assert CANARY not in "".join(lines)


def test_the_dropin_driver_says_why_of_the_reading_it_judged(caplog: pytest.LogCaptureFixture) -> None:
    # A generator is empty the second time: the driver read the message again to say why it refused it.
    def tags() -> Any:
        yield "\ud800"

    _impl_test.reset()
    payload = next(samples("image.upload", "INFO", profile="glance", seed=1))["payload"]
    _dropin("strict").info({}, "image.upload", {**payload, "tags": tags()})
    assert not _impl_test.NOTIFICATIONS
    assert "/payload/tags/0" in caplog.text
    assert "[unicode]" in caplog.text


@pytest.mark.parametrize("validation", ["strict", "warn"])
def test_the_dropin_driver_sends_what_it_judged_not_a_second_reading(validation: str) -> None:
    _impl_test.reset()
    payload = next(samples("image.upload", "INFO", profile="glance", seed=1))["payload"]
    _dropin(validation).info({}, "image.upload", Changing(payload, CANARY))
    assert len(_impl_test.NOTIFICATIONS) == 1
    sent = _impl_test.NOTIFICATIONS[0][1]
    assert sent["payload"] == payload
    assert CANARY not in json.dumps(sent)


def test_the_dropin_driver_sends_a_payload_another_thread_changes_as_it_was_judged() -> None:
    # The producer's own dict was judged and handed to the inner drivers: a thread that put locations in meanwhile had
    # them sent in strict mode.
    payload = next(samples("image.upload", "INFO", profile="glance", seed=1))["payload"]
    written: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            written.append(record.getMessage())

    handler = Keep(level=logging.DEBUG)
    sent = logging.getLogger("oslo.messaging.notification.image.upload")
    sent.addHandler(handler)
    sent.setLevel(logging.INFO)
    notifier = _dropin("strict", inner="log")  # oslo's log driver writes each notification as it is handed over
    stop = threading.Event()

    def meddle() -> None:
        while not stop.is_set():
            payload["locations"] = [{"url": f"swift://glance:{CANARY}@swift.example/c/o"}]
            time.sleep(0)
            del payload["locations"]
            time.sleep(0)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    meddler = threading.Thread(target=meddle)
    meddler.start()
    try:
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            notifier.info({}, "image.upload", payload)
    finally:
        stop.set()
        meddler.join()
        sys.setswitchinterval(interval)
        sent.removeHandler(handler)
    assert written
    assert not [text for text in written if CANARY in text]


_GREEN_MEDDLER = """
import json, sys, warnings
warnings.simplefilter("ignore")
import eventlet
eventlet.monkey_patch()  # first, as Glance does
import oslo_messaging
from oslo_config import cfg
from oslo_messaging.notify import _impl_test
from notify_schemas.broker.oslo_driver import OPTIONS

conf = cfg.ConfigOpts()
conf([], project="notify-schemas-test")
conf.register_opts(OPTIONS, group="notify_schemas")
conf.set_override("inner_driver", ["test"], group="notify_schemas")
transport = oslo_messaging.get_notification_transport(conf, url="fake://")
notifier = oslo_messaging.Notifier(transport, publisher_id="image.localhost", driver="notify_schemas", topics=["n"])

class Sends:  # as oslo's messaging driver does: it waits on its socket, and other green threads run meanwhile
    def notify(self, ctxt, message, priority, retry):
        eventlet.sleep(0)

dropin = notifier._driver_mgr.extensions[0].obj
dropin.inner.insert(0, Sends())
payload = json.loads(sys.argv[1])

def meddle():
    payload["locations"] = [{"url": "swift://glance:CANARY@swift.example/c/o"}]

def produce():
    meddler = eventlet.spawn(meddle)  # runs at the first wait: inside the first inner driver
    notifier.info({}, "image.upload", payload)
    meddler.wait()

produce() if sys.argv[2] == "main" else eventlet.spawn(produce).wait()
print(json.dumps([sent[1] for sent in _impl_test.NOTIFICATIONS]))
"""


@pytest.mark.parametrize("where", ["main", "green"])
def test_the_dropin_driver_sends_a_payload_a_green_thread_changes_as_it_was_judged(where: str) -> None:
    # Under eventlet no second Python thread runs, so the producer's own payload was judged and handed to the inner
    # drivers: a green thread that put locations in while the first inner driver waited on its socket had them sent
    # through the inner drivers after it, in strict mode.
    payload = next(samples("image.upload", "INFO", profile="glance", seed=1))["payload"]
    done = subprocess.run(
        [sys.executable, "-c", _GREEN_MEDDLER, json.dumps(payload), where],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    sent = json.loads(done.stdout)
    assert [message["payload"] for message in sent] == [payload]


@pytest.mark.parametrize("sender", ["notifier", "dropin"])
def test_a_send_oslo_gives_up_on_is_logged_redacted(sender: str, caplog: pytest.LogCaptureFixture) -> None:
    # oslo.messaging logs a notification it could not send whole ("Could not send notification to ... Payload=");
    # one sent in warn or off mode may carry a location, whose value was written in clear to that line.
    payload = next(samples("image.upload", "INFO", profile="glance", seed=1))["payload"]
    leaky = {**payload, "locations": [{"url": f"rbd://{CANARY}/images/1/snap", "metadata": {}}]}
    down = "rabbit://glance:pw@127.0.0.1:1/"  # nothing listens on port 1: the connection is refused at once
    caplog.set_level(logging.ERROR)
    if sender == "notifier":
        config = NotifierConfig(drivers=("messagingv2",), transport_url=down, retry=0)
        Notifier(config=config, profile="glance", validation="off").info({}, "image.upload", leaky)
    else:
        conf = cfg.ConfigOpts()
        conf([], project="notify-schemas-test")
        conf.register_opts(OPTIONS, group="notify_schemas")
        conf.set_override("validation", "warn", group="notify_schemas")
        transport = oslo_messaging.get_notification_transport(conf, url=down)
        notifier = oslo_messaging.Notifier(transport, "image.localhost", driver="notify_schemas", topics=["n"], retry=0)
        notifier.info({}, "image.upload", leaky)
    (record,) = [r for r in caplog.records if "Could not send notification" in r.getMessage()]
    assert CANARY not in record.getMessage()
    assert redaction.MARK in record.getMessage()
    assert payload["id"] in record.getMessage()  # what was not sent can still be found


# --- the listener behind oslo's transport --------------------------------------------------------------------------


def test_the_listener_counts_and_keeps_what_it_cannot_validate(tmp_path: Path) -> None:
    config = NotifierConfig(drivers=("messagingv2",), transport_url=None, control_exchange="hostile")
    out_path = tmp_path / "invalid.jsonl"
    with out_path.open("a", encoding="utf-8") as out:
        listener = Listener(config, profile="seed", invalid_out=out)
        listener.start(timeout=30)
        try:
            # oslo's own messagingv2 driver, unvalidated: what any producer could put on the bus.
            sender = MessagingV2Driver(config)
            message = next(samples("image.upload", "INFO", profile="seed", seed=2))
            deep: Any = {}
            for _ in range(300):
                deep = {"k": deep}
            url = f"swift://glance:{CANARY}@swift.example/v1/images/1"
            sender.notify({**message, "payload": {**message["payload"], "properties": deep}}, "INFO")
            sender.notify({**message, "payload": {**message["payload"], "locations": [{"url": url}]}}, "INFO")
            # The same as text, in the payload and in a field, which no structure marks (D73).
            as_text = json.dumps({"locations": [{"url": url, "metadata": {"k": CANARY}}], "task_input": CANARY})
            sender.notify({**message, "payload": {**message["payload"], "checksum": as_text}}, "INFO")
            sender.notify({**message, "payload": as_text}, "INFO")
            sender.notify(message, "INFO")
            deadline = time.monotonic() + 30
            while listener.tally.total < 5 and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            listener.stop()
    assert listener.tally.total == 5
    assert sum(listener.tally.invalid.values()) == 4
    written = [json.loads(line) for line in out_path.read_text(encoding="utf-8").splitlines()]
    assert len(written) == 4
    assert {v["rule"] for w in written for v in w["violations"]} >= {"depth", "forbidden"}
    assert CANARY not in out_path.read_text(encoding="utf-8")


class _Boom(RuntimeError):
    pass


def _boom(*args: Any, **kwargs: Any) -> Any:
    raise _Boom("boom")


class _TextBoom(str):
    """Text that oslo's JSON check writes (as its characters) but that fails when asked anything of its own."""

    __str__ = __repr__ = __format__ = lower = _boom


class _HashBoom(str):
    __hash__ = __eq__ = _boom  # type: ignore[assignment]


class _IntBoom(int):
    __str__ = __repr__ = __format__ = _boom


def test_the_listener_counts_a_producers_objects_that_the_embedded_broker_passes_as_they_are(tmp_path: Path) -> None:
    # fake:// checks that oslo could write the message, then hands the endpoint the very objects.
    config = NotifierConfig(drivers=("messagingv2",), transport_url=None, control_exchange="hostile-objects")
    message = next(samples("image.upload", "INFO", profile="seed", seed=4))
    payload = message["payload"]
    sent = [
        {**message, "event_type": _TextBoom("image.upload"), "message_id": "00000000-0000-4000-8000-000000000001"},
        {**message, "event_type": _HashBoom("image.upload"), "message_id": "00000000-0000-4000-8000-000000000002"},
        {**message, "message_id": _TextBoom("00000000-0000-4000-8000-000000000003")},
        {**message, "message_id": _HashBoom("00000000-0000-4000-8000-000000000004")},
        {**message, "message_id": "00000000-0000-4000-8000-000000000005", "payload": {**payload, "size": _IntBoom(1)}},
        {**message, "message_id": "00000000-0000-4000-8000-000000000006",
         "payload": {**payload, "name": _TextBoom(f"password={CANARY}"), "properties": {_TextBoom("k"): 1}}},
    ]  # fmt: skip
    out_path = tmp_path / "invalid.jsonl"
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep(level=logging.DEBUG)
    logging.getLogger().addHandler(handler)
    try:
        with out_path.open("a", encoding="utf-8") as out:
            listener = Listener(config, profile="seed", invalid_out=out)
            listener.start(timeout=30)
            try:
                sender = MessagingV2Driver(config)
                for one in sent:
                    sender.notify(one, "INFO")
                assert listener.wait_for(len(sent), timeout=30)
            finally:
                listener.stop()
    finally:
        logging.getLogger().removeHandler(handler)
    assert not [r.getMessage() for r in records if r.exc_info]  # oslo's "Callback raised an exception"
    assert listener.tally.total + listener.tally.duplicates == len(sent)
    assert CANARY not in listener.summary() + out_path.read_text(encoding="utf-8")


HOSTILE_PAYLOADS = st.recursive(
    st.one_of(st.none(), st.integers(), st.floats(), st.text(max_size=10),
              st.sampled_from(["\ud800", "x" * 50_000, float("nan"), i18n_message.Message("lazy"), b"\xff",
                               {1, 2}, (1, 2), object(), f"password={CANARY}"])),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=8,
)  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(HOSTILE_PAYLOADS, st.sampled_from(["strict", "warn"]))
def test_the_dropin_driver_sends_or_refuses_any_payload_and_never_raises_into_oslo(
    payload: Any, validation: str
) -> None:
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep(level=logging.DEBUG)
    logging.getLogger().addHandler(handler)
    try:
        _impl_test.reset()
        _dropin(validation).info({}, "image.upload", {"properties": {"x": payload}, "locations": f"rbd://{CANARY}"})
    finally:
        logging.getLogger().removeHandler(handler)
    lines = [r.getMessage() for r in records]
    assert not any(line.startswith("Problem") for line in lines)  # oslo's line for a driver that raised
    assert CANARY not in "\n".join(lines)
    assert len(_impl_test.NOTIFICATIONS) + sum("notification not sent" in line for line in lines) == 1


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(HOSTILE_PAYLOADS)
def test_the_messaging_driver_sends_or_refuses_any_payload(payload: Any) -> None:
    config = NotifierConfig(drivers=("messagingv2",), transport_url=None, control_exchange="hostile-send")
    message = next(samples("image.upload", "INFO", profile="seed", seed=3))
    notifier = Notifier("image.test", config=config, validation="warn")
    sent = notifier.send({**message, "payload": {**message["payload"], "properties": {"x": payload}}})
    if sent is not None:
        json.dumps(sent, allow_nan=False)  # what went to the broker is JSON
