"""The command line on top of every room: ``notify-schemas`` (`main`) and its demo."""

from __future__ import annotations

from collections.abc import Sequence

from notify_schemas.termination import ended, held_off

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status. Its modules load here, with Ctrl-C, SIGTERM and SIGHUP held off
    until they are loaded: one that came meanwhile ends the command quietly with 130, 143 or 129, as it does later.
    Raised where it came, it could come out of an extension module's import as that module's panic, with a traceback
    and exit 1. Run as the process's command (``argv`` None: the ``notify-schemas`` script, ``python -m
    notify_schemas``), the process ends with the command (`ended`)."""
    try:
        with held_off() as stopped:
            from notify_schemas.cli.commands import main as run
    except KeyboardInterrupt:  # raised all the same: where Ctrl-C was not Python's to take, or by the import itself
        return 130
    if stopped:
        return stopped[0]
    code = run(argv)
    if argv is None:
        ended(code)
    return code
