"""Load the schemas that ship inside the package into one `referencing.Registry`.

The JSON files under ``notify_schemas/schemas`` (copied from the repository's ``schemas/`` when the wheel is built)
are the single source of truth; this module only reads them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterator
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote, urldefrag, urljoin

from notify_schemas.errors import NotifySchemasError, UnknownVariantError
from notify_schemas.reader import UTF8_BOM, parse
from notify_schemas.redaction import given_text, given_texts, mask_pointer, masked_cut, quoted, shown
from notify_schemas.values import BASE_URI, PRIORITIES, PROFILES, Variant

if TYPE_CHECKING:
    import referencing

__all__ = [
    "BASE_URI",
    "DRAFT7",
    "PRIORITIES",
    "PROFILES",
    "RESOURCE_KEYS",
    "Variant",
    "bundle",
    "bundled_schema",
    "check_name",
    "check_profile",
    "definition_name",
    "load_json_file",
    "plain_variant",
    "registry",
    "schema_root",
    "variant",
    "variants",
]


# Folders under the schema root that hold resources of the registry; the corpus is test data, not schemas.
_SCHEMA_FOLDERS = ("", "definitions", "seed", "glance", "wire", "bundled", "bundled/seed", "bundled/glance")


def schema_root() -> Traversable:
    """The folder of schema files inside the installed package.

    Run from a source checkout (``python -m notify_schemas`` in the repository, where the package folder holds no
    copy), the checkout's own ``schemas/`` is the one that exists; an installed package always has its copy.
    """
    installed = files("notify_schemas") / "schemas"
    if installed.is_dir():
        return installed
    checkout = Path(__file__).resolve().parent.parent / "schemas"
    return checkout if checkout.is_dir() else installed


def _json_files(folder: Traversable) -> Iterator[Traversable]:
    if folder.is_dir():
        yield from sorted((f for f in folder.iterdir() if f.name.endswith(".json")), key=lambda f: f.name)


def _child(root: Traversable, relative: str) -> Traversable:
    node = root
    for part in filter(None, relative.split("/")):
        node = node / part
    return node


_MAX_SCHEMA_FILE = 16 * 1024 * 1024  # bytes of one schema file read at most: a folder given may hold anything


def load_json_file(file: Traversable, name: str | None = None) -> Any:
    """One schema (or corpus) file's JSON, read as validate reads a record: strictly, a UTF-8 byte-order mark passed
    over. ``ValueError`` names the file (as ``name``, its name by default) and says what is wrong and where, for what
    is not one: a FIFO or a device named ``*.json`` (which would be read for ever), a file over 16 MiB, text that is
    not UTF-8 or not JSON (``NaN``), nesting too deep to parse, or a key written twice (which JSON readers read each
    their way). `TypeError` for a ``file`` that is no path (a `Path` or a `Traversable`), or a ``name`` that is not
    text."""
    if not _is_file(file):
        raise TypeError(f"file must be a Path or a Traversable, not {quoted(file)}")
    if name is None:
        name = given_text(file.name, "file.name")
    elif type(name) is not str:
        name = given_text(name, "name")
    if isinstance(file, Path):  # a folder given (compat's), not the package's own
        if not file.is_file():
            raise ValueError(f"{name}: not a regular file")
        with file.open("rb") as f:
            data = f.read(_MAX_SCHEMA_FILE + 1)
        if len(data) > _MAX_SCHEMA_FILE:
            raise ValueError(f"{name}: over {_MAX_SCHEMA_FILE:,} bytes")
    else:
        data = file.read_bytes()
    try:
        value, repeated = parse(data.removeprefix(UTF8_BOM))
    except ValueError as error:
        raise ValueError(f"{name}: {error}") from None
    if repeated:
        raise ValueError(f"{name}: a key written twice at {mask_pointer(repeated[0])}")
    if isinstance(file, Path):
        _carried_as_json(value, name)
    return value


def _is_file(file: Any) -> bool:
    """Whether ``file`` is a `Path` or a `Traversable`, a protocol whose test asks the value for its attributes, which
    a caller's object may answer by raising anything."""
    try:
        return isinstance(file, Path | Traversable)
    except Exception:
        return False


def _carried_as_json(value: Any, name: str) -> None:
    """``ValueError`` naming the first place of a file's JSON (a folder given: the package's own files are tested)
    that no JSON carries: a lone surrogate escape (``"\\ud800"``), which jsonschema-rs refuses with an encoding
    error, or a number past a double (``1e400``), read as infinity, which it takes for null."""
    from notify_schemas.wire_form import to_wire  # here: only the schemas of a folder given are checked so

    problem = next(iter(to_wire(value).problems), None)
    if problem is not None:
        raise ValueError(f"{name}: {problem.pointer or '/'}: {problem.message}")


@functools.cache
def registry() -> referencing.Registry[Any]:
    """Every shipped schema, keyed by its ``$id``; built once per process and immutable."""
    return load_registry(schema_root())


def load_registry(
    root: Traversable, *, check: Callable[[dict[str, Any], str], None] | None = None
) -> referencing.Registry[Any]:
    """Build a registry from the schema files under ``root`` (a package folder or a source tree). ``check`` is given
    each file's contents and name first, to refuse what a folder an author gives must not hold (the authoring tools
    hold each to draft-07's metaschema); the package's own files are tested once, not at each start."""
    import referencing.jsonschema  # here, not at the top: validating with jsonschema-rs needs no registry

    resources = []
    named = {}
    for folder in _SCHEMA_FOLDERS:
        for file in _json_files(_child(root, folder)):
            name = f"{folder}/{file.name}" if folder else file.name
            contents = load_json_file(file, name)
            if not isinstance(contents, dict) or not isinstance(contents.get("$id"), str):
                raise ValueError(f"{name}: not a schema with a string $id")
            if check is not None:
                check(contents, name)
            resource = referencing.jsonschema.DRAFT7.create_resource(contents)
            if resource.id() is None:  # draft-07 ignores every sibling of a $ref, its $id included
                raise ValueError(f"{name}: its $id is beside a $ref, which draft-07 ignores: the file has no $id "
                                 "(put the $ref in an allOf)")  # fmt: skip
            resources.append(resource)
            named[name] = contents
    try:
        return referencing.Registry().with_resources((r.id(), r) for r in resources).crawl()  # type: ignore[misc]
    except (TypeError, AttributeError) as error:  # a subschema that is no schema (5 where an object belongs)
        raise ValueError(_misshapen(named) or f"a schema that is not one: {error}") from None


DRAFT7 = "http://json-schema.org/draft-07/schema#"


def _misshapen(named: dict[str, Any]) -> str | None:
    """The first file of ``named`` (name to contents) that its metaschema refuses, with the JSON pointer of the value
    and what is wrong there; None if each is valid. Asked only when the registry could not be built: referencing
    walks a value it takes for a schema without looking at its type, and says nothing of where."""
    import jsonschema_rs

    for name, contents in named.items():
        try:
            jsonschema_rs.meta.validate(contents)
        except jsonschema_rs.ValidationError as error:
            # The path as jsonschema-rs gives it (validation's instance_path, which puts back empty keys, imports
            # this module): a schema file's key is seldom empty.
            where = "".join(f"/{str(p).replace('~', '~0').replace('/', '~1')}" for p in error.instance_path)
            return f"{name}: not a valid JSON Schema at {mask_pointer(where) or '/'}: {shown(error.message, 300)}"
        except (ValueError, jsonschema_rs.ReferencingError):  # a $schema it does not know: another file may say
            continue
    return None


def check_profile(profile: Any) -> None:
    """A profile's name, or `UnknownVariantError` (an unknown name) or `TypeError` (not text) saying what is known."""
    check_name(profile, PROFILES, "profile", UnknownVariantError)


_PLAIN_COLLECTIONS = (tuple, dict, frozenset)


def check_name(value: Any, known: Collection[str], what: str, unknown: type[Exception]) -> None:
    """One of the ``known`` names of a ``what`` (a profile, a backend), or an error saying what is known: ``unknown``
    for another name, `TypeError` for a value that is not text. The value is quoted masked and cut."""
    if type(value) is str and type(known) in _PLAIN_COLLECTIONS and value in known:
        return  # the path of every validate() call: the package's own tuple or dict of names
    known = given_texts(known, "known")  # read once, bounded: an endless generator was read for ever
    names = ", ".join(known)
    if not isinstance(value, str):
        raise TypeError(f"{what} must be the name of a {what} ({names}), not {quoted(value)}")
    if str.__str__(value) not in known:
        raise unknown(f"unknown {what} {quoted(value)}; known {what}s: {names}")


def variants(profile: str = "seed") -> tuple[Variant, ...]:
    """Every variant of ``profile``, sorted by event type and priority."""
    check_profile(profile)
    return _variants(str.__str__(profile))


@functools.cache
def _variants(profile: str) -> tuple[Variant, ...]:
    found = []
    for file in _json_files(schema_root() / profile):
        event_type, priority = file.name.removesuffix(".json").rsplit(".", 1)
        found.append(Variant(profile, event_type, priority))
    if not found:
        raise NotifySchemasError(f"no schemas of profile {profile!r} under {schema_root()}: is the package installed?")
    return tuple(sorted(found))


def variant(event_type: str, priority: str, *, profile: str = "seed") -> Variant:
    """The variant for ``(event_type, priority)`` in ``profile``, or an error naming the known ones."""
    for name, value in (("event_type", event_type), ("priority", priority)):
        if not isinstance(value, str):
            raise TypeError(f"{name} must be text, not {quoted(value)}")
    check_profile(profile)
    wanted = Variant(str.__str__(profile), str.__str__(event_type), str.__str__(priority))
    known = variants(profile)
    if wanted in known:
        return wanted
    raise _unknown(wanted, known)


def _unknown(wanted: Variant, known: tuple[Variant, ...]) -> UnknownVariantError:
    """The error for a variant the profile does not know, naming the other profile that has it (or its event type), and
    a producer's event type and priority masked and cut to 80 characters: the error quotes them with `named_repr`,
    whose escapes (``\\'`` for a quote) keep the masking from matching afterwards, and which writes them on one line,
    escaped once."""
    written = [
        masked_cut(str.__str__(t), 80) if isinstance(t, str) else t for t in (wanted.event_type, wanted.priority)
    ]
    others = {
        p: tuple(v.priority for v in variants(p) if v.event_type == wanted.event_type)
        for p in PROFILES
        if p != wanted.profile
    }
    return UnknownVariantError.for_variant(Variant(wanted.profile, *written), known, others=others)


def bundled_schema(v: Variant) -> dict[str, Any]:
    """The standalone schema of a variant: one document, no external ``$ref``.

    Read from its own file, so that validating with jsonschema-rs never builds the registry; `registry()` holds the
    same document under `Variant.bundled_uri`.
    """
    return _bundled_schema(plain_variant(v, "bundled_schema"))


def plain_variant(v: Any, taker: str) -> Variant:
    """``v``, a Variant (whose parts are plain text once made), for ``taker`` (a function's name) to look up:
    `TypeError` naming ``taker`` for anything else, a subclass of Variant included (its own ``__hash__`` or ``__eq__``
    would answer the lookup)."""
    if type(v) is not Variant:
        raise TypeError(f"{taker} takes a Variant (from variant() or variants()), not {quoted(v)}")
    return v


@functools.cache
def _bundled_schema(v: Variant) -> dict[str, Any]:
    file = _child(schema_root(), v.bundled_path)
    if v not in variants(v.profile):
        raise _unknown(v, variants(v.profile))
    contents: dict[str, Any] = load_json_file(file)
    return contents


RESOURCE_KEYS = ("$schema", "$id")


def _token(key: Any) -> str:
    """A key as a token of a JSON pointer."""
    return str(key).replace("~", "~0").replace("/", "~1")


def _pointer_tokens(fragment: str) -> list[str]:
    """The keys a URI fragment's JSON pointer names, each unescaped (``%20`` and ``~1`` read back)."""
    return [t.replace("~1", "/").replace("~0", "~") for t in unquote(fragment).split("/")[1:]]


def _definition_name(target: str) -> str:
    """A readable local name for a ``$ref`` target: ``common.uuid``, ``envelope``, ``image.image``; the keys of its
    pointer as they are (``common.my def`` for ``#/definitions/my%20def``), so that the reference made of it
    (`_local_ref`) leads to it."""
    document, fragment = urldefrag(target)
    name = document.removeprefix(BASE_URI).removesuffix(".json").removeprefix("definitions/").replace("/", ".")
    if fragment.startswith("/"):
        tokens = _pointer_tokens(fragment)
        name += "." + ".".join(tokens[1:] if tokens[:1] == ["definitions"] and len(tokens) > 1 else tokens)
    elif fragment:
        name += "." + unquote(fragment)
    return name


def definition_name(ref: str) -> str:
    """The key under ``definitions`` that a bundle's ``#/definitions/<name>`` leads to: the name read back from
    its escapes (``%20``, ``~1``). `TypeError` for a ``ref`` that is not text."""
    if type(ref) is not str:
        ref = given_text(ref, "ref")
    return _pointer_tokens(ref.removeprefix("#"))[1] if ref.startswith("#/definitions/") else ref


def _local_ref(name: str) -> str:
    """The ``$ref`` to ``#/definitions/<name>``: the name escaped as a pointer's token, then as a URI's fragment."""
    return "#/definitions/" + quote(_token(name), safe="!$&'()*+,;=:@/?")


# Where draft-07 has subschemas: one, a list of them, or a map of names to them; a keyword not named here holds data
# (enum, const, default, examples) or annotations, whose "$ref" or "$id" keys are values, not references.
_ONE_SCHEMA = frozenset({"additionalItems", "additionalProperties", "contains", "else", "if", "items", "not",
                         "propertyNames", "then"})  # fmt: skip
_SCHEMA_LISTS = frozenset({"allOf", "anyOf", "items", "oneOf"})
_SCHEMA_MAPS = frozenset({"definitions", "dependencies", "patternProperties", "properties"})
# Subschemas applied to the value itself: a $ref cycle through these alone is followed for ever by a validator.
_IN_PLACE = frozenset({"allOf", "anyOf", "dependencies", "else", "if", "not", "oneOf", "then"})


def bundle(registry: referencing.Registry[Any], uri: str, *, new_id: str) -> dict[str, Any]:
    """The schema at ``uri`` as one standalone draft-07 document, for tools that have no ``$ref`` resolver.

    Every ``$ref`` it reaches becomes a local ``#/definitions/<name>`` holding a copy of its target, so the result
    reads the same in any validator or generator; a ``$ref`` or ``$id`` written as data (in an ``enum``, a
    ``default``, a property's name) is left as it is, and a ``$id`` inside a schema moves the base its ``$ref``s are
    read against, as draft-07 says, and is dropped from the copy. A `ValueError` names its file and the JSON pointer
    of the ``$ref`` there for a ``$ref`` that is not text, that leads to no schema of the registry (a file the folder
    lacks, a remote URL, which is never fetched, a pointer to nowhere), whose target's name another target has, or
    that leads back to itself through ``allOf``, ``not``, ... alone, which a validator would follow for ever. A
    `TypeError` names ``registry``, ``uri`` or ``new_id`` when it is not a registry or not text.
    """
    import referencing
    import referencing.exceptions

    if not isinstance(registry, referencing.Registry):
        raise TypeError(f"registry must be a referencing.Registry (from registry()), not {quoted(registry)}")
    uri, new_id = given_text(uri, "uri"), given_text(new_id, "new_id")
    resolver = registry.resolver()
    definitions: dict[str, Any] = {}
    owners: dict[str, tuple[str, list[str]]] = {}  # a definition's name: the document and keys it copies
    pending: list[tuple[str, str, str, str, str]] = []  # names reserved, still to copy: target, and the first $ref
    loops: dict[str | None, list[tuple[str, str, str, str]]] = {}  # in place: (name, file, pointer, $ref)

    def reference(value: Any, base: str, where: str, owner: str | None, in_place: bool) -> str:
        if not isinstance(value, str):
            raise ValueError(f"{_file_of(base)}: {mask_pointer(where)}: {quoted(value)}, not a reference")
        target = urljoin(base, value)
        name = _definition_name(target)
        document, fragment = urldefrag(target)
        key = (document, _pointer_tokens(fragment) if fragment.startswith("/") else [unquote(fragment)])
        if name not in owners:
            owners[name] = key
            pending.append((name, target, base, where, value))
        elif owners[name] != key:
            raise ValueError(f"{_file_of(base)}: {mask_pointer(where)}: {quoted(value)} and another $ref lead to two "
                             f"schemas a bundle would both name {quoted(name)}; rename one")  # fmt: skip
        if in_place:
            loops.setdefault(owner, []).append((name, _file_of(base), where, value))
        return _local_ref(name)

    def rewrite(node: Any, base: str, at: str, owner: str | None, in_place: bool) -> Any:
        if not isinstance(node, dict):
            return node
        if isinstance(node.get("$id"), str) and "$ref" not in node:  # draft-07 ignores a $ref's siblings
            base = urljoin(base, node["$id"])
        out: dict[str, Any] = {}
        for key, value in node.items():
            where = f"{at}/{_token(key)}"
            if key == "$ref":
                out[key] = reference(value, base, where, owner, in_place)
            elif key == "$id":
                continue  # the bundle is one document, named by its root's $id alone
            elif key in _SCHEMA_MAPS and isinstance(value, dict):
                inner = in_place and key == "dependencies"
                out[key] = {
                    name: sub if isinstance(sub, list) else rewrite(sub, base, f"{where}/{_token(name)}", owner, inner)
                    for name, sub in value.items()
                }
            elif key in _SCHEMA_LISTS and isinstance(value, list):
                inner = in_place and key != "items"
                out[key] = [rewrite(sub, base, f"{where}/{i}", owner, inner) for i, sub in enumerate(value)]
            elif key in _ONE_SCHEMA:
                out[key] = rewrite(value, base, where, owner, in_place and key in _IN_PLACE)
            else:
                out[key] = value
        return out

    def copy(name: str, target: str, base: str, where: str, value: str) -> Any:
        try:
            contents = resolver.lookup(target).contents
        except referencing.exceptions.Unresolvable as error:
            raise ValueError(f"{_file_of(base)}: {mask_pointer(where)}: {quoted(value)} {_nowhere(error)}") from None
        if isinstance(contents, bool):  # a schema too: true takes every value, false none
            return contents
        if not isinstance(contents, dict):
            raise ValueError(f"{_file_of(base)}: {mask_pointer(where)}: {quoted(value)} leads to "
                             f"{quoted(contents)}, not a schema")  # fmt: skip
        document, fragment = urldefrag(target)
        inlined = {k: v for k, v in contents.items() if k != "$schema"}  # its $id, if any, is read, then dropped
        return rewrite(inlined, document, unquote(fragment), name, True)

    try:
        root = registry.contents(uri)
    except referencing.exceptions.NoSuchResource:  # a variant's file whose $id is not its name
        raise ValueError(f"{_file_of(uri)}: its $id must be {quoted(uri)}, which no schema of the folder has") from None
    body = rewrite({k: v for k, v in root.items() if k not in RESOURCE_KEYS}, uri, "", None, True)
    # Each target is copied once its name is reserved, in turn: a chain of $refs is a queue, not a deep recursion.
    done = 0
    while done < len(pending):
        name, *first = pending[done]
        definitions[name] = copy(name, *first)
        done += 1
    _refuse_cycle(loops)
    return {"$schema": root.get("$schema", DRAFT7), "$id": new_id, **body,
            "definitions": dict(sorted(definitions.items()))}  # fmt: skip


def _refuse_cycle(loops: dict[str | None, list[tuple[str, str, str, str]]]) -> None:
    """`ValueError` naming the ``$ref`` that closes a cycle of references applied in place (``loops``: the
    definition, None for the root, to the references it applies to the value itself), and the cycle's names."""
    done: set[str | None] = set()
    for start in list(loops):
        if start in done:
            continue
        trail: list[str | None] = [start]
        stack = [iter(loops.get(start, ()))]
        while stack:
            step = next(stack[-1], None)
            if step is None:
                done.add(trail.pop())
                stack.pop()
                continue
            name, file, where, value = step
            if name in trail:
                names = [str(n) for n in trail[trail.index(name) :]] + [name]
                raise ValueError(f"{file}: {mask_pointer(where)}: {quoted(value)} is a $ref cycle "
                                 f"({' -> '.join(quoted(n) for n in names)}): it comes back to itself without going "
                                 "into a property or an item, and a validator would follow it for ever")  # fmt: skip
            if name not in done:
                trail.append(name)
                stack.append(iter(loops.get(name, ())))


def _file_of(uri: str) -> str:
    """The file of a schema's ``$id`` under the package's base URI, as a folder's path names it (the URI itself for
    another), as an error may write it: masked and on one line (a ``uri`` given may hold a URL's password)."""
    return shown(urldefrag(uri).url.removeprefix(BASE_URI))


def _nowhere(error: Exception) -> str:
    """Why a ``$ref`` leads to no schema, in referencing's terms said briefly (its own text quotes the whole document
    a pointer led nowhere in)."""
    import referencing.exceptions

    if isinstance(error, (referencing.exceptions.PointerToNowhere, referencing.exceptions.NoSuchAnchor)):
        return "leads nowhere in its document"
    document = urldefrag(str(getattr(error, "ref", ""))).url
    return f"names no schema of the folder (no file has the $id {quoted(document)}; none is fetched)"
