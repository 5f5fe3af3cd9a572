"""The authoring room: the tools that write what is derived from ``schemas/`` and guard how it evolves.

``bundle`` writes the standalone schemas, ``docs`` the reference pages, ``asyncapi`` the AsyncAPI documents, and
``compat`` compares two schema directories. Nothing in the runtime imports them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from notify_schemas.arguments import io_error_text
from notify_schemas.redaction import mask_text
from notify_schemas.values import one_line

__all__ = ["write_command"]


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
    if default is None:
        parser.add_argument("folder", metavar=folder)
    else:
        parser.add_argument("folder", metavar=folder, nargs="?", default=default, help=f"default: {default}")
    try:
        args = parser.parse_args(argv)
    except SystemExit as done:
        return int(done.code or 0)
    try:
        for path in write(Path(args.folder)):
            print(f"wrote {path}")
    except (OSError, ValueError) as error:
        text = io_error_text(error) if isinstance(error, OSError) else str(error)
        print(f"{prog}: error: {one_line(mask_text(text))}", file=sys.stderr)
        return 2
    return 0
