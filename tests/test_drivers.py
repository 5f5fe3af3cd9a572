"""Drivers load by name from the entry-point group third parties use too; the log driver writes what oslo's does."""

from __future__ import annotations

import datetime
import decimal
import enum
import json
import logging
import math
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from notify_schemas.drivers import ENTRY_POINT_GROUP, Driver, available_drivers, load_driver
from notify_schemas.drivers.log import OWN_LOGGERS, LogDriver, dumps
from notify_schemas.drivers.memory import MemoryDriver
from notify_schemas.drivers.noop import NoopDriver
from notify_schemas.errors import DriverNotFoundError, NotifySchemasError
from notify_schemas.message import build_message
from notify_schemas.notifier import Notifier
from notify_schemas.samples import samples
from notify_schemas.wire_form import to_wire


def test_built_in_drivers_are_registered_like_any_other() -> None:
    assert {"noop", "log", "memory"} <= set(available_drivers())
    assert isinstance(load_driver("noop"), NoopDriver)
    assert isinstance(load_driver("memory"), MemoryDriver)
    assert isinstance(load_driver("log"), LogDriver)


def test_a_third_party_driver_is_found_through_its_entry_point(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "acme_driver.py").write_text(
        "class Acme:\n"
        "    def __init__(self, config):\n        self.config = config\n        self.sent = []\n"
        "    def notify(self, message, priority):\n        self.sent.append(priority)\n"
    )
    dist = tmp_path / "acme_driver-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-driver\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\nacme = acme_driver:Acme\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    driver = load_driver("acme")
    assert isinstance(driver, Driver)
    driver.notify(build_message("image.delete", "INFO", "x", "h"), "INFO")
    assert driver.sent == ["INFO"]  # type: ignore[attr-defined]
    monkeypatch.delitem(sys.modules, "acme_driver", raising=False)


CANARY = "Kq7CANARY"
_FAILING_DRIVERS = {  # where a third-party driver fails: its import, its factory, its notify attribute
    "import": "raise ImportError({said!r})\ndef make(config): pass\n",
    "factory": "def make(config):\n    raise ValueError({said!r})\n",
    "mapping": "class Refused(Exception): pass\ndef make(config):\n    raise Refused({{'token': {canary!r}}})\n",
    "notify": "class D:\n    @property\n    def notify(self): raise RuntimeError({said!r})\n"
    "def make(config): return D()\n",
}
_SAID = [f"password={CANARY}", f"cannot reach rabbit://glance:{CANARY}@broker:5672/", f"'auth_token': '{CANARY}'",
         f"<admin_pass>{CANARY}</admin_pass>", f"--sslkey {CANARY} given", f"secret = \"{CANARY}\""]  # fmt: skip


def _install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, source: str) -> None:
    """A package of the driver ``name`` (module ``<name>_driver``, factory ``make``), found by its entry point."""
    (tmp_path / f"{name}_driver.py").write_text(source)
    dist = tmp_path / f"{name}_driver-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}-driver\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\n{name} = {name}_driver:make\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, f"{name}_driver", raising=False)


@pytest.mark.parametrize("said", _SAID)
@pytest.mark.parametrize("where", sorted(_FAILING_DRIVERS))
def test_a_driver_that_fails_to_load_or_start_is_our_error_without_its_credential(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, where: str, said: str
) -> None:
    name = f"failing{where}"
    _install(tmp_path, monkeypatch, name, _FAILING_DRIVERS[where].format(said=said, canary=CANARY))
    with caplog.at_level(logging.DEBUG), pytest.raises(NotifySchemasError) as raised:
        load_driver(name)
    assert f"driver '{name}'" in str(raised.value)
    chained = raised.value.__cause__ or (None if raised.value.__suppress_context__ else raised.value.__context__)
    assert chained is None  # no chain that a traceback would print with the driver's own words
    assert CANARY not in str(raised.value) + caplog.text
    monkeypatch.delitem(sys.modules, f"{name}_driver", raising=False)


def test_the_command_line_names_a_driver_that_cannot_start_in_one_line_without_its_credential(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from notify_schemas.cli import main

    _install(tmp_path, monkeypatch, "failing", _FAILING_DRIVERS["factory"].format(said=_SAID[1], canary=CANARY))
    payload = tmp_path / "payload.json"
    payload.write_text('"store full"')
    assert main(["emit", "--driver", "failing", "--payload", str(payload), "image.upload", "ERROR"]) == 2
    out, err = capsys.readouterr()
    assert err.count("\n") == 1
    assert "cannot start: ValueError: cannot reach rabbit://glance:***@broker" in err
    assert CANARY not in out + err
    monkeypatch.delitem(sys.modules, "failing_driver", raising=False)


def test_unknown_driver_names_the_installed_ones() -> None:
    with pytest.raises(DriverNotFoundError, match=r"no notification driver named 'rabit'; installed: .*memory"):
        load_driver("rabit")


@pytest.mark.parametrize(
    ("priority", "level"), [("INFO", logging.INFO), ("WARN", logging.WARNING), ("ERROR", logging.ERROR)]
)
def test_log_driver_uses_oslos_logger_and_level(caplog: pytest.LogCaptureFixture, priority: str, level: int) -> None:
    message = build_message("image.upload", priority, "store full", "image.h")
    with caplog.at_level(logging.DEBUG, logger="oslo.messaging.notification"):
        LogDriver().notify(message, priority)
    (record,) = caplog.records
    assert record.name == "oslo.messaging.notification.image.upload"
    assert record.levelno == level
    assert json.loads(record.getMessage()) == message
    assert record.getMessage() == json.dumps(message)


@pytest.mark.parametrize(
    "event_type",
    ["image.upload\nFORGED oslo.messaging.notification.x INFO {}", "image upload", "x" * 300, "password=SECRET",
     "swift://u:SECRET@h/o", "\u212a.upload", 7, None],
)  # fmt: skip
def test_an_event_type_that_is_no_name_is_logged_under_the_base_logger(
    caplog: pytest.LogCaptureFixture, event_type: object
) -> None:
    # Sent in warn or off mode: a newline in a logger's name broke the log line in two (a line the producer wrote),
    # and a password in it was shown; every such name was a logger kept for the life of the process.
    message = {**build_message("image.upload", "INFO", {}, "image.h"), "event_type": event_type}
    with caplog.at_level(logging.DEBUG, logger="oslo.messaging.notification"):
        LogDriver().notify(message, "INFO")
    (record,) = caplog.records
    assert record.name == "oslo.messaging.notification"
    assert "SECRET" not in record.name + record.getMessage()
    assert "\n" not in logging.Formatter("%(name)s %(levelname)s %(message)s").format(record)


def test_the_log_driver_makes_at_most_its_own_loggers_however_many_event_types(
    caplog: pytest.LogCaptureFixture,
) -> None:
    before = set(logging.root.manager.loggerDict)
    with caplog.at_level(logging.DEBUG, logger="oslo.messaging.notification"):
        for n in range(OWN_LOGGERS + 500):
            LogDriver().notify({**build_message("image.upload", "INFO", {}, "image.h"), "event_type": f"e.{n}"}, "INFO")
    made = set(logging.root.manager.loggerDict) - before
    assert 0 < len(made) <= OWN_LOGGERS
    assert len(caplog.records) == OWN_LOGGERS + 500
    assert caplog.records[0].name == "oslo.messaging.notification.e.0"
    assert caplog.records[-1].name == "oslo.messaging.notification"


def test_log_driver_masks_secrets_as_oslo_does() -> None:
    message = build_message("image.update", "INFO", {"properties": {"admin_password": "hunter2", "os": "x"}}, "h")
    logged = json.loads(dumps(message))
    assert logged["payload"]["properties"] == {"admin_password": "***", "os": "x"}
    assert "hunter2" not in dumps(message)


@pytest.mark.parametrize(
    "key", ["swift://glance:hunter2@swift.example/c", "password=hunter2", "pa\u017f\u017fword=hunter2"]
)
def test_log_driver_refusing_a_message_masks_the_keys_of_the_pointers_it_names(key: str) -> None:
    message = build_message("image.update", "INFO", {"properties": {key: {1: "a", "1": "b"}}}, "h")
    with pytest.raises(ValueError, match="cannot be written as JSON") as caught:
        dumps(message)
    assert "hunter2" not in str(caught.value)


class _Colour(enum.Enum):
    RED = "red"


class _Size(enum.IntEnum):
    SMALL = 5


# Values orjson writes itself (a UUID, an Enum member) but json does not, beside others only oslo's to_primitive writes.
_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=5), st.uuids(), st.datetimes(),
    st.sampled_from([_Colour.RED, _Size.SMALL, decimal.Decimal("1.5"), datetime.date(2026, 1, 2), b"ab", {1, 2}]),
)  # fmt: skip
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.tuples(inner) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=10,
)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(_VALUES)
@example(uuid.UUID(int=5))  # orjson writes it, so it passed for plain JSON, and json.dumps raised TypeError
@example(_Colour.RED)
@example([math.nan])
def test_log_driver_writes_any_value_as_its_wire_form_or_says_why_not(value: Any) -> None:
    message = build_message("image.update", "INFO", {"properties": {"x": value}}, "h")
    wire = to_wire(message)
    if wire.problems:
        with pytest.raises(ValueError, match="cannot be written as JSON: /payload/properties/x"):
            dumps(message)
        return
    assert json.loads(dumps(message)) == wire.value


def test_memory_driver_take_empties_it() -> None:
    memory = MemoryDriver()
    memory.notify({"a": 1}, "INFO")
    assert memory.take() == [{"a": 1}]
    assert memory.messages == []


class _Async:
    async def notify(self, message: Any, priority: str) -> None:
        raise AssertionError("never run")


class _Generator:
    def notify(self, message: Any, priority: str) -> Any:
        yield message


class _ReturnsACoroutine:
    def notify(self, message: Any, priority: str) -> Any:
        return _Async().notify(message, priority)


class _OsloShaped:
    """An oslo.messaging driver's method: ``notify(ctxt, message, priority, retry)``."""

    def notify(self, ctxt: Any, message: Any, priority: str, retry: Any) -> None:
        pass


class _Static:
    @staticmethod
    def notify(message: Any, priority: str) -> None:
        pass


@pytest.mark.parametrize(
    ("driver", "why"),
    [(MemoryDriver, "is the class MemoryDriver, whose notify wants an instance"),
     (_OsloShaped(), "has a notify that cannot be called as notify\\(message, priority\\)")],
)  # fmt: skip
def test_a_driver_whose_notify_cannot_take_a_message_and_its_priority_is_refused_when_the_notifier_is_made(
    driver: Any, why: str, caplog: pytest.LogCaptureFixture
) -> None:
    # A class given for its instance, or an oslo.messaging driver, was taken: every notification then failed through
    # it, logged as "driver type failed (TypeError: ...)", which named no driver.
    with pytest.raises(TypeError, match=rf"drivers\[1\] is no driver name, .*{why}"):
        Notifier(drivers=["noop", driver])
    notifier = Notifier(drivers=[_Static, "log"])  # a class whose notify needs no instance is a driver
    with caplog.at_level(logging.DEBUG):
        notifier.info({}, "image.update", next(samples("image.update", "INFO", profile="seed", seed=1))["payload"])
    assert "failed" not in caplog.text
    assert "drivers=['_Static', 'LogDriver']" in repr(notifier)


@pytest.mark.parametrize("driver", [_Async, _Generator])
def test_a_driver_whose_notify_would_send_nothing_is_refused_when_the_notifier_is_made(
    driver: type, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An async notify made a coroutine that no one ran (a RuntimeWarning at most), a generator one a generator: the
    # Notifier counted the notification as sent through it, and nothing was sent, nor logged.
    with pytest.raises(TypeError, match=r"drivers\[0\] is no driver name, and a value of type _\w+ has .*notify"):
        Notifier(drivers=[driver()])
    source = "class D:\n    async def notify(self, message, priority): pass\ndef make(config): return D()\n"
    _install(tmp_path, monkeypatch, "lazy", source)
    with pytest.raises(DriverNotFoundError, match="has an async notify"):
        load_driver("lazy")


def test_a_driver_whose_notify_returns_what_is_never_run_is_logged_as_failed(
    caplog: pytest.LogCaptureFixture, recwarn: pytest.WarningsRecorder
) -> None:
    memory = MemoryDriver()
    notifier = Notifier(drivers=[_ReturnsACoroutine(), memory])
    with caplog.at_level(logging.ERROR, logger="notify_schemas.notifier"):
        sent = notifier.info({}, "image.delete", "0b7e2a3c-8f8e-4c55-9e0a-4b1d2c3d4e5f")
    assert memory.messages == [sent]
    [line] = [r.getMessage() for r in caplog.records]
    assert "driver _ReturnsACoroutine failed (TypeError: its notify returned coroutine, which is never run)" in line
    assert not [w for w in recwarn if "never awaited" in str(w.message)]  # closed, not left to warn
