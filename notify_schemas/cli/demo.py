"""The demo: the notifications of one image's life and of two tasks' lives, sent through a Notifier.

It plays Glance's part with plain records and the package's payload builders, so each message is what a producer
using this package would send, and each is validated by the Notifier before its drivers run.
"""

from __future__ import annotations

import datetime
import json
import uuid
from typing import Any

from notify_schemas.config import is_disabled
from notify_schemas.errors import InvalidNotificationError
from notify_schemas.notifier import Notifier
from notify_schemas.payloads import image_payload, image_send_payload, task_payload
from notify_schemas.registry import variants
from notify_schemas.validation import iter_errors

__all__ = ["UNCHECKED", "run_demo", "verdict"]

Row = tuple[dict[str, Any] | None, str, str, str, str]


def _describe(payload: Any) -> str:
    if isinstance(payload, dict):
        text = ", ".join(f"{k}={json.dumps(payload[k])}" for k in list(payload)[:3])
        return f"{{{text}, ... {len(payload)} keys}}" if len(payload) > 3 else f"{{{text}}}"
    return json.dumps(payload)[:60]


UNCHECKED = "unchecked"
"""The verdict of a notification sent with validation off: nothing judged it, so it is neither valid nor invalid."""


def verdict(notifier: Notifier, event_type: str, message: dict[str, Any] | None) -> str:
    """What became of a notification ``notifier`` was given, as the demo's table says it (D101): ``valid``,
    ``invalid (sent): <the first violation>`` (warn mode sends what it finds invalid: the Notifier's warning is no
    verdict of valid), `UNCHECKED` (validation off judges nothing), ``disabled``, or ``not sent`` (a message that
    warn or off mode could not write as JSON). Strict mode's refusal is said where it is raised."""
    if message is None:
        return "disabled" if is_disabled(event_type, notifier.disabled_notifications) else "not sent"
    if notifier.validation == "off":
        return UNCHECKED
    if notifier.validation == "warn":
        first = next(iter_errors(message, profile=notifier.profile, backend=notifier.backend), None)
        if first is not None:
            return f"invalid (sent): {first}"
    return "valid"


def run_demo(notifier: Notifier) -> list[Row]:
    """Send the lifecycles through ``notifier``; one row per notification: message, event, priority, verdict."""
    profile = notifier.profile
    known = {(v.event_type, v.priority) for v in variants(profile)}
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    owner = uuid.uuid4().hex
    image: dict[str, Any] = {
        "image_id": str(uuid.uuid4()),
        "name": "cirros-0.6.2",
        "status": "queued",
        "created_at": now,
        "updated_at": now,
        "min_disk": 0,
        "min_ram": 0,
        "protected": False,
        "checksum": None,
        "owner": owner,
        "disk_format": "qcow2",
        "container_format": "bare",
        "size": None,
        "virtual_size": None,
        "visibility": "private",
        "extra_properties": {"os_distro": "cirros"},
        "tags": ["demo"],
        "locations": [{"url": "file:///var/lib/glance/images/secret", "metadata": {}}],  # never sent
    }
    rows: list[Row] = []

    def send(event_type: str, priority: str, payload: Any) -> None:
        if (event_type, priority) not in known:
            return
        method = {"INFO": notifier.info, "WARN": notifier.warn, "ERROR": notifier.error}[priority]
        try:
            message = method({}, event_type, payload)
            said = verdict(notifier, event_type, message)
        except InvalidNotificationError as error:
            message, said = None, f"invalid: {error.violations[0]}"
        rows.append((message, event_type, priority, said, _describe(payload)))

    def image_event(event_type: str, **extra: Any) -> None:
        if (event_type, "INFO") in known:
            send(event_type, "INFO", image_payload(image, event_type=event_type, profile=profile, **extra))

    image_event("image.create")
    image.update(name="cirros-0.6.2-x86_64")
    image_event("image.update")
    image.update(
        status="saving", extra_properties={**image["extra_properties"], "os_glance_importing_to_stores": "fast"}
    )
    image_event("image.prepare", **({"backend": "fast"} if profile == "glance" else {}))
    image.update(
        status="active",
        size=21430272,
        virtual_size=117440512,
        checksum="c8fc807773e5354afe61636071771906",
        extra_properties={"os_distro": "cirros"},
    )
    image_event("image.upload")
    image_event("image.activate")
    send(
        "image.send",
        "INFO",
        image_send_payload(
            image,
            bytes_sent=21430272,
            receiver_tenant_id=uuid.uuid4().hex,
            receiver_user_id=uuid.uuid4().hex,
            destination_ip="203.0.113.7",
            profile=profile,
        ),
    )
    send("image.upload", "ERROR", "Image storage media is full: no space left on device")
    image.update(status="deleted", deleted=True, deleted_at=now)
    image_event("image.delete")

    for outcome in ("success", "failure"):
        task: dict[str, Any] = {
            "task_id": str(uuid.uuid4()),
            "type": "import",
            "status": "pending",
            "owner": owner,
            "result": None,
            "message": None,
            "expires_at": None,
            "created_at": now,
            "updated_at": now,
            "task_input": {"import_from": "https://user:secret@example.com/image.qcow2"},  # never sent
        }

        def task_event(event_type: str, task: dict[str, Any] = task) -> None:
            if (event_type, "INFO") in known:
                send(event_type, "INFO", task_payload(task, event_type=event_type, profile=profile))

        task_event("task.create")
        task_event("task.run")
        task["status"] = "processing"
        task_event("task.processing")
        task.update(status=outcome, expires_at=now + datetime.timedelta(days=2))
        if outcome == "success":
            task["result"] = {"image_id": image["image_id"]}
            task_event("task.success")
        else:
            task["message"] = "Image conversion failed: unsupported disk format"
            task_event("task.failure")
            send("task.failure", "ERROR", "Task failed: image conversion failed")
        task_event("task.delete")
    return rows
