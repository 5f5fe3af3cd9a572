"""Real Glance as a conformance producer: each intent becomes Glance domain objects, handed to Glance's own
notification proxies, and what ``glance.notifier`` sends (through oslo's test driver, then serialized as on the wire)
is the answer. Image events, image.send, image members and task events are covered; metadef events are not yet.
"""

from __future__ import annotations

import contextlib
import datetime
from typing import Any

import glance.domain
import glance_store
import webob.exc
from glance import notifier
from glance_stream import _Context, _Executor, _Repo, configure
from oslo_messaging.notify import _impl_test
from oslo_serialization import jsonutils

SUPPORTED = ("image.", "task.")


def _when(text: str | None) -> datetime.datetime | None:
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ") if text else None


class _Image(glance.domain.Image):
    """A domain image whose data transfer is simulated: the sizes come from the intent."""

    sent = 0
    fail = False

    def get_data(self, offset: int = 0, chunk_size: int | None = None) -> list[Any]:
        return [_Chunk(self.sent)]

    def set_data(self, data: Any, size: Any = None, backend: Any = None, set_active: bool = True) -> None:
        if self.fail:
            raise glance_store.StorageFull(self.fail_text)
        if set_active:
            self._status = "active"


class _Chunk:
    def __init__(self, size: int) -> None:
        self.size = size

    def __len__(self) -> int:
        return self.size


def _image(record: dict[str, Any], **status: Any) -> _Image:
    image = _Image(
        image_id=record["id"], status=record["status"], created_at=_when(record["created_at"]),
        updated_at=_when(record["updated_at"]), name=record["name"], visibility=record["visibility"],
        min_disk=record["min_disk"], min_ram=record["min_ram"], protected=record["protected"],
        checksum=record["checksum"], owner=record["owner"], disk_format=record["disk_format"],
        container_format=record["container_format"], size=record["size"], virtual_size=record["virtual_size"],
        extra_properties=dict(record["properties"]), tags=list(record["tags"]), locations=record.get("locations", []),
    )  # fmt: skip
    image.__dict__.update(status)
    return image


def produce(intent: dict[str, Any]) -> list[dict[str, Any]]:
    """What real Glance sends for ``intent``; only the notifications of the asked event type are answered."""
    configure()
    _impl_test.reset()
    n = notifier.Notifier()
    record = intent["record"]
    event, priority = intent["event_type"], intent["priority"]
    ctx = _Context()
    if event == "image.send":
        ctx.project_id, ctx.user_id = record["receiver_tenant_id"], record["receiver_user_id"]
        size = record["bytes_sent"] + (1 if priority == "ERROR" else 0)
        image = _Image(record["image_id"], "active", None, None, owner=record["owner_id"], size=size)
        image.sent = record["bytes_sent"]
        list(notifier.ImageProxy(image, ctx, n).get_data())
    elif event == "image.upload" and priority == "ERROR":
        image = _Image("c80a1a6c-bd1f-41c5-90ee-81afedb1d58d", "queued", None, None)
        image.fail, image.fail_text = True, record["text"]
        # Glance notifies, then turns the store's error into the HTTP error its API returns.
        with contextlib.suppress(webob.exc.HTTPRequestEntityTooLarge):
            notifier.ImageProxy(image, ctx, n).set_data(iter([b"x"]), 1)
    elif event == "image.activate":
        image = _image(record, _status="saving")
        notifier.ImageProxy(image, ctx, n).set_data(iter([b"x"]), 1)
    elif event in ("image.create", "image.update", "image.delete"):
        repo = notifier.ImageRepoProxy(_Repo(), ctx, n)
        proxy = notifier.ImageProxy(_image(record), ctx, n)
        {"image.create": repo.add, "image.update": repo.save, "image.delete": repo.remove}[event](proxy)
    elif event.startswith("image.member."):
        image = _image({**_DEFAULT_IMAGE, "id": record["image_id"]})
        member = glance.domain.ImageMembership(record["image_id"], record["member_id"], _when(record["created_at"]),
                                               _when(record["updated_at"]), status=record["status"])  # fmt: skip
        members = notifier.ImageMemberRepoProxy(_Repo(), image, ctx, n)
        proxy = notifier.ImageMemberProxy(member, ctx, n)
        {"create": members.add, "update": members.save, "delete": members.remove}[event.rsplit(".", 1)[1]](proxy)
    elif event.startswith("task."):
        final = record["status"]
        start = "pending" if event in ("task.create", "task.run", "task.processing") else final
        if event in ("task.success", "task.failure"):
            start = "processing"
        task = glance.domain.Task(
            record["id"], record["type"], start, record["owner"], None, None, None, _when(record["expires_at"]),
            _when(record["created_at"]), _when(record["updated_at"]), record.get("task_input"), None, None,
        )  # fmt: skip
        proxy = notifier.TaskProxy(task, ctx, n)
        repo = notifier.TaskRepoProxy(_Repo(), ctx, n)
        if event == "task.create":
            repo.add(proxy)
        elif event == "task.delete":
            task._status = final
            repo.remove(proxy)
        elif event == "task.run":
            task._status = final
            proxy.run(_Executor())
        elif event == "task.processing":
            proxy.begin_processing()
        elif event == "task.success":
            proxy.succeed({"image_id": "x"})
        else:
            proxy.fail("conversion failed")
    sent = [jsonutils.loads(jsonutils.dumps(m)) for _c, m, _p, _r in _impl_test.NOTIFICATIONS]
    return [m for m in sent if (m["event_type"], m["priority"]) == (event, priority)]


_DEFAULT_IMAGE = {
    "status": "active", "created_at": None, "updated_at": None, "name": "x", "visibility": "shared", "min_disk": 0,
    "min_ram": 0, "protected": False, "checksum": None, "owner": None, "disk_format": None, "container_format": None,
    "size": None, "virtual_size": None, "properties": {}, "tags": [],
}  # fmt: skip
