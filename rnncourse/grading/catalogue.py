"""The catalogue's entries: a mistake (or an honest variant) is an edit of the model solution's
answer cell, and names the test cells it must cost (or the note its feedback must give)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Mistake:
    """A typical error: replace ``old`` by ``new`` in answer cell ``cell``. The test cells in
    ``breaks`` must then score below full marks, and every other test cell keeps them (a later
    part is graded on its own code). For an honest variant, ``breaks`` is instead the note its
    feedback must contain."""
    name: str
    cell: str
    old: str
    new: str
    breaks: tuple
