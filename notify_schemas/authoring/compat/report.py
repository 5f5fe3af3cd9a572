"""The report and the command: ``notify-schemas compat OLD_DIR NEW_DIR``, text or JSON, with progress on a terminal."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from notify_schemas import terminal
from notify_schemas.arguments import (
    MAX_EXAMPLES,
    MaskedParser,
    as_named,
    drop_output,
    examples,
    io_error_text,
    seconds,
    seed,
    shown_name,
    text,
)
from notify_schemas.authoring.compat.compare import TIME_LIMIT, compare
from notify_schemas.authoring.compat.verdicts import Break, CompatError, VariantReport
from notify_schemas.errors import NotifySchemasError
from notify_schemas.redaction import mask_text, mask_words, redact, shown
from notify_schemas.termination import READER_GONE, Terminated, sigterm_raises
from notify_schemas.values import Variant, writes_utf8

__all__ = ["main"]


def _dump(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    if not text.isascii() and not writes_utf8(sys.stdout):  # JSON that a Latin-1 or ASCII output keeps JSON
        return json.dumps(value)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # generated text can hold lone surrogates: keep them as JSON escapes
        return json.dumps(value)
    return text


def _detail(b: Break) -> str:
    return f"{mask_text(b.reason)}; witness: {_dump(redact(b.witness))}"


def _text_lines(report: VariantReport) -> Iterator[str]:
    back = [b for b in report.breaks if b.direction == "backward"]
    fwd = [b for b in report.breaks if b.direction == "forward"]
    status = report.status
    tag = f" ({report.change})" if report.change != "changed" else ""
    name = mask_text(report.name)
    if status == "compatible":
        yield f"{name}: backward and forward compatible{tag}"
    elif status == "backward compatible":
        yield f"{name}: backward compatible{tag}; not forward: {_detail(fwd[0])}"
        fwd = fwd[1:]
    elif status == "forward compatible":
        yield f"{name}: forward compatible{tag}; breaking: {_detail(back[0])}"
        back = back[1:]
    elif status == "undecided":
        left = " and ".join(d for d in ("backward", "forward") if getattr(report, d) is None)
        yield f"{name}: undecided{tag}: {left} compatibility not checked to the end (generation cut short)"
    else:
        yield f"{name}: breaking{tag}: {_detail(back[0])}"
        back = back[1:]
    yield from (f"  breaking: {_detail(b)}" for b in back)
    yield from (f"  not forward: {_detail(b)}" for b in fwd)
    yield from (f"  note: {mask_text(n)}" for n in report.notes)


def _summary(reports: Sequence[VariantReport]) -> dict[str, Any]:
    counts = {s: sum(r.status == s for r in reports) for s in ("compatible", "backward compatible")}
    counts |= {s: sum(r.status == s for r in reports) for s in ("forward compatible", "breaking", "undecided")}
    counts["cut_short"] = sum(r.cut_short for r in reports)
    return {"variants": len(reports), **counts, "backward_compatible": _backward(reports)}


def _backward(reports: Sequence[VariantReport]) -> bool | None:
    """Whether NEW is backward compatible with OLD: False when a variant is not, None when none is not but one was not
    checked to the end (D106), True when every one is."""
    if any(r.backward is False for r in reports):
        return False
    return None if any(r.backward is None for r in reports) else True


class _Parser(MaskedParser):
    def refuse(self, message: str) -> Any:
        raise CompatError(message)  # written, masked, as every error is


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="notify-schemas compat",
        description="Is NEW_DIR backward (and forward) compatible with OLD_DIR? Each break comes with a witness.",
    )
    parser.add_argument("old_dir", metavar="OLD_DIR", type=_folder, help="the schema directory before the change")
    parser.add_argument("new_dir", metavar="NEW_DIR", type=_folder, help="the schema directory after the change")
    searches = f"messages generated per search (default 50, at most {MAX_EXAMPLES:,}; 0: none)"
    parser.add_argument("--examples", type=examples, default=50, help=searches)
    limit = f"seconds generation may take for one variant (default {TIME_LIMIT:g}); a variant cut short says so"
    parser.add_argument("--time-limit", type=seconds, default=TIME_LIMIT, help=limit)
    parser.add_argument("--seed", type=seed, default=0, help="the same seed gives the same witnesses (default 0)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    return parser


def _folder(value: str) -> str:
    return text(value)  # an empty name is a usage error, never the current folder; kept as given, to be named so


def main(argv: Sequence[str] | None = None) -> int:
    """``notify-schemas compat OLD_DIR NEW_DIR``: 0 when backward compatible, 1 when not, 2 on a usage or I/O error,
    130 on Ctrl-C, 143 on SIGTERM and 129 on SIGHUP, quietly, and 141 when the reader of the output goes away."""
    try:
        with sigterm_raises(), _own_storage():
            return _main(argv)
    except KeyboardInterrupt:
        return 130
    except Terminated as stop:
        return stop.status


@contextmanager
def _own_storage() -> Iterator[None]:
    """Hypothesis's cache in a temporary folder of its own, unless the caller chose one (HYPOTHESIS_STORAGE_DIRECTORY),
    as the conformance suite has it: Hypothesis writes what it learns of the code it runs (``constants``) under a
    ``.hypothesis`` folder of the current one, which a compat run left in the caller's folder, where it has no
    business (a release's checkout, a CI workspace)."""
    if os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
        yield
        return
    with tempfile.TemporaryDirectory(prefix="notify-compat-") as storage:
        os.environ["HYPOTHESIS_STORAGE_DIRECTORY"] = storage
        try:
            yield
        finally:
            os.environ.pop("HYPOTHESIS_STORAGE_DIRECTORY", None)


def _main(argv: Sequence[str] | None) -> int:
    try:
        args = _parser().parse_args(argv)
        progress = _progress if terminal.live(sys.stderr) else None
        try:
            reports = compare(
                args.old_dir,
                args.new_dir,
                examples=args.examples,
                seed=args.seed,
                time_limit=args.time_limit,
                progress=progress,
            )
        finally:
            if progress is not None:
                terminal.erase(sys.stderr)
    except SystemExit as done:  # --help
        return int(done.code or 0)
    except (NotifySchemasError, OSError) as error:
        # What the error quotes (a folder's name, a value given) is masked as all output is, on one line.
        said = io_error_text(error)
        words = list(sys.argv[1:] if argv is None else argv)
        print(f"notify-schemas compat: error: {shown(' '.join(as_named(mask_words(said, words)).split()), 2000)}",
              file=sys.stderr)  # fmt: skip
        return 2
    try:
        _report(args, reports)
    except BrokenPipeError:  # the reader went away (| head): the report cut short is no verdict (D94)
        drop_output()
        return READER_GONE
    return 0 if _backward(reports) else 1  # undecided is no pass (D106)


def _progress(done: int, total: int, v: Variant) -> None:
    """One line on a terminal, rewritten in place and cut to its width: how far the comparison is, and the variant it
    is on."""
    width = 30
    filled = width * done // total
    name = shown(f"{v.profile} {v.name}", 100)  # a schema folder's file name, read as a variant's: masked, one line
    terminal.draw(sys.stderr, f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} variants: {name}")


def _report(args: argparse.Namespace, reports: Sequence[VariantReport]) -> None:
    """The report, redacted as everything the package writes: a variant is named by a file of the schema folder, a
    reason may quote a name or a value of a schema, and a witness is a message (D33)."""
    summary = _summary(reports)
    if args.format == "json":
        document = {"old": shown_name(args.old_dir), "new": shown_name(args.new_dir), "summary": summary}
        print(_dump(redact({**document, "variants": [r.to_json() for r in reports]})))
    else:
        for report in reports:
            for line in _text_lines(report):
                print(line)
        verdict = {
            True: "NEW is backward compatible with OLD",
            False: "NEW is not backward compatible with OLD",
            None: "undecided whether NEW is backward compatible with OLD",
        }[summary["backward_compatible"]]
        undecided = f", {summary['undecided']} undecided" if summary["undecided"] else ""
        print(
            f"{summary['variants']} variants: {summary['compatible']} compatible, "
            f"{summary['backward compatible']} backward compatible, {summary['forward compatible']} forward "
            f"compatible, {summary['breaking']} breaking{undecided}; {verdict}"
            + (f" (generation cut short at --time-limit in {summary['cut_short']})" if summary["cut_short"] else "")
        )


if __name__ == "__main__":
    sys.exit(main())
