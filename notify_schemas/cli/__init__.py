"""The command line on top of every room: ``notify-schemas`` (`main`) and its demo."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status. Its modules load here, so that Ctrl-C while they load ends the
    command quietly with 130, as it does later."""
    try:
        from notify_schemas.cli.commands import main as run
    except KeyboardInterrupt:
        return 130
    return run(argv)
