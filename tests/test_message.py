"""build_message() writes the envelope as oslo.messaging does."""

from __future__ import annotations

import datetime
import os
import re
import threading
import uuid

from hypothesis import given
from hypothesis import strategies as st

from notify_schemas.message import build_message, oslo_timestamp, uuid4
from notify_schemas.validation import is_valid


def test_envelope_has_oslos_six_keys_in_oslos_order() -> None:
    message = build_message("image.delete", "info", "c80a1a6c-bd1f-41c5-90ee-81afedb1d58d", "image.host1")
    assert list(message) == ["message_id", "publisher_id", "event_type", "priority", "payload", "timestamp"]
    assert message["priority"] == "INFO"
    assert uuid.UUID(message["message_id"]).version == 4
    assert str(uuid.UUID(message["message_id"])) == message["message_id"]
    assert is_valid(message)


def test_every_message_gets_a_new_id() -> None:
    ids = {build_message("image.delete", "INFO", "x", "h")["message_id"] for _ in range(1000)}
    assert len(ids) == 1000


def test_timestamp_is_now_in_utc() -> None:
    before = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    stamp = build_message("image.delete", "INFO", "x", "h")["timestamp"]
    after = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    assert before <= datetime.datetime.fromisoformat(stamp) <= after


@given(st.datetimes(timezones=st.none() | st.timezones()))
def test_timestamp_is_str_of_the_naive_utc_time(when: datetime.datetime) -> None:
    stamp = oslo_timestamp(when)
    naive = when.astimezone(datetime.UTC).replace(tzinfo=None) if when.tzinfo else when
    assert stamp == str(naive)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?", stamp)
    assert ("." in stamp) == (naive.microsecond != 0)


def test_ids_are_version_4_uuids_in_canonical_text_across_many_batches() -> None:
    ids = [uuid4() for _ in range(2_000)]  # several batches of random bytes
    assert len(set(ids)) == len(ids)
    for text in ids:
        parsed = uuid.UUID(text)
        assert str(parsed) == text
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122
    assert {text[19] for text in ids} == set("89ab")


def test_threads_never_get_the_same_id() -> None:
    found: list[list[str]] = [[] for _ in range(8)]

    def take(out: list[str]) -> None:
        out.extend(uuid4() for _ in range(3_000))

    threads = [threading.Thread(target=take, args=(out,)) for out in found]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [text for out in found for text in out]
    assert len(set(every)) == len(every) == 24_000


def test_a_forked_child_does_not_repeat_its_parents_ids() -> None:
    uuid4()  # the parent holds a batch that the child inherits
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover (the child)
        os.write(write, "".join(uuid4() for _ in range(300)).encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    with os.fdopen(read) as pipe:
        text = pipe.read()
    child = {text[i : i + 36] for i in range(0, len(text), 36)}
    parent = {uuid4() for _ in range(300)}
    assert len(child) == 300
    assert not child & parent
