"""The ``notify-schemas`` command: validate, sample, schemas, emit, demo.

Exit status, as check-jsonschema has it: 0 when everything is valid, 1 when something is invalid, 2 on a usage or
input/output error. Bad input never produces a traceback: each bad record gets one line naming file and line.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from notify_schemas.errors import InvalidNotificationError, NotifySchemasError
from notify_schemas.reader import DEFAULT_MAX_RECORD, BadRecord, read_records
from notify_schemas.registry import PROFILES, schema_root, variant, variants
from notify_schemas.validation import iter_errors

__all__ = ["main"]

_PROGRESS_BYTES = 1024 * 1024


class _UsageError(NotifySchemasError):
    pass


@contextmanager
def _open(name: str) -> Iterator[BinaryIO]:
    if name == "-":
        yield sys.stdin.buffer
        return
    path = Path(name)
    if path.is_dir():
        raise IsADirectoryError(21, "Is a directory", name)
    with path.open("rb") as f:
        yield f


class _Progress:
    """A record count on stderr, refreshed twice a second, only for a terminal and a large input."""

    def __init__(self, names: Sequence[str]) -> None:
        size = sum(Path(n).stat().st_size for n in names if n != "-" and Path(n).is_file())
        self.enabled = sys.stderr.isatty() and (size > _PROGRESS_BYTES or "-" in names)
        self.last = 0.0

    def tick(self, count: int) -> None:
        if self.enabled and (now := time.monotonic()) - self.last > 0.5:
            self.last = now
            sys.stderr.write(f"\r{count:,} records checked")
            sys.stderr.flush()

    def done(self) -> None:
        if self.enabled and self.last:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def _cmd_validate(args: argparse.Namespace) -> int:
    counts: Counter[str] = Counter()
    io_error = False
    errors: list[dict[str, Any]] = []
    progress = _Progress(args.files)
    out: TextIO = sys.stdout
    for name in args.files:
        try:
            with _open(name) as stream:
                for record in read_records(stream, limit=args.max_record_bytes):
                    counts["records"] += 1
                    progress.tick(counts["records"])
                    if isinstance(record, BadRecord):
                        counts["unreadable"] += 1
                        entry = {
                            "file": name,
                            "line": record.line,
                            "pointer": None,
                            "rule": "json",
                            "message": record.reason,
                            "value": None,
                            "variant": None,
                        }
                        _report(out, args.format, entry, errors)
                        continue
                    found = list(iter_errors(record.value, profile=args.profile, backend=args.backend))
                    if not found:
                        counts["valid"] += 1
                        continue
                    counts["invalid"] += 1
                    for v in found:
                        entry = {
                            "file": name,
                            "line": record.line,
                            "pointer": record.pointer + v.pointer,
                            "rule": v.rule,
                            "message": v.message,
                            "value": v.value,
                            "variant": list(v.variant) if v.variant else None,
                        }
                        _report(out, args.format, entry, errors)
        except OSError as error:
            io_error = True
            reason = error.strerror or str(error)
            print(f"notify-schemas: error: {name}: {reason}", file=sys.stderr)
    progress.done()
    files = len(args.files)
    records = counts["records"]
    summary = (
        f"{records:,} record{'s' if records != 1 else ''} in {files} file{'s' if files != 1 else ''}: "
        f"{counts['valid']:,} valid, {counts['invalid']:,} invalid, {counts['unreadable']:,} unreadable "
        f"(profile {args.profile})"
    )
    if args.format == "json":
        json.dump({"summary": dict(counts, profile=args.profile, files=files), "errors": errors}, out)
        out.write("\n")
    else:
        print(summary, file=out)
    if io_error:
        return 2
    return 1 if counts["invalid"] or counts["unreadable"] else 0


def _report(out: TextIO, fmt: str, entry: dict[str, Any], errors: list[dict[str, Any]]) -> None:
    if fmt == "json":
        errors.append(entry)
        return
    where = f"{entry['file']}:{entry['line']}"
    if entry["pointer"] is None:
        print(f"{where}: {entry['message']}", file=out)
        return
    variant_text = f" ({' '.join(entry['variant'])})" if entry["variant"] else ""
    print(f"{where}: {entry['pointer'] or '/'}: {entry['message']} [{entry['rule']}]{variant_text}", file=out)


def _cmd_sample(args: argparse.Namespace) -> int:
    from notify_schemas.samples import samples

    for message in samples(args.event_type, args.priority, profile=args.profile, n=args.n, seed=args.seed):
        print(json.dumps(message, ensure_ascii=False))
    return 0


def _variant_arg(text: str, priority: str | None, profile: str) -> Any:
    if priority is None:
        event_type, _, priority = text.rpartition(".")
        if not event_type:
            raise _UsageError(f"name a variant as EVENT_TYPE.PRIORITY or EVENT_TYPE PRIORITY, not {text!r}")
    else:
        event_type = text
    return variant(event_type, priority, profile=profile)


def _cmd_schemas(args: argparse.Namespace) -> int:
    if args.action == "list":
        for profile in [args.profile] if args.profile else PROFILES:
            for v in variants(profile):
                print(f"{profile:7} {v.event_type:36} {v.priority:6} schemas/{v.bundled_path}")
        return 0
    if args.action == "show":
        if not args.variant:
            raise _UsageError("schemas show needs a variant, e.g. image.create.INFO")
        v = _variant_arg(args.variant[0], args.variant[1] if len(args.variant) > 1 else None, args.profile or "seed")
        path = v.bundled_path if not args.source else v.path
        print((schema_root() / path).read_text(encoding="utf-8"), end="")
        return 0
    if args.action == "path":
        # For tools in other languages: the folder whose bundled/<profile>/<variant>.json files they read.
        print(Path(str(schema_root())).resolve())
        return 0
    if not args.variant:
        raise _UsageError("schemas export needs a directory")
    target = Path(args.variant[0])
    copied = _export(schema_root(), target)
    print(f"exported {copied} files to {target}")
    return 0


def _export(source: Any, target: Path) -> int:
    target.mkdir(parents=True, exist_ok=True)
    copied = 0
    for child in source.iterdir():
        if child.is_dir():
            copied += _export(child, target / child.name)
        else:
            (target / child.name).write_bytes(child.read_bytes())
            copied += 1
    return copied


def _notifier(args: argparse.Namespace, *, default_drivers: Sequence[str] | None = None) -> Any:
    from notify_schemas.config import NotifierConfig, load_config
    from notify_schemas.notifier import Notifier

    config = load_config(args.config_file) if args.config_file else NotifierConfig()
    drivers = args.driver or (default_drivers if not args.config_file else None)
    return Notifier(args.publisher_id, drivers=drivers, profile=args.profile, validation=args.validation, config=config)


def _cmd_emit(args: argparse.Namespace) -> int:
    from notify_schemas.message import build_message

    with _open(args.payload) as stream:
        raw = stream.read(DEFAULT_MAX_RECORD + 1)
    if len(raw) > DEFAULT_MAX_RECORD:
        raise _UsageError(f"{args.payload}: payload over {DEFAULT_MAX_RECORD:,} bytes")
    try:
        payload = json.loads(raw)
    except (ValueError, RecursionError) as error:
        raise _UsageError(f"{args.payload}: payload is not JSON: {error}") from None
    notifier = _notifier(args)
    message = build_message(args.event_type, args.priority, payload, notifier.publisher_id)
    try:
        sent = notifier.send(message)
    except InvalidNotificationError as error:
        print(error, file=sys.stderr)
        return 1
    if sent is None:
        print(f"{args.event_type} is disabled by disabled_notifications; nothing sent", file=sys.stderr)
        return 0
    print(json.dumps(sent, ensure_ascii=False))
    return 0


def _embedded_broker_available() -> bool:
    try:
        import oslo_messaging  # noqa: F401
    except ImportError:
        return False
    return True


def _cmd_demo(args: argparse.Namespace) -> int:
    from notify_schemas.cli.demo import run_demo

    logging.basicConfig(level=logging.INFO, format="%(name)s %(levelname)s %(message)s", stream=sys.stderr)
    listener = None
    if args.transport_url or (not args.driver and not args.config_file and _embedded_broker_available()):
        # messagingv2 to a broker (the embedded fake:// one by default), and a listener that validates what arrives.
        from notify_schemas.broker.listener import Listener
        from notify_schemas.config import NotifierConfig
        from notify_schemas.notifier import Notifier

        config = NotifierConfig(drivers=("log", "messagingv2"), transport_url=args.transport_url)
        listener = Listener(config, profile=args.profile)
        listener.start(timeout=30)
        notifier = Notifier(args.publisher_id, config=config, profile=args.profile, validation=args.validation)
    else:
        notifier = _notifier(args, default_drivers=["log", "memory"])
    rows = run_demo(notifier)
    width = max(len(r[1]) for r in rows)
    print(f"{'#':>2}  {'event_type':{width}}  {'priority':8}  {'verdict':7}  payload")
    for i, (_, event_type, priority, verdict, what) in enumerate(rows, 1):
        print(f"{i:>2}  {event_type:{width}}  {priority:8}  {verdict:7}  {what}")
    valid = sum(r[3] == "valid" for r in rows)
    names = ", ".join(type(d).__name__ for d in notifier.drivers)
    print(f"{len(rows)} notifications sent through {names}: {valid} valid in profile {notifier.profile!r}")
    if listener is not None:
        listener.wait_for(valid, timeout=30)
        listener.stop()
        where = args.transport_url or "the embedded broker (fake://)"
        print(f"listener on {where}: {listener.tally.line()}")
        if listener.tally.total != valid or listener.tally.invalid.total():
            return 1
    return 0 if valid == len(rows) else 1


def _cmd_listen(args: argparse.Namespace) -> int:
    from notify_schemas.broker.listener import Listener
    from notify_schemas.config import NotifierConfig

    config = NotifierConfig(
        transport_url=args.transport_url, topics=tuple(args.topic or ["notifications"]), control_exchange=args.exchange
    )
    out = Path(args.invalid_out).open("a", encoding="utf-8") if args.invalid_out else None  # noqa: SIM115
    listener = Listener(config, profile=args.profile, invalid_out=out, keep_received=False)
    live = sys.stderr.isatty()
    last = [0.0]

    def show(message: dict[str, Any], valid: bool) -> None:
        if live and time.monotonic() - last[0] > 0.5:
            last[0] = time.monotonic()
            sys.stderr.write("\r\033[K" + listener.summary())
            sys.stderr.flush()

    listener.on_message = show
    try:
        listener.start(timeout=args.connect_timeout)
    except NotifySchemasError:
        if out is not None:
            out.close()
        raise
    print(
        f"listening on {args.transport_url} exchange {args.exchange!r}, topics {', '.join(config.topics)} "
        f"(profile {args.profile}); Ctrl-C stops",
        file=sys.stderr,
    )
    try:
        reached = listener.wait_for(args.count, args.timeout)
    except KeyboardInterrupt:
        reached = args.count is None
    finally:
        listener.stop()
        if out is not None:
            out.close()
        if live:
            sys.stderr.write("\r\033[K")
    print(listener.tally.line())
    if args.count is not None and not reached:
        print(
            f"timed out after {args.timeout} s with {listener.tally.total} of {args.count} notifications",
            file=sys.stderr,
        )
    # 1 when anything was invalid, or when fewer notifications came than --count asked for.
    return 1 if listener.tally.invalid.total() or (args.count is not None and not reached) else 0


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="notify-schemas", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {version('notify-schemas')}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    profile = argparse.ArgumentParser(add_help=False)
    profile.add_argument("--profile", choices=PROFILES, default="seed", help="the contract to check (default: seed)")

    p = sub.add_parser("validate", parents=[profile], help="validate notifications in JSON Lines or JSON files")
    p.add_argument("files", nargs="*", default=["-"], metavar="FILE", help="files to read; - or none for stdin")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--backend", choices=("rust", "python"), default="rust", help=argparse.SUPPRESS)
    p.add_argument("--max-record-bytes", type=_positive, default=DEFAULT_MAX_RECORD, help="longest record read")
    p.set_defaults(run=_cmd_validate)

    p = sub.add_parser("sample", parents=[profile], help="print valid example messages as JSON Lines")
    p.add_argument("event_type")
    p.add_argument("priority")
    p.add_argument("-n", type=int, default=1, help="how many (default 1)")
    p.add_argument("--seed", type=int, default=0, help="the same seed gives the same messages")
    p.set_defaults(run=_cmd_sample)

    p = sub.add_parser("schemas", help="list, show or export the schemas the package ships, or print their folder")
    p.add_argument("action", choices=("list", "show", "export", "path"))
    p.add_argument("variant", nargs="*", help="show: EVENT_TYPE.PRIORITY or EVENT_TYPE PRIORITY; export: DIR")
    p.add_argument("--profile", choices=PROFILES)
    p.add_argument("--source", action="store_true", help="show the source schema instead of the bundled file")
    p.set_defaults(run=_cmd_schemas)

    send = argparse.ArgumentParser(add_help=False, parents=[profile])
    send.add_argument("--config-file", help="an oslo-style file, e.g. /etc/glance/glance-api.conf")
    send.add_argument("--driver", action="append", help="a driver name (repeatable); overrides the config file")
    send.add_argument("--publisher-id", help="overrides [DEFAULT] default_publisher_id")
    send.add_argument("--validation", choices=("strict", "warn", "off"), default="strict")

    p = sub.add_parser("emit", parents=[send], help="build, validate and send one notification")
    p.add_argument("event_type")
    p.add_argument("priority")
    p.add_argument("--payload", required=True, metavar="FILE", help="the payload as JSON; - for stdin")
    p.set_defaults(run=_cmd_emit)

    p = sub.add_parser("demo", parents=[send], help="send an image and a task lifecycle, each message validated")
    p.add_argument("--transport-url", help="send with messagingv2 to this broker instead of the embedded one")
    p.set_defaults(run=_cmd_demo)

    sub.add_parser("conformance", help="run the conformance suite against a producer (extra: conformance)",
                   add_help=False)  # fmt: skip
    sub.add_parser("compat", help="compare two schema folders: backward/forward compatible or breaking, with witnesses",
                   add_help=False)  # fmt: skip
    p = sub.add_parser("listen", parents=[profile], help="consume notifications from a broker and validate each")
    p.add_argument("--transport-url", required=True, help="e.g. rabbit://guest:guest@localhost:5672/")
    p.add_argument("--topic", action="append", help="notification topic (repeatable; default: notifications)")
    p.add_argument("--exchange", default="glance", help="the control exchange (default: glance, Glance's)")
    p.add_argument("--count", type=int, help="stop after this many notifications")
    p.add_argument("--timeout", type=float, help="stop after this many seconds")
    p.add_argument("--invalid-out", metavar="FILE", help="append each invalid notification, whole, as JSON Lines")
    p.add_argument("--connect-timeout", type=float, default=30, help="give up if the broker is not reached (s)")
    p.set_defaults(run=_cmd_listen)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["conformance"]:
        # The conformance suite is an extra with options of its own.
        try:
            from notify_schemas.conformance.cli import main as conformance_main
        except ImportError as error:
            if error.name not in {"hypothesis", "hypothesis_jsonschema"}:
                raise
            print("notify-schemas: error: the conformance suite needs: pip install 'notify-schemas[conformance]'",
                  file=sys.stderr)  # fmt: skip
            return 2
        return conformance_main(argv[1:])
    if argv[:1] == ["compat"]:
        # The evolution guard parses its own options (notify_schemas.authoring.compat).
        from notify_schemas.authoring import compat

        return compat.main(argv[1:])
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except BrokenPipeError:
        # The reader went away (| head): nothing more to say, and nothing to flush at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (NotifySchemasError, OSError) as error:
        if isinstance(error, OSError) and error.filename:
            text = f"{error.filename}: {error.strerror}"
        else:
            text = " ".join(str(error).split())
        print(f"notify-schemas: error: {text}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
