"""Types for command-line options that every command shares: counts and times that refuse what makes no sense."""

from __future__ import annotations

import argparse

__all__ = ["count", "jobs", "positive", "seconds"]


def positive(text: str) -> int:
    """An integer of 1 or more."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def jobs(text: str) -> int | str:
    """A number of processes, 1 or more, or ``auto``."""
    return "auto" if text == "auto" else positive(text)


def count(text: str) -> int:
    """An integer of 0 or more."""
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {value}")
    return value


def seconds(text: str) -> float:
    """A finite number of seconds, 0 or more."""
    value = float(text)
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a number of seconds, 0 or more, not {text}")
    return value
