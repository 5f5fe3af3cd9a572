"""Real Glance, unmodified, behind the drop-in driver: configured with ``driver = notify_schemas`` it sends through
messagingv2 to a real RabbitMQ, and an invalid notification is stopped (strict) or let through (warn), logged whole.

Run by ``nox -s broker``, which installs Glance and oslo.messaging beside the package.
"""

from __future__ import annotations

import logging
import time

import pytest
from rabbitmq import RabbitMQ

from notify_schemas.broker.listener import Listener
from notify_schemas.config import NotifierConfig

pytestmark = [pytest.mark.rabbitmq, pytest.mark.glance]

GLANCE_EVENTS = 40  # one pass of glance_stream.emit_everything


@pytest.mark.parametrize("validation", ["strict", "warn"])
def test_glance_behind_the_drop_in_driver(broker: RabbitMQ, caplog: pytest.LogCaptureFixture, validation: str) -> None:
    from glance import notifier as glance_notifier
    from glance_stream import OWNER, configure, emit_everything
    from oslo_config import cfg

    topic = f"dropin-{validation}"
    configure("notify_schemas", broker.url, inner_driver="messagingv2", profile="glance", validation=validation)
    cfg.CONF.set_override("topics", [topic], group="oslo_messaging_notifications")
    listener = Listener(NotifierConfig(transport_url=broker.url, topics=(topic,)), profile="glance")
    listener.start()
    try:
        with caplog.at_level(logging.WARNING, logger="notify_schemas.broker.oslo_driver"):
            emit_everything(configured=True)
            leaky = {
                "id": "c80a1a6c-bd1f-41c5-90ee-81afedb1d58d", "name": "leaky", "status": "active",
                "created_at": "2026-11-24T20:13:46Z", "updated_at": "2026-11-24T20:13:46Z", "min_disk": 0,
                "min_ram": 0, "protected": False, "checksum": None, "owner": OWNER, "disk_format": "raw",
                "container_format": "bare", "size": 1, "virtual_size": None, "is_public": False,
                "visibility": "private", "properties": {}, "tags": [], "deleted": False, "deleted_at": None,
                "locations": [{"url": "swift://admin:secret@swift/c/o", "metadata": {}}],
            }  # fmt: skip
            glance_notifier.Notifier().info("image.update", leaky)
            expected = GLANCE_EVENTS + (validation == "warn")
            assert listener.wait_for(expected, timeout=60), listener.tally.line()
            time.sleep(1)  # a stopped notification must not arrive late
    finally:
        listener.stop()
    assert listener.tally.total == expected
    assert sum(listener.tally.valid.values()) == GLANCE_EVENTS
    logged = [r for r in caplog.records if r.name == "notify_schemas.broker.oslo_driver"]
    assert len(logged) == 1
    # The whole notification, for the operator, but never the credential it was stopped for.
    assert '"locations": "[redacted: may hold credentials]"' in logged[0].getMessage()
    assert "secret" not in logged[0].getMessage()
    if validation == "strict":
        assert logged[0].levelno == logging.ERROR
        assert "notification not sent, it is invalid" in logged[0].getMessage()
        assert not listener.tally.invalid
    else:
        assert logged[0].levelno == logging.WARNING
        assert listener.tally.invalid["image.update"] == 1
