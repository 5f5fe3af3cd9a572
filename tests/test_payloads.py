"""Payload builders: Glance objects in, the payload each variant requires out; never a key that can hold credentials."""

from __future__ import annotations

import datetime
import uuid
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notify_schemas import Variant, variants
from notify_schemas.message import build_message
from notify_schemas.payloads import image_payload, image_send_payload, isotime, payload_properties, task_payload
from notify_schemas.validation import iter_errors

NOW = datetime.datetime(2026, 11, 24, 20, 13, 46, 597409)


def glance_image(**changes: Any) -> SimpleNamespace:
    """An object shaped like glance.domain.Image, locations included."""
    values = {
        "image_id": str(uuid.uuid4()),
        "name": "cirros",
        "status": "active",
        "created_at": NOW,
        "updated_at": NOW,
        "min_disk": 0,
        "min_ram": 0,
        "protected": False,
        "checksum": "c8fc807773e5354afe61636071771906",
        "owner": "6838eb7b6ded434a882cb344c77fe8df",
        "disk_format": "qcow2",
        "container_format": "bare",
        "size": 21430272,
        "virtual_size": None,
        "visibility": "public",
        "extra_properties": {"hw_disk_bus": "scsi", "os_glance_importing_to_stores": "fast,slow"},
        "tags": {"b", "a"},
        "locations": [{"url": "swift://user:secret@host/c/o", "metadata": {}}],
        "direct_url": "swift://user:secret@host",
    }
    values.update(changes)
    return SimpleNamespace(**values)


def glance_task(**changes: Any) -> dict[str, Any]:
    values = {
        "task_id": str(uuid.uuid4()),
        "type": "import",
        "status": "pending",
        "owner": "6838eb7b6ded434a882cb344c77fe8df",
        "result": None,
        "message": "",
        "expires_at": None,
        "created_at": NOW,
        "updated_at": NOW,
        "task_input": {"import_from": "swift://user:secret@host/c/o"},
    }
    values.update(changes)
    return values


# The image as Glance holds it when it sends each event (D39): a new record has no data, a prepare precedes it.
IMAGE_STATE: dict[str, dict[str, Any]] = {
    "image.create": {"status": "queued", "size": None, "virtual_size": None, "checksum": None},
    "image.prepare": {"status": "saving"},
}
IMAGE_EVENTS = ["image.create", "image.prepare", "image.upload", "image.activate", "image.update", "image.delete"]
TASK_STATUS = {
    "task.create": "pending",
    "task.run": "pending",
    "task.processing": "processing",
    "task.success": "success",
    "task.failure": "failure",
    "task.delete": "success",
}


def _errors(event_type: str, priority: str, payload: Any, profile: str) -> list[str]:
    return [str(v) for v in iter_errors(build_message(event_type, priority, payload, "image.h"), profile=profile)]


@pytest.mark.parametrize("profile", ["seed", "glance"])
@pytest.mark.parametrize("event_type", IMAGE_EVENTS)
def test_image_payload_is_valid_for_every_image_event(profile: str, event_type: str) -> None:
    state = IMAGE_STATE.get(event_type, {})
    if event_type == "image.delete" and profile == "glance":
        state = {"status": "deleted"}
    image = glance_image(**state)
    payload = image_payload(image, event_type=event_type, profile=profile)
    assert _errors(event_type, "INFO", payload, profile) == []
    if isinstance(payload, dict):
        assert not {"locations", "location", "direct_url"} & payload.keys()
        assert payload["created_at"] == "2026-11-24T20:13:46Z"
        assert payload["tags"] == ["a", "b"]
        assert payload["is_public"] is True


def test_image_payload_keys_are_the_schemas() -> None:
    for profile in ("seed", "glance"):
        for v in variants(profile):
            if (
                v.event_type in IMAGE_EVENTS
                and v.priority == "INFO"
                and (profile, v.event_type) != ("seed", "image.delete")
            ):
                payload = image_payload(glance_image(), event_type=v.event_type, profile=profile)
                assert set(payload) <= set(payload_properties(v))
                assert set(payload) >= {k for k, s in payload_properties(v).items() if k != "backend"}


def test_glance_import_fields_come_from_the_extra_properties() -> None:
    payload = image_payload(glance_image(), event_type="image.upload", profile="glance")
    assert payload["os_glance_importing_to_stores"] == ["fast", "slow"]
    assert payload["os_glance_failed_import"] == []


def test_seed_image_delete_is_the_image_id() -> None:
    image = glance_image()
    assert image_payload(image, event_type="image.delete") == image.image_id


def test_glance_image_delete_is_marked_deleted() -> None:
    payload = image_payload(glance_image(), event_type="image.delete", profile="glance")
    assert payload["deleted"] is True
    assert payload["deleted_at"]


@given(
    st.dictionaries(
        st.sampled_from(["locations", "location", "direct_url", "task_input", "password"]),
        st.text(max_size=20),
        min_size=1,
    )
)
def test_keys_outside_the_schema_are_never_copied(extra: dict[str, str]) -> None:
    image = image_payload(glance_image(**extra), event_type="image.update", profile="glance")
    task = task_payload(glance_task(**extra), event_type="task.run", profile="glance")
    assert not set(extra) & (set(image) | set(task))


@pytest.mark.parametrize("profile", ["seed", "glance"])
def test_task_payload_is_valid_for_every_task_event(profile: str) -> None:
    for v in variants(profile):
        if v.event_type.startswith("task.") and v.priority == "INFO":
            status = TASK_STATUS[v.event_type]
            task = glance_task(
                status=status,
                result={"image_id": "x"} if status == "success" else None,
                message="failed" if status == "failure" else None,
                expires_at="2026-11-26T20:13:46Z" if status in ("success", "failure") else None,
            )
            payload = task_payload(task, event_type=v.event_type, profile=profile)
            assert _errors(v.event_type, "INFO", payload, profile) == [], v.event_type
            assert "task_input" not in payload


def test_seed_task_run_has_result_and_message_as_none_whatever_the_task_holds() -> None:
    payload = task_payload(glance_task(result={"a": 1}, message="m"), event_type="task.run")
    assert payload["result"] is None
    assert payload["message"] is None


def test_image_send_uses_destination_ip_only_where_the_profile_has_it() -> None:
    image = glance_image()
    kwargs: dict[str, Any] = {
        "bytes_sent": 10,
        "receiver_tenant_id": "t",
        "receiver_user_id": "u",
        "destination_ip": "::1",
    }
    seed = image_send_payload(image, **kwargs)
    glance = image_send_payload(image, profile="glance", priority="ERROR", **kwargs)
    assert seed["destination_ip"] == "::1"
    assert "destination_ip" not in glance
    assert _errors("image.send", "INFO", seed, "seed") == []
    assert _errors("image.send", "ERROR", glance, "glance") == []


def test_an_extra_key_the_schema_lacks_is_refused() -> None:
    with pytest.raises(TypeError, match="has no payload key locations"):
        image_payload(glance_image(), event_type="image.update", locations=[])


def test_isotime_writes_utc_with_z() -> None:
    tz = datetime.timezone(datetime.timedelta(hours=2))
    assert isotime(datetime.datetime(2026, 1, 2, 5, 4, 5, tzinfo=tz)) == "2026-01-02T03:04:05Z"
    assert isotime(None) is None


class _Unordered:
    """A tag that is not text and cannot be ordered against text."""

    def __repr__(self) -> str:
        return "<unordered>"


TAGS = st.one_of(
    st.none(),
    st.text(max_size=5),
    st.integers(),
    st.lists(st.one_of(st.text(max_size=5), st.integers(), st.none(), st.builds(_Unordered)), max_size=5),
    st.frozensets(st.text(max_size=5), max_size=5),
)


@given(tags=TAGS)
def test_any_tags_are_copied_for_validation_to_judge(tags: Any) -> None:
    # sorted() of the image's tags raised TypeError on None, a number, or tags that are not all text ([1, "a"]),
    # and read a text "abc" letter by letter as the valid tags ["a", "b", "c"].
    payload = image_payload(glance_image(tags=tags), event_type="image.update")
    sent = payload["tags"]
    if isinstance(tags, list | frozenset):
        assert isinstance(sent, list)
        assert sorted(map(repr, sent)) == sorted(map(repr, tags))  # every tag, none added
        if all(type(tag) is str for tag in tags):
            assert sent == sorted(tags)  # text is sorted, as before
    else:
        assert sent is tags  # not a collection of tags: left as it is, for validation to name
        assert _errors("image.update", "INFO", payload, "seed") != []


class _Asked:
    """A producer's value that raises when asked its truth, its equality or its text."""

    def __bool__(self) -> bool:
        raise RuntimeError("asked its truth")

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("asked its equality")

    __hash__ = object.__hash__

    def __str__(self) -> str:
        raise RuntimeError("asked its text")


STORES = st.one_of(st.none(), st.text(alphabet="ab,", max_size=6), st.lists(st.text(max_size=3), max_size=3),
                   st.integers(), st.builds(_Asked))  # fmt: skip


@given(stores=STORES, visibility=st.one_of(st.sampled_from(["public", "private"]), st.none(), st.builds(_Asked)))
def test_an_images_stores_and_visibility_are_read_without_asking_a_producers_value(
    stores: Any, visibility: Any
) -> None:
    # The stores were asked their truth and made text ('if text', str(text)): a list became "['a'", and a value whose
    # __bool__ raised, or a visibility whose __eq__ did, raised out of image_payload.
    image = glance_image(visibility=visibility, extra_properties={"os_glance_importing_to_stores": stores},
                         **IMAGE_STATE.get("image.prepare", {}))  # fmt: skip
    payload = image_payload(image, event_type="image.prepare", profile="glance")
    sent = payload["os_glance_importing_to_stores"]
    if stores is None:
        assert sent == []
    elif isinstance(stores, str):
        assert sent == [s for s in stores.split(",") if s]
    else:
        assert sent is stores  # left as it is, for validation to name
    assert payload["is_public"] is (visibility == "public" if isinstance(visibility, str) else False)


@pytest.mark.parametrize("deleted_at", ["", 0, "yesterday"])
def test_a_deleted_images_own_deletion_time_is_judged_as_it_is(deleted_at: Any) -> None:
    # 'deleted_at or now' replaced a time the producer gave that reads as false ("", 0) with the current time.
    payload = image_payload(glance_image(status="deleted", deleted_at=deleted_at), event_type="image.delete",
                            profile="glance")  # fmt: skip
    assert payload["deleted_at"] == deleted_at
    assert any("/payload/deleted_at" in e for e in _errors("image.delete", "INFO", payload, "glance"))
    unknown = image_payload(glance_image(status="deleted", deleted_at=None), event_type="image.delete",
                            profile="glance")  # fmt: skip
    assert isinstance(unknown["deleted_at"], str)


@given(message=st.one_of(st.text(max_size=3), st.none(), st.integers(), st.lists(st.integers(), max_size=2),
                         st.booleans(), st.builds(_Asked)))  # fmt: skip
def test_a_tasks_message_is_read_without_asking_a_producers_value(message: Any) -> None:
    # 'message or None' asked the producer's value its truth: 0, [] and false became null, and a value whose __bool__
    # raised raised out of task_payload.
    payload = task_payload(glance_task(status="failure", message=message), event_type="task.failure")
    if isinstance(message, str) and not message:
        assert payload["message"] is None  # Glance keeps empty text for a task without a message
    else:
        assert payload["message"] is message


class _NamedAnew(str):
    """A key that says, by its hash and its equality, that it is another key than its text."""

    def __hash__(self) -> int:
        return 7

    def __eq__(self, other: object) -> bool:
        return False


@pytest.mark.parametrize("key", ["locations", "location", "direct_url"])
def test_an_extra_property_that_must_never_be_copied_is_told_by_its_text(key: str) -> None:
    image = glance_image(extra_properties={_NamedAnew(key): "swift://user:secret@host/c/o", "hw_disk_bus": "scsi"})
    payload = image_payload(image, event_type="image.update", profile="glance")
    assert list(map(str, payload["properties"])) == ["hw_disk_bus"]


class _TimeBoom(datetime.datetime):
    def strftime(self, fmt: str) -> str:  # type: ignore[override]
        raise RuntimeError("asked its text")


def test_a_time_whose_own_code_raises_is_copied_for_validation_to_name() -> None:
    when = _TimeBoom(2026, 1, 2)
    assert isotime(when) is when
    payload = task_payload(glance_task(created_at=when), event_type="task.run")
    assert payload["created_at"] is when
    assert any("/payload/created_at" in e for e in _errors("task.run", "INFO", payload, "seed"))


def test_tags_that_never_end_are_read_no_further_than_a_wire_form_reads() -> None:
    import itertools
    import signal

    signal.alarm(60)  # a read without end would otherwise hold the suite
    try:
        payload = image_payload(glance_image(tags=itertools.repeat("a")), event_type="image.update")
    finally:
        signal.alarm(0)
    assert any("/payload/tags" in e and "never end" in e for e in _errors("image.update", "INFO", payload, "seed"))


class _Raising:
    """A Glance record whose reading of one attribute raises, as a lazy load from a database that went away does."""

    def __init__(self, record: Any, broken: str) -> None:
        self._record = record
        self._broken = broken

    def __getattr__(self, name: str) -> Any:
        if name == self._broken:
            raise RuntimeError(f"{name} cannot be loaded")
        return getattr(self._record, name)


class _RaisingMapping(dict):  # type: ignore[type-arg]
    """A record that is a mapping, whose lookup of one key raises, or whose __contains__ raises for every key."""

    def __init__(self, record: dict[str, Any], broken: str) -> None:
        super().__init__(record)
        self._broken = broken

    def __getitem__(self, key: Any) -> Any:
        if key == self._broken:
            raise RuntimeError(f"{key} cannot be loaded")
        return dict.__getitem__(self, key)

    def __contains__(self, key: Any) -> bool:
        if self._broken == "*":
            raise RuntimeError("nothing can be looked up")
        return dict.__contains__(self, key)


def _tags_that_fail() -> Any:
    yield "a"
    raise RuntimeError("the tags cannot be loaded")


@pytest.mark.parametrize("profile", ["seed", "glance"])
@pytest.mark.parametrize(
    "broken", ["image_id", "name", "status", "owner", "extra_properties", "tags", "visibility", "iterated tags"]
)
def test_a_record_whose_reading_raises_gets_a_payload_that_validation_names(profile: str, broken: str) -> None:
    # A property, a lookup or the iteration of the tags that raised, raised out of the payload builder: the producer
    # got its record's exception, not a verdict.
    key = {"image_id": "id", "extra_properties": "properties", "iterated tags": "tags"}.get(broken, broken)
    for event_type in ("image.update", "image.delete"):
        image: Any = _Raising(glance_image(), broken)
        if broken == "iterated tags":
            image = glance_image(tags=_tags_that_fail())
        payload = image_payload(image, event_type=event_type, profile=profile)
        for _ in range(2):  # judged however often it is read: the read is never taken for a value
            errors = _errors(event_type, "INFO", payload, profile)
            if profile == "seed" and event_type == "image.delete":
                assert errors == ([] if key != "id" else ["/payload: cannot be read: RuntimeError [not-json]"])
            elif key in payload_properties(Variant(profile, event_type, "INFO")):
                assert f"/payload/{key}: cannot be read: RuntimeError [not-json]" in errors
    send = image_send_payload(_Raising(glance_image(), broken), bytes_sent=1, receiver_tenant_id=None,
                              receiver_user_id=None, profile=profile)  # fmt: skip
    if broken in ("image_id", "owner"):
        pointer = "/payload/image_id" if broken == "image_id" else "/payload/owner_id"
        assert f"{pointer}: cannot be read: RuntimeError [not-json]" in _errors("image.send", "INFO", send, profile)


@pytest.mark.parametrize("broken", ["task_id", "type", "status", "*"])
def test_a_task_whose_reading_raises_gets_a_payload_that_validation_names(broken: str) -> None:
    task = _RaisingMapping(glance_task(status="success", result={}, expires_at=NOW), broken)
    for profile, event_type in (("seed", "task.success"), ("glance", "task.success")):
        payload = task_payload(task, event_type=event_type, profile=profile)
        errors = _errors(event_type, "INFO", payload, profile)
        assert any("cannot be read: RuntimeError [not-json]" in e for e in errors)
