"""The evolution guard: known breaking edits are found with a witness, known safe edits pass, the command's exit codes.

Each test copies the repository's schemas into a temporary directory, edits the copy's JSON, regenerates its bundles,
and compares it with an unedited copy. Every witness is checked here again with jsonschema-rs on the bundled files.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from support import running_its_main

from notify_schemas.authoring import compat
from notify_schemas.authoring.bundle import main as bundle_command
from notify_schemas.authoring.bundle import write_bundles
from notify_schemas.authoring.compat import VariantReport, main
from notify_schemas.authoring.compat import compare as compare_folders
from notify_schemas.authoring.compat.satisfiable import contradiction
from notify_schemas.authoring.compat.verdicts import Break

SCHEMAS = Path(__file__).parent.parent / "schemas"
EXAMPLES = 3  # generation is the slow part (about 0.1 s a message): a few per search keep the file under a minute
# A verdict a test asserts must not rest on how busy the machine is: a direction that generation's time limit cut short
# is undecided (D106), so the limit is generous here, unless a test gives its own (those about the limit itself).
LIMIT = 600.0


def compare(old: Any, new: Any, **options: Any) -> list[VariantReport]:
    return compare_folders(old, new, **{"time_limit": LIMIT, **options})


Edit = Callable[[Path], None]


def edit_json(relative: str, change: Callable[[dict[str, Any]], None]) -> Edit:
    def apply(root: Path) -> None:
        path = root / relative
        document = json.loads(path.read_text(encoding="utf-8"))
        change(document)
        path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")

    return apply


def schema_copy(path: Path, *edits: Edit) -> Path:
    shutil.copytree(SCHEMAS, path)
    for edit in edits:
        edit(path)
    with contextlib.suppress(ValueError):  # a folder the writer refuses: compat, which reads the sources, must too
        write_bundles(path)
    return path


@pytest.fixture(scope="module")
def old(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return schema_copy(tmp_path_factory.mktemp("compat") / "old")


def bundled(root: Path, report: VariantReport) -> dict[str, Any] | None:
    path = root / "bundled" / report.profile / f"{report.event_type}.{report.priority}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def is_valid(schema: dict[str, Any] | None, message: Any) -> bool:
    return schema is not None and jsonschema_rs.validator_for(schema).is_valid(message)


def check_witnesses(old: Path, new: Path, report: VariantReport) -> None:
    """Every break's witness is valid on the side it comes from and invalid on the other."""
    assert report.breaks
    for b in report.breaks:
        wider, narrower = (old, new) if b.direction == "backward" else (new, old)
        assert isinstance(b.witness, dict), b
        assert is_valid(bundled(wider, report), b.witness), b.reason
        assert not is_valid(bundled(narrower, report), b.witness), b.reason


def names_using(root: Path, text: str) -> set[str]:
    """The variants whose bundled file contains ``text``: those a change to a shared definition reaches."""
    return {
        " ".join([p.parent.name, *p.name.removesuffix(".json").rsplit(".", 1)])
        for p in (root / "bundled").glob("*/*.json")
        if text in p.read_text(encoding="utf-8")
    }


# --- breaking edits -----------------------------------------------------------------------------------------------


def _remove_qcow2(doc: dict[str, Any]) -> None:
    doc["definitions"]["disk_format"]["enum"].remove("qcow2")


def _require_backend(doc: dict[str, Any]) -> None:
    doc["definitions"]["image_with_import_and_backend"]["required"].append("backend")


def _virtual_size_not_nullable(doc: dict[str, Any]) -> None:
    integer = {"$ref": "common.json#/definitions/non_negative_integer"}
    doc["definitions"]["image"]["properties"]["virtual_size"] = integer


def _remove_variant(root: Path) -> None:
    (root / "glance" / "task.run.INFO.json").unlink()


BREAKING: dict[str, tuple[Edit, str, str, Callable[[Any], bool]]] = {
    # name: (edit, text marking the variants it reaches, words of the reason, what the witness shows)
    "removed enum value": (
        edit_json("definitions/image.json", _remove_qcow2),
        '"qcow2"',
        'payload.disk_format: value "qcow2" no longer allowed',
        lambda m: m["payload"]["disk_format"] == "qcow2",
    ),
    "new required key": (
        edit_json("definitions/image.json", _require_backend),
        '"image.image_with_import_and_backend"',
        'payload: new required key "backend"',
        lambda m: "backend" not in m["payload"],
    ),
    "narrower type": (
        edit_json("definitions/image.json", _virtual_size_not_nullable),
        '"#/definitions/image.image"',
        # image.create, whose record has no data yet, then accepts no virtual_size at all (D39)
        "payload.virtual_size: type narrowed to integer: null no longer accepted|NEW accepts no message of this "
        'variant: payload.virtual_size can never be satisfied: no type is in all of "integer" and "null"',
        lambda m: m["payload"]["virtual_size"] is None,
    ),
}


@pytest.mark.parametrize("case", BREAKING)
def test_a_breaking_edit_is_found_with_a_witness(old: Path, tmp_path: Path, case: str) -> None:
    edit, marker, reason, shows = BREAKING[case]
    new = schema_copy(tmp_path / "new", edit)
    # Each verdict decided, not cut short on a busy machine (D106): the search takes about a second a variant.
    reports = compare(old, new, examples=EXAMPLES, time_limit=120)

    broken = {r.name for r in reports if not r.backward}
    assert broken == names_using(old, marker)
    for report in reports:
        if report.name in broken:
            assert report.change == "changed"
            # Each edit only narrows: NEW accepts nothing that OLD rejects.
            assert report.status == "forward compatible"
            check_witnesses(old, new, report)
            found = [b for b in report.breaks if b.reason in reason.split("|")]
            assert found, [b.reason for b in report.breaks]
            assert shows(found[0].witness)
        else:
            assert report.status == "compatible", report


def test_a_removed_variant_is_breaking_with_a_valid_old_message(old: Path, tmp_path: Path) -> None:
    new = schema_copy(tmp_path / "new", _remove_variant)
    reports = compare(old, new, examples=EXAMPLES)
    assert [r.name for r in reports if r.status != "compatible"] == ["glance task.run INFO"]
    (report,) = (r for r in reports if r.name == "glance task.run INFO")
    assert (report.change, report.status, report.backward) == ("removed", "breaking", False)
    (gone,) = report.breaks
    assert (gone.direction, gone.source) == ("backward", "variant")
    assert gone.witness["event_type"] == "task.run"
    assert is_valid(bundled(old, report), gone.witness)
    # ... and the other way round, the same variant is an added one: backward compatible, not forward.
    (added,) = (r for r in compare(new, old, examples=EXAMPLES) if r.name == "glance task.run INFO")
    assert (added.change, added.status) == ("added", "backward compatible")
    assert is_valid(bundled(old, added), added.breaks[0].witness)


def test_a_typed_key_added_to_an_open_object_narrows_it(old: Path, tmp_path: Path) -> None:
    """The seed's task result is any object: typing one of its keys rejects results OLD accepted."""

    def typed_key(doc: dict[str, Any]) -> None:
        doc["definitions"]["result"]["properties"] = {"image_id": {"type": "string"}}

    new = schema_copy(tmp_path / "new", edit_json("definitions/task.json", typed_key))
    reports = compare(old, new, examples=EXAMPLES)
    (report,) = (r for r in reports if not r.backward)
    assert report.name == "seed task.success INFO"
    check_witnesses(old, new, report)
    assert report.breaks[0].reason == "payload.result.image_id: type narrowed to string"
    assert not isinstance(report.breaks[0].witness["payload"]["result"]["image_id"], str)


def test_generation_alone_finds_a_witness(old: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the structural comparison switched off, the property-based search still finds a narrower type."""

    def name_not_nullable(doc: dict[str, Any]) -> None:  # in one variant only: generation is slow
        doc["properties"]["payload"]["allOf"].append({"type": "object", "properties": {"name": {"type": "string"}}})

    monkeypatch.setattr(compat.structure.Walk, "walk", lambda *args, **kwargs: None)
    new = schema_copy(tmp_path / "new", edit_json("seed/image.create.INFO.json", name_not_nullable))
    reports = compare(old, new, examples=10, time_limit=300)  # whole messages, both ways: decided, not cut (D106)
    (report,) = (r for r in reports if r.status != "compatible")
    assert (report.name, report.status) == ("seed image.create INFO", "forward compatible")
    check_witnesses(old, new, report)
    (found,) = report.breaks
    assert found.source == "property"
    assert found.reason == 'payload.name: null is not of type "string" (found by generation)'
    # The generated witness is moved toward a corpus message: only the offending value stays as generated.
    assert found.witness["payload"]["name"] is None
    assert found.witness["publisher_id"] == "image.glance-api-1"


def test_a_direction_the_time_limit_cut_short_is_undecided_not_compatible(
    old: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A narrowing whose witness generation had no time to find was called compatible both ways, exit 0 (D106)."""

    def name_not_nullable(doc: dict[str, Any]) -> None:
        doc["properties"]["payload"]["allOf"].append({"type": "object", "properties": {"name": {"type": "string"}}})

    monkeypatch.setattr(compat.structure.Walk, "walk", lambda *args, **kwargs: None)  # generation alone can tell
    old = schema_copy(tmp_path / "old")
    new = schema_copy(tmp_path / "new", edit_json("seed/image.create.INFO.json", name_not_nullable))
    for folder in (old, new):  # no corpus message to show the break as it is
        shutil.rmtree(folder / "corpus")
    [report] = [r for r in compare(old, new, examples=10, time_limit=0) if r.name == "seed image.create INFO"]
    assert (report.status, report.backward, report.forward, report.cut_short) == ("undecided", None, None, True)
    assert all(r.status == "compatible" for r in compare(old, old, time_limit=0))  # nothing to search: decided
    code, out, _ = run(capsys, old, new, "--examples", "10", "--time-limit", "0")
    assert code == 1  # a guard that could not check does not pass
    assert "seed image.create INFO: undecided: backward and forward compatibility not checked to the end" in out
    assert "1 undecided; undecided whether NEW is backward compatible with OLD" in out.splitlines()[-1]
    code, out, _ = run(capsys, old, new, "--examples", "10", "--time-limit", "0", "--format", "json")
    summary = json.loads(out)["summary"]
    assert (code, summary["undecided"], summary["backward_compatible"]) == (1, 1, None)


def test_a_run_leaves_no_hypothesis_folder_in_the_callers(old: Path, tmp_path: Path) -> None:
    # Hypothesis writes what it learns of the code it runs under .hypothesis in the current folder: a compat run that
    # generated left one there (a release's checkout, a CI workspace), which the conformance suite never did.
    new = schema_copy(tmp_path / "new", edit_json("definitions/image.json", _remove_qcow2))
    here = tmp_path / "here"
    here.mkdir()
    environment = {k: v for k, v in os.environ.items() if k != "HYPOTHESIS_STORAGE_DIRECTORY"}
    command = [sys.executable, "-m", "notify_schemas", "compat", str(old), str(new), "--time-limit", "1"]
    done = subprocess.run(command, cwd=here, env=environment, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 1, done.stderr
    assert list(here.iterdir()) == []


def test_a_run_from_a_removed_folder_says_why_generation_cannot_start(old: Path, tmp_path: Path) -> None:
    # "notify-schemas compat: error: No such file or directory", naming nothing: Hypothesis asks for the current
    # folder when it is imported.
    new = schema_copy(tmp_path / "new", edit_json("definitions/image.json", _remove_qcow2))
    gone = tmp_path / "gone"
    gone.mkdir()
    script = 'cd "$1" && rmdir "$1" && shift && exec "$@"'
    command = ["sh", "-c", script, "sh", str(gone), sys.executable, "-m", "notify_schemas", "compat", str(old),
               str(new), "--time-limit", "1"]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 2
    assert done.stderr.startswith("notify-schemas compat: error: generation needs a current folder, and the one ")
    assert done.stderr.count("\n") == 1


def test_generation_searches_where_the_schemas_differ(
    old: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no structural finding, generation at the changed place (payload.size) finds the narrower type.

    The whole message is not generated: the place's small schema is, and it is put into a corpus message.
    """

    def size_not_nullable(doc: dict[str, Any]) -> None:
        doc["properties"]["payload"]["allOf"].append({"type": "object", "properties": {"size": {"type": "integer"}}})

    monkeypatch.setattr(compat.structure.Walk, "add", lambda *args, **kwargs: None)
    whole: list[Any] = []
    generate = compat.witnesses._generate
    monkeypatch.setattr(compat.witnesses, "_generate", lambda *args: whole.append(args) or generate(*args))
    new = schema_copy(tmp_path / "new", edit_json("seed/image.update.INFO.json", size_not_nullable))
    (report,) = (r for r in compare(old, new, examples=10) if r.status != "compatible")
    assert (report.name, report.status) == ("seed image.update INFO", "forward compatible")
    check_witnesses(old, new, report)
    (found,) = report.breaks
    assert (found.source, found.witness["payload"]["size"]) == ("property", None)
    assert found.witness["publisher_id"] == "image.glance-api-1"
    assert not whole


def test_one_removed_enum_value_is_answered_quickly_with_the_witness_of_each_variant(old: Path, tmp_path: Path) -> None:
    """A value removed from a shared definition breaks every variant that uses it, each with its own witness."""

    def no_ploop(doc: dict[str, Any]) -> None:
        doc["definitions"]["disk_format"]["enum"].remove("ploop")

    new = schema_copy(tmp_path / "new", edit_json("definitions/image.json", no_ploop))
    reports = [r for r in compare(old, new) if r.change == "changed"]
    assert reports
    assert all(r.status == "forward compatible" for r in reports)
    for report in reports:
        check_witnesses(old, new, report)
        assert report.breaks[0].reason.endswith('value "ploop" no longer allowed')
        assert not report.notes


# --- safe edits ---------------------------------------------------------------------------------------------------


def _safe_edits(doc: dict[str, Any]) -> None:
    # A wider enum, and a new optional key where the model is open (the image's properties take any string value).
    doc["definitions"]["disk_format"]["enum"].insert(-1, "luks")
    properties = doc["definitions"]["properties"]["properties"]
    properties["os_hash_algo"] = {"description": "The hash algorithm of os_hash_value.", "type": "string"}


def test_safe_edits_are_backward_compatible(old: Path, tmp_path: Path) -> None:
    new = schema_copy(tmp_path / "new", edit_json("definitions/image.json", _safe_edits))
    reports = compare(old, new, examples=EXAMPLES)
    assert all(r.backward for r in reports), [(r.name, [b.reason for b in r.breaks]) for r in reports if not r.backward]
    assert not [r.notes for r in reports if r.notes]
    # The wider enum is not forward compatible: a NEW message with the new value is invalid under OLD.
    not_forward = [r for r in reports if not r.forward]
    assert {r.name for r in not_forward} == names_using(old, '"qcow2"')
    for report in not_forward:
        assert report.status == "backward compatible"
        check_witnesses(old, new, report)
        assert report.breaks[0].witness["payload"]["disk_format"] == "luks"
    assert {r.status for r in reports if r.forward} == {"compatible"}


def test_identical_directories_are_compatible_both_ways(old: Path, tmp_path: Path) -> None:
    reports = compare(old, schema_copy(tmp_path / "new"), examples=EXAMPLES)
    assert len(reports) == len(list(SCHEMAS.glob("seed/*.json"))) + len(list(SCHEMAS.glob("glance/*.json")))
    assert {(r.change, r.status, r.backward, r.forward, r.breaks) for r in reports} == {
        ("unchanged", "compatible", True, True, ())
    }


def _same_contract_rewritten(root: Path) -> None:
    """common.json's uuid renamed uuid_v4 and moved into image.json, descriptions edited, every enum, required list
    and type list reversed, annotations added: the text of most variants changes, what they accept does not."""

    def reversed_lists(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("enum", "required", "type") and isinstance(value, list):
                    value.reverse()
                else:
                    reversed_lists(value)
        elif isinstance(node, list):
            for item in node:
                reversed_lists(item)

    common, image = root / "definitions" / "common.json", root / "definitions" / "image.json"
    moved = json.loads(common.read_text(encoding="utf-8"))["definitions"]["uuid"]
    edit_json("definitions/common.json", lambda doc: doc["definitions"].pop("uuid"))(root)
    edit_json("definitions/image.json", lambda doc: doc["definitions"].update(uuid_v4=moved))(root)
    for path in [
        *root.glob("*.json"),
        *(p for folder in ("definitions", "seed", "glance") for p in (root / folder).glob("*.json")),
    ]:
        text = path.read_text(encoding="utf-8")
        target = "#/definitions/uuid_v4" if path == image else "image.json#/definitions/uuid_v4"
        text = text.replace('common.json#/definitions/uuid"', f'{target}"').replace(
            '"#/definitions/uuid"', f'"{target}"'
        )
        document = json.loads(text)
        reversed_lists(document)
        for definition in document.get("definitions", {}).values():
            definition.update(description="Edited.", examples=[1], default=None, title="Edited")
        path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def test_the_same_contract_rewritten_is_compatible_without_a_search(
    old: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each variant whose bundle changed in text alone was searched by generation: 35 s for seed image.upload INFO,
    # eight minutes for a definition renamed.
    def searched(*args: Any) -> None:
        raise AssertionError("a witness searched for")

    new = tmp_path / "new"
    shutil.copytree(SCHEMAS, new)
    _same_contract_rewritten(new)
    monkeypatch.setattr(compat.witnesses, "find", searched)
    monkeypatch.setattr(compat.witnesses, "_generate", searched)
    reports = compare(old, new, examples=EXAMPLES)
    assert {(r.status, r.breaks, r.notes) for r in reports} == {("compatible", (), ())}
    assert sum(r.change == "changed" for r in reports) > 30


def test_a_property_named_as_an_annotation_is_compared(old: Path, tmp_path: Path) -> None:
    """Annotations are left out of the comparison, not the properties that bear their names."""

    def short_description(doc: dict[str, Any]) -> None:
        doc["definitions"]["namespace"]["properties"]["description"]["maxLength"] = 3

    new = schema_copy(tmp_path / "new", edit_json("definitions/metadef.json", short_description))
    broken = [r for r in compare(old, new, examples=0) if r.status != "compatible"]
    assert broken
    for report in broken:
        assert report.breaks[0].reason == "payload.description: maxLength 3 added"
        check_witnesses(old, new, report)


# --- the command --------------------------------------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    words = [str(a) for a in argv]
    code = main(words if "--time-limit" in words else ["--time-limit", str(LIMIT), *words])
    out, err = capsys.readouterr()
    return code, out, err


def reports_of(out: str) -> list[str]:
    return [line for line in out.splitlines()[:-1] if not line.startswith(" ")]


def test_command_exits_0_when_backward_compatible(old: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, old, SCHEMAS, "--examples", "3")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert "seed image.create INFO: backward and forward compatible (unchanged)" in lines
    assert lines[-1].endswith("0 breaking; NEW is backward compatible with OLD")


def _no_ploop(doc: dict[str, Any]) -> None:
    doc["definitions"]["disk_format"]["enum"].remove("ploop")


def test_without_the_extra_the_error_names_it(
    old: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "hypothesis_jsonschema", None)  # as if it were not installed
    new = schema_copy(tmp_path / "new", edit_json("definitions/image.json", _no_ploop))
    code, out, err = run(capsys, old, new)
    assert (code, out) == (2, "")
    assert len(err.splitlines()) == 1
    assert "pip install 'notify-schemas[compat]'" in err
    # Without generation the structural comparison still answers.
    assert run(capsys, old, new, "--examples", "0")[0] == 1


def test_progress_is_shown_on_a_terminal_and_erased(
    old: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    monkeypatch.setenv("TERM", "xterm")
    code, out, err = run(capsys, old, SCHEMAS, "--examples", "0")
    assert code == 0
    total = len(reports_of(out))
    assert f"] 0/{total} variants: glance " in err
    assert f"] {total - 1}/{total} variants: seed " in err
    assert err.endswith("\r\033[K")
    assert "variants:" not in out.splitlines()[0]


_CANARY = "CANARYSECRET"


def _added_variant_named(name: str) -> Edit:
    """A variant added under a file name of the given event type."""

    def apply(root: Path) -> None:
        document = json.loads((root / "seed" / "image.create.INFO.json").read_text(encoding="utf-8"))
        document["$id"] = f"https://notify-schemas.dev/schemas/v1/seed/{name}.INFO.json"
        document["properties"]["event_type"]["const"] = name
        (root / "seed" / f"{name}.INFO.json").write_text(json.dumps(document), encoding="utf-8")

    return apply


@pytest.mark.parametrize("output", ["text", "json", "progress"])
def test_a_credential_in_a_schema_files_name_is_masked_in_the_report_and_the_progress_line(
    old: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, output: str
) -> None:
    new = schema_copy(tmp_path / "new", _added_variant_named(f"image.x;password={_CANARY}"))
    monkeypatch.setattr(sys.stderr, "isatty", lambda: output == "progress")
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setenv("COLUMNS", "200")  # the whole name shown, not cut to a terminal's width
    code, out, err = run(capsys, old, new, "--examples", "0", "--format", "json" if output == "json" else "text")
    assert code == 0
    assert "image.x;password=***" in (err if output == "progress" else out)
    assert _CANARY not in out + err


@pytest.mark.parametrize("output", ["text", "json"])
def test_a_credential_in_a_reason_a_witness_or_a_note_is_redacted_in_the_report(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, output: str
) -> None:
    # What a user's schemas may put there: a constant the reason quotes, a witness with a secret's key or one that
    # must never be written, a name.
    witness = {"payload": {"auth_token": _CANARY, "locations": [{"url": _CANARY}], "x": f"rabbit://u:{_CANARY}@h"}}
    found = Break("backward", f"'token={_CANARY}' is no longer allowed", witness, "structural")
    report = VariantReport("seed", f"image.x password={_CANARY}", "INFO", "changed", False, True, (found,),
                           (f"secret={_CANARY} not confirmed",))  # fmt: skip
    monkeypatch.setattr(compat.report, "compare", lambda *args, **kwargs: [report])
    code, out, err = run(capsys, SCHEMAS, SCHEMAS, "--format", output)
    assert code == 1
    assert _CANARY not in out + err
    assert "[redacted: may hold credentials]" in out


def test_command_exits_1_with_reason_and_witness(old: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    new = schema_copy(tmp_path / "new", _remove_variant)
    code, out, _ = run(capsys, old, new, "--examples", "3")
    assert code == 1
    (line,) = (x for x in out.splitlines() if x.startswith("glance task.run INFO:"))
    head, witness = line.split("; witness: ")
    assert head == "glance task.run INFO: breaking (removed): variant removed: glance/task.run.INFO.json is not in NEW"
    assert json.loads(witness)["event_type"] == "task.run"
    assert out.splitlines()[-1] == (
        f"{len(reports_of(out))} variants: {len(reports_of(out)) - 1} compatible, 0 backward compatible, "
        "0 forward compatible, 1 breaking; NEW is not backward compatible with OLD"
    )

    code, out, _ = run(capsys, old, new, "--examples", "3", "--format", "json")
    document = json.loads(out)
    assert code == 1
    assert document["summary"]["backward_compatible"] is False
    (removed,) = (v for v in document["variants"] if v["change"] == "removed")
    assert removed["status"] == "breaking"
    assert removed["breaks"][0]["witness"]["event_type"] == "task.run"


@pytest.mark.parametrize(
    ("argv", "error"),
    [
        (["{tmp}/missing", "{old}"], "missing: no such directory"),
        (["{old}", "{tmp}"], "not a schema directory"),
        (["{old}/envelope.json", "{old}"], "envelope.json: not a directory"),
        (["{old}"], "the following arguments are required: NEW_DIR"),
        (["{old}", "{old}", "--examples", "-1"], "--examples: must be 0 or more"),
        (["{old}", "{old}", "--examples", "10001"], "--examples: must be at most 10,000"),
        (["{old}", "{old}", "--format", "xml"], "invalid choice: 'xml'"),
    ],
)
def test_usage_and_io_errors_exit_2_with_one_line(
    old: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], error: str
) -> None:
    code, out, err = run(capsys, *(a.format(tmp=tmp_path, old=old) for a in argv))
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert err.startswith("notify-schemas compat: error: ")
    assert error in err


def test_unreadable_schema_exits_2(old: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    new = schema_copy(tmp_path / "new")
    (new / "definitions" / "image.json").write_text("{not json", encoding="utf-8")
    code, _, err = run(capsys, old, new)
    assert code == 2
    assert err.count("\n") == 1
    assert "cannot load the schemas" in err


def _unreadable(path: Path, kind: str) -> None:
    """Put at ``path`` a JSON file that cannot be read as one, of the given kind."""
    path.unlink()
    if kind == "fifo":
        os.mkfifo(path)  # no writer: read, it would wait for ever
    elif kind == "device":
        path.symlink_to("/dev/zero")  # read, it would fill memory
    elif kind == "deep":
        path.write_text("[" * 100_000 + "]" * 100_000)
    else:
        path.write_bytes(b'{"$id": "\xff"}')


@pytest.mark.parametrize("kind", ["fifo", "device", "deep", "not utf-8"])
def test_a_schema_file_that_cannot_be_one_is_a_one_line_error_not_a_hang(
    old: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    new = schema_copy(tmp_path / "new")
    _unreadable(new / "definitions" / "image.json", kind)
    code, _, err = run(capsys, old, new)
    assert code == 2
    assert err.count("\n") == 1
    assert "cannot load the schemas" in err
    assert "Traceback" not in err


SCHEMA_FAULTS = {  # what is written over definitions/image.json: what the error says
    "not JSON": (b'{"$id": "x",\n  "type": }', "definitions/image.json: not JSON: Expecting value at line 2 column 11"),
    "not UTF-8": (
        b'{"$id": "\xff"}',
        "definitions/image.json: not UTF-8 text (binary data?): byte 0xff at line 1 column 10",
    ),
    "NaN": (b'{"$id": "x", "maximum": NaN}', "definitions/image.json: not JSON: NaN is not JSON"),
    "a key twice": (
        b'{"$id": "x", "type": "string", "type": "integer"}',
        "definitions/image.json: a key written twice at /type",
    ),
    # A traceback from jsonschema-rs ("Failed to get UTF-8 representation"), and 1e400 read as infinity, which it
    # took for null: "minimum: null is not of type number".
    "a lone surrogate": (
        b'{"$id": "x", "enum": ["ok", "\\ud800"]}',
        "definitions/image.json: /enum/1: text that is not valid Unicode (a lone surrogate)",
    ),
    "1e400": (
        b'{"$id": "x", "minimum": 1e400}',
        "definitions/image.json: /minimum: inf (a number beyond a double's range",
    ),
}


@pytest.mark.parametrize("fault", SCHEMA_FAULTS)
def test_a_schema_file_that_is_not_strict_json_is_named_with_what_is_wrong_and_where(
    old: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], fault: str
) -> None:
    # The error named no file ("cannot load the schemas: 'utf-8' codec can't decode byte 0xff in position 9"), and
    # NaN or a key written twice, which JSON readers read each their way, passed.
    data, expected = SCHEMA_FAULTS[fault]
    new = schema_copy(tmp_path / "new")
    (new / "definitions" / "image.json").write_bytes(data)
    code, _, err = run(capsys, old, new)
    assert code == 2
    assert err.count("\n") == 1
    assert f"cannot load the schemas: {expected}" in err


def test_a_schema_file_that_starts_with_a_byte_order_mark_is_read_as_validate_reads_one(
    old: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new = schema_copy(tmp_path / "new")
    image = new / "definitions" / "image.json"
    image.write_bytes(b"\xef\xbb\xbf" + image.read_bytes())
    code, out, err = run(capsys, old, new, "--examples", "0")
    assert (code, err) == (0, "")
    assert "0 breaking" in out


@pytest.mark.parametrize("kind", ["fifo", "device", "deep"])
def test_a_corpus_that_cannot_be_read_is_no_corpus_not_a_hang_or_a_traceback(
    old: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    new = schema_copy(tmp_path / "new", edit_json("definitions/image.json", _remove_qcow2))
    _unreadable(new / "corpus" / "seed.json", kind)
    code, out, err = run(capsys, old, new, "--examples", "0")
    assert (code, err) == (1, "")  # OLD's corpus still shows the value NEW no longer takes
    assert 'payload.disk_format: value "qcow2" no longer allowed' in out


def _event_type_too_short(doc: dict[str, Any]) -> None:
    # "image.upload" is too long now: only a message whose event type is "image" is valid any more
    doc["properties"]["event_type"] = {"enum": ["image.upload", "image"], "maxLength": 5}


def test_without_generation_a_corpus_message_new_rejects_is_the_witness(old: Path, tmp_path: Path) -> None:
    # No mutation of a corpus message shows this break (event_type is a const); the corpus messages themselves do.
    new = schema_copy(tmp_path / "new", edit_json("seed/image.upload.INFO.json", _event_type_too_short))
    reports = {r.name: r for r in compare(old, new, examples=0)}
    report = reports["seed image.upload INFO"]
    assert report.status == "forward compatible"
    check_witnesses(old, new, report)
    assert [b.source for b in report.breaks] == ["corpus"]
    assert all(r.status == "compatible" for name, r in reports.items() if name != report.name)


def _ref_cycle(doc: dict[str, Any]) -> None:
    doc["definitions"] = {"a": {"$ref": "#/definitions/b"}, "b": {"$ref": "#/definitions/a"}}
    doc["properties"]["publisher_id"] = {"$ref": "#/definitions/a"}


def test_a_schema_the_walk_cannot_follow_is_an_error_naming_its_files(
    old: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new = schema_copy(tmp_path / "new", edit_json("seed/image.upload.INFO.json", _ref_cycle))
    code, _, err = run(capsys, old, new, "--examples", "0")
    assert code == 2
    assert err.count("\n") == 1
    assert f"{new / 'seed' / 'image.upload.INFO.json'}: cannot bundle: seed/image.upload.INFO.json: " \
        "/definitions/b/$ref: '#/definitions/a' is a $ref cycle ('seed.image.upload.INFO.a' -> " in err  # fmt: skip


def _publisher_id_ref(ref: str) -> Edit:
    return edit_json("seed/image.upload.INFO.json", lambda doc: doc["properties"].update(publisher_id={"$ref": ref}))


def _renamed(root: Path) -> None:
    (root / "seed" / "image.upload.INFO.json").rename(root / "seed" / "image.uploaded.INFO.json")


_NOWHERE = "seed/image.upload.INFO.json: /properties/publisher_id/$ref: "


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (_publisher_id_ref("../definitions/image.json#/definitions/nope"),
         f"{_NOWHERE}'../definitions/image.json#/definitions/nope' leads nowhere in its document"),
        (_publisher_id_ref("#nope"), f"{_NOWHERE}'#nope' leads nowhere in its document"),
        (_publisher_id_ref("../definitions/none.json"),
         f"{_NOWHERE}'../definitions/none.json' names no schema of the folder (no file has the $id "
         "'https://notify-schemas.dev/schemas/v1/definitions/none.json'; none is fetched)"),
        # A remote schema is never fetched (a folder compared offline must not wait on a network), nor a file.
        (_publisher_id_ref("http://10.255.255.1/remote.json#/x"),
         f"{_NOWHERE}'http://10.255.255.1/remote.json#/x' names no schema of the folder (no file has the $id "
         "'http://10.255.255.1/remote.json'; none is fetched)"),
        (_publisher_id_ref("file:///etc/passwd"),
         f"{_NOWHERE}'file:///etc/passwd' names no schema of the folder (no file has the $id 'file:///etc/passwd'; "
         "none is fetched)"),
        (edit_json("definitions/image.json", lambda doc: doc["definitions"]["image"]["properties"]["id"].update(
            {"$ref": "common.json#/title"})),
         "definitions/image.json: /definitions/image/properties/id/$ref: 'common.json#/title' leads to "
         "'Common definitions', not a schema"),
        (_renamed,
         "seed/image.uploaded.INFO.json: its $id must be "
         "'https://notify-schemas.dev/schemas/v1/seed/image.uploaded.INFO.json', which no schema of the folder has"),
    ],
)  # fmt: skip
def test_a_ref_that_leads_nowhere_is_named_not_the_document_it_looked_in(
    old: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], edit: Edit, reason: str
) -> None:
    # The bundle writer, given the same folder, ended in a traceback (referencing's Unresolvable, which quotes the
    # whole document the pointer led nowhere in) where compat said one line: both now say the $ref's file and pointer.
    new = tmp_path / "new"
    shutil.copytree(SCHEMAS, new)
    edit(new)
    code, _, err = run(capsys, old, new, "--examples", "0")
    assert code == 2
    assert err.count("\n") == 1
    assert err.endswith(f": cannot bundle: {reason}\n")
    assert "$schema" not in err  # referencing's text quotes the whole document
    assert bundle_command([str(new)]) == 2  # the writer says the same; a file renamed ended it in a traceback
    out, err = capsys.readouterr()
    assert (out, err) == ("", f"python -m notify_schemas.authoring.bundle: error: {reason}\n")


def _uuid(value: Any) -> Edit:
    return edit_json("definitions/common.json", lambda doc: doc["definitions"].update(uuid=value))


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (_uuid(5), '/definitions/uuid: 5 is not of types "boolean", "object"'),
        (_uuid({"properties": 5}), '/definitions/uuid/properties: 5 is not of type "object"'),
        (_uuid({"properties": {"a": "text"}}), '/definitions/uuid/properties/a: "text" is not of types'),
        (_uuid({"allOf": [None]}), '/definitions/uuid/allOf/0: null is not of types'),
        (_uuid({"not": [1]}), '/definitions/uuid/not: [1] is not of types'),
        (edit_json("definitions/common.json", lambda doc: doc.update(definitions=[1])),
         '/definitions: [1] is not of type "object"'),
    ],
)  # fmt: skip
def test_a_subschema_that_is_no_schema_is_named_by_its_file_and_pointer(
    old: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], edit: Edit, reason: str
) -> None:
    # referencing walked 5 where a schema belongs as one, and compat and the bundle writer ended in its traceback
    # (TypeError: argument of type 'int' is not iterable, AttributeError: 'str' object has no attribute 'get').
    new = tmp_path / "new"
    shutil.copytree(SCHEMAS, new)
    edit(new)
    said = f"definitions/common.json: not a valid JSON Schema at {reason}"
    code, _, err = run(capsys, old, new, "--examples", "0")
    assert code == 2
    assert err.startswith(f"notify-schemas compat: error: {new}/{said}")
    assert bundle_command([str(new)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"python -m notify_schemas.authoring.bundle: error: {said}")
    assert err.count("\n") == 1


def _in_common(**definitions: Any) -> Edit:
    def change(doc: dict[str, Any]) -> None:
        doc["definitions"].update(definitions)
        doc["definitions"]["text"] = {"allOf": [doc["definitions"]["text"], {"$ref": "#/definitions/x"}]}

    return edit_json("definitions/common.json", change)


_COMMON = "definitions/common.json: not a valid JSON Schema at "


def _dialect(doc: dict[str, Any]) -> None:
    doc["$schema"] = "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (_in_common(x={"pattern": "(["}), f'{_COMMON}/definitions/x/pattern: "([" is not a "regex"'),
        (_in_common(x={"multipleOf": 0}),
         f"{_COMMON}/definitions/x/multipleOf: 0 is less than or equal to the minimum of 0"),
        # Rust's regular expressions read \p{L}, Python's do not: python-jsonschema would raise on it while judging.
        (_in_common(x={"pattern": "^\\p{L}$"}), f"{_COMMON}/definitions/x/pattern: '^\\\\p{{L}}$' is not a 'regex'"),
        (edit_json("definitions/common.json", _dialect),
         f"{_COMMON}/$schema: 'https://json-schema.org/draft/2020-12/schema', not draft-07's"),
        # A $ref that is not text ended compat and the bundle writer in a traceback (TypeError from urljoin).
        (_publisher_id_ref(5), 'seed/image.upload.INFO.json: not a valid JSON Schema at /properties/publisher_id/$ref: '
                               '5 is not of type "string"'),  # type: ignore[arg-type]
        (_in_common(x={"$ref": "#/definitions/y"}, y={"anyOf": [{"$ref": "#/definitions/x"}]}),
         "definitions/common.json: /definitions/y/anyOf/0/$ref: '#/definitions/x' is a $ref cycle ('common.x' -> "
         "'common.y' -> 'common.x')"),
    ],
)  # fmt: skip
def test_the_bundle_writer_refuses_what_compat_refuses_naming_the_file_and_pointer(
    old: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], edit: Edit, said: str
) -> None:
    # The writer wrote each of these into the bundles and exited 0, where compat refused the same folder.
    new = tmp_path / "new"
    shutil.copytree(SCHEMAS, new)
    edit(new)
    bundles = {p: p.read_bytes() for p in (new / "bundled").rglob("*.json")}
    assert bundle_command([str(new)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"python -m notify_schemas.authoring.bundle: error: {said}")
    assert err.count("\n") == 1
    assert {p: p.read_bytes() for p in (new / "bundled").rglob("*.json")} == bundles  # nothing written
    code, out, err = run(capsys, old, new, "--examples", "0")
    assert (code, out, err.count("\n")) == (2, "", 1)
    assert said in err


def test_the_bundle_writer_names_a_file_that_is_no_variant(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A seed/ file without a priority in its name ended the writer with "not enough values to unpack (expected 2, got
    # 1)", which named neither the file nor what was wrong with it.
    new = tmp_path / "new"
    shutil.copytree(SCHEMAS, new)
    shutil.copy(new / "seed" / "image.upload.INFO.json", new / "seed" / "upload.json")
    assert bundle_command([str(new)]) == 2
    assert capsys.readouterr() == ("", "python -m notify_schemas.authoring.bundle: error: seed/upload.json: not the "
                                       "file of a variant (<event_type>.<PRIORITY>.json)\n")  # fmt: skip


def test_python_dash_m_runs_the_command(old: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "notify_schemas.authoring.compat", str(old), str(old), "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["summary"]["compatible"] == len(json.loads(done.stdout)["variants"])


@pytest.mark.parametrize("contents", ["[]", '{"$ref": "nowhere.json"}'])
def test_a_json_file_that_is_not_a_schema_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], contents: str
) -> None:
    from notify_schemas.authoring import compat

    source = Path(__file__).parent.parent / "schemas"
    broken = tmp_path / "broken"
    shutil.copytree(source, broken)
    (broken / "seed" / "image.create.INFO.json").write_text(contents)
    assert compat.main([str(source), str(broken)]) == 2
    err = capsys.readouterr().err
    assert "not a schema with a string $id" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("keyword", "error"),
    [
        ({"pattern": "(["}, '"([" is not a "regex"'),
        ({"type": "bogus"}, '"bogus" is not valid'),
        ({"properties": {"": {"type": 5}}}, "/properties//type"),  # a property named by the empty string
    ],
)
def test_a_schema_the_metaschema_refuses_is_a_one_line_error_naming_the_file(
    old: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], keyword: dict[str, Any], error: str
) -> None:
    def add(schema: dict[str, Any]) -> None:
        schema["properties"]["payload"]["allOf"].append(keyword)

    new = schema_copy(tmp_path / "new", edit_json("seed/image.create.INFO.json", add))
    code, out, err = run(capsys, old, new)
    assert (code, out) == (2, "")
    assert err.startswith(f"notify-schemas compat: error: {new / 'seed' / 'image.create.INFO.json'}: not a valid JSON "
                          "Schema at /properties/payload/allOf/3")  # fmt: skip
    assert error in err
    assert err.count("\n") == 1


def test_sigterm_ends_the_comparison_quietly_with_143(old: Path, tmp_path: Path) -> None:
    new = schema_copy(tmp_path / "new", edit_json("definitions/image.json", _virtual_size_not_nullable))
    command = [sys.executable, "-m", "notify_schemas", "compat", str(old), str(new), "--examples", "10000"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    running_its_main(process.pid)
    time.sleep(2)  # well into the comparison
    started = time.monotonic()
    process.terminate()
    _, err = process.communicate(timeout=60)
    assert time.monotonic() - started < 5
    assert process.returncode == 143  # returned by the command itself: a death by the signal would read -15
    assert b"Traceback" not in err


@pytest.mark.parametrize("argv", [["", "schemas"], ["schemas", "  "]])
def test_an_empty_folder_name_is_a_usage_error_not_the_current_folder(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    assert "must not be empty" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["/nonexistent/password='CANARYSECRET'\"", str(SCHEMAS)],
        [str(SCHEMAS), "/nonexistent/https://u:CANARYSECRET@h/x"],
        [str(SCHEMAS), "x\x1b[2J\npassword=CANARYSECRET"],
        ["--seed", "password='CANARYSECRET'\"", "a", "b"],
        ["--examples=token='CANARYSECRET'\"", "a", "b"],
    ],
)
def test_an_error_quoting_what_was_typed_is_masked_and_on_one_line(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert "CANARYSECRET" not in out + err
    assert "\x1b" not in err
    assert len(err.splitlines()) == 1


@pytest.mark.parametrize(
    ("field", "bound"),
    [("name", {"minLength": 10**11}), ("size", {"minimum": 10**400}), ("tags", {"minItems": 10**11}),
     ("name", {"minLength": 300.0}), ("tags", {"minItems": 200.0})],
)  # fmt: skip
def test_a_bound_no_message_can_reach_is_compared_without_building_a_value_of_its_size(
    old: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], field: str, bound: dict[str, Any]
) -> None:
    # minLength 10**11 built a string of 10**11 characters to try as a witness (MemoryError), a minimum of 10**400
    # added a fraction to it (OverflowError), and a length written 300.0, an integer to draft-07, multiplied a string
    # by a float (TypeError): a traceback each.
    def add(schema: dict[str, Any]) -> None:
        schema["properties"]["payload"]["allOf"].append({"properties": {field: bound}})

    new = schema_copy(tmp_path / "new", edit_json("seed/image.upload.INFO.json", add))
    code, out, err = run(capsys, old, new, "--examples", str(EXAMPLES))
    assert (code, err) == (1, "")
    [line] = [line for line in out.splitlines() if line.startswith("seed image.upload INFO")]
    assert line.startswith("seed image.upload INFO: forward compatible; breaking: ")


# --- a variant no message can meet, and generation's time limit ---------------------------------------------------

# Each makes seed image.upload INFO accept no message, by one kind of keyword: (what the payload's allOf gains, the
# words that name the contradiction).
UNSATISFIABLE: dict[str, tuple[Any, str]] = {
    "minLength above maxLength": ({"properties": {"id": {"maxLength": 4}}}, "minLength 36 is more than maxLength 4"),
    "minimum above maximum": ({"properties": {"min_disk": {"minimum": 5, "maximum": 4}}}, "no number lies between"),
    "exclusive bounds": ({"properties": {"min_disk": {"exclusiveMinimum": 4, "exclusiveMaximum": 5}}}, "no integer"),
    "no multiple in the bounds": ({"properties": {"min_disk": {"multipleOf": 10, "minimum": 1, "maximum": 9}}},
                                  "no multiple of 10"),
    "minItems above maxItems": ({"required": ["tags"], "properties": {"tags": {"minItems": 3, "maxItems": 2}}},
                                "minItems 3 is more than maxItems 2"),
    "an item no value meets": ({"required": ["tags"], "properties": {"tags": {"minItems": 1, "items": False}}},
                               "tags[] can never be satisfied"),
    "a required key whose schema is false": ({"properties": {"id": False}}, "its schema is false"),
    "not anything": ({"properties": {"id": {"not": {}}}}, "its schema is not {}"),
    "an enum of another type": ({"properties": {"id": {"enum": [1, 2]}}}, "none of the values it may take (1, 2)"),
    "enums with nothing in common": ({"properties": {"id": {"allOf": [{"enum": ["a"]}, {"enum": ["b"]}]}}},
                                     "no value is in every enum"),
    "a const the rest rejects": ({"properties": {"id": {"const": "x"}}}, 'none of the values it may take ("x")'),
    "a pattern longer than maxLength": ({"properties": {"id": {"pattern": "^[a-f]{40}$"}}}, "matches 40 characters"),
    "types with nothing in common": ({"properties": {"id": {"type": "integer"}}}, "no type is in all of"),
    "no branch of anyOf": ({"properties": {"id": {"anyOf": [{"type": "integer"}, {"maxLength": 3}]}}}, "no branch"),
    "minProperties above maxProperties": ({"minProperties": 3, "maxProperties": 2}, "more than maxProperties 2"),
    "a required key no name may have": ({"propertyNames": {"maxLength": 1}}, "does not meet its propertyNames"),
}  # fmt: skip


def _payload_gains(conjunct: Any) -> Edit:
    def add(schema: dict[str, Any]) -> None:
        schema["properties"]["payload"]["allOf"].append(conjunct)

    return edit_json("seed/image.upload.INFO.json", add)


@pytest.mark.parametrize("case", UNSATISFIABLE)
def test_a_variant_no_message_can_meet_is_a_finding_made_without_generating(
    old: Path, tmp_path: Path, case: str
) -> None:
    # minLength 37 on the shared uuid (its maxLength 36) ran for minutes: generation drew uuids by their pattern and
    # filtered them by a length none has, for every variant, and then called them compatible forward with a note.
    conjunct, words = UNSATISFIABLE[case]
    new = schema_copy(tmp_path / "new", _payload_gains(conjunct))
    started = time.monotonic()
    reports = compare(old, new, examples=50)
    assert time.monotonic() - started < 30
    [report] = [r for r in reports if r.name == "seed image.upload INFO"]
    assert (report.backward, report.forward, report.cut_short) == (False, True, False)
    [gone] = report.breaks
    assert gone.reason.startswith("NEW accepts no message of this variant: payload"), gone.reason
    assert "can never be satisfied" in gone.reason, gone.reason
    assert words in gone.reason, gone.reason
    check_witnesses(old, new, report)
    assert not [r for r in reports if r is not report and r.change != "unchanged"]


def test_an_unsatisfiable_shared_definition_is_answered_in_seconds_each_way(
    old: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def longer_uuid(doc: dict[str, Any]) -> None:
        doc["definitions"]["uuid"]["minLength"] = 37

    new = schema_copy(tmp_path / "new", edit_json("definitions/common.json", longer_uuid))
    started = time.monotonic()
    code, out, err = run(capsys, old, new)
    assert time.monotonic() - started < 60
    assert (code, err) == (1, "")
    lines = reports_of(out)
    assert lines
    assert all("NEW accepts no message of this variant: " in line for line in lines)
    assert all("can never be satisfied: minLength 37 is more than maxLength 36" in line for line in lines)
    code, out, err = run(capsys, new, old, "--format", "json")
    assert (code, err) == (0, "")
    variants = json.loads(out)["variants"]
    assert all(v["status"] == "backward compatible" for v in variants)
    assert all(b["reason"].startswith("OLD accepts no message") for v in variants for b in v["breaks"])


@pytest.mark.parametrize(
    ("conjunct", "words"),
    [({"properties": {"id": {"minLength": 10**400}}}, "minLength 100000... (401 digits) is more than maxLength 36"),
     ({"properties": {"min_disk": {"minimum": 10**400}}}, "no number lies between its minimum 100000... (401 digits)"),
     ({"properties": {"min_disk": {"maximum": -1e308}}}, "between its minimum 0 and its maximum -1e+308")],
)  # fmt: skip
def test_a_contradiction_of_bounds_past_a_double_is_said_in_a_line(
    old: Path, tmp_path: Path, conjunct: Any, words: str
) -> None:
    new = schema_copy(tmp_path / "new", _payload_gains(conjunct))
    [report] = [r for r in compare(old, new, examples=3) if r.name == "seed image.upload INFO"]
    [gone] = report.breaks
    assert words in gone.reason, gone.reason


def _unsatisfiable_by_a_pattern(doc: dict[str, Any]) -> None:
    # No uuid holds no hexadecimal digit: a contradiction of patterns that the keywords alone do not show.
    doc["properties"]["payload"]["allOf"].append({"properties": {"id": {"not": {"pattern": "[0-9a-f]"}}}})


def test_generation_is_cut_short_at_the_time_limit_and_the_report_says_so(
    old: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new = schema_copy(tmp_path / "new", edit_json("seed/image.upload.INFO.json", _unsatisfiable_by_a_pattern))
    started = time.monotonic()
    _, out, err = run(capsys, new, old, "--examples", "10000", "--time-limit", "1", "--format", "json")
    assert time.monotonic() - started < 30
    assert err == ""
    document = json.loads(out)
    [cut] = [v for v in document["variants"] if v["cut_short"]]
    assert (cut["event_type"], cut["priority"], cut["profile"]) == ("image.upload", "INFO", "seed")
    assert any("generation cut short at the time limit (1 s a variant)" in n for n in cut["notes"])
    assert document["summary"]["cut_short"] == 1
    _, out, _ = run(capsys, new, old, "--examples", "10000", "--time-limit", "1")
    assert out.splitlines()[-1].endswith("(generation cut short at --time-limit in 1)")


_SCALARS = st.none() | st.booleans() | st.integers(-(2**60), 2**60) | st.floats(-1e9, 1e9) | st.text(max_size=6)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=6,
)
_TYPES = ["null", "boolean", "integer", "number", "string", "array", "object"]


def _type_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return "integer"
    return {float: "number", str: "string", list: "array"}.get(type(value), "object")


@st.composite
def _schema_of(draw: st.DrawFn, value: Any, depth: int = 0) -> dict[str, Any]:
    """A schema built of keywords ``value`` meets: bounds around it, its type, enums holding it, combinators."""
    kind = _type_of(value)
    types = sorted({kind, *draw(st.sets(st.sampled_from(_TYPES)))})
    options: list[dict[str, Any]] = [{"type": types}, {"enum": [draw(_JSON), value]}, {"const": value}]
    if kind in ("integer", "number"):
        low, high = draw(st.integers(0, 2)), draw(st.integers(0, 2))
        options += [{"minimum": value - low}, {"maximum": value + high}, {"minimum": value, "maximum": value}]
        options += [{"exclusiveMinimum": value - low - 1}, {"exclusiveMaximum": value + high + 1}]
        if kind == "integer":
            options.append({"multipleOf": draw(st.sampled_from([d for d in (1, 2, 3, 5, 7) if int(value) % d == 0]))})
    if kind == "string":
        options += [
            {"minLength": draw(st.integers(0, len(value)))},
            {"maxLength": len(value) + draw(st.integers(0, 3))},
        ]
        options += [{"pattern": f"^{re.escape(value)}$"}, {"pattern": re.escape(value[: draw(st.integers(0, 3))])}]
    if kind == "array":
        options += [{"minItems": draw(st.integers(0, len(value)))}, {"maxItems": len(value) + draw(st.integers(0, 2))}]
        options += [{"minItems": len(value), "maxItems": len(value)}]
        if depth < 3:
            options.append({"items": {"anyOf": [draw(_schema_of(v, depth + 1)) for v in value] or [{}]}})
    if kind == "object":
        keys = sorted(value)
        options += [{"required": draw(st.lists(st.sampled_from(keys), unique=True)) if keys else []}]
        options += [{"minProperties": draw(st.integers(0, len(keys)))}, {"maxProperties": len(keys)}]
        options += [{"propertyNames": {"maxLength": max(map(len, keys), default=0)}}]
        if depth < 3:
            properties = {k: draw(_schema_of(value[k], depth + 1)) for k in keys}
            options += [{"properties": properties}, {"properties": properties, "additionalProperties": False}]
    if depth < 3:
        options += [{"anyOf": [{"type": "null", "maxLength": 0}, draw(_schema_of(value, depth + 1))]}]
        options += [{"allOf": [draw(_schema_of(value, depth + 1))]}]
    chosen = draw(st.lists(st.sampled_from(options), min_size=1, max_size=5))
    typed = [{"type": "number" if kind == "integer" and draw(st.booleans()) else kind}] if draw(st.booleans()) else []
    return {"allOf": typed + chosen}  # typed: the bounds of a type are read only where the type is the only one


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data(), value=_JSON)
def test_no_contradiction_is_claimed_where_a_value_meets_the_schema(data: st.DataObject, value: Any) -> None:
    # A contradiction found is a verdict ("NEW accepts no message"): it must never be claimed of a schema some value
    # meets. The schemas are built around a value, of every keyword the search reads.
    schema = data.draw(_schema_of(value))
    assume(jsonschema_rs.validator_for(schema).is_valid(value))
    assert contradiction(schema) is None, (schema, value)
