"""The command line on top of every room: ``notify-schemas`` (`main`) and its demo."""

from notify_schemas.cli.commands import main

__all__ = ["main"]
