"""The package against the real oslo.messaging: the same envelope, and the same log driver output.

Run by ``nox -s oslo``, which installs oslo.messaging beside the package.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import oslo_messaging
import pytest
from oslo_config import cfg
from oslo_messaging.notify import _impl_log, _impl_test

from notify_schemas import variants
from notify_schemas.drivers.log import LogDriver
from notify_schemas.message import build_message
from notify_schemas.samples import samples
from notify_schemas.validation import is_valid, iter_errors

pytestmark = pytest.mark.oslo


@pytest.fixture(scope="module")
def oslo_notifier() -> oslo_messaging.Notifier:
    conf = cfg.ConfigOpts()
    conf([], project="notify-schemas-test")
    transport = oslo_messaging.get_notification_transport(conf, url="fake://")
    return oslo_messaging.Notifier(transport, publisher_id="image.localhost", driver="test", topics=["notifications"])


def _sent_by_oslo(notifier: oslo_messaging.Notifier, priority: str, event_type: str, payload: Any) -> dict[str, Any]:
    _impl_test.reset()
    getattr(notifier, priority.lower())({}, event_type, payload)
    ((_ctxt, message, _priority, _retry),) = _impl_test.NOTIFICATIONS
    return dict(message)


def test_oslo_and_the_package_build_the_same_envelope(oslo_notifier: oslo_messaging.Notifier) -> None:
    theirs = _sent_by_oslo(oslo_notifier, "info", "image.delete", "c80a1a6c-bd1f-41c5-90ee-81afedb1d58d")
    ours = build_message("image.delete", "info", "c80a1a6c-bd1f-41c5-90ee-81afedb1d58d", "image.localhost")
    assert list(ours) == list(theirs)
    for key in ("publisher_id", "event_type", "priority", "payload"):
        assert ours[key] == theirs[key]
    form = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?")
    assert form.fullmatch(theirs["timestamp"])
    assert form.fullmatch(ours["timestamp"])


@pytest.mark.parametrize("v", list(variants("seed")), ids=lambda v: v.name)
def test_oslos_own_notifier_passes_the_envelope_checks(oslo_notifier: oslo_messaging.Notifier, v: Any) -> None:
    payload = next(samples(v.event_type, v.priority, seed=7))["payload"]
    message = _sent_by_oslo(oslo_notifier, v.priority, v.event_type, payload)
    assert [str(e) for e in iter_errors(message)] == []
    assert is_valid(message)


class _Keep(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _log_records(driver: Any, message: dict[str, Any], priority: str, oslo: bool) -> list[tuple[str, int, str]]:
    handler = _Keep()
    root = logging.getLogger("oslo.messaging.notification")
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        if oslo:
            driver.notify({}, message, priority, None)
        else:
            driver.notify(message, priority)
    finally:
        root.removeHandler(handler)
    return [(r.name, r.levelno, r.getMessage()) for r in handler.records]


SECRET = {"properties": {"admin_password": "hunter2", "note": "password=hunter2 token=abc"}}


@pytest.mark.parametrize("priority", ["INFO", "WARN", "ERROR"])
@pytest.mark.parametrize(
    "payload", ["store full", SECRET, {"name": "D\u00e9bian \u2014 12"}], ids=["text", "secret", "unicode"]
)
def test_log_driver_writes_exactly_what_oslos_log_driver_writes(priority: str, payload: Any) -> None:
    conf = cfg.ConfigOpts()
    message = build_message("image.upload", priority, payload, "image.localhost")
    theirs = _log_records(_impl_log.LogDriver(conf, None, None), message, priority, oslo=True)
    ours = _log_records(LogDriver(), message, priority, oslo=False)
    assert ours == theirs
    assert len(ours) == 1
    assert "hunter2" not in ours[0][2]


def test_log_driver_matches_oslo_on_every_sample_message() -> None:
    conf = cfg.ConfigOpts()
    oslo_driver, ours = _impl_log.LogDriver(conf, None, None), LogDriver()
    for profile in ("seed", "glance"):
        for v in variants(profile):
            for message in samples(v.event_type, v.priority, profile=profile, n=3, seed=1):
                assert _log_records(ours, message, v.priority, oslo=False) == _log_records(
                    oslo_driver, message, v.priority, oslo=True
                )


def test_oslos_own_notifier_passes_the_conformance_checks(oslo_notifier: oslo_messaging.Notifier) -> None:
    from notify_schemas.conformance.runner import run

    def producer(intent: dict[str, Any]) -> dict[str, Any]:
        from notify_schemas.conformance.records import expected_payload

        return _sent_by_oslo(oslo_notifier, intent["priority"], intent["event_type"], expected_payload(intent))

    report = run(producer, profile="seed", examples=3)
    assert report.failures == [], report.summary()
    assert ("envelope.timestamp", "image.create INFO") in report.passed
