"""The notify-schemas conformance suite: drive a producer with generated intents and check what it sends.

Install with ``pip install 'notify-schemas[conformance]'``; run with ``notify-schemas conformance``. `EXEC_DIR` is the
folder of its language-neutral part: the ``--exec`` protocol (PROTOCOL.md) and producers in other languages.
"""

from pathlib import Path

from notify_schemas.conformance.checks import CHECKS, Check, Failure
from notify_schemas.conformance.intents import intents
from notify_schemas.conformance.records import Intent
from notify_schemas.conformance.runner import Report, run

__all__ = ["CHECKS", "EXEC_DIR", "Check", "Failure", "Intent", "Report", "intents", "run"]


def _exec_dir() -> Path:
    # The wheel carries the repository's conformance/ folder as exec/ beside this file; a checkout has it at the top.
    here = Path(__file__).resolve().parent
    installed = here / "exec"
    return installed if installed.is_dir() else here.parent.parent / "conformance"


EXEC_DIR = _exec_dir()
