"""Drive the real ``glance.notifier`` (Glance on PyPI) through every event it can emit and collect what it sends.

Glance's notification proxies wrap its domain objects; here they wrap real ``glance.domain`` objects whose
repositories are in-memory stand-ins (no database, no store), which is all the proxies touch. Glance's own
``Notifier`` sends through oslo.messaging's ``test`` driver; each message is then serialized and parsed back with
oslo's ``jsonutils``, as the ``messaging`` driver does on the wire.
"""

from __future__ import annotations

import contextlib
import datetime
import uuid
from typing import Any

import glance.domain
import glance.scrubber  # registers delayed_delete, which Image.delete reads, as glance-api's start does
import glance_store
import oslo_messaging
import webob.exc
from glance import notifier
from glance.api.v2.model.metadef_property_type import PropertyType
from oslo_config import cfg
from oslo_messaging.notify import _impl_test
from oslo_serialization import jsonutils

OWNER = "6838eb7b6ded434a882cb344c77fe8df"
USER = "54492ba0f4df4e4ebe6227f4d76b29cf"
MEMBER = "2c014f3255eb467d8fcb4bd706012f81"


class _Repo:
    """An in-memory repository: the proxies only call these methods and ignore what they return."""

    def add(self, *args: Any, **kwargs: Any) -> None: ...
    def save(self, *args: Any, **kwargs: Any) -> None: ...
    def remove(self, *args: Any, **kwargs: Any) -> None: ...
    def remove_objects(self, *args: Any, **kwargs: Any) -> None: ...
    def remove_properties(self, *args: Any, **kwargs: Any) -> None: ...
    def remove_tags(self, *args: Any, **kwargs: Any) -> None: ...


class _Image(glance.domain.Image):
    """A real domain image whose data goes nowhere, or fails the way a full store does."""

    fail_with: Exception | None = None

    def get_data(self, offset: int = 0, chunk_size: int | None = None) -> list[bytes]:
        return [b"0123", b"4567"]

    def set_data(self, data: Any, size: Any = None, backend: Any = None, set_active: bool = True) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.size = 8
        self.checksum = "7c4a8d09ca3762af61e59520943dc264"
        if set_active:
            self.status = "active"


class _Context:
    project_id = MEMBER
    user_id = USER


class _Executor:
    def begin_processing(self, task_id: str) -> None: ...


def configure(driver: str = "test", transport_url: str | None = None, *, config_files: tuple[str, ...] = (),
              **notify_schemas: str) -> None:  # fmt: skip
    """Glance's own configuration, as its glance-api.conf would set it: the notification driver, the broker, and
    (for the drop-in driver) the ``[notify_schemas]`` options."""
    cfg.CONF([], project="glance", default_config_files=list(config_files))
    notifier.set_defaults()
    oslo_messaging.get_notification_transport(cfg.CONF)  # registers oslo's options before they are overridden
    cfg.CONF.set_override("driver", [driver], group="oslo_messaging_notifications")
    cfg.CONF.set_override("transport_url", transport_url, group="oslo_messaging_notifications")
    if notify_schemas:
        from notify_schemas.broker.oslo_driver import OPTIONS

        cfg.CONF.register_opts(OPTIONS, group="notify_schemas")
        for name, value in notify_schemas.items():
            multi = name == "inner_driver"  # a repeatable option: one value per line in a config file
            cfg.CONF.set_override(name, [value] if multi else value, group="notify_schemas")


def _image(ctx: _Context, n: notifier.Notifier, **changes: Any) -> Any:
    """A real domain image behind Glance's notification proxy, as Glance's image factory proxy hands it out."""
    record = glance.domain.ImageFactory().new_image(
        name="cirros",
        owner=OWNER,
        disk_format="qcow2",
        container_format="bare",
        extra_properties={"hw_disk_bus": "scsi"},
        tags=["small"],
        visibility="private",
    )
    image = _Image.__new__(_Image)
    image.__dict__.update(record.__dict__)
    image.__dict__.update(changes)
    return notifier.ImageProxy(image, ctx, n)


def emit_everything(*, configured: bool = False) -> list[dict[str, Any]]:
    """Every notification the real glance.notifier sends for one pass over all its events, as a consumer sees them.

    Unless ``configured``, Glance sends through oslo's ``test`` driver and the messages are returned; otherwise it
    sends through whatever `configure` set, and what the test driver kept (nothing) is returned.
    """
    if not configured:
        configure()
    _impl_test.reset()
    n = notifier.Notifier()
    ctx = _Context()

    # Images: create, update, upload (prepare, upload, activate), send, send short, failed upload, delete.
    repo = notifier.ImageRepoProxy(_Repo(), ctx, n)
    image = _image(ctx, n)
    repo.add(image)
    image.name = "cirros-0.6"
    repo.save(image)
    # Glance's upload API marks the image saving before its data goes to the store (glance/api/v2/image_data.py:141).
    image.status = "saving"
    image.set_data(iter([b"01234567"]), 8, backend="fast")
    list(image.get_data())
    list(_image(ctx, n, size=100, _status="active").get_data())
    broken = _image(ctx, n, fail_with=glance_store.StorageFull("no space left"))
    # Glance notifies image.upload ERROR, then turns the store's error into the HTTP error its API returns.
    broken.status = "saving"
    with contextlib.suppress(webob.exc.HTTPRequestEntityTooLarge):
        broken.set_data(iter([b"x"]), 1)
    # Glance's delete API deletes the domain image (status deleted), then removes it (glance/api/v2/images.py).
    image.delete()
    repo.remove(image)

    # Image members.
    members = notifier.ImageMemberRepoProxy(_Repo(), image, ctx, n)
    member = notifier.ImageMemberProxy(glance.domain.ImageMemberFactory().new_image_member(image, MEMBER), ctx, n)
    members.add(member)
    member.status = "accepted"
    members.save(member)
    members.remove(member)

    # Tasks: create, run, processing, success; a second one fails; delete.
    tasks = notifier.TaskRepoProxy(_Repo(), ctx, n)
    for outcome in ("success", "failure"):
        task = notifier.TaskFactoryProxy(glance.domain.TaskFactory(), ctx, n).new_task(
            task_type="import",
            owner=OWNER,
            image_id=str(uuid.uuid4()),
            user_id=USER,
            request_id="req-" + str(uuid.uuid4()),
            task_time_to_live=48,
            task_input={"import_from": "swift://user:secret@host/c/o"},
        )
        tasks.add(task)
        task.run(_Executor())
        task.begin_processing()
        if outcome == "success":
            task.succeed({"image_id": str(uuid.uuid4())})
        else:
            task.fail("image conversion failed")
        tasks.remove(task)

    # Metadata definitions: created from names, as the API does; updated and deleted as loaded from the database.
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    ns_factory = glance.domain.MetadefNamespaceFactory()
    raw_namespace = ns_factory.new_namespace(
        "OS::Compute::Quota", OWNER, display_name="Quota", description="CPU quotas"
    )
    namespace = notifier.MetadefNamespaceProxy(raw_namespace, ctx, n)
    ns_repo = notifier.MetadefNamespaceRepoProxy(_Repo(), ctx, n)
    ns_repo.add(namespace)
    namespace._old_namespace = namespace.namespace
    namespace.namespace = "OS::Compute::Quotas"
    ns_repo.save(namespace)
    ns_repo.remove_objects(namespace)
    ns_repo.remove_properties(namespace)
    ns_repo.remove_tags(namespace)

    obj_repo = notifier.MetadefObjectRepoProxy(_Repo(), ctx, n)
    obj = glance.domain.MetadefObjectFactory().new_object(
        namespace=namespace.namespace,
        name="CPU Limits",
        required=["quota:cpu_period"],
        description="limits",
        properties={"quota:cpu_period": PropertyType(type="integer", title="Period", minimum=1000)},
    )
    obj_repo.add(notifier.MetadefObjectProxy(obj, ctx, n))
    loaded = notifier.MetadefObjectProxy(
        glance.domain.MetadefObject(
            raw_namespace, obj.object_id, obj.name, now, now, obj.required, obj.description, obj.properties
        ),
        ctx,
        n,
    )
    loaded._old_name = loaded.name
    loaded.name = "CPU Limit"
    obj_repo.save(loaded)
    obj_repo.remove(loaded)

    prop_repo = notifier.MetadefPropertyRepoProxy(_Repo(), ctx, n)
    prop = glance.domain.MetadefPropertyFactory().new_namespace_property(
        namespace=namespace.namespace,
        name="hw_rng:allowed",
        schema={"type": "boolean", "title": "RNG"},
    )
    prop_repo.add(notifier.MetadefPropertyProxy(prop, ctx, n))
    loaded_prop = notifier.MetadefPropertyProxy(
        glance.domain.MetadefProperty(raw_namespace, prop.property_id, prop.name, prop.schema), ctx, n
    )
    loaded_prop._old_name = prop.name
    prop_repo.save(loaded_prop)
    prop_repo.remove(loaded_prop)

    rt_repo = notifier.MetadefResourceTypeRepoProxy(_Repo(), ctx, n)
    rt = glance.domain.MetadefResourceTypeFactory().new_resource_type(
        namespace=namespace.namespace,
        name="OS::Nova::Flavor",
        prefix="quota:",
        properties_target=None,
    )
    rt_repo.add(notifier.MetadefResourceTypeProxy(rt, ctx, n))
    loaded_rt = notifier.MetadefResourceTypeProxy(
        glance.domain.MetadefResourceType(raw_namespace, rt.name, rt.prefix, rt.properties_target, now, now), ctx, n
    )
    rt_repo.remove(loaded_rt)

    tag_repo = notifier.MetadefTagRepoProxy(_Repo(), ctx, n)
    tag = glance.domain.MetadefTagFactory().new_tag(namespace=namespace.namespace, name="gpu")
    tag_repo.add(notifier.MetadefTagProxy(tag, ctx, n))
    loaded_tag = notifier.MetadefTagProxy(
        glance.domain.MetadefTag(raw_namespace, tag.tag_id, tag.name, now, now), ctx, n
    )
    loaded_tag._old_name = tag.name
    tag_repo.save(loaded_tag)
    tag_repo.remove(loaded_tag)

    ns_repo.remove(namespace)

    return [jsonutils.loads(jsonutils.dumps(message)) for _ctxt, message, _priority, _retry in _impl_test.NOTIFICATIONS]
