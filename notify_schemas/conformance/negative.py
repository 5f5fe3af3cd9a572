"""Negative mode: check a consumer's validator. It must accept every valid message, and reject every message broken
in exactly one named way (a missing key, a bad UUID, a lower-case priority, a timestamp with a zone offset, another
variant's payload, a key that may hold credentials, ...).

A consumer is a callable (message in, True for valid, False for invalid) or a program that reads one message per
line and answers one line, ``valid`` or ``invalid`` (``true``/``false`` too).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from typing import Any

from notify_schemas import variants
from notify_schemas.conformance.checks import Check
from notify_schemas.conformance.producers import BLANK, ExecProgram, ProducerError, answered, line_shown
from notify_schemas.conformance.records import SECRET_URL, unleaked
from notify_schemas.conformance.runner import CaseFailure, Report, whole_number
from notify_schemas.redaction import error_text, redact, shown
from notify_schemas.samples import samples
from notify_schemas.termination import is_stop, raise_if_terminated
from notify_schemas.validation import is_valid

__all__ = ["MUTATIONS", "ExecConsumer", "run_negative"]

Message = dict[str, Any]


def _drop(key: str) -> Callable[[Message], None]:
    return lambda m: m.pop(key, None)


def _payload_key(key: str, value: Any) -> Callable[[Message], None]:
    def change(m: Message) -> None:
        if isinstance(m["payload"], dict):
            m["payload"][key] = copy.deepcopy(value)

    return change


MUTATIONS: dict[str, Callable[[Message], None]] = {
    "missing_timestamp": _drop("timestamp"),
    "missing_payload": _drop("payload"),
    "extra_envelope_key": lambda m: m.update(context={"user": "admin"}),
    "bad_uuid": lambda m: m.update(message_id=m["message_id"][:-4]),
    "lower_case_priority": lambda m: m.update(priority=m["priority"].lower()),
    "unknown_priority": lambda m: m.update(priority="DEBUG"),
    "timestamp_with_zone_offset": lambda m: m.update(timestamp=m["timestamp"] + "+02:00"),
    "rfc3339_timestamp": lambda m: m.update(timestamp=m["timestamp"].replace(" ", "T") + "Z"),
    "timestamp_trailing_newline": lambda m: m.update(timestamp=m["timestamp"] + "\n"),
    "unknown_event_type": lambda m: m.update(event_type="image.teleport"),
    "payload_of_another_kind": lambda m: m.update(payload=42 if isinstance(m["payload"], dict) else {"id": 1}),
    "leaked_locations": _payload_key("locations", [{"url": SECRET_URL, "metadata": {}}]),
    "leaked_task_input": _payload_key("task_input", {"import_from": SECRET_URL}),
    "negative_size": _payload_key("size", -1),
}


class ExecConsumer(ExecProgram):
    """A validator in any language: one message per line in, ``valid`` or ``invalid`` per line out."""

    def __call__(self, message: Message) -> bool:
        what = f"a message of {message.get('event_type')} {message.get('priority')}"  # as sent: the suite's own
        line = self.ask(json.dumps(message), what)
        # Around the word, JSON's whitespace alone (space, tab, carriage return), as around a producer's JSON line
        # and in a blank line (PROTOCOL.md); in ASCII's case alone: a no-break space or a Unicode case is no word.
        word = line.strip(BLANK).lower()
        if word not in _WORDS:
            raise ProducerError(f"{self.name} answered {line_shown(line)}, not valid or invalid")
        return _WORDS[word]


_WORDS = {b"valid": True, b"true": True, b"invalid": False, b"false": False}
"""The words a consumer answers, as bytes (``bytes.lower`` folds ASCII letters alone), and what each says."""


def _cases(profile: str, examples: int, seed: int) -> Iterator[tuple[str, str, Message, bool]]:
    for v in variants(profile):
        name = f"{v.event_type} {v.priority}"
        for message in samples(v.event_type, v.priority, profile=profile, n=examples, seed=seed):
            yield "negative.accepts_valid", name, message, True
            for mutation, change in MUTATIONS.items():
                broken = copy.deepcopy(message)
                change(broken)
                if broken != message and not is_valid(broken, profile=profile):
                    yield f"negative.rejects.{mutation}", name, broken, False


MAX_NEGATIVE_EXAMPLES = 5
"""The most valid messages per variant a negative run asks about (each with every broken copy of it), as the
command line's ``--examples`` allows."""


def run_negative(consumer: Callable[[Message], bool], *, profile: str = "seed", examples: int = 2,
                 seed: int = 0) -> Report:  # fmt: skip
    """Ask ``consumer`` about valid messages and broken ones; each wrong answer fails the check of its kind."""
    whole_number("examples", examples)
    whole_number("seed", seed)
    if not 1 <= examples <= MAX_NEGATIVE_EXAMPLES:  # none: every check would read as held; many: it would not end
        raise ValueError(f"examples must be from 1 to {MAX_NEGATIVE_EXAMPLES} valid messages per variant, not "
                         f"{examples:,}")  # fmt: skip
    checks = {
        "negative.accepts_valid": Check(
            "negative.accepts_valid", "MUST", "A consumer accepts every valid notification.", lambda i, m, s: None
        )
    }
    for mutation in MUTATIONS:
        sentence = f"A consumer rejects a notification with {mutation.replace('_', ' ')}."
        checks[f"negative.rejects.{mutation}"] = Check(f"negative.rejects.{mutation}", "MUST", sentence,
                                                       lambda i, m, s: None)  # fmt: skip
    report = Report(list(checks.values()))
    for check_id, name, message, expected in _cases(profile, examples, seed):
        raise_if_terminated()  # SIGTERM, if its exception was dropped where it was raised
        try:
            # A copy: what the consumer writes into it changes neither the messages broken from it nor the report.
            # Read once: no code of the consumer's runs after.
            accepted = answered(consumer(copy.deepcopy(message)), "consumer", f"a message of {name}")
        except ProducerError as error:  # a break of the protocol: the run stops, and reports what it saw so far
            report.stopped = shown(unleaked(str(error)), 2000)
            return report
        except BaseException as error:  # the consumer's own failure (sys.exit, GeneratorExit too), with the variant
            if is_stop(error):  # Ctrl-C, SIGTERM; not a KeyboardInterrupt the consumer raised itself
                raise
            raise_if_terminated()  # an error set off by SIGTERM is the stop, not the consumer's failure
            report.stopped = shown(unleaked(f"the consumer raised {error_text(error)} on a message of {name}"), 2000)
            return report
        if type(accepted) is not bool:  # a truthy text such as "invalid" would be read as its opposite
            # Redacted before repr quotes it: an answer may be the message itself, locations and all.
            answer = repr(redact(accepted))
            report.stopped = shown(
                unleaked(f"the consumer answered {answer} for a message of {name}, not True or False")
            )
            return report
        if accepted is expected:
            report.count_pass(check_id, name)
        else:
            verdict = "rejected a valid message" if expected else "accepted a message it must reject"
            report.fail(CaseFailure(checks[check_id], name, None, message, verdict))
    return report
