"""What listeners of a pool count, and how their counts add up: duplicates are deliveries of an id already seen,
never new messages; a message two listeners each received once counts once. (The broker tests run the listeners.)"""

from __future__ import annotations

import contextlib
import io
import json
import multiprocessing
import os
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notify_schemas.broker.listener import AppendedLines, Tally
from notify_schemas.cli import main

Delivery = tuple[str, bool, str]  # message id, valid, event type
DELIVERIES = st.lists(st.tuples(st.sampled_from([f"id-{i}" for i in range(30)]), st.booleans(),
                                st.sampled_from(["image.upload", "task.run"])), max_size=80)  # fmt: skip


def tally_of(deliveries: list[Delivery]) -> Tally:
    tally = Tally()
    for message_id, valid, label in deliveries:
        tally.count(message_id, valid, label)
    return tally


@given(DELIVERIES, DELIVERIES)
def test_two_listeners_add_up_to_one_that_received_everything(a: list[Delivery], b: list[Delivery]) -> None:
    # A message's verdict is a property of the message: the same id is valid or invalid wherever it is delivered.
    verdict = {message_id: (valid, label) for message_id, valid, label in a + b}
    a = [(i, *verdict[i]) for i, _, _ in a]
    b = [(i, *verdict[i]) for i, _, _ in b]
    together = tally_of(a + b)
    added = tally_of(a).add(tally_of(b))
    assert (+added.valid, +added.invalid, added.duplicates) == (+together.valid, +together.invalid,
                                                                together.duplicates)  # fmt: skip
    assert added.total == len({i for i, _, _ in a + b})
    assert added.total + added.duplicates == len(a) + len(b)
    assert Tally.from_json(json.loads(json.dumps(added.as_json()))) == added


def test_a_message_delivered_again_is_a_duplicate_not_a_new_one() -> None:
    tally = tally_of([("m1", True, "image.upload"), ("m1", True, "image.upload"), ("m2", False, "task.run")])
    assert (tally.total, tally.duplicates) == (2, 1)
    assert "2 received: 1 valid, 1 invalid, 1 delivered again" in tally.line()


def test_tally_adds_up_summary_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    one, two = tmp_path / "a.json", tmp_path / "b.json"
    one.write_text(json.dumps(tally_of([("m1", True, "image.upload"), ("m2", True, "image.upload")]).as_json()))
    two.write_text(json.dumps(tally_of([("m2", True, "image.upload"), ("m3", True, "task.run")]).as_json()))
    assert main(["tally", str(one), str(two)]) == 0
    assert capsys.readouterr().out == (
        "2 listeners: 3 received: 3 valid, 0 invalid, 1 delivered again "
        "(image.upload 2/0, task.run 1/0 valid/invalid)\n"
    )
    assert main(["tally", str(one), str(two), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == {  # the text's every count, the listeners' too
        "listeners": 2, "received": 3, "valid": {"image.upload": 2, "task.run": 1}, "invalid": {},
        "duplicates": 1}  # fmt: skip
    assert main(["tally", str(one)]) == 0
    assert capsys.readouterr().out.startswith("1 listener: 2 received: ")
    (tmp_path / "bad.json").write_text("[1]")
    assert main(["tally", str(tmp_path / "bad.json")]) == 2
    assert "bad.json: not a listen --summary file" in capsys.readouterr().err


@pytest.mark.parametrize("second", ["same name", "another name", "a link", "stdin twice", "the file on stdin"])
def test_a_summary_named_twice_is_an_error_not_every_message_delivered_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, second: str
) -> None:
    (tmp_path / "swift:").mkdir()
    (tmp_path / "swift:" / "u:SECRET@h.json").write_text(
        json.dumps(tally_of([("m1", True, "image.upload"), ("m2", False, "task.run")]).as_json())
    )
    other = tmp_path / "other.json"
    other.write_text(json.dumps(tally_of([("m3", True, "image.upload")]).as_json()))
    one = f"{tmp_path}/swift://u:SECRET@h.json"  # a name that holds a URL: shown with its password masked
    names = {"same name": [one, one], "another name": [one, f"{tmp_path}/./swift://u:SECRET@h.json"],
             "a link": [one, str(tmp_path / "link.json")], "stdin twice": ["-", "-"],
             "the file on stdin": [one, "-"]}[second]  # fmt: skip
    (tmp_path / "link.json").symlink_to(one)
    if second == "the file on stdin":  # tally a.json - < a.json: the file itself, which - was not compared with
        stdin = open(one, encoding="utf-8")  # noqa: SIM115  # closed below
    else:
        stdin = io.TextIOWrapper(io.BytesIO(Path(one).read_bytes()))
    monkeypatch.setattr(sys, "stdin", stdin)
    with stdin:
        assert main(["tally", str(other), *names]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "the same summary as" in err
    assert "SECRET" not in err
    assert err.count("\n") == 1


def _append(path: str, n: int, tag: str) -> None:
    sink = AppendedLines(path)
    for i in range(n):
        sink.write(json.dumps({"writer": tag, "i": i, "pad": "x" * 9000}) + "\n")  # longer than a pipe's atomic size
    sink.close()


def test_listeners_of_a_pool_append_whole_lines_to_one_file(tmp_path: Path) -> None:
    path = str(tmp_path / "invalid.jsonl")
    writers = [multiprocessing.Process(target=_append, args=(path, 200, str(w))) for w in range(4)]
    for w in writers:
        w.start()
    for w in writers:
        w.join(timeout=60)
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 800
    written = {(r["writer"], r["i"]) for r in map(json.loads, lines)}
    assert written == {(str(w), i) for w in range(4) for i in range(200)}


def test_a_message_id_reused_for_other_content_counts_as_a_message_of_its_own() -> None:
    tally = Tally()
    assert tally.count("m1", True, "image.upload", "aaaa")
    assert not tally.count("m1", True, "image.upload", "aaaa")  # the same message delivered again
    assert tally.count("m1", False, "image.upload", "bbbb")  # another message under the same id: judged, counted
    assert (tally.total, tally.duplicates, sum(tally.invalid.values())) == (2, 1, 1)


def test_the_ids_counted_are_the_message_ids() -> None:
    tally = tally_of([("m1", True, "image.upload"), ("m2", False, "task.run"), ("m1", True, "image.upload")])
    assert tally.message_ids == {"m1", "m2"}


HOSTILE_EVENT_TYPE = "image.upload password=CANARY-51e \x1b[2J\x1b]0;owned\x07\u202e"


# Long ones: the credential's end (the "@" of a URL, the closing quote) comes after the text a label is cut to.
LONG_EVENT_TYPES = [
    "swift://glance:CANARY-51e" + "x" * 5_000 + "@swift.example",
    '"password": "CANARY-51e' + "x" * 5_000 + '"',
]


@pytest.mark.parametrize("event_type", LONG_EVENT_TYPES, ids=["url", "quoted"])
def test_a_long_event_type_is_masked_before_it_is_cut(event_type: str) -> None:
    tally = tally_of([("m1", False, event_type)])  # as a summary file may hold it: the line shows it as a label
    read = Tally.from_json(tally.as_json())  # labels made as the listener makes them
    shown = tally.line() + read.line() + json.dumps(read.as_json(), ensure_ascii=False)
    assert "CANARY-51e" not in shown


def test_an_event_type_that_is_not_valid_unicode_is_masked_before_it_is_quoted() -> None:
    # A lone surrogate (a messagingv2 body's "\ud800", as oslo decodes it) has the label show the text quoted, with
    # repr: it escapes the quotes of a text that holds both kinds, and 'password': '...' no longer read as a secret.
    event_type = "image.upload\ud800 'password': 'CANARY-51e' \""
    tally = tally_of([("m1", False, event_type)])
    read = Tally.from_json(json.loads(json.dumps(tally.as_json())))
    assert "CANARY-51e" not in tally.line() + read.line() + json.dumps(read.as_json())
    assert "'password': '***'" in tally.line()


def test_an_event_type_is_counted_and_shown_masked_and_without_control_characters() -> None:
    from notify_schemas.broker.listener import Listener
    from notify_schemas.broker.messaging import MessagingV2Driver
    from notify_schemas.config import NotifierConfig
    from notify_schemas.samples import samples

    config = NotifierConfig(drivers=("messagingv2",), control_exchange="tally-labels")  # the embedded broker
    listener = Listener(config)
    listener.start(timeout=30)
    try:
        message = next(samples("image.upload", "INFO", seed=3))
        MessagingV2Driver(config).notify({**message, "event_type": HOSTILE_EVENT_TYPE}, "INFO")  # oslo's, unvalidated
        assert listener.wait_for(1, timeout=30)
    finally:
        listener.stop()
    shown = listener.summary() + json.dumps(listener.tally.as_json(), ensure_ascii=False)
    assert "CANARY-51e" not in shown
    assert not any(c in shown for c in "\x1b\x07\u202e")
    assert "image.upload password=*** \\x1b[2J\\x1b]0;owned\\x07\\u202e 0/1" in listener.summary()


def test_a_message_id_is_kept_masked_and_messages_under_one_masked_id_stay_apart() -> None:
    # The summary (listen --summary) writes each message by its id: an id that is a URL with its password, or
    # "password=...", is written masked, and two messages whose ids mask alike are still two messages.
    from notify_schemas.broker.listener import Listener
    from notify_schemas.broker.messaging import MessagingV2Driver
    from notify_schemas.config import NotifierConfig
    from notify_schemas.samples import samples

    config = NotifierConfig(drivers=("messagingv2",), control_exchange="tally-ids")  # the embedded broker
    listener = Listener(config)
    listener.start(timeout=30)
    ids = ["rabbit://u:CANARY-51e@h/", "password=CANARY-51e", "password=other"]
    try:
        message = next(samples("image.upload", "INFO", seed=3))
        for message_id in ids:
            MessagingV2Driver(config).notify({**message, "message_id": message_id}, "INFO")  # oslo's, unvalidated
        assert listener.wait_for(3, timeout=30)
    finally:
        listener.stop()
    summary = listener.tally.as_json()
    assert "CANARY-51e" not in json.dumps(summary) + repr(listener.tally.message_ids)
    assert (summary["received"], summary["duplicates"]) == (3, 0)
    assert listener.tally.message_ids == {"rabbit://u:***@h/", "password=***"}
    again = Tally.from_json(summary).add(listener.tally)  # each delivered again: counted once, and as a duplicate
    assert (again.total, again.duplicates) == (3, 3)


def test_a_waiting_listener_never_takes_the_lock_its_consumers_count_under() -> None:
    # Ctrl-C or SIGTERM raised inside a wait on that lock could leave it released while a consumer held it, or end
    # listen without its tally; a wait that never takes it cannot. A consumer holding it does not hold the wait.
    import threading

    from notify_schemas.broker.listener import Listener
    from notify_schemas.config import NotifierConfig

    listener = Listener(NotifierConfig(control_exchange="tally-wait"))  # the embedded broker
    holding, done, go = threading.Event(), threading.Event(), threading.Event()

    def consumer() -> None:
        with listener._lock:
            holding.set()
            go.wait(timeout=30)
        done.set()

    thread = threading.Thread(target=consumer)
    thread.start()
    holding.wait(timeout=30)
    try:
        assert not listener.wait_for(1, timeout=0.1)
        assert not done.is_set()  # it returned while the consumer still held the lock
    finally:
        go.set()
        thread.join()


def test_tally_shows_the_event_types_of_a_summary_file_masked_and_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    summary = tmp_path / "s.json"
    summary.write_text(json.dumps(tally_of([("m1", False, HOSTILE_EVENT_TYPE)]).as_json()))
    for output in ("text", "json"):
        assert main(["tally", str(summary), "--format", output]) == 1
        out = capsys.readouterr().out
        assert "CANARY-51e" not in out
        assert not any(c in out for c in "\x1b\x07\u202e")


BAD_SUMMARIES = {
    "a count that is not an integer": ('{"valid": {"image.create": 1.5}, "invalid": {}, "duplicates": 0, "seen": {}}',
                                       "/valid/image.create: 1.5 is not a count"),
    "a negative count": ('{"valid": {}, "invalid": {}, "duplicates": -7, "seen": {}}',
                         "/duplicates: -7 is not a count"),
    "a count beyond floats": ('{"valid": {}, "invalid": {}, "duplicates": 1e400, "seen": {}}',
                              "/duplicates: Infinity is not a count"),
    "NaN": ('{"valid": {}, "invalid": {"a/b": NaN}, "duplicates": 0, "seen": {}}', "/invalid/a~1b: NaN is not a count"),
    "true for a count": ('{"valid": {"x": true}, "invalid": {}, "duplicates": 0, "seen": {}}',
                         "/valid/x: true is not a count"),
    "text for the counts": ('{"valid": "abc", "invalid": {}, "duplicates": 0, "seen": {}}',
                            '/valid: "abc" is not an object of event type to count'),
    "a list for seen": ('{"valid": {}, "invalid": {}, "duplicates": 0, "seen": []}',
                        "/seen: [] is not an object of message ids"),
    "a seen entry of another shape": ('{"valid": {"x": 1}, "invalid": {}, "duplicates": 0, "seen": {"m#1": [1, "x"]}}',
                                      '/seen/m#1: [1, "x"] is not [valid, event type]'),
    "a message seen but not counted": ('{"valid": {}, "invalid": {}, "duplicates": 0, "seen": {"m#1": [true, "x"]}}',
                                       "/valid/x: 0 counted, fewer than the 1 listed under /seen"),
    "received that is not the sum": ('{"received": 5, "valid": {"x": 1}, "invalid": {}, "duplicates": 0, "seen": {}}',
                                     "/received: 5 is not the sum"),
    "nesting beyond the parser": ("[" * 100_000, "nested too deeply"),
    "a count past 2**63 - 1": ('{"valid": {"x": 9223372036854775808}, "invalid": {}, "duplicates": 0, "seen": {}}',
                               "/valid/x: 9223372036854775808 is not a count"),
    "a count of 4,300 digits": ('{"valid": {}, "invalid": {}, "duplicates": 0, "seen": {}, "received": 1%s}'
                                % ("0" * 4299), "/received: 10000000000"),
    "a count written twice": ('{"valid": {"x": 1, "x": 9}, "invalid": {}, "duplicates": 0, "seen": {}}',
                              "a key written twice at /valid/x"),
}  # fmt: skip


@pytest.mark.parametrize("case", BAD_SUMMARIES)
def test_a_summary_that_is_not_a_tally_is_one_line_naming_the_file_and_the_bad_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    text, expected = BAD_SUMMARIES[case]
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(tally_of([("m1", True, "x")]).as_json()))
    bad.write_text(text)
    assert main(["tally", str(good), str(bad)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"notify-schemas: error: {bad}: not a listen --summary file: ")
    assert expected in err
    assert err.count("\n") == 1


def test_a_bad_summary_names_a_key_that_is_a_url_without_its_password(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    key = "swift://u:CANARY-51e@swift/c/o"
    bad.write_text(json.dumps({"valid": {}, "invalid": {}, "duplicates": 0, "seen": {key: 1}}))
    assert main(["tally", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "CANARY-51e" not in err
    assert "/seen/swift:~1~1u:***@swift~1c~1o: 1 is not [valid, event type]" in err


@pytest.mark.parametrize(
    "value",
    [
        "swift://u:CANARY-51e" + "x" * 200 + "@swift/c/o",  # a URL whose @ lies past what is shown
        "password='CANARY-51e" + "x" * 200 + "'",  # a quoted secret whose closing quote lies past it
    ],
)
@pytest.mark.parametrize("where", ["valid", "seen"])
def test_a_bad_summary_value_is_masked_whole_before_it_is_cut(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str, where: str
) -> None:
    bad = tmp_path / "bad.json"
    summary: dict[str, object] = {"valid": {}, "invalid": {}, "duplicates": 0, "seen": {}}
    summary[where] = {"m1": [value]} if where == "seen" else [value]
    bad.write_text(json.dumps(summary))
    assert main(["tally", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "CANARY-51e" not in err
    assert err.count("\n") == 1


@given(
    key=st.sampled_from(["password", "admin_pass", "X-Auth-Token", "pa\u017f\u017fword", "locations", "task_input"]),
    value=st.one_of(st.just("CANARY-51e"), st.lists(st.just("CANARY-51e"), min_size=1, max_size=3)),
    where=st.sampled_from(["valid", "invalid", "seen"]),
)  # fmt: skip
@settings(max_examples=60, deadline=None)
def test_a_bad_summary_value_under_a_key_that_names_a_secret_is_not_shown(key: str, value: object, where: str) -> None:
    # The value is named by its pointer, without its key around it: under a key that names a secret, or one that must
    # never be written, it is shown as a message's value there is (***, or the mark), as oslo masks its dict (a
    # mapping there is masked key by key, as oslo's is).
    summary: dict[str, object] = {"valid": {}, "invalid": {}, "duplicates": 0, "seen": {}}
    summary[where] = {key: value}
    err = io.StringIO()
    with tempfile.TemporaryDirectory() as folder, contextlib.redirect_stderr(err):
        bad = Path(folder) / "bad.json"
        bad.write_text(json.dumps(summary))
        assert main(["tally", str(bad)]) == 2
    assert "CANARY-51e" not in err.getvalue()
    assert err.getvalue().count("\n") == 1


def _append_under_a_size_limit(path: str, limit: int, sizes: list[int]) -> None:
    """Append records of ``sizes`` characters under a file size limit (as on a full disk) until one fails."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
    sink = AppendedLines(path)
    with contextlib.suppress(OSError):
        for i, size in enumerate(sizes):
            sink.write(json.dumps({"i": i, "pad": "x" * size}) + "\n")
    sink.close()


@settings(max_examples=15, deadline=None)
@given(limit=st.integers(1, 20_000), sizes=st.lists(st.integers(0, 5_000), min_size=1, max_size=20))
def test_a_record_the_file_takes_only_in_part_is_taken_back(limit: int, sizes: list[int]) -> None:
    # A file that reached its size limit (or a disk that filled) in the middle of a record kept the part written: a
    # line no reader can parse, to which the next listener's first record was then glued.
    with tempfile.TemporaryDirectory() as folder:
        path = f"{folder}/invalid.jsonl"
        writer = multiprocessing.Process(target=_append_under_a_size_limit, args=(path, limit, sizes))
        writer.start()
        writer.join(timeout=60)
        _append(path, 1, "after")  # the listener run again, with room
        lines = Path(path).read_text(encoding="utf-8").splitlines()
        records = [json.loads(line) for line in lines]  # each line whole
        assert records[-1]["writer"] == "after"
        assert [r["i"] for r in records[:-1]] == list(range(len(records) - 1))


@settings(max_examples=20, deadline=None)
@given(st.lists(st.integers(0, 2**63 - 1), min_size=1, max_size=4), st.integers(2, 200))
def test_summaries_at_the_largest_count_add_up_to_a_line_and_a_document(counts: list[int], files: int) -> None:
    # Counts of 4,300 digits each were taken; two of them added up to a number Python no longer writes, and tally
    # ended in a traceback (ValueError: Exceeds the limit (4300 digits) for integer string conversion).
    summary = {"valid": {f"e{i}": n for i, n in enumerate(counts)}, "invalid": {"x": counts[0]},
               "duplicates": counts[-1], "seen": {}}  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        names = [str(Path(folder) / f"{i}.json") for i in range(files)]
        for name in names:
            Path(name).write_text(json.dumps(summary))
        for output in ("text", "json"):
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main(["tally", "--format", output, *names])
            assert (code, err.getvalue()) == (1 if counts[0] else 0, "")
            if output == "json":
                assert json.loads(out.getvalue())["invalid"] == ({"x": counts[0] * files} if counts[0] else {})


def test_thousands_of_summaries_are_added_in_time_linear_in_their_size(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each summary named was compared with every one before it (two stat calls a pair: 36 million for 6,000 files,
    # a minute), and each was added to a copy of the sum so far (400 summaries of 2,000 messages: 30 s).
    files, messages = 3000, 100
    names = []
    for i in range(files):
        name = tmp_path / f"s{i}.json"
        name.write_text(json.dumps(tally_of([(f"m{i}-{j}", True, "x") for j in range(messages)]).as_json()))
        names.append(str(name))
    looks = []
    stat = os.stat
    monkeypatch.setattr(os, "stat", lambda *args, **kwargs: looks.append(args) or stat(*args, **kwargs))
    copies = []
    copy = Tally.add
    monkeypatch.setattr(Tally, "add", lambda *args: copies.append(args) or copy(*args))
    assert main(["tally", *names, names[0]]) == 2  # the last named twice: found, after every other was looked at
    assert "the same summary as" in capsys.readouterr().err
    assert len(looks) <= 2 * (files + 1)
    started = time.perf_counter()
    assert main(["tally", *names]) == 0
    assert capsys.readouterr().out.startswith(f"{files} listeners: {files * messages:,} received")
    assert not copies  # no summary added to a copy of the sum so far
    assert time.perf_counter() - started < 60


def _stalled_fifo_holds_whole_lines(folder: str, sizes: list[int], read: int) -> None:
    """Lines of ``sizes`` written to a FIFO whose reader takes ``read`` bytes and then nothing more; given up once the
    writer waits: what the reader gets in the end is the lines whose write returned, each whole."""
    fifo = f"{folder}/invalid.fifo"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    sink = AppendedLines(fifo)
    written: list[bytes] = []
    failures: list[OSError] = []

    def write() -> None:
        for i, size in enumerate(sizes):
            line = json.dumps({"i": i, "pad": "x" * size}) + "\n"
            try:
                sink.write(line)
            except OSError as error:
                failures.append(error)
                return
            written.append(line.encode())

    writer = threading.Thread(target=write, daemon=True)  # a writer blocked for good does not hold up the tests
    writer.start()
    got = b""
    while len(got) < read and writer.is_alive():  # the reader reads for a while, then stops
        try:
            got += os.read(reader, read - len(got))
        except BlockingIOError:
            time.sleep(0.001)
    sink.give_up(time.monotonic() + 0.05)
    writer.join(timeout=30)
    assert not writer.is_alive()  # a writer waiting on the stalled reader gives the line up, within a bounded time
    sink.close()
    with contextlib.suppress(BlockingIOError):
        while chunk := os.read(reader, 1 << 20):
            got += chunk
    os.close(reader)
    assert got == b"".join(written)  # no line in part, none lost, in order
    if failures:
        assert failures[0].filename == fifo
        assert len(written) < len(sizes)
    else:
        assert len(written) == len(sizes)


@settings(max_examples=12, deadline=None)
@given(sizes=st.lists(st.one_of(st.integers(0, 5_000), st.integers(5_000, 200_000)), min_size=1, max_size=25),
       read=st.integers(0, 300_000))  # fmt: skip
def test_a_fifo_whose_reader_stops_reading_gets_whole_lines_only(sizes: list[int], read: int) -> None:
    # listen --invalid-out FIFO: once the pipe was full, the consumer thread blocked in its write with the listener's
    # lock held, and neither a stop nor the process's end could come; a line given up in the middle of its write
    # would have left part of a record in the pipe, glued to the next writer's.
    with tempfile.TemporaryDirectory() as folder:
        _stalled_fifo_holds_whole_lines(folder, sizes, read)


@pytest.mark.parametrize("filled", [0, 100])
def test_a_summary_on_a_fifo_whose_reader_stops_reading_is_written_whole_or_given_up(
    monkeypatch: pytest.MonkeyPatch, filled: int
) -> None:
    # listen --summary FIFO: a summary longer than the pipe holds was written with a blocking write after the run,
    # which a reader that stopped reading held up without end; a second signal then ended listen without its tally.
    from notify_schemas.broker import listener
    from notify_schemas.cli import commands

    monkeypatch.setattr(listener, "GRACE", 0.2)
    tally = Tally()
    for i in range(3_000):  # about 200 KB of summary
        tally.count(f"id-{i:05}", i % 3 == 0, "image.upload", f"{i:016x}")
    with tempfile.TemporaryDirectory() as folder:
        fifo = f"{folder}/summary.fifo"
        os.mkfifo(fifo)
        reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # never read until the end
        other = os.open(fifo, os.O_WRONLY)
        os.write(other, b"x" * filled)  # another writer's bytes the reader has not taken
        held = commands.reserve_output(fifo)
        assert held is not None
        began = time.monotonic()
        unsaved = commands._summary_unsaved(fifo, tally, held)
        assert time.monotonic() - began < 10
        os.close(held)
        os.close(other)
        got = b""
        with contextlib.suppress(BlockingIOError):
            while chunk := os.read(reader, 1 << 20):
                got += chunk
        os.close(reader)
    assert got[:filled] == b"x" * filled
    if unsaved is None:  # written whole
        assert Tally.from_json(json.loads(got[filled:])).total == tally.total
    else:  # given up, none of it written
        assert got == b"x" * filled
        assert unsaved.startswith(f"{fifo}: its reader stopped reading")
    assert (unsaved is None) == (filled == 0)


def test_a_listener_stopped_while_it_connects_stops_oslo_server_when_the_connection_comes_after_all() -> None:
    # stop() while start() still connected returned at once (oslo.messaging's stop would wait for the connection),
    # and left oslo's start running: once the broker answered, oslo's server consumed with no one to stop it, every
    # delivery going back to the queue, and its listening thread, no daemon, kept the process from ending. The broker
    # that answers late is the embedded one behind a gate on oslo's own start, which then runs as it is.
    from notify_schemas.broker.listener import Listener
    from notify_schemas.config import NotifierConfig
    from notify_schemas.errors import NotifySchemasError

    listener = Listener(NotifierConfig(drivers=("messagingv2",), control_exchange="tally-late"))
    server, gate = listener._listener, threading.Event()
    oslo_start = server.start

    def late_start(*args: Any, **kwargs: Any) -> Any:
        gate.wait(60)
        return oslo_start(*args, **kwargs)

    server.start = late_start
    before = {t for t in threading.enumerate() if not t.daemon}
    with pytest.raises(NotifySchemasError, match=r"no connection within 0\.2 s"):
        listener.start(timeout=0.2)
    listener.stop()  # at once: nothing was reached
    gate.set()  # the broker answers after all
    deadline = time.monotonic() + 30

    def left() -> set[threading.Thread]:
        return {t for t in threading.enumerate() if not t.daemon and t.is_alive()} - before

    while (server.listener is None or server._started or left()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.listener is not None  # oslo's server was started when the broker answered
    assert server._started is False  # and stopped, by the thread that started it
    assert not left()  # its listening thread, no daemon, has ended
    assert listener.started is False
