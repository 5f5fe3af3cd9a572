"""The reference pages under docs/reference: up to date with the schemas, complete, with examples that validate."""

from __future__ import annotations

import functools
import importlib
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import notify_schemas
from notify_schemas.authoring import bundle, docs

REFERENCE = Path(__file__).resolve().parent.parent / "docs" / "reference"
ALL_VARIANTS = [v for profile in notify_schemas.PROFILES for v in notify_schemas.variants(profile)]


@functools.cache
def committed(name: str) -> str:
    """A committed page, or a failure that says how to make it."""
    path = REFERENCE / name
    if not path.exists():
        pytest.fail(f"docs/reference/{name} is missing; run: {docs.COMMAND}", pytrace=False)
    return path.read_text(encoding="utf-8")


@functools.cache
def rendered() -> dict[str, str]:
    return docs.render_pages()


def sections(text: str, level: str) -> dict[str, str]:
    """The page's sections at one heading level (``"##"``, ``"###"``, ``"####"``), by heading."""
    parts = re.split(rf"^{level} (.+)$", text, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def variant_sections(profile: str) -> dict[str, str]:
    return sections(committed(f"{profile}.md"), "####")


@pytest.mark.parametrize("name", docs.PAGES)
def test_committed_page_matches_the_schemas(name: str) -> None:
    fresh, current = rendered()[name], committed(name)
    if fresh != current:
        old, new = current.splitlines(), fresh.splitlines()
        line = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), min(len(old), len(new)))
        pytest.fail(
            f"docs/reference/{name} disagrees with the schemas from line {line + 1} "
            f"(committed: {old[line] if line < len(old) else '<end>'!r}, "
            f"generated: {new[line] if line < len(new) else '<end>'!r}); regenerate with: {docs.COMMAND}",
            pytrace=False,
        )


def test_rendering_is_deterministic() -> None:
    assert docs.render_pages() == rendered()


@pytest.mark.parametrize("profile", notify_schemas.PROFILES)
def test_every_variant_of_the_profile_has_one_section_and_nothing_else_has(profile: str) -> None:
    headings = re.findall(r"^#### (.+)$", committed(f"{profile}.md"), flags=re.MULTILINE)
    expected = [f"{v.event_type} {v.priority}" for v in notify_schemas.variants(profile)]
    assert sorted(headings) == sorted(expected)


@pytest.mark.parametrize("v", ALL_VARIANTS, ids=lambda v: f"{v.profile}:{v.name}")
def test_section_has_a_payload_table_and_an_example_that_validates(v: notify_schemas.Variant) -> None:
    body = variant_sections(v.profile)[f"{v.event_type} {v.priority}"]
    assert "| field | type | nullable | description |" in body
    examples = re.findall(r"^```json\n(.*?)^```$", body, flags=re.MULTILINE | re.DOTALL)
    assert len(examples) == 1
    message = json.loads(examples[0])
    assert (message["event_type"], message["priority"]) == (v.event_type, v.priority)
    notify_schemas.validate(message, profile=v.profile)


@pytest.mark.parametrize("profile", notify_schemas.PROFILES)
def test_every_example_in_the_page_validates(profile: str) -> None:
    examples = re.findall(r"^```json\n(.*?)^```$", committed(f"{profile}.md"), flags=re.MULTILINE | re.DOTALL)
    assert len(examples) == len(notify_schemas.variants(profile))
    for text in examples:
        notify_schemas.validate(json.loads(text), profile=profile)


def test_profile_pages_list_the_specification_drivers() -> None:
    for profile in notify_schemas.PROFILES:
        drivers = sections(committed(f"{profile}.md"), "##")["Drivers"]
        assert "- `log`: This driver uses the standard Python logging infrastructure" in drivers
        assert "- `messaging`: This strategy sends notifications to a message queue" in drivers
        assert "- `noop` (default): This strategy produces no notifications." in drivers
    assert "`messagingv2`" in sections(committed("glance.md"), "##")["Drivers"]
    assert "messagingv2" not in sections(committed("seed.md"), "##")["Drivers"]


def test_envelope_table_names_each_field_with_its_type() -> None:
    envelope = sections(committed("seed.md"), "##")["Envelope"]
    assert "| `message_id` | string (UUID) | no | UUID identifying the message. |" in envelope
    assert "| `priority` | enum: INFO, WARN, ERROR | no |" in envelope
    for key in ("publisher_id", "event_type", "timestamp", "payload"):
        assert f"| `{key}` |" in envelope


def test_payload_tables_name_types_and_forbidden_keys() -> None:
    seed, glance = variant_sections("seed"), variant_sections("glance")
    create = seed["image.create INFO"]
    assert "| `id` | string (UUID) | no |" in create
    assert "| `size` | null | always |" in create  # a new record has no data yet (D39)
    assert "| `size` | integer 0\u20139007199254740991 | yes |" in seed["image.update INFO"]  # D41
    assert "| `size` | integer 0\u20139007199254740991 | no |" in seed["image.upload INFO"]
    assert "| `visibility` | enum: public, private, shared, community | no |" in create
    assert "| `tags` | array of string" in create
    assert "Never sent: `locations`, `location`, `direct_url`" in create
    assert "| *(the payload itself)* | string (UUID) | no |" in seed["image.delete INFO"]
    assert "| *(the payload itself)* | text | no |" in seed["image.create ERROR"]
    assert "| `status` | string, always `active` | no |" in seed["image.activate INFO"]
    assert "| `result` | null | always |" in seed["task.run INFO"]
    assert "Never sent: `task_input`" in seed["task.run INFO"]
    assert "| `backend` (optional) |" in glance["image.prepare INFO"]
    assert "destination_ip" not in glance["image.send INFO"]


def test_differences_page_lists_variants_only_in_one_profile() -> None:
    page = sections(committed("differences.md"), "##")
    seed = {(v.event_type, v.priority) for v in notify_schemas.variants("seed")}
    glance = {(v.event_type, v.priority) for v in notify_schemas.variants("glance")}
    for title, only in (("seed", seed - glance), ("glance", glance - seed)):
        lines = re.findall(r"^- `(.+?)` (.+)$", page[f"Variants only in the {title} profile"], flags=re.MULTILINE)
        listed = {(event_type, priority) for event_type, priorities in lines for priority in priorities.split(", ")}
        assert listed == only
    assert "- `image.member.create` INFO" in page["Variants only in the glance profile"]


def test_differences_page_compares_payload_keys() -> None:
    both = sections(committed("differences.md"), "###")
    assert re.search(r"^\| `destination_ip` \| .+ \| — \| seed only \|$", both["image.send INFO"], re.M)
    assert re.search(r"^\| `owner_id` \| .+ \| .+ or null \| nullability \|$", both["image.send INFO"], re.M)
    assert re.search(r"^\| `os_glance_failed_import` \| — \| .+ \| glance only \|$", both["image.upload INFO"], re.M)
    assert re.search(r"^\| `result` \| object \| null \| type, nullability \|$", both["task.success INFO"], re.M)
    assert "The payload differs whole: seed string (UUID); glance object" in both["image.delete INFO"]
    assert "Same payload keys and types." in both["image.create INFO"]
    assert "DECISIONS.md" in both["image.send INFO"]


def test_main_writes_the_pages(tmp_path: Path) -> None:
    assert docs.main([str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(docs.PAGES)
    assert (tmp_path / "seed.md").read_text(encoding="utf-8") == rendered()["seed.md"]
    assert docs.write_pages(tmp_path) == []  # nothing changed, nothing rewritten
    assert docs.main([]) == 2


@pytest.mark.parametrize("module", ["bundle", "docs", "asyncapi"])
def test_the_writers_answer_help_without_writing(
    module: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--help` is read as an option, not as the name of a folder to write into."""
    monkeypatch.chdir(tmp_path)
    writer = importlib.import_module(f"notify_schemas.authoring.{module}")
    assert writer.main(["--help"]) == 0
    assert f"usage: python -m notify_schemas.authoring.{module}" in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("folder", ["", "missing", "empty"])
def test_bundle_of_a_folder_without_schemas_is_one_line(
    folder: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Run where there is no schemas/ (the default), or given a folder that is not one, it says so, exit 2."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    assert bundle.main([folder] if folder else []) == 2
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert err.startswith("python -m notify_schemas.authoring.bundle: error: ")
    assert "no envelope.json" in err
    assert len(err.splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty"]


@pytest.mark.parametrize("module", ["bundle", "docs", "asyncapi"])
@pytest.mark.parametrize("name", ["", " ", "\t"])
def test_a_writer_given_an_empty_folder_name_writes_nothing_and_says_so(
    module: str, name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Path("") is the current folder: the pages writer wrote seed.md, glance.md and differences.md there, unsaid.
    monkeypatch.chdir(tmp_path)
    writer = importlib.import_module(f"notify_schemas.authoring.{module}")
    assert writer.main([name]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines()[-1].endswith("must not be empty")
    assert list(tmp_path.iterdir()) == []


def test_a_writer_that_cannot_write_says_so_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    occupied = tmp_path / "file"
    occupied.write_text("", encoding="utf-8")
    assert docs.main([str(occupied / "reference")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("python -m notify_schemas.authoring.docs: error: ")
    assert len(err.splitlines()) == 1


def _schema_copy(tmp_path: Path) -> Path:
    import shutil

    copy = tmp_path / "schemas"
    shutil.copytree(Path(__file__).parent.parent / "schemas", copy, ignore=shutil.ignore_patterns("corpus", "asyncapi"))
    return copy


@pytest.mark.parametrize("module", ["bundle", "docs", "asyncapi"])
def test_each_writer_rewrites_exactly_the_files_whose_text_differs(module: str, tmp_path: Path) -> None:
    # The three writers share what they do with each file: written when it is missing (its folder made) or its text
    # differs, listed as changed then, and left untouched, its time kept, when it holds the text already.
    import shutil

    from notify_schemas.authoring import asyncapi

    write = {"bundle": bundle.write_bundles, "docs": docs.write_pages, "asyncapi": asyncapi.write_documents}[module]
    folder = _schema_copy(tmp_path) if module == "bundle" else tmp_path / "out" / "deeper"
    if module == "bundle":
        shutil.rmtree(folder / "bundled")
    files = write(folder)
    assert files
    assert all(p.is_file() for p in files)
    times = {p: p.stat().st_mtime_ns for p in files}
    assert write(folder) == []
    edited, removed = files[0], files[-1]
    text = {p: p.read_text(encoding="utf-8") for p in (edited, removed)}
    edited.write_text(text[edited] + " ", encoding="utf-8")
    removed.unlink()
    assert sorted(write(folder)) == sorted({edited, removed})
    assert all(p.read_text(encoding="utf-8") == text[p] for p in (edited, removed))
    assert all(p.stat().st_mtime_ns == times[p] for p in files if p not in (edited, removed))


def _read_from(monkeypatch: pytest.MonkeyPatch, root: Path) -> None:
    """The pages written from the checkout's schemas at ``root`` (its registry built as the package builds its own)."""
    from notify_schemas.registry import load_registry

    monkeypatch.setattr(docs, "schema_root", lambda: root)
    monkeypatch.setattr(docs, "registry", functools.cache(lambda: load_registry(root)))


@pytest.mark.parametrize(
    ("file", "change", "said"),
    [
        # Each ended the writer in a traceback, or in a line naming no file: referencing's Unresolvable quoting a whole
        # document, 'utf-8' codec can't decode byte 0xe9, 'Notification Drivers' is not in list.
        ("definitions/common.json", lambda text: text.replace('"type": "string",', '"$ref": "#/nowhere",', 1),
         "definitions/common.json: /definitions/uuid/$ref: '#/nowhere' leads nowhere in its document"),
        ("DECISIONS.md", lambda text: "\xe9", "DECISIONS.md: not UTF-8 text: byte 0xe9 at offset 0"),
        ("spec/notifications.txt", lambda text: text.replace("Notification Types", "Types"),
         "spec/notifications.txt: no lines 'Notification Drivers' and 'Notification Types' around the drivers"),
    ],
)  # fmt: skip
def test_the_pages_writer_names_the_file_it_cannot_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], file: str, change, said: str
) -> None:
    root = _schema_copy(tmp_path)
    text = change((root / file).read_text(encoding="utf-8"))
    (root / file).write_bytes(text.encode("latin-1") if file == "DECISIONS.md" else text.encode("utf-8"))
    _read_from(monkeypatch, root)
    assert docs.main([str(tmp_path / "out")]) == 2
    assert capsys.readouterr() == ("", f"python -m notify_schemas.authoring.docs: error: {said}\n")


def _checkout_copy(tmp_path: Path) -> Path:
    """A copy of the checkout's package and schemas, run as its own: the pages read its bundles through the package
    (samples, payload keys), not only through the registry the other tests hand them."""
    import shutil

    here = Path(__file__).parent.parent
    copy = tmp_path / "checkout"
    shutil.copytree(here / "notify_schemas", copy / "notify_schemas", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(here / "schemas", copy / "schemas", ignore=shutil.ignore_patterns("corpus"))
    return copy


def _writers(copy: Path) -> list[subprocess.CompletedProcess[str]]:
    env = {**os.environ, "PYTHONPATH": str(copy)}
    done = []
    for module, argv in (("bundle", ["schemas"]), ("docs", ["docs/reference"]), ("asyncapi", [])):
        command = [sys.executable, "-m", f"notify_schemas.authoring.{module}", *argv]
        done.append(subprocess.run(command, cwd=copy, env=env, capture_output=True, text=True, check=False))
    return done


def _set(pointer: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        *parents, last = pointer.strip("/").split("/")
        node: Any = doc
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if value is _DELETE:
            del node[last]
        elif isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return change


_DELETE = object()


@pytest.mark.parametrize(
    ("file", "pointer", "value"),
    [
        ("seed/image.upload.INFO.json", "/properties/payload", True),
        ("seed/image.upload.INFO.json", "/properties/payload", {}),
        ("seed/image.upload.INFO.json", "/properties/payload", _DELETE),
        ("seed/image.upload.INFO.json", "/properties/payload/allOf/1", True),
        ("seed/image.upload.INFO.json", "/properties/publisher_id", True),
        ("seed/image.upload.INFO.json", "/title", _DELETE),
        ("envelope.json", "/title", _DELETE),
        ("definitions/image.json", "/definitions/image/properties/name", {}),
        ("definitions/image.json", "/definitions/image/properties/tags", True),
    ],
)
def test_the_writers_take_a_boolean_or_empty_schema_or_a_missing_title_anywhere(
    tmp_path: Path, file: str, pointer: str, value: Any
) -> None:
    # A payload schema true ended the pages writer in AttributeError ('bool' object has no attribute 'get'), one that
    # is missing in KeyError, a variant without a title the AsyncAPI writer in KeyError: 'title'.
    copy = _checkout_copy(tmp_path)
    path = copy / "schemas" / file
    document = json.loads(path.read_text(encoding="utf-8"))
    _set(pointer, value)(document)
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    for done in _writers(copy):
        assert (done.returncode, done.stderr) == (0, ""), done.args


def test_the_pages_writer_names_a_variant_that_accepts_no_message(tmp_path: Path) -> None:
    copy = _checkout_copy(tmp_path)
    path = copy / "schemas" / "seed" / "image.upload.INFO.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    document["properties"]["payload"] = False
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    bundled, pages, _ = _writers(copy)
    assert bundled.returncode == 0
    assert pages.returncode == 2
    assert pages.stderr.startswith("python -m notify_schemas.authoring.docs: error: seed/image.upload.INFO.json: no "
                                   "valid example message could be drawn from its schema")  # fmt: skip
    assert pages.stderr.count("\n") == 1


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=6,
)


@settings(max_examples=200, deadline=None)
@given(value=_JSON_VALUES)
def test_the_type_named_of_a_value_is_one_json_schema_gives_it(value: Any) -> None:
    # The docs name a const's type, and compat an enum's or a const's, through one function: the type it names is one
    # a draft-07 validator accepts the value as, and compat's integer or fraction is the validator's word on a float.
    import jsonschema

    from notify_schemas.authoring import json_type
    from notify_schemas.authoring.compat import structure

    assert jsonschema.Draft7Validator({"type": json_type(value)}).is_valid(value)
    told = structure._value_type(value)
    integral = jsonschema.Draft7Validator({"type": "integer"}).is_valid(value)
    if told in ("integer", "fraction"):
        assert (told == "integer") == integral
    else:
        assert told == json_type(value)
