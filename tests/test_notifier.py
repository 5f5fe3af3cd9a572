"""The Notifier: validation modes, driver isolation, disabled notifications, threads, configuration files."""

from __future__ import annotations

import collections
import copy
import json
import logging
import os
import re
import subprocess
import sys
import threading
import time
import tracemalloc
import types
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from support import CORPUS

from notify_schemas.config import NotifierConfig, is_disabled, load_config
from notify_schemas.drivers.memory import MemoryDriver
from notify_schemas.drivers.noop import NoopDriver
from notify_schemas.errors import ConfigError, DriverNotFoundError, InvalidNotificationError, UnknownVariantError
from notify_schemas.notifier import Notifier

CORPUS_MESSAGE = copy.deepcopy(
    next(g for g in CORPUS["seed"] if g["description"] == "seed image.update INFO")["tests"][0]["data"]
)
IMAGE = copy.deepcopy(CORPUS_MESSAGE["payload"])


class Failing:
    def notify(self, message: dict[str, Any], priority: str) -> None:
        raise ConnectionError("broker unreachable")


def test_info_sends_a_valid_message_through_every_driver() -> None:
    first, second = MemoryDriver(), MemoryDriver()
    message = Notifier("image.host1", drivers=[first, second]).info({}, "image.update", IMAGE)
    assert message is not None
    assert first.messages == second.messages == [message]
    assert message["publisher_id"] == "image.host1"
    assert message["priority"] == "INFO"


@pytest.mark.parametrize("how", ["names", "file"])
def test_a_driver_named_twice_sends_each_notification_once_as_oslo_does(
    caplog: pytest.LogCaptureFixture, tmp_path: Path, how: str
) -> None:
    # oslo.messaging loads each driver it is named once: Glance with "driver = log" written twice logs a notification
    # once; the Notifier loaded the driver twice and sent it twice (through messagingv2, two copies on the broker).
    conf = tmp_path / "glance-api.conf"
    conf.write_text("[oslo_messaging_notifications]\ndriver = log\ndriver = noop\ndriver = log\n")
    notifier = Notifier(drivers=["log", "noop", "log"]) if how == "names" else Notifier.from_config_file(str(conf))
    assert [type(d).__name__ for d in notifier.drivers] == ["LogDriver", "NoopDriver"]
    with caplog.at_level(logging.INFO, logger="oslo.messaging.notification"):
        notifier.info({}, "image.update", IMAGE)
    assert len([r for r in caplog.records if r.name.startswith("oslo.messaging.notification")]) == 1


def test_warn_and_error_send_text_at_their_priority() -> None:
    memory = MemoryDriver()
    notifier = Notifier(drivers=[memory])
    notifier.warn({}, "image.upload", "slow store")
    notifier.error({}, "task.failure", "conversion failed")
    assert [(m["event_type"], m["priority"]) for m in memory.messages] == [
        ("image.upload", "WARN"),
        ("task.failure", "ERROR"),
    ]


def test_strict_raises_before_any_driver_runs() -> None:
    memory = MemoryDriver()
    with pytest.raises(InvalidNotificationError) as info:
        Notifier(drivers=[memory]).info({}, "image.update", dict(IMAGE, locations=[{"url": "file:///x"}]))
    assert memory.messages == []
    assert any(v.pointer == "/payload" for v in info.value.violations)


def test_warn_logs_violations_with_the_message_and_still_sends(caplog: pytest.LogCaptureFixture) -> None:
    memory = MemoryDriver()
    with caplog.at_level(logging.WARNING, logger="notify_schemas.notifier"):
        message = Notifier(drivers=[memory], validation="warn").info({}, "image.update", dict(IMAGE, size=-5))
    assert memory.messages == [message]
    assert "/payload/size" in caplog.text
    assert message is not None
    assert message["message_id"] in caplog.text


def test_off_sends_without_checking() -> None:
    memory = MemoryDriver()
    Notifier(drivers=[memory], validation="off").info({}, "image.unknown", {"anything": True})
    assert len(memory.messages) == 1


def test_a_failing_driver_is_logged_and_stops_neither_the_others_nor_the_caller(
    caplog: pytest.LogCaptureFixture,
) -> None:
    memory = MemoryDriver()
    notifier = Notifier(drivers=[Failing(), memory])
    with caplog.at_level(logging.ERROR, logger="notify_schemas.notifier"):
        sent = [notifier.info({}, "image.update", IMAGE) for _ in range(50)]
    assert memory.messages == sent
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 50
    assert "Failing failed (ConnectionError: broker unreachable)" in errors[0].getMessage()
    assert sent[0] is not None
    assert sent[0]["message_id"] in caplog.text


class _Interrupting:
    """A driver stopped by what is no Exception: Ctrl-C, sys.exit, a green thread's timeout (a BaseException)."""

    def __init__(self, error: BaseException) -> None:
        self.error = error

    def notify(self, message: dict[str, Any], priority: str) -> None:
        raise self.error


class _Timeout(BaseException):
    """As eventlet's and gevent's Timeout: a BaseException, so that ``except Exception`` lets it through."""


@pytest.mark.parametrize("error", [KeyboardInterrupt(), SystemExit(3), GeneratorExit(), _Timeout("password=SECRET")])
@pytest.mark.parametrize("validation", ["strict", "warn", "off"])
def test_a_driver_interrupted_reaches_the_caller_with_what_it_left_unsent_logged(
    error: BaseException, validation: str, caplog: pytest.LogCaptureFixture
) -> None:
    # It reached the caller and the drivers after it did not run, with no line at all: a notification lost unsaid.
    before, after = MemoryDriver(), MemoryDriver()
    notifier = Notifier(drivers=[before, _Interrupting(error), after, "log"], validation=validation)
    with caplog.at_level(logging.ERROR, logger="notify_schemas.notifier"), pytest.raises(type(error)):
        notifier.info({}, "image.update", IMAGE)
    assert len(before.messages) == 1
    assert after.messages == []  # it stops as Python means it to: the rest is not sent
    lines = [r.getMessage() for r in caplog.records if r.name == "notify_schemas.notifier"]
    assert len(lines) == 1
    assert f"driver _Interrupting was interrupted ({type(error).__name__}" in lines[0]
    assert "(MemoryDriver, LogDriver)" in lines[0]
    assert before.messages[0]["message_id"] in lines[0]
    assert "SECRET" not in caplog.text


@pytest.mark.parametrize("disabled", [["image.update"], ["image"], ["task", "image.update"]])
def test_disabled_notifications_by_event_type_or_group(disabled: list[str]) -> None:
    memory = MemoryDriver()
    notifier = Notifier(drivers=[memory], disabled_notifications=disabled)
    assert notifier.info({}, "image.update", IMAGE) is None
    assert memory.messages == []


@pytest.mark.parametrize("validation", ["strict", "warn", "off"])
@pytest.mark.parametrize(
    "shape",
    [
        types.MappingProxyType,
        collections.UserDict,
        lambda m: {**m, "event_type": m["event_type"].encode()},  # bytes: sent as their text
    ],
)
def test_a_disabled_event_is_told_by_what_would_be_sent_whatever_the_message_is(shape: Any, validation: str) -> None:
    # Only a dict's text event type was looked at: a mapping of another kind, or an event type that goes out as
    # text (bytes), was sent though its event type was disabled.
    memory = MemoryDriver()
    message = {**CORPUS_MESSAGE, "event_type": "image.update", "payload": IMAGE}
    notifier = Notifier(drivers=[memory], disabled_notifications=["image"], validation=validation)  # type: ignore[arg-type]
    assert notifier.send(shape(message)) is None
    assert notifier.info({}, b"image.update", IMAGE) is None  # type: ignore[arg-type]
    assert memory.messages == []
    kept = Notifier(drivers=[memory], disabled_notifications=["task"], validation=validation)  # type: ignore[arg-type]
    assert kept.send(shape(message)) == message
    assert memory.messages == [message]


def test_a_group_does_not_disable_other_groups_with_the_same_prefix() -> None:
    assert is_disabled("image.member.create", ["image"])
    assert not is_disabled("image.update", ["image.member"])
    assert not is_disabled("images.update", ["image"])


def test_prepare_changes_the_publisher_and_keeps_the_drivers() -> None:
    memory = MemoryDriver()
    notifier = Notifier("image.a", drivers=[memory])
    other = notifier.prepare(publisher_id="image.b")
    other.info({}, "image.update", IMAGE)
    notifier.info({}, "image.update", IMAGE)
    assert [m["publisher_id"] for m in memory.messages] == ["image.b", "image.a"]


def test_a_notifier_prepared_for_each_of_many_publishers_holds_no_more_as_it_goes() -> None:
    from notify_schemas.validation import _publisher_id_is_valid  # the cache behind publisher_id_is_valid

    memory = MemoryDriver()
    notifier = Notifier("image.a", drivers=[memory])
    for i in range(3000):  # a publisher per request, as a server may prepare one per host or worker
        notifier.prepare(publisher_id=f"image.{i:0240}").info({}, "image.update", IMAGE)
    assert len(memory.messages) == 3000
    assert _publisher_id_is_valid.cache_info().currsize <= 256  # each id checked is remembered, but not for ever


def test_eight_threads_lose_nothing_and_never_reuse_an_id() -> None:
    memory = MemoryDriver()
    notifier = Notifier(drivers=[memory])
    barrier = threading.Barrier(8)

    def work() -> None:
        barrier.wait()
        for _ in range(10_000):
            notifier.info({}, "image.update", IMAGE)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(memory.messages) == 80_000
    assert len({m["message_id"] for m in memory.messages}) == 80_000


class _Seen:
    """A driver that writes down what each message holds when it is handed over."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def notify(self, message: dict[str, Any], priority: str) -> None:
        self.texts.append(json.dumps(message))


@pytest.mark.parametrize("send", ["info", "send"])
@pytest.mark.parametrize("backend", ["rust", "python"])
def test_a_payload_another_thread_changes_is_sent_as_it_was_judged(backend: str, send: str) -> None:
    # A payload of exact JSON types was judged, then handed to the drivers as the producer's own dict: a thread that
    # put locations in meanwhile had them sent in strict mode (hundreds of times in five seconds).
    seen = _Seen()
    notifier = Notifier("image.host1", drivers=[seen], validation="strict", backend=backend)  # type: ignore[arg-type]
    payload = copy.deepcopy(IMAGE)
    message = {**CORPUS_MESSAGE, "payload": payload}
    stop = threading.Event()

    def meddle() -> None:
        while not stop.is_set():
            payload["locations"] = [{"url": "swift://glance:CANARY@swift.example/c/o"}]
            time.sleep(0)
            del payload["locations"]
            time.sleep(0)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    meddler = threading.Thread(target=meddle)
    meddler.start()
    refused = 0
    try:
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            try:
                notifier.info({}, "image.update", payload) if send == "info" else notifier.send(message)
            except InvalidNotificationError:
                refused += 1
    finally:
        stop.set()
        meddler.join()
        sys.setswitchinterval(interval)
    assert refused  # the thread was seen
    assert seen.texts  # and messages went out
    assert not [text for text in seen.texts if "CANARY" in text]


_GREEN_MEDDLER = """
import json, sys, warnings
warnings.simplefilter("ignore")
import eventlet
eventlet.monkey_patch()  # before the package is imported, as Glance does
from notify_schemas import Notifier
from notify_schemas.drivers.memory import MemoryDriver

backend, send, where = sys.argv[1:4]
message = json.loads(sys.argv[4])
payload = message["payload"]

class Sends:  # as a messaging driver does: it waits on its socket, and other green threads run meanwhile
    def notify(self, message, priority):
        eventlet.sleep(0)

def meddle():
    payload["locations"] = [{"url": "swift://glance:CANARY@swift.example/c/o"}]

def produce():
    meddler = eventlet.spawn(meddle)  # runs at the first wait: inside the first driver
    if send == "info":
        notifier.info({}, "image.update", payload)
    else:
        notifier.send(message)
    meddler.wait()

memory = MemoryDriver()
notifier = Notifier("image.host1", drivers=[Sends(), memory], backend=backend)
produce() if where == "main" else eventlet.spawn(produce).wait()
print(json.dumps(memory.messages))
"""


@pytest.mark.parametrize("where", ["main", "green"])
@pytest.mark.parametrize("send", ["info", "send"])
@pytest.mark.parametrize("backend", ["rust", "python"])
def test_a_payload_a_green_thread_changes_while_a_driver_waits_is_sent_as_it_was_judged(
    backend: str, send: str, where: str
) -> None:
    # Under eventlet, as Glance runs, no second Python thread runs, so the producer's own dict was judged and handed
    # to the drivers: a green thread that put locations in while the first driver waited on its socket had them sent
    # to the drivers after it, in strict mode.
    message = {**CORPUS_MESSAGE, "payload": IMAGE}
    done = subprocess.run(
        [sys.executable, "-c", _GREEN_MEDDLER, backend, send, where, json.dumps(message)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    sent = json.loads(done.stdout)
    assert len(sent) == 1
    assert sent[0]["payload"] == IMAGE


def test_unknown_profile_and_driver_fail_at_construction() -> None:
    with pytest.raises(UnknownVariantError, match="known profiles"):
        Notifier(profile="nova")
    with pytest.raises(DriverNotFoundError, match="installed: log, memory, messaging, messagingv2, noop"):
        Notifier(drivers=["rabbit"])


GLANCE_API_CONF = """\
[DEFAULT]
bind_port = 9292
default_publisher_id = image.glance-api-7
disabled_notifications = image.member, task.run
workers = 4

[oslo_messaging_notifications]
# Glance operators list one driver per line
driver = log
driver = memory
topics = notifications, audit
retry = 3

[glance_store]
stores = file,http
default_store = file
filesystem_store_datadir = /var/lib/glance/images/%(not_interpolated)s
"""


def test_a_glance_operators_config_file_works_as_is(tmp_path: Path) -> None:
    path = tmp_path / "glance-api.conf"
    path.write_text(GLANCE_API_CONF)
    config = load_config(path)
    assert config == NotifierConfig(
        drivers=("log", "memory"),
        publisher_id="image.glance-api-7",
        disabled_notifications=("image.member", "task.run"),
        topics=("notifications", "audit"),
        retry=3,
    )
    notifier = Notifier.from_config_file(str(path))
    assert notifier.publisher_id == "image.glance-api-7"
    assert [type(d).__name__ for d in notifier.drivers] == ["LogDriver", "MemoryDriver"]
    assert notifier.info({}, "image.member.create", {}) is None


def test_a_config_file_is_read_as_oslo_config_reads_it(tmp_path: Path) -> None:
    # oslo.config parts an option from its value at the first "=" or ":", takes the quotes off the value and keeps
    # the option's case: "driver: log" was read as no driver at all (the Notifier sent through noop what oslo would
    # have logged), and a quoted publisher id, driver name, URL or retry kept its quotes.
    path = tmp_path / "glance-api.conf"
    path.write_text(
        '[DEFAULT]\ndefault_publisher_id = "image.glance-api-7"\nDisabled_Notifications = task\n\n'
        "[oslo_messaging_notifications]\ndriver: log\ndriver = 'memory'\n"
        'transport_url: "rabbit://glance:secret@rabbit1:5672/"\nretry = "3"\n'
    )
    assert load_config(path) == NotifierConfig(
        drivers=("log", "memory"),
        publisher_id="image.glance-api-7",
        transport_url="rabbit://glance:secret@rabbit1:5672/",
        retry=3,
    )


def test_transport_url_falls_back_to_default_as_in_oslo(tmp_path: Path) -> None:
    path = tmp_path / "glance.conf"
    path.write_text("[DEFAULT]\ntransport_url = rabbit://guest:guest@localhost:5672/\n")
    config = load_config(path)
    assert config.transport_url == "rabbit://guest:guest@localhost:5672/"
    assert config.drivers == ("noop",)


def test_bad_config_files_get_one_line_errors_naming_the_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"missing\.conf: no such configuration file"):
        load_config(tmp_path / "missing.conf")
    broken = tmp_path / "broken.conf"
    broken.write_text("no section header\n")
    with pytest.raises(ConfigError, match=r"broken\.conf") as info:
        load_config(broken)
    assert "\n" not in str(info.value)
    retry = tmp_path / "retry.conf"
    retry.write_text("[oslo_messaging_notifications]\nretry = often\n")
    with pytest.raises(ConfigError, match="retry must be an integer"):
        load_config(retry)


@settings(max_examples=60, deadline=None)
@given(
    lines=st.lists(st.text(st.characters(codec="ascii", exclude_characters="\r\n"), min_size=1, max_size=12),
                   min_size=1, max_size=8),
    ends=st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=8, max_size=8),
    at=st.integers(0, 7),
    byte=st.sampled_from([b"\xe9", b"\xff", b"\xc3(", b"\x80"]),
)  # fmt: skip
def test_a_config_file_that_is_not_utf8_is_named_by_the_line_of_its_first_such_byte(
    tmp_path_factory: pytest.TempPathFactory, lines: list[str], ends: list[str], at: int, byte: bytes
) -> None:
    # It said "not UTF-8 text: it holds the byte 0xe9" and no line, where every other fault of the file is named by
    # its line. (Each line holds a character, so that a CR ending one and an LF ending the next are not one CRLF.)
    at = min(at, len(lines) - 1)
    data = b"".join(line.encode() + (byte if n == at else b"") + ends[n].encode() for n, line in enumerate(lines))
    path = tmp_path_factory.mktemp("conf") / "glance-api.conf"
    path.write_bytes(b"[DEFAULT]\n" + data)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value) == f"{path}: line {at + 2}: not UTF-8 text: it holds the byte 0x{byte[0]:02x}"


@pytest.mark.parametrize("value", ["noop, log", "log,", "'log, memory'", ",log", "messagingv2,log"])
def test_a_driver_line_that_lists_drivers_is_an_error_as_oslo_loads_none_of_them(tmp_path: Path, value: str) -> None:
    # The option is a MultiStrOpt: oslo.messaging reads "noop, log" as the name of one driver, which no driver has,
    # and Glance sends nothing through it; the line was split at its commas and the file judged to send through both.
    conf = tmp_path / "glance-api.conf"
    conf.write_text(f"[DEFAULT]\n[oslo_messaging_notifications]\ndriver = memory\ndriver = {value}\n")
    with pytest.raises(ConfigError) as info:
        load_config(conf)
    said = str(info.value)
    assert said.startswith(f"{conf}: line 4: [oslo_messaging_notifications] driver names one driver a line: ")
    assert "\n" not in said


@pytest.mark.parametrize(
    ("text", "said"),
    [("[DEFAULT]\ndisabled_notifications = {names}\n", "[DEFAULT] disabled_notifications lists more than 10,000"),
     ("[oslo_messaging_notifications]\ntopics = {names}\n", "[oslo_messaging_notifications] topics lists more than"),
     ("[oslo_messaging_notifications]\n{driver_lines}", "[oslo_messaging_notifications] driver lists more than")],
)  # fmt: skip
def test_a_config_file_listing_too_many_names_is_a_config_error_naming_the_option(
    tmp_path: Path, text: str, said: str
) -> None:
    # A TypeError of NotifierConfig ("topics must be a list of at most 10,000 items") came out of load_config, and
    # out of the command line as a traceback, exit 1.
    names = [f"x{n}" for n in range(10_001)]
    conf = tmp_path / "glance-api.conf"
    conf.write_text(text.format(names=",".join(names), driver_lines="".join(f"driver = {n}\n" for n in names)))
    with pytest.raises(ConfigError, match=rf"^{re.escape(str(conf))}: {re.escape(said)}"):
        load_config(conf)


def test_a_driver_named_on_many_lines_is_one_driver(tmp_path: Path) -> None:
    # As oslo.messaging loads it; 20,000 lines of it were 20,000 names, past what a list of drivers holds.
    conf = tmp_path / "glance-api.conf"
    conf.write_text("[oslo_messaging_notifications]\n" + "driver = log\ndriver = memory\n" * 10_000)
    assert load_config(conf).drivers == ("log", "memory")


@pytest.mark.parametrize("topics", ["", ",", '""'])
@pytest.mark.parametrize("driver", ["log", "messagingv2"])
def test_a_file_that_lists_no_topic_is_read_as_oslo_reads_it(tmp_path: Path, topics: str, driver: str) -> None:
    # oslo.config reads "topics =" as no topic, and oslo.messaging then sends every notification to none, in silence;
    # it was read as the default topic, notifications, and the Notifier sent where Glance would not. A driver that
    # sends to topics now refuses none, naming the option; one that does not (log) is unaffected.
    conf = tmp_path / "glance-api.conf"
    conf.write_text(f"[oslo_messaging_notifications]\ndriver = {driver}\ntopics = {topics}\ntransport_url = fake://\n")
    assert load_config(conf).topics == ()
    if driver == "log":
        assert Notifier.from_config_file(str(conf)).info({}, "image.update", IMAGE) is not None
    else:
        with pytest.raises(
            ConfigError, match=r"glance-api\.conf: \[oslo_messaging_notifications\] topics lists no topic"
        ):
            Notifier.from_config_file(str(conf))


def _through_a_pipe(text: str, **overrides: Any) -> NotifierConfig:
    """``load_config`` of a pipe that holds ``text``, as ``--config-file <(...)`` names it (/dev/fd/N)."""
    read, write = os.pipe()
    os.write(write, text.encode())
    os.close(write)
    try:
        return load_config(f"/dev/fd/{read}", **overrides)
    finally:
        os.close(read)


@pytest.mark.parametrize("line_end", ["\n", "\r\n", "\r"])
def test_a_config_file_is_read_once_so_a_pipe_gives_every_option(tmp_path: Path, line_end: str) -> None:
    # The drivers were read in a second pass over the file, which a pipe had given already: they were lost, and the
    # Notifier sent through noop alone, in silence.
    text = line_end.join(["[DEFAULT]", "default_publisher_id = image.piped", "[oslo_messaging_notifications]",
                          "driver = log", "driver = memory", ""])  # fmt: skip
    (tmp_path / "plain.conf").write_bytes(text.encode())
    piped = _through_a_pipe(text)
    assert piped == load_config(tmp_path / "plain.conf")
    assert (piped.drivers, piped.publisher_id) == (("log", "memory"), "image.piped")


@pytest.mark.parametrize("driver", ["log", "messagingv2"])
def test_a_pipe_is_refused_where_oslo_messaging_would_read_it_again(driver: str) -> None:
    # oslo.messaging reads its own options ([oslo_messaging_rabbit]) from the file when it makes the transport: from a
    # pipe, they would be lost in silence. Only there: a file whose drivers make no transport (Glance's, whose
    # [DEFAULT] transport_url is its RPC broker's) was refused too, as soon as it was read.
    read, write = os.pipe()
    os.write(write, ("[DEFAULT]\ntransport_url = fake://\ndefault_publisher_id = image.piped\n"
                     f"[oslo_messaging_notifications]\ndriver = {driver}\n").encode())  # fmt: skip
    os.close(write)
    try:
        if driver == "log":
            assert Notifier.from_config_file(f"/dev/fd/{read}").publisher_id == "image.piped"
        else:
            with pytest.raises(ConfigError, match="a pipe does not give twice: name a file") as info:
                Notifier.from_config_file(f"/dev/fd/{read}")
            assert "\n" not in str(info.value)
    finally:
        os.close(read)


def test_a_config_file_without_end_is_refused_after_a_bounded_read() -> None:
    # /dev/zero is one line without end: configparser held it whole until the process was killed for its memory.
    tracemalloc.start()
    try:
        with pytest.raises(ConfigError, match=r"^/dev/zero: longer than 16,777,216 bytes: no configuration file$"):
            load_config("/dev/zero")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 200 * 1024 * 1024


@pytest.mark.parametrize(
    "value",
    [
        "swift://user:CANARY" + "x" * 30 + "@host/c/o",  # a URL whose @ comes after the 40 characters shown
        "password='CANARY" + "x" * 40 + "'",  # a quoted secret whose closing quote comes after them
        "'admin_password': 'CANARY'",  # quotes that repr() escapes
    ],
)
def test_a_bad_retry_is_quoted_masked_whole_before_it_is_cut(tmp_path: Path, value: str) -> None:
    retry = tmp_path / "retry.conf"
    retry.write_text(f"[oslo_messaging_notifications]\nretry = {value}\n")
    with pytest.raises(ConfigError, match="retry must be an integer") as info:
        load_config(retry)
    assert "CANARY" not in str(info.value)


@pytest.mark.parametrize(
    "header",
    [
        "[oslo_messaging_notifications]            # was: messagingv2",  # a comment after the header
        "[DEFAULT] ; the defaults",
        "[oslo_messaging_notifications]x",
    ],
)
def test_a_section_header_oslo_config_refuses_is_an_error(tmp_path: Path, header: str) -> None:
    """oslo.config refuses the whole file ('Invalid section (must end with ])'), so Glance would not start with it;
    configparser took the section's name before the ] and the driver lines were looked for in another section, so
    the Notifier sent through noop what the file named."""
    path = tmp_path / "glance-api.conf"
    path.write_text(f"{header}\ndriver = log\ndefault_publisher_id = image.x\n")
    with pytest.raises(ConfigError, match=r"glance-api\.conf: line 1: a \[section\] header must end with \]") as info:
        load_config(path)
    assert "\n" not in str(info.value)


def test_a_section_name_keeps_its_spaces_as_in_oslo_config(tmp_path: Path) -> None:
    """'[ oslo_messaging_notifications ]' is a section of another name to oslo.config: its options are not the
    notifications', the driver lines no more than the others."""
    path = tmp_path / "glance-api.conf"
    path.write_text("[ oslo_messaging_notifications ]\ndriver = log\ntransport_url = fake://\n")
    config = load_config(path)
    assert (config.drivers, config.transport_url) == (("noop",), None)


class _Handler(logging.Handler):
    def __init__(self, emit: Any) -> None:
        super().__init__(logging.DEBUG)
        self.emit = emit  # type: ignore[method-assign]


@pytest.mark.parametrize(
    ("validation", "payload"), [("strict", IMAGE), ("warn", IMAGE), ("warn", dict(IMAGE, size=-5))]
)
def test_a_logging_handler_that_notifies_or_raises_never_reaches_the_caller(
    validation: str, payload: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    # A handler of the package's logger that notifies through the same Notifier, whose driver fails (or whose
    # notification is invalid, in warn mode), made each failure log again: RecursionError reached the caller. A
    # handler that raised sent its error out of info(), and the drivers after the failing one sent nothing.
    logger = logging.getLogger("notify_schemas")
    memory = MemoryDriver()
    notifier = Notifier("image.host1", drivers=[Failing(), memory], validation=validation)  # type: ignore[arg-type]
    handled: list[str] = []

    def notifies(record: logging.LogRecord) -> None:
        handled.append(record.getMessage())
        notifier.info({}, "image.update", payload)

    def raises(record: logging.LogRecord) -> None:
        raise ValueError("handler down: password=CANARY-7a1")

    level = logger.level
    logger.setLevel(logging.DEBUG)
    try:
        for emit in (notifies, raises):
            handler = _Handler(emit)
            logger.addHandler(handler)
            try:
                started = time.monotonic()
                message = notifier.info({}, "image.update", payload)
                assert time.monotonic() - started < 10
            finally:
                logger.removeHandler(handler)
            assert message is not None
            assert memory.messages[-1] is message or memory.messages[-1] == message
    finally:
        logger.setLevel(level)
    err = capsys.readouterr().err
    assert handled  # the handler was given the Notifier's lines, and notified
    assert "a logging handler failed: ValueError: handler down: password=***" in err
    assert "CANARY-7a1" not in err
    assert all(line.startswith("notify-schemas: ") for line in err.splitlines())


@pytest.mark.parametrize(
    ("validation", "payload", "said"),
    [
        ("strict", IMAGE, "driver Failing failed (ConnectionError: broker unreachable)"),
        ("warn", dict(IMAGE, size=-5), "sending an invalid notification"),
        ("warn", dict(IMAGE, size=float("nan")), "notification not sent: it cannot be written as a JSON object"),
        ("off", dict(IMAGE, size=object()), "notification not sent: it cannot be written as a JSON object"),
    ],
)
def test_a_line_a_raising_handler_did_not_take_is_written_to_stderr_with_its_error(
    validation: str, payload: dict[str, Any], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # A handler of the package's logger that raised had its error written to stderr, and the line it was given
    # nowhere: neither the handlers after it (the root's log file) nor stderr got the word of a notification that a
    # driver had not sent, or that was not sent at all.
    logger = logging.getLogger("notify_schemas")
    secret = "swift://glance:CANARY-77e@swift.example/c/o"
    payload = {**payload, "name": secret}
    notifier = Notifier("image.host1", drivers=[Failing(), MemoryDriver()], validation=validation)  # type: ignore[arg-type]

    def raises(record: logging.LogRecord) -> None:
        raise ValueError("handler down: password=CANARY-7a1")

    handler = _Handler(raises)
    logger.addHandler(handler)
    try:
        notifier.info({}, "image.update", payload)
    finally:
        logger.removeHandler(handler)
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if said in line]
    assert len(lines) == 1, err
    assert lines[0].startswith("notify-schemas: a logging handler failed: ValueError: handler down: password=***; ")
    assert "CANARY" not in err
    assert all(line.startswith("notify-schemas: ") for line in err.splitlines())


@pytest.mark.parametrize("error", [KeyboardInterrupt(), _Timeout("password=CANARY-4c1")])
@pytest.mark.parametrize(
    ("validation", "payload", "left"),
    [("strict", IMAGE, "(MemoryDriver)"), ("warn", dict(IMAGE, size=-5), "(Failing, MemoryDriver)")],
)
def test_a_logging_handler_interrupted_reaches_the_caller_with_what_was_left_unsent_said(
    error: BaseException, validation: str, payload: dict[str, Any], left: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # A handler interrupted by what is no Exception (eventlet's Timeout while it waits on its socket, Ctrl-C) as it
    # took the line of a driver that failed, or the warning that an invalid notification is sent, stopped the drivers
    # not yet run, and no line said so, nor was the line it was given anywhere: the notification was lost unsaid.
    logger = logging.getLogger("notify_schemas")
    memory = MemoryDriver()
    notifier = Notifier("image.host1", drivers=[Failing(), memory], validation=validation)  # type: ignore[arg-type]

    def interrupted(record: logging.LogRecord) -> None:
        raise error

    handler = _Handler(interrupted)
    logger.addHandler(handler)
    try:
        with pytest.raises(type(error)):
            notifier.info({}, "image.update", payload)
    finally:
        logger.removeHandler(handler)
    assert memory.messages == []  # it stops as Python means it to: the rest is not sent
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"notify-schemas: a logging handler was interrupted: {type(error).__name__}")
    assert lines[1].startswith(f"notify-schemas: ERROR logging was interrupted ({type(error).__name__}")
    assert f"notification not sent through the drivers left {left}: " in lines[1]
    assert json.loads(lines[1].split(f"{left}: ", 1)[1])["payload"] == payload
    assert "CANARY" not in "".join(lines)


_THREADS_TO_STDERR = """
import json, logging, sys, threading
from notify_schemas import Notifier
from notify_schemas.drivers.memory import MemoryDriver

class Failing:
    def notify(self, message, priority):
        raise ConnectionError("broker unreachable")

class Raises(logging.Handler):
    def emit(self, record):
        raise ValueError("handler down")

logging.getLogger("notify_schemas").addHandler(Raises())
payload = json.loads(sys.argv[1])
notifier = Notifier("image.host1", drivers=[Failing(), MemoryDriver()])
barrier = threading.Barrier(8)

def work():
    barrier.wait()
    for _ in range(200):
        notifier.info({}, "image.update", payload)

threads = [threading.Thread(target=work) for _ in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
"""


def test_the_lines_threads_write_to_stderr_at_once_come_out_whole() -> None:
    # stderr takes a line longer than 8 KiB in pieces: the lines of threads that wrote at once came out cut into each
    # other on a pipe (14 of 1,600), each piece a line that no one wrote, the notification in none of them whole.
    payload = {**IMAGE, "properties": {f"k{i}": "v" * 200 for i in range(40)}}
    done = subprocess.run(
        [sys.executable, "-c", _THREADS_TO_STDERR, json.dumps(payload)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    whole = re.compile(
        r"notify-schemas: a logging handler failed: ValueError: handler down; ERROR driver Failing failed "
        r"\(ConnectionError: broker unreachable\); notification not sent through it: (\{.*\})"
    )
    lines = done.stderr.splitlines()
    assert len(lines) == 1600
    for line in lines:
        found = whole.fullmatch(line)
        assert found, line[:200]
        assert json.loads(found.group(1))["payload"] == payload


_GREEN_THREADS = """
import collections, json, logging, sys, warnings
from notify_schemas import Notifier  # imported first, as a module that imports it early does
from notify_schemas.drivers.memory import MemoryDriver
warnings.simplefilter("ignore")
import eventlet
eventlet.monkey_patch()

payload = json.loads(sys.argv[1])
lines = collections.Counter()

class Yielding(logging.Handler):  # as a handler that writes to a socket does under eventlet
    def emit(self, record):
        eventlet.sleep(0)
        lines[record.name] += 1

class Failing:
    def notify(self, message, priority):
        eventlet.sleep(0)
        raise ConnectionError("broker unreachable")

logging.getLogger().addHandler(Yielding())
logging.getLogger().setLevel(logging.INFO)
memory = MemoryDriver()
notifier = Notifier("image.host1", drivers=[Failing(), memory, "log"], validation="warn")

def work():
    for _ in range(50):
        notifier.info({}, "image.update", payload)

for green in [eventlet.spawn(work) for _ in range(10)]:
    green.wait()
print(json.dumps([len({m["message_id"] for m in memory.messages}), lines]))
"""


def test_green_threads_log_every_line_through_the_handlers_when_eventlet_patches_late() -> None:
    # The mark that a thread is logging a line of the Notifier's was a threading.local: made before
    # eventlet.monkey_patch(), it is one for every green thread, and while a handler yielded, every other green
    # thread's line went to stderr instead of through the handlers (1,900 of 2,000 lines).
    payload = json.dumps(dict(IMAGE, size=-5))
    done = subprocess.run(
        [sys.executable, "-c", _GREEN_THREADS, payload], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    sent, lines = json.loads(done.stdout)
    assert sent == 500
    assert lines == {"notify_schemas.notifier": 1000, "oslo.messaging.notification.image.update": 500}
    assert "notify-schemas:" not in done.stderr


@pytest.mark.parametrize("header", ["Oslo_Messaging_Notifications", "OSLO_MESSAGING_NOTIFICATIONS"])
def test_the_notifications_section_is_named_in_any_case_as_in_oslo_config(tmp_path: Path, header: str) -> None:
    """oslo.config lowers the name of every section but DEFAULT, so '[OSLO_MESSAGING_NOTIFICATIONS]' is the
    notifications' section: its drivers were looked for under the name as written, and the Notifier sent through noop
    what Glance would have logged."""
    path = tmp_path / "glance-api.conf"
    path.write_text(
        f"[{header}]\ndriver = log\ntopics = audit\nretry = 4\n[oslo_messaging_notifications]\ndriver = memory\n"
    )
    config = load_config(path)
    assert (config.drivers, config.topics, config.retry) == (("log", "memory"), ("audit",), 4)


def test_topics_and_retry_are_not_taken_from_the_default_section(tmp_path: Path) -> None:
    """oslo.messaging reads topics and retry from [oslo_messaging_notifications] alone, and only the transport URL
    falls back to [DEFAULT]'s: configparser's inheritance of [DEFAULT] sent the notifications to the topic a
    [DEFAULT] topics named, which Glance's consumers on 'notifications' never get."""
    path = tmp_path / "glance-api.conf"
    for notifications in ("", "[oslo_messaging_notifications]\ndriver = log\ntransport_url =\n"):
        path.write_text(f"[DEFAULT]\ntopics = other\nretry = often\ntransport_url = fake://\n{notifications}")
        config = load_config(path)
        assert (config.topics, config.retry, config.transport_url) == (NotifierConfig().topics, -1, "fake://")


_KEYS = ["driver", "transport_url", "topics", "retry", "default_publisher_id", "disabled_notifications",
         "control_exchange", "Driver", "TOPICS", "other"]  # fmt: skip
_REFERENCES = ["$topics", "${retry}", "$control_exchange", "$oslo_messaging_notifications.topics", "$transport_url",
               "$DEFAULT.control_exchange", "$other", "$default_publisher_id", "$oslo_messaging_notifications.driver",
               "$$", "\\$", "$", "${", "$retry."]  # fmt: skip
_VALUE = st.lists(
    st.one_of(st.text("abc019._/@", min_size=1, max_size=4),
              st.sampled_from([",", " ", "'", '"', "#", ";", ":", "=", "[", "]", "-", "\t", "\x85", "\xa0"]),
              st.sampled_from(_REFERENCES)),
    max_size=6,
).map("".join)  # fmt: skip
_HEADER = st.sampled_from(["[DEFAULT]", "[oslo_messaging_notifications]", "[OSLO_Messaging_Notifications]"])
_ASSIGNMENT = st.builds(lambda key, sep, value: f"{key}{sep}{value}", st.sampled_from(_KEYS),
                        st.sampled_from(["=", " = ", ":", " : ", "= ", " ="]), _VALUE)  # fmt: skip
_LINE = st.one_of(
    _ASSIGNMENT,
    _HEADER,
    st.builds(lambda indent, value: indent + value, st.sampled_from([" ", "\t", "   "]), _VALUE),
    st.sampled_from(["", "# a comment", "; a comment", "[default]", "[ DEFAULT ]", "[other]"]),
    st.sampled_from(["[DEFAULT] # c", "[]", "  # indented", "\xa0driver = log", "x"]),
)  # fmt: skip


_VARIABLES = [f"OS_{group}__{option}" for group, options in
              (("DEFAULT", ["DEFAULT_PUBLISHER_ID", "DISABLED_NOTIFICATIONS", "CONTROL_EXCHANGE", "TRANSPORT_URL"]),
               ("OSLO_MESSAGING_NOTIFICATIONS", ["DRIVER", "TRANSPORT_URL", "TOPICS", "RETRY"]))
              for option in options] + ["os_default__control_exchange", "OS_OTHER__TOPICS", "OS_DEFAULT__OTHER",
                                        "OS_Oslo_Messaging_Notifications__TOPICS"]  # fmt: skip
_ENVIRONMENT = st.dictionaries(
    st.sampled_from(_VARIABLES),
    st.one_of(_VALUE, st.sampled_from(["", " 7 ", "log", "  a, ,b,", "'x'", "fake://u:p@h/", "\udcff", "x\udc80"])),
    max_size=4,
)  # fmt: skip
"""Environments oslo.config reads options from: its variables, and names it does not read (other case, other
group, other option); values as a file's, with what only the environment gives (spaces and quotes kept, bytes that
are not UTF-8, which Python holds as lone surrogates)."""


def _as_oslo_reads(path: Path) -> dict[str, Any]:
    """The options of ``path`` and of the environment as real oslo.config gives them to Glance and oslo.messaging:
    the options registered as they register them (oslo.messaging's own, copied so that Glance's control exchange is
    set on the copy alone), the transport URL as oslo.messaging falls back from [oslo_messaging_notifications] to
    [DEFAULT]."""
    from oslo_config import cfg
    from oslo_messaging import transport as oslo_transport
    from oslo_messaging.notify import notifier as oslo_notifier

    transport_opts = copy.deepcopy(oslo_transport._transport_opts)
    cfg.set_defaults(transport_opts, control_exchange="glance")  # as Glance sets it
    conf = cfg.ConfigOpts()
    # glance/notifier.py's
    conf.register_opts([cfg.StrOpt("default_publisher_id", default="image.localhost"),
                        cfg.ListOpt("disabled_notifications", default=[])])  # fmt: skip
    conf.register_opts(transport_opts)
    conf.register_opts(copy.deepcopy(oslo_notifier._notifier_opts), group="oslo_messaging_notifications")
    conf([], project="notify-schemas-test", default_config_files=[str(path)], default_config_dirs=[])
    notifications = conf.oslo_messaging_notifications
    given_at = (cfg.Locations.user, cfg.Locations.environment)
    # [DEFAULT]'s only where the notifications' is empty: oslo.messaging does not ask for it otherwise
    url = notifications.transport_url
    url = url or (conf.get_location("transport_url").location in given_at and conf.transport_url)
    return {"publisher_id": conf.default_publisher_id, "control_exchange": conf.control_exchange,
            "disabled_notifications": tuple(conf.disabled_notifications), "drivers": list(notifications.driver),
            "transport_url": url or None,
            "topics": tuple(notifications.topics), "retry": notifications.retry}  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(
    lines=st.lists(_LINE, max_size=14).flatmap(lambda lines: _HEADER.map(lambda header: [header, *lines])),
    crlf=st.booleans(),
    environment=st.one_of(st.just({}), _ENVIRONMENT),
)
def test_a_config_file_reads_as_real_oslo_config_reads_it(
    tmp_path_factory: pytest.TempPathFactory, lines: list[str], crlf: bool, environment: dict[str, str]
) -> None:
    # configparser read the file otherwise than oslo.config: a value across a blank line, a comment line inside a
    # value, a line that starts with a no-break space as a continuation, a driver named on two lines as the first, a
    # file's lines parted at \x85 too (a topics value holding "\x85driver = log" sent through log), "topics = a, ,b"
    # without its empty name, "control_exchange =" as glance, and $name, $$ and \$ left as written (a password
    # written pa$$word, which Glance sends as pa$word, was sent as written, and refused). Each option the package
    # reads is now what oslo.config gives Glance, or the file is refused with one line naming it where oslo.config
    # raises; a $name that is none of the notifications' options is refused (oslo.config looks it up among the
    # service's own, which only the service knows), and so is a driver line that oslo.messaging loads nothing of.
    # The environment's variables (OS_DEFAULT__CONTROL_EXCHANGE, ...), which oslo.config reads in place of the file's
    # options, were not read: Glance sent to the exchange, the topics, the drivers they name, the package elsewhere.
    path = tmp_path_factory.mktemp("conf") / "glance-api.conf"
    path.write_bytes(("\r\n" if crlf else "\n").join(lines).encode())
    with mock.patch.dict(os.environ, environment):
        try:
            expected: dict[str, Any] | None = _as_oslo_reads(path)
        except Exception:  # what oslo.config raises at start (the file) or when Glance asks for the option
            expected = None
        if expected is not None and any("," in name or "\n" in name for name in expected["drivers"]):
            expected = None  # a driver no line names: refused (oslo.messaging loads none)
        if expected is not None and expected["drivers"] and "OS_OSLO_MESSAGING_NOTIFICATIONS__DRIVER" in environment:
            expected = None  # the environment's, read letter by letter: refused (oslo.messaging loads none)
        if not all(_is_utf8(value) for name, value in environment.items() if name in _VARIABLES[:8]):
            expected = None  # bytes that are not UTF-8 in a variable of the package's options: refused, as a file
        try:
            config: NotifierConfig | None = load_config(path)
        except ConfigError as error:
            said = str(error)
            assert said.startswith((f"{path}: line ", f"{path}: [", f"{path}: environment variable OS_")), said
            assert "\n" not in said
            config = None
    event("refused" if expected is None else "read")
    if expected is None:
        assert config is None, f"oslo.config refuses {lines!r}"
        return
    assert config is not None, f"oslo.config reads {lines!r} as {expected}"
    expected["drivers"] = tuple(dict.fromkeys(name for name in expected["drivers"] if name)) or ("noop",)
    expected["retry"] = -1 if expected["retry"] is None else expected["retry"]  # None: oslo.messaging's -1
    assert {name: getattr(config, name) for name in expected} == expected


def test_the_environment_gives_an_option_over_the_file_and_a_cli_option_over_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # oslo.config reads OS_<GROUP>__<OPTION> before the file (use_env is on by default): Glance sent to the exchange
    # and topics the environment named, the package, given the same file, to the file's.
    path = tmp_path / "glance-api.conf"
    path.write_text("[DEFAULT]\ncontrol_exchange = file\n[oslo_messaging_notifications]\ndriver = log\ntopics = a\n")
    monkeypatch.setenv("OS_DEFAULT__CONTROL_EXCHANGE", "environment")
    monkeypatch.setenv("OS_OSLO_MESSAGING_NOTIFICATIONS__TOPICS", " b, c")
    config = load_config(path)
    assert (config.control_exchange, config.topics, config.drivers) == ("environment", ("b", "c"), ("log",))
    assert load_config(path, control_exchange="cli", topics=("d",)).control_exchange == "cli"
    monkeypatch.setenv("OS_OSLO_MESSAGING_NOTIFICATIONS__DRIVER", "")  # no driver, whatever the file's lines name
    assert load_config(path).drivers == NotifierConfig().drivers
    monkeypatch.setenv("OS_OSLO_MESSAGING_NOTIFICATIONS__DRIVER", "log")  # 'l', 'o', 'g' to oslo.config
    with pytest.raises(ConfigError, match=r": environment variable OS_OSLO_MESSAGING_NOTIFICATIONS__DRIVER: .*letter"):
        load_config(path)


@pytest.mark.parametrize("driver", ["messaging", "messagingv2"])
def test_a_messaging_driver_sends_to_the_exchange_of_its_configuration_whatever_the_environment_names(
    monkeypatch: pytest.MonkeyPatch, driver: str
) -> None:
    # The transport's own oslo.config read OS_DEFAULT__CONTROL_EXCHANGE over the exchange it was given, so that
    # emit --exchange (or a file's control_exchange) sent to the environment's exchange while listen, and the
    # report, named the configuration's: every notification sent where nothing listened.
    from notify_schemas.broker.listener import Listener
    from notify_schemas.drivers import load_driver
    from notify_schemas.samples import samples

    monkeypatch.setenv("OS_DEFAULT__CONTROL_EXCHANGE", "elsewhere")
    config = NotifierConfig(drivers=(driver,), control_exchange=f"configured-{driver}")  # the embedded broker
    listener = Listener(config)
    listener.start(timeout=30)
    try:
        load_driver(driver, config=config).notify(next(samples("image.upload", "INFO", seed=1)), "INFO")
        assert listener.wait_for(1, timeout=10)
    finally:
        listener.stop()


def _is_utf8(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


@pytest.mark.parametrize(
    ("text", "read"),
    [("[oslo_messaging_notifications]\ntopics = a, ,b\n", {"topics": ("a", "", "b")}),
     ("[oslo_messaging_notifications]\ntopics = a,,\n  ,b\n", {"topics": ("a", "", "", "b")}),
     ("[DEFAULT]\ncontrol_exchange =\n", {"control_exchange": ""}),
     ("[DEFAULT]\ncontrol_exchange = ''\n", {"control_exchange": ""})],
)  # fmt: skip
def test_an_empty_topic_or_exchange_is_read_and_sent_to_as_oslo_does(
    tmp_path: Path, text: str, read: dict[str, Any]
) -> None:
    # "control_exchange =" was read as glance, where oslo.config reads no exchange (RabbitMQ's default one, which
    # routes by queue name: kombu neither declares nor binds to it), and "topics = a, ,b" as two topics, where
    # oslo.config reads three, one of no name (routing key ".info"): the Notifier sent where Glance, given the same
    # file, does not (D110).
    conf = tmp_path / "glance-api.conf"
    conf.write_text(f"{text}[oslo_messaging_notifications]\ndriver = messagingv2\ntransport_url = fake://\n")
    config = load_config(conf)
    assert {name: getattr(config, name) for name in read} == read
    assert Notifier.from_config_file(str(conf)).info({}, "image.update", IMAGE) is not None


@settings(max_examples=60, deadline=None)
@given(
    secret=st.from_regex(r"[a-z][a-z0-9_.]{5,12}", fullmatch=True),
    section=st.sampled_from(["DEFAULT", "oslo_messaging_notifications"]),
    braced=st.booleans(),
)
def test_a_dollar_in_a_transport_urls_password_is_refused_without_the_password(
    tmp_path_factory: pytest.TempPathFactory, secret: str, section: str, braced: bool
) -> None:
    # oslo.config reads rabbit://u:pa$word@h as a reference to the option "word", which Glance lacks: the file is
    # refused, and the line saying so named the reference, which is the rest of the password.
    reference = f"${{{secret}}}" if braced else f"${secret}"
    path = tmp_path_factory.mktemp("conf") / "glance-api.conf"
    path.write_text(f"[{section}]\ntransport_url = rabbit://glance:pa{reference}@rabbit1:5672/\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value).startswith(f"{path}: line 2: [{section}] transport_url holds a $name, ")
    assert secret not in str(info.value)


@pytest.mark.parametrize(
    ("drivers", "enabled"),
    [(["noop"], False), (["noop", "noop"], False), ([], False), (None, False), (["log"], True),
     (["noop", "memory"], True), (["noop", NoopDriver()], False), ([MemoryDriver()], True)],
)  # fmt: skip
def test_is_enabled_is_false_for_noop_alone_as_oslos_answer_for_driver_noop(drivers: Any, enabled: bool) -> None:
    # Before, the Notifier had no is_enabled(), which oslo.messaging's has and a producer may ask before it builds a
    # payload (D108); the default configuration's driver is noop.
    notifier = Notifier("image.test", drivers=drivers)
    assert notifier.is_enabled() is enabled
    assert notifier.prepare("image.other").is_enabled() is enabled
