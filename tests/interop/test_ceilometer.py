"""A real consumer proves the contract: ceilometer's own image meters, with its own code, over the package's samples
of every glance-profile image variant and over the real Glance stream.

Ceilometer (PyPI) turns Glance notifications into meter samples with the definitions of its
``data/meters.d/meters.yaml`` (``image.size`` from image.upload, image.update and image.delete; ``image.download``
and ``image.serve`` from image.send). Its notification agent receives each message from oslo.messaging's batch
listener; here each wire message goes through oslo.messaging's own dispatcher code into the form the listener hands
over, then into ceilometer's ``ProcessMeterNotifications.info``: its meter definitions, its JSONPath evaluation and
``Sample.from_notification``. Only the publisher at the end of its pipeline is a stand-in, a list that keeps the
samples: the pipeline would send them to gnocchi, which does not run here.

Run by ``nox -s ceilometer``, which installs ceilometer and Glance from PyPI beside the package.
"""

from __future__ import annotations

import types
from typing import Any

import pytest

import notify_schemas
from notify_schemas.samples import samples

pytestmark = pytest.mark.ceilometer


class _Collect:
    """The publisher at the end of ceilometer's pipeline: a context manager whose value is called with the samples."""

    def __init__(self) -> None:
        self.samples: list[Any] = []

    def __enter__(self) -> Any:
        return self.samples.extend

    def __exit__(self, *exc: object) -> None:
        return None


@pytest.fixture(scope="module")
def meter() -> Any:
    from ceilometer import service
    from ceilometer.meter.notifications import ProcessMeterNotifications

    conf = service.prepare_service([], config_files=[])
    endpoint = ProcessMeterNotifications(conf, _Collect())
    names = {d.cfg["name"] for d in endpoint.definitions}
    assert {"image.size", "image.download", "image.serve"} <= names  # ceilometer's own definitions were loaded
    return endpoint


def _meter(endpoint: Any, message: dict[str, Any]) -> list[Any]:
    """The samples ceilometer makes of one wire message, dispatched to it by oslo.messaging's batch dispatcher as its
    notification agent's listener does; a message it fails on would be requeued, which fails here."""
    import oslo_messaging
    from oslo_messaging.notify.dispatcher import BatchNotificationDispatcher

    dispatcher = BatchNotificationDispatcher([endpoint], oslo_messaging.NoOpSerializer())
    endpoint.publisher.samples.clear()
    incoming = types.SimpleNamespace(ctxt={}, message=message)
    assert dispatcher.dispatch([incoming]) == set(), message  # no error: nothing requeued
    return list(endpoint.publisher.samples)


# image.size reads $.payload.size, which Glance sends null for an image that never got data: ceilometer then makes a
# sample without a volume. The contract guarantees a size only where the event implies data (D39).
SIZE_GUARANTEED = {"image.upload", "image.activate", "image.send"}


def _check(endpoint: Any, message: dict[str, Any]) -> list[Any]:
    made = _meter(endpoint, message)
    payload = message["payload"]
    for sample in made:
        assert sample.resource_id, (sample.name, message)
        if message["event_type"] in SIZE_GUARANTEED or payload.get("size") is not None:
            assert isinstance(sample.volume, int), (sample.name, message)
        else:
            assert sample.volume is None  # an image without data: nothing to meter, and no error
    return made


def test_samples_of_every_glance_image_variant_give_meter_samples_with_volume_and_resource(meter: Any) -> None:
    metered: dict[str, set[str]] = {}
    for v in notify_schemas.variants("glance"):
        if not v.event_type.startswith("image.") or v.priority != "INFO":
            continue
        for message in samples(v.event_type, v.priority, profile="glance", n=20, seed=5):
            for sample in _check(meter, message):
                metered.setdefault(v.event_type, set()).add(sample.name)
    assert metered == {
        "image.upload": {"image.size"},
        "image.update": {"image.size"},
        "image.delete": {"image.size"},
        "image.send": {"image.download", "image.serve"},
    }


def test_every_image_upload_sample_has_its_size_as_volume(meter: Any) -> None:
    # The event that promises data (D39) gives ceilometer a volume every time: the size Glance stored.
    for message in samples("image.upload", "INFO", profile="glance", n=50, seed=6):
        (sample,) = _check(meter, message)
        assert (sample.volume, sample.resource_id, sample.project_id) == (
            message["payload"]["size"],
            message["payload"]["id"],
            message["payload"]["owner"],
        )


@pytest.mark.glance
def test_the_real_glance_stream_gives_meter_samples_with_volume_and_resource(meter: Any) -> None:
    from glance_stream import emit_everything

    made = {}
    for message in emit_everything():
        for sample in _check(meter, message):
            made[message["event_type"], sample.name] = sample
    assert {("image.upload", "image.size"), ("image.send", "image.download"), ("image.send", "image.serve")} <= set(
        made
    )
    assert made["image.upload", "image.size"].volume == 8  # the bytes Glance stored
