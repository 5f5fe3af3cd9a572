"""What the comparison answers: per variant, compatible or not in each direction, and each break with its witness."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from notify_schemas.errors import NotifySchemasError

__all__ = ["Break", "CompatError", "Direction", "Status", "VariantReport"]

Direction = Literal["backward", "forward"]
Status = Literal["compatible", "backward compatible", "forward compatible", "breaking", "undecided"]


class CompatError(NotifySchemasError):
    """A directory cannot be compared: missing, not a schema directory, or unreadable."""


@dataclass(frozen=True)
class Break:
    """One way compatibility breaks in one direction, with its witness message."""

    direction: Direction
    """``backward``: the witness is valid under OLD and invalid under NEW; ``forward``: the reverse."""
    reason: str
    witness: Any
    source: Literal["structural", "property", "corpus", "variant"]
    """What found it: the structural comparison, generation, a corpus message as it is, or a variant added or
    removed."""

    def to_json(self) -> dict[str, Any]:
        """The break as a JSON object."""
        return {"direction": self.direction, "reason": self.reason, "witness": self.witness, "source": self.source}


@dataclass(frozen=True)
class VariantReport:
    """How one variant changed from OLD to NEW."""

    profile: str
    event_type: str
    priority: str
    change: Literal["unchanged", "changed", "added", "removed"]
    backward: bool | None
    """Every message valid under OLD is valid under NEW (as far as the comparison could tell); None when generation
    was cut short at its time limit before that direction was searched to the end and no break was found in it
    (D106): not checked, so neither claimed nor denied."""
    forward: bool | None
    """Every message valid under NEW is valid under OLD, as ``backward`` is told."""
    breaks: tuple[Break, ...] = ()
    notes: tuple[str, ...] = ()
    """Unconfirmed structural findings and generation problems: reported, not counted."""
    cut_short: bool = False
    """Generation for the variant stopped at its time limit: the verdict rests on the searches made until then."""

    @property
    def name(self) -> str:
        """``seed image.create INFO``."""
        return f"{self.profile} {self.event_type} {self.priority}"

    @property
    def status(self) -> Status:
        """``compatible`` (both ways), ``backward compatible``, ``forward compatible``, ``breaking``, or
        ``undecided`` when a direction was not checked to the end (D106; the breaks found say what is known).

        A removed variant is breaking, although no NEW message can contradict OLD there.
        """
        if self.change == "removed" or (self.backward is False and self.forward is False):
            return "breaking"
        if self.backward is None or self.forward is None:
            return "undecided"
        if self.backward and self.forward:
            return "compatible"
        return "backward compatible" if self.backward else "forward compatible"

    def to_json(self) -> dict[str, Any]:
        """The report as a JSON object."""
        return {
            "profile": self.profile,
            "event_type": self.event_type,
            "priority": self.priority,
            "change": self.change,
            "status": self.status,
            "backward": self.backward,
            "forward": self.forward,
            "breaks": [b.to_json() for b in self.breaks],
            "notes": list(self.notes),
            "cut_short": self.cut_short,
        }
