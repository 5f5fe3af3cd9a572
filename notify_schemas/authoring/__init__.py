"""The authoring room: the tools that write what is derived from ``schemas/`` and guard how it evolves.

``bundle`` writes the standalone schemas, ``docs`` the reference pages, ``asyncapi`` the AsyncAPI documents, and
``compat`` compares two schema directories. Nothing in the runtime imports them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from notify_schemas.arguments import io_error_text
from notify_schemas.arguments import text as named
from notify_schemas.redaction import mask_pointer, mask_text, quoted, shown
from notify_schemas.registry import DRAFT7, load_registry
from notify_schemas.validation import instance_path
from notify_schemas.values import one_line

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

    import referencing

__all__ = ["SchemaFileError", "check_schema_file", "json_type", "load_checked", "write_changed", "write_command"]


def json_type(value: Any) -> str:
    """The JSON Schema type of a value decoded from JSON (an ``enum``'s or a ``const``'s): ``boolean`` before
    ``integer`` (a bool is an int in Python), ``number`` for any float; a list is an ``array``, anything else an
    ``object``. The docs name a ``const`` by it; compat tells an integral float apart from a fraction first."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


class SchemaFileError(ValueError):
    """A schema file its metaschema refuses: ``name`` is the file, relative to its folder, ``detail`` where in it and
    what is wrong, so that a command names the file as its user gave the folder."""

    def __init__(self, name: str, detail: str) -> None:
        super().__init__(f"{name}: {detail}")
        self.name, self.detail = name, detail


def check_schema_file(contents: dict[str, Any], name: str) -> None:
    """`SchemaFileError` for a schema file (``name``, relative to its folder) that is no valid draft-07 schema,
    with the JSON pointer of the first place refused and why: what draft-07's metaschema refuses (``"multipleOf": 0``,
    ``"type": "bogus"``), a ``pattern`` that either backend's regular expressions cannot read (``"(["`` in both,
    ``"\\p{L}"`` in Python's, which python-jsonschema would raise on while judging), or a ``$schema`` of another
    draft. A validator would refuse such a file, or judge by it each its own way; a bundle made of it would carry
    the fault to every reader."""
    import jsonschema
    import jsonschema_rs

    dialect = contents.get("$schema", DRAFT7)
    if dialect not in (DRAFT7, DRAFT7.rstrip("#")):
        raise SchemaFileError(name, f"not a valid JSON Schema at /$schema: {quoted(dialect)}, not draft-07's "
                                    f"{DRAFT7!r}, which every schema of the folder is read as")  # fmt: skip
    try:
        jsonschema_rs.meta.validate({**contents, "$schema": DRAFT7})
        refused = jsonschema.exceptions.best_match(
            jsonschema.Draft7Validator(
                jsonschema.Draft7Validator.META_SCHEMA, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
            ).iter_errors(contents)
        )
    except jsonschema_rs.ValidationError as error:
        where, message = instance_path(error), error.message
    except RecursionError:
        raise SchemaFileError(name, "nested too deeply to be checked against draft-07's metaschema") from None
    else:
        if refused is None:
            return
        where, message = list(refused.absolute_path), refused.message
    pointer = "".join(f"/{str(p).replace('~', '~0').replace('/', '~1')}" for p in where)
    raise SchemaFileError(name, f"not a valid JSON Schema at {mask_pointer(pointer) or '/'}: {shown(message, 300)}")


def load_checked(root: Traversable) -> referencing.Registry[Any]:
    """The registry of a schema folder an author gives, each file held to draft-07's metaschema first: what compat
    refuses, the writers neither write nor read."""
    return load_registry(root, check=check_schema_file)


def write_changed(target: Path, text: str) -> bool:
    """Write ``text`` as ``target`` unless it holds it already (its folder made if need be): whether it was written.
    A writer of derived files lists what it changed, and a file left as it was keeps its time, so a build that
    depends on it does not run again."""
    if target.exists() and target.read_text(encoding="utf-8") == text:
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return True


def write_command(
    argv: Sequence[str] | None,
    *,
    module: str,
    doc: str | None,
    folder: str,
    default: str | None,
    write: Callable[[Path], list[Path]],
) -> int:
    """The command line of a writer of derived files (``python -m notify_schemas.authoring.<module> FOLDER``): it
    prints each file it changed; ``--help`` is an option, not a folder to write into, and a folder it cannot read or
    write is one line and exit 2, not a traceback. argparse's own exit (0 for --help, 2 for a usage error) is
    returned, so that the status is the function's."""
    prog = f"python -m notify_schemas.authoring.{module}"
    parser = argparse.ArgumentParser(prog=prog, description=(doc or "").splitlines()[0].replace("``", ""))
    # Never an empty or blank name, which Path reads as the current folder: the pages would be written there unsaid.
    if default is None:
        parser.add_argument("folder", metavar=folder, type=named)
    else:
        parser.add_argument(
            "folder", metavar=folder, type=named, nargs="?", default=default, help=f"default: {default}"
        )
    try:
        args = parser.parse_args(argv)
    except SystemExit as done:
        return int(done.code or 0)
    try:
        for path in write(Path(args.folder)):
            print(f"wrote {path}")
    except (OSError, ValueError) as error:
        text = io_error_text(error)
        print(f"{prog}: error: {one_line(mask_text(text))}", file=sys.stderr)
        return 2
    return 0
