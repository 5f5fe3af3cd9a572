"""Real Glance as a conformance producer: each intent becomes Glance domain objects, handed to Glance's own
notification proxies, and what ``glance.notifier`` sends (through oslo's test driver, then serialized as on the wire)
is the answer. Every event of the glance profile is covered: images (their data transfer simulated, the sizes and
stores taken from the intent), image.send, members, tasks and metadata definitions.
"""

from __future__ import annotations

import contextlib
import datetime
import types
from typing import Any

import glance.domain
import glance_store
import webob.exc
from glance import notifier
from glance_stream import _Context, _Executor, _Repo, configure
from oslo_messaging.notify import _impl_test
from oslo_serialization import jsonutils


def _when(text: str | None) -> datetime.datetime | None:
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ") if text else None


class _Image(glance.domain.Image):
    """A domain image whose data transfer is simulated: the sizes come from the intent."""

    sent = 0
    fail = False

    def get_data(self, offset: int = 0, chunk_size: int | None = None) -> list[Any]:
        return [_Chunk(self.sent)]

    def set_data(self, data: Any, size: Any = None, backend: Any = None, set_active: bool = True) -> None:
        """Write nothing: the record of the intent is already the image as it is once its data is stored."""
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


# The repository method behind each action an event names: image.create is repo.add, metadef_tag.delete repo.remove.
_REPO_METHODS = {"create": "add", "update": "save", "delete": "remove", "delete_objects": "remove_objects",
                 "delete_properties": "remove_properties", "delete_tags": "remove_tags"}  # fmt: skip


def _call(repo: Any, action: str, proxy: Any) -> None:
    getattr(repo, _REPO_METHODS[action])(proxy)


def _as_glance_holds_it(event: str, record: dict[str, Any]) -> dict[str, Any]:
    """The record as Glance's domain objects hold it: a seed profile's record names things its own way."""
    record = dict(record)
    if "task_id" in record:  # the specification's task_id and task_type are Glance's id and type (D25)
        record["id"], record["type"] = record.pop("task_id"), record.pop("task_type")
    if event == "image.delete" and "status" not in record and "text" not in record:  # the seed's image.delete: an id
        record = {**_DEFAULT_IMAGE, **record}
    return record


def produce(intent: dict[str, Any]) -> list[dict[str, Any]]:
    """What real Glance sends for ``intent``; only the notifications of the asked event type are answered."""
    configure()
    _impl_test.reset()
    n = notifier.Notifier()
    event, priority = intent["event_type"], intent["priority"]
    record = _as_glance_holds_it(event, intent["record"])
    ctx = _Context()
    if event == "image.send":
        ctx.project_id, ctx.user_id = record["receiver_tenant_id"], record["receiver_user_id"]
        size = record["bytes_sent"] + (1 if priority == "ERROR" else 0)
        image = _Image(record["image_id"], "active", None, None, owner=record["owner_id"], size=size)
        image.sent = record["bytes_sent"]
        list(notifier.ImageProxy(image, ctx, n).get_data())
    elif "text" in record and (event, priority) != ("image.upload", "ERROR"):
        pass  # Glance sends no WARN, and no ERROR but a failed upload's and a short image.send (D22)
    elif event == "image.upload" and priority == "ERROR":
        image = _Image("c80a1a6c-bd1f-41c5-90ee-81afedb1d58d", "queued", None, None)
        image.fail, image.fail_text = True, record["text"]
        # Glance notifies, then turns the store's error into the HTTP error its API returns.
        with contextlib.suppress(webob.exc.HTTPRequestEntityTooLarge):
            notifier.ImageProxy(image, ctx, n).set_data(iter([b"x"]), 1)
    elif event in ("image.prepare", "image.upload"):
        # image.prepare describes the image before its data is written, image.upload after: either way the record.
        proxy = notifier.ImageProxy(_image(record), ctx, n)
        proxy.set_data(iter([b"x"]), 1, backend=record.get("backend"), set_active=False)
    elif event == "image.activate":
        image = _image(record, _status="saving")
        notifier.ImageProxy(image, ctx, n).set_data(iter([b"x"]), 1)
    elif event in ("image.create", "image.update", "image.delete"):
        repo = notifier.ImageRepoProxy(_Repo(), ctx, n)
        proxy = notifier.ImageProxy(_image(record), ctx, n)
        _call(repo, event.rsplit(".", 1)[1], proxy)
    elif event.startswith("image.member."):
        image = _image({**_DEFAULT_IMAGE, "id": record["image_id"]})
        member = glance.domain.ImageMembership(record["image_id"], record["member_id"], _when(record["created_at"]),
                                               _when(record["updated_at"]), status=record["status"])  # fmt: skip
        members = notifier.ImageMemberRepoProxy(_Repo(), image, ctx, n)
        proxy = notifier.ImageMemberProxy(member, ctx, n)
        _call(members, event.rsplit(".", 1)[1], proxy)
    elif event.startswith("task.") and record["type"] not in glance.domain.Task._supported_task_type:
        pass  # Glance refuses to create a task of another type (InvalidTaskType): there is nothing to announce (D38)
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
    elif event.startswith("metadef_"):
        _metadef(event, record, ctx, n)
    sent = [jsonutils.loads(jsonutils.dumps(m)) for _c, m, _p, _r in _impl_test.NOTIFICATIONS]
    return [m for m in sent if (m["event_type"], m["priority"]) == (event, priority)]


_DEFAULT_IMAGE = {
    "status": "active", "created_at": None, "updated_at": None, "name": "x", "visibility": "shared", "min_disk": 0,
    "min_ram": 0, "protected": False, "checksum": None, "owner": None, "disk_format": None, "container_format": None,
    "size": None, "virtual_size": None, "properties": {}, "tags": [],
}  # fmt: skip


def _metadef(event: str, record: dict[str, Any], ctx: _Context, n: notifier.Notifier) -> None:
    """A metadata definition event: the domain object built from the record, as the API creates it or as it is loaded
    from the database for an update or delete (then its namespace is the namespace object, not its name)."""
    kind, action = event.removeprefix("metadef_").split(".")
    created, updated = _when(record.get("created_at")), _when(record.get("updated_at"))
    namespace = glance.domain.MetadefNamespace(
        "5e0c0f4c-5e0b-4d7e-8c51-0f2ad1d0a0c1", record["namespace"], record.get("display_name"),
        record.get("description"), record.get("owner"), record.get("visibility"), record.get("protected"),
        created, updated,
    )  # fmt: skip
    if kind == "namespace":
        repo = notifier.MetadefNamespaceRepoProxy(_Repo(), ctx, n)
        proxy: Any = notifier.MetadefNamespaceProxy(namespace, ctx, n)
        proxy._old_namespace = record["namespace_old"]
        _call(repo, action, proxy)
        return
    owner: Any = record["namespace"] if action == "create" else namespace
    if kind == "object":
        # Glance's object properties are API model objects; their attributes are all its formatter reads.
        properties = {p["name"]: types.SimpleNamespace(**{k: v for k, v in p.items() if k != "name"})
                      for p in record["properties"]}  # fmt: skip
        domain: Any = glance.domain.MetadefObject(owner, "0b6a7d4e-5a9f-4f57-9d0b-3f5e1c2d4a6b", record["name"],
                                                  created, updated, record["required"], record["description"],
                                                  properties)  # fmt: skip
        repo, proxy = notifier.MetadefObjectRepoProxy(_Repo(), ctx, n), notifier.MetadefObjectProxy(domain, ctx, n)
    elif kind == "property":
        schema = {k: v for k, v in record.items() if k not in _NOT_SCHEMA}
        domain = glance.domain.MetadefProperty(owner, "3c1d9a2b-7e4f-4a8b-9c6d-5e2f1a0b3c4d", record["name"], schema)
        repo, proxy = notifier.MetadefPropertyRepoProxy(_Repo(), ctx, n), notifier.MetadefPropertyProxy(domain, ctx, n)
    elif kind == "resource_type":
        domain = glance.domain.MetadefResourceType(owner, record["name"], record["prefix"],
                                                   record["properties_target"], created, updated)  # fmt: skip
        repo = notifier.MetadefResourceTypeRepoProxy(_Repo(), ctx, n)
        proxy = notifier.MetadefResourceTypeProxy(domain, ctx, n)
    else:
        domain = glance.domain.MetadefTag(owner, "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a", record["name"], created,
                                          updated)  # fmt: skip
        repo, proxy = notifier.MetadefTagRepoProxy(_Repo(), ctx, n), notifier.MetadefTagProxy(domain, ctx, n)
    proxy._old_name = record["name_old"]
    _call(repo, action, proxy)


_NOT_SCHEMA = {"namespace", "name", "name_old", "deleted", "deleted_at"}
