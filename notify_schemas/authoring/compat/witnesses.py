"""Witnesses: concrete messages valid under one schema and invalid under the other.

A finding's witness is first sought by mutating known valid messages (the corpus's, else generated ones) with the
finding's candidates, then by generating values for the changed place with hypothesis-jsonschema. Generation also
searches every place where the two schemas differ and the structural comparison found nothing. A witness is moved as
close as it stays one to a known message, so that it reads as a realistic message with one change.
"""

from __future__ import annotations

import copy
import functools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from random import Random
from typing import TYPE_CHECKING, Any

import jsonschema_rs

from notify_schemas.authoring.compat.paths import (
    DELETE,
    MISSING,
    NO_PARENT,
    NONE,
    MessagePath,
    Seg,
    canonical,
    get_at,
    put_at,
    show,
)
from notify_schemas.authoring.compat.structure import Finding, Walk, conjuncts, inline_refs
from notify_schemas.authoring.compat.verdicts import Break, CompatError, Direction
from notify_schemas.termination import raise_if_terminated
from notify_schemas.validation import instance_path

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy


__all__ = ["Budget", "Side", "breaks_one_way", "first_error", "one_message", "toward"]

_MAX_BASES = 40  # valid messages kept as starting points for witnesses


def hypothesis_modules() -> Any:
    try:
        import hypothesis
        import hypothesis.errors
        import hypothesis.strategies
        import hypothesis_jsonschema
    except ImportError as error:
        raise CompatError(
            f"generation needs hypothesis and hypothesis-jsonschema ({error}): pip install 'notify-schemas[compat]', "
            "or compare without generation: --examples 0"
        ) from error
    except FileNotFoundError:  # os.getcwd(), which Hypothesis asks when imported: said as "No such file or directory"
        raise CompatError(
            "generation needs a current folder, and the one this command was started in was removed (Hypothesis "
            "reads it when imported): run it from a folder that is there, or compare without generation: --examples 0"
        ) from None
    return hypothesis, hypothesis_jsonschema


@functools.lru_cache(maxsize=256)
def strategy_for(canonical_schema: str) -> SearchStrategy[Any]:
    """hypothesis-jsonschema's strategy for a schema, built once; it gets a fresh copy, as it rewrites the schema."""
    _, hypothesis_jsonschema = hypothesis_modules()
    strategy: SearchStrategy[Any] = hypothesis_jsonschema.from_schema(json.loads(canonical_schema))
    return strategy


@dataclass
class Budget:
    """The time generation may take for one variant, every search of it together.

    hypothesis-jsonschema can spend minutes on a schema that is hard to draw from (a pattern filtered by a length it
    seldom has, a look-behind it cannot build): each search stops when the time is up, and ``cut`` tells the report
    that the variant's verdict rests on less than its searches would have tried.
    """

    seconds: float
    start: float = field(default_factory=time.monotonic)
    cut: bool = False

    def over(self) -> bool:
        if not self.cut and time.monotonic() - self.start >= self.seconds:
            self.cut = True
        return self.cut


class _OutOfTime(BaseException):
    """The budget is spent: raised inside a draw, it ends the search (Hypothesis may report it as a flaky one)."""


def find(
    strategy: SearchStrategy[Any], condition: Callable[[Any], bool], examples: int, seed: int, budget: Budget
) -> Any:
    """The first value of ``strategy`` that meets ``condition`` in ``examples`` tries, or ``NONE`` (also when the
    budget is spent: before a try, not only after one, as a draw that the schema rejects never reaches the
    condition)."""
    hypothesis, _ = hypothesis_modules()
    if budget.over():
        return NONE
    settings = hypothesis.settings(
        max_examples=examples,
        database=None,
        derandomize=True,
        deadline=None,
        # No shrinking: on these schemas it costs minutes; `toward` simplifies a witness in milliseconds instead.
        phases=(hypothesis.Phase.explicit, hypothesis.Phase.generate),
    )

    def timed(_: None) -> SearchStrategy[Any]:  # asked before each draw of the strategy
        if budget.over():
            raise _OutOfTime
        return strategy

    def meets(value: Any) -> bool:
        raise_if_terminated()  # SIGTERM, if its exception was dropped where it was raised
        return condition(value)

    drawn = hypothesis.strategies.none().flatmap(timed)
    try:
        return hypothesis.find(drawn, meets, settings=settings, random=Random(seed))
    except hypothesis.errors.NoSuchExample:
        return NONE
    except (_OutOfTime, Exception):
        if budget.cut:  # raised in a draw, or what Hypothesis made of it ("inconsistent data generation")
            return NONE
        raise


@dataclass
class Side:
    """One schema of a variant with its validator and the valid messages known for it."""

    schema: dict[str, Any]
    valid: Callable[[Any], bool]
    bases: list[Any]
    """Valid messages: the corpus's first, then generated ones."""
    known: int = 0
    """How many of ``bases`` come from the corpus."""


def first_error(schema: dict[str, Any], message: Any) -> str:
    error = next(iter(jsonschema_rs.validator_for(schema).iter_errors(message)), None)
    if error is None:
        return "valid"
    where = ".".join(str(p) for p in instance_path(error)) or "message"
    return f"{where}: {error.message}"


def _witness(
    finding: Finding, a: Side, b: Side, fresh: str, examples: int, seed: int, notes: list[str], budget: Budget
) -> Any:
    """A message valid under ``a`` and invalid under ``b`` that shows ``finding``, or ``NONE``."""
    # Start from messages valid on both sides, so the witness differs from a valid message in the finding only.
    bases = sorted(a.bases, key=lambda m: not b.valid(m))
    reachable = []
    for base in bases:
        now = get_at(base, finding.path, fresh)
        if now is NO_PARENT:
            continue
        reachable.append(base)
        for value in finding.candidates(now):
            message = put_at(base, finding.path, fresh, value)
            if a.valid(message) and not b.valid(message):
                return message
    if finding.sub_schema is None or not reachable or examples <= 0:
        return NONE
    hypothesis, _ = hypothesis_modules()
    try:
        strategy = hypothesis.strategies.tuples(
            hypothesis.strategies.sampled_from(reachable[:_MAX_BASES]), strategy_for(canonical(finding.sub_schema))
        )
        found = find(
            strategy,
            lambda pair: _shows(put_at(pair[0], finding.path, fresh, pair[1]), a, b),
            examples,
            seed,
            budget,
        )
    except CompatError:
        raise
    except Exception as error:  # hypothesis-jsonschema rejects some schemas; the finding stays unconfirmed
        notes.append(f"generation failed for {show(finding.path)}: {' '.join(str(error).split())[:200]}")
        return NONE
    if found is NONE:
        return NONE
    return toward(put_at(found[0], finding.path, fresh, found[1]), a, b, _concrete(finding.path, fresh))


def _shows(message: Any, a: Side, b: Side) -> bool:
    return a.valid(message) and not b.valid(message)


def _concrete(path: MessagePath, fresh: str) -> tuple[str | int, ...]:
    return tuple(0 if seg is Seg.ITEM else fresh if seg is Seg.OTHER else seg for seg in path)


def toward(witness: Any, a: Side, b: Side, keep: tuple[str | int, ...] | None = None) -> Any:
    """The witness moved as close as it stays a witness to a known message valid on both sides (or on ``a``).

    Greedy: each value that differs from the known message's is replaced by it, or removed, when the result is still
    valid under ``a`` and invalid under ``b``; so a generated witness reads as a realistic message with one change.
    The value at ``keep`` (the finding's path) is left as it is.
    """
    # A corpus message reads best, valid on both sides if there is one; else a generated one.
    corpus, generated = a.bases[: a.known], a.bases[a.known :]
    ranked = [m for m in corpus if b.valid(m)] + corpus + [m for m in generated if b.valid(m)] + generated
    base = ranked[0] if ranked else None
    if base is None:
        return witness
    best = witness

    def visit(path: tuple[str | int, ...]) -> None:
        nonlocal best
        now, then = _at(best, path), _at(base, path)
        if keep is not None and path[: len(keep)] == keep:
            return
        if canonical(now) == canonical(then):
            return
        holds_keep = keep is not None and keep[: len(path)] == path  # replacing it whole would undo the finding
        if not holds_keep and then is not MISSING and _try(best, path, then):
            return
        if isinstance(now, dict) and isinstance(then, dict):
            for key in list(now):
                if key not in then and (keep is None or keep[: len(path) + 1] != (*path, key)):
                    _try(best, (*path, key), DELETE)
                else:
                    visit((*path, key))
        elif isinstance(now, list) and isinstance(then, list) and len(now) == len(then):
            for index in range(len(now)):
                visit((*path, index))

    def _try(message: Any, path: tuple[str | int, ...], value: Any) -> bool:
        nonlocal best
        candidate = _set(message, path, value)
        if _shows(candidate, a, b):
            best = candidate
            return True
        return False

    visit(())
    return best


def _at(message: Any, path: tuple[str | int, ...]) -> Any:
    node = message
    for key in path:
        in_dict = isinstance(node, dict) and isinstance(key, str) and key in node
        if not (in_dict or (isinstance(node, list) and isinstance(key, int) and key < len(node))):
            return MISSING
        node = node[key]
    return node


def _set(message: Any, path: tuple[str | int, ...], value: Any) -> Any:
    if not path:
        return copy.deepcopy(value)
    out = copy.deepcopy(message)
    node = out
    for key in path[:-1]:
        node = node[key]
    if value is DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = copy.deepcopy(value)
    return out


def _generate(a: Side, b: Side, examples: int, seed: int, notes: list[str], budget: Budget) -> Any:
    """Property-based search: the first message generated from ``a`` that ``b`` rejects, or ``NONE``.

    Every message tried is kept as a base for witnesses.
    """
    if examples <= 0:
        return NONE

    def condition(message: Any) -> bool:
        if not a.valid(message):
            return False
        if len(a.bases) < _MAX_BASES:
            a.bases.append(copy.deepcopy(message))
        return not b.valid(message)

    try:
        return find(strategy_for(canonical(a.schema)), condition, examples, seed, budget)
    except CompatError:
        raise
    except Exception as error:  # an unsatisfiable or unsupported schema: no counterexample from generation
        notes.append(f"generation failed: {' '.join(str(error).split())[:200]}")
        return NONE


def breaks_one_way(
    direction: Direction, a: Side, b: Side, examples: int, seed: int, notes: list[str], budget: Budget
) -> list[Break]:
    """Every break found where ``b`` rejects what ``a`` accepts."""
    fresh = "compat_witness"
    names = re.findall(r'"([^"]*)"', canonical(a.schema) + canonical(b.schema))
    while fresh in names:
        fresh += "_"
    a_schema, b_schema = inline_refs(a.schema, a.schema), inline_refs(b.schema, b.schema)
    walk = Walk(a_schema, b_schema, fresh)
    walk.walk(conjuncts(a_schema, a_schema), conjuncts(b_schema, b_schema))
    breaks: list[Break] = []
    pending: list[Finding] = []
    for finding in walk.findings:
        witness = _witness(finding, a, b, fresh, 0, seed, notes, budget)  # mutations of the known messages only
        if witness is NONE:
            pending.append(finding)
        else:
            breaks.append(Break(direction, finding.reason, witness, "structural"))
    if not (pending or not breaks):
        return breaks
    # Generation searches the places where the schemas differ, each with a small schema that many variants share;
    # a whole message is generated only when there is no such place or no known message reaches one.
    places = walk.places()
    local = bool(a.bases) and all(path and _reaches(a.bases, path, fresh) for path, _ in places) and bool(places)
    # Whole-message generation also adds the messages it tries to the bases.
    generated = NONE if local else _generate(a, b, examples, seed, notes, budget)
    for finding in pending:
        witness = _witness(finding, a, b, fresh, examples, seed, notes, budget)
        if witness is NONE:
            found = "no witness found" + (" in the time limit" if budget.cut else "")
            notes.append(f"unconfirmed ({direction}): {finding.reason}; {found}")
        else:
            breaks.append(Break(direction, finding.reason, witness, "structural"))
    if breaks:
        return breaks
    if local:  # a witness made at a place is already moved toward a known message
        for path, schema in places:
            place = Finding(path, show(path), lambda _: [], schema)
            generated = _witness(place, a, b, fresh, examples, seed, notes, budget)
            if generated is not NONE:
                break
    elif generated is not NONE:
        generated = toward(generated, a, b)
    if generated is not NONE:
        breaks.append(
            Break(direction, f"{first_error(b.schema, generated)} (found by generation)", generated, "property")
        )
    elif (known := _rejected(a, b)) is not NONE:
        breaks.append(Break(direction, f"{first_error(b.schema, known)} (a corpus message)", known, "corpus"))
    return breaks


def _rejected(a: Side, b: Side) -> Any:
    """A corpus message valid under ``a`` that ``b`` rejects, or ``NONE``: a witness as it is, which needs no
    mutation or generation (``--examples 0``), where a structural finding's mutations all missed it."""
    return next((m for m in a.bases[: a.known] if not b.valid(m)), NONE)


def _reaches(bases: list[Any], path: MessagePath, fresh: str) -> bool:
    """Whether some known message reaches the place (it may lack the last key, which generation then adds)."""
    return any(get_at(base, path, fresh) is not NO_PARENT for base in bases)


def one_message(side: Side, examples: int, seed: int, notes: list[str], budget: Budget) -> Any:
    """A valid message of one side: from the corpus, else the simplest one generation finds (None if none)."""
    if side.bases:
        return side.bases[0]
    found = _generate(side, Side({}, lambda _: False, []), max(examples, 1), seed, notes, budget)
    return None if found is NONE else found
