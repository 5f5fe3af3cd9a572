"""Compare two schema directories, variant by variant: the structural comparison, then witnesses."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema_rs
import referencing
import referencing.exceptions

from notify_schemas.authoring import SchemaFileError, load_checked
from notify_schemas.authoring.compat.paths import canonical
from notify_schemas.authoring.compat.satisfiable import contradiction
from notify_schemas.authoring.compat.structure import WalkError, inline_refs, meaning
from notify_schemas.authoring.compat.verdicts import Break, CompatError, VariantReport
from notify_schemas.authoring.compat.witnesses import Budget, Side, breaks_one_way, one_message
from notify_schemas.redaction import shown
from notify_schemas.registry import PROFILES, Variant, bundle, load_json_file
from notify_schemas.termination import raise_if_terminated
from notify_schemas.validation import instance_path
from notify_schemas.values import as_named, one_line

__all__ = ["TIME_LIMIT", "SchemaDir", "compare"]

TIME_LIMIT = 10.0
"""The seconds generation may take for one variant by default (``--time-limit``): a change that many variants share
is searched in under a second a variant, whole messages in a few; a schema hard to draw from is cut short here."""


class SchemaDir:
    """The variants of one schema directory, bundled on demand from its source files."""

    def __init__(self, name: Path | str) -> None:
        # Named as given in what is said of it: a Path makes swift://u:p@h/ swift:/u:p@h, which no masking recognizes.
        self.name = os.fspath(name)
        # and on one line, a line break in it escaped: an error is made one line by joining its words, which named
        # the folder a<newline>b as a b, another folder, one that may be there.
        self.said = one_line(as_named(self.name))
        path = Path(name)
        if not path.exists():
            raise CompatError(f"{self.said}: no such directory")
        if not path.is_dir():
            raise CompatError(f"{self.said}: not a directory")
        if not (path / "envelope.json").is_file() or not any((path / p).is_dir() for p in PROFILES):
            raise CompatError(
                f"{self.said}: not a schema directory (no envelope.json and {'/'.join(PROFILES)} folders)"
            )
        self.path = path
        try:
            self.registry = load_checked(path)
        except SchemaFileError as error:  # named as the folder was given, as the bundle writer names it in its own
            raise CompatError(f"{os.path.join(self.said, error.name)}: {error.detail}") from None
        except (OSError, ValueError, RecursionError, referencing.exceptions.Unresolvable) as error:
            raise CompatError(f"{self.said}: cannot load the schemas: {' '.join(str(error).split())}") from error
        self.variants: set[Variant] = set()
        for profile in PROFILES:
            for file in (path / profile).glob("*.json"):
                if file.name.count(".") >= 2:
                    event_type, priority = file.name.removesuffix(".json").rsplit(".", 1)
                    self.variants.add(Variant(profile, event_type, priority))
        self._bundles: dict[Variant, dict[str, Any]] = {}
        self._validators: dict[Variant, jsonschema_rs.Validator] = {}
        self._corpus: dict[str, list[Any]] = {}

    def schema(self, v: Variant) -> dict[str, Any]:
        """The variant's standalone schema, made from the directory's sources."""
        if v not in self._bundles:
            try:
                schema = bundle(self.registry, v.uri, new_id=v.bundled_uri)
            except (LookupError, ValueError, RecursionError, referencing.exceptions.Unresolvable) as error:
                raise CompatError(f"{os.path.join(self.said, v.path)}: cannot bundle: {_unresolved(error)}") from error
            try:
                self._validators[v] = jsonschema_rs.validator_for(schema)
            except jsonschema_rs.ValidationError as error:  # the metaschema refuses it: a bad pattern, an unknown type
                where = "".join(f"/{str(p).replace('~', '~0').replace('/', '~1')}" for p in instance_path(error))
                raise CompatError(f"{os.path.join(self.said, v.path)}: not a valid JSON Schema at {where or '/'} (as "
                                  f"bundled): {' '.join(error.message.split())}") from None  # fmt: skip
            self._bundles[v] = schema
        return self._bundles[v]

    def validator(self, v: Variant) -> jsonschema_rs.Validator:
        """The variant's validator, built once."""
        self.schema(v)
        return self._validators[v]

    def corpus(self, v: Variant) -> list[Any]:
        """The messages the directory's corpus has for the variant (valid or not: the caller filters)."""
        if v.profile not in self._corpus:
            found: list[Any] = []
            try:  # read as a schema file is: a FIFO, a device or a file nested too deeply is no corpus
                groups = load_json_file(self.path / "corpus" / f"{v.profile}.json")
                found = [t["data"] for g in groups for t in g["tests"] if isinstance(t, dict) and "data" in t]
            except (OSError, ValueError, TypeError, KeyError):
                pass
            self._corpus[v.profile] = found
        return [
            m
            for m in self._corpus[v.profile]
            if isinstance(m, dict) and m.get("event_type") == v.event_type and m.get("priority") == v.priority
        ]


def _unresolved(error: Exception) -> str:
    """Why a schema could not be bundled, by the place it names: referencing's own text quotes the whole document a
    ``$ref`` led nowhere in, or the bare URI of a file the folder lacks (or whose ``$id`` is not its name's)."""
    exceptions = referencing.exceptions
    resource = getattr(error, "resource", None)
    within = f" in {resource.id()}" if isinstance(resource, referencing.Resource) and resource.id() else ""
    if isinstance(error, exceptions.PointerToNowhere):
        return f"the $ref '#{error.ref}'{within} leads nowhere"
    if isinstance(error, exceptions.NoSuchAnchor):
        return f"the $ref '#{error.anchor}'{within} leads nowhere"
    if type(error) in (exceptions.Unresolvable, exceptions.NoSuchResource, exceptions.Unretrievable):
        return f"no schema of the folder has the $id {error.ref!r}"  # type: ignore[attr-defined]
    return shown(" ".join(str(error).split()), 300)


def side_of(d: SchemaDir, v: Variant) -> Side:
    schema, validator = d.schema(v), d.validator(v)
    bases = [m for m in d.corpus(v) if validator.is_valid(m)]
    return Side(schema, validator.is_valid, bases, len(bases))


def _compare_variant(
    v: Variant, old: SchemaDir, new: SchemaDir, examples: int, seed: int, seconds: float
) -> VariantReport:
    notes: list[str] = []
    budget = Budget(seconds)
    report = _compared(v, old, new, examples, seed, notes, budget)
    if budget.cut:
        notes.append(f"generation cut short at the time limit ({seconds:g} s a variant): the verdict rests on the "
                     "structural comparison and the messages tried until then")  # fmt: skip
    return replace(report, notes=tuple(notes), cut_short=budget.cut)


def _compared(
    v: Variant, old: SchemaDir, new: SchemaDir, examples: int, seed: int, notes: list[str], budget: Budget
) -> VariantReport:
    def valid_message(d: SchemaDir) -> Any:
        return one_message(side_of(d, v), examples, seed, notes, budget)

    if v not in new.variants:
        witness = _valid_message_of(old, v, "OLD", notes, valid_message)
        gone = Break("backward", f"variant removed: {v.path} is not in NEW", witness, "variant")
        return VariantReport(v.profile, v.event_type, v.priority, "removed", False, True, (gone,))
    if v not in old.variants:
        witness = _valid_message_of(new, v, "NEW", notes, valid_message)
        added = Break("forward", f"variant added: {v.path} is not in OLD", witness, "variant")
        return VariantReport(v.profile, v.event_type, v.priority, "added", True, False, (added,))
    if canonical(old.schema(v)) == canonical(new.schema(v)):
        return VariantReport(v.profile, v.event_type, v.priority, "unchanged", True, True)
    try:
        if meaning(inline_refs(old.schema(v), old.schema(v))) == meaning(inline_refs(new.schema(v), new.schema(v))):
            return VariantReport(v.profile, v.event_type, v.priority, "changed", True, True)  # in its text alone
        empty = _accepts_nothing(v, old, new, notes, valid_message)
        if empty is not None:
            return empty
        a, b = side_of(old, v), side_of(new, v)
        breaks = breaks_one_way("backward", a, b, examples, seed, notes, budget)
        cut_backward = budget.cut  # the time limit reached while NEW was searched for what OLD accepts
        breaks += breaks_one_way("forward", b, a, examples, seed, notes, budget)
    except WalkError as error:  # the walk of the two schemas: what it says names neither file
        files = " with ".join(os.path.join(d.said, v.path) for d in (old, new))
        raise CompatError(f"comparing {files}: {error}") from None
    # A direction the time limit cut short before a break was found in it is not claimed compatible (D106): a
    # narrowing whose witness was not found in time is no proof that there is none.
    backward = False if any(x.direction == "backward" for x in breaks) else None if cut_backward else True
    forward = False if any(x.direction == "forward" for x in breaks) else None if budget.cut else True
    return VariantReport(v.profile, v.event_type, v.priority, "changed", backward, forward, tuple(breaks))


def _valid_message_of(
    d: SchemaDir, v: Variant, side: str, notes: list[str], valid_message: Callable[[SchemaDir], Any]
) -> Any:
    """A valid message of the variant on one side, or None when its schema can never be met (said in a note)."""
    nothing = contradiction(d.schema(v))
    if nothing is not None:
        notes.append(f"{side} accepts no message of this variant: {nothing}")
        return None
    return valid_message(d)


def _accepts_nothing(
    v: Variant, old: SchemaDir, new: SchemaDir, notes: list[str], valid_message: Callable[[SchemaDir], Any]
) -> VariantReport | None:
    """The report of a variant one side of which no message can meet (a contradiction of its keywords), found
    without generating: generation would look for a valid message until its time ran out. None when neither side
    has such a contradiction."""
    in_old, in_new = contradiction(old.schema(v)), contradiction(new.schema(v))
    if in_old is None and in_new is None:
        return None

    def changed(backward: bool, forward: bool, *breaks: Break) -> VariantReport:
        return VariantReport(v.profile, v.event_type, v.priority, "changed", backward, forward, breaks)

    if in_old is not None and in_new is not None:
        notes.append(f"neither OLD nor NEW accepts a message of this variant: OLD: {in_old}; NEW: {in_new}")
        return changed(True, True)
    if in_new is not None:
        gone = Break("backward", f"NEW accepts no message of this variant: {in_new}", valid_message(old), "structural")
        return changed(False, True, gone)
    came = Break("forward", f"OLD accepts no message of this variant: {in_old}", valid_message(new), "structural")
    return changed(True, False, came)


def compare(
    old_dir: Path | str,
    new_dir: Path | str,
    *,
    examples: int = 50,
    seed: int = 0,
    time_limit: float = TIME_LIMIT,
    progress: Callable[[int, int, Variant], None] | None = None,
) -> list[VariantReport]:
    """Compare every variant of both profiles in two schema directories; one report per variant, sorted.

    ``examples`` bounds each generation run (0 turns generation off); the same ``seed`` gives the same witnesses.
    ``time_limit`` bounds the time generation takes for one variant, in seconds; a variant whose generation it cut
    short says so (``cut_short``, and a note).
    ``progress`` is told ``(done, total, variant)`` before each variant is compared.
    """
    old, new = SchemaDir(old_dir), SchemaDir(new_dir)
    every = sorted(old.variants | new.variants)
    reports = []
    for done, v in enumerate(every):
        raise_if_terminated()  # SIGTERM, if its exception was dropped where it was raised
        if progress is not None:
            progress(done, len(every), v)
        reports.append(_compare_variant(v, old, new, examples, seed, time_limit))
    return reports
