"""build_message() writes the envelope as oslo.messaging does."""

from __future__ import annotations

import datetime
import re
import uuid

from hypothesis import given
from hypothesis import strategies as st

from notify_schemas.message import build_message, oslo_timestamp
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
