"""Run the suite: generate intents per variant, drive the producer, apply every check, and report."""

from __future__ import annotations

import copy
import dataclasses
import datetime
import json
import re
import shlex
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import quoteattr

import orjson

from notify_schemas import variants
from notify_schemas.arguments import MAX_EXAMPLES
from notify_schemas.conformance.checks import CHECKS, STREAM_CHECKS, Check, RunState, json_shown, received
from notify_schemas.conformance.coverage import Coverage
from notify_schemas.conformance.intents import checked_intent, intents
from notify_schemas.conformance.producers import Opaque, ProducerError, answered
from notify_schemas.conformance.records import Intent, unleaked
from notify_schemas.redaction import error_text, mask_text, quoted, redact, shown, told_apart, type_name
from notify_schemas.registry import check_profile
from notify_schemas.termination import is_stop, raise_if_terminated
from notify_schemas.values import Unreadable
from notify_schemas.wire_form import PLAIN, redacted_json, tuples_within

__all__ = [
    "KEPT",
    "KEPT_BYTES",
    "MAX_SENT",
    "NEEDS_INTENT",
    "NOTHING_STREAMED",
    "NOT_APPLICABLE",
    "OTHER",
    "VARIANTS",
    "CaseFailure",
    "Located",
    "NotKept",
    "Report",
    "run",
    "run_stream",
    "stream_checks",
    "whole_number",
]


@dataclass(frozen=True)
class CaseFailure:
    check: Check
    variant: str
    intent: Intent | None
    notification: Any
    reason: str


KEPT = 100
"""The failures of one check kept whole, with their notification, for the details and the JSON report; every further
one is counted only. A recorded stream may fail a million times: kept whole, its report would be many times its size."""
KEPT_BYTES = 4 * 1024 * 1024
"""The notifications kept whole over the whole report, in bytes of their JSON text. A failure past them is kept with
its check, variant, intent and reason, its notification only measured (`NotKept`): a producer answering with
notifications of megabytes would otherwise keep hundreds of them, gigabytes in memory and in the report."""
VARIANTS = 1_000
"""The variant names counted apart; a recorded stream's messages name their own, so past these the rest are counted
under `OTHER`."""
OTHER = "other variants"


@dataclass(frozen=True)
class NotKept:
    """What stands for a failure's notification once the report keeps `KEPT_BYTES` of notifications: its size."""

    size: int

    def __str__(self) -> str:
        return f"not kept: {self.size:,} bytes of JSON, past the {KEPT_BYTES:,} bytes of notifications a report keeps"


def _json_size(notification: Any) -> int:
    """Bytes of a notification's JSON text: as sent, or (a producer's own objects) as the report shows it."""
    try:
        if tuples_within(notification):  # a deeper run of tuples is no JSON, and orjson cannot be given it (D98)
            return len(orjson.dumps(notification, None, PLAIN))
    except Exception:  # TypeError; whatever a producer's object raises when it is read
        pass
    return len(json.dumps(received(notification)).encode("utf-8", "surrogatepass"))


def _notification(notification: Any) -> dict[str, Any]:
    """A failure's notification as the JSON report shows it: redacted, or only its size once past `KEPT_BYTES`."""
    if isinstance(notification, NotKept):
        return {"notification": None, "notification_not_kept": str(notification)}
    return {"notification": _unleaked_value(redact(received(notification)))}


def _unleaked_value(value: Any) -> Any:
    """A plain JSON value as a report writes it: each text and key with the intents' credentials as ``***``
    (`unleaked`); one walk, no recursion. Two keys that read alike once hidden are told apart by a number."""
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any]] = [(value, root, 0)]
    while stack:
        node, parent, slot = stack.pop()
        if isinstance(node, str):
            parent[slot] = unleaked(node)
        elif isinstance(node, dict):
            copied: dict[Any, Any] = {}
            parent[slot] = copied
            for key, item in node.items():
                shown = told_apart(unleaked(key) if isinstance(key, str) else key, copied)
                copied[shown] = None
                stack.append((item, copied, shown))
        elif isinstance(node, list):
            items: list[Any] = [None] * len(node)
            parent[slot] = items
            stack.extend((item, items, index) for index, item in enumerate(node))
        else:
            parent[slot] = node
    return root[0]


@dataclass
class Report:
    """Per check and variant: how many notifications passed and failed, and the first failures of each check whole
    (with the case), in memory bounded whatever the number of notifications."""

    checks: Sequence[Check]
    passed: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    failures: list[CaseFailure] = field(default_factory=list)
    """The first `KEPT` failures of each check, whole; add them with `fail`, which counts them all."""
    failed: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    """Per check id and variant: how many failed (kept or not)."""
    not_applicable: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    """Per check id and variant: the intents the check had nothing to judge of, neither passed nor failed, and why
    (`NOT_APPLICABLE`): `envelope.once` where no notification of the event asked for was sent, which
    `envelope.as_asked` fails."""
    first_reason: dict[tuple[str, str], str] = field(default_factory=dict)
    """Per check id and variant: the reason of its first failure (the JUnit report's message)."""
    producer: str = ""
    minimal: dict[str, CaseFailure] = field(default_factory=dict)
    """Per check id: the failing case shrunk by Hypothesis to a minimal intent."""
    notes: list[str] = field(default_factory=list)
    """What the run could not do, in a line each: a failure that did not reproduce, say."""
    stopped: str = ""
    """Why the run stopped before its last intent (the producer broke the protocol), or ""."""
    coverage: Coverage | None = None
    """What of the payload schemas the intents asked (none for a recorded stream)."""
    must_failed: bool = False
    """Whether a MUST check failed."""
    _names: set[str] = field(default_factory=set, repr=False)
    _kept: dict[str, int] = field(default_factory=lambda: defaultdict(int), repr=False)  # per check id
    _kept_bytes: int = field(default=0, repr=False)  # of the notifications kept whole

    def variant(self, name: str) -> str:
        """``name`` as counted: itself, or `OTHER` once `VARIANTS` names are counted apart."""
        if name in self._names:
            return name
        if len(self._names) >= VARIANTS:
            return OTHER
        self._names.add(name)
        return name

    def count_pass(self, check_id: str, name: str) -> None:
        self.passed[check_id, self.variant(name)] += 1

    def count_not_applicable(self, check_id: str, name: str) -> None:
        self.not_applicable[check_id, self.variant(name)] += 1

    def fail(self, failure: CaseFailure) -> None:
        """Count a failure, and keep it whole if its check has fewer than `KEPT` kept."""
        failure = dataclasses.replace(failure, reason=unleaked(failure.reason))  # it may quote the answer
        key = (failure.check.id, self.variant(failure.variant))
        if failure.check.level == "MUST":
            self.must_failed = True
        if key not in self.first_reason:
            self.first_reason[key] = shown(failure.reason, _REASON)
        if self._kept[key[0]] < KEPT:
            self._kept[key[0]] += 1
            self.failures.append(self._within_budget(failure))
        self.failed[key] += 1

    def _within_budget(self, failure: CaseFailure) -> CaseFailure:
        """The failure whole while the notifications kept stay within `KEPT_BYTES`, else with its size only."""
        if isinstance(failure.notification, NotKept):
            return failure
        size = _json_size(failure.notification)
        if self._kept_bytes + size <= KEPT_BYTES:
            self._kept_bytes += size
            return failure
        return dataclasses.replace(failure, notification=NotKept(size))

    def judge(self, checks: Iterable[Check], name: str, intent: Intent, notification: Any, state: RunState, *,
              asked: bool = True, where: str = "") -> None:  # fmt: skip
        """Apply each check to one notification and count the verdicts under ``name``, the variant.

        ``asked`` is False for a recorded stream: its intent only names the profile, and no replay is possible;
        ``where`` (``line 12``) then starts each reason, since nothing else says which of its records failed.
        """
        for check in checks:
            reason = _apply(check, intent, notification, state)
            if reason is None:
                self.count_pass(check.id, name)
            else:
                reason = f"{where}: {reason}" if where else reason
                self.fail(CaseFailure(check, name, intent if asked else None, notification, reason))

    def failed_checks(self) -> set[str]:
        return {c for c, _ in self.failed}

    def _count(self, counts: dict[tuple[str, str], int], check_id: str) -> int:
        return sum(n for (c, _), n in counts.items() if c == check_id)

    def left_out(self) -> int:
        """How many failures were counted but not kept whole."""
        return sum(self.failed.values()) - len(self.failures)

    def summary(self) -> str:
        """The check table: check, level, passed, failed, and the first variants that failed."""
        lines = [f"{'check':22} {'level':6} {'passed':>7} {'failed':>7}  variants failing"]
        for check in self.checks:
            names = sorted(v for c, v in self.failed if c == check.id)
            shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
            lines.append(f"{check.id:22} {check.level:6} {self._count(self.passed, check.id):7} "
                         f"{self._count(self.failed, check.id):7}  {shown}")  # fmt: skip
        if self.stopped == NOTHING_STREAMED:
            verdict = "STOPPED: nothing was checked (below)"
        elif self.stopped:  # whatever the checks say of what was seen, the run did not end: no pass
            verdict = "STOPPED: the run did not reach its end (below)"
        else:
            verdict = "FAILED: a MUST check failed" if self.must_failed else "passed: every MUST check holds"
        lines.append(verdict)
        for check in self.checks:
            count = self._count(self.not_applicable, check.id)
            if count:
                lines.append(f"{check.id}: not applicable to {count} intent(s): {NOT_APPLICABLE[check.id]}")
        if self.coverage is not None:
            lines.append(self.coverage.summary())
        lines += [f"note: {note}" for note in self.notes]
        if self.stopped:
            before = "" if self.stopped == NOTHING_STREAMED else " before the last intent"
            lines.append(f"STOPPED{before}: {self.stopped}")
        return "\n".join(lines)

    def failure_details(self, producer_args: str) -> str:
        """The first failure of each check that failed, every one of them (a check whose failure is not shown here is
        one the reader takes for held): the intent, the notification, the rule, and a one-line replay."""
        out = []
        seen: set[str] = set()
        for first in self.failures:
            if first.check.id in seen:
                continue
            seen.add(first.check.id)
            f = self.minimal.get(first.check.id, first)
            if f is not first:
                out.append(f"{f.check.id}: shrunk by Hypothesis to a minimal intent")
            out.append(f"{f.check.id} ({f.check.level}) on {f.variant}: {shown(f.reason, _REASON)}")
            out.append(f"  rule: {f.check.sentence}")
            if f.intent is not None:
                out.append(f"  intent: {json.dumps(f.intent)[:300]}")
                out.append(
                    f"  replay: notify-schemas conformance {producer_args} --intent {shlex.quote(json.dumps(f.intent))}"
                )
            kept = not isinstance(f.notification, NotKept)
            notification = shown(unleaked(redacted_json(received(f.notification))), 300) if kept else f.notification
            out.append(f"  notification: {notification}")
        return "\n".join(out)

    def as_json(self) -> dict[str, Any]:
        return {
            "producer": self.producer,
            "result": "stopped" if self.stopped else "fail" if self.must_failed else "pass",
            "stopped": self.stopped,
            "notes": self.notes,
            "coverage": None if self.coverage is None else self.coverage.as_json(),
            "checks": [
                {"id": c.id, "level": c.level, "sentence": c.sentence,
                 "passed": self._count(self.passed, c.id),
                 "failed": self._count(self.failed, c.id),
                 "not_applicable": self._count(self.not_applicable, c.id),
                 "not_applicable_because": NOT_APPLICABLE.get(c.id) if self._count(self.not_applicable, c.id) else None}
                for c in self.checks
            ],
            "failures_not_kept": self.left_out(),
            "failures": [
                {"check": f.check.id, "level": f.check.level, "variant": f.variant, "reason": mask_text(f.reason),
                 "intent": f.intent, **_notification(f.notification)}
                for f in self.failures
            ],
        }  # fmt: skip

    def as_junit(self) -> str:
        cases = []
        keys = sorted(set(self.passed) | set(self.failed) | set(self.not_applicable))
        skipped = 0
        for check_id, variant in keys:
            reason = self.first_reason.get((check_id, variant))
            body = "" if reason is None else f"<failure message={quoteattr(_xml(reason))}/>"
            if not body and not self.passed.get((check_id, variant)):  # only intents it had nothing to judge of
                skipped += 1
                body = f"<skipped message={quoteattr(NOT_APPLICABLE[check_id])}/>"
            cases.append(f"<testcase classname={quoteattr(_xml(check_id))} name={quoteattr(_xml(variant))}>{body}"
                         "</testcase>")  # fmt: skip
        failures = len(self.failed)
        errors = 0
        if self.stopped:  # a CI report must not show a run that stopped as one that passed
            errors = 1
            cases.append(f'<testcase classname="run" name="completed"><error message={quoteattr(_xml(self.stopped))}/>'
                         "</testcase>")  # fmt: skip
        return (
            f'<?xml version="1.0" encoding="utf-8"?>\n<testsuite name="notify-schemas conformance" '
            f'tests="{len(keys) + errors}" failures="{failures}" errors="{errors}" skipped="{skipped}">'
            f"{''.join(cases)}</testsuite>\n"
        )


# What XML 1.0 cannot hold at all, escaped or not: control characters other than tab and line breaks, surrogates,
# U+FFFE and U+FFFF. A producer's text may hold any of them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml(text: str) -> str:
    """Text as XML 1.0 can carry it: each character it cannot, written as its escape (``\\ufffe``)."""
    return _NOT_XML.sub(lambda m: f"\\u{ord(m[0]):04x}", text)


def _apply(check: Check, intent: Intent, notification: Any, state: RunState) -> str | None:
    """The check's verdict; a producer's output so odd that the check itself cannot run counts as a failure, and so
    does a record that could not be read as JSON (an `Unreadable`): no check can hold on what it cannot judge."""
    if isinstance(notification, Unreadable):
        return f"unreadable, so nothing of it can be judged: {notification.reason}"
    try:
        return check.test(intent, notification, state)
    except (TypeError, ValueError, KeyError, AttributeError, RecursionError) as error:
        return f"cannot be checked: {error_text(error)}"  # its arguments masked before they are quoted


def _utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


def whole_number(option: str, value: Any) -> None:
    """``TypeError`` naming ``option`` unless ``value`` is an int (not a bool, which is one to Python): a float or a
    text would reach Hypothesis, which names its own setting (``max_examples=1.5``), or an operator's error."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{option} must be a whole number (an int), not {quoted(value)}")


def _ids(checks: Iterable[str] | None, option: str) -> list[str] | None:
    """Check ids as a caller gives them, as a list read once: a text is read as ``--checks`` reads one (``"a,b"``),
    not as the characters it is made of (``unknown check 's'`` for ``"schema.valid"``), and an iterator is read
    once only (it was read once to check the ids, and found empty when they were selected). ``ValueError`` naming
    ``option`` for what is no text or iterable of texts (a list in the list, a number), and for a ``checks`` that
    names none: ``--checks ""`` is a usage error, and "only these" naming none would run every check."""
    if checks is None:
        return None
    if isinstance(checks, str):
        ids = [t.strip() for t in checks.split(",") if t.strip()]
    else:
        try:
            ids = list(checks)
        except TypeError:  # not iterable: a number, say
            raise ValueError(f"{option}: check ids, as a text or an iterable of texts, not {quoted(checks)}") from None
    for name in ids:
        if not isinstance(name, str):
            raise ValueError(f"{option}: a check id is a text, not {quoted(name)}")
    if not ids and option == "checks":
        raise ValueError("checks: names no check; leave it out (None) for every check")
    return ids


def _selected(include: Iterable[str] | None, exclude: Iterable[str] | None) -> list[Check]:
    known = {c.id for c in CHECKS} | {c.id for c, _ in STREAM_CHECKS}
    for name in [*(include or []), *(exclude or [])]:
        if name not in known:
            raise ValueError(f"unknown check {quoted(name)}; known checks: {', '.join(sorted(known))}")
    left = [c for c in [*CHECKS, *(c for c, _ in STREAM_CHECKS)]
            if (not include or c.id in include) and c.id not in (exclude or [])]  # fmt: skip
    if not left:
        raise ValueError("no check left to run: --exclude-checks leaves out every check selected")
    return [c for c in CHECKS if c in left]


def run(
    producer: Callable[[Intent], Any],
    *,
    profile: str = "seed",
    examples: int = 10,
    seed: int = 0,
    checks: Iterable[str] | None = None,
    exclude_checks: Iterable[str] | None = None,
    only: Sequence[Intent] | None = None,
    progress: Callable[[int, int], None] | None = None,
    shrink: bool = True,
) -> Report:
    """Drive ``producer`` with the intents of every variant of ``profile`` (or just ``only``, each an intent as
    ``--intent`` takes one, which a producer can meet: ``ValueError`` naming the first that is not, DECISIONS D105)
    and check each answer.

    The producer is handed a copy of each intent: what it writes into the one it gets (a record it tidies in place, a
    name it changes) changes neither what its answer is judged against, nor the intent asked again, nor the replay.
    """
    whole_number("examples", examples)
    whole_number("seed", seed)
    if not 0 <= examples <= MAX_EXAMPLES:
        raise ValueError(f"examples must be from 0 to {MAX_EXAMPLES:,}, not {examples:,}")
    checks, exclude_checks = _ids(checks, "checks"), _ids(exclude_checks, "exclude_checks")
    chosen = _selected(checks, exclude_checks)
    coverage = Coverage()
    report = Report(chosen, coverage=coverage)
    state = RunState()
    cases = [checked_intent(i, f"only[{n}]") for n, i in enumerate(only)] if only is not None else [
        i for v in variants(profile) for i in intents(v.event_type, v.priority, profile=profile, examples=examples,
                                                      seed=seed, coverage=coverage)
    ]  # fmt: skip
    if only is not None:
        for intent in cases:
            coverage.add(intent)
    if not cases:
        raise ValueError("no intents to run: a run that checks nothing proves nothing")
    streams_only = [c for c, _ in STREAM_CHECKS if c.id in (checks or ())]
    if streams_only:
        names = ", ".join(c.id for c in streams_only)
        raise ValueError(f"{names} judges a recorded stream: use --stream or --transport-url, not a producer")
    if not chosen:
        raise ValueError("no check left to run on a producer: --exclude-checks leaves out every check but the stream's")
    if only is None:
        # The repeat phase: the first intent of each variant asked again; a producer that derives message ids from
        # the content, or keeps state between calls, shows it here.
        firsts = {(i["event_type"], i["priority"]): i for i in reversed(cases)}
        cases += list(firsts.values())
    once = next((c for c in chosen if c.id == _ONCE), None)
    each = [c for c in chosen if c is not once]  # envelope.once: per intent, below
    sent = False  # whether any answer held a notification
    for n, intent in enumerate(cases, 1):
        raise_if_terminated()  # SIGTERM, if its exception was dropped where it was raised
        name = f"{intent['event_type']} {intent['priority']}"
        state.call_started = _utcnow()
        try:
            # Read once: no code of the producer's runs in the checks.
            produced = _notifications(answered(producer(copy.deepcopy(intent)), "producer", f"the intent {name}"), name)
        except ProducerError as error:  # a break of the protocol: the run stops, and reports what it saw so far
            return _stopped(report, str(error), cases[: n - 1])
        except BaseException as error:  # the producer's own failure (sys.exit, GeneratorExit too), with the intent
            if is_stop(error):  # Ctrl-C, SIGTERM; not a KeyboardInterrupt the producer raised itself
                raise
            raise_if_terminated()  # an error set off by SIGTERM is the stop, not the producer's failure
            return _stopped(report, f"the producer raised {error_text(error)} on intent {name}", cases[: n - 1])
        state.call_ended = _utcnow()
        sent = sent or bool(produced)
        if not produced:
            # Nothing to judge but the silence: the event asked for was not sent.
            for c in chosen:
                if c.id == _ASKED:
                    report.fail(CaseFailure(c, name, intent, None, _NOTHING_SENT))
        for notification in produced:
            report.judge(each, name, intent, notification, state)
        if once is not None:
            _judge_once(report, once, name, intent, produced)
        if progress is not None:
            progress(n, len(cases))
    if not report.passed and not report.failed:
        # Nothing was checked: every answer was empty, or (envelope.once alone) none was of the event asked for, and
        # the one check that judges either was left out.
        if not sent:
            raise ProducerError(f"the producer sent no notification for any of the {len(cases)} intents")
        raise ProducerError(f"the producer sent no notification of the event asked for for any of the {len(cases)} "
                            f"intents, which {_ASKED}, left out, fails: nothing was checked")  # fmt: skip
    if shrink and only is None:
        _shrink(report, producer)
    return report


def _judge_once(report: Report, once: Check, name: str, intent: Intent, produced: list[Any]) -> None:
    """`envelope.once` on the answer to one intent, which it always counts: passed where the event asked for was
    sent once, failed where it was sent twice or more, or where an answer could not be read (it may be the event,
    sent twice: no check passes what it did not look at): a line that is not JSON, or a callable's answer that was
    not read (an `Opaque`: a generator, a mapping of its own, a list whose ``__iter__`` raised, which may hold any
    number of notifications); and not applicable where none of the answers is the event asked for (silence, another
    event), which `envelope.as_asked` fails (D31): not sent is not sent twice."""
    wanted = (intent["event_type"], intent["priority"])
    asked = [m for m in produced if isinstance(m, dict) and (m.get("event_type"), m.get("priority")) == wanted]
    unread = next((m for m in produced if isinstance(m, Unreadable | Opaque)), None)
    if len(asked) > 1:
        report.fail(CaseFailure(once, name, intent, asked[1], f"sent {len(asked)} notifications of {name} for one "
                                "intent"))  # fmt: skip
    elif isinstance(unread, Unreadable):
        report.fail(CaseFailure(once, name, intent, unread, f"unreadable, so whether {name} was sent once cannot be "
                                f"judged: {unread.reason}"))  # fmt: skip
    elif unread is not None:
        report.fail(CaseFailure(once, name, intent, unread, f"holds {unread.described()}, whose content was not "
                                f"read, so whether {name} was sent once cannot be judged"))  # fmt: skip
    elif asked:
        report.count_pass(once.id, name)
    else:
        report.count_not_applicable(once.id, name)


def _stopped(report: Report, why: str, answered: Sequence[Intent]) -> Report:
    """``report`` of a run that stopped for ``why`` once the intents ``answered`` were judged: its coverage is of
    those alone. The intents are drawn, and counted, before the first is asked; a run stopped at its first intent
    would otherwise say it asked every target of every variant."""
    report.stopped = shown(unleaked(why), _REASON)  # it may quote the answer
    if report.coverage is not None:
        asked = report.coverage.unasked()
        for intent in answered:
            asked.add(intent)
        report.coverage = asked
    return report


_REASON = 2000  # characters of a reason shown: a producer's value quoted in it may be of any length
MAX_SENT = 100
"""The most notifications one answer may hold (a producer sends one or a few per intent): each is judged by every
check, and a failure is kept per check, so an array of two million in a 4 MB line would take hours and tens of GB."""


def _notifications(answer: Any, name: str) -> list[Any]:
    """The notifications of one answer (an array, or one alone); `ProducerError`, which stops the run, past
    `MAX_SENT`."""
    produced = answer if isinstance(answer, list) else [answer]
    if len(produced) > MAX_SENT:
        raise ProducerError(f"the producer answered {len(produced):,} notifications to the intent {name}, more "
                            f"than the {MAX_SENT} one answer may hold")  # fmt: skip
    return produced


_ASKED = "envelope.as_asked"
_ONCE = "envelope.once"
NOT_APPLICABLE = {_ONCE: f"no notification of the event asked for was sent, which {_ASKED} fails (D31)"}
"""Why a check had nothing to judge of an intent, per check id: counted apart (`Report.not_applicable`)."""
_NOTHING_SENT = "sent no notification for this intent"

# Checks whose verdict depends on earlier messages of the run: one intent alone cannot reproduce them.
_STATEFUL = {"envelope.message_id", "publisher.stable", _ONCE}


class _Stop(Exception):
    """The producer broke the protocol while a failure was being shrunk."""


def _shrink(report: Report, producer: Callable[[Intent], Any]) -> None:
    """For each failing check, let Hypothesis find the smallest intent of the first failing variant that fails it."""
    from hypothesis import HealthCheck, Verbosity, find, settings
    from hypothesis.errors import Flaky, NoSuchExample

    from notify_schemas.conformance.strategies import intent_strategy

    for first in {f.check.id: f for f in reversed(report.failures)}.values():
        if first.check.id in _STATEFUL or first.intent is None:
            continue
        found: dict[str, CaseFailure] = {}

        def fails(intent: Intent, first: CaseFailure = first, found: dict[str, CaseFailure] = found) -> bool:
            check = first.check
            raise_if_terminated()
            state = RunState(call_started=_utcnow())
            try:
                produced = _notifications(
                    answered(producer(copy.deepcopy(intent)), "producer", f"the intent {first.variant}"), first.variant
                )
            except ProducerError as error:  # the producer broke the protocol: no more asking it
                raise _Stop(str(error)) from None
            except BaseException as error:  # a case that raises is not the failure being shrunk: the run stands
                if is_stop(error):
                    raise
                raise_if_terminated()
                return False
            state.call_ended = _utcnow()
            if not produced and check.id == _ASKED:
                found["case"] = CaseFailure(check, first.variant, intent, None, _NOTHING_SENT)
                return True
            for notification in produced:
                reason = _apply(check, intent, notification, state)
                if reason is not None:
                    found["case"] = CaseFailure(check, first.variant, intent, notification, reason)
                    return True
            return False

        strategy = intent_strategy(
            first.intent["event_type"], first.intent["priority"], profile=first.intent["profile"]
        )
        try:
            minimal = find(
                strategy,
                fails,
                settings=settings(
                    max_examples=200,
                    verbosity=Verbosity.quiet,
                    database=None,
                    deadline=None,
                    derandomize=True,
                    suppress_health_check=list(HealthCheck),
                ),
            )
        except NoSuchExample:
            continue
        except _Stop as stop:
            report.notes.append(f"shrinking stopped: {unleaked(str(stop))}")
            return
        except Flaky:  # the producer answers the same intent differently: the failure stands as first seen
            report.notes.append(f"{first.check.id}: the failure did not reproduce when its intent was asked again "
                                "(an intermittent producer?); shown as first seen, not shrunk")  # fmt: skip
            continue
        if fails(minimal):
            case = found["case"]
            report.minimal[first.check.id] = dataclasses.replace(case, reason=unleaked(case.reason))
        else:
            report.notes.append(f"{first.check.id}: the minimal failing intent passed when asked again "
                                "(an intermittent producer?); shown as first seen")  # fmt: skip


NEEDS_INTENT = frozenset({_ASKED, "payload.faithful", _ONCE})
"""The checks that judge a notification against the intent that asked for it: a recorded stream has none."""


def stream_checks(checks: Iterable[str] | None = None, exclude_checks: Iterable[str] | None = None) -> list[Check]:
    """The checks a recorded stream (or live traffic) gets of those selected; ``ValueError`` when the selection names
    one that needs an intent, or leaves none: counted as passed, a check that never ran would read as one that held."""
    include, exclude = _ids(checks, "checks") or [], _ids(exclude_checks, "exclude_checks") or []
    chosen = [c for c in _selected(include, exclude) if c.id not in NEEDS_INTENT]
    chosen += [c for c, _ in STREAM_CHECKS if (not include or c.id in include) and c.id not in exclude]
    asked = [name for name in include if name in NEEDS_INTENT]
    if asked:
        raise ValueError(f"{', '.join(asked)} judges a notification against the intent that asked for it: use "
                         "--callable or --exec, not a recorded stream")  # fmt: skip
    if not chosen:
        raise ValueError("no check left to run on a recorded stream: --exclude-checks leaves out every check that "
                         "needs no intent")  # fmt: skip
    return chosen


@dataclass(frozen=True)
class Located:
    """A recorded message with the place it has in its recording (``line 12``, ``line 1, record /3``), which every
    failure of it names: a recording may hold millions of messages, and the check table alone does not say which
    of them failed."""

    value: Any
    where: str


def run_stream(
    messages: Iterable[Any],
    *,
    profile: str = "seed",
    checks: Iterable[str] | None = None,
    exclude_checks: Iterable[str] | None = None,
) -> Report:
    """The checks that need no intent, on a recorded stream: validity, envelope, ids, JSON, leaks, order. The stream
    is read once, a message at a time: memory does not grow with its length, only with what the checks keep (ids
    seen, the lifecycle step of each image and task). Each failure names the message's place: a `Located` one's
    own (its line), any other by its number in the stream (``message 3``: live traffic, in the order it came).
    One that held none (an empty array, live traffic where nothing came) is a run that stopped (`NOTHING_STREAMED`),
    as a producer's run in which nothing at all was sent is: each check passed would be one that looked at nothing.
    An unknown ``profile`` is the caller's error, raised before a message is read, as `run` raises it: not each
    message's failure, nor a stop midway through the stream."""
    check_profile(profile)
    selected = stream_checks(checks, exclude_checks)
    streams = [(c, make()) for c, make in STREAM_CHECKS if c in selected]
    chosen = [c for c in selected if c in CHECKS]  # each judges one message; the stream's judge the sequence
    report = Report(selected)
    # The stream checks count under one name, counted apart before any message's own: were it the 1,001st name,
    # it would be counted under OTHER, its failures found nowhere under its own, and each check passed as well.
    report.variant(_STREAM)
    state = RunState()
    intent = {"profile": profile, "event_type": "", "priority": ""}  # what the stream checks read of an intent
    n = 0
    for n, item in enumerate(messages, 1):
        message, where = (item.value, item.where) if isinstance(item, Located) else (item, f"message {n}")
        name = _stream_variant(message)
        report.judge(chosen, name, intent, message, state, asked=False, where=where)
        for check, test in streams:  # every record, so that each is counted where it stands
            for problem in test(message):
                report.fail(CaseFailure(check, _STREAM, None, None, f"{where}: {problem}"))
    if not n:  # an empty array, or live traffic where nothing came: each stream check would pass unlooked at
        report.stopped = NOTHING_STREAMED
        return report
    for check, _ in streams:
        if not report.failed.get((check.id, _STREAM)):
            report.count_pass(check.id, _STREAM)
    return report


_STREAM = "stream"
"""What the stream checks, which judge the sequence rather than a message, are counted under."""


NOTHING_STREAMED = "the stream held no notification: nothing was checked, and a run that checks nothing proves nothing"
"""Why a run of a stream that held none stopped (`run_stream`)."""


def _stream_variant(message: Any) -> str:
    """What a recorded message is counted under: the variant it names, shown as any text a producer wrote and, where
    it is not text, as its JSON text (``null``, ``["a"]``), redacted as any value of its is (an event type
    ``{"task_input": ...}``), or ``(no event_type)`` where the key is missing; or what it is when it names none: an
    unreadable record, or JSON that is no object (its JSON type)."""
    if isinstance(message, dict):
        return shown(unleaked(f"{_named(message, 'event_type')} {_named(message, 'priority')}"), 100)
    if isinstance(message, Unreadable):
        return "unreadable"
    return f"not an object ({_JSON_TYPES.get(type(message)) or type_name(message)})"


def _named(message: dict[Any, Any], key: str) -> str:
    """The event type or the priority of a recorded message as its variant's name shows it (`_stream_variant`)."""
    if key not in message:
        return f"(no {key})"
    value = message[key]
    return value if isinstance(value, str) else json_shown(value, 50)


_JSON_TYPES = {str: "string", int: "number", float: "number", bool: "boolean", type(None): "null", list: "array"}
