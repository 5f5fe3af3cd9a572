"""The notify-schemas conformance suite: drive a producer with generated intents and check what it sends.

Install with ``pip install 'notify-schemas[conformance]'``; run with ``notify-schemas conformance``.
"""

from conformance.checks import CHECKS, Check, Failure
from conformance.intents import Intent, intents
from conformance.runner import Report, run

__all__ = ["CHECKS", "Check", "Failure", "Intent", "Report", "intents", "run"]
