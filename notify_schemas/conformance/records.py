"""What an intent is: the domain record a producer is asked to announce, its secrets, and the payload it must send.

The ground floor of the conformance suite: the generation, the checks and the producers all read it.
"""

from __future__ import annotations

import copy
import functools
import json
import re
import urllib.parse
from typing import Any

from notify_schemas.values import Variant

__all__ = [
    "CREDENTIALS", "LOCATIONS", "SECRETS", "SECRET_PASSWORD", "SECRET_URL", "Intent", "credential_forms",
    "expected_payload", "record_for", "shown_forms", "unleaked",
]  # fmt: skip

Intent = dict[str, Any]
SECRET_PASSWORD = "s3cr3t-conformance"
# A second credential that changes when it is URL-quoted or JSON-escaped, so that each form of it differs.
QUOTED_PASSWORD = 'p@ss/w"rd%conformance+1'
SIGNATURE = "5ig-conformance-0a1b2c"
_Q = urllib.parse.quote(QUOTED_PASSWORD, safe="")
SECRET_URL = f"swift://admin:{SECRET_PASSWORD}@swift.example/v1/images/c0ffee"
# Where real stores keep an image, with the credentials in the places each scheme puts them: the user info of a
# swift, http(s) or s3 URL, a signed query string, or none at all (file, rbd).
LOCATIONS: tuple[str, ...] = (
    SECRET_URL,
    "file:///var/lib/glance/images/c0ffee",
    f"https://glance:{_Q}@images.example:8443/v2/c0ffee.qcow2",
    "rbd://1f2e3d4c-fsid/images/c0ffee/snap",
    f"s3://AKIACONFORMANCE:{SECRET_PASSWORD}@s3.example/glance/c0ffee",
    f"swift+https://tenant%3Aadmin:{_Q}@swift.example/v1/AUTH_t/glance/c0ffee",
    f"http://images.example/c0ffee.raw?X-Amz-Signature={SIGNATURE}&X-Amz-Expires=600",
)
# Every credential any intent holds: none of them, in any form, may appear in a notification.
CREDENTIALS = (SECRET_PASSWORD, QUOTED_PASSWORD, SIGNATURE)
SECRETS: dict[str, Any] = {
    "image": {"locations": [{"url": SECRET_URL, "metadata": {}}], "direct_url": SECRET_URL},
    "task": {"task_input": {"import_from": SECRET_URL, "import_from_format": "qcow2"}},
}


def secrets(kind: str, location: int = 0) -> dict[str, Any]:
    """The secret fields of a ``kind`` record whose data is at ``LOCATIONS[location]`` (and the next one)."""
    first = LOCATIONS[location % len(LOCATIONS)]
    if kind == "image":
        second = LOCATIONS[(location + 1) % len(LOCATIONS)]
        locations = [{"url": first, "metadata": {}}]
        if location:  # a second store, with metadata of its own, for all but the simplest record
            locations.append({"url": second, "metadata": {"store": "backup", "auth_token": SIGNATURE}})
        return {"locations": locations, "direct_url": first}
    if kind == "task":
        return {"task_input": {"import_from": first, "import_from_format": "qcow2",
                               "image_properties": {"os_password": QUOTED_PASSWORD}}}  # fmt: skip
    return {}


def credential_forms() -> tuple[str, ...]:
    """Each credential as a producer may write it, lower-cased: as is, URL-quoted (either way, either case of hex
    digits), and JSON-escaped (as it reads in a JSON text inside a string)."""
    forms: list[str] = []
    for credential in CREDENTIALS:
        for form in (credential, urllib.parse.quote(credential, safe=""), urllib.parse.quote(credential),
                     urllib.parse.quote_plus(credential), json.dumps(credential)[1:-1]):  # fmt: skip
            forms.append(form.lower())
    return tuple(dict.fromkeys(forms))


def shown_forms() -> tuple[str, ...]:
    """Each form of `credential_forms`, each as a JSON pointer writes it (``~`` as ``~0``, ``/`` as ``~1``), and each
    as a JSON text writes it in a string: what the suite writes names a place by its pointer, and a credential that is
    a key of the answer is a token of the pointer of each value under it (``/payload/p@ss~1w"rd...``); and it shows
    an answer as JSON, where a value holding a credential JSON-escaped (``p@ss/w\\"rd``, which `security.no_leak`
    finds) is escaped once more (``p@ss/w\\\\\\"rd``). In neither do its forms read as they are."""
    forms = credential_forms()
    pointed = [form.replace("~", "~0").replace("/", "~1") for form in forms]
    return tuple(dict.fromkeys([*forms, *pointed, *(json.dumps(form)[1:-1] for form in (*forms, *pointed))]))


@functools.cache
def _forms() -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, sorted(shown_forms(), key=len, reverse=True))), re.IGNORECASE)


def unleaked(text: str) -> str:
    """``text`` with each of the intents' credentials, in each form `security.no_leak` finds it (any case), and in a
    JSON pointer's token (`shown_forms`), written as ``***``: what the suite writes of a producer's answer (its
    notification, a reason quoting it, why the run stopped) never carries them, as nothing the package writes
    carries a credential (DECISIONS D33, D82). The reason of the check says where each one was."""
    return _forms().sub("***", text)


def _kind(payload: Any) -> str:
    if not isinstance(payload, dict):
        return "text"
    if "disk_format" in payload:
        return "image"
    if {"owner", "status", "expires_at"} <= payload.keys():
        return "task"
    return "record"


def record_for(v: Variant, payload: Any, location: int = 0) -> dict[str, Any]:
    """The domain record behind a valid payload of ``v``: the payload, plus the secrets a real object would hold,
    its data stored at ``LOCATIONS[location]``."""
    if v.profile == "seed" and v.event_type == "image.delete" and v.priority == "INFO":
        return {"id": payload, **secrets("image", location)}
    kind = _kind(payload)
    if kind == "text":
        return {"text": payload}
    return {**copy.deepcopy(payload), **secrets(kind, location)}


def expected_payload(intent: Intent) -> Any:
    """The payload the specification requires for ``intent``: the record, without what must never be sent."""
    record = intent["record"]
    if set(record) == {"text"}:
        return record["text"]
    if intent["profile"] == "seed" and intent["event_type"] == "image.delete" and intent["priority"] == "INFO":
        return record["id"]
    secret = {k for values in SECRETS.values() for k in values}
    return {k: v for k, v in record.items() if k not in secret}
