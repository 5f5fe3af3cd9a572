"""The notify-schemas command line: exit codes, one-line errors for every kind of bad input, every subcommand."""

from __future__ import annotations

import argparse
import contextlib
import errno
import io
import json
import logging
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
import tracemalloc
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import ALL_VARIANTS, CORPUS, _paths, running_its_main, valid_or_broken_messages

from notify_schemas.cli import commands, main
from notify_schemas.registry import schema_root, variants
from notify_schemas.samples import samples
from notify_schemas.validation import is_valid

VALID = [json.dumps(m) for m in samples("image.upload", "INFO", n=3, seed=1)]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path: Path, name: str, data: bytes | str) -> str:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return str(path)


def test_valid_json_lines_exit_0_with_a_summary(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "validate", write(tmp_path, "ok.jsonl", "\n".join(VALID) + "\n"))
    assert code == 0
    assert out.strip() == "3 records in 1 file: 3 valid, 0 invalid, 0 unreadable (profile seed)"


def test_invalid_records_exit_1_and_name_file_line_and_pointer(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = json.loads(VALID[0])
    bad["payload"]["size"] = -1
    path = write(tmp_path, "mixed.jsonl", "\n".join([VALID[0], json.dumps(bad), VALID[1]]))
    code, out, _ = run(capsys, "validate", path)
    assert code == 1
    assert f"{path}:2: /payload/size: -1 is less than the minimum of 0 [minimum] (image.upload INFO)" in out
    assert "3 records in 1 file: 2 valid, 1 invalid" in out


BAD_INPUTS = {
    "not JSON": (b'{"message_id": \n', "not JSON: Expecting"),
    "binary": (b"\xff\xfe\x00\x01garbage\n", "not UTF-8 text"),
    "nesting 10,000 deep": (b"[" * 10_000 + b"]" * 10_000 + b"\n", "nested too deeply"),
    "NaN, which JSON does not have": (b'{"payload": NaN}\n', "not JSON: NaN is not JSON"),
    "a JSON value that is not a message": (b"[1, 2, 3]\n", ':2: /: [1,2,3] is not of type "object"'),
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_record_gets_one_line_and_the_valid_records_around_it_are_checked(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, case: str
) -> None:
    data, expected = BAD_INPUTS[case]
    path = write(tmp_path, "in.jsonl", (VALID[0] + "\n").encode() + data + (VALID[1] + "\n").encode())
    code, out, err = run(capsys, "validate", path)
    assert code == 1
    assert expected in out
    assert "Traceback" not in out + err
    assert "2 valid" in out


def test_a_100_mb_line_is_skipped_in_bounded_memory(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "huge.jsonl"
    with path.open("wb") as f:
        f.write((VALID[0] + "\n").encode())
        f.write(b'{"payload": "')
        chunk = b"a" * (1024 * 1024)
        for _ in range(100):
            f.write(chunk)
        f.write(b'"}\n')
        f.write((VALID[1] + "\n").encode())
    tracemalloc.start()
    try:
        code, out, _ = run(capsys, "validate", str(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    size = len(b'{"payload": "') + 100 * len(chunk) + len(b'"}')  # the record, without its newline
    assert code == 1
    assert f"{path}:2: record is {size:,} bytes, over the limit of 16,777,216; skipped" in out
    assert peak < 48 * 1024 * 1024  # a few record-sized buffers, never the whole line
    assert "3 records in 1 file: 2 valid, 0 invalid, 1 unreadable" in out


def test_a_100_mb_line_is_skipped_in_bounded_memory_by_every_worker(tmp_path: Path) -> None:
    path = tmp_path / "huge.jsonl"
    with path.open("wb") as f:
        f.write((VALID[0] + "\n").encode())
        f.write(b'{"payload": "' + b"a" * (100 * 1024 * 1024) + b'"}\n')
        f.write((VALID[1] + "\n").encode())
    # The largest resident size of the command and of every process it started (its workers).
    peak = (
        "import resource, subprocess, sys\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, done.stdout, sep='\\n')"
    )
    command = [sys.executable, "-m", "notify_schemas", "validate", "--jobs", "2", str(path)]
    code, kib, out = subprocess.run([sys.executable, "-c", peak, *command], capture_output=True, text=True,
                                    check=True).stdout.split("\n", 2)  # fmt: skip
    assert code == "1"
    assert f"{path}:2: record is 104,857,615 bytes, over the limit of 16,777,216; skipped" in out
    assert "3 records in 1 file: 2 valid, 0 invalid, 1 unreadable" in out
    assert int(kib) < 90 * 1024  # a few chunks in each process, never the line


# Lines of every kind a shared file can hold: valid, invalid, unreadable, repeated keys, blank, over the limit.
LINE_KINDS = [
    *(line.encode() for line in VALID),
    json.dumps(dict(json.loads(VALID[0]), priority="info")).encode(),
    json.dumps(dict(json.loads(VALID[1]), payload={"size": -1})).encode(),
    VALID[2].replace('{"message_id"', '{"priority": "bogus", "message_id"', 1).encode(),
    *(data.rstrip(b"\n") for data, _ in BAD_INPUTS.values()),
    b"",
    b"   ",
    b'{"payload": "' + b"x" * 600 + b'"}',
    json.dumps(dict(json.loads(VALID[0]), publisher_id="\ud800")).encode(),  # a lone surrogate: not valid Unicode
    b'{"payload": "caf\xc3\xa9 \xe2\x82\xac"}',
]


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(lines=st.lists(st.sampled_from(range(len(LINE_KINDS))), min_size=1, max_size=60),
       piece=st.integers(1, 2_000), last_newline=st.booleans(), output=st.sampled_from(["text", "json"]))  # fmt: skip
def test_jobs_report_what_one_process_reports_in_the_same_order(
    tmp_path_factory: pytest.TempPathFactory, lines: list[int], piece: int, last_newline: bool, output: str
) -> None:
    path = tmp_path_factory.mktemp("jobs") / "in.jsonl"
    path.write_bytes(b"\n".join(LINE_KINDS[i] for i in lines) + (b"\n" if last_newline else b""))
    argv = ["validate", "--format", output, "--max-record-bytes", "500", str(path)]
    reports = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(commands, "_PIECE", piece)  # many pieces, cut anywhere: forked workers see it too
        for jobs in ("1", "2", "3"):
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main([argv[0], "--jobs", jobs, *argv[1:]])
            reports[jobs] = (code, out.getvalue(), err.getvalue())
    assert reports["2"] == reports["1"]
    assert reports["3"] == reports["1"]


@settings(max_examples=60, deadline=None)
@given(lines=st.lists(st.sampled_from(range(len(LINE_KINDS))), max_size=40), limit=st.sampled_from([500, 10_000]),
       chunk=st.integers(1, 3_000))  # fmt: skip
def test_count_records_yields_what_read_records_yields_but_the_accepted_which_it_counts(
    lines: list[int], limit: int, chunk: int
) -> None:
    from notify_schemas import reader

    data = b"\n".join(LINE_KINDS[i] for i in lines) + b"\n"

    def accept(value: Any) -> bool:
        return is_valid(value)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reader, "_CHUNK", chunk)  # lines cut across chunks anywhere
        everything = list(reader.read_records(io.BytesIO(data), limit=limit))
        counted = list(reader.count_records(io.BytesIO(data), accept, limit=limit))
    taken = [r for r in everything if type(r) is reader.Record and not r.duplicates and accept(r.value)]
    assert [r for r in counted if type(r) is not int] == [r for r in everything if r not in taken]
    assert sum(r for r in counted if type(r) is int) == len(taken)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=8,
)
SPACE = st.sampled_from(["", " ", "\n", "\r\n", "\t", "  \n  "])


@settings(max_examples=300, deadline=None)
@given(items=st.lists(JSON_VALUES, max_size=6), spaces=st.lists(SPACE, min_size=20, max_size=20),
       edit=st.one_of(st.none(), st.tuples(st.integers(0, 10**6), st.sampled_from([",", "]", "[", "", "x"]))),
       chunk=st.integers(1, 64))  # fmt: skip
def test_an_array_is_read_as_a_strict_json_parser_reads_it(
    items: list[Any], spaces: list[str], edit: tuple[int, str] | None, chunk: int
) -> None:
    from notify_schemas import reader

    text = spaces[0] + "[" + spaces[1] + ("," + spaces[2]).join(json.dumps(i) for i in items) + spaces[3] + "]"
    if edit is not None:  # one character put in or taken out: a comma too many or missing, a bracket, garbage
        at, what = edit[0] % (len(text) + 1), edit[1]
        text = text[:at] + what + text[at + (what == "") :]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reader, "_CHUNK", chunk)  # the text read a few bytes at a time: every cut is met
        records = list(reader.read_records(io.BytesIO(text.encode()), limit=10_000))
    try:
        expected = json.loads(text)
    except ValueError:
        if text.strip().startswith("["):  # a broken array is reported; what parses before the break may come first
            assert any(type(r) is reader.BadRecord for r in records), text
        return
    if isinstance(expected, list):
        assert [r.value for r in records if type(r) is reader.Record] == expected
        assert all(type(r) is reader.Record for r in records), text


def _sigint_default() -> None:
    """Ctrl-C as a terminal's program gets it, even when the tests run in a background job (which ignores it)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


STOPS = {
    "Ctrl-C to the group": 130,
    "SIGTERM to the first process": 143,
    "SIGTERM to the group": 143,
    "SIGHUP to the group": 129,
}


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("stop", STOPS)
def test_an_interruption_stops_the_workers_too_without_a_traceback(tmp_path: Path, stop: str, jobs: str) -> None:
    path = tmp_path / "large.jsonl"
    path.write_text("".join(line + "\n" for line in VALID) * 40_000)  # 120,000 lines: a second or two of work
    command = [sys.executable, "-m", "notify_schemas", "validate", "--jobs", jobs, str(path)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
                               preexec_fn=_sigint_default)  # fmt: skip
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    workers: list[int] = []
    deadline = time.monotonic() + 60
    running_its_main(process.pid)
    while jobs == "2" and len(workers) < 2 and process.poll() is None and time.monotonic() < deadline:
        workers = [int(pid) for pid in children.read_text().split()] if children.exists() else []
        time.sleep(0.01)
    assert len(workers) == (2 if jobs == "2" else 0), "the workers never started"
    assert process.poll() is None, "the run ended before it was stopped"
    if stop == "Ctrl-C to the group":
        os.killpg(process.pid, signal.SIGINT)  # what a terminal does: every process of the group gets it
    elif stop == "SIGTERM to the group":
        os.killpg(process.pid, signal.SIGTERM)  # what a service manager does
    elif stop == "SIGHUP to the group":
        os.killpg(process.pid, signal.SIGHUP)  # what a terminal that closes does
    else:
        process.terminate()  # the first process alone, as `kill PID` does
    _, err = process.communicate(timeout=60)
    assert process.returncode == STOPS[stop]
    assert err == b""

    def gone(pid: int) -> bool:
        stat = Path(f"/proc/{pid}/stat")
        return not stat.exists() or stat.read_text().split()[2] == "Z"

    deadline = time.monotonic() + 5
    while not all(gone(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(gone(pid) for pid in workers)


def _read(data: bytes, limit: int, chunk: int | None = None) -> list[tuple[int, Any]]:
    """(line, value) of each record, (line, "over") or (line, "bad") of each bad one."""
    from notify_schemas import reader

    with pytest.MonkeyPatch.context() as patch:
        if chunk is not None:
            patch.setattr(reader, "_CHUNK", chunk)
        found = list(reader.read_records(io.BytesIO(data), limit=limit))
    return [
        (r.line, r.value) if type(r) is reader.Record else (r.line, "over" if "over the limit" in r.reason else "bad")
        for r in found
    ]


def test_lines_after_a_long_line_that_ends_in_the_last_chunk_are_each_a_record() -> None:
    # Read 16 bytes at a time: the chunk that ends the long line holds the two lines after it, and the file ends.
    data = b"{}\n" + b'"' + b"x" * 40 + b'"\n{}\n{}'
    assert _read(data, limit=20, chunk=16) == [(1, {}), (2, "over"), (3, {}), (4, {})]


def test_a_line_of_exactly_the_limit_is_read_wherever_it_is() -> None:
    line = b'{"a": "' + b"x" * 20 + b'"}'
    assert _read(line + b"\n" + line + b"\n" + line, limit=len(line)) == [(n, {"a": "x" * 20}) for n in (1, 2, 3)]
    assert _read(line + b"\n" + line + b"x\n", limit=len(line)) == [(1, {"a": "x" * 20}), (2, "over")]


def test_a_long_line_among_the_first_lines_after_a_broken_first_line_is_skipped_alone() -> None:
    data = b'{"a":\n"' + b"x" * 150 + b'"\n{}\n{"b":1}\n{"c":1}\n'
    assert _read(data, limit=100) == [(1, "bad"), (2, "over"), (3, {}), (4, {"b": 1}), (5, {"c": 1})]


def test_a_first_line_of_spaces_over_the_limit_does_not_end_the_reading() -> None:
    assert _read(b" " * 200 + b"\n{}\n", limit=100) == [(2, {})]  # a blank line is no record, whatever its length


def test_a_one_line_array_longer_than_the_limit_gives_its_items() -> None:
    items = [{"n": n} for n in range(500)]
    assert _read(json.dumps(items).encode(), limit=1_000) == [(1, item) for item in items]


@pytest.mark.parametrize("number", [b"1.5", b"1e5", b"-2.25E-3", b"12345"])
def test_a_number_cut_by_a_chunk_is_read_whole(number: bytes) -> None:
    for chunk in range(1, 12):
        data = b"[\n0," + b" " * chunk + number + b", 2]\n"
        assert _read(data, limit=1_000, chunk=chunk) == [(2, 0), (2, json.loads(number)), (2, 2)], chunk


def test_a_long_run_of_space_in_a_document_costs_no_memory() -> None:
    data = b"[{}" + b"\n" * (32 * 1024 * 1024) + b",{}]"
    tracemalloc.start()
    try:
        found = _read(data, limit=1_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert found == [(1, {}), (32 * 1024 * 1024 + 1, {})]
    assert peak < 16 * 1024 * 1024


def test_jobs_auto_shares_only_a_large_json_lines_file_and_only_with_cores_to_share(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(commands, "_SHARED", 10_000)
    monkeypatch.setattr(commands, "_PIECE", 1_000)
    large = write(tmp_path, "large.jsonl", "\n".join(VALID * 20) + "\n")
    small = write(tmp_path, "small.jsonl", VALID[0] + "\n")
    document = write(tmp_path, "large.json", json.dumps([json.loads(v) for v in VALID * 20], indent=2))

    def workers(*files: str, jobs: Any = "auto") -> int:
        return commands._workers(argparse.Namespace(jobs=jobs, files=list(files)))

    monkeypatch.setattr(commands, "_usable_cores", lambda: 4)
    assert workers(large) == 4
    assert workers(small, "-", str(tmp_path / "missing"), large) == 4
    assert workers(small) == 1
    assert workers(document) == 1  # an array or a document is read by one process
    assert workers("-") == 1
    assert workers(large, jobs=3) == 3
    assert workers(small, jobs=3) == 1  # one piece: nothing to share
    monkeypatch.setattr(commands, "_usable_cores", lambda: 1)
    assert workers(large) == 1


def test_empty_file_is_one_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "validate", write(tmp_path, "empty.json", b""))
    assert code == 1
    assert "empty.json:1: empty input: no JSON value" in out


def test_missing_file_is_exit_2_and_other_files_are_still_checked(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(capsys, "validate", str(tmp_path / "nope.jsonl"), write(tmp_path, "ok.jsonl", VALID[0]))
    assert code == 2
    assert f"notify-schemas: error: {tmp_path / 'nope.jsonl'}: No such file or directory" in err
    assert "1 record in 2 files: 1 valid" in out


def test_pretty_printed_documents_and_arrays_report_their_own_lines(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    one = json.loads(VALID[0])
    broken = dict(one, priority="info")
    text = json.dumps([one, broken], indent=2)
    path = write(tmp_path, "doc.json", text)
    code, out, _ = run(capsys, "validate", path)
    line = text.splitlines().index("  {", 2) + 1
    assert code == 1
    assert f"{path}:{line}: /1/priority:" in out
    code, out, _ = run(capsys, "validate", write(tmp_path, "one.json", json.dumps(one, indent=2)))
    assert code == 0


PIPE_TWICE = {
    "validate - /dev/stdin": (["validate", "-", "/dev/stdin"], "/dev/stdin", "-"),
    "validate /dev/stdin twice": (["validate", "/dev/stdin", "{file}", "/dev/stdin"], "/dev/stdin", "/dev/stdin"),
    "validate a FIFO under two names": (["validate", "{fifo}", "{file}", "{other name}"], "{other name}", "{fifo}"),
    "emit --payload - --config-file /dev/stdin": (
        ["emit", "image.upload", "INFO", "--payload", "-", "--config-file", "/dev/stdin"],
        "--payload -", "--config-file /dev/stdin"),
    "emit --payload /dev/stdin --config-file /dev/stdin": (
        ["emit", "image.upload", "INFO", "--config-file", "/dev/stdin", "--payload", "/dev/stdin"],
        "--payload /dev/stdin", "--config-file /dev/stdin"),
}  # fmt: skip


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("case", PIPE_TWICE)
def test_a_pipe_named_twice_is_a_usage_error_not_an_empty_input(tmp_path: Path, case: str) -> None:
    # The first name read the pipe to its end, and the second was judged as empty: "empty input: no JSON value",
    # exit 1, or emit's payload "not JSON", exit 1, after the configuration file took it.
    argv, second, first = PIPE_TWICE[case]
    os.mkfifo(tmp_path / "fifo")
    names = {"{fifo}": str(tmp_path / "fifo"), "{other name}": f"{tmp_path}/./fifo",
             "{file}": write(tmp_path, "a.jsonl", VALID[0] + "\n")}  # fmt: skip
    argv, second, first = ([next((v for k, v in names.items() if k in a), a) if "{" in a else a for a in words]
                           for words in (argv, [second], [first]))  # fmt: skip
    command = [sys.executable, "-m", "notify_schemas", *argv]
    done = subprocess.run(command, input="[oslo_messaging_notifications]\ndriver = noop\n", capture_output=True,
                          text=True, timeout=60)  # fmt: skip
    assert (done.returncode, done.stdout) == (2, "")
    said = f"notify-schemas: error: {second[0]} is the same pipe as {first[0]}, which takes what it holds: "
    assert done.stderr.startswith(said), done.stderr
    assert done.stderr.count("\n") == 1


@pytest.mark.parametrize(
    "argv",
    [
        ["validate", "-", "/dev/stdin"],
        ["emit", "image.upload", "INFO", "--payload", "-", "--config-file", "/dev/stdin"],
    ],
)
def test_a_file_on_the_standard_input_is_read_whole_under_each_name(tmp_path: Path, argv: list[str]) -> None:
    # Not a pipe: /dev/stdin opens the file again, from its start.
    path = write(tmp_path, "both", VALID[0] + "\n")
    with open(path, "rb") as stdin:
        done = subprocess.run([sys.executable, "-m", "notify_schemas", *argv], stdin=stdin, capture_output=True,
                              text=True, timeout=60)  # fmt: skip
    if argv[0] == "validate":
        assert done.returncode == 0
        assert done.stdout.splitlines()[-1].startswith("2 records in 2 files: 2 valid, 0 invalid")
    else:  # read whole as the configuration file: one error, at its first line
        assert (done.returncode, done.stderr.count("\n")) == (2, 1)
        assert "/dev/stdin: line 1: " in done.stderr


def test_stdin_is_read_when_no_file_is_given(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO("\n".join(VALID).encode())))
    code, out, _ = run(capsys, "validate")
    assert code == 0
    assert "3 records in 1 file" in out


def test_json_format_is_one_report(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = dict(json.loads(VALID[0]), message_id="x")
    code, out, _ = run(capsys, "validate", "--format", "json", write(tmp_path, "b.jsonl", json.dumps(bad)))
    report = json.loads(out)
    assert code == 1
    assert report["summary"]["invalid"] == 1
    assert {(e["line"], e["pointer"], e["rule"]) for e in report["errors"]} == {
        (1, "/message_id", "minLength"),
        (1, "/message_id", "pattern"),
    }


def test_glance_profile_is_selectable(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    member = next(g for g in CORPUS["glance"] if "member.create" in g["description"])["tests"][0]["data"]
    path = write(tmp_path, "m.jsonl", json.dumps(member))
    assert run(capsys, "validate", "--profile", "glance", path)[0] == 0
    code, out, _ = run(capsys, "validate", path)
    assert code == 1
    assert "unknown event type 'image.member.create'" in out


def test_sample_prints_valid_reproducible_json_lines(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "sample", "task.failure", "INFO", "-n", "5", "--seed", "3")
    again = run(capsys, "sample", "task.failure", "INFO", "-n", "5", "--seed", "3")[1]
    other = run(capsys, "sample", "task.failure", "INFO", "-n", "5", "--seed", "4")[1]
    lines = out.splitlines()
    assert code == 0
    assert len(lines) == 5
    assert all(is_valid(json.loads(line)) for line in lines)
    assert out == again
    assert out != other


def test_sample_of_an_unknown_variant_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "sample", "image.uplod", "INFO")
    assert code == 2
    assert err.startswith("notify-schemas: error: unknown event type 'image.uplod'")
    assert err.count("\n") == 1


def _variants_of(profile: str) -> set[tuple[str, str]]:
    return {(v.event_type, v.priority) for v in variants(profile)}


@pytest.mark.parametrize("profile", ["seed", "glance"])
def test_schemas_show_of_an_event_type_alone_names_its_priorities(
    capsys: pytest.CaptureFixture[str], profile: str
) -> None:
    # "schemas show image.send" said "unknown event type 'image' (did you mean 'image.send'?)": it read "send" as the
    # priority, where the priority was what was left out.
    for event_type in sorted({e for p in ("seed", "glance") for e, _ in _variants_of(p)}):
        for written in (event_type, event_type.upper(), f"{event_type}."):
            code, out, err = run(capsys, "schemas", "show", written, "--profile", profile)
            assert (code, out) == (2, "")
            [line] = err.splitlines()
            assert f"{written!r} names an event type without its priority: " in line, line
            for p in ("seed", "glance"):
                priorities = sorted(pr for e, pr in _variants_of(p) if e == event_type)
                if priorities:
                    assert f"{', '.join(f'{event_type}.{pr}' for pr in priorities)} in profile {p!r}" in line, line


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["IMAGE.SEND", "INFO"], "(did you mean 'image.send'? event types are lower case)"),
        (["IMAGE.SEND.INFO"], "(did you mean 'image.send'? event types are lower case)"),
        (["image.send", "info"], "(did you mean 'INFO'? priorities are upper case)"),
        (["image.send.info"], "(did you mean 'INFO'? priorities are upper case)"),
        (["task.create.INFO"], "task.create INFO is not in profile 'seed'; profile 'glance' has it: --profile glance"),
        (["image.member.create", "INFO"], "is not in profile 'seed'; profile 'glance' has it: --profile glance"),
        (["image.upload.WARN", "--profile", "glance"], "is not in profile 'glance'; profile 'seed' has it"),
        (["image.create.INFO.json"], "takes a variant, not a file's name: 'image.create.INFO'"),
        (["schemas/bundled/seed/image.create.INFO.json"], "takes a variant, not a file's name: 'image.create.INFO'"),
        (["image.create.INFO", "INFO"], "unexpected after image.create.INFO: INFO"),
        (["image.create", "INFO", "INFO"], "schemas show takes 2 arguments; unexpected: INFO"),
    ],
)
def test_schemas_show_says_what_is_wrong_with_the_variant_named(
    capsys: pytest.CaptureFixture[str], argv: list[str], said: str
) -> None:
    code, out, err = run(capsys, "schemas", "show", *argv)
    assert (code, out) == (2, "")
    [line] = err.splitlines()
    assert said in line, line


@pytest.mark.parametrize(("asked", "owner"), [("seed", "glance"), ("glance", "seed")])
def test_every_command_names_the_profile_that_has_a_variant_asked_of_another(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, asked: str, owner: str
) -> None:
    # sample, emit and validate of image.member.create in seed said "did you mean 'image.create'?", where schemas show
    # named the profile that has it: each now says which profile has it, in the same words.
    mine = {(v.event_type, v.priority) for v in variants(asked)}
    theirs = [v for v in variants(owner) if (v.event_type, v.priority) not in mine]
    for v in theirs[:4]:
        has_it = f"profile {owner!r} has it"
        usage = f"{v.event_type} {v.priority} is not in profile {asked!r}; {has_it}: --profile {owner}"
        for argv in (["sample", v.event_type, v.priority], ["schemas", "show", f"{v.event_type}.{v.priority}"]):
            code, out, err = run(capsys, *argv, "--profile", asked)
            assert (code, out, err) == (2, "", f"notify-schemas: error: {usage}\n"), argv
        message = next(samples(v.event_type, v.priority, profile=owner))
        record = write(tmp_path, "other.jsonl", json.dumps(message) + "\n")
        payload = write(tmp_path, "payload.json", json.dumps(message["payload"]))
        code, out, _ = run(capsys, "validate", record, "--profile", asked)
        assert code == 1
        assert f"/{'priority' if any(m[0] == v.event_type for m in mine) else 'event_type'}: " in out
        assert f"({has_it});" in out, out
        assert "did you mean" not in out
        code, out, err = run(capsys, "emit", v.event_type, v.priority, "--payload", payload, "--profile", asked)
        assert (code, out) == (1, "")
        assert f"({has_it});" in err, err
        assert "did you mean" not in err
        intent = {"profile": asked, "event_type": v.event_type, "priority": v.priority, "record": {}}
        code, out, err = run(capsys, "conformance", "--callable", "notify_schemas.conformance.reference:produce",
                             "--intent", json.dumps(intent))  # fmt: skip
        assert (code, out) == (2, "")
        assert f"({has_it});" in err, err
        assert "did you mean" not in err


def test_schemas_list_show_and_export(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "schemas", "list", "--profile", "seed")
    assert code == 0
    assert len(out.splitlines()) == 33
    code, out, _ = run(capsys, "schemas", "show", "image.send.ERROR", "--profile", "glance")
    assert json.loads(out)["$id"].endswith("bundled/glance/image.send.ERROR.json")
    code, out, _ = run(capsys, "schemas", "show", "image.send", "ERROR", "--source")
    assert json.loads(out)["$id"].endswith("/seed/image.send.ERROR.json")
    code, out, _ = run(capsys, "schemas", "export", str(tmp_path / "out"))
    assert code == 0
    assert (tmp_path / "out" / "bundled" / "seed" / "image.send.ERROR.json").is_file()
    assert (tmp_path / "out" / "DECISIONS.md").is_file()


def _limited_to(size: int) -> Callable[[], None]:
    """A process that writes no file past ``size`` bytes: a write past it fails with EFBIG, as on a full disk."""
    return lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))


@pytest.mark.parametrize("limit", [0, 1, 8192, 200_000])
@pytest.mark.parametrize("before", ["nothing", "an export"])
def test_schemas_export_cut_short_leaves_no_file_cut_short(tmp_path: Path, limit: int, before: str) -> None:
    # A write that failed half-way left the file cut short, as if whole, and the error named the folder given.
    target = tmp_path / "out"
    if before == "an export":
        assert main(["schemas", "export", str(target)]) == 0
    command = [sys.executable, "-m", "notify_schemas", "schemas", "export", str(target)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, preexec_fn=_limited_to(limit))
    sources = {str(parts): file.read_bytes() for parts, file in commands._files(schema_root())}
    exported = {str(p.relative_to(target).parts): p.read_bytes() for p in target.rglob("*") if p.is_file()}
    if before == "an export":
        assert exported == sources  # each file as it was, or written again whole
    else:
        assert all(exported[name] == sources[name] for name in exported)  # no file cut short, no other file
    assert done.returncode == 2
    named = done.stderr.strip().removeprefix("notify-schemas: error: ").removesuffix(": File too large")
    assert str(Path(named).relative_to(target).parts) in sources, done.stderr  # a file in the folder, by its name
    assert done.stderr.count("\n") == 1


def test_schemas_export_writes_a_file_at_the_end_of_a_link_and_keeps_the_link(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "elsewhere.json").write_text("old")
    (tmp_path / "out" / "envelope.json").symlink_to(tmp_path / "elsewhere.json")
    assert run(capsys, "schemas", "export", str(tmp_path / "out"))[0] == 0
    assert (tmp_path / "out" / "envelope.json").is_symlink()
    assert (tmp_path / "elsewhere.json").read_bytes() == (schema_root() / "envelope.json").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["elsewhere.json", "out"]


def test_schemas_export_into_the_schema_folder_copies_it_once(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each folder was listed as it was copied: a copy inside the schema folder was found and copied into itself,
    # deeper and deeper, until a RecursionError traceback.
    root = tmp_path / "schemas"
    write((root / "seed").mkdir(parents=True) or root / "seed", "a.json", "{}")
    write(root, "DECISIONS.md", "D1")
    monkeypatch.setattr(commands, "schema_root", lambda: root)
    code, out, err = run(capsys, "schemas", "export", str(root / "copy"))
    assert (code, out, err) == (0, f"exported 2 files to {root / 'copy'}\n", "")
    found = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    assert found == ["DECISIONS.md", "copy/DECISIONS.md", "copy/seed/a.json", "seed/a.json"]
    assert run(capsys, "schemas", "export", str(root))[:2] == (0, f"exported 4 files to {root}\n")
    assert (root / "seed" / "a.json").read_text() == "{}"


def test_emit_builds_validates_and_sends(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    payload = json.loads(VALID[0])["payload"]
    path = write(tmp_path, "p.json", json.dumps(payload))
    code, out, _ = run(
        capsys, "emit", "image.upload", "INFO", "--payload", path, "--driver", "memory", "--publisher-id", "image.cli"
    )
    sent: dict[str, Any] = json.loads(out)
    assert code == 0
    assert sent["payload"] == payload
    assert sent["publisher_id"] == "image.cli"
    assert is_valid(sent)
    code, _, err = run(capsys, "emit", "image.upload", "INFO", "--payload", write(tmp_path, "bad.json", '{"id": 1}'))
    assert code == 1
    assert "image.upload INFO is invalid" in err
    # A payload that is not JSON is judged as validate judges a record that is not JSON: invalid, exit 1.
    code, _, err = run(capsys, "emit", "image.upload", "INFO", "--payload", write(tmp_path, "nj.json", "{"))
    assert code == 1
    assert "payload is not JSON" in err


def test_demo_sends_both_lifecycles_and_prints_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "demo", "--driver", "memory")
    assert code == 0
    assert "15 notifications sent through MemoryDriver: 15 valid in profile 'seed'" in out
    code, out, _ = run(capsys, "demo", "--driver", "memory", "--profile", "glance")
    assert code == 0
    assert "18 notifications sent through MemoryDriver: 18 valid in profile 'glance'" in out


def test_usage_error_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["validate", "--profile", "nova"])
    assert info.value.code == 2


def test_the_installed_command_never_shows_a_traceback(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.jsonl", b"\xff\n[[[[\n{}\n" + b"[" * 100_000 + b"\n")
    command = str(Path(sys.executable).parent / "notify-schemas")  # the console script installed with the package
    result = subprocess.run([command, "validate", path], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert len(result.stdout.splitlines()) >= 5


def test_progress_is_shown_on_a_terminal_for_large_inputs(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = "\n".join(VALID * 700) + "\n"  # over 1 MiB
    path = write(tmp_path, "large.jsonl", lines)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    monkeypatch.setenv("TERM", "xterm")
    ticks = iter(range(0, 10**6, 1))
    monkeypatch.setattr("notify_schemas.cli.commands.time.monotonic", lambda: float(next(ticks)))
    code, out, err = run(capsys, "validate", path)
    assert code == 0
    assert "\r" in err
    assert "records checked" in err
    assert "2,100 records in 1 file: 2,100 valid" in out


class _Terminal(io.StringIO):
    """A terminal that both standard outputs write to, as an interactive shell's are."""

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("output_format", ["text", "json"])
def test_a_line_shown_on_a_terminal_never_follows_the_progress_on_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, output_format: str
) -> None:
    """The progress line is left without a line end, to be written over: an invalid record's line, or a file that
    could not be read, was written after it on the same line of the terminal ('2,100 records checkeda.jsonl:2101:
    ...'). It is taken off first, and shown again at the next count."""
    bad = '{"x": 1}'
    lines = "\n".join(VALID * 700 + [bad] + VALID * 700 + [bad]) + "\n"  # over 1 MiB
    path = write(tmp_path, "large.jsonl", lines)
    terminal = _Terminal()
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setattr(sys, "stdout", terminal)
    monkeypatch.setattr(sys, "stderr", terminal)
    ticks = iter(range(0, 10**6, 1))
    monkeypatch.setattr("notify_schemas.cli.commands.time.monotonic", lambda: float(next(ticks)))
    code = main(["validate", "--format", output_format, path, str(tmp_path / "gone.jsonl"), path])
    shown = terminal.getvalue()
    assert code == 2
    assert shown.count("records checked") >= 2
    # Each count is followed by a larger one written over it, or by its taking off.
    assert re.search(r"records checked(?!\r(\033\[K|[\d,]+ records checked))", shown) is None


def test_no_progress_when_stderr_is_not_a_terminal(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write(tmp_path, "large.jsonl", "\n".join(VALID * 700) + "\n")
    code, _, err = run(capsys, "validate", path)
    assert code == 0
    assert err == ""


def test_a_record_limit_below_one_byte_is_a_usage_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as info:
        main(["validate", "--max-record-bytes", "-5", write(tmp_path, "a.jsonl", VALID[0])])
    assert info.value.code == 2
    assert "must be at least 1" in capsys.readouterr().err


@settings(max_examples=200, deadline=None)
@given(
    option=st.sampled_from(["positive", "count", "record_bytes", "jobs", "examples"]),
    value=st.integers(-(10**40), 10**40),  # within the digits a number option reads at all
)
def test_each_count_option_takes_the_numbers_in_its_range_and_says_the_bound_of_any_other(
    option: str, value: int
) -> None:
    # The count and size options share their bounds' checks: each takes every whole number in its range as it is, and
    # refuses any other by saying the bound it passed and the number given, with its thousands marked above the range.
    from notify_schemas import arguments

    least, most = {"positive": (1, None), "count": (0, None), "record_bytes": (1, arguments.MAX_RECORD_BYTES),
                   "jobs": (1, arguments.MAX_JOBS), "examples": (0, arguments.MAX_EXAMPLES)}[option]  # fmt: skip
    read = getattr(arguments, option)
    if value < least:
        with pytest.raises(
            argparse.ArgumentTypeError, match=f"^must be (at least {least}|{least} or more), not {value}$"
        ):
            read(str(value))
    elif most is not None and value > most:
        with pytest.raises(argparse.ArgumentTypeError, match=f"^must be at most {most:,}.*, not {value:,}$"):
            read(str(value))
    else:
        assert read(str(value)) == value


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["validate", "--max-record-bytes", "2G", "a.jsonl"], "argument --max-record-bytes: not a whole number: '2G'"),
        (["validate", "--jobs", "two", "a.jsonl"], "argument --jobs/-j: not a whole number or auto: 'two'"),
        (["sample", "image.create", "INFO", "-n", "1.5"], "argument -n: not a whole number: '1.5'"),
        (["listen", "--timeout", "soon"], "argument --timeout: not a number of seconds: 'soon'"),
        (["conformance", "--stream", "s.jsonl", "--examples", "x"], "argument --examples: not a whole number: 'x'"),
    ],
)
def test_a_number_option_given_a_word_says_what_it_expected(
    argv: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # argparse's own words name the converting function: 'invalid record_bytes value'.
    code = _exit_status(argv)
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip().splitlines()[-1].endswith(f"error: {said}"), err
    assert " value: " not in err


def _exit_status(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as stop:
        return int(stop.code or 0)


@pytest.mark.parametrize("named_by", ["--driver", "--config-file"])
@pytest.mark.parametrize("priority", ["INFO", "ERROR"])
def test_emit_through_the_log_driver_shows_the_line_on_its_own(tmp_path: Path, named_by: str, priority: str) -> None:
    # Run as a user runs it: a process of its own, where nothing has configured logging.
    if priority == "INFO":
        payload = write(tmp_path, "p.json", json.dumps(json.loads(VALID[0])["payload"]))
    else:
        payload = write(tmp_path, "p.json", '"Image storage media is full"')
    conf = write(tmp_path, "log.conf", "[oslo_messaging_notifications]\ndriver = log\n")
    driver = ["--driver", "log"] if named_by == "--driver" else ["--config-file", conf]
    done = subprocess.run(
        [sys.executable, "-m", "notify_schemas", "emit", "image.upload", priority, "--payload", payload, *driver],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"oslo.messaging.notification.image.upload {priority}" in done.stderr
    assert ("Image storage media is full" if priority == "ERROR" else '"disk_format"') in done.stderr


@pytest.mark.parametrize("stderr", ["/dev/full", "closed", "a reader gone"])
@pytest.mark.parametrize("command", ["emit --driver log", "emit --config-file", "demo"])
def test_a_log_driver_line_that_cannot_be_written_is_a_notification_not_sent(
    tmp_path: Path, command: str, stderr: str
) -> None:
    # emit --driver log 2>/dev/full (or 2>&-) exited 0, though the log driver's only delivery, its line, went nowhere.
    payload = write(tmp_path, "p.json", json.dumps(json.loads(VALID[0])["payload"]))
    conf = write(tmp_path, "log.conf", "[oslo_messaging_notifications]\ndriver = log\n")
    argv = {"emit --driver log": ["emit", "image.upload", "INFO", "--payload", payload, "--driver", "log"],
            "emit --config-file": ["emit", "image.upload", "INFO", "--payload", payload, "--config-file", conf],
            "demo": ["demo"]}[command]  # fmt: skip
    heard = _run_with(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert heard.returncode == 0, heard.stderr  # the same, its line written
    if stderr == "closed":
        done = _run_with(argv, stdout=subprocess.PIPE, close=2)
    elif stderr == "/dev/full":
        with open("/dev/full", "wb") as full:
            done = _run_with(argv, stdout=subprocess.PIPE, stderr=full)
    else:
        read, written = os.pipe()
        os.close(read)
        try:
            done = _run_with(argv, stdout=subprocess.PIPE, stderr=written)
        finally:
            os.close(written)
    assert done.returncode == 1
    assert len(done.stdout.splitlines()) == len(heard.stdout.splitlines())  # the rest as it was: sent, and shown


def test_emit_whose_output_cannot_be_written_says_the_notification_was_sent(tmp_path: Path) -> None:
    # Exit 2 with "cannot write the standard output" alone reads as if nothing was done: sent again, it is sent twice.
    payload = write(tmp_path, "p.json", json.dumps(json.loads(VALID[0])["payload"]))
    with open("/dev/full", "wb") as full:
        done = _run_with(["emit", "image.upload", "INFO", "--payload", payload, "--driver", "log"], stdout=full,
                         stderr=subprocess.PIPE)  # fmt: skip
    assert done.returncode == 2
    said = done.stderr.decode().splitlines()
    assert said[0].startswith("oslo.messaging.notification.image.upload INFO {")
    assert said[1:] == ["notify-schemas: error: cannot write the standard output: No space left on device; the "
                        "notification was sent"]  # fmt: skip


def test_an_error_notification_the_log_driver_writes_under_its_own_logger_is_no_failure(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # An event type that is no name (warn mode sends any) is logged under oslo.messaging.notification itself: at
    # ERROR, emit took that line for an error logged while sending, and said the notification was not sent.
    payload = write(tmp_path, "p.json", '"Image storage media is full"')
    code, out, err = run(capsys, "emit", "not a name", "ERROR", "--payload", payload, "--driver", "log",
                         "--validation", "warn")  # fmt: skip
    assert code == 1, err  # sent, but invalid (D101)
    assert json.loads(out)["event_type"] == "not a name"
    assert "not sent" not in err
    assert err.splitlines()[-1] == "the notification was sent, though it is invalid (--validation warn: see the log)"


def test_an_array_item_over_the_limit_is_one_line_that_names_the_limit() -> None:
    from io import BytesIO

    from notify_schemas.reader import BadRecord, Record, read_records

    small = json.dumps({"a": 1})
    big = json.dumps({"b": "x" * 5_000})
    records = list(read_records(BytesIO(f"[\n{small},\n{big},\n{small}\n]\n".encode()), limit=1_000))
    assert isinstance(records[0], Record)
    assert records[0].line == 2
    assert isinstance(records[1], BadRecord)
    assert records[1].line == 3
    assert "over the limit of 1,000" in records[1].reason
    assert isinstance(records[2], Record)  # and reading goes on


def test_a_reader_that_goes_away_ends_the_run_quietly(tmp_path: Path) -> None:
    path = write(tmp_path, "many.jsonl", '{"priority": "x"}\n' * 20_000)
    command = f"{sys.executable} -m notify_schemas validate --format json {path} | head -c 100 > /dev/null"
    done = subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True, timeout=120,
                          check=False)  # fmt: skip
    assert "error" not in done.stderr
    assert "Traceback" not in done.stderr


CANARY = "CANARY-7f3a"

CONFIG_FILES = {
    "an option before any section": f"transport_url = rabbit://glance:{CANARY}@rabbit/\n",
    "a line that is not an option": f"[DEFAULT]\ntransport_url = rabbit://glance:{CANARY}@rabbit/\nbroken {CANARY}\n",
    "retry that is not a number": f"[oslo_messaging_notifications]\nretry = rabbit://glance:{CANARY}@rabbit/\n",
}


@pytest.mark.parametrize("command", [["listen"], ["emit", "image.create", "INFO", "--payload", "{p}"], ["demo"]])
@pytest.mark.parametrize("case", CONFIG_FILES)
def test_a_configuration_file_that_does_not_parse_is_named_by_line_without_its_text(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: list[str], case: str
) -> None:
    conf = write(tmp_path, "glance.conf", CONFIG_FILES[case])
    payload = write(tmp_path, "p.json", "{}")
    code, out, err = run(capsys, *(a.replace("{p}", payload) for a in command), "--config-file", conf)
    assert code == 2
    assert CANARY not in out + err
    assert err.startswith(f"notify-schemas: error: {conf}: ")
    assert err.count("\n") == 1


def test_a_configuration_file_oslo_config_cannot_parse_is_named_by_line_without_its_text(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # configparser reads a continuation line after a blank line; oslo.config does not, and quoted it.
    conf = write(tmp_path, "glance.conf", f"[DEFAULT]\ntransport_url = fake://u:{CANARY}@localhost/\n\n  {CANARY}\n")
    code, out, err = run(capsys, "listen", "--config-file", conf, "--timeout", "0.1")
    assert code == 2
    assert CANARY not in out + err
    assert f"notify-schemas: error: {conf}: line 4: Unexpected continuation line" in err


def _command(*argv: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The command run as a user runs it: a process of its own."""
    return subprocess.run([sys.executable, "-W", "ignore", "-m", "notify_schemas", *argv], capture_output=True,
                          text=True, check=False, timeout=timeout)  # fmt: skip


def test_listen_names_its_broker_without_the_password(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "listen", "--transport-url", f"fake://u:{CANARY}@localhost/", "--timeout", "0.1")
    assert code == 0
    assert "listening on fake://u:***@localhost/ exchange 'glance'" in err
    assert CANARY not in out + err


def test_a_broker_that_cannot_be_reached_is_named_without_the_password() -> None:
    done = _command("listen", "--transport-url", f"rabbit://u:{CANARY}@127.0.0.1:1/", "--connect-timeout", "0.5")
    assert done.returncode == 2
    assert "notify-schemas: error: cannot listen on rabbit://u:***@127.0.0.1:1/" in done.stderr
    assert CANARY not in done.stdout + done.stderr


def test_demo_names_its_broker_without_the_password() -> None:
    done = _command("demo", "--transport-url", f"fake://u:{CANARY}@localhost/")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1].startswith(
        "listener on fake://u:***@localhost/, topic notify-schemas-demo: 15 received"
    )
    assert CANARY not in done.stdout + done.stderr


def test_demo_to_a_broker_takes_the_configuration_file_and_refuses_drivers(tmp_path: Path) -> None:
    # With --transport-url, --config-file and --driver were left aside without a word: every notification that the
    # file disabled was sent, under another publisher id, and none of oslo's options for the broker was read.
    conf = write(tmp_path, "glance-api.conf", "[DEFAULT]\ndisabled_notifications = image\n"
                                              "default_publisher_id = image.from-file\n")  # fmt: skip
    done = _command("demo", "--transport-url", "fake://", "--config-file", conf)
    assert done.returncode == 0, done.stderr
    rows = [line.split() for line in done.stdout.splitlines()[1:16]]
    assert {row[1] for row in rows if row[3] == "disabled"} == {r[1] for r in rows if r[1].startswith("image.")}
    assert done.stdout.splitlines()[-1].startswith("listener on fake://, topic notify-schemas-demo: 7 received")
    assert "image.from-file" in done.stderr  # the log driver's lines: each notification it sent
    done = _command("demo", "--transport-url", "fake://", "--driver", "memory")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.strip().endswith("--driver does not apply to demo --transport-url, which sends through log "
                                        "and messagingv2 and listens for what it sent")  # fmt: skip


def test_emit_prints_what_it_sent_redacted(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    text = write(tmp_path, "error.json", json.dumps(f"upload failed: password={CANARY}"))
    code, out, err = run(capsys, "emit", "image.upload", "ERROR", "--payload", text, "--driver", "memory")
    assert code == 0
    assert json.loads(out)["payload"] == "upload failed: password=***"
    payload = dict(json.loads(VALID[0])["payload"], locations=[{"url": f"swift://u:{CANARY}@swift/c/o"}])
    leaky = write(tmp_path, "leaky.json", json.dumps(payload))
    code, out, err = run(capsys, "emit", "image.upload", "INFO", "--payload", leaky, "--driver", "memory",
                         "--validation", "off")  # fmt: skip
    assert code == 0
    assert json.loads(out)["payload"]["locations"] == "[redacted: may hold credentials]"
    assert CANARY not in out + err


def _exit_code(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as done:  # argparse's own usage errors
        return int(done.code or 0)


# Usage errors: exit 2, one line that names the option or the word and what is wrong, no traceback.
USAGE_ERRORS: list[Any] = [
    pytest.param(["validate", "--max-record-bytes", "9223372036854775807", "{small}"],
                 "argument --max-record-bytes: must be at most 1,073,741,824", id="record size beyond a GiB"),
    pytest.param(["validate", "--jobs", "5000", "{small}"], "argument --jobs/-j: must be at most 256 processes",
                 id="5,000 jobs"),
    pytest.param(["listen", "--transport-url", "fake://", "--connect-timeout", "1" + "0" * 90],
                 "argument --connect-timeout: must be a number of seconds from 0", id="a timeout of 1e90 s"),
    pytest.param(["listen", "--transport-url", "fake://", "--timeout", "-0.5"],
                 "argument --timeout: must be a number of seconds from 0", id="a negative timeout"),
    pytest.param(["conformance", "--exec", "true", "--answer-timeout", "100000000000000000000"],
                 "argument --answer-timeout: must be a number of seconds from 0", id="an answer timeout of 1e20 s"),
    pytest.param(["validate", "-", "-"], "validate reads stdin once: give - at most once", id="stdin twice"),
    pytest.param(["validate", ""], "argument FILE: must not be empty", id="an empty file name"),
    pytest.param(["emit", "image.create", "INFO", "--payload", ""], "argument --payload: must not be empty",
                 id="an empty payload file name"),
    pytest.param(["emit", "image.create", "INFO", "--payload", "{small}", "--publisher-id", ""],
                 "argument --publisher-id: must not be empty", id="an empty publisher id"),
    pytest.param(["listen", "--transport-url", "fake://", "--timeout", "0.1", "--exchange", ""],
                 "argument --exchange: must not be empty",
                 id="an empty exchange"),
    pytest.param(["listen", "--transport-url", "fake://", "--timeout", "0.1", "--pool", " "],
                 "argument --pool: must not be empty",
                 id="a blank pool name"),
    pytest.param(["schemas", "list", "--source"], "--source does not apply to schemas list", id="list --source"),
    pytest.param(["schemas", "export", ""], "argument variant: must not be empty", id="export to an empty name"),
    pytest.param(["schemas", "path", "--profile", "glance"], "--profile does not apply to schemas path",
                 id="path --profile"),
    pytest.param(["schemas", "show", "image.create.INFO", "extra"],
                 "schemas show takes EVENT_TYPE.PRIORITY or EVENT_TYPE PRIORITY; unexpected after image.create.INFO: "
                 "extra", id="show with a word more"),
    pytest.param(["conformance", "--stream", "{small}", "--intent", "{"],
                 "--intent does not apply to --stream: only to --callable or --exec", id="--intent with --stream"),
    pytest.param(["conformance", "--stream", "{small}", "--examples", "3"],
                 "--examples does not apply to --stream", id="--examples with --stream"),
    pytest.param(["conformance", "--stream", "{small}", "--answer-timeout", "3"],
                 "--answer-timeout does not apply to --stream: only to --exec", id="--answer-timeout with --stream"),
    pytest.param(["conformance", "--callable", "notify_schemas.conformance.reference:produce", "--count", "3"],
                 "--count does not apply to --callable: only to --transport-url", id="--count with --callable"),
    *(pytest.param(["conformance", "--mode", "negative", "--callable", "notify_schemas:is_valid",
                    option, "json.integers"],
                   f"{option} does not apply to --mode negative", id=f"{option} with --mode negative")
      for option in ("--checks", "--exclude-checks")),
    *(pytest.param(["conformance", option, value], f"argument {option}: empty", id=f"{option} {value!r}")
      for option, value in [("--exec", ""), ("--exec", "   "), ("--stream", ""), ("--callable", ""),
                            ("--transport-url", " ")]),
    # Taken, they ran the whole suite, then failed to write the current folder, or wrote a file named " ".
    *(pytest.param(["conformance", "--stream", "{small}", option, value], f"argument {option}: must not be empty",
                   id=f"{option} {value!r}")
      for option, value in [("--report", ""), ("--junit", " ")]),
]  # fmt: skip


# An option is written whole and given once (D85): a prefix of its name was taken for it, and a second value dropped
# the first in silence.
ONCE_AND_WHOLE: list[Any] = [
    pytest.param(["validate", "--prof", "glance", "{small}"], "unrecognized arguments: --prof", id="validate --prof"),
    pytest.param(["validate", "--max", "5", "{small}"], "unrecognized arguments: --max", id="validate --max"),
    pytest.param(["conformance", "--stream", "{small}", "--prof", "glance"], "unrecognized arguments: --prof",
                 id="conformance --prof"),
    pytest.param(["compat", "--exam", "3", "{small}", "{small}"], "unrecognized arguments: --exam",
                 id="compat --exam"),
    pytest.param(["validate", "--format", "json", "{small}", "--format", "text"],
                 "argument --format: given twice, as 'json' and as 'text': give it once", id="validate --format twice"),
    pytest.param(["validate", "-j", "1", "--jobs", "2", "{small}"],
                 "argument --jobs/-j: given twice, as '1' and as '2'", id="validate -j and --jobs"),
    pytest.param(["sample", "image.send", "INFO", "-n", "1", "-n", "2"], "argument -n: given twice",
                 id="sample -n twice"),
    pytest.param(["emit", "image.create", "INFO", "--payload", "{small}", "--payload", "other"],
                 "argument --payload: given twice", id="emit --payload twice"),
    pytest.param(["listen", "--transport-url", "rabbit://u:SECRET@h/", "--transport-url", "rabbit://u:OTHER@h/"],
                 "argument --transport-url: given twice, as 'rabbit://u:***@h/' and as 'rabbit://u:***@h/'",
                 id="listen --transport-url twice, masked"),
    pytest.param(["conformance", "--stream", "{small}", "--stream", "other.jsonl"], "argument --stream: given twice",
                 id="conformance --stream twice"),
    pytest.param(["compat", "--seed", "1", "--seed", "2", "{small}", "{small}"], "argument --seed: given twice",
                 id="compat --seed twice"),
    pytest.param(["tally", "--format", "json", "--format", "text", "{small}"], "argument --format: given twice",
                 id="tally --format twice"),
    pytest.param(["schemas", "list", "--profile", "seed", "--profile", "glance"], "argument --profile: given twice",
                 id="schemas --profile twice"),
]  # fmt: skip


@pytest.mark.parametrize(
    "argv",
    [["validate", "--format", "json", "{small}", "--format", "json"],
     ["sample", "image.send", "INFO", "-n", "1", "-n", "1"],
     ["emit", "image.create", "INFO", "--payload", "{payload}", "--driver", "memory", "--driver", "noop"],
     ["schemas", "show", "--source", "--source", "image.create.INFO"]],
)  # fmt: skip
def test_an_option_given_twice_with_one_value_and_a_repeatable_one_pass(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str]
) -> None:
    small = write(tmp_path, "small.jsonl", VALID[0] + "\n")
    payload = write(tmp_path, "p.json", json.dumps(next(samples("image.create", "INFO"))["payload"]))
    assert _exit_code([a.replace("{small}", small).replace("{payload}", payload) for a in argv]) == 0
    assert "error" not in capsys.readouterr().err


@pytest.mark.parametrize(("argv", "expected"), USAGE_ERRORS + ONCE_AND_WHOLE)
def test_usage_errors_exit_2_with_one_line_naming_what_is_wrong(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str], expected: str
) -> None:
    small = write(tmp_path, "small.jsonl", VALID[0] + "\n")
    code = _exit_code([a.replace("{small}", small) for a in argv])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert "Traceback" not in err
    assert "SECRET" not in err  # a value given twice is named masked
    assert expected in err.strip().splitlines()[-1]  # the error's line, after argparse's usage lines if any


@pytest.mark.parametrize(("jobs", "started"), [("200", None), ("256", 3), ("2", 2)])
def test_jobs_start_no_more_workers_than_there_are_pieces(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: str, started: int | None
) -> None:
    small = write(tmp_path, "small.jsonl", VALID[0] + "\n")
    three = write(tmp_path, "three.jsonl", "".join(line + "\n" for line in VALID))
    pools: list[int] = []
    start_pool = commands._start_pool
    monkeypatch.setattr(commands, "_start_pool", lambda n, args: pools.append(n) or start_pool(n, args))
    assert run(capsys, "validate", "--jobs", jobs, small)[0] == 0
    assert pools == []  # a file of one piece is checked without a pool
    monkeypatch.setattr(commands, "_PIECE", 1)  # each piece ends at its first line end: three pieces
    code, out, _ = run(capsys, "validate", "--jobs", jobs, three, small)
    assert code == 0
    assert "4 records in 2 files: 4 valid" in out
    assert pools == [min(int(jobs), 3)]


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(blank=st.lists(st.sampled_from([b"", b"   ", b"\t\r", b" " * 700]), min_size=1, max_size=4),
       bom=st.booleans(), lines=st.lists(st.sampled_from(range(len(LINE_KINDS))), min_size=1, max_size=20))  # fmt: skip
def test_jobs_share_a_json_lines_file_whose_first_lines_are_blank(
    tmp_path_factory: pytest.TempPathFactory, blank: list[bytes], bom: bool, lines: list[int]
) -> None:
    # Blank lines before the first record are no records, in one process as in a piece; such a file was read by one
    # process whatever --jobs said.
    path = tmp_path_factory.mktemp("jobs") / "in.jsonl"
    head = b"\n".join(blank) + b"\n"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + head + LINE_KINDS[0] + b"\n" +
                     b"".join(LINE_KINDS[i] + b"\n" for i in lines))  # fmt: skip
    reports = {}
    shared: list[str] = []
    validate_shared = commands._validate_shared
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(commands, "_PIECE", 200)
        patch.setattr(commands, "_validate_shared", lambda *a: shared.append(a[2]) or validate_shared(*a))
        for jobs in ("1", "3"):
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main(["validate", "--jobs", jobs, "--max-record-bytes", "500", str(path)])
            reports[jobs] = (code, out.getvalue(), err.getvalue())
    assert shared == [str(path)]
    assert reports["3"] == reports["1"]


@pytest.mark.skipif(sys.platform != "linux", reason="a limit on open files as Linux sets it")
def test_workers_that_cannot_start_are_one_line_naming_jobs_and_leave_none_running(tmp_path: Path) -> None:
    # Out of open files, the command said "Too many open files" alone, and the workers started were left running.
    import resource

    path = tmp_path / "in.jsonl"
    path.write_text("".join(line + "\n" for line in VALID * 4_000))  # pieces for 8 workers
    command = [sys.executable, "-m", "notify_schemas", "validate", "--jobs", "8", str(path)]
    limit = lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (16, 16))  # noqa: E731
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, preexec_fn=limit)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == "notify-schemas: error: cannot start 8 worker processes (Too many open files): give " \
                          "--jobs fewer, or --jobs 1\n"  # fmt: skip
    found = subprocess.run(["pgrep", "-f", str(path)], capture_output=True, text=True).stdout.split()
    assert found == []


@pytest.mark.parametrize("how", ["named", "stdin", "named --jobs 2"])
def test_a_file_that_is_the_standard_output_too_is_not_read_back_as_records(tmp_path: Path, how: str) -> None:
    # validate a.jsonl >> a.jsonl read its own report's lines as records: each unreadable, each reported, in the
    # file it was reading; the counts were of what it wrote, not of the input.
    lines = [VALID[0], _bad(VALID[1])] * 3_000  # more than the output's buffer holds
    path = Path(write(tmp_path, "in.jsonl", "".join(line + "\n" for line in lines)))
    other = write(tmp_path, "other.jsonl", VALID[2] + "\n")
    name = "-" if how == "stdin" else str(path)
    argv = [sys.executable, "-m", "notify_schemas", "validate", *how.split()[1:], name, other]
    with path.open("ab") as out, path.open("rb") as stdin:
        done = subprocess.run(argv, stdout=out, stdin=stdin, stderr=subprocess.PIPE, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr == f"notify-schemas: error: {name}: it is the standard output too: the report would be read " \
                          "back as records; write the report to another file\n"  # fmt: skip
    report = path.read_text().splitlines()[len(lines) :]
    assert report == ["1 record in 2 files: 1 valid, 0 invalid, 0 unreadable (profile seed)"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("jobs", ["1", "2", "auto"])
def test_jobs_lose_nothing_a_named_pipe_brings_and_never_wait_for_a_second_writer(tmp_path: Path, jobs: str) -> None:
    # Counting a file's pieces opened it and closed it: a named pipe whose writer had written all and closed by then
    # lost what it wrote, and the reading proper waited for ever for another writer.
    fifo = tmp_path / "in.jsonl"
    os.mkfifo(fifo)
    small = write(tmp_path, "small.jsonl", "".join(line + "\n" for line in VALID))
    command = [sys.executable, "-m", "notify_schemas", "validate", "--jobs", jobs, str(fifo), small]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
        try:
            with fifo.open("w") as writer:  # opened once the command opens it to read, and closed at once
                writer.write(VALID[0] + "\n")
            out, err = process.communicate(timeout=60)
        finally:
            process.kill()
    assert (process.returncode, err) == (0, "")
    assert out.splitlines()[-1].startswith("4 records in 2 files: 4 valid")


def test_jobs_read_a_file_to_its_end_whatever_size_it_says_it_has(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The pieces were cut up to the size stat gave: a /proc file, which says it has none, was read as nothing (and
    # its records never counted) once another file started the workers, and the lines a file grew by were not read.
    other = write(tmp_path, "other.jsonl", "".join(line + "\n" for line in VALID))
    monkeypatch.setattr(commands, "_PIECE", 1)  # each piece ends at its first line end: three pieces
    argv0 = VALID[0] + "\n" + VALID[1] + "\n"  # /proc/PID/cmdline: this, a NUL, the argument 60 and a NUL
    with subprocess.Popen([argv0, "60"], executable=shutil.which("sleep")) as child:
        try:
            proc = f"/proc/{child.pid}/cmdline"
            assert Path(proc).stat().st_size == 0
            while not Path(proc).read_bytes().startswith(argv0.encode()):  # the child is not yet sleep
                time.sleep(0.01)
            reports = [run(capsys, "validate", "--jobs", jobs, other, proc) for jobs in ("1", "2")]
        finally:
            child.kill()
    assert reports[0][2] == reports[1][2] == ""
    assert reports[1] == reports[0]
    assert reports[0][1].splitlines()[-1].startswith("6 records in 2 files: 5 valid, 0 invalid, 1 unreadable")


def _bad(line: str) -> str:
    """A valid line made invalid: a size below zero."""
    value = json.loads(line)
    return json.dumps(dict(value, payload=dict(value["payload"], size=-1)))


def _changing(monkeypatch: pytest.MonkeyPatch, change: Any) -> None:
    """``change()`` run once the first process has cut a file's second piece, before it hands that piece out: each
    worker reads its piece after the change, which the first one may also do."""
    in_order = commands._Workers.in_order

    def changed(self: Any, jobs: Any, *rest: Any) -> Any:
        def taken() -> Any:
            for number, job in enumerate(jobs):
                if number == 1:
                    change()
                yield job

        return in_order(self, taken(), *rest)

    monkeypatch.setattr(commands._Workers, "in_order", changed)


@pytest.mark.parametrize("change", ["replaced", "removed", "grown"])
def test_jobs_read_every_piece_from_the_file_they_cut_whatever_takes_its_name(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    # Each worker opened the file by its name: once another took the name (log rotation, mv other.jsonl rot.jsonl),
    # the pieces after were read from it at the places cut in the first, records were counted twice or not at all
    # and lines cut in two were unreadable; once the file was removed, its pieces were "No such file or directory".
    lines = [VALID[n % 3] if n % 4 else _bad(VALID[n % 3]) for n in range(60)]
    rot = write(tmp_path, "rot.jsonl", "".join(line + "\n" for line in lines))
    other = write(tmp_path, "other.jsonl", "".join(line[: 300 + n] + "\n" for n, line in enumerate(lines)))
    added = "".join(line + "\n" for line in lines[:7])
    monkeypatch.setattr(commands, "_PIECE", 2_000)  # pieces of a few lines each

    def grown() -> None:  # read as one process reads it: to its end
        with Path(rot).open("a") as f:
            f.write(added)

    actions = {"replaced": lambda: os.replace(other, rot), "removed": lambda: os.remove(rot), "grown": grown}
    if change == "grown":  # what one process reads of the file grown before it reaches its end
        Path(rot).write_text(Path(rot).read_text() + added)
        expected = run(capsys, "validate", "--jobs", "1", rot)
        Path(rot).write_text("".join(line + "\n" for line in lines))
    else:
        expected = run(capsys, "validate", "--jobs", "1", rot)
    _changing(monkeypatch, actions[change])
    assert run(capsys, "validate", "--jobs", "2", rot) == expected
    assert expected[1].splitlines()[-1].startswith(f"{60 + 7 * (change == 'grown')} records in 1 file")


def test_jobs_name_a_file_rewritten_where_they_cut_it_as_changed_in_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A file written over in place (truncated and written anew, as copytruncate does) no longer has its lines where
    # they were cut: each worker read a piece from the middle of a line, which it took for a record.
    lines = [VALID[n % 3] for n in range(60)]
    rot = write(tmp_path, "rot.jsonl", "".join(line + "\n" for line in lines))
    anew = "".join(line[: 300 + n] + "\n" for n, line in enumerate(lines)).encode()

    def rewritten() -> None:
        with Path(rot).open("r+b") as f:
            f.truncate(0)
            f.write(anew)

    monkeypatch.setattr(commands, "_PIECE", 2_000)
    _changing(monkeypatch, rewritten)
    code, out, err = run(capsys, "validate", "--jobs", "2", "--format", "json", rot)
    assert code == 2
    assert len(err.splitlines()) == 1
    assert err.startswith(f"notify-schemas: error: {rot}: changed while it was read: ")
    unread = json.loads(out)["summary"]["unread"]
    assert unread == [{"file": rot, "reason": err.split(f"{rot}: ", 1)[1].rstrip("\n")}]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_file_cut_short_while_it_is_read_is_named_as_changed_whatever_the_number_of_processes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: str
) -> None:
    # A file truncated in place (copytruncate) under one process was read up to its new end and the command said
    # nothing of what it never read; with two, each piece past the end was read as nothing.
    rot = write(tmp_path, "rot.jsonl", "".join(VALID[n % 3] + "\n" for n in range(3_000)))  # over a chunk read

    def truncated() -> None:
        os.truncate(rot, 1_000)

    if jobs == "1":
        validate_stream = commands._validate_stream

        def truncating(*args: Any, **kwargs: Any) -> Any:
            for number, found in enumerate(validate_stream(*args, **kwargs)):
                if number == 0:  # its first chunk read, and its first thousand records counted
                    truncated()
                yield found

        monkeypatch.setattr(commands, "_validate_stream", truncating)
    else:
        monkeypatch.setattr(commands, "_PIECE", 100_000)
        _changing(monkeypatch, truncated)
    code, out, err = run(capsys, "validate", "--jobs", jobs, rot)
    assert code == 2
    assert len(err.splitlines()) == 1
    assert err.startswith(f"notify-schemas: error: {rot}: changed while it was read: ")
    assert ", 0 invalid, " in out.splitlines()[-1]  # what was read, counted (a line the cut went through unreadable)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_file_cut_short_ahead_of_its_reader_is_named_as_changed_whatever_the_number_of_processes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: str
) -> None:
    # Cut short past what was read so far (one process), or within the last piece (two), the file was read up to
    # its new end and passed for whole, exit 1, where a cut through an earlier piece of two processes was named.
    rot = write(tmp_path, "rot.jsonl", "".join(VALID[n % 3] + "\n" for n in range(3_000)))  # over a chunk read
    size = Path(rot).stat().st_size

    def truncated() -> None:
        os.truncate(rot, size - 10_000)

    if jobs == "1":
        validate_stream = commands._validate_stream

        def truncating(*args: Any, **kwargs: Any) -> Any:
            for number, found in enumerate(validate_stream(*args, **kwargs)):
                if number == 0:  # its first chunk read (a megabyte), its first thousand records counted
                    truncated()
                yield found

        monkeypatch.setattr(commands, "_validate_stream", truncating)
    else:
        monkeypatch.setattr(commands, "_PIECE", size - 500_000)  # two pieces: the cut is in the last
        _changing(monkeypatch, truncated)
    code, out, err = run(capsys, "validate", "--jobs", jobs, "--format", "json", rot)
    reason = (f"changed while it was read: cut to {size - 10_000:,} bytes from the {size:,} it had when it was "
              f"opened; what it held past them was not checked")  # fmt: skip
    assert (code, err) == (2, f"notify-schemas: error: {rot}: {reason}\n")
    summary = json.loads(out)["summary"]
    assert summary["unread"] == [{"file": rot, "reason": reason}]
    assert summary["invalid"] == 0
    assert summary["records"] < 3_000  # what was read, counted


def test_a_broken_first_line_hides_none_of_the_thousand_invalid_lines_after_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    good = json.loads(VALID[0])
    bad = json.dumps(dict(good, payload=dict(good["payload"], size=-1)))
    path = write(tmp_path, "hide.jsonl", VALID[0][:-1] + ",}\n\n\n\n" + (bad + "\n") * 1_000)
    code, out, _ = run(capsys, "validate", path)
    assert code == 1
    assert f"{path}:1: not JSON: Expecting property name enclosed in double quotes" in out
    assert f"{path}:1004: /payload/size: -1" in out
    assert out.splitlines()[-1].startswith("1,001 records in 1 file: 0 valid, 1,000 invalid, 1 unreadable")


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(lines=st.lists(st.sampled_from(range(len(LINE_KINDS))), min_size=1, max_size=30),
       piece=st.integers(1, 2_000))  # fmt: skip
def test_a_byte_order_mark_changes_nothing_whatever_the_number_of_processes(
    tmp_path_factory: pytest.TempPathFactory, lines: list[int], piece: int
) -> None:
    data = b"\n".join(LINE_KINDS[i] for i in [0, *lines]) + b"\n"  # a whole object first: a file to share
    plain, marked = tmp_path_factory.mktemp("plain") / "in.jsonl", tmp_path_factory.mktemp("bom") / "in.jsonl"
    plain.write_bytes(data)
    marked.write_bytes(b"\xef\xbb\xbf" + data)
    assert commands._json_lines_file(str(marked))
    reports = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(commands, "_PIECE", piece)
        for path, jobs in ((plain, "1"), (marked, "1"), (marked, "2")):
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                code = main(["validate", "--jobs", jobs, "--max-record-bytes", "500", str(path)])
            reports[path, jobs] = (code, out.getvalue().replace(str(path), "in.jsonl"))
    assert reports[marked, "1"] == reports[plain, "1"]
    assert reports[marked, "2"] == reports[plain, "1"]


# Commands stopped while they wait: on their input, on a broker that is not there, or while they write.
WAITING = {
    "emit reading its payload": ["emit", "image.delete", "INFO", "--payload", "-"],
    "tally reading a summary": ["tally", "-"],
    "validate reading stdin": ["validate", "-"],
    "sample writing without end": ["sample", "image.upload", "INFO", "-n", str(10**12)],
}


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGHUP])
@pytest.mark.parametrize("command", WAITING)
def test_every_command_stopped_by_sigterm_or_sighup_exits_with_the_status_it_documents(
    command: str, stop: signal.Signals
) -> None:
    # A death by the signal looks the same to a shell, but not to a service manager or a program that runs the
    # command: the status is 128 + the signal's number, after the command's own cleanup, as --help says.
    with subprocess.Popen([sys.executable, "-m", "notify_schemas", *WAITING[command]], stdin=subprocess.PIPE,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) as process:  # fmt: skip
        try:
            running_its_main(process.pid, timeout=30)
            process.send_signal(stop)
            _, err = process.communicate(timeout=60)
        finally:
            process.kill()  # sample writes without end: a test that fails leaves nothing running
    assert process.returncode == 128 + stop
    assert b"Traceback" not in err


@pytest.mark.filterwarnings("ignore:Using fork:DeprecationWarning")  # eventlet's, once imported: the child execs
@pytest.mark.parametrize(("stop", "name"), [(signal.SIGTERM, "SIGTERM"), (signal.SIGINT, "Ctrl-C")])
def test_a_listen_stopped_by_a_signal_says_so(stop: signal.Signals, name: str) -> None:
    command = [sys.executable, "-W", "ignore", "-m", "notify_schemas", "listen", "--transport-url", "fake://",
               "--count", "5"]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=_sigint_default)  # fmt: skip
    assert process.stderr is not None
    banner = ""
    while "Ctrl-C stops" not in banner:
        banner = process.stderr.readline()
        assert banner or process.poll() is None, "listen ended before it listened"
    process.send_signal(stop)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 1  # fewer than --count arrived
    assert out == "0 received: 0 valid, 0 invalid\n"
    assert err == f"stopped by {name} with 0 of 5 notifications\n"


def _closed_port() -> int:
    """A loopback port nothing listens on: a broker that is not there, which oslo.messaging retries without end."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.filterwarnings("ignore:Using fork:DeprecationWarning")  # eventlet's, once imported: the child execs
@pytest.mark.parametrize(("when", "count"), [("loading", None), ("connecting", None), ("connecting", 5)])
@pytest.mark.parametrize(("stop", "name"), [(signal.SIGTERM, "SIGTERM"), (signal.SIGHUP, "SIGHUP"),
                                            (signal.SIGINT, "Ctrl-C")])  # fmt: skip
def test_a_listen_stopped_before_it_reaches_its_broker_ends_at_once_with_its_summary(
    tmp_path: Path, stop: signal.Signals, name: str, when: str, count: int | None
) -> None:
    # Stopped while oslo.messaging loaded, or while it was still connecting (a broker not there, for up to
    # --connect-timeout), listen ended with 143 or 129 and neither its tally's line nor its --summary file.
    summary = tmp_path / "summary.json"
    url = f"rabbit://u:{CANARY}@127.0.0.1:{_closed_port()}/"
    command = [sys.executable, "-W", "ignore", "-m", "notify_schemas", "listen", "--transport-url", url,
               "--summary", str(summary), "--connect-timeout", "600",
               *(["--count", str(count)] if count else [])]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=_sigint_default)  # fmt: skip
    try:
        assert process.stderr is not None
        if when == "loading":  # the command has its handlers: oslo.messaging is loading, or the connecting begins
            running_its_main(process.pid, timeout=30)
        else:
            for said in iter(process.stderr.readline, ""):  # oslo.messaging's first failed attempt
                if "Connection failed" in said:
                    break
        process.send_signal(stop)
        began = time.monotonic()
        out, err = process.communicate(timeout=60)
        took = time.monotonic() - began
    finally:
        process.kill()
    assert took < 10  # not the connect timeout's 600 s
    assert process.returncode == (1 if count else 0)  # as a stop after connecting: fewer than --count arrived
    assert out == "0 received: 0 valid, 0 invalid\n"
    masked = url.replace(CANARY, "***")
    assert err.splitlines()[-1] == f"stopped by {name} before it reached {masked}: nothing was received"
    assert json.loads(summary.read_text(encoding="utf-8"))["received"] == 0
    assert CANARY not in out + err
    assert "Traceback" not in err


def test_a_file_name_too_long_is_reported_and_the_next_file_is_checked(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    long = str(tmp_path / ("x" * 300 + ".jsonl"))
    code, out, err = run(capsys, "validate", long, write(tmp_path, "g.jsonl", VALID[0] + "\n"))
    assert code == 2
    assert err == f"notify-schemas: error: {long}: File name too long\n"
    assert "1 record in 2 files: 1 valid" in out


# Words a user gives the command that hold a credential: each is named in what the command prints, masked.
URL = f"swift://u:{CANARY}@swift/c/o"
LEAKY_ARGUMENTS: list[Any] = [
    pytest.param(["validate", URL], id="a file name that is a URL"),
    pytest.param(["validate", "{dir}/password={CANARY}.jsonl"], id="a file name with a password, read"),
    pytest.param(["validate", "--format", "json", "{dir}/password={CANARY}.jsonl"], id="the same, in JSON"),
    pytest.param(["validate", "--jobs", "2", "{dir}/password={CANARY}.jsonl"], id="the same, with two processes"),
    pytest.param(["validate", "--profile", f"password={CANARY}"], id="an unknown profile"),
    pytest.param(["validate", "--jobs", URL], id="a number of jobs that is a URL"),
    pytest.param([URL], id="an unknown command"),
    pytest.param(["validate", f"--password={CANARY}"], id="an unknown option"),
    pytest.param(["sample", URL, "INFO"], id="sample of an unknown event type"),
    pytest.param(["sample", "image.upload", f"password={CANARY}"], id="sample of an unknown priority"),
    pytest.param(["schemas", "show", URL, "INFO"], id="schemas show of an unknown event type"),
    pytest.param(["schemas", "show", f"x' 'password': '{CANARY}' \""],
                 id="schemas show of a name that is no variant, quoted with repr"),
    pytest.param(["schemas", "export", "{dir}/password={CANARY}"], id="schemas export to a directory"),
    pytest.param(["tally", URL], id="tally of a file that is not there"),
    pytest.param(["emit", "image.upload", "INFO", "--payload", URL], id="emit of a payload that is not there"),
    pytest.param(["emit", "image.upload", "INFO", "--payload", "{dir}/password={CANARY}.jsonl"],
                 id="emit of a payload that is not JSON"),
    pytest.param(["emit", "image.upload", "INFO", "--payload", "{dir}/dup.json"],
                 id="emit of a payload with a key twice"),
    pytest.param(["emit", "image.upload", "INFO", "--payload", "{dir}/ok.json", "--config-file", URL],
                 id="emit with a configuration file that is not there"),
    pytest.param(["emit", "image.upload", "INFO", "--payload", "{dir}/ok.json", "--driver", URL],
                 id="emit through an unknown driver"),
    pytest.param(["emit", URL, "INFO", "--payload", "{dir}/ok.json", "--config-file", "{dir}/off.conf"],
                 id="emit of a disabled event type"),
    pytest.param(["listen", "--transport-url", "fake://", "--timeout", "0.1", "--exchange", f"password={CANARY}",
                  "--topic", URL], id="listen on an exchange and a topic"),
    pytest.param(["listen", "--transport-url", "fake://", "--timeout", "0.1", "--invalid-out", f"{URL}/x"],
                 id="listen writing to a file that cannot be made"),
    pytest.param(["schemas", "export", "{dir}/password={CANARY}.jsonl"], id="schemas export into a file"),
    pytest.param(["schemas", "export", f"{{dir}}/password={{CANARY}}.jsonl/{URL}"],
                 id="schemas export below a file"),
    pytest.param(["conformance", "--stream", URL], id="conformance of a stream that is not there"),
    pytest.param(["conformance", "--stream", "{dir}/ok.json", "--profile", f"password={CANARY}"],
                 id="conformance in an unknown profile"),
    pytest.param(["conformance", "--callable", "x:y", "--examples", URL], id="conformance with examples not a number"),
    pytest.param(["conformance", "--stream", "{dir}/ok.json", "--report", f"{{dir}}/missing/{URL}"],
                 id="conformance writing a report where it cannot"),
    pytest.param(["conformance", "--stream", "{dir}/ok.json", "--junit", "{dir}/password={CANARY}/x"],
                 id="conformance writing a JUnit report where it cannot"),
    pytest.param(["compat", URL, "{dir}"], id="compat of a folder that is not there"),
    pytest.param(["compat", "--seed", f"password={CANARY}", "{dir}", "{dir}"], id="compat with a seed not a number"),
    pytest.param(["compat", "{dir}", "{dir}", "--format", URL], id="compat in an unknown format"),
    # A transport URL written without // (rabbit:// left out): no reader takes it for a URL, the password is one still.
    pytest.param(["listen", "--transport-url", f"glance:{CANARY}@broker:5672", "--connect-timeout", "1"],
                 id="listen on a URL without //"),
    pytest.param(["conformance", "--transport-url", f"glance:{CANARY}@broker", "--connect-timeout", "1"],
                 id="conformance of live traffic on a URL without //"),
    pytest.param(["emit", "image.upload", "INFO", "--payload", "{dir}/ok.json", "--config-file", "{dir}/bare.conf"],
                 id="emit with a transport URL without //"),
    pytest.param(["listen", "--transport-url", f"fake:u:{CANARY}@localhost", "--timeout", "0.1"],
                 id="listen on the embedded broker by a URL without //"),
    pytest.param(["demo", "--transport-url", f"fake:u:{CANARY}@localhost"],
                 id="demo through the embedded broker by a URL without //"),
    # A query option oslo.messaging reads (percent-decoded) that is none of the transport's, or names a secret.
    pytest.param(["listen", "--transport-url", f"rabbit://127.0.0.1:1/?password={CANARY}", "--connect-timeout", "1"],
                 id="listen with a query option the transport does not have"),
    pytest.param(["listen", "--transport-url", f"rabbit://127.0.0.1:1/?pass%77ord={CANARY}", "--connect-timeout", "1"],
                 id="listen with a secret's query option percent-encoded"),
    pytest.param(["emit", "image.upload", "INFO", "--payload", "{dir}/ok.json", "--config-file", "{dir}/query.conf"],
                 id="emit with a transport URL whose secret query option holds a space"),
]  # fmt: skip


@pytest.mark.parametrize("argv", LEAKY_ARGUMENTS)
def test_a_credential_in_an_argument_is_never_printed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str]
) -> None:
    write(tmp_path, f"password={CANARY}.jsonl", f'{{"event_type": "x"\n{VALID[0]}\n{{"a": 1}}\n')
    write(tmp_path, "dup.json", f'{{"password={CANARY}": 1, "password={CANARY}": 2}}')
    write(tmp_path, "ok.json", '"upload failed"')
    write(tmp_path, "off.conf", f"[DEFAULT]\ndisabled_notifications = {URL}\n")
    write(
        tmp_path, "bare.conf", f"[oslo_messaging_notifications]\ndriver = messagingv2\ntransport_url = u:{CANARY}@h\n"
    )
    write(tmp_path, "query.conf", "[oslo_messaging_notifications]\ndriver = messagingv2\n"
          f"transport_url = rabbit://127.0.0.1:1/?ssl_key_password=a {CANARY}\n")  # fmt: skip
    code = _exit_code([a.replace("{dir}", str(tmp_path)).replace("{CANARY}", CANARY) for a in argv])
    out, err = capsys.readouterr()
    assert CANARY not in out + err
    assert "Traceback" not in out + err
    assert "***" in out + err
    assert code in (0, 1, 2)


@pytest.mark.parametrize(
    "transport_url",
    [pytest.param(f"swift://u:{CANARY}@swift/", id="a transport oslo does not have"),
     pytest.param(f"rabbit://u:{CANARY}@127.0.0.1:1/", id="a broker that cannot be reached")],
)  # fmt: skip
@pytest.mark.parametrize("command", ["emit", "demo"])
def test_a_transport_that_fails_is_one_line_without_a_traceback_or_the_message(
    tmp_path: Path, transport_url: str, command: str
) -> None:
    conf = write(tmp_path, "glance-api.conf", f"[DEFAULT]\ntransport_url = {transport_url}\n"
                 "[oslo_messaging_notifications]\ndriver = messagingv2\nretry = 0\n")  # fmt: skip
    payload = write(tmp_path, "p.json", json.dumps(f"upload of swift://u:{CANARY}@swift/c/o failed"))
    argv = ["image.upload", "ERROR", "--payload", payload] if command == "emit" else []
    done = _command(command, *argv, "--config-file", conf)
    assert "Traceback" not in done.stderr
    assert CANARY not in done.stdout + done.stderr
    if transport_url.startswith("swift"):
        assert done.returncode == 2
        assert done.stderr.splitlines()[-1].startswith("notify-schemas: error: cannot use the transport swift://u:***@")
    else:  # oslo gives up on the send and logs it, the notification whole: one masked line, and a failed send
        assert done.returncode == 1
        assert "Could not send notification" in done.stderr


@pytest.mark.parametrize("validation", ["warn", "off"])
def test_a_send_oslo_gives_up_on_is_logged_with_the_notification_redacted(tmp_path: Path, validation: str) -> None:
    # oslo's messaging driver logs the notification it could not send ("Payload=" and the dict): in warn and off mode
    # one may hold keys that must never be sent, whose values no text masking knows (a signed URL, a path).
    conf = write(tmp_path, "glance-api.conf", "[oslo_messaging_notifications]\ndriver = messagingv2\nretry = 0\n"
                 "transport_url = rabbit://u:p@127.0.0.1:1/\n")  # fmt: skip
    leaky = {"locations": [{"url": f"https://s3/o?Signature={CANARY}"}], "direct_url": f"file:///{CANARY}",
             "password": CANARY}  # fmt: skip
    payload = write(tmp_path, "p.json", json.dumps(leaky))
    done = _command("emit", "image.upload", "INFO", "--payload", payload, "--config-file", conf,
                    "--validation", validation)  # fmt: skip
    assert done.returncode == 1
    assert "Could not send notification" in done.stderr
    assert '"locations": "[redacted: may hold credentials]"' in done.stderr
    assert CANARY not in done.stdout + done.stderr


def test_a_notifier_whose_broker_is_gone_logs_the_notification_redacted(caplog: pytest.LogCaptureFixture) -> None:
    from notify_schemas import Notifier
    from notify_schemas.config import NotifierConfig

    config = NotifierConfig(drivers=("messagingv2",), transport_url="rabbit://u:p@127.0.0.1:1/", retry=0)
    Notifier("image.test", config=config, validation="off").info({}, "image.upload", {"locations": [CANARY]})
    assert "Could not send notification" in caplog.text
    assert CANARY not in caplog.text


def test_demo_says_it_logged_errors_while_sending_when_the_listener_received_fewer(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A send that failed (a broker that refuses the user's publishing, say) is why the listener received fewer: the
    # command ended on the listener's count, exit 1, without the line that says errors were logged.
    from notify_schemas.cli import demo

    real = demo.run_demo

    def one_lost(notifier: Any) -> list[Any]:
        rows = real(notifier)
        logging.getLogger("oslo_messaging.notify.messaging").error("Could not send notification to notifications.")
        lost = dict(rows[0][0], message_id=str(uuid.uuid4()))
        return [*rows, (lost, *rows[0][1:])]  # one more said sent and valid than the listener will receive

    monkeypatch.setattr(demo, "run_demo", one_lost)
    monkeypatch.setattr(commands, "_DEMO_WAIT", 1)  # not 30 s
    assert _exit_code(["demo"]) == 1
    captured = capsys.readouterr()
    assert "listener on the embedded broker (fake://)" in captured.out
    assert "1 of the 16 notifications sent did not reach the listener within 1 s" in captured.err
    assert "1 errors logged while sending (see the log)" in captured.err


def test_demo_with_notifications_disabled_is_not_a_failure(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    conf = write(tmp_path, "glance-api.conf", "[DEFAULT]\ndisabled_notifications = image\n")
    code, out, _ = run(capsys, "demo", "--config-file", conf)
    assert " disabled " in out
    assert "invalid" not in out
    assert code == 0


@pytest.mark.parametrize("validation", ["strict", "warn", "off"])
@pytest.mark.parametrize("publisher", ["image.demo", "bad id"])
@pytest.mark.parametrize("disabled", [(), ("image",), ("image", "task")])
def test_demo_judges_and_counts_what_each_mode_sent(
    capsys: pytest.CaptureFixture[str], validation: str, publisher: str, disabled: tuple[str, ...]
) -> None:
    # Warn mode sends what it finds invalid: the table said "valid" of each such notification and the command exited
    # 0 where validate of the same messages exits 1; off mode's were "valid" unjudged; and the last line counted as
    # sent what strict mode refused and disabled_notifications silenced ("15 notifications sent ...: 7 valid").
    from notify_schemas.cli.demo import run_demo
    from notify_schemas.drivers.memory import MemoryDriver
    from notify_schemas.notifier import Notifier

    memory = MemoryDriver()
    notifier = Notifier(publisher, drivers=[memory], validation=validation, disabled_notifications=disabled)  # type: ignore[arg-type]
    rows = run_demo(notifier)
    sent = [message for message, *_ in rows if message is not None]
    assert [m["message_id"] for m in sent] == [m["message_id"] for m in memory.messages]
    for message, event_type, _, verdict, _ in rows:
        if message is None:
            assert verdict == "disabled" if event_type.split(".")[0] in disabled else verdict.startswith("invalid: ")
        elif validation == "off":
            assert verdict == "unchecked"
        else:
            assert (verdict == "valid") == is_valid(message), verdict
            assert verdict == "valid" or verdict.startswith("invalid (sent): ")
    line = commands._demo_line(rows, notifier)
    assert line.startswith(f"{len(rows)} notifications sent " if len(sent) == len(rows)
                           else f"{len(rows)} notifications, {len(sent)} sent ")  # fmt: skip
    assert f": {sum(r[3] == 'valid' for r in rows)} valid" in line
    code, _, _ = run(capsys, "demo", "--driver", "memory", "--publisher-id", publisher, "--validation", validation)
    judged_invalid = publisher == "bad id" and validation != "off"
    assert code == (1 if judged_invalid else 0)


@pytest.mark.parametrize("repeated", [1, 20, 21, 5_000])
def test_emit_names_the_first_keys_a_payload_writes_twice_not_every_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, repeated: int
) -> None:
    # Every pointer was named on one line: a payload writing 50,000 keys twice made a line of 440 KB, where an error
    # shows its first 20 violations and counts the rest.
    text = "{" + ",".join(f'"k{n}": 1, "k{n}": 2' for n in range(repeated)) + "}"
    payload = write(tmp_path, "p.json", text)
    code, out, err = run(capsys, "emit", "image.upload", "INFO", "--payload", payload, "--driver", "memory")
    assert (code, out, err.count("\n")) == (1, "", 1)
    named = err.split("writes a key twice: ")[1].split(" and ")[0].strip().split(", ")
    assert len(named) == min(repeated, 20)
    assert set(named) <= {f"/k{n}" for n in range(repeated)}
    assert err.endswith(f" and {repeated - 20:,} more\n") == (repeated > 20)


@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="Linux's /proc: a file that opens and fails to read")
def test_emit_names_a_payload_that_opens_but_cannot_be_read(capsys: pytest.CaptureFixture[str]) -> None:
    # "notify-schemas: error: Input/output error": an error reading the payload, unlike one opening it, named nothing.
    code, out, err = run(capsys, "emit", "image.upload", "ERROR", "--payload", "/proc/self/mem", "--driver", "memory")
    assert (code, out, err) == (2, "", "notify-schemas: error: /proc/self/mem: Input/output error\n")


@settings(max_examples=60, deadline=None)
@given(
    code=st.sampled_from(sorted(errno.errorcode)),
    secret=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=6, max_size=20),
    tail=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789./_-", max_size=20),
)
def test_an_error_named_by_the_file_given_keeps_the_systems_words_and_is_said_masked(
    code: int, secret: str, tail: str
) -> None:
    # Every command names a file's error (a read or a write that named no file, a name Path changed) through one
    # helper: the error keeps its kind (BrokenPipeError for EPIPE), errno and text, and the line said shows the name
    # given with its password masked.
    from notify_schemas.arguments import named_error

    raised = OSError(code, os.strerror(code))  # as a failed read or write raises it, naming no file
    name = f"swift://u:{secret}@h/{tail}"
    named = named_error(raised, name)
    assert type(named) is type(raised)
    assert (named.errno, named.strerror, named.filename) == (code, os.strerror(code), name)
    said = io.StringIO()
    with contextlib.redirect_stderr(said):
        assert commands._said(named, ["emit", "--payload", name]) == 2
    assert said.getvalue() == f"notify-schemas: error: swift://u:***@h/{tail}: {os.strerror(code)}\n"


@settings(max_examples=100, deadline=None)
@given(code=st.sampled_from(sorted(errno.errorcode)), name=st.none() | st.text(), other=st.text())
def test_an_error_is_said_as_the_file_named_and_the_systems_words_or_as_its_own_text(
    code: int, name: str | None, other: str
) -> None:
    # conformance, compat and the authoring writers say an error through one function: a file's as its name and the
    # system's words (no "[Errno 2]", no repr's quotes), a file's that names none as the words alone, any other error
    # as its own text.
    from notify_schemas.arguments import io_error_text

    why = os.strerror(code)
    assert io_error_text(OSError(code, why, name)) == (why if name is None else f"{name}: {why}")
    assert io_error_text(ValueError(other)) == other
    assert io_error_text(OSError(other)) == other


@pytest.mark.parametrize("size", [64, 65, 1000])
def test_emit_of_a_payload_over_the_limit_is_unread_as_validate_says_of_a_record(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    # A payload over the limit was a usage error, exit 2, where validate says of a record over it that it is unread,
    # exit 1, and emit of a payload that is not JSON exits 1 too.
    monkeypatch.setattr(commands, "DEFAULT_MAX_RECORD", 64)
    payload = write(tmp_path, "p.json", json.dumps("x" * (size - 2)))
    code, out, err = run(capsys, "emit", "image.upload", "ERROR", "--payload", payload, "--driver", "memory")
    if size > 64:
        assert (code, out, err) == (1, "", f"notify-schemas: {payload}: the payload is over the limit of 64 bytes\n")
    else:
        assert (code, err) == (0, "")
        assert json.loads(out)["payload"] == "x" * (size - 2)


@pytest.mark.parametrize(("validation", "code"), [("strict", 1), ("warn", 1), ("off", 0)])
def test_emit_of_an_invalid_notification_in_warn_mode_sends_it_and_exits_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, validation: str, code: int
) -> None:
    # Sent as asked, with a warning, but it exited 0 as for a valid one: validate of what it sent says 1.
    payload = write(tmp_path, "p.json", '"not an image"')
    got, out, err = run(capsys, "emit", "image.upload", "INFO", "--payload", payload, "--validation", validation)
    assert got == code
    assert bool(out) == (validation != "strict")  # the notification printed is the one sent
    assert ("sent, though it is invalid" in err) == (validation == "warn")


@pytest.mark.parametrize(
    "options",
    [["--driver", "messaging"], ["--driver", "memory", "--driver", "messagingv2"], ["--config-file", "{bare}"],
     ["--config-file", "{fake}"]],
)  # fmt: skip
def test_demo_through_a_messaging_driver_without_a_broker_is_a_usage_error_as_emit_is(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, options: list[str]
) -> None:
    # It sent every notification to oslo's in-process fake:// broker, which no one read, printed them all as sent
    # and valid, and exited 0.
    bare = write(tmp_path, "bare.conf", "[oslo_messaging_notifications]\ndriver = messagingv2\n")
    fake = write(tmp_path, "fake.conf", "[oslo_messaging_notifications]\ndriver = messagingv2\ntransport_url = fake:\n")
    code, out, err = run(capsys, "demo", *(o.format(bare=bare, fake=fake) for o in options))
    assert (code, out) == (2, "")
    assert re.search(r"driver needs a transport_url|transport_url fake: is oslo's in-process", err.splitlines()[-1])


def test_emit_passes_over_a_byte_order_mark_as_validate_does(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    payload = write(tmp_path, "p.json", b"\xef\xbb\xbf" + json.dumps(json.loads(VALID[0])["payload"]).encode())
    code, out, err = run(capsys, "emit", "image.upload", "INFO", "--payload", payload, "--driver", "memory")
    assert (code, err) == (0, "")
    assert json.loads(out)["payload"] == json.loads(VALID[0])["payload"]


def test_a_byte_order_mark_counts_against_no_limit_of_emit_or_tally(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    payload = json.dumps(json.loads(VALID[0])["payload"]).encode()
    monkeypatch.setattr(commands, "DEFAULT_MAX_RECORD", len(payload))
    name = write(tmp_path, "p.json", b"\xef\xbb\xbf" + payload)
    code, _, err = run(capsys, "emit", "image.upload", "INFO", "--payload", name, "--driver", "memory")
    assert (code, err) == (0, "")
    summary = json.dumps({"valid": {}, "invalid": {}, "duplicates": 0, "seen": {}}).encode()
    monkeypatch.setattr(commands, "MAX_RECORD_BYTES", len(summary))
    code, out, err = run(capsys, "tally", write(tmp_path, "s.json", b"\xef\xbb\xbf" + summary))
    assert out.startswith("1 listener: 0 received")
    assert (code, err) == (0, "")


def test_a_file_that_fails_while_workers_read_it_takes_none_of_the_next_files_records(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = json.loads(VALID[0])
    bad["payload"]["size"] = -1
    gone = write(tmp_path, "gone.jsonl", "".join(line + "\n" for line in VALID * 3))
    kept = write(tmp_path, "kept.jsonl", "".join(line + "\n" for line in [VALID[0], json.dumps(bad)] * 4))
    monkeypatch.setattr(commands, "_PIECE", 1)  # a piece a line
    validate_range = commands._validate_range

    def failing(job: commands.Job, send: Any, *rest: Any) -> Any:
        if job[0] == gone and job[1] > 0:  # the disk fails once the file's first piece is read
            raise OSError(errno.EIO, "Input/output error", gone)
        return validate_range(job, send, *rest)

    monkeypatch.setattr(commands, "_validate_range", failing)
    code, out, err = run(capsys, "validate", "--jobs", "2", gone, kept)
    assert code == 2
    assert err == f"notify-schemas: error: {gone}: Input/output error\n"
    assert [line.split(":")[1] for line in out.splitlines() if line.startswith(kept)] == ["2", "4", "6", "8"]
    assert out.splitlines()[-1].startswith("9 records in 2 files: 5 valid, 4 invalid")


@pytest.mark.parametrize(
    ("argv", "closed"),
    [pytest.param(["validate", "-"], "stdin", id="validate of a closed stdin"),
     pytest.param(["emit", "image.upload", "ERROR", "--payload", "-"], "stdin", id="emit of a closed stdin"),
     pytest.param(["tally", "-"], "stdin", id="tally of a closed stdin"),
     pytest.param(["validate", "{small}"], "stdout", id="validate to a closed stdout"),
     pytest.param(["sample", "image.upload", "INFO"], "stdout", id="sample to a closed stdout")],
)  # fmt: skip
def test_a_closed_standard_stream_is_one_line_and_exit_2(tmp_path: Path, argv: list[str], closed: str) -> None:
    small = write(tmp_path, "small.jsonl", VALID[0] + "\n")
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-m", "notify_schemas", *[a.replace("{small}", small) for a in argv]],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False, timeout=60,
        preexec_fn=lambda: os.close(0 if closed == "stdin" else 1),
    )  # fmt: skip
    assert done.returncode == 2
    what = "input" if closed == "stdin" else "output"
    named = "-: " if closed == "stdin" else ""  # every command names the input it cannot read, as validate does
    assert done.stderr.splitlines()[0] == f"notify-schemas: error: {named}the standard {what} is closed"


@pytest.mark.parametrize("where", ["a folder that is not there", "a folder"])
def test_listen_checks_its_summary_file_before_it_listens(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, where: str
) -> None:
    summary = str(tmp_path / "missing" / "s.json") if where == "a folder that is not there" else str(tmp_path)
    code, out, err = run(capsys, "listen", "--transport-url", "fake://", "--timeout", "0.1", "--summary", summary)
    assert code == 2
    assert out == ""
    assert err.startswith(f"notify-schemas: error: {summary}: ")
    assert "listening on" not in err


@pytest.mark.parametrize(("first", "second"), [("--invalid-out", "--summary"), ("--config-file", "--summary"),
                                             ("--config-file", "--invalid-out")])  # fmt: skip
@pytest.mark.parametrize("spelling", ["as given", "through a link", "through its folder"])
def test_listen_refuses_to_write_into_another_file_of_its_own(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, first: str, second: str, spelling: str
) -> None:
    # --summary, written at the end, replaced the records --invalid-out had appended (or the configuration file
    # read), which were lost without a word.
    target = tmp_path / "file"
    target.write_text("[oslo_messaging_notifications]\ntransport_url = fake://\n", encoding="utf-8")
    before = target.read_bytes()
    other = {"as given": target, "through a link": tmp_path / "link", "through its folder": tmp_path / "." / "file"}
    if spelling == "through a link":
        other[spelling].symlink_to(target)
    words = ["listen", "--transport-url", "fake://", "--timeout", "0.1", first, str(target), second,
             str(other[spelling])]  # fmt: skip
    code, out, err = run(capsys, *words)
    assert code == 2
    assert out == ""
    assert err == f"notify-schemas: error: {first} and {second} name the same file, {target}: {second} would " \
                  f"{'overwrite' if second == '--summary' else 'append to'} it\n"  # fmt: skip
    assert target.read_bytes() == before


def test_listen_writes_its_summary_and_invalid_records_to_a_device_named_twice(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, "listen", "--transport-url", "fake://", "--timeout", "0.1",
                         "--invalid-out", os.devnull, "--summary", os.devnull)  # fmt: skip
    assert code == 0, err
    assert out == "0 received: 0 valid, 0 invalid\n"


UNSEEN = "\n\r\x1b\x07\x85\u2028\u2029\u202e\t\x00"


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(keys=st.lists(st.text(alphabet=st.sampled_from([*UNSEEN, "a", "/", "~"]), min_size=1, max_size=6),
                     min_size=1, max_size=3, unique=True),
       name=st.text(alphabet=st.sampled_from([*UNSEEN.replace("\x00", ""), "a"]), min_size=1, max_size=4))  # fmt: skip
def test_each_report_line_is_one_line_whatever_the_keys_and_the_file_name_hold(keys: list[str], name: str) -> None:
    message = json.loads(VALID[0])
    for key in keys:
        message["payload"][key] = 1
        message[key] = "x"
    doubled = json.dumps(message)[:-1] + ", " + json.dumps(keys[0])[:] + ': "again"}'
    with tempfile_dir() as folder:
        path = str(Path(folder) / f"{name}.jsonl")
        Path(path).write_text(doubled + "\n" + json.dumps({"event_type": keys[0], "priority": keys[-1]}) + "\n")
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert main(["validate", path]) == 1
    lines = out.getvalue().split("\n")
    assert lines.pop() == ""
    assert lines[-1].startswith("2 records in 1 file: 0 valid, 2 invalid")
    assert not any(c in out.getvalue().replace("\n", "") for c in UNSEEN)  # each escaped, \n only between lines
    assert all(line.split(":")[1] in ("1", "2") for line in lines[:-1])


@contextlib.contextmanager
def tempfile_dir() -> Any:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        yield folder


def test_workers_send_a_pieces_report_in_bounded_batches(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A piece of 1 MiB of "{}" lines has millions of violations: each worker held them all, and sent them at once.
    path = write(tmp_path, "empty-objects.jsonl", VALID[0] + "\n" + "{}\n" * 400)
    monkeypatch.setattr(commands, "_PIECE", 600)  # a few pieces, each with hundreds of violations
    monkeypatch.setattr(commands, "_BATCH", 7)
    sizes: list[int] = []
    in_order = commands._Workers.in_order

    def watched(self: Any, jobs: Any, *rest: Any) -> Any:
        for part, entries, lines in in_order(self, jobs, *rest):
            sizes.append(len(entries))
            yield part, entries, lines

    monkeypatch.setattr(commands._Workers, "in_order", watched)
    code, out, _ = run(capsys, "validate", "--jobs", "3", path)
    assert code == 1
    assert out.splitlines()[-1].startswith("401 records in 1 file: 1 valid, 400 invalid")
    assert sum(sizes) == len(out.splitlines()) - 1 > 1000
    assert max(sizes) <= 7
    assert run(capsys, "validate", "--jobs", "1", path)[1] == out


def test_a_worker_that_ends_between_its_pieces_is_an_error_not_a_reader_gone_away(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A worker killed after its answer was read: the next piece sent to it met a BrokenPipeError, which ended the run
    # as a reader of the output gone away (| head) does, with no error and no summary.
    path = write(tmp_path, "in.jsonl", "".join(line + "\n" for line in VALID * 20))
    monkeypatch.setattr(commands, "_PIECE", len(VALID[0]) * 2)
    pools: list[Any] = []
    start_pool, received = commands._start_pool, commands._received
    monkeypatch.setattr(commands, "_start_pool", lambda n, args: pools.append(start_pool(n, args)) or pools[-1])

    def received_then_killed(pipe: Any) -> Any:
        answer = received(pipe)
        if answer[0] and len(pools) == 1:  # the first piece's answer, read: its worker ends before the next piece
            process = pools.pop().processes[0]
            process.kill()
            process.join()
        return answer

    monkeypatch.setattr(commands, "_received", received_then_killed)
    code, out, err = run(capsys, "validate", "--jobs", "2", path)
    assert (code, err) == (2, f"notify-schemas: error: {path}: a worker process ended before its piece was checked "
                              f"(killed by SIGKILL); the rest of it is not checked\n")  # fmt: skip
    assert out.splitlines()[-1].endswith("(profile seed)")


@pytest.mark.parametrize("form", ["text", "json"])
def test_a_worker_killed_while_it_checks_leaves_the_other_files_checked_and_the_summary_written(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, form: str
) -> None:
    # A worker killed (the system out of memory kills a process so) ended the whole run: the JSON document cut
    # short with no summary, and the files after it never read.
    lines = [VALID[0], '{"a": 1}', *VALID[1:]] * 20
    path = write(tmp_path, "in.jsonl", "".join(line + "\n" for line in lines))
    after = write(tmp_path, "after.jsonl", '{"b": 2}\n' + VALID[0] + "\n")
    monkeypatch.setattr(commands, "_PIECE", len(VALID[0]) * 3)
    pools: list[Any] = []
    start_pool, received = commands._start_pool, commands._received
    monkeypatch.setattr(commands, "_start_pool", lambda n, args: pools.append(start_pool(n, args)) or pools[-1])

    def killed_while_it_checks(pipe: Any) -> Any:
        if len(pools) == 1:  # the first piece's worker is killed before it answers
            process = pools.pop().processes[0]
            process.kill()
            process.join()
        return received(pipe)

    monkeypatch.setattr(commands, "_received", killed_while_it_checks)
    code, out, err = run(capsys, "validate", "--jobs", "2", "--format", form, path, after)
    reason = "a worker process ended before its piece was checked (killed by SIGKILL); the rest of it is not checked"
    assert (code, err) == (2, f"notify-schemas: error: {path}: {reason}\n")
    # What the killed worker had sent before it ended may be read: the first file's entries are those one process
    # finds first, the second file's all of them.
    _, first, _ = run(capsys, "validate", "--jobs", "1", "--format", form, path)
    _, second, _ = run(capsys, "validate", "--format", form, after)
    if form == "json":
        summary = json.loads(out)["summary"]
        assert summary["unread"] == [{"file": path, "reason": reason}]
        assert summary["records"] == summary["valid"] + summary["invalid"] >= 2
        errors, of_first = json.loads(out)["errors"], json.loads(first)["errors"]
        later = json.loads(second)["errors"]
        assert errors[len(errors) - len(later) :] == later
        assert errors[: len(errors) - len(later)] == of_first[: len(errors) - len(later)]
    else:
        found, of_first, later = (text.splitlines()[:-1] for text in (out, first, second))
        assert found[len(found) - len(later) :] == later
        assert found[: len(found) - len(later)] == of_first[: len(found) - len(later)]
        assert re.fullmatch(r"[\d,]+ records in 2 files: .*\(profile seed\)", out.splitlines()[-1])


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_memory_that_runs_out_under_a_file_is_one_line_and_the_other_files_are_checked(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: str
) -> None:
    # A record of a raised --max-record-bytes that memory cannot hold ended the run with MemoryError's traceback
    # (one process), or a worker's traceback and the run (--jobs).
    monkeypatch.setattr(commands, "_PIECE", len(VALID[0]) * 3)
    path = write(tmp_path, "in.jsonl", "".join(f'{VALID[0]}\n{{"huge": 1}}\n{VALID[1]}\n' for _ in range(5)))
    after = write(tmp_path, "after.jsonl", '{"b": 2}\n')
    entries = commands._record_entries

    def short_of_memory(name: str, record: Any, *rest: Any) -> Any:
        if name.endswith("in.jsonl") and "huge" in getattr(record, "value", {}):
            raise MemoryError
        return entries(name, record, *rest)

    monkeypatch.setattr(commands, "_record_entries", short_of_memory)
    code, out, err = run(capsys, "validate", "--jobs", jobs, "--format", "json", path, after)
    reason = "out of memory while it was checked; the rest of it is not checked"
    assert (code, err) == (2, f"notify-schemas: error: {path}: {reason}\n")
    summary = json.loads(out)["summary"]
    assert summary["unread"] == [{"file": path, "reason": reason}]
    assert summary["invalid"] == 1  # the second file's record


@pytest.mark.parametrize(
    "transport_url",
    [pytest.param(f"rabbit://u:{CANARY}@[::1/", id="a host that is not an address"),
     pytest.param(f"rabbit://u:{CANARY}@rabbit:port/", id="a port that is not a number"),
     pytest.param(f"rabbit://[u:{CANARY}@h]:1/", id="the user and password inside an address's brackets"),
     pytest.param(f"kafka://u:{CANARY}@127.0.0.1:1/", id="a transport whose library is not installed")],
)  # fmt: skip
@pytest.mark.parametrize("command", ["emit", "listen"])
def test_a_transport_url_oslo_cannot_use_is_one_line_naming_it_masked(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, transport_url: str, command: str
) -> None:
    if transport_url.startswith("kafka"):
        try:
            import confluent_kafka  # type: ignore[import-not-found]  # noqa: F401

            pytest.skip("the kafka library is installed")
        except ImportError:
            pass
    conf = write(tmp_path, "glance-api.conf", f"[oslo_messaging_notifications]\ndriver = messagingv2\n"
                 f"transport_url = {transport_url}\n")  # fmt: skip
    payload = write(tmp_path, "p.json", '"failed"')
    argv = ["image.upload", "ERROR", "--payload", payload] if command == "emit" else ["--timeout", "0.1"]
    code, out, err = run(capsys, command, *argv, "--config-file", conf)
    assert code == 2
    assert err.splitlines()[-1].startswith("notify-schemas: error: cannot use the transport ")
    assert CANARY not in out + err


@pytest.mark.parametrize(
    ("content", "reason"),
    [pytest.param(None, "no such configuration file", id="missing"),
     pytest.param("driver = log\n", "line 1: an option before any [section] header", id="configparser refuses it"),
     # A byte-order mark before the first header: said to be an option before any header.
     pytest.param("\ufeff[oslo_messaging_notifications]\ndriver = log\n",
                  "line 1: the file starts with a UTF-8 byte-order mark, which oslo.config does not read either: save "
                  "it without one", id="a byte-order mark"),
     pytest.param("[oslo_messaging_notifications]\ndriver = messagingv2\ntransport_url = rabbit://h:1/\n\n  x\n",
                  "line 5: Unexpected continuation line: a line that starts with a space continues the option "
                  "above it, which a blank line, a comment or a header ends", id="oslo.config refuses it")],
)  # fmt: skip
def test_a_configuration_file_whose_name_ends_in_a_masked_value_keeps_the_reason(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str | None, reason: str
) -> None:
    # The error line is masked again as a whole: the colon and the reason right after the masked name were read as
    # the rest of its value ('.../password=***' then ': no such configuration file').
    folder = tmp_path / f"password={CANARY}"
    folder.mkdir()
    conf = folder / "glance-api.conf"
    if content is not None:
        conf.write_text(content, encoding="utf-8")
    payload = write(tmp_path, "p.json", '"failed"')
    code, out, err = run(capsys, "emit", "image.upload", "ERROR", "--payload", payload, "--config-file", str(conf))
    assert code == 2
    assert err.splitlines()[-1].endswith(f"password=***': {reason}")
    assert CANARY not in out + err


@pytest.mark.parametrize(
    "transport_url",
    [pytest.param(f"rabbit://u:{CANARY}/x@127.0.0.1:1/", id="a password holding /"),
     pytest.param(f"rabbit://u:{CANARY}?x@127.0.0.1:1/", id="a password holding ?"),
     pytest.param(f"rabbit://u:{CANARY}#x@127.0.0.1:1/", id="a password holding #"),
     pytest.param(f"rabbit://u:{CANARY},x@127.0.0.1:1/", id="a password holding a comma"),
     pytest.param(f"rabbit://u:{CANARY}%2Fx@127.0.0.1:1/", id="a password holding / percent-encoded"),
     pytest.param(f"rabbit://u:p%40{CANARY}%2Fx@127.0.0.1:1/", id="kombu's quoting of it"),
     pytest.param(f"rabbit://u:{CANARY}%2Fx@127.0.0.1:1,u:p@127.0.0.1:2/", id="one of several hosts"),
     # quoted with %r: escaped, so that the piece is no longer the password's text
     pytest.param(f"rabbit://u:a\\{CANARY}/x@127.0.0.1:1/", id="a password holding a backslash and /"),
     pytest.param(f"rabbit://u:a'\"{CANARY}/x@127.0.0.1:1/", id="a password holding both quotes and /"),
     pytest.param(f"rabbit://u:a\u200b{CANARY}/x@127.0.0.1:1/", id="a password holding a character not printable")],
)  # fmt: skip
@pytest.mark.parametrize("command", ["emit", "listen", "demo"])
def test_a_piece_of_a_password_that_a_library_quotes_is_masked(
    tmp_path: Path, transport_url: str, command: str
) -> None:
    # oslo.messaging cuts the password at / ? # or a comma and quotes the piece it takes for a port; it hands kombu
    # the password with / unquoted, and kombu quotes the piece before it, percent-encoded (p%40CANARY...).
    conf = write(tmp_path, "glance-api.conf", f"[oslo_messaging_notifications]\ndriver = messagingv2\nretry = 0\n"
                 f"transport_url = {transport_url}\n")  # fmt: skip
    payload = write(tmp_path, "p.json", '"failed"')
    argv = {"emit": ["image.upload", "ERROR", "--payload", payload], "listen": ["--connect-timeout", "5"]}
    done = _command(command, *argv.get(command, []), "--config-file", conf)
    assert done.returncode in (1, 2), done.stderr
    assert "Traceback" not in done.stderr
    assert CANARY not in done.stdout + done.stderr
    if transport_url.count("@") == 1:  # of several hosts, oslo may try one whose URL it can read first
        assert "'***'" in done.stderr  # what the library quoted, masked


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_summary_that_cannot_be_written_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "listen", "--transport-url", "fake://", "--timeout", "0.1", "--summary", "/dev/full")
    assert code == 2
    assert out == "0 received: 0 valid, 0 invalid\n"  # the tally is still shown
    assert err.splitlines()[-1] == "notify-schemas: error: /dev/full: No space left on device"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("argv", [["validate", "{path}"], ["validate", "-j", "2", "{path}"], ["sample", "image.upload",
                                  "INFO"], ["schemas", "list"]])  # fmt: skip
def test_a_standard_output_that_cannot_be_written_is_named_once_not_the_file_being_read(
    tmp_path: Path, argv: list[str]
) -> None:
    path = write(tmp_path, "many.jsonl", '{"priority": "x"}\n' * 200_000)  # several pieces, with -j 2
    command = [sys.executable, "-m", "notify_schemas", *(a.format(path=path) for a in argv)]
    with open("/dev/full", "w") as full:
        done = subprocess.run(command, stdout=full, stderr=subprocess.PIPE, text=True, timeout=120, check=False)
    assert done.returncode == 2
    assert done.stderr == "notify-schemas: error: cannot write the standard output: No space left on device\n"


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(order=st.permutations(range(5)), dashes=st.booleans())
def test_options_between_a_commands_words_mean_what_they_mean_before_them(
    tmp_path_factory: pytest.TempPathFactory, order: list[int], dashes: bool
) -> None:
    folder = tmp_path_factory.mktemp("words")
    names = [write(folder, f"{n}.jsonl", VALID[0] + "\n" + ("{}\n" if n != "a" else "")) for n in "abc"]
    if dashes:  # after --, a word that starts with - is a file's name
        names[2] = write(folder, "-c.jsonl", "{}\n")
    words = [*names[:2], ["--format", "json"], ["--profile", "seed"], names[2]]
    argv = ["validate"]
    for i in order:
        argv += words[i] if isinstance(words[i], list) else [words[i]]
    if dashes:
        argv.remove(names[2])
        argv += ["--", names[2]]
    with contextlib.redirect_stdout(io.StringIO()) as out:
        code = main(argv)
    report = json.loads(out.getvalue())
    assert code == 1
    assert list(dict.fromkeys(e["file"] for e in report["errors"])) == [n for n in argv if n in names[1:]]
    assert report["summary"]["files"] == 3


@pytest.mark.parametrize(
    "option",
    [["--profile", "glance"], ["--profile=glance"], ["--format", "json"], ["--driver", "log"], ["-n", "2"],
     ["--transport-url", f"rabbit://u:{CANARY}@h/"], ["--bogus"]],
)  # fmt: skip
@pytest.mark.parametrize("command", [["sample", "image.upload", "INFO"], ["tally", "x.json"], ["compat", "a", "b"],
                                     ["conformance", "--stream", "x.jsonl"]])  # fmt: skip
def test_an_option_before_the_command_is_named_as_the_word_that_is_wrong(
    capsys: pytest.CaptureFixture[str], option: list[str], command: list[str]
) -> None:
    # argparse took the value of an option given before the command for the command: "invalid choice: 'glance'",
    # naming as wrong the one word that was right, and the option not at all.
    assert _exit_code([*option, *command]) == 2
    err = capsys.readouterr().err
    name = option[0].partition("=")[0]
    assert err.splitlines()[-1] == (f"notify-schemas: error: {name} is no option of notify-schemas itself: a command's "
                                    f"options come after its name (notify-schemas COMMAND {name} ...)")  # fmt: skip
    assert CANARY not in err


@pytest.mark.parametrize("command", [["sample", "image.upload", "INFO"], ["schemas", "path"], ["compat", "--help"]])
def test_a_double_dash_before_the_command_ends_options_that_are_not_there(
    capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    # "invalid choice: '--'": -- was taken for the command.
    assert _exit_code(["--", *command]) == _exit_code(command) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[: len(out) // 2] == out[len(out) // 2 :] != []


@pytest.mark.parametrize("word", ["--profile", "--", "-x", "--help"])
def test_after_a_leading_double_dash_a_word_like_an_option_is_a_command_not_there(
    capsys: pytest.CaptureFixture[str], word: str
) -> None:
    # notify-schemas -- --profile glance said "invalid choice: 'glance'": --profile was read as an option after all.
    assert _exit_code(["--", word, "glance"]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"notify-schemas: error: argument COMMAND: invalid choice: '{word}': after --, a word is a command's name"
    )


@pytest.mark.parametrize(
    ("argv", "code"),
    [(["emit", "image.create", "INFO", "--payload", "{payload}", "--driver", "memory"], 0),
     (["demo", "--driver", "memory"], 0),
     (["conformance", "--stream", "{small}"], 0),
     (["listen", "--transport-url", "fake://", "--timeout", "0"], 0),
     (["emit", "--payload", "{payload}", "--driver", "memory", "image.create", "INFO"], 0)],
)  # fmt: skip
def test_a_closing_double_dash_ends_the_options_of_every_command(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str], code: int
) -> None:
    # "unrecognized arguments: --" where no argument was left to take a word after it: every command without a list
    # of words (validate's files, tally's summaries), which took it.
    payload = write(tmp_path, "p.json", json.dumps(next(samples("image.create", "INFO"))["payload"]))
    small = write(tmp_path, "small.jsonl", VALID[0] + "\n")
    words = [w.format(payload=payload, small=small) for w in argv]
    assert _exit_code([*words, "--"]) == code
    assert "unrecognized" not in capsys.readouterr().err
    assert _exit_code([*words, "--", "extra"]) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1].endswith("error: unrecognized arguments: extra")


@pytest.mark.parametrize(
    "argv",
    [["schemas", "show", "--profile", "glance", "image.create.INFO"],
     ["schemas", "show", "image.create", "--profile", "glance", "INFO"],
     ["schemas", "show", "image.create.INFO", "--profile", "glance"]],
)  # fmt: skip
def test_schemas_show_takes_its_options_anywhere(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, out, err = run(capsys, *argv)
    assert (code, err) == (0, "")
    assert json.loads(out)["title"] == "image.create INFO (glance profile)"


def test_a_commands_words_are_not_required_unless_they_are(capsys: pytest.CaptureFixture[str]) -> None:
    assert _exit_code(["schemas"]) == 2
    assert capsys.readouterr().err.splitlines()[-1].endswith("the following arguments are required: action")


# Each command with the least it needs to run: the words of its usage errors.
_EVERY_COMMAND: dict[str, list[str]] = {
    "sample": ["image.send", "INFO"],
    "schemas": ["path"],
    "emit": ["image.create", "INFO", "--payload", "{payload}", "--driver", "memory"],
    "demo": ["--driver", "memory"],
    "listen": ["--transport-url", "fake://", "--timeout", "0"],
    "conformance": ["--stream", "{small}"],
    "compat": ["{schemas}", "{schemas}"],
}


def _said_by(command: str, err: str) -> None:
    """The usage error is the command's own: its usage line, if one is shown, and its name before ``error:`` (or in
    the line of a command's own check, which shows no usage: ``schemas path takes no arguments``)."""
    usage = [line for line in err.splitlines() if line.startswith("usage:")]
    assert all(line.startswith(f"usage: notify-schemas {command} ") for line in usage)
    last = err.splitlines()[-1]
    assert last.startswith(f"notify-schemas {command}: error: ") or (not usage and f" {command} " in last)


@pytest.mark.parametrize("command", sorted(_EVERY_COMMAND))
@given(word=st.sampled_from(["extra", "x.jsonl", "--bogus", "-z", "--quiet", "--version", "-v"]))
@settings(max_examples=7, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_word_left_over_is_said_with_the_commands_own_usage(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str, word: str
) -> None:
    """``sample image.send INFO extra`` was said with notify-schemas's own usage line ([-h] [--version] COMMAND ...):
    argparse hands the words a command leaves to the program, which named none of the command's options."""
    payload = write(tmp_path, "p.json", json.dumps(next(samples("image.create", "INFO"))["payload"]))
    small = write(tmp_path, "small.jsonl", VALID[0] + "\n")
    words = [w.format(payload=payload, small=small, schemas=str(schema_root())) for w in _EVERY_COMMAND[command]]
    capsys.readouterr()
    assert _exit_code([command, *words, word]) == 2
    err = capsys.readouterr().err
    _said_by(command, err)
    assert word in err.splitlines()[-1]


@pytest.mark.parametrize("command", [*sorted(_EVERY_COMMAND), "tally"])
@pytest.mark.parametrize("option", ["--version", "--bogus", "-q", "--profile=seed", "--summary"])
def test_an_option_a_command_lacks_is_said_before_the_words_it_lacks(
    capsys: pytest.CaptureFixture[str], command: str, option: str
) -> None:
    """``sample --version`` and ``compat --version`` said "the following arguments are required": what was missing,
    not the option given that none of the command's is."""
    known = {"--profile=seed": {"sample", "listen", "emit", "demo", "conformance", "schemas"}, "--summary": {"listen"}}
    if command in known.get(option, set()):
        return
    assert _exit_code([command, option]) == 2
    err = capsys.readouterr().err
    _said_by(command, err)
    if command in ("sample", "schemas", "emit", "conformance", "compat", "tally"):  # those with words they need
        assert err.splitlines()[-1].endswith(f"unrecognized arguments: {option}")


def test_the_words_a_command_lacks_are_still_said_when_no_option_is_unknown(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _exit_code(["sample", "--seed", "-5", "image.send"]) == 2
    assert capsys.readouterr().err.splitlines()[-1].endswith("the following arguments are required: priority")
    assert _exit_code(["conformance", "--examples", "3", "--", "--bogus"]) == 2
    assert "one of the arguments --callable" in capsys.readouterr().err


def _main_writing(encoding: str, argv: list[str]) -> tuple[int, bytes]:
    """``main`` with a standard output of that encoding (PYTHONIOENCODING): the exit status and the bytes written."""
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding=encoding, write_through=True)
    with contextlib.redirect_stdout(out):
        code = _exit_code(argv)
    return code, raw.getvalue()


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    text=st.text(st.characters(exclude_categories=["Cs"]), min_size=1), encoding=st.sampled_from(["ascii", "latin-1"])
)
def test_json_on_a_standard_output_that_is_not_utf_8_is_json_that_says_the_same(
    tmp_path_factory: pytest.TempPathFactory, text: str, encoding: str
) -> None:
    folder = tmp_path_factory.mktemp("encoding")
    payload = write(folder, "payload.json", json.dumps(text))
    code, written = _main_writing(encoding, ["emit", "image.upload", "ERROR", "--payload", payload])
    _, in_utf8 = _main_writing("utf-8", ["emit", "image.upload", "ERROR", "--payload", payload])
    assert code == 0
    assert written.isascii()
    assert json.loads(written)["payload"] == json.loads(in_utf8)["payload"]


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
@pytest.mark.parametrize("command", ["sample", "validate"])
def test_every_json_document_the_command_line_writes_stays_json_in_any_output_encoding(
    tmp_path: Path, encoding: str, command: str
) -> None:
    name = write(tmp_path, "imagé 😀 \udcff.jsonl", "{}\n")  # \udcff: the byte 0xff of a name that is not UTF-8
    argv = {
        "sample": ["sample", "image.upload", "INFO", "-n", "20"],
        "validate": ["validate", "--format", "json", name],
    }
    code, written = _main_writing(encoding, argv[command])
    _, in_utf8 = _main_writing("utf-8", argv[command])
    assert code == (0 if command == "sample" else 1)
    assert written.isascii()
    assert [json.loads(line) for line in written.splitlines() if command == "sample"] == [
        json.loads(line) for line in in_utf8.splitlines() if command == "sample"
    ]
    if command == "validate":
        assert json.loads(written) == json.loads(in_utf8)
        assert json.loads(written)["errors"][0]["file"] == name.replace("\udcff", "\\xff")  # strict JSON readers' too


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_conformance_and_compat_print_any_text_on_an_output_that_is_not_utf_8(tmp_path: Path, encoding: str) -> None:
    (tmp_path / "unicode_producer.py").write_text(
        "def make(intent):\n"
        "    return {'event_type': intent['event_type'], 'priority': intent['priority'], 'message_id': 'x',\n"
        "            'publisher_id': 'p', 'timestamp': 't', 'payload': 'Ünïcode ✓ 😀'}\n",
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONIOENCODING": encoding, "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])}
    folder = tmp_path / "schémas 😀"
    shutil.copytree(Path(str(schema_root())), folder, ignore=shutil.ignore_patterns("bundled", "corpus", "asyncapi"))
    runs = {
        "conformance": (["conformance", "--callable", "unicode_producer:make", "--examples", "0"], 1),
        "compat": (["compat", str(folder), str(folder), "--format", "json", "--examples", "0"], 0),
    }
    for argv, expected in runs.values():
        done = subprocess.run(
            [sys.executable, "-m", "notify_schemas", *argv], capture_output=True, env=env, timeout=300, check=False
        )
        assert "Traceback" not in done.stderr.decode(encoding, "replace")
        assert done.returncode == expected, done.stderr
        if argv[0] == "compat":
            assert json.loads(done.stdout)["old"] == str(folder)
        else:
            assert ("\\u00dcn\\u00efcode" if encoding == "ascii" else "Ünïcode") in done.stdout.decode(encoding)


def _run_with(argv: list[str], *, stdout: Any = subprocess.DEVNULL, stderr: Any = subprocess.DEVNULL,
              close: int | None = None) -> subprocess.CompletedProcess[bytes]:  # fmt: skip
    """The command in a process of its own, a standard stream sent to /dev/full or closed (``close``: its fd)."""
    return subprocess.run(
        [sys.executable, "-W", "ignore", "-m", "notify_schemas", *argv], stdin=subprocess.DEVNULL, stdout=stdout,
        stderr=stderr, timeout=120, check=False, preexec_fn=None if close is None else (lambda: os.close(close)),
    )  # fmt: skip


# What each command exits with when its errors can be said: the same when they cannot.
ERRORS_UNHEARD: list[Any] = [
    pytest.param(["validate", "{missing}"], 2, id="validate of a file that is not there"),
    pytest.param(["validate", "{small}"], 0, id="validate of a valid file"),
    pytest.param(["validate", "{bad}"], 1, id="validate of an invalid file"),
    pytest.param(["sample", "image.upload", "NOPE"], 2, id="sample of an unknown variant"),
    pytest.param(["emit", "image.upload", "ERROR", "--payload", "{missing}"], 2, id="emit of a payload not there"),
    pytest.param(["demo", "--driver", "nosuch"], 2, id="demo through an unknown driver"),
    pytest.param(["tally", "{missing}"], 2, id="tally of a file that is not there"),
    pytest.param(["compat", "{missing}", "{missing}"], 2, id="compat of folders that are not there"),
    pytest.param(["conformance", "--stream", "{missing}"], 2, id="conformance of a stream that is not there"),
]  # fmt: skip


@pytest.mark.parametrize("stderr", ["/dev/full", "closed"])
@pytest.mark.parametrize(("argv", "expected"), ERRORS_UNHEARD)
def test_an_error_that_cannot_be_written_leaves_the_exit_status_it_would_have_had(
    tmp_path: Path, argv: list[str], expected: int, stderr: str
) -> None:
    files = {"{missing}": str(tmp_path / "missing"), "{small}": write(tmp_path, "small.jsonl", VALID[0] + "\n"),
             "{bad}": write(tmp_path, "bad.jsonl", "{}\n")}  # fmt: skip
    argv = [files.get(a, a) for a in argv]
    if stderr == "closed":
        done = _run_with(argv, close=2)
    else:
        with open("/dev/full", "wb") as full:
            done = _run_with(argv, stderr=full)
    assert done.returncode == expected


# Every command, with what it writes on its standard output: the help, a report, samples, a schema, a notification sent,
# a tally, the suite's table.
OUTPUT_COMMANDS = [
    ["--help"], ["--version"], ["validate", "--help"], ["sample", "image.upload", "INFO", "-n", "3"],
    ["schemas", "list"], ["schemas", "show", "image.create.INFO"], ["schemas", "path"], ["compat", "--help"],
    ["conformance", "--help"], ["conformance", "--stream", "{small}"], ["compat", "{schemas}", "{schemas}",
    "--examples", "0"], ["validate", "{small}"], ["validate", "{bad}"], ["validate", "--format", "json", "{bad}"],
    ["emit", "image.upload", "INFO", "--payload", "{payload}"], ["tally", "{summary}"], ["demo"],
    ["listen", "--transport-url", "fake://", "--timeout", "0.1"],
]  # fmt: skip


@pytest.mark.parametrize("argv", OUTPUT_COMMANDS, ids=" ".join)
@pytest.mark.parametrize("stdout", ["/dev/full", "closed", "a reader gone"])
def test_an_output_that_cannot_be_written_is_one_line_and_exit_2_for_every_command(
    tmp_path: Path, argv: list[str], stdout: str
) -> None:
    # A reader gone away (| head) ended sample, schemas, emit, tally, conformance and compat with 0, their output cut
    # short, and validate with 1 or 2, a verdict it had not reached: each now ends as SIGPIPE ends coreutils, 141 (D94).
    message = json.loads(VALID[0])
    files = {"{small}": write(tmp_path, "small.jsonl", VALID[0] + "\n"), "{schemas}": str(schema_root()),
             "{bad}": write(tmp_path, "bad.jsonl", "{}\n"),
             "{payload}": write(tmp_path, "payload.json", json.dumps(message["payload"])),
             "{summary}": write(tmp_path, "summary.json", json.dumps(
                 {"received": 1, "valid": {"image.upload": 1}, "invalid": {}, "duplicates": 0,
                  "seen": {message["message_id"]: [True, "image.upload"]}}))}  # fmt: skip
    argv = [files.get(a, a) for a in argv]
    if stdout == "a reader gone":  # a pipe whose reader closed it before a byte was written
        read, written = os.pipe()
        os.close(read)
        try:
            done = _run_with(argv, stdout=written, stderr=subprocess.PIPE)
        finally:
            os.close(written)
        assert done.returncode == 141, done.stderr
        assert b"error:" not in done.stderr, done.stderr
        assert b"Traceback" not in done.stderr
        return
    if stdout == "closed":  # >&-: --help and --version said nothing (or wrote the help on stderr) and exited 0
        done = _run_with(argv, stdout=None, stderr=subprocess.PIPE, close=1)
        assert done.returncode == 2
        assert done.stderr.decode().splitlines()[-1:] == ["notify-schemas: error: the standard output is closed"]
        assert b"Traceback" not in done.stderr
        return
    with open("/dev/full", "wb") as full:
        done = _run_with(argv, stdout=full, stderr=subprocess.PIPE)
    assert done.returncode == 2
    said = done.stderr.decode().splitlines()
    # What was sent is said with it: exit 2 alone reads as if nothing was, and it would be sent again.
    sent = {"emit": "; the notification was sent", "demo": "; 15 of the demo's notifications were sent"}
    assert said[-1:] == [
        f"notify-schemas{' compat' if argv == ['compat', '--help'] else ''}: error: cannot write the standard output: "
        f"No space left on device{sent.get(argv[0], '')}"
    ], said
    assert sum("error" in line for line in said) == 1, said


@pytest.mark.parametrize(
    "argv",
    [["sample", "image.upload", "INFO", "-n", "2000"], ["validate", "{many}"], ["validate", "-j", "2", "{many}"],
     ["validate", "--format", "json", "{many}"]],
    ids=" ".join,
)  # fmt: skip
def test_a_reader_that_goes_away_before_the_end_leaves_141_as_coreutils_do(tmp_path: Path, argv: list[str]) -> None:
    # sample | head -1 exited 0 with one sample of 2,000; validate | head -1 exited 1 or 2, a verdict on records it
    # had not checked, or 2, an I/O error that none was. The status is a shell's for cat | head -1 (D94).
    many = write(tmp_path, "many.jsonl", '{"priority": "x"}\n' * 200_000)  # 3.6 MB: several pieces with -j 2
    words = " ".join(many if a == "{many}" else a for a in argv)
    command = f"{sys.executable} -m notify_schemas {words} | head -c 1 > /dev/null"
    done = subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True, timeout=120,
                          check=False)  # fmt: skip
    assert (done.returncode, done.stderr) == (141, "")
    coreutils = subprocess.run(["bash", "-o", "pipefail", "-c", "yes | head -c 1 > /dev/null"], check=False)
    assert coreutils.returncode == done.returncode


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("command", ["listen", "conformance"])
def test_a_standard_output_that_cannot_be_written_takes_no_file_of_the_run_with_it(
    tmp_path: Path, command: str
) -> None:
    # The files were written after the standard output: a full disk there lost the listener's tally (its --summary,
    # which `tally` adds up) and the suite's reports, though nothing was wrong with them.
    if command == "listen":
        argv = ["listen", "--transport-url", "fake://", "--timeout", "0.1", "--summary", str(tmp_path / "s.json")]
    else:
        argv = ["conformance", "--stream", write(tmp_path, "small.jsonl", VALID[0] + "\n"), "--report",
                str(tmp_path / "r.json"), "--junit", str(tmp_path / "j.xml")]  # fmt: skip
    with open("/dev/full", "wb") as full:
        done = _run_with(argv, stdout=full, stderr=subprocess.PIPE)
    assert done.returncode == 2
    assert done.stderr.decode().splitlines()[-1] == (
        "notify-schemas: error: cannot write the standard output: No space left on device"
    )
    if command == "listen":
        assert json.loads((tmp_path / "s.json").read_text())["received"] == 0
    else:
        assert json.loads((tmp_path / "r.json").read_text())["checks"]
        ElementTree.parse(tmp_path / "j.xml")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("failing", ["--report", "--junit"])
def test_a_report_that_cannot_be_written_takes_not_the_other_with_it(tmp_path: Path, failing: str) -> None:
    other = {"--report": "--junit", "--junit": "--report"}[failing]
    argv = ["conformance", "--stream", write(tmp_path, "small.jsonl", VALID[0] + "\n"), failing, "/dev/full", other,
            str(tmp_path / "other")]  # fmt: skip
    done = _run_with(argv, stderr=subprocess.PIPE)
    assert done.returncode == 2
    what = {"--report": "report", "--junit": "JUnit report"}[failing]
    assert done.stderr.decode().splitlines() == [
        f"notify-schemas conformance: error: cannot write the {what} /dev/full: No space left on device"
    ]
    assert (tmp_path / "other").read_text().strip()


FIFO_OUTPUTS = {
    "listen --summary": ["listen", "--transport-url", "fake://", "--timeout", "0.1", "--summary", "{fifo}"],
    "listen --invalid-out": ["listen", "--transport-url", "fake://", "--timeout", "0.1", "--invalid-out", "{fifo}"],
    "conformance --report": ["conformance", "--stream", "{small}", "--report", "{fifo}"],
    "conformance --junit": ["conformance", "--stream", "{small}", "--junit", "{fifo}"],
    "schemas export": ["schemas", "export", "{folder}"],
}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("output", FIFO_OUTPUTS)
def test_a_fifo_that_no_process_reads_is_an_error_not_a_wait_without_end(tmp_path: Path, output: str) -> None:
    # Opening it waited for a reader for ever: after the run, whose tally or reports Ctrl-C then lost.
    fifo = tmp_path / "envelope.json"  # schemas export writes a file of that name into the folder
    os.mkfifo(fifo)
    files = {"{fifo}": str(fifo), "{small}": write(tmp_path, "small.jsonl", VALID[0] + "\n"), "{folder}": str(tmp_path)}
    argv = [files.get(a, a) for a in FIFO_OUTPUTS[output]]
    command = [sys.executable, "-W", "ignore", "-m", "notify_schemas", *argv]
    done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    said = f"{' conformance' if argv[0] == 'conformance' else ''}: error: "
    where = f"cannot write the {'JUnit report' if 'junit' in output else 'report'} " if "conformance" in output else ""
    named = fifo  # export names the file in the folder given, as the others name theirs
    assert done.stderr.splitlines()[-1] == f"notify-schemas{said}{where}{named}: a FIFO that no process reads"


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="needs Unix sockets")
@pytest.mark.parametrize("output", FIFO_OUTPUTS)
def test_a_socket_named_as_an_output_is_said_to_be_one_not_a_fifo(
    tmp_path: Path, output: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Opening a socket fails as a FIFO no process reads does (ENXIO), and was said to be one.
    monkeypatch.chdir(tmp_path)  # a socket's path is short: bound by its name in the folder
    with socket.socket(socket.AF_UNIX) as bound:
        bound.bind("envelope.json")
        files = {
            "{fifo}": "envelope.json",
            "{small}": write(tmp_path, "small.jsonl", VALID[0] + "\n"),
            "{folder}": str(tmp_path),
        }
        argv = [files.get(a, a) for a in FIFO_OUTPUTS[output]]
        command = [sys.executable, "-W", "ignore", "-m", "notify_schemas", *argv]
        done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60,
                              check=False)  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1].endswith("envelope.json: a socket, which is not written to as a file")


OUTPUTS_UNDER_A_FILE = {
    "listen --summary": (["listen", "--transport-url", "fake://", "--timeout", "0.1", "--summary", "{out}"], ""),
    "listen --invalid-out": (["listen", "--transport-url", "fake://", "--timeout", "0.1", "--invalid-out", "{out}"],
                             ""),
    "conformance --report": (["conformance", "--stream", "{small}", "--report", "{out}"], "cannot write the report "),
    "conformance --junit": (["conformance", "--stream", "{small}", "--junit", "{out}"],
                            "cannot write the JUnit report "),
}  # fmt: skip


@pytest.mark.parametrize("output", OUTPUTS_UNDER_A_FILE)
@pytest.mark.parametrize(("under", "why"), [("afile/x", "Not a directory"), ("afile/x/y", "Not a directory"),
                                            ("gone/x", "No such file or directory")])  # fmt: skip
def test_an_output_where_no_file_can_be_is_refused_in_the_systems_own_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, output: str, under: str, why: str
) -> None:
    # A file on the way (afile is a regular file) was said to be "No such file or directory" by the checks made before
    # a run, which guessed the reason instead of asking the system.
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "afile", "kept")
    argv, what = OUTPUTS_UNDER_A_FILE[output]
    files = {"{out}": under, "{small}": write(tmp_path, "small.jsonl", VALID[0] + "\n")}
    done = _run_with([files.get(a, a) for a in argv], stderr=subprocess.PIPE)
    assert done.returncode == 2
    said = " conformance" if argv[0] == "conformance" else ""
    assert done.stderr.decode().splitlines()[-1] == f"notify-schemas{said}: error: {what}{under}: {why}"
    assert (tmp_path / "afile").read_text() == "kept"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("option", ["--report", "--junit"])
def test_a_report_fifo_that_no_process_reads_is_found_before_the_producer_is_asked(tmp_path: Path, option: str) -> None:
    # It was found once every intent had been asked and answered: minutes of a run, for a report then lost.
    fifo = tmp_path / "report"
    os.mkfifo(fifo)
    started = tmp_path / "started"
    program = write(tmp_path, "echo.py", f"open({str(started)!r}, 'w').close()\nimport sys\n"
                                         "for line in sys.stdin: print(line, end='', flush=True)\n")  # fmt: skip
    argv = ["conformance", "--exec", f"{sys.executable} {program}", "--examples", "1", option, str(fifo)]
    done = _run_with(argv, stderr=subprocess.PIPE)
    assert done.returncode == 2
    assert done.stderr.decode().endswith("report: a FIFO that no process reads\n")
    assert not started.exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("output", ["conformance --report", "conformance --junit", "listen --summary"])
def test_an_output_fifo_read_when_the_run_starts_gets_the_output(tmp_path: Path, output: str) -> None:
    # Checked before the run, the FIFO is opened then: its reader, there at the start, is the one written to.
    fifo = tmp_path / "out"
    os.mkfifo(fifo)
    argv, _ = OUTPUTS_UNDER_A_FILE[output]
    files = {"{out}": str(fifo), "{small}": write(tmp_path, "small.jsonl", VALID[0] + "\n")}
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # there before the command starts, read while it runs
    chunks: list[bytes] = []
    command = subprocess.Popen([sys.executable, "-W", "ignore", "-m", "notify_schemas",
                                *[files.get(a, a) for a in argv]], stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    try:
        while command.poll() is None or chunks[-1:] != [b""]:
            try:
                chunks.append(os.read(reader, 65536))  # b"": no writer now (not yet, or no more)
            except BlockingIOError:
                time.sleep(0.01)
            if chunks[-1:] == [b""] and command.poll() is None:
                chunks.pop()
                time.sleep(0.01)
        _, err = command.communicate(timeout=60)
    finally:
        os.close(reader)
        command.kill()
    written = b"".join(chunks)
    assert command.returncode in (0, 1), err
    assert written.strip(), err


@pytest.mark.parametrize("output", ["text", "json"])
def test_compat_names_a_folder_as_given_and_masked(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, output: str
) -> None:
    folder = f"{tmp_path}/{URL}"  # a URL that is a folder: a Path would show it as swift:/u:...@swift, unmasked
    shutil.copytree(Path(str(schema_root())), folder, ignore=shutil.ignore_patterns("bundled", "corpus", "asyncapi"))
    code = _exit_code(["compat", folder, folder, "--examples", "0", "--format", output])
    (tmp_path / URL.replace("swift://", "swift:/") / "envelope.json").unlink()
    again = _exit_code(["compat", folder, folder])
    out, err = capsys.readouterr()
    assert (code, again) == (0, 2)
    assert CANARY not in out + err
    if output == "json":
        assert json.loads(out.splitlines()[0])["old"] == f"{tmp_path}/swift://u:***@swift/c/o"
    assert (
        err == f"notify-schemas compat: error: {tmp_path}/swift://u:***@swift/c/o: not a schema directory (no "
        "envelope.json and seed/glance folders)\n"
    )


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.binary(max_size=64) | st.text(max_size=64).map(lambda t: t.encode("utf-16")) | st.sampled_from(
    [b'{"valid": {}, "invalid": {}, "duplicates": 0, "seen": {}, "x": 1' + b"0" * 5000 + b"}",
     b'{"valid": ' + b"[" * 100_000, b"\xef\xbb\xbf{", b'{"valid": {"a": 1e400}}', b"\xff\xfe{\x00"]))  # fmt: skip
def test_tally_of_any_bytes_is_a_tally_or_one_line_naming_the_file(
    tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    name = write(tmp_path_factory.mktemp("tally"), "summary.json", data)
    with contextlib.redirect_stderr(io.StringIO()) as err, contextlib.redirect_stdout(io.StringIO()):
        code = main(["tally", name])
    assert code in (0, 1, 2)
    if code == 2:
        assert err.getvalue().startswith(f"notify-schemas: error: {name}: not a listen --summary file: ")
        assert len(err.getvalue().splitlines()) == 1


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_tally_of_an_endless_input_stops_at_once(device: str) -> None:
    done = _run_with(["tally", device], stderr=subprocess.PIPE)  # read whole, these would take the memory
    assert done.returncode == 2
    assert done.stderr.decode().startswith(f"notify-schemas: error: {device}: not a listen --summary file: not ")


@pytest.mark.parametrize(
    ("command", "module", "function"),
    [(["sample", "image.upload", "INFO"], "notify_schemas.samples", "samples"),
     (["conformance", "--stream", "ok.jsonl"], "notify_schemas.conformance.cli", "run_stream")],
)  # fmt: skip
def test_a_librarys_warning_is_one_masked_line(tmp_path: Path, command: list[str], module: str, function: str) -> None:
    # A library that warns while the command runs (oslo.service warns of eventlet over nine lines), loaded first.
    (tmp_path / "sitecustomize.py").write_text(
        f"import warnings, {module} as m\n"
        f"real = m.{function}\n"
        "def warned(*args, **kwargs):\n"
        f"    warnings.warn('deprecated.\\n\\nsee https://u:{CANARY}@docs/\\n', DeprecationWarning)\n"
        "    return real(*args, **kwargs)\n"
        f"m.{function} = warned\n",
        encoding="utf-8",
    )
    (tmp_path / "ok.jsonl").write_text(VALID[0] + "\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path]), "PYTHONWARNINGS": "always"}
    done = subprocess.run([sys.executable, "-m", "notify_schemas", *command], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert CANARY not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("py.warnings WARNING ")
    assert "DeprecationWarning: deprecated. see https://u:***@docs/" in lines[0]


@pytest.mark.parametrize(
    "argv",
    [
        ["sample", "image.upload", "INFO", "-n", "password='CANARYSECRET'\""],
        ["validate", "--profile=token='CANARYSECRET'\""],
        ["password='CANARYSECRET'\""],
    ],
)
def test_a_value_argparse_quotes_is_masked_even_with_quotes_of_both_kinds(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as usage:
        main(argv)
    assert usage.value.code == 2
    err = capsys.readouterr().err
    assert "CANARYSECRET" not in err
    assert "***" in err


def test_help_describes_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    """The description over the list of commands names each of them, as the terminal shows it (no reST markup)."""
    assert _exit_code(["--help"]) == 0
    out = capsys.readouterr().out
    description = out.split("\n\n")[1]
    assert "``" not in description
    commands = ["validate", "sample", "schemas", "emit", "demo", "conformance", "compat", "listen", "tally"]
    assert [c for c in commands if c not in description] == []
    assert "exit status: 0 when everything is valid, 1 when something is invalid" in " ".join(out.split())
    assert _exit_code(["conformance", "--help"]) == 0
    assert "``" not in capsys.readouterr().out


# A name that is not UTF-8, as the shell hands it over ($'\xff'): Python carries its byte as the lone surrogate U+DCFF.
NOT_UTF8_NAMES: list[Any] = [
    pytest.param(["validate", "{bad}"], id="validate, text"),
    pytest.param(["validate", "--format", "json", "{bad}"], id="validate --format json"),
    pytest.param(["validate", "{missing}"], id="validate of a file not there"),
    pytest.param(["tally", "{missing}"], id="tally of a file not there"),
    pytest.param(["emit", "image.delete", "INFO", "--payload", "{not json}"], id="emit of a payload that is no JSON"),
    pytest.param(["emit", "image.delete", "INFO", "--payload", "{missing}"], id="emit of a payload not there"),
    pytest.param(["schemas", "export", "{folder}"], id="schemas export"),
    pytest.param(["emit", "image.delete", "INFO", "--payload", "{payload}", "--config-file", "{bad}"],
                 id="emit with a configuration file that is none"),
    pytest.param(["conformance", "--stream", "{bad}", "--report", "{report}"], id="conformance --report"),
    pytest.param(["conformance", "--stream", "{missing}"], id="conformance of a stream not there"),
    pytest.param(["compat", "--format", "json", "--examples", "0", "{schemas}", "{schemas}"],
                 id="compat --format json"),
    pytest.param(["compat", "{missing}", "{missing}"], id="compat of folders not there"),
]  # fmt: skip


@pytest.mark.parametrize("argv", NOT_UTF8_NAMES)
def test_a_name_that_is_not_utf8_is_named_by_its_bytes_in_text_any_reader_takes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str]
) -> None:
    # It was written as "\udcff": in JSON a lone surrogate that strict readers (orjson, serde) refuse, on a terminal
    # a character no one typed. Each byte is written as the shell's $'\xff' writes it.
    import orjson

    folder = tmp_path / "d\udcff"
    folder.mkdir()
    schemas = folder / "schemas"
    shutil.copytree(schema_root(), schemas)
    names = {
        "{payload}": write(folder, "payload.json", '"x"'),
        "{bad}": write(folder, "bad\udcff.jsonl", "{}\n"),
        "{not json}": write(folder, "p\udcff.json", "{"),
        "{missing}": str(folder / "gone\udcff"),
        "{folder}": str(folder / "out\udcff"),
        "{report}": str(folder / "report.json"),
        "{schemas}": str(schemas),
    }
    _, out, err = run(capsys, *[names.get(a, a) for a in argv])
    documents = [out] if "--format" in argv else []
    documents += [(folder / "report.json").read_text()] if "--report" in argv else []
    for text in [out, err, *documents]:
        assert "udcff" not in text  # escaped
        assert "\udcff" not in text  # as it is
    assert "d\\xff" in out + err or documents
    for document in documents:
        orjson.loads(document)  # strict JSON: a lone surrogate is an error
        assert "d\\\\xff" in document  # the backslash of \xff, escaped


# A name holding a line break, a tab or a terminal's escape sequence, in every error that names it.
ODD_NAMES: list[Any] = [
    pytest.param(["validate", "{missing}"], id="validate of a file not there"),
    pytest.param(["validate", "{folder}"], id="validate of a folder"),
    pytest.param(["tally", "{missing}"], id="tally of a file not there"),
    pytest.param(["tally", "{bad}"], id="tally of a file that is no summary"),
    pytest.param(["tally", "{summary}", "{link}"], id="tally of one summary twice"),
    pytest.param(["compat", "{missing}", "{missing}"], id="compat of folders not there"),
    pytest.param(["compat", "{folder}", "{folder}"], id="compat of a folder that holds no schemas"),
]  # fmt: skip


@pytest.mark.parametrize("odd", ["\n", "\r\n", "\t", "\x1b[2J", "\u2028"])
@pytest.mark.parametrize("argv", ODD_NAMES)
def test_a_name_with_a_line_break_or_an_escape_is_named_on_one_line_as_it_is(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str], odd: str
) -> None:
    # validate wrote "notify-schemas: error: a" and "b: No such file or directory" on two lines, and an escape
    # sequence as it is, for the terminal to run; tally and compat joined the words of their errors, which named
    # a<newline>b "a b", another file, one that may be there.
    summary = '{"valid": {}, "invalid": {}, "duplicates": 0, "seen": {}}'
    names = {
        "{missing}": str(tmp_path / f"gone{odd}x"),
        "{folder}": str(tmp_path / f"dir{odd}x"),
        "{bad}": write(tmp_path, f"bad{odd}x.json", "{"),
        "{summary}": write(tmp_path, "summary.json", summary),
        "{link}": str(tmp_path / f"link{odd}x.json"),
    }
    (tmp_path / f"dir{odd}x").mkdir()
    (tmp_path / f"link{odd}x.json").symlink_to(tmp_path / "summary.json")
    code, _, err = run(capsys, *[names.get(a, a) for a in argv])
    assert code == 2
    assert err.count("\n") == 1
    assert err.endswith("\n")
    assert "\r" not in err
    assert "\x1b" not in err
    written = {"\n": "\\x0a", "\r\n": "\\x0d\\x0a", "\t": "\\x09", "\x1b[2J": "\\x1b[2J", "\u2028": "\\u2028"}[odd]
    assert written in err


# Every option that writes a file, with what the rest of its command line needs: - names the standard input there.
OUTPUT_OPTIONS = [
    (["conformance", "--stream", "{small}"], "--report"),
    (["conformance", "--stream", "{small}"], "--junit"),
    (["listen", "--transport-url", "fake://", "--timeout", "0.1"], "--summary"),
    (["listen", "--transport-url", "fake://", "--timeout", "0.1"], "--invalid-out"),
]


@pytest.mark.parametrize("spelling", ["apart", "joined"])
@pytest.mark.parametrize(("argv", "option"), OUTPUT_OPTIONS)
def test_an_output_named_dash_is_a_usage_error_that_writes_no_file_named_dash(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    option: str,
    spelling: str,
) -> None:
    # Taken as a name, - made a file called - in the current folder, after the whole run.
    monkeypatch.chdir(tmp_path)
    small = write(tmp_path, "small.jsonl", VALID[0] + "\n")
    given = [option, "-"] if spelling == "apart" else [f"{option}=-"]
    code = _exit_code([a.replace("{small}", small) for a in argv] + given)
    err = capsys.readouterr().err
    assert code == 2
    assert f"argument {option}: - is the standard input" in err.strip().splitlines()[-1]
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize(
    "argv",
    [["emit", "image.create", "INFO", "--payload", "{}"], ["demo"], ["listen", "--timeout", "0.1"]],
)
def test_a_config_file_named_dash_is_a_usage_error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    # Taken as a name, - was "no such configuration file", exit 2 after the command had begun.
    assert _exit_code([*argv, "--config-file", "-"]) == 2
    assert "argument --config-file: - is not read for a configuration file" in capsys.readouterr().err


def test_schemas_export_into_dash_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "schemas", "export", "-")
    assert code == 2
    assert "- is the standard input" in err
    assert not (tmp_path / "-").exists()


# Every option that takes a number, with what the rest of its command line needs to be parsed.
NUMBER_OPTIONS = [
    (["validate", "{small}"], "--max-record-bytes"),
    (["validate", "{small}"], "--jobs"),
    (["sample", "image.create", "INFO"], "-n"),
    (["sample", "image.create", "INFO"], "--seed"),
    *((["listen", "--transport-url", "fake://", "--count", "0", "--timeout", "0.1"], option)  # taken: no wait
      for option in ("--count", "--timeout", "--connect-timeout", "--max-record-bytes")),
    *((["conformance", "--stream", "{small}"], option)
      for option in ("--examples", "--seed", "--timeout", "--answer-timeout", "--count", "--connect-timeout")),
    (["compat", "{folder}", "{folder}"], "--examples"),
    (["compat", "{folder}", "{folder}"], "--seed"),
    (["compat", "{folder}", "{folder}"], "--time-limit"),
]  # fmt: skip
# What Python's int() or float() reads as a number, and no one types as one.
NOT_PLAIN = [" 10", "10 ", "10\n", "1_000", "\u0661\u0660", "\uff11", "+5", "1e3", "inf", "nan", "0x10", ""]


@pytest.mark.parametrize("given", NOT_PLAIN)
@pytest.mark.parametrize(("argv", "option"), NUMBER_OPTIONS)
def test_a_number_option_takes_plain_ascii_decimal_alone(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str], option: str, given: str
) -> None:
    small = write(tmp_path, "small.jsonl", VALID[0] + "\n")
    words = [a.replace("{small}", small).replace("{folder}", str(tmp_path)) for a in argv]
    code = _exit_code([*words, option, given])
    err = capsys.readouterr().err
    assert code == 2
    assert f"argument {option}" in err.strip().splitlines()[-1], err


def _written_plainly(text: str, *, point: bool) -> bool:
    """Whether ``text`` is a number as a person types one: ASCII digits, a minus sign first at most, and with
    ``point`` one decimal point."""
    body = text[1:] if text.startswith("-") else text
    whole, _, fraction = body.partition(".") if point else (body, "", "")
    return bool(whole or fraction) and set(whole + fraction) <= set("0123456789")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=8) | st.from_regex(r"-?[0-9]{0,6}(\.[0-9]{0,3})?", fullmatch=True))
def test_the_number_types_take_exactly_what_ascii_decimal_writes(given: str) -> None:
    from notify_schemas.arguments import MAX_SECONDS, count, seconds

    try:
        whole = count(given)
    except argparse.ArgumentTypeError:
        assert not _written_plainly(given, point=False) or int(given) < 0
    else:
        assert _written_plainly(given, point=False)
        assert whole == int(given)
    try:
        taken = seconds(given)
    except argparse.ArgumentTypeError:
        assert not _written_plainly(given, point=True) or not 0 <= float(given) <= MAX_SECONDS
    else:
        assert _written_plainly(given, point=True)
        assert taken == float(given)


@settings(max_examples=200, deadline=None)
@given(sign=st.sampled_from(["", "-"]), digits=st.integers(1, 300), point=st.booleans())
def test_a_number_of_too_many_digits_is_said_to_be_one_whatever_its_sign(sign: str, digits: int, point: bool) -> None:
    # "-" and 100 digits was "not a whole number" where 100 digits were a seed, and 101 digits were no number.
    from notify_schemas.arguments import seconds, seed

    text = sign + "1" * digits
    decimal = text[:-1] + "." + text[-1] if point and digits > 1 else text
    if digits > 100:
        with pytest.raises(argparse.ArgumentTypeError, match=r"^a number of more than 100 digits: "):
            seed(text)
        with pytest.raises(argparse.ArgumentTypeError, match=r"^a number of more than 100 digits: "):
            seconds(decimal)
    else:
        assert seed(text) == int(text)
        with contextlib.suppress(argparse.ArgumentTypeError):  # a time out of range, said as such
            seconds(decimal)


def _as_bytes_read(text: str) -> str:
    """``text`` as Python reads back the quote of it: each byte that is not UTF-8 (a lone surrogate \\udc80 to
    \\udcff, as Python holds it) written \\xff, which reads as the character of that code."""
    return "".join(chr(ord(c) - 0xDC00) if 0xDC80 <= ord(c) <= 0xDCFF else c for c in text)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(name=st.text(alphabet=st.sampled_from(["a", "'", '"', "\\", "\n", "\x1b", "\udcff", "\udc80", "é", "\u2028"]),
                    min_size=1, max_size=10).filter(str.strip))  # fmt: skip
def test_a_word_an_error_quotes_is_quoted_once_whatever_the_command(
    capsys: pytest.CaptureFixture[str], name: str
) -> None:
    # repr of what one_line had escaped doubled every escape: sample said '\\udcff' where schemas show said '\udcff'.
    import ast

    quotes = []
    for argv, before, after in [
        (["sample", name, "INFO"], "unknown event type ", " in profile 'seed'"),
        (["sample", "image.create", name], "has no priority ", " in profile 'seed'"),
        (["schemas", "show", name], "EVENT_TYPE PRIORITY, not ", "\n"),
        (["sample", "image.create", "INFO", "-n", name], "argument -n: not a whole number: ", "\n"),
    ]:
        code, _, err = run(capsys, *argv) if argv[-2] != "-n" else (_exit_code(argv), "", capsys.readouterr().err)
        assert code == 2
        line = err.strip().splitlines()[-1] + "\n"
        assert before in line, line
        quoted = line.partition(before)[2].partition(after)[0]
        assert not any(0xD800 <= ord(c) <= 0xDFFF for c in quoted)
        assert ast.literal_eval(quoted) == _as_bytes_read(name), quoted
        quotes.append(quoted)
    assert len(set(quotes)) == 1  # every command quotes a word alike


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(kinds=st.lists(st.sampled_from(["valid", "missing", "folder", "secret"]), min_size=1, max_size=5),
       jobs=st.sampled_from(["1", "2"]))  # fmt: skip
def test_validate_json_names_each_file_it_could_not_read_and_why(kinds: list[str], jobs: str) -> None:
    # The JSON said only "files": N; which files went unread, and why, went to stderr alone.
    with tempfile_dir() as where:
        folder = Path(where)
        made = {
            "valid": write(folder, "ok.jsonl", VALID[0] + "\n"),
            "missing": str(folder / "gone.jsonl"),
            "folder": str(folder),
            "secret": "swift://u:SECRET-7f@host/gone",
        }
        reasons = {"missing": "No such file or directory", "folder": "Is a directory",
                   "secret": "No such file or directory"}  # fmt: skip
        names = [made[k] for k in kinds]
        done = subprocess.run([sys.executable, "-m", "notify_schemas", "validate", "--format", "json", "-j", jobs,
                               *names], capture_output=True, text=True, timeout=60)  # fmt: skip
    summary = json.loads(done.stdout)["summary"]
    expected = [{"file": name.replace("SECRET-7f", "***"), "reason": reasons[kind]}
                for kind, name in zip(kinds, names, strict=True) if kind != "valid"]  # fmt: skip
    assert summary["unread"] == expected
    assert summary["files"] == len(names)
    assert done.returncode == (2 if expected else 0)
    assert "SECRET-7f" not in done.stdout + done.stderr
    assert len(done.stderr.splitlines()) == len(expected)


@pytest.mark.parametrize(("target", "file"), [("afile", "afile"), ("afile/x/y", "afile"), ("./afile/x/", "./afile"),
                                              ("out", "out/bundled")])  # fmt: skip
def test_schemas_export_onto_a_file_says_it_is_a_file_and_names_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str, file: str
) -> None:
    # mkdir's "File exists" read as if the export refused to overwrite; a file on the way said "Not a directory"
    # under the target's name, not the file's.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "out").mkdir()
    write(tmp_path, file, "kept")
    code, _, err = run(capsys, "schemas", "export", target)
    assert code == 2
    assert err.strip() == f"notify-schemas: error: {file}: a file, not a folder: schemas export writes into a folder"
    assert (tmp_path / file).read_text() == "kept"


@pytest.mark.parametrize("given", [".", "./", ".//", "ex", "ex/", "ex//", "./ex/.", "../{folder}/ex", "{tmp}/ex/"])
def test_schemas_export_names_the_file_it_could_not_write_within_the_folder_given(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: str
) -> None:
    # `schemas export .` named "." (the name of a file in it did not start with "."), and `ex/` "ex//envelope.json".
    (tmp_path / "ex" / "envelope.json").mkdir(parents=True)  # a folder where the export writes a file
    monkeypatch.chdir(tmp_path / "ex" if given.startswith(".") and "ex" not in given else tmp_path)
    given = given.replace("{folder}", tmp_path.name).replace("{tmp}", str(tmp_path))
    code, _, err = run(capsys, "schemas", "export", given)
    assert code == 2
    named = err.strip().removeprefix("notify-schemas: error: ").removesuffix(": Is a directory")
    assert os.path.samefile(named, tmp_path / "ex" / "envelope.json"), err
    assert named == given.rstrip("/") + "/envelope.json"


@pytest.mark.parametrize(("leads_to", "why"), [("gone/folder", "a link to nothing there"),
                                               ("link", "too many levels of symbolic links")])  # fmt: skip
@pytest.mark.parametrize("under", ["", "/x", "/x/y/"])
def test_schemas_export_onto_a_link_that_leads_nowhere_says_so_and_names_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, leads_to: str, why: str,
    under: str,
) -> None:  # fmt: skip
    # mkdir's "File exists" read as if the export refused to overwrite, for a link to a folder not there (which
    # mkdir -p does not make either) and for a link to itself.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "link").symlink_to(leads_to)
    code, _, err = run(capsys, "schemas", "export", "link" + under)
    assert code == 2
    assert err.startswith("notify-schemas: error: link")  # the link, or a folder under it that the system names
    assert why in err.lower()
    assert err.count("\n") == 1
    assert "File exists" not in err


# --- emit and validate judge alike ---------------------------------------------------------------------------------

_RAW_VALUES = [text.encode() for text in [
    "NaN", "Infinity", "-Infinity", "1e400", "-1e400", "1E+400", str(2**53 - 1), str(2**53), str(2**64),
    "-" + str(2**63), "1" + "0" * 40, "5.0", "-0", '"\\ud800"', '"\\udfff\\ud800"', '"a\\udc80b"', '"\\u0000"',
    '"\u00e9\U0001f600"', "null", "[]", "{}", '"x"']] + [b'"\xff"', b'"\xed\xa0\x80"', b'"\xc0\xaf"']  # fmt: skip
_PRIORITIES = st.sampled_from(["INFO", "WARN", "ERROR", "info", "Info", "warn", "error", "WARNING", "DEBUG", "INFO ",
                               " INFO", "\u0131nfo", "\u0130NFO"])  # fmt: skip


def _payload_text(draw: st.DrawFn, payload: Any) -> bytes:
    """The JSON text of ``payload``, left as it is, or with one value (the payload itself, say) replaced by a raw text
    (NaN, 1e400, a lone surrogate escape, an integer past 2**53, bytes that are not UTF-8, ...), or with a key of one
    of its objects written twice."""
    kind = draw(st.sampled_from(["as is", "raw value", "key twice"]))
    paths = _paths(payload)
    if kind == "as is":
        return json.dumps(payload, ensure_ascii=draw(st.booleans())).encode()
    if kind == "raw value":
        path = draw(st.sampled_from(paths if isinstance(payload, dict | list) else [()]))
        raw = draw(st.sampled_from(_RAW_VALUES))
        if not path:
            return raw
        _at(payload, path[:-1])[path[-1]] = "@@RAW@@"
        return json.dumps(payload).encode().replace(b'"@@RAW@@"', raw, 1)
    objects = [p for p in paths if isinstance(_at(payload, p), dict) and _at(payload, p)]
    if not objects:
        return json.dumps(payload).encode()
    path = draw(st.sampled_from(objects))
    target = _at(payload, path)
    key = draw(st.sampled_from(sorted(target)))
    target["@@TWICE@@"] = draw(st.sampled_from([None, 1, "x"]))
    return json.dumps(payload).encode().replace(b'"@@TWICE@@"', json.dumps(key).encode(), 1)


def _at(value: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        value = value[part]
    return value


@st.composite
def _emitted(draw: st.DrawFn) -> tuple[str, str, str, bytes]:
    """(profile, event type, priority, payload text): of a variant, its priority as given or written otherwise, and
    its payload valid or broken as a producer's text may be broken."""
    v, message = draw(valid_or_broken_messages())
    event_type = draw(st.sampled_from([v.event_type, v.event_type.upper(), v.event_type + ".x", "image.uplod"]))
    priority = draw(st.sampled_from([v.priority]) | _PRIORITIES)
    profile = draw(st.sampled_from([v.profile, *sorted({w.profile for w in ALL_VARIANTS} - {v.profile})]))
    payload = message.get("payload") if isinstance(message, dict) else message
    return profile, event_type, priority, _payload_text(draw, payload)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(case=_emitted())
def test_emit_and_validate_give_one_verdict_on_any_payload_text(case: tuple[str, str, str, bytes]) -> None:
    # emit judges the notification it builds as validate judges the same notification written as a line: a payload
    # that validate calls invalid or unreadable is never sent, and one it calls valid is sent.
    profile, event_type, priority, payload = case
    with tempfile_dir() as where:
        payload_file = write(Path(where), "payload.json", payload)
        envelope = {"message_id": str(uuid.uuid4()), "publisher_id": "image.localhost", "event_type": event_type,
                    "priority": priority, "timestamp": "2024-05-01 10:20:30.123456"}  # fmt: skip
        line = write(
            Path(where), "line.jsonl", json.dumps(envelope).encode()[:-1] + b', "payload": ' + payload + b"}\n"
        )
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()) as err:
            emitted = main(["emit", event_type, priority, "--payload", payload_file, "--driver", "memory",
                            "--profile", profile, "--publisher-id", "image.localhost"])  # fmt: skip
        with contextlib.redirect_stdout(io.StringIO()) as out, contextlib.redirect_stderr(io.StringIO()):
            validated = main(["validate", "--profile", profile, line])
    assert "Traceback" not in err.getvalue()
    assert emitted == validated, (emitted, err.getvalue(), out.getvalue())


class _Unread(io.StringIO):
    """A standard input that must not be read."""

    @property
    def buffer(self) -> Any:
        raise AssertionError("the standard input was read")


@pytest.mark.parametrize(
    ("options", "expected"),
    [(["--driver", "bogus"], "no notification driver named 'bogus'"),
     (["--config-file", "{missing}"], "no such configuration file"),
     (["--config-file", "{folder}"], "Is a directory"),
     # A messaging driver without a transport_url sent to oslo's in-process fake:// broker, which ends with the
     # command: exit 0, the notification printed as sent, and delivered nowhere.
     (["--driver", "messaging"], "the messaging driver needs a transport_url"),
     (["--driver", "log", "--driver", "messagingv2"], "the messagingv2 driver needs a transport_url"),
     (["--config-file", "{bare}"], "the messagingv2 driver needs a transport_url"),
     # Named in so many words (in any case, with or without //, as oslo.messaging reads a scheme), the same broker:
     # exit 0, delivered nowhere.
     *[(["--config-file", f"{{{name}}}"], f"the messagingv2 driver's transport_url {url} is oslo's in-process "
        "broker") for name, url in [("fake", "fake://"), ("upper", "FAKE://"), ("bare_fake", "fake:"),
                                    ("secret", "fake://u:***@h/"), ("plus", "fake+rabbit://h/")]]],
)  # fmt: skip
def test_emit_says_a_usage_error_before_it_reads_the_payload(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, options: list[str],
    expected: str
) -> None:  # fmt: skip
    # --payload - waited for the standard input (a terminal: until Ctrl-D), judged it, and only then said that the
    # driver or the configuration file was wrong; an empty input made it exit 1, "the payload is not JSON", instead.
    monkeypatch.setattr(sys, "stdin", _Unread())
    bare = write(tmp_path, "bare.conf", "[oslo_messaging_notifications]\ndriver = messagingv2\n")
    fakes = {name: write(tmp_path, f"{name}.conf", f"[oslo_messaging_notifications]\ndriver = messagingv2\n"
                                                   f"transport_url = {url}\n")
             for name, url in [("fake", "fake://"), ("upper", "FAKE://"), ("bare_fake", "fake:"),
                               ("secret", f"fake://u:{CANARY}@h/"),
                               # oslo.messaging loads the driver named before a +: fake+rabbit is fake
                               ("plus", "fake+rabbit://h/")]}  # fmt: skip
    words = [o.format(missing=tmp_path / "gone.conf", folder=tmp_path, bare=bare, **fakes) for o in options]
    code, out, err = run(capsys, "emit", "image.create", "INFO", "--payload", "-", *words)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert expected in err
    assert CANARY not in err


class _FullOutput(io.StringIO):
    """A standard output whose every write fails, as /dev/full's does."""

    def write(self, text: str) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("failing", ["stdout", "run"])
def test_the_demo_stops_its_listener_whatever_ends_it_early(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], failing: str
) -> None:
    # demo >/dev/full left its listener running: oslo's threads went on delivering from the embedded broker as the
    # process ended, and futurist, joining at exit a pool thread one of them had not yet started, printed a traceback.
    import threading

    from notify_schemas.cli import demo

    before = set(threading.enumerate())
    if failing == "stdout":
        monkeypatch.setattr(sys, "stdout", _FullOutput())
    else:  # what the demo's own run raises, after the listener started
        monkeypatch.setattr(demo, "run_demo", lambda notifier: (_ for _ in ()).throw(OSError(errno.EIO, "I/O error")))
    assert main(["demo"]) == 2
    assert "error:" in capsys.readouterr().err
    left = [t for t in set(threading.enumerate()) - before if t.is_alive()]
    assert not left, left


@pytest.mark.parametrize("mode", ["strict", "off"])
def test_the_demos_table_keeps_its_columns_whatever_the_verdicts(capsys: pytest.CaptureFixture[str], mode: str) -> None:
    # With --validation off, "unchecked" pushed each row's payload two columns past the header's.
    main(["demo", "--driver", "memory", "--validation", mode])
    table = capsys.readouterr().out.splitlines()[:16]  # the header and a row for each of the 15 notifications
    starts = {table[0].index("payload")} | {line.index("{" if "{" in line else '"') for line in table[1:]}
    assert len(starts) == 1, table


@pytest.mark.parametrize("mode", ["strict", "warn"])
def test_the_demos_table_is_written_when_every_verdict_names_a_violation(
    capsys: pytest.CaptureFixture[str], mode: str
) -> None:
    # A publisher id that no notification may have made every row name its violation, and the widest one-word verdict
    # was looked for among none: a TypeError's traceback, exit 1, for D101's own example.
    code = main(["demo", "--driver", "memory", "--validation", mode, "--publisher-id", "bad id"])
    out = capsys.readouterr().out.splitlines()
    assert code == 1
    assert out[0].split() == ["#", "event_type", "priority", "verdict", "payload"]
    assert len([line for line in out[1:16] if "publisher_id" in line]) == 15, out
    assert out[16].startswith("15 notifications")
